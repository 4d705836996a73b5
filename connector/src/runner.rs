//! Running a job with its lease and its journal entry: the one path the
//! scheduler, `optovik job run` and the admin's "run now" share.

use std::sync::Arc;

use portal::db::Db;
use portal::journal::{self, Outcome, Trigger};

use crate::jobs::{self, JobReport};
use crate::schedule::{current_tick, LEASE};

/// Runs `name` for `tick` if this instance takes its lease; `None` if another
/// instance holds it or already ran that tick. The run is journaled.
pub fn run_leased(
    db: &Db,
    name: &str,
    instance: &str,
    tick: chrono::NaiveDateTime,
    trigger: Trigger,
) -> anyhow::Result<Option<(i64, JobReport)>> {
    if !jobs::names().contains(&name) {
        anyhow::bail!("unknown job {name:?}; known: {}", jobs::names().join(", "));
    }
    let acquired = portal::jobs::try_acquire(&mut *db.conn()?, name, instance, tick, LEASE)?;
    if !acquired {
        return Ok(None);
    }
    let run = journal::start(&mut *db.conn()?, name, trigger)?;
    let result = jobs::run_blocking(db, name);
    let outcome = match &result {
        Ok(report) => Outcome { success: true, summary: report.summary.clone(), ..Default::default() },
        Err(e) => Outcome {
            success: false,
            summary: format!("{e:#}"),
            errors: vec![serde_json::json!({ "message": format!("{e:#}") })],
            ..Default::default()
        },
    };
    journal::finish(&mut *db.conn()?, run, &outcome)?;
    portal::jobs::release(&mut *db.conn()?, name, instance)?;
    result.map(|report| Some((run, report)))
}

/// The connector's jobs for the web layer's "run now".
pub struct Runner {
    pub db: Db,
    pub instance: String,
}

impl Runner {
    pub fn shared(db: Db, instance: String) -> Arc<dyn portal::jobs::JobRunner> {
        Arc::new(Runner { db, instance })
    }
}

impl portal::jobs::JobRunner for Runner {
    fn names(&self) -> Vec<&'static str> {
        jobs::names()
    }

    fn run_now(&self, name: &str, trigger: Trigger) -> Result<Option<i64>, String> {
        run_leased(&self.db, name, &self.instance, current_tick(), trigger)
            .map(|r| r.map(|(id, _)| id))
            .map_err(|e| format!("{e:#}"))
    }
}
