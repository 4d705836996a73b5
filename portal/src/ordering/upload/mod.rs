//! Order upload: turns a buyer's spreadsheet (xlsx, xls, ods, csv — in whatever shape the buyer
//! keeps it) or pasted text into rows of (SKU text, quantity text) with their sheet row numbers, and
//! writes the annotated copy back.
//!
//! - [`read_order_file`] checks size, real type and zip structure, then reads the first worksheet
//!   into a [`Sheet`] of display texts.
//! - [`detect_columns`] finds the header row and the SKU / quantity / name columns;
//!   [`extract_rows`] takes the rows below it.
//! - [`parse_pasted`] does the same for text typed or copied into the order form.
//! - [`annotated_xlsx`] and [`template_xlsx`] write .xlsx files.
//!
//! Everything here is a pure function of its input: no database, no catalog matching, no I/O
//! beyond the bytes given, and it never interprets a quantity or a SKU (that is the rule engine's
//! job). It must never panic on hostile input, never unpack more than [`Limits`] allow and never
//! write a formula into a file it produces.

mod annotate;
mod detect;
mod paste;
mod read;

pub use annotate::{annotated_xlsx, template_xlsx};
pub use detect::{detect_columns, extract_rows};
pub use paste::parse_pasted;
pub use read::read_order_file;

/// Size limits applied before and while reading an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted upload, in bytes.
    pub max_bytes: usize,
    /// Most rows with data the first worksheet may hold.
    pub max_rows: usize,
    /// Largest total uncompressed size of a zip container (xlsx, ods).
    pub max_unpacked_bytes: u64,
}

impl Default for Limits {
    /// 10 MiB upload, 20,000 rows, 100 MiB unpacked.
    fn default() -> Self {
        Limits { max_bytes: 10 << 20, max_rows: 20_000, max_unpacked_bytes: 100 << 20 }
    }
}

/// The real type of an uploaded file (from its content, not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Office Open XML workbook (also .xlsm).
    Xlsx,
    /// Excel 97–2003 (BIFF in an OLE2 container).
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
    /// Delimited text (.csv, .txt, .tsv).
    Csv,
}

impl FileKind {
    /// The usual file extension, also used in error messages.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Xlsx => "xlsx",
            FileKind::Xls => "xls",
            FileKind::Ods => "ods",
            FileKind::Csv => "csv",
        }
    }
}

/// The first worksheet as text cells, row by row (row 0 = sheet row 1). Merged cells: the value
/// sits in the top-left cell, others empty. Numbers are shown as a person would read them:
/// 10.0 -> "10", 2.5 -> "2.5"; text cells keep leading zeros ("00123"); dates as "2026-11-26".
/// Trailing empty cells of a row and trailing empty rows are dropped; cells right of column IV
/// (the 256th) are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// What the file really was.
    pub kind: FileKind,
    /// Cell texts; `rows[r][c]` is sheet row r + 1, column c (0 = A).
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// The trimmed text at (row, column), "" outside the sheet.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(col)).map_or("", |s| s.trim())
    }
}

/// Why an upload was refused. Messages are for logs; the UI translates [`UploadError::code`].
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Over [`Limits::max_bytes`].
    #[error("the file is larger than {}", size_text(*.max_bytes))]
    TooLarge { max_bytes: usize },
    /// Over [`Limits::max_rows`] rows with data (refused, never truncated).
    #[error("the sheet has more than {max_rows} rows with data; split the order into several files")]
    TooManyRows { max_rows: usize },
    /// Neither the name nor the content is xlsx, xls, ods or csv.
    #[error("not a spreadsheet: expected .xlsx, .xls, .ods or .csv")]
    UnknownType,
    /// The name says one type (`claimed`: its extension), the content another ("csv", "pdf"…).
    #[error("the file is named .{claimed} but is really {actual}")]
    TypeMismatch { claimed: String, actual: String },
    /// Broken zip, corrupt xls, bad XML…
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    /// Encrypted with a password (Excel's "Protect workbook with password").
    #[error("the file is password-protected")]
    PasswordProtected,
    /// Zip bomb: unpacked size over [`Limits::max_unpacked_bytes`] or an absurd ratio.
    #[error("the archive unpacks to a suspicious size")]
    SuspiciousArchive,
    /// No cell with data.
    #[error("the file has no rows with data")]
    Empty,
    /// rust_xlsxwriter failed (annotated copy or template).
    #[error("the spreadsheet could not be written: {0}")]
    Write(String),
}

