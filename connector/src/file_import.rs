//! Importing one exchange file, whatever its kind, with its journal run: the
//! one path the CLI, the folder exchange, the admin's upload and the 1C
//! background import share. It streams CommerceML (hashing and counting on
//! the way) and reads spreadsheets and closing documents (PDF, ЭДО XML)
//! whole within their size limits; it never takes a job lease (that is
//! `runner`'s).

use std::path::Path;

use anyhow::Context;

use portal::db::Db;
use portal::finance::{closing, closing_file};
use portal::journal::{self, Outcome, Trigger};
use portal::media::{FileSource, Folder};

use crate::exchange_zip;
use crate::import::{Counts, ImportError};

/// Imports one exchange file from disk, streaming it (memory does not grow
/// with its size); `progress` hears how many bytes were read so far.
#[tracing::instrument(skip_all)]
pub fn import_path(
    db: &Db,
    path: &Path,
    dry_run: bool,
    trigger: Trigger,
    progress: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<(i64, bool)> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let size = file.metadata()?.len();
    // Pictures and documents a catalog names are looked up beside it.
    let folder = Folder(path.parent().map(Path::to_path_buf).unwrap_or_default());
    import_reader(db, &name, size, file, &folder, dry_run, trigger, progress)
}

/// Imports one exchange file read from `input` (a file, an upload in
/// memory, a stored 1C upload), whatever its kind, with a journal run.
/// CommerceML streams through (the pictures and documents a catalog names
/// are read from `files`); spreadsheets are read whole within their size
/// limit; a zip of exchange files is imported file by file, its pictures
/// from inside it. Returns the run's id and whether it succeeded.
#[tracing::instrument(skip_all)]
#[allow(clippy::too_many_arguments)]
pub fn import_reader(
    db: &Db,
    name: &str,
    size: u64,
    mut input: impl std::io::Read + Send,
    files: &dyn FileSource,
    dry_run: bool,
    trigger: Trigger,
    progress: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<(i64, bool)> {
    use std::io::Read;
    let mut head = Vec::with_capacity(HEAD);
    (&mut input).take(HEAD as u64).read_to_end(&mut head)?;
    let run = journal::start(&mut *db.conn()?, job_name(dry_run), trigger)?;
    let whole = std::io::Cursor::new(head.clone()).chain(input);
    // An import that panics ends as a failed run (its transaction rolled back).
    let imported = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> anyhow::Result<_> {
        Ok(if exchange_zip::is_exchange_zip(name, &head) {
            let mut bytes = Vec::new();
            whole.take(exchange_zip::MAX_BYTES + 1).read_to_end(&mut bytes)?;
            progress(bytes.len() as u64);
            (exchange_zip::import(db, &bytes, dry_run), portal::hash_bytes(&bytes))
        } else if closing_file::format_of(&head).is_some() {
            let mut bytes = Vec::new();
            whole.take(closing_file::MAX_BYTES as u64 + 1).read_to_end(&mut bytes)?;
            progress(bytes.len() as u64);
            let incoming = closing::Incoming::file(name, bytes);
            let sha256 = portal::hash_bytes(&incoming.bytes);
            (import_closing(db, &[incoming], dry_run), sha256)
        } else if is_sheet(name, &head) {
            let limit = crate::excel::limits().max_bytes as u64;
            let mut bytes = Vec::new();
            whole.take(limit + 1).read_to_end(&mut bytes)?;
            progress(bytes.len() as u64);
            (import_sheet(db, name, &bytes, dry_run), portal::hash_bytes(&bytes))
        } else {
            let mut reader = std::io::BufReader::with_capacity(1 << 16, Tap::new(whole, progress));
            let result = crate::import::xml(db, &head, &mut reader, files, dry_run);
            (result, reader.into_inner().sha256())
        })
    }));
    db.note_write();
    let (result, sha256) = match imported {
        Ok(Ok(done)) => done,
        Ok(Err(error)) => (Err(ImportError::Read(format!("{error:#}"))), String::new()),
        Err(_) => (
            Err(ImportError::Read("the import stopped on an internal error (a panic; see the log)".into())),
            String::new(),
        ),
    };
    finish(db, run, FileFacts { name: name.to_string(), bytes: size, sha256 }, &result)?;
    // A stock file that raised what buyers wait for tells them at once.
    if matches!(&result, Ok(counts) if !dry_run && counts.changes() > 0) {
        if let Err(error) = portal::stock_alerts::check(&mut *db.conn()?) {
            tracing::error!(%error, "stock alerts after an import");
        }
    }
    Ok((run, result.is_ok()))
}

