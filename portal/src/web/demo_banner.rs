//! Whether pages show the demo ribbon: demo logins with published passwords
//! can sign in. Read from the database at most every `REFRESH`, not on every
//! page (nor on every refused login during a flood); `optovik demo --remove`
//! run beside a live portal shows within that time.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::Db;
use crate::error::Result;

const REFRESH: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub struct DemoBanner {
    known: Mutex<Option<(bool, Instant)>>,
}

impl DemoBanner {
    /// Whether the ribbon is shown now.
    pub async fn shown(&self, db: &Db) -> Result<bool> {
        let cached = *self.known.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((shown, _)) = cached.filter(|(_, at)| at.elapsed() < REFRESH) {
            return Ok(shown);
        }
        let shown = db.run(crate::demo::accounts_present).await?;
        *self.known.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((shown, Instant::now()));
        Ok(shown)
    }
}
