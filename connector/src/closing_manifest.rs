//! A manifest of closing documents in the exchange folder: `manifest*.csv`
//! lists files of the inbox (PDF or ЭДО XML) with the order or shipment
//! number each belongs to, and optionally its kind, number and date —
//! for ERPs whose file names say nothing. Columns by header, English or
//! Russian: `file`/`файл`, `reference`/`основание` (also `order`/`заказ`,
//! `shipment`/`отгрузка`), `kind`/`вид`, `number`/`номер`, `date`/`дата`;
//! `;` or `,` separated, UTF-8 or windows-1251. The manifest and its files
//! are one import: all stored, or none.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use portal::db::Db;
use portal::finance::closing::Incoming;
use portal::finance::closing_file;
use portal::journal::{self, Trigger};

use crate::file_import::{finish, import_closing, FileFacts};
use crate::import::ImportError;

/// Whether an inbox file is a manifest.
pub fn is_manifest(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.starts_with("manifest") && lower.ends_with(".csv")
}

/// One manifest row: the file and what the ERP says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub file: String,
    pub reference: String,
    pub kind: Option<portal::finance::closing::ClosingKind>,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
}

/// Column of a header cell.
fn column(header: &str) -> Option<&'static str> {
    match header.trim().trim_start_matches('\u{feff}').to_lowercase().as_str() {
        "file" | "файл" | "имя файла" => Some("file"),
        "reference" | "order" | "shipment" | "основание" | "заказ" | "отгрузка" | "документ-основание" => {
            Some("reference")
        }
        "kind" | "вид" | "вид документа" => Some("kind"),
        "number" | "номер" | "номер документа" => Some("number"),
        "date" | "дата" | "дата документа" => Some("date"),
        _ => None,
    }
}

/// Reads a manifest's rows; every problem is reported with its row.
pub fn read(bytes: &[u8]) -> Result<Vec<Row>, String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned(),
    };
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<Option<&str>> = reader.headers().map_err(|e| format!("header: {e}"))?.iter().map(column).collect();
    for needed in ["file", "reference"] {
        if !headers.contains(&Some(needed)) {
            return Err(format!("the manifest has no {needed:?} column (header: file;reference;kind;number;date)"));
        }
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| format!("row {line}: {e}"))?;
        let cell = |name: &str| {
            headers
                .iter()
                .position(|h| *h == Some(name))
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let Some(file) = cell("file") else {
            if record.iter().any(|c| !c.trim().is_empty()) {
                problems.push(format!("row {line}: no file"));
            }
            continue;
        };
        let Some(reference) = cell("reference") else {
            problems.push(format!("row {line}: no order or shipment number for {file}"));
            continue;
        };
        let (kind, date) = match (closing_file::given_kind(cell("kind")), closing_file::given_date(cell("date"))) {
            (Ok(kind), Ok(date)) => (kind, date),
            (Err(problem), _) | (_, Err(problem)) => {
                problems.push(format!("row {line}: {problem}"));
                continue;
            }
        };
        if file.contains(['/', '\\']) || file.starts_with('.') {
            problems.push(format!("row {line}: {file:?} is not a file of the inbox"));
            continue;
        }
        rows.push(Row {
            file: file.to_string(),
            reference: reference.to_string(),
            kind,
            number: cell("number").map(str::to_string),
            date,
        });
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    if rows.is_empty() {
        return Err("the manifest lists no files".into());
    }
    Ok(rows)
}

/// Imports a manifest of `inbox` with the files it lists, in one journal
/// run: (run, success, the listed files that exist — to move with it).
pub fn import(db: &Db, inbox: &Path, manifest: &Path, trigger: Trigger) -> anyhow::Result<(i64, bool, Vec<PathBuf>)> {
    let name = manifest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bytes = std::fs::read(manifest)?;
    let run = journal::start(&mut *db.conn()?, "import", trigger)?;
    let rows = read(&bytes);
    let files: Vec<PathBuf> = match &rows {
        Ok(rows) => rows.iter().map(|r| inbox.join(&r.file)).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    let result = rows.map_err(ImportError::Read).and_then(|rows| {
        let mut incoming = Vec::with_capacity(rows.len());
        for row in rows {
            let path = inbox.join(&row.file);
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if size > closing_file::MAX_BYTES as u64 {
                return Err(ImportError::Read(format!(
                    "{}: larger than {} MiB",
                    row.file,
                    closing_file::MAX_BYTES >> 20
                )));
            }
            let bytes =
                std::fs::read(&path).map_err(|e| ImportError::Read(format!("{}: not in the inbox ({e})", row.file)))?;
            incoming.push(Incoming {
                file_name: row.file,
                bytes,
                reference: Some(row.reference),
                kind: row.kind,
                number: row.number,
                date: row.date,
            });
        }
        import_closing(db, &incoming, false)
    });
    let facts = FileFacts { name, bytes: bytes.len() as u64, sha256: portal::hash_bytes(&bytes) };
    let ok = result.is_ok();
    finish(db, run, facts, &result)?;
    Ok((run, ok, files))
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal::finance::closing::ClosingKind;

    #[test]
    fn a_manifest_reads_russian_headers_and_kinds() {
        let text = "Файл;Основание;Вид;Номер;Дата\nupd-1.pdf;РН-2026-0688;УПД;0688;01.12.2026\n;;;;\nsf.xml;ОВ-000012;счёт-фактура;;\n";
        let rows = read(text.as_bytes()).expect("read");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].reference, "РН-2026-0688");
        assert_eq!(rows[0].kind, Some(ClosingKind::Upd));
        assert_eq!(rows[0].date, NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(rows[1].kind, Some(ClosingKind::InvoiceFacture));
        assert_eq!(rows[1].number, None);

        let cp1251 = encoding_rs::WINDOWS_1251.encode("file,reference\nакт.pdf,ОВ-1\n").0.into_owned();
        assert_eq!(read(&cp1251).expect("read")[0].file, "акт.pdf");
    }

    #[test]
    fn a_bad_manifest_says_which_rows() {
        let error = read(b"file;reference;kind\na.pdf;;\nb.pdf;X-1;invoice of sorts\n../c.pdf;X-2;\n")
            .expect_err("a bad manifest");
        assert!(error.contains("row 2: no order"), "{error}");
        assert!(error.contains("row 3: unknown document kind"), "{error}");
        assert!(error.contains("row 4:"), "{error}");
        assert!(read(b"name;order\n").expect_err("no file column").contains("\"file\""));
    }
}
