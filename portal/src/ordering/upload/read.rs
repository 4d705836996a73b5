//! Reading an uploaded file into a [`Sheet`]: size check, real type from the content (compared
//! with the name), zip-bomb check, then calamine for xlsx/xls/ods and the `csv` crate for text.
//!
//! It must never trust the file name, never let calamine open a zip before its central directory
//! has been checked against [`Limits::max_unpacked_bytes`], and never silently truncate a sheet:
//! over `max_rows` rows with data is an error. (The zip crate also refuses to inflate an entry
//! past its declared size, so the declared sizes checked here are binding.)

use std::io::{Cursor, Read};

use calamine::{Data, ExcelDateTime, Ods, Reader, SheetType, SheetVisible, Xls, Xlsx};

use super::paste::{decode_text, read_delimited};
use super::{FileKind, Limits, Sheet, UploadError};

/// Cells right of this column are ignored (order data never lives there; keeps rows small).
const MAX_COLS: usize = 256;
/// No spreadsheet has more rows than Excel's grid.
const MAX_ROW_INDEX: usize = 1 << 20;
/// One zip entry inflating more than this much and by more than [`MAX_RATIO`] is a bomb.
const BIG_ENTRY: u64 = 10 << 20;
const MAX_RATIO: u64 = 200;

/// What the content is, as opposed to what the name says.
enum Sniffed {
    Sheet(FileKind),
    /// Not something we read: "pdf", "docx", "image", "zip", "binary"…
    Other(&'static str),
}

/// Detects the real type from the content (zip → xlsx vs ods by the `mimetype`/content types entry,
/// OLE2 D0 CF 11 E0 → xls, text → csv), compares with the name's extension, checks limits, reads.
///
/// A name with a spreadsheet extension (xlsx/xlsm, xls, ods, csv/txt/tsv) must match the content
/// ([`UploadError::TypeMismatch`] otherwise); a name without one is read by its content alone.
/// CSV text may be UTF-8 (with or without BOM), UTF-16 with BOM, or else is taken as windows-1251.
pub fn read_order_file(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Sheet, UploadError> {
    if bytes.len() > limits.max_bytes {
        return Err(UploadError::TooLarge { max_bytes: limits.max_bytes });
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.trim().to_lowercase()).unwrap_or_default();
    let claimed = match ext.as_str() {
        "xlsx" | "xlsm" => Some(FileKind::Xlsx),
        "xls" => Some(FileKind::Xls),
        "ods" => Some(FileKind::Ods),
        "csv" | "txt" | "tsv" => Some(FileKind::Csv),
        _ => None,
    };
    let kind = match (sniff(bytes, limits)?, claimed) {
        (Sniffed::Sheet(actual), Some(claimed)) if actual != claimed => {
            return Err(UploadError::TypeMismatch { claimed: ext, actual: actual.extension().into() })
        }
        (Sniffed::Sheet(actual), _) => actual,
        (Sniffed::Other(actual), Some(_)) => {
            return Err(UploadError::TypeMismatch { claimed: ext, actual: actual.into() })
        }
        (Sniffed::Other(_), None) => return Err(UploadError::UnknownType),
    };
    let mut grid = Grid { rows: Vec::new(), data_rows: 0, max_rows: limits.max_rows };
    match kind {
        FileKind::Xlsx => read_xlsx(bytes, &mut grid)?,
        FileKind::Xls => read_range(open::<Xls<_>>(bytes)?, &mut grid)?,
        FileKind::Ods => read_range(open::<Ods<_>>(bytes)?, &mut grid)?,
        FileKind::Csv => read_delimited(&decode_text(bytes), &mut |row, col, text| grid.put(row, col, text))?,
    }
    if grid.data_rows == 0 {
        return Err(UploadError::Empty);
    }
    Ok(Sheet { kind, rows: grid.rows })
}

fn sniff(bytes: &[u8], limits: &Limits) -> Result<Sniffed, UploadError> {
    let kind = match bytes {
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => return sniff_zip(bytes, limits),
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, ..] if is_encrypted_ooxml(bytes) => {
            return Err(UploadError::PasswordProtected)
        }
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, ..] => Sniffed::Sheet(FileKind::Xls),
        [b'%', b'P', b'D', b'F', ..] => Sniffed::Other("pdf"),
        [0x89, b'P', b'N', b'G', ..] | [0xFF, 0xD8, 0xFF, ..] | [b'G', b'I', b'F', b'8', ..] => Sniffed::Other("image"),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => Sniffed::Sheet(FileKind::Csv),
        _ if !is_text(bytes) => Sniffed::Other("binary"),
        _ => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).to_lowercase();
            match head.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace()) {
                h if h.starts_with("<!doctype html") || h.starts_with("<html") => Sniffed::Other("html"),
                h if h.starts_with("<?xml") => Sniffed::Other("xml"),
                _ => Sniffed::Sheet(FileKind::Csv),
            }
        }
    };
    Ok(kind)
}

