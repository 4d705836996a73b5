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

    fn import_file(&self, name: &str, bytes: &[u8], dry_run: bool, trigger: Trigger) -> Result<i64, String> {
        import_file(&self.db, name, bytes, dry_run, trigger).map(|(run, _)| run).map_err(|e| format!("{e:#}"))
    }

    fn orders_xml(&self) -> Result<(Vec<u8>, Vec<i64>, chrono::NaiveDateTime), String> {
        use crate::commerceml::writer::{write_orders, OutputEncoding};
        let now = chrono::Utc::now().naive_utc();
        let mut conn = self.db.conn().map_err(|e| e.to_string())?;
        let orders = portal::ordering::export::pending(&mut conn, 1000).map_err(|e| e.to_string())?;
        let xml = write_orders(&orders, OutputEncoding::Windows1251, now).map_err(|e| e.to_string())?;
        Ok((xml, orders.iter().map(|o| o.order.id).collect(), now))
    }

    fn run_now(&self, name: &str, trigger: Trigger) -> Result<Option<i64>, String> {
        run_leased(&self.db, name, &self.instance, current_tick(), trigger)
            .map(|r| r.map(|(id, _)| id))
            .map_err(|e| format!("{e:#}"))
    }
}

/// Imports one exchange file, whatever its kind (catalog, offers, prices,
/// rests, counterparties or status documents), with a journal run. Returns
/// the run's id and whether it succeeded.
pub fn import_file(db: &Db, name: &str, bytes: &[u8], dry_run: bool, trigger: Trigger) -> anyhow::Result<(i64, bool)> {
    use crate::commerceml::{detect_kind, FileKind};
    let job = if dry_run { "import (dry run)" } else { "import" };
    let run = journal::start(&mut *db.conn()?, job, trigger)?;
    let documents = detect_kind(&bytes[..bytes.len().min(64 * 1024)]) == Some(FileKind::Documents);
    let result = match (documents, dry_run) {
        (true, true) => Err(crate::import::ImportError::Read("status documents cannot be dry-run".into())),
        (true, false) => crate::import::apply_documents(db, bytes),
        (false, true) => crate::import::dry_run(db, bytes),
        (false, false) => crate::import::import(db, bytes),
    };
    let files = vec![serde_json::json!({ "name": name, "bytes": bytes.len(), "sha256": portal::hash_bytes(bytes) })];
    let outcome = match &result {
        Ok(counts) => Outcome {
            success: true,
            summary: counts.summary(),
            counts: serde_json::to_value(&counts.entities).unwrap_or_default(),
            errors: counts.problems.iter().map(|p| serde_json::json!({ "message": p, "file": name })).collect(),
            files,
        },
        Err(e) => Outcome {
            success: false,
            summary: format!("nothing changed: {e}"),
            errors: vec![serde_json::json!({ "message": e.to_string(), "file": name })],
            files,
            ..Default::default()
        },
    };
    journal::finish(&mut *db.conn()?, run, &outcome)?;
    Ok((run, result.is_ok()))
}
