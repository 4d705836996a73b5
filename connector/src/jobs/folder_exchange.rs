//! Folder exchange with the ERP. Files it drops into `inbox/` are imported in
//! a sensible order (catalog, offers, prices, rests, counterparties, status
//! documents, then spreadsheets and closing documents), each streamed in its
//! own transaction and journal run; a `manifest*.csv` takes the closing
//! documents it lists with it (`closing_manifest`); an imported file moves to `archive/`, a failed one to
//! `failed/` with a `.report.txt` beside it. A `.zip` is unpacked into the
//! inbox first (entry names checked, size capped). New and changed orders are
//! written to `outbox/` as CommerceML. The folder is `OPTOVIK_EXCHANGE_DIR`
//! (default `./data/exchange`).
//!
//! Three scheduled jobs share it: `full-import` (nightly: everything in the
//! inbox), `stock-import` (every few minutes: all but catalogs and archives,
//! which wait for the night) and `order-export`; `folder-exchange` does all
//! three in one pass (for "run now").

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::Utc;
use portal::db::Db;
use portal::journal::Trigger;

use super::JobReport;
use crate::commerceml::writer::OutputEncoding;

pub const NAME: &str = "folder-exchange";
pub const FULL_IMPORT: &str = "full-import";
pub const STOCK_IMPORT: &str = "stock-import";
pub const ORDER_EXPORT: &str = "order-export";

/// The largest file a zip may unpack to, and all its entries together.
const UNPACK_LIMIT: u64 = 4 << 30;

/// Which files of the inbox a pass takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Files {
    All,
    /// Everything but catalogs (`import*`) and archives.
    StockAndPrices,
}

pub fn dir() -> PathBuf {
    PathBuf::from(std::env::var("OPTOVIK_EXCHANGE_DIR").unwrap_or_else(|_| "./data/exchange".into()))
}

/// The job named `name`, on the configured folder, started by `trigger`.
pub fn run(db: &Db, name: &str, trigger: Trigger) -> anyhow::Result<JobReport> {
    let dir = dir();
    match name {
        FULL_IMPORT => import_in(db, &dir, Files::All, trigger),
        STOCK_IMPORT => import_in(db, &dir, Files::StockAndPrices, trigger),
        ORDER_EXPORT => export_in(db, &dir, trigger),
        _ => run_in(db, &dir, trigger),
    }
}

/// One full pass over `dir`: every inbox file, then the orders.
pub fn run_in(db: &Db, dir: &Path, trigger: Trigger) -> anyhow::Result<JobReport> {
    let imported = import_in(db, dir, Files::All, trigger)?;
    let exported = export_in(db, dir, trigger)?;
    Ok(JobReport {
        summary: format!("{}, {}", imported.summary, exported.summary),
        idle: imported.idle && exported.idle,
    })
}

/// Import order by file name prefix; anything else (spreadsheets) comes last.
fn rank(name: &str) -> usize {
    crate::exchange_zip::rank(name)
}

fn is_zip(name: &str) -> bool {
    name.to_lowercase().ends_with(".zip")
}

fn inbox_files(dir: &Path, which: Files) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(dir.join("inbox"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), p))
        .filter(|(name, _)| !name.starts_with('.'))
        .filter(|(name, _)| which == Files::All || !(is_zip(name) || rank(name) == 0))
        .collect();
    files.sort_by_key(|(name, _)| (rank(name), name.clone()));
    Ok(files)
}

