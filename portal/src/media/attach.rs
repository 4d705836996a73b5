//! Linking products to their pictures and documents after a catalog import.
//!
//! Runs after the catalog's own transaction: reading and thumbnailing
//! files is slow, and a missing or broken file must never undo the catalog.
//! Each distinct file is read once, hashed, and stored only if its content
//! is new; then one transaction sets every product's list (in the ERP's
//! order) and its first picture, touching only products whose list changed.

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
    /// Files missing, unreadable or of a kind not kept: what and where.
    pub warnings: Vec<String>,
}

/// Ids looked up per statement.
const CHUNK: usize = 500;

/// Stores the new files `wanted` names (read from `source`) and sets each
/// product's pictures and documents; products of the file in `bare` (they
/// name none now) lose theirs.
pub fn attach(db: &Db, source: &dyn FileSource, wanted: &[Wanted], bare: &[String]) -> Result<Report> {
    attach_on(&mut *db.conn()?, source, wanted, bare)
}

/// [`attach`] on one connection (the demo loader's).
pub fn attach_on(conn: &mut DbConn, source: &dyn FileSource, wanted: &[Wanted], bare: &[String]) -> Result<Report> {
    let mut report = Report::default();
    let mut found: HashMap<&str, (String, MediaKind)> = HashMap::new();
    let mut failed: HashSet<&str> = HashSet::new();
    for item in wanted {
        for (path, _) in &item.files {
            if found.contains_key(path.as_str()) || failed.contains(path.as_str()) {
                continue;
            }
            match store(conn, source, path, &mut report)? {
                Ok(stored) => {
                    found.insert(path, stored);
                }
                Err(reason) => {
                    report.warnings.push(format!("Товар {}: {path}: {reason}", item.product));
                    failed.insert(path);
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

/// Reads, hashes and (when new) stores one file: its hash and kind, or why not.
fn store(
    conn: &mut DbConn,
    source: &dyn FileSource,
    path: &str,
    report: &mut Report,
) -> Result<std::result::Result<(String, MediaKind), String>> {
    let Some(clean_path) = clean(path) else { return Ok(Err("not a relative path inside the upload".into())) };
    let Some(bytes) = source.read(&clean_path)? else { return Ok(Err("not in the upload".into())) };
    let hash = crate::hash_bytes(&bytes);
    let known: Option<bool> =
        media_files::table.find(&hash).select(media_files::thumb.is_not_null()).first(conn).optional()?;
    if let Some(picture) = known {
        report.reused += 1;
        return Ok(Ok((hash, if picture { MediaKind::Image } else { MediaKind::Document })));
    }
    let prepared = match prepare(&clean_path, bytes) {
        Ok(prepared) => prepared,
        Err(reason) => return Ok(Err(reason)),
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
    per_backend!(conn, |c| diesel::insert_into(media_files::table).values(row).on_conflict_do_nothing().execute(c))?;
    report.stored += 1;
    Ok(Ok((prepared.hash, prepared.kind)))
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
        for item in part {
            let Some(&product) = ids.get(&item.product) else { continue };
            let desired = desired_rows(item, found);
            if stored.get(&product).map(Vec::as_slice).unwrap_or_default() == desired.as_slice() {
                continue;
            }
            replace(conn, product, &desired)?;
            report.products += 1;
        }
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

/// Replaces a product's rows and its first picture.
fn replace(conn: &mut DbConn, product: i64, rows: &[Row]) -> Result<()> {
    diesel::delete(product_media::table.filter(product_media::product_id.eq(product))).execute(conn)?;
    for (kind, position, hash, name) in rows {
        diesel::insert_into(product_media::table)
            .values((
                product_media::product_id.eq(product),
                product_media::kind.eq(kind),
                product_media::position.eq(position),
                product_media::hash.eq(hash),
                product_media::name.eq(name),
            ))
            .execute(conn)?;
    }
    let picture = rows.iter().find(|(kind, ..)| *kind == MediaKind::Image).map(|(_, _, hash, _)| hash);
    diesel::update(products::table.find(product)).set(products::picture.eq(picture)).execute(conn)?;
    Ok(())
}

/// Products of the file that name no files now but have some stored lose them.
fn clear(conn: &mut DbConn, bare: &[String], report: &mut Report) -> Result<()> {
    if bare.is_empty() {
        return Ok(());
    }
    let with_media: Vec<(i64, String)> = product_media::table
        .inner_join(products::table)
        .select((products::id, products::external_id))
        .distinct()
        .load(conn)?;
    let bare: HashSet<&str> = bare.iter().map(String::as_str).collect();
    for (product, external_id) in with_media {
        if bare.contains(external_id.as_str()) {
            replace(conn, product, &[])?;
            report.products += 1;
        }
    }
    Ok(())
}
