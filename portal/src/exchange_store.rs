//! Storage behind the 1C exchange protocol: uploaded files per exchange
//! session (appended chunk by chunk, kept as numbered pieces and read back as
//! a stream), the status of their background imports, and which orders a
//! `query` handed out. In the database, so the next request may reach any
//! instance.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{exchange_chunks, exchange_files, exchange_imports, exchange_queries};
use crate::db::{Db, DbConn};
use crate::error::{Error, Result};
use crate::ids::OrderId;
use crate::journal::RunStatus;
use crate::per_backend;

/// Stored pieces are at most this large, so reading a file back streams.
const PIECE: usize = 1 << 20;

/// Forgets a session's files and imports (`mode=init`).
pub fn reset(conn: &mut DbConn, session: &str) -> Result<()> {
    diesel::delete(exchange_chunks::table.filter(exchange_chunks::session.eq(session))).execute(conn)?;
    diesel::delete(exchange_files::table.filter(exchange_files::session.eq(session))).execute(conn)?;
    diesel::delete(exchange_imports::table.filter(exchange_imports::session.eq(session))).execute(conn)?;
    Ok(())
}

fn forget(conn: &mut DbConn, session: &str, name: &str) -> Result<()> {
    diesel::delete(
        exchange_chunks::table.filter(exchange_chunks::session.eq(session)).filter(exchange_chunks::name.eq(name)),
    )
    .execute(conn)?;
    diesel::delete(exchange_files::table.find((session, name))).execute(conn)?;
    Ok(())
}

/// Appends a chunk to a file; refuses when the file would pass `limit`
/// bytes. Returns the file's size.
pub fn append(conn: &mut DbConn, session: &str, name: &str, chunk: &[u8], limit: u64) -> Result<u64> {
    crate::db::write_transaction(conn, |conn| {
        let size = size(conn, session, name)?.unwrap_or(0);
        let new_size = size + chunk.len() as u64;
        if new_size > limit {
            return Err(Error::Invalid(format!("{name} is larger than {limit} bytes")));
        }
        let last: Option<i32> = exchange_chunks::table
            .filter(exchange_chunks::session.eq(session))
            .filter(exchange_chunks::name.eq(name))
            .select(diesel::dsl::max(exchange_chunks::seq))
            .first(conn)?;
        for (seq, piece) in (last.map_or(0, |s| s + 1)..).zip(chunk.chunks(PIECE)) {
            diesel::insert_into(exchange_chunks::table)
                .values((
                    exchange_chunks::session.eq(session),
                    exchange_chunks::name.eq(name),
                    exchange_chunks::seq.eq(seq),
                    exchange_chunks::content.eq(piece),
                ))
                .execute(conn)?;
        }
        let now = Utc::now().naive_utc();
        let stored = new_size as i64;
        let row = (
            exchange_files::session.eq(session),
            exchange_files::name.eq(name),
            exchange_files::content.eq(Vec::<u8>::new()),
            exchange_files::size.eq(stored),
            exchange_files::updated_at.eq(now),
        );
        per_backend!(conn, |c| diesel::insert_into(exchange_files::table)
            .values(row)
            .on_conflict((exchange_files::session, exchange_files::name))
            .do_update()
            .set((exchange_files::size.eq(stored), exchange_files::updated_at.eq(now)))
            .execute(c))?;
        Ok(new_size)
    })
}

/// A stored file's size, if it was uploaded.
pub fn size(conn: &mut DbConn, session: &str, name: &str) -> Result<Option<u64>> {
    let size: Option<i64> =
        exchange_files::table.find((session, name)).select(exchange_files::size).first(conn).optional()?;
    Ok(size.map(|s| s.max(0) as u64))
}

