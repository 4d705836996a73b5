//! Storage behind the 1C exchange protocol: uploaded files per exchange
//! session (appended chunk by chunk), the status of their background imports,
//! and which orders a `query` handed out. In the database, so the next
//! request may reach any instance.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{exchange_files, exchange_imports, exchange_queries};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::per_backend;

/// Forgets a session's files and imports (`mode=init`).
pub fn reset(conn: &mut DbConn, session: &str) -> Result<()> {
    diesel::delete(exchange_files::table.filter(exchange_files::session.eq(session))).execute(conn)?;
    diesel::delete(exchange_imports::table.filter(exchange_imports::session.eq(session))).execute(conn)?;
    Ok(())
}

/// Appends a chunk to a file; refuses when the file would pass `limit` bytes.
pub fn append(conn: &mut DbConn, session: &str, name: &str, chunk: &[u8], limit: usize) -> Result<usize> {
    crate::db::write_transaction(conn, |conn| {
        let existing: Option<Vec<u8>> =
            exchange_files::table.find((session, name)).select(exchange_files::content).first(conn).optional()?;
        let mut content = existing.unwrap_or_default();
        if content.len() + chunk.len() > limit {
            return Err(Error::Invalid(format!("{name} is larger than {limit} bytes")));
        }
        content.extend_from_slice(chunk);
        let size = content.len();
        let now = Utc::now().naive_utc();
        let row = (
            exchange_files::session.eq(session),
            exchange_files::name.eq(name),
            exchange_files::content.eq(&content),
            exchange_files::updated_at.eq(now),
        );
        per_backend!(conn, |c| diesel::insert_into(exchange_files::table)
            .values(row)
            .on_conflict((exchange_files::session, exchange_files::name))
            .do_update()
            .set((exchange_files::content.eq(&content), exchange_files::updated_at.eq(now)))
            .execute(c))?;
        Ok(size)
    })
}

pub fn file(conn: &mut DbConn, session: &str, name: &str) -> Result<Option<Vec<u8>>> {
    Ok(exchange_files::table.find((session, name)).select(exchange_files::content).first(conn).optional()?)
}

/// The state of a file's import: None (not started), or (status, message).
pub fn import_state(conn: &mut DbConn, session: &str, name: &str) -> Result<Option<(String, String)>> {
    Ok(exchange_imports::table
        .find((session, name))
        .select((exchange_imports::status, exchange_imports::message))
        .first(conn)
        .optional()?)
}

pub fn set_import_state(
    conn: &mut DbConn,
    session: &str,
    name: &str,
    status: &str,
    message: &str,
    run: Option<i64>,
) -> Result<()> {
    let row = (
        exchange_imports::session.eq(session),
        exchange_imports::name.eq(name),
        exchange_imports::status.eq(status),
        exchange_imports::message.eq(message),
        exchange_imports::run_id.eq(run),
    );
    per_backend!(conn, |c| diesel::insert_into(exchange_imports::table)
        .values(row)
        .on_conflict((exchange_imports::session, exchange_imports::name))
        .do_update()
        .set((
            exchange_imports::status.eq(status),
            exchange_imports::message.eq(message),
            exchange_imports::run_id.eq(run)
        ))
        .execute(c))?;
    Ok(())
}

/// Remembers which orders a query handed out.
pub fn remember_query(conn: &mut DbConn, session: &str, ids: &[i64], as_of: NaiveDateTime) -> Result<()> {
    let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let row = (
        exchange_queries::session.eq(session),
        exchange_queries::order_ids.eq(&ids),
        exchange_queries::as_of.eq(as_of),
    );
    per_backend!(conn, |c| diesel::insert_into(exchange_queries::table)
        .values(row)
        .on_conflict(exchange_queries::session)
        .do_update()
        .set((exchange_queries::order_ids.eq(&ids), exchange_queries::as_of.eq(as_of)))
        .execute(c))?;
    Ok(())
}

/// The orders of the session's last query (and when it ran), then forgets them.
pub fn take_query(conn: &mut DbConn, session: &str) -> Result<Option<(Vec<i64>, NaiveDateTime)>> {
    let row: Option<(String, NaiveDateTime)> = exchange_queries::table
        .find(session)
        .select((exchange_queries::order_ids, exchange_queries::as_of))
        .first(conn)
        .optional()?;
    diesel::delete(exchange_queries::table.find(session)).execute(conn)?;
    Ok(row.map(|(ids, at)| (serde_json::from_str(&ids).unwrap_or_default(), at)))
}

/// Unpacks every uploaded .zip of the session into its files (1C sends
/// `import.xml`, `offers.xml` and images zipped). Entry names are checked
/// like uploaded names, and the unpacked total is capped against zip bombs.
/// Returns how many files came out.
pub fn unpack_zips(conn: &mut DbConn, session: &str, limit: usize) -> Result<usize> {
    use std::io::Read;
    let zips: Vec<(String, Vec<u8>)> = exchange_files::table
        .filter(exchange_files::session.eq(session))
        .filter(exchange_files::name.like("%.zip"))
        .select((exchange_files::name, exchange_files::content))
        .load(conn)?;
    let mut unpacked = 0;
    for (zip_name, bytes) in zips {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| Error::Invalid(format!("{zip_name} is not a readable zip: {e}")))?;
        let mut total = 0usize;
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(|e| Error::Invalid(format!("{zip_name}: {e}")))?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().map_err(|e| Error::Invalid(format!("{zip_name}: {e}")))?.to_string();
            let safe = !name.starts_with('/') && !name.split(['/', '\\']).any(|p| p == ".." || p.is_empty());
            if !safe {
                return Err(Error::Invalid(format!(
                    "{zip_name}: refused entry {name:?} (path outside the upload area)"
                )));
            }
            let mut content = Vec::new();
            (&mut entry)
                .take(limit as u64 + 1)
                .read_to_end(&mut content)
                .map_err(|e| Error::Invalid(format!("{zip_name}: {e}")))?;
            total += content.len();
            if content.len() > limit || total > limit.saturating_mul(4) {
                return Err(Error::Invalid(format!("{zip_name} unpacks to more than allowed")));
            }
            diesel::delete(exchange_files::table.find((session, name.as_str()))).execute(conn)?;
            append(conn, session, &name, &content, limit)?;
            unpacked += 1;
        }
        diesel::delete(exchange_files::table.find((session, zip_name.as_str()))).execute(conn)?;
    }
    Ok(unpacked)
}