/// How much of a file decides its kind.
const HEAD: usize = 64 * 1024;

fn job_name(dry_run: bool) -> &'static str {
    if dry_run {
        "import (dry run)"
    } else {
        "import"
    }
}

/// Whether to read a file as a spreadsheet: one by content or name, or
/// anything that is not XML (the spreadsheet reader then says what it is).
fn is_sheet(name: &str, head: &[u8]) -> bool {
    crate::excel::is_spreadsheet(name, head) || (!looks_like_xml(head) && !name.to_lowercase().ends_with(".xml"))
}

/// XML, possibly after a byte-order mark or blank space.
fn looks_like_xml(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(head);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// Closing documents (PDF or ЭДО XML), placed by the numbers they carry.
pub fn import_closing(db: &Db, files: &[closing::Incoming], dry_run: bool) -> Result<Counts, ImportError> {
    let conn = &mut *db.conn()?;
    let changes = match dry_run {
        true => closing::check(conn, files),
        false => closing::receive(conn, files).map(|received| received.into_iter().map(|(change, _)| change).collect()),
    }
    .map_err(|e| match e {
        portal::Error::Invalid(problem) => ImportError::Read(problem),
        other => ImportError::Portal(other),
    })?;
    let mut counts = Counts::default();
    for change in changes {
        counts.change("closing_documents", change);
    }
    Ok(counts)
}

fn import_sheet(db: &Db, name: &str, bytes: &[u8], dry_run: bool) -> Result<Counts, ImportError> {
    use crate::excel::{self, SheetKind};
    let (sheet, kind) = excel::read(name, bytes)?;
    match (kind, dry_run) {
        (SheetKind::PriceList, dry) => excel::prices::import(db, &sheet, &excel::mapping(), dry),
        (SheetKind::OrderStatuses, true) => Err(ImportError::Read("order-status sheets cannot be dry-run".into())),
        (SheetKind::OrderStatuses, false) => Ok(excel::statuses::apply(db, &sheet)),
        (SheetKind::Ledger, dry) => match excel::ledger::columns(&sheet) {
            Some(columns) => excel::ledger::import(db, &sheet, &columns, dry),
            None => Err(ImportError::Read("not a ledger sheet".into())),
        },
    }
}

/// What the journal records of a file.
pub(crate) struct FileFacts {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

pub(crate) fn finish(db: &Db, run: i64, file: FileFacts, result: &Result<Counts, ImportError>) -> anyhow::Result<()> {
    let name = file.name.clone();
    let files = vec![serde_json::json!({ "name": file.name, "bytes": file.bytes, "sha256": file.sha256 })];
    let outcome = match result {
        Ok(counts) => Outcome {
            success: true,
            summary: counts.summary(),
            counts: serde_json::to_value(&counts.entities).unwrap_or_default(),
            errors: counts.problems.iter().map(|p| serde_json::json!({ "message": p, "file": name })).collect(),
            files,
            idle: false,
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
    Ok(())
}

/// A reader that hashes and counts what passes through it.
struct Tap<'p, R> {
    inner: R,
    hasher: sha2::Sha256,
    read: u64,
    progress: &'p mut (dyn FnMut(u64) + Send),
}

impl<'p, R> Tap<'p, R> {
    fn new(inner: R, progress: &'p mut (dyn FnMut(u64) + Send)) -> Self {
        Tap { inner, hasher: sha2::Digest::new(), read: 0, progress }
    }

    fn sha256(self) -> String {
        hex::encode(sha2::Digest::finalize(self.hasher))
    }
}

impl<R: std::io::Read> std::io::Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        self.read += n as u64;
        (self.progress)(self.read);
        Ok(n)
    }
}