/// "10 MiB", "500 KiB", "1000 bytes".
fn size_text(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

impl UploadError {
    /// A stable key for translations, e.g. `upload.error.<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            UploadError::TooLarge { .. } => "too_large",
            UploadError::TooManyRows { .. } => "too_many_rows",
            UploadError::UnknownType => "unknown_type",
            UploadError::TypeMismatch { .. } => "type_mismatch",
            UploadError::Unreadable(_) => "unreadable",
            UploadError::PasswordProtected => "password_protected",
            UploadError::SuspiciousArchive => "suspicious_archive",
            UploadError::Empty => "empty",
            UploadError::Write(_) => "write_failed",
        }
    }
}

/// Where the order data sits in a [`Sheet`].
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Index into `Sheet.rows` of the heading row; `None` when the sheet has no header.
    pub header_row: Option<usize>,
    /// Column index (0 = A) of the SKU.
    pub sku: usize,
    /// Column index of the quantity.
    pub quantity: usize,
    /// Column index of the item name, when there is a heading for it.
    pub name: Option<usize>,
    /// `false` → the UI asks the buyer to confirm or pick the columns.
    pub confident: bool,
}

/// One order line as the buyer wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowInput {
    /// 1-based sheet row (or pasted line) number.
    pub row: usize,
    /// The SKU cell, trimmed, as written (leading zeros kept).
    pub sku: String,
    /// The quantity cell, trimmed, as written ("100", "2,5", "abc", "").
    pub quantity: String,
}

