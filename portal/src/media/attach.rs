//! Linking products to their pictures and documents after a catalog import.
//!
//! Runs after the catalog's own transaction: reading and thumbnailing
//! files is slow, and a missing or broken file must never undo the catalog.
//! Each distinct file is read once, hashed, and stored only if its content
//! is new; then one transaction sets every product's list (in the ERP's
//! order), touching only products whose list changed. A product's first
//! picture is its image at position 0 (`media::first_picture`), so the
//! products' own (wide) rows are never rewritten for their pictures.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel::prelude::*;

use super::source::{clean, FileSource};
use super::{prepare, MediaKind};
use crate::db::schema::{media_files, product_media, products};
use crate::db::{write_transaction, Db, DbConn};
use crate::error::Result;
use crate::per_backend;

/// The files a product of the imported catalog names.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// The product's `Ид`.
    pub product: String,
    /// (path as written, its description if the ERP gave one).
    pub files: Vec<(String, Option<String>)>,
}

/// What attaching did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Files stored for the first time.
    pub stored: usize,
    /// Files already stored (the same content from an earlier upload).
    pub reused: usize,
    /// Products whose pictures or documents changed.
    pub products: usize,
    /// Files missing, unreadable or of a kind not kept: what and where
    /// (the first [`MAX_WARNINGS`]; `more_warnings` counts the rest).
    pub warnings: Vec<String>,
    pub more_warnings: usize,
}

/// Warnings kept word for word; a catalog naming 100,000 missing files
/// reports the first ones and how many more.
pub const MAX_WARNINGS: usize = 1000;

impl Report {
    fn warn(&mut self, warning: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning);
        } else {
            self.more_warnings += 1;
        }
    }
}

/// Ids looked up per statement.
const CHUNK: usize = 500;

/// Stores the new files `wanted` names (read from `source`) and sets each
/// product's pictures and documents; products of the file in `bare` (they
/// name none now) lose theirs.
pub fn attach(db: &Db, source: &dyn FileSource, wanted: &[Wanted], bare: &[String]) -> Result<Report> {
    attach_on(&mut *db.conn()?, source, wanted, bare)
}

/// Files read, hashed and prepared together: enough to keep every core
/// busy, few enough that memory stays small whatever the upload's size.
const BATCH: usize = 32;

/// [`attach`] on one connection (the demo loader's).
pub fn attach_on(conn: &mut DbConn, source: &dyn FileSource, wanted: &[Wanted], bare: &[String]) -> Result<Report> {
    let mut report = Report::default();
    // Each distinct path once, with the first product naming it (for warnings).
    let mut paths: Vec<(&str, &str)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for item in wanted {
        for (path, _) in &item.files {
            if seen.insert(path) {
                paths.push((path, &item.product));
            }
        }
    }
    let mut found: HashMap<&str, (String, MediaKind)> = HashMap::new();
    // Contents stored already (before or earlier in this upload), by hash.
    let mut known: HashMap<String, MediaKind> = HashMap::new();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    for batch in paths.chunks(BATCH) {
        for (path, outcome) in store_batch(conn, source, batch, &mut known, workers, &mut report)? {
            match outcome {
                Ok(stored) => {
                    known.insert(stored.0.clone(), stored.1);
                    found.insert(path, stored);
                }
                Err(reason) => {
                    let product = batch.iter().find(|(p, _)| *p == path).map(|(_, product)| *product).unwrap_or("");
                    report.warn(format!("Товар {product}: {path}: {reason}"));
                }
            }
        }
    }
    write_transaction(conn, |conn| {
        link(conn, wanted, &found, &mut report)?;
        clear(conn, bare, &mut report)
    })?;
    Ok(report)
}

/// What became of one path: its hash and kind, or why it was not taken.
type Stored<'a> = (&'a str, std::result::Result<(String, MediaKind), String>);