/// An encrypted xlsx is an OLE2 file with an "EncryptedPackage" stream. OLE2 directory entries are
/// 128-byte records on 128-byte boundaries, each starting with its name in UTF-16LE.
fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.chunks(128).any(|entry| entry.starts_with(&name))
}

/// Text: no NUL and at most 1 % control characters in the first 8 KiB.
fn is_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    let control = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).count();
    !sample.contains(&0) && control * 100 <= sample.len()
}

/// Checks the central directory (declared sizes and ratios), then tells xlsx from ods.
fn sniff_zip(bytes: &[u8], limits: &Limits) -> Result<Sniffed, UploadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| UploadError::Unreadable(format!("zip: {e}")))?;
    let mut total: u64 = 0;
    let (mut mimetype, mut content_types, mut other) = (None, None, "zip");
    for i in 0..zip.len() {
        let entry = zip.by_index_data(i).map_err(|e| UploadError::Unreadable(format!("zip: {e}")))?;
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if total > limits.max_unpacked_bytes || (size > BIG_ENTRY && size / packed > MAX_RATIO) {
            return Err(UploadError::SuspiciousArchive);
        }
        match entry.name_raw() {
            b"mimetype" => mimetype = Some(i),
            b"[Content_Types].xml" => content_types = Some(i),
            b"xl/workbook.bin" => other = "xlsb",
            name if name.starts_with(b"word/") => other = "docx",
            _ => {}
        }
    }
    if let Some(i) = mimetype {
        let text = zip_text(&mut zip, i, 200)?;
        return Ok(match text.trim() {
            "application/vnd.oasis.opendocument.spreadsheet" => Sniffed::Sheet(FileKind::Ods),
            t if t.starts_with("application/vnd.oasis.opendocument.text") => Sniffed::Other("odt"),
            _ => Sniffed::Other("zip"),
        });
    }
    let Some(i) = content_types else { return Ok(Sniffed::Other(other)) };
    let text = zip_text(&mut zip, i, 1 << 20)?;
    let xlsx =
        ["spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml"].iter().any(|t| text.contains(t));
    Ok(if xlsx { Sniffed::Sheet(FileKind::Xlsx) } else { Sniffed::Other(other) })
}