/// How a verdict is coloured in the annotated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictTone {
    /// Accepted as is: light green.
    Ok,
    /// Accepted with a change (rounded up to the pack, say): light yellow.
    Adjusted,
    /// Not accepted: light red.
    Problem,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../fixtures/uploads/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read(name: &str) -> Result<Sheet, UploadError> {
        read_order_file(name, &fixture(name), &Limits::default())
    }

    /// The columns found and the extracted rows as "row:SKU:quantity" words.
    fn rows(sheet: &Sheet) -> (Columns, String) {
        let columns = detect_columns(sheet).expect("columns");
        let rows: Vec<String> =
            extract_rows(sheet, &columns).into_iter().map(|r| format!("{}:{}:{}", r.row, r.sku, r.quantity)).collect();
        (columns, rows.join(" "))
    }

    #[test]
    fn header_in_row_4_below_a_title_block_in_every_format() {
        let want = "5:BLT-933-8X40:100 6:0020058:5 7:NUT-934-M8:200 9:BLT-933-8X40:50 10:BLT-999-1X1:10 \
                    11:WSH-125-M8:abc 12:DUB-N-6X40:-5 13:SVR-HSS-8:2,5";
        let header = Columns { header_row: Some(3), sku: 1, quantity: 3, name: Some(2), confident: true };
        for (name, kind) in [("xlsx", FileKind::Xlsx), ("xls", FileKind::Xls), ("ods", FileKind::Ods)] {
            let sheet = read(&format!("order-header-row3.{name}")).expect(name);
            assert_eq!(sheet.kind, kind);
            assert_eq!(sheet.rows[0], ["ООО «СтройМонтаж», заявка на поставку"], "{name}: merged title in A1 only");
            assert_eq!(sheet.rows[1], ["2026-11-26"], "{name}: date cell");
            assert!(sheet.rows[2].is_empty() && sheet.rows[7].is_empty(), "{name}");
            assert_eq!(sheet.rows[5][1], "0020058", "{name}: text cell keeps its zeros");
            assert_eq!(rows(&sheet), (header.clone(), want.to_string()), "{name}");
        }
    }

    #[test]
    fn csv_in_utf8_with_bom_and_semicolons_and_in_windows_1251_with_commas() {
        let sheet = read("order-utf8-bom-semicolon.csv").expect("utf-8 csv");
        assert_eq!(sheet.rows[0], ["Артикул", "Количество"], "BOM stripped, ';' split");
        let want = "2:NUT-934-M10:300 3:WSH-125-M10:400 4:0002031:50 5:VVGNG-3X25:12,5 6:BIT-PH2-25:3";
        let header = Columns { header_row: Some(0), sku: 0, quantity: 1, name: None, confident: true };
        assert_eq!(rows(&sheet), (header, want.to_string()));

        let sheet = read("order-cp1251-comma.csv").expect("cp1251 csv");
        assert_eq!(sheet.rows[0], ["Код товара", "Кол-во", "Наименование"]);
        assert_eq!(sheet.rows[2], ["KRG-OTM-125", "50", "Круг отрезной по металлу 125х1,6х22,2 мм"], "quoted comma");
        assert_eq!(sheet.rows[4][2], "Пена монтажная \"профессиональная\", 750 мл");
        let header = Columns { header_row: Some(0), sku: 0, quantity: 1, name: Some(2), confident: true };
        let want = "2:BLT-931-12X80:25 3:KRG-OTM-125:50 4:SMR-PSH-42X16:500 5:PEN-PRO-750:24";
        assert_eq!(rows(&sheet), (header, want.to_string()));
    }

    #[test]
    fn files_without_a_header_and_with_one_in_row_1() {
        let header = Columns { header_row: None, sku: 0, quantity: 1, name: None, confident: true };
        let want = "1:LED-A60-10W-4000K:20 2:KLC-KMB-13:2 3:000259:10 4:SVR-BT-8X110:30";
        assert_eq!(rows(&read("order-no-header.csv").expect("no header")), (header, want.to_string()));

        let header = Columns { header_row: Some(0), sku: 0, quantity: 1, name: None, confident: true };
        let want = "2:VA4729-1P-C16:12 3:AVDT32-C16:4 4:ROZ-NKL-2:30 5:LED-PNL-36W:8";
        assert_eq!(rows(&read("order-english.xlsx").expect("english")), (header, want.to_string()));

        let header = Columns { header_row: Some(0), sku: 0, quantity: 1, name: Some(2), confident: true };
        let want = "2:BLT-933-8X40:200 3:NUT-934-M8:200 4:WSH-125-M8:400 5:BLT-603-8X50:50 6:NUT-985-M10:150 \
                    7:DUB-N-8X50:300 8:SVR-HSS-6:20 9:0015058:10 10:VVGNG-3X25:100 11:PEN-PRO-750:24 \
                    12:BLT-933-8X4:100 13:KRG-OTM-125:50";
        assert_eq!(rows(&read("sample-order.xlsx").expect("sample")), (header, want.to_string()));
    }

    #[test]
    fn refusals() {
        let err = read("not-really.xlsx").expect_err("csv named xlsx");
        assert!(matches!(&err, UploadError::TypeMismatch { claimed, actual } if claimed == "xlsx" && actual == "csv"));
        assert_eq!(
            (err.code(), err.to_string().as_str()),
            ("type_mismatch", "the file is named .xlsx but is really csv")
        );
        assert!(matches!(read("zip-bomb.xlsx"), Err(UploadError::SuspiciousArchive)));
        assert!(matches!(read("password-protected.xlsx"), Err(UploadError::PasswordProtected)));
        let small = Limits { max_bytes: 1000, ..Limits::default() };
        let err = read_order_file("order.xlsx", &fixture("order-header-row3.xlsx"), &small).expect_err("too large");
        assert!(matches!(err, UploadError::TooLarge { max_bytes: 1000 }));
        assert_eq!((err.code(), err.to_string().as_str()), ("too_large", "the file is larger than 1000 bytes"));
        let default_size = UploadError::TooLarge { max_bytes: Limits::default().max_bytes }.to_string();
        assert_eq!(default_size, "the file is larger than 10 MiB");
        let (few, twelve) = (Limits { max_rows: 8, ..Limits::default() }, Limits { max_rows: 12, ..Limits::default() });
        for name in ["order-header-row3.xlsx", "order-header-row3.xls", "order-header-row3.ods", "order-no-header.csv"]
        {
            let limit = if name.ends_with("csv") { Limits { max_rows: 3, ..few.clone() } } else { few.clone() };
            let err = read_order_file(name, &fixture(name), &limit).expect_err(name);
            assert!(matches!(err, UploadError::TooManyRows { max_rows } if max_rows == limit.max_rows), "{name}");
            assert_eq!(err.code(), "too_many_rows");
        }
        assert!(
            read_order_file("o.xlsx", &fixture("order-header-row3.xlsx"), &twelve).is_ok(),
            "12 rows with data fit"
        );
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
        assert!(matches!(read_order_file("order.pdf", pdf, &Limits::default()), Err(UploadError::UnknownType)));
        let err = read_order_file("order.xls", pdf, &Limits::default()).expect_err("pdf named xls");
        assert!(matches!(&err, UploadError::TypeMismatch { actual, .. } if actual == "pdf"));
        let err = read_order_file("order.csv", &fixture("sample-order.xlsx"), &Limits::default()).expect_err("xlsx");
        assert!(matches!(&err, UploadError::TypeMismatch { claimed, actual } if claimed == "csv" && actual == "xlsx"));
        assert!(matches!(read_order_file("order.csv", b" ;\r\n\r\n", &Limits::default()), Err(UploadError::Empty)));
        let broken = read_order_file("x.xlsx", b"PK\x03\x04garbage", &Limits::default());
        assert!(matches!(broken, Err(UploadError::Unreadable(_))));
        assert!(read_order_file("order", &fixture("sample-order.xlsx"), &Limits::default()).is_ok(), "by content");
    }
}