/// Imports the inbox files `which` selects.
pub fn import_in(db: &Db, dir: &Path, which: Files, trigger: Trigger) -> anyhow::Result<JobReport> {
    for sub in ["inbox", "archive", "failed", "outbox"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let stamp = Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let (mut imported, mut failed) = (0, 0);
    let mut report = |name: &str, path: &Path, outcome: Result<(), String>| -> anyhow::Result<()> {
        let target = if outcome.is_ok() { "archive" } else { "failed" };
        std::fs::rename(path, dir.join(target).join(format!("{stamp}-{name}")))?;
        match outcome {
            Ok(()) => imported += 1,
            Err(text) => {
                failed += 1;
                std::fs::write(dir.join("failed").join(format!("{stamp}-{name}.report.txt")), text)?;
            }
        }
        Ok(())
    };
    // Archives first: what they hold joins the inbox.
    for (name, path) in inbox_files(dir, which)?.into_iter().filter(|(n, _)| is_zip(n)) {
        // Unpacked aside first, so a broken archive adds nothing to the inbox.
        let aside = dir.join(format!(".unpacking-{stamp}"));
        let outcome = unpack(&path, &aside, &dir.join("inbox")).and_then(|files| {
            for file in files {
                std::fs::rename(aside.join(&file), free_name(&dir.join("inbox"), &file))?;
            }
            Ok(())
        });
        let _ = std::fs::remove_dir_all(&aside);
        report(&name, &path, outcome.map_err(|e| format!("{e:#}\n")))?;
    }
    // Manifests of closing documents take the files they list with them.
    for (name, path) in inbox_files(dir, which)?.into_iter().filter(|(n, _)| crate::closing_manifest::is_manifest(n)) {
        let (run, ok, files) = crate::closing_manifest::import(db, &dir.join("inbox"), &path, trigger)?;
        let entry = portal::journal::find(&mut *db.conn()?, run)?;
        let text = format!("journal run {run} (manifest {name})\n{}\n{}\n", entry.summary, entry.errors);
        for file in files {
            let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            report(&file_name, &file, if ok { Ok(()) } else { Err(text.clone()) })?;
        }
        report(&name, &path, if ok { Ok(()) } else { Err(text) })?;
    }
    for (name, path) in inbox_files(dir, which)? {
        let (run, ok) = crate::file_import::import_path(db, &path, false, trigger, &mut |_| {})?;
        let entry = portal::journal::find(&mut *db.conn()?, run)?;
        let text = format!("journal run {run}\n{}\n{}\n", entry.summary, entry.errors);
        report(&name, &path, if ok { Ok(()) } else { Err(text) })?;
    }
    Ok(JobReport { summary: format!("{imported} files imported, {failed} failed"), idle: imported + failed == 0 })
}

/// Writes new and changed orders to `outbox/` and marks them taken by the
/// folder channel — only where the supplier's `order_channels` include
/// `folder`, so that a folder nobody reads never swallows orders.
pub fn export_in(db: &Db, dir: &Path, trigger: Trigger) -> anyhow::Result<JobReport> {
    use portal::ordering::channels::{configured, Channel};
    if !configured(&mut *db.conn()?)?.contains(&Channel::Folder) {
        return Ok(JobReport {
            summary: "the folder is not an order channel (setting order_channels)".into(),
            idle: true,
        });
    }
    let written = crate::export::to_folder(db, &dir.join("outbox"), OutputEncoding::Windows1251, trigger)?;
    Ok(JobReport { summary: format!("{} orders written", written.orders), idle: written.orders == 0 })
}

/// Unpacks the exchange files (XML, spreadsheets, PDF documents) of a zip into `into`,
/// refusing entries that would land outside it; the catalog's pictures and
/// documents (under `import_files/`, or pictures in any folder) go to
/// `media_into` under their own paths, where the catalog's import finds
/// them; anything else is skipped. Returns the exchange files' names.
pub fn unpack(zip: &Path, into: &Path, media_into: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(into)?;
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(zip)?).map_err(|e| anyhow::anyhow!("not a readable zip: {e}"))?;
    let mut written = Vec::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| anyhow::anyhow!("entry {i}: {e}"))?;
        let name = entry.name().map_err(|e| anyhow::anyhow!("entry {i}: {e}"))?.to_string();
        if name.starts_with('/') || name.split(['/', '\\']).any(|p| p == "..") {
            anyhow::bail!("refused entry {name:?}: a path outside the folder");
        }
        let base = name.rsplit(['/', '\\']).next().unwrap_or_default().to_string();
        let lower = base.to_lowercase();
        if let Some(media) = media_path(&name) {
            let target = media_into.join(&media);
            std::fs::create_dir_all(target.parent().unwrap_or(media_into))?;
            let copied = std::io::copy(&mut (&mut entry).take(UNPACK_LIMIT + 1), &mut std::fs::File::create(&target)?)?;
            total += copied;
            if copied > UNPACK_LIMIT || total > UNPACK_LIMIT {
                anyhow::bail!("{name} unpacks to more than {} GiB", UNPACK_LIMIT >> 30);
            }
            continue;
        }
        let wanted = [".xml", ".xlsx", ".xls", ".ods", ".csv", ".pdf"].iter().any(|e| lower.ends_with(e));
        if entry.is_dir() || base.is_empty() || !wanted {
            continue;
        }
        let target = free_name(into, &base);
        let mut out = std::fs::File::create(&target)?;
        let copied = std::io::copy(&mut (&mut entry).take(UNPACK_LIMIT + 1), &mut out)?;
        total += copied;
        if copied > UNPACK_LIMIT || total > UNPACK_LIMIT {
            drop(out);
            std::fs::remove_file(&target)?;
            anyhow::bail!("{name} unpacks to more than {} GiB", UNPACK_LIMIT >> 30);
        }
        written.push(target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    }
    Ok(written)
}

/// The path a catalog's picture or document keeps: a file under
/// `import_files/`, or a picture in any folder (1C's own layout).
fn media_path(name: &str) -> Option<String> {
    let path = portal::media::clean_path(name)?;
    let lower = path.to_lowercase();
    let nested = path.contains('/');
    let picture = [".jpg", ".jpeg", ".png", ".gif", ".webp"].iter().any(|e| lower.ends_with(e));
    (nested && (picture || path.split('/').any(|p| p == "import_files"))).then_some(path)
}

/// `name` in `dir`, or `name-2`, `name-3`… (before the extension) when taken.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let (stem, ext) = name.rsplit_once('.').map_or((name, String::new()), |(s, e)| (s, format!(".{e}")));
    std::iter::once(dir.join(name))
        .chain((2..).map(|n| dir.join(format!("{stem}-{n}{ext}"))))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(name))
}
