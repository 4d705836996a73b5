//! Folder exchange with the ERP: files it drops into `inbox/` are imported in
//! a sensible order (catalog, offers, prices, rests, counterparties, status
//! documents); each imported file moves to `archive/`, a failed one to
//! `failed/` with a `.report.txt` beside it. New and changed orders are then
//! written to `outbox/` as CommerceML. The folder is `OPTOVIK_EXCHANGE_DIR`
//! (default `./data/exchange`). Archives (.zip) and Excel price lists are not
//! read yet: they are moved to `failed/` with a report saying so.

use std::path::{Path, PathBuf};

use chrono::Utc;
use portal::db::Db;
use portal::journal::Trigger;

use super::JobReport;
use crate::commerceml::writer::{write_orders, OutputEncoding};

pub const NAME: &str = "folder-exchange";

/// Import order by file name prefix.
const ORDER: [&str; 6] = ["import", "offers", "prices", "rests", "contractors", "documents"];

pub fn run(db: &Db) -> anyhow::Result<JobReport> {
    let dir = PathBuf::from(std::env::var("OPTOVIK_EXCHANGE_DIR").unwrap_or_else(|_| "./data/exchange".into()));
    run_in(db, &dir, Trigger::Schedule)
}

fn rank(name: &str) -> usize {
    let lower = name.to_lowercase();
    ORDER.iter().position(|p| lower.starts_with(p)).unwrap_or(ORDER.len())
}

/// One pass over `dir`.
pub fn run_in(db: &Db, dir: &Path, trigger: Trigger) -> anyhow::Result<JobReport> {
    for sub in ["inbox", "archive", "failed", "outbox"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("inbox"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort_by_key(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        (rank(&name), name)
    });
    let stamp = Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let (mut imported, mut failed) = (0, 0);
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let is_xml = name.to_lowercase().ends_with(".xml");
        let outcome = if is_xml {
            let bytes = std::fs::read(&path)?;
            let (run, ok) = crate::runner::import_file(db, &name, &bytes, false, trigger)?;
            let entry = portal::journal::find(&mut *db.conn()?, run)?;
            (ok, format!("journal run {run}\n{}\n{}\n", entry.summary, entry.errors))
        } else {
            (false, "only CommerceML .xml files are read from the folder for now\n".to_string())
        };
        let target = if outcome.0 { "archive" } else { "failed" };
        let moved = dir.join(target).join(format!("{stamp}-{name}"));
        std::fs::rename(&path, &moved)?;
        if outcome.0 {
            imported += 1;
        } else {
            failed += 1;
            std::fs::write(dir.join("failed").join(format!("{stamp}-{name}.report.txt")), outcome.1)?;
        }
    }
    let now = Utc::now().naive_utc();
    let orders = portal::ordering::export::pending(&mut *db.conn()?, 1000)?;
    if !orders.is_empty() {
        let file = dir.join("outbox").join(format!("orders-{stamp}.xml"));
        std::fs::write(&file, write_orders(&orders, OutputEncoding::Windows1251, now)?)?;
        let ids: Vec<i64> = orders.iter().map(|o| o.order.id).collect();
        portal::ordering::export::mark_sent(&mut *db.conn()?, &ids, now)?;
    }
    Ok(JobReport { summary: format!("{imported} files imported, {failed} failed, {} orders written", orders.len()) })
}