fn zip_text(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, index: usize, max: u64) -> Result<String, UploadError> {
    let unreadable = |e: &dyn std::fmt::Display| UploadError::Unreadable(format!("zip: {e}"));
    let entry = zip.by_index(index).map_err(|e| unreadable(&e))?;
    let mut buf = Vec::new();
    entry.take(max).read_to_end(&mut buf).map_err(|e| unreadable(&e))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Rows being collected: only non-empty cells create rows and columns, so trailing empties never exist.
struct Grid {
    rows: Vec<Vec<String>>,
    data_rows: usize,
    max_rows: usize,
}

impl Grid {
    fn put(&mut self, row: usize, col: usize, text: String) -> Result<(), UploadError> {
        if text.trim().is_empty() || col >= MAX_COLS {
            return Ok(());
        }
        self.data_rows += usize::from(self.rows.get(row).is_none_or(Vec::is_empty));
        if row >= MAX_ROW_INDEX || self.data_rows > self.max_rows {
            return Err(UploadError::TooManyRows { max_rows: self.max_rows });
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = text;
        Ok(())
    }
}

/// calamine's errors; its "Workbook is password protected" (xls, ods, xlsx) gets its own variant.
fn unreadable(e: impl std::fmt::Display) -> UploadError {
    match e.to_string() {
        text if text.contains("password protected") => UploadError::PasswordProtected,
        text => UploadError::Unreadable(text),
    }
}

fn open<'a, R: Reader<Cursor<&'a [u8]>>>(bytes: &'a [u8]) -> Result<R, UploadError>
where
    R::Error: std::fmt::Display,
{
    R::new(Cursor::new(bytes)).map_err(unreadable)
}

/// The first visible worksheet (a hidden or chart sheet in front is skipped), else the first one.
fn first_sheet<RS: std::io::Read + std::io::Seek>(book: &impl Reader<RS>) -> Result<String, UploadError> {
    let sheets = book.sheets_metadata();
    let visible = sheets.iter().find(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible);
    visible
        .or_else(|| sheets.iter().find(|s| s.typ == SheetType::WorkSheet))
        .map(|s| s.name.clone())
        .ok_or(UploadError::Empty)
}

/// xlsx is streamed cell by cell: no dense grid is ever allocated and the row limit stops early.
fn read_xlsx(bytes: &[u8], grid: &mut Grid) -> Result<(), UploadError> {
    let mut book: Xlsx<_> = open(bytes)?;
    let name = first_sheet(&book)?;
    let mut cells = book.worksheet_cells_reader(&name).map_err(unreadable)?;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let text = data_text(Data::from(cell.get_value().clone()));
        grid.put(row as usize, col as usize, text)?;
    }
    Ok(())
}

fn read_range<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(mut book: R, grid: &mut Grid) -> Result<(), UploadError>
where
    R::Error: std::fmt::Display,
{
    let name = first_sheet(&book)?;
    let range = book.worksheet_range(&name).map_err(unreadable)?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    for (row, col, value) in range.used_cells() {
        grid.put(row0 as usize + row, col0 as usize + col, data_text(value.clone()))?;
    }
    Ok(())
}

/// A cell as a person reads it in the spreadsheet program.
fn data_text(value: Data) -> String {
    match value {
        Data::String(s) | Data::DurationIso(s) => s,
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(f),
        Data::Bool(b) => if b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(d) => date_text(&d),
        Data::DateTimeIso(s) => iso_text(&s),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// 10.0 → "10", 2.5 → "2.5", 0.1 + 0.2 → "0.3" (Excel's 15 significant digits).
fn number_text(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return (value as i64).to_string();
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    rounded.to_string()
}

fn date_text(date: &ExcelDateTime) -> String {
    if date.is_duration() {
        return number_text(date.as_f64());
    }
    let (y, mo, d, h, mi, s, _) = date.to_ymd_hms_milli();
    match (h, mi, s) {
        (0, 0, 0) => format!("{y:04}-{mo:02}-{d:02}"),
        (_, _, 0) => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}"),
        _ => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
    }
}

/// "2026-11-26T00:00:00" → "2026-11-26", "2026-11-26T10:30:00" → "2026-11-26 10:30:00".
fn iso_text(iso: &str) -> String {
    iso.strip_suffix("T00:00:00").unwrap_or(iso).replacen('T', " ", 1)
}

#[cfg(test)]
mod tests {
    use calamine::ExcelDateTimeType;

    use super::*;

    #[test]
    fn cells_read_as_a_person_sees_them() {
        let numbers =
            [(10.0, "10"), (2.5, "2.5"), (-5.0, "-5"), (0.1 + 0.2, "0.3"), (4607001234567.0, "4607001234567")];
        for (value, text) in numbers {
            assert_eq!(number_text(value), text);
        }
        let date = |serial| date_text(&ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false));
        assert_eq!((date(46352.0), date(46352.5)), ("2026-11-26".to_string(), "2026-11-26 12:00".to_string()));
        assert_eq!(
            (iso_text("2026-11-26T00:00:00"), iso_text("2026-11-26T10:30:00")),
            ("2026-11-26".into(), "2026-11-26 10:30:00".into())
        );
        assert_eq!(data_text(Data::String("00123".into())), "00123");
        assert!(is_text("Артикул;Кол-во\r\n".as_bytes()) && !is_text(b"\x00\x01\x02abc"));
    }
}
