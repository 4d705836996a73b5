//! A zip of exchange files uploaded whole (the admin's upload, the import
//! API): its XML files are imported in the exchange's order (catalog,
//! offers, prices, rests, counterparties, documents), the pictures and
//! documents the catalog names are read from inside it. The zip is read in
//! memory within [`MAX_BYTES`] and every entry is checked (path, size)
//! before anything is imported.

use std::collections::HashMap;
use std::io::Read;

use portal::db::Db;
use portal::media::{clean_path, NoFiles, ZipFiles};

use crate::import::{Counts, ImportError};

/// The largest zip taken whole.
pub const MAX_BYTES: u64 = 512 << 20;

/// The most all entries together may unpack to (against zip bombs).
const UNPACKED_LIMIT: u64 = 2 << 30;

/// Import order by file name prefix; anything else comes after.
pub const ORDER: [&str; 6] = ["import", "offers", "prices", "rests", "contractors", "documents"];

/// Where a file comes in the exchange's order.
pub fn rank(name: &str) -> usize {
    let lower = name.rsplit('/').next().unwrap_or(name).to_lowercase();
    ORDER.iter().position(|p| lower.starts_with(p)).unwrap_or(ORDER.len())
}

/// A zip that is not a workbook (.xlsx and .ods are zips too).
pub fn is_exchange_zip(name: &str, head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") && !crate::excel::is_spreadsheet(name, head)
}

/// Imports the zip's XML files in order, each in its own transaction; the
/// counts of all of them. A file that fails stops the rest (what came
/// before it stays imported, as when 1C sends the files one by one).
pub fn import(db: &Db, bytes: &[u8], dry_run: bool) -> Result<Counts, ImportError> {
    let (mut documents, files) = unpack(bytes)?;
    if documents.is_empty() {
        return Err(ImportError::Read("the zip holds no exchange XML file (import.xml, offers.xml …)".into()));
    }
    documents.sort_by(|(a, _), (b, _)| (rank(a), a).cmp(&(rank(b), b)));
    let files = ZipFiles(files);
    let mut counts = Counts::default();
    for (name, xml) in documents {
        let head = &xml[..xml.len().min(64 * 1024)];
        let source: &dyn portal::media::FileSource = if dry_run { &NoFiles } else { &files };
        let file_counts = crate::import::xml(db, head, xml.as_slice(), source, dry_run).map_err(|e| match e {
            ImportError::Read(message) => ImportError::Read(format!("{name}: {message}")),
            other => other,
        })?;
        counts.merge(file_counts);
    }
    Ok(counts)
}

/// (the XML files at any depth outside `import_files/`, every other file by
/// its path), or why the zip is refused.
#[allow(clippy::type_complexity)]
fn unpack(bytes: &[u8]) -> Result<(Vec<(String, Vec<u8>)>, HashMap<String, Vec<u8>>), ImportError> {
    let refuse = |message: String| ImportError::Read(message);
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| refuse(format!("not a readable zip: {e}")))?;
    let mut documents = Vec::new();
    let mut files = HashMap::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| refuse(format!("entry {i}: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let raw = entry.name().map_err(|e| refuse(format!("entry {i}: {e}")))?.to_string();
        let name = clean_path(&raw).ok_or_else(|| refuse(format!("refused entry {raw:?}: a path outside the zip")))?;
        let mut content = Vec::new();
        (&mut entry)
            .take(UNPACKED_LIMIT + 1 - total)
            .read_to_end(&mut content)
            .map_err(|e| refuse(format!("{name}: {e}")))?;
        total += content.len() as u64;
        if total > UNPACKED_LIMIT {
            return Err(refuse(format!("the zip unpacks to more than {} GiB", UNPACKED_LIMIT >> 30)));
        }
        let is_xml = name.to_lowercase().ends_with(".xml") && !name.split('/').any(|p| p == "import_files");
        if is_xml {
            documents.push((name, content));
        } else {
            files.insert(name, content);
        }
    }
    Ok((documents, files))
}