/// Whether the session uploaded any archive (unpacked on the first import).
pub fn has_zips(conn: &mut DbConn, session: &str) -> Result<bool> {
    let found: Option<String> = exchange_files::table
        .filter(exchange_files::session.eq(session))
        .filter(exchange_files::name.like("%.zip"))
        .select(exchange_files::name)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// A stored file, read piece by piece from the database.
pub struct StoredFile {
    db: Db,
    session: String,
    name: String,
    next: i32,
    piece: Vec<u8>,
    at: usize,
}

/// Opens a stored file for reading: (its size, the reader).
pub fn open(db: &Db, session: &str, name: &str) -> Result<Option<(u64, StoredFile)>> {
    let Some(size) = size(&mut *db.conn()?, session, name)? else {
        return Ok(None);
    };
    let file =
        StoredFile { db: db.clone(), session: session.into(), name: name.into(), next: 0, piece: Vec::new(), at: 0 };
    Ok(Some((size, file)))
}

impl std::io::Read for StoredFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.piece.len() {
            let mut conn = self.db.conn().map_err(std::io::Error::other)?;
            let piece: Option<Vec<u8>> = exchange_chunks::table
                .find((&self.session, &self.name, self.next))
                .select(exchange_chunks::content)
                .first(&mut *conn)
                .optional()
                .map_err(std::io::Error::other)?;
            match piece {
                None => return Ok(0),
                Some(piece) => {
                    self.piece = piece;
                    self.at = 0;
                    self.next += 1;
                }
            }
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The files uploaded in one exchange session (`file` calls or unpacked
/// zips), for the pictures and documents its catalog names.
pub struct SessionFiles {
    pub db: Db,
    pub session: String,
}

impl crate::media::FileSource for SessionFiles {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        use std::io::Read;
        let Some((_, file)) = open(&self.db, &self.session, path)? else { return Ok(None) };
        let mut bytes = Vec::new();
        file.take(crate::media::MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Internal(format!("reading an uploaded file: {e}")))?;
        Ok(Some(bytes))
    }
}

/// The state of a file's import: None (not started), or (status, message).
/// An import left "running" by a process that is gone (killed, crashed) is
/// reported — and recorded — as failed, so 1C can send the file again.
pub fn import_state(conn: &mut DbConn, session: &str, name: &str) -> Result<Option<(RunStatus, String)>> {
    let row: Option<(RunStatus, String, Option<String>)> = exchange_imports::table
        .find((session, name))
        .select((exchange_imports::status, exchange_imports::message, exchange_imports::holder))
        .first(conn)
        .optional()?;
    match row {
        Some((RunStatus::Running, _, Some(holder))) if crate::process::is_gone(&holder) => {
            let message =
                "the import was interrupted (the portal stopped); nothing of it was applied — send the file again";
            set_import_state(conn, session, name, RunStatus::Failure, message, None)?;
            Ok(Some((RunStatus::Failure, message.into())))
        }
        Some((status, message, _)) => Ok(Some((status, message))),
        None => Ok(None),
    }
}

/// Records the state of a file's import, and this process as the one running it.
pub fn set_import_state(
    conn: &mut DbConn,
    session: &str,
    name: &str,
    status: RunStatus,
    message: &str,
    run: Option<i64>,
) -> Result<()> {
    let holder = Some(crate::process::identity());
    let now = Some(chrono::Utc::now().naive_utc());
    let row = (
        exchange_imports::session.eq(session),
        exchange_imports::name.eq(name),
        exchange_imports::status.eq(status),
        exchange_imports::message.eq(message),
        exchange_imports::run_id.eq(run),
        exchange_imports::holder.eq(holder),
        exchange_imports::started_at.eq(now),
    );
    per_backend!(conn, |c| diesel::insert_into(exchange_imports::table)
        .values(row)
        .on_conflict((exchange_imports::session, exchange_imports::name))
        .do_update()
        .set((
            exchange_imports::status.eq(status),
            exchange_imports::message.eq(message),
            exchange_imports::run_id.eq(run),
            exchange_imports::holder.eq(holder),
        ))
        .execute(c))?;
    Ok(())
}

/// Remembers which orders a query handed out.
pub fn remember_query(conn: &mut DbConn, session: &str, ids: &[OrderId], as_of: NaiveDateTime) -> Result<()> {
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
pub fn take_query(conn: &mut DbConn, session: &str) -> Result<Option<(Vec<OrderId>, NaiveDateTime)>> {
    let row: Option<(String, NaiveDateTime)> = exchange_queries::table
        .find(session)
        .select((exchange_queries::order_ids, exchange_queries::as_of))
        .first(conn)
        .optional()?;
    diesel::delete(exchange_queries::table.find(session)).execute(conn)?;
    Ok(row.map(|(ids, at)| (serde_json::from_str(&ids).unwrap_or_default(), at)))
}

/// Unpacks every uploaded .zip of the session into its files (1C sends
/// `import.xml`, `offers.xml` and images zipped), streaming: the archive is
/// copied to a temporary file and each entry is stored piece by piece. Entry
/// names are checked like uploaded names, and each file is capped at
/// `limit`, the unpacked total at four times that, against zip bombs.
/// Returns how many files came out.
pub fn unpack_zips(db: &Db, session: &str, limit: u64) -> Result<usize> {
    let zips: Vec<String> = exchange_files::table
        .filter(exchange_files::session.eq(session))
        .filter(exchange_files::name.like("%.zip"))
        .select(exchange_files::name)
        .load(&mut *db.conn()?)?;
    let invalid = |zip: &str, e: &dyn std::fmt::Display| Error::Invalid(format!("{zip}: {e}"));
    let mut unpacked = 0;
    for zip_name in zips {
        let Some((_, mut stored)) = open(db, session, &zip_name)? else { continue };
        let mut copy = tempfile()?;
        std::io::copy(&mut stored, &mut copy).map_err(|e| invalid(&zip_name, &e))?;
        let mut archive =
            zip::ZipArchive::new(copy).map_err(|e| Error::Invalid(format!("{zip_name} is not a readable zip: {e}")))?;
        let mut total = 0u64;
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(|e| invalid(&zip_name, &e))?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().map_err(|e| invalid(&zip_name, &e))?.to_string();
            let safe = !name.starts_with('/') && !name.split(['/', '\\']).any(|p| p == ".." || p.is_empty());
            if !safe {
                return Err(Error::Invalid(format!(
                    "{zip_name}: refused entry {name:?} (path outside the upload area)"
                )));
            }
            forget(&mut *db.conn()?, session, &name)?;
            let mut buffer = vec![0u8; PIECE];
            loop {
                let n = read_full(&mut entry, &mut buffer).map_err(|e| invalid(&zip_name, &e))?;
                if n == 0 {
                    break;
                }
                total += n as u64;
                if total > limit.saturating_mul(4) {
                    return Err(Error::Invalid(format!("{zip_name} unpacks to more than allowed")));
                }
                append(&mut *db.conn()?, session, &name, &buffer[..n], limit)?;
            }
            if size(&mut *db.conn()?, session, &name)?.is_none() {
                append(&mut *db.conn()?, session, &name, &[], limit)?;
            }
            unpacked += 1;
        }
        forget(&mut *db.conn()?, session, &zip_name)?;
    }
    Ok(unpacked)
}

/// An anonymous temporary file (its name is removed at once).
fn tempfile() -> Result<std::fs::File> {
    let path = std::env::temp_dir().join(format!("optovik-{}.zip", crate::random_token()));
    let io = |e: std::io::Error| Error::Internal(format!("temporary file: {e}"));
    let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path).map_err(io)?;
    std::fs::remove_file(&path).map_err(io)?;
    Ok(file)
}

/// Reads until `buffer` is full or the input ends.
fn read_full(input: &mut impl std::io::Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
