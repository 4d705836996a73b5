//! Running a job with its lease and its journal entry: the one path the
//! scheduler, `optovik job run` and the admin's "run now" share. The lease's
//! length and the tick a run belongs to are decided here too.
//!
//! Dependencies go one way: `schedule` → `runner` → `jobs` → `file_import`;
//! nothing here may import `schedule`.

use std::sync::Arc;

use portal::db::Db;
use portal::journal::{self, Outcome, Trigger};
use portal::ordering::channels::Channel;

use crate::commerceml::writer::OutputEncoding;
use crate::export;
use crate::file_import::import_reader;
use crate::jobs::{self, JobReport};

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
    // A job that panics ends as a failed run, not one "running" forever.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| jobs::run_blocking(db, name, trigger)))
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the job stopped on an internal error (a panic; see the log)")));
    db.note_write();
    let outcome = match &result {
        Ok(report) => {
            Outcome { success: true, idle: report.idle, summary: report.summary.clone(), ..Default::default() }
        }
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

    fn import_file(
        &self,
        name: &str,
        size: u64,
        input: &mut (dyn std::io::Read + Send),
        files: &dyn portal::media::FileSource,
        dry_run: bool,
        trigger: Trigger,
    ) -> Result<i64, String> {
        import_reader(&self.db, name, size, input, files, dry_run, trigger, &mut |_| {})
            .map(|(run, _)| run)
            .map_err(|e| format!("{e:#}"))
    }

    fn orders_xml(&self) -> Result<(Vec<u8>, Vec<portal::ids::OrderId>, chrono::NaiveDateTime), String> {
        let mut conn = self.db.conn().map_err(|e| e.to_string())?;
        let file = export::pending_file(&mut conn, Channel::OneC, OutputEncoding::Windows1251)
            .map_err(|e| format!("{e:#}"))?;
        Ok((file.xml, file.ids, file.as_of))
    }

    fn run_now(&self, name: &str, trigger: Trigger) -> Result<Option<i64>, String> {
        run_leased(&self.db, name, &self.instance, current_tick(), trigger)
            .map(|r| r.map(|(id, _)| id))
            .map_err(|e| format!("{e:#}"))
    }
}

/// How long a lease lasts: longer than any job run, short enough that a
/// crashed instance's jobs resume soon.
const LEASE: chrono::Duration = chrono::Duration::minutes(10);

/// The tick a run belongs to: now, rounded to the nearest second. Instances
/// firing the same schedule agree on it even when one wakes a few
/// milliseconds before the second and another just after.
pub fn current_tick() -> chrono::NaiveDateTime {
    tick_of(chrono::Utc::now().naive_utc())
}

fn tick_of(at: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    let nanos = i64::from(chrono::Timelike::nanosecond(&at).min(999_999_999));
    let down = at - chrono::Duration::nanoseconds(nanos);
    if nanos >= 500_000_000 {
        down + chrono::Duration::seconds(1)
    } else {
        down
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_round_to_the_nearest_second() {
        let at = |ms: i64| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, 26).and_then(|d| d.and_hms_opt(3, 0, 0)).expect("date")
                + chrono::Duration::milliseconds(ms)
        };
        assert_eq!(tick_of(at(-2)), at(0), "a wake-up just before the second");
        assert_eq!(tick_of(at(3)), at(0), "and just after");
        assert_eq!(tick_of(at(499)), at(0));
        assert_eq!(tick_of(at(500)), at(1000));
    }
}