/// Reads and hashes a batch of files, prepares the new ones on every core
/// (decoding and thumbnailing is the slow part) and stores them.
fn store_batch<'a>(
    conn: &mut DbConn,
    source: &dyn FileSource,
    batch: &[(&'a str, &str)],
    known: &mut HashMap<String, MediaKind>,
    workers: usize,
    report: &mut Report,
) -> Result<Vec<Stored<'a>>> {
    let mut outcomes: Vec<Stored<'a>> = Vec::with_capacity(batch.len());
    let mut read: Vec<(&'a str, String, String, Vec<u8>)> = Vec::new();
    for (path, _) in batch {
        let Some(clean_path) = clean(path) else {
            outcomes.push((path, Err("not a relative path inside the upload".into())));
            continue;
        };
        let Some(bytes) = source.read(&clean_path)? else {
            outcomes.push((path, Err("not in the upload".into())));
            continue;
        };
        read.push((path, clean_path, crate::hash_bytes(&bytes), bytes));
    }
    // Contents not met yet in this upload: looked up together.
    let unseen: Vec<&str> =
        read.iter().map(|(_, _, hash, _)| hash.as_str()).filter(|hash| !known.contains_key(*hash)).collect();
    if !unseen.is_empty() {
        let stored: Vec<(String, bool)> = media_files::table
            .filter(media_files::hash.eq_any(&unseen))
            .select((media_files::hash, media_files::thumb.is_not_null()))
            .load(conn)?;
        for (hash, picture) in stored {
            known.insert(hash, if picture { MediaKind::Image } else { MediaKind::Document });
        }
    }
    let mut fresh: Vec<(&'a str, String, Vec<u8>)> = Vec::new();
    for (path, clean_path, hash, bytes) in read {
        match known.get(&hash) {
            Some(kind) => {
                report.reused += 1;
                outcomes.push((path, Ok((hash, *kind))));
            }
            None => fresh.push((path, clean_path, bytes)),
        }
    }
    let workers = workers.min(fresh.len().max(1));
    let per_worker = fresh.len().div_ceil(workers).max(1);
    let prepared: Vec<(&'a str, std::result::Result<super::Prepared, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = fresh
            .chunks(per_worker)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(path, clean_path, bytes)| (*path, prepare(clean_path, bytes.clone())))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    for (path, outcome) in prepared {
        let prepared = match outcome {
            Ok(prepared) => prepared,
            Err(reason) => {
                outcomes.push((path, Err(reason)));
                continue;
            }
        };
        let row = (
            media_files::hash.eq(&prepared.hash),
            media_files::content_type.eq(prepared.content_type),
            media_files::size_bytes.eq(prepared.content.len() as i64),
            media_files::width.eq(prepared.width),
            media_files::height.eq(prepared.height),
            media_files::content.eq(&prepared.content),
            media_files::thumb.eq(prepared.thumb.as_ref()),
            media_files::created_at.eq(Utc::now().naive_utc()),
        );
        let inserted = per_backend!(conn, |c| diesel::insert_into(media_files::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
        // The same content under two names in one batch is stored once.
        if inserted > 0 {
            report.stored += 1;
        } else {
            report.reused += 1;
        }
        outcomes.push((path, Ok((prepared.hash, prepared.kind))));
    }
    Ok(outcomes)
}

/// A product's list as stored: (kind, position, hash, name).
type Row = (MediaKind, i32, String, String);

/// Sets each wanted product's list where it differs from the stored one.
fn link(
    conn: &mut DbConn,
    wanted: &[Wanted],
    found: &HashMap<&str, (String, MediaKind)>,
    report: &mut Report,
) -> Result<()> {
    for part in wanted.chunks(CHUNK) {
        let keys: Vec<&str> = part.iter().map(|w| w.product.as_str()).collect();
        let ids: HashMap<String, i64> = products::table
            .filter(products::external_id.eq_any(&keys))
            .select((products::external_id, products::id))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .collect();
        let id_list: Vec<i64> = ids.values().copied().collect();
        let mut stored: HashMap<i64, Vec<Row>> = HashMap::new();
        let rows: Vec<(i64, MediaKind, i32, String, String)> = product_media::table
            .filter(product_media::product_id.eq_any(&id_list))
            .order((product_media::product_id, product_media::kind, product_media::position))
            .select((
                product_media::product_id,
                product_media::kind,
                product_media::position,
                product_media::hash,
                product_media::name,
            ))
            .load(conn)?;
        for (product, kind, position, hash, name) in rows {
            stored.entry(product).or_default().push((kind, position, hash, name));
        }
        let mut changed: Vec<(i64, Vec<Row>)> = Vec::new();
        for item in part {
            let Some(&product) = ids.get(&item.product) else { continue };
            let desired = desired_rows(item, found);
            if stored.get(&product).map(Vec::as_slice).unwrap_or_default() == desired.as_slice() {
                continue;
            }
            changed.push((product, desired));
        }
        replace(conn, &changed)?;
        report.products += changed.len();
    }
    Ok(())
}

/// The rows a product should have: pictures and documents each numbered
/// from 0 in the order named, the same file once.
fn desired_rows(item: &Wanted, found: &HashMap<&str, (String, MediaKind)>) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (path, description) in &item.files {
        let Some((hash, kind)) = found.get(path.as_str()) else { continue };
        if rows.iter().any(|(k, _, h, _)| k == kind && h == hash) {
            continue;
        }
        let name = description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| path.rsplit(['/', '\\']).next().unwrap_or(path).to_string());
        let position = rows.iter().filter(|(k, ..)| k == kind).count() as i32;
        rows.push((*kind, position, hash.clone(), name));
    }
    rows.sort_by_key(|(kind, position, ..)| (kind.as_str(), *position));
    rows
}

/// Replaces the rows of each product in `changed` (at most `CHUNK`): one
/// delete, one multi-row insert.
fn replace(conn: &mut DbConn, changed: &[(i64, Vec<Row>)]) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = changed.iter().map(|(product, _)| *product).collect();
    diesel::delete(product_media::table.filter(product_media::product_id.eq_any(&ids))).execute(conn)?;
    let new: Vec<_> = changed
        .iter()
        .flat_map(|(product, rows)| {
            rows.iter().map(move |(kind, position, hash, name)| {
                (
                    product_media::product_id.eq(*product),
                    product_media::kind.eq(*kind),
                    product_media::position.eq(*position),
                    product_media::hash.eq(hash.as_str()),
                    product_media::name.eq(name.as_str()),
                )
            })
        })
        .collect();
    // Five columns a row: well under both backends' bound-parameter limits.
    for rows in new.chunks(CHUNK) {
        per_backend!(conn, |c| diesel::insert_into(product_media::table).values(rows.to_vec()).execute(c))?;
    }
    Ok(())
}

/// Products of the file that name no files now but have some stored lose them.
fn clear(conn: &mut DbConn, bare: &[String], report: &mut Report) -> Result<()> {
    for part in bare.chunks(CHUNK) {
        let with_media: Vec<i64> = product_media::table
            .inner_join(products::table)
            .filter(products::external_id.eq_any(part))
            .select(products::id)
            .distinct()
            .load(conn)?;
        let changed: Vec<(i64, Vec<Row>)> = with_media.into_iter().map(|product| (product, Vec::new())).collect();
        replace(conn, &changed)?;
        report.products += changed.len();
    }
    Ok(())
}
