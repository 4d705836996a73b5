//! Writing .xlsx files for the buyer: their own sheet back with a verdict column, and the empty
//! order template.
//!
//! Cells are written as text, or as numbers when the text is a plain number without leading zeros
//! (so "00123" stays text). It never writes a formula (a cell "=HYPERLINK(…)" from a hostile upload
//! stays inert text) and never reorders or drops the buyer's rows.

use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};

use super::{Sheet, UploadError, VerdictTone};

/// Excel's grid and cell limits.
const MAX_ROW: usize = 1_048_575;
const MAX_COL: usize = 16_383;
const MAX_TEXT: usize = 32_767;

fn write_error(e: XlsxError) -> UploadError {
    UploadError::Write(e.to_string())
}

/// A plain number a spreadsheet would show the same: "-5", "10", "2.5"; not "007", "1e5" or "2,5".
fn plain_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let int_ok = !int.is_empty() && (int == "0" || !int.starts_with('0')) && int.len() <= 15;
    let all_digits = int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) && !frac.is_empty();
    if int_ok && all_digits {
        text.parse().ok()
    } else {
        None
    }
}

fn write_cell(
    sheet: &mut Worksheet,
    row: usize,
    col: usize,
    text: &str,
    format: Option<&Format>,
) -> Result<(), UploadError> {
    if row > MAX_ROW || col > MAX_COL || text.is_empty() {
        return Ok(());
    }
    let (row, col) = (row as u32, col as u16);
    let text: String = text.chars().take(MAX_TEXT).collect();
    let written = match (plain_number(&text), format) {
        (Some(n), None) => sheet.write_number(row, col, n),
        (Some(n), Some(f)) => sheet.write_number_with_format(row, col, n, f),
        (None, None) => sheet.write_string(row, col, text),
        (None, Some(f)) => sheet.write_string_with_format(row, col, text, f),
    };
    written.map(|_| ()).map_err(write_error)
}

fn width(chars: usize, min: usize, max: usize) -> f64 {
    (chars.clamp(min, max) + 2) as f64
}

/// The buyer's sheet back as .xlsx with one more column at the right: the heading `verdict_heading`
/// in the header row (or a new first row when there was no header), and per data row the verdict text
/// given in `verdicts` (sheet row number 1-based → text). Rows with a problem get a light red fill in
/// the verdict cell, adjusted ones light yellow, accepted ones light green.
pub fn annotated_xlsx(
    sheet: &Sheet,
    header_row: Option<usize>,
    verdicts: &[(usize, VerdictTone, String)],
    verdict_heading: &str,
) -> Result<Vec<u8>, UploadError> {
    let mut book = Workbook::new();
    let out = book.add_worksheet();
    let shift = usize::from(header_row.is_none());
    let columns = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    let bold = Format::new().set_bold();
    for (index, row) in sheet.rows.iter().enumerate() {
        let format = (Some(index) == header_row).then_some(&bold);
        for (col, text) in row.iter().enumerate() {
            write_cell(out, index + shift, col, text, format)?;
        }
    }
    write_cell(out, header_row.unwrap_or(0), columns, verdict_heading, Some(&bold))?;
    let tone =
        |fill: u32, font: u32| Format::new().set_background_color(Color::RGB(fill)).set_font_color(Color::RGB(font));
    let (ok, adjusted, problem) = (tone(0xC6EFCE, 0x006100), tone(0xFFEB9C, 0x9C5700), tone(0xFFC7CE, 0x9C0006));
    for (row, verdict, text) in verdicts.iter().filter(|(row, _, _)| *row >= 1) {
        let format = match verdict {
            VerdictTone::Ok => &ok,
            VerdictTone::Adjusted => &adjusted,
            VerdictTone::Problem => &problem,
        };
        write_cell(out, row - 1 + shift, columns, text, Some(format))?;
    }
    for col in 0..columns.min(MAX_COL) {
        let chars = sheet.rows.iter().take(1000).filter_map(|r| r.get(col)).map(|c| c.chars().count()).max();
        out.set_column_width(col as u16, width(chars.unwrap_or(0), 6, 60)).map_err(write_error)?;
    }
    if columns <= MAX_COL {
        let chars = verdicts.iter().map(|(_, _, t)| t.chars().count()).chain([verdict_heading.chars().count()]).max();
        out.set_column_width(columns as u16, width(chars.unwrap_or(0), 20, 80)).map_err(write_error)?;
    }
    if let Some(header) = header_row.filter(|&h| h < MAX_ROW) {
        out.set_freeze_panes(header as u32 + 1, 0).map_err(write_error)?;
    }
    book.save_to_buffer().map_err(write_error)
}

/// An empty order template: headings "Артикул", "Количество", "Наименование (необязательно)"
/// for locale "ru", "SKU", "Quantity", "Name (optional)" for "en" (any other locale gets Russian,
/// as the portal's i18n does), column widths set, two example rows. The SKU column is formatted as
/// text so that typed leading zeros ("0020058") survive.
pub fn template_xlsx(locale: &str) -> Result<Vec<u8>, UploadError> {
    let (title, headings, examples) = if locale == "en" {
        (
            "Order",
            ["SKU", "Quantity", "Name (optional)"],
            ["Bolt DIN 933 M8x40, zinc-plated", "Cable tie 200 mm, white"],
        )
    } else {
        (
            "Заказ",
            ["Артикул", "Количество", "Наименование (необязательно)"],
            ["Болт DIN 933 М8х40 оцинкованный", "Стяжка кабельная нейлоновая, длина 200 мм, белая"],
        )
    };
    let mut book = Workbook::new();
    let out = book.add_worksheet();
    out.set_name(title).map_err(write_error)?;
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold();
    for (col, (heading, width)) in headings.iter().zip([20.0, 14.0, 50.0]).enumerate() {
        out.write_string_with_format(0, col as u16, *heading, &bold).map_err(write_error)?;
        out.set_column_width(col as u16, width).map_err(write_error)?;
    }
    out.set_column_format(0, &text).map_err(write_error)?;
    for (row, (sku, quantity, name)) in
        [("BLT-933-8X40", 100.0, examples[0]), ("0020058", 5.0, examples[1])].into_iter().enumerate()
    {
        let row = row as u32 + 1;
        out.write_string_with_format(row, 0, sku, &text).map_err(write_error)?;
        out.write_number(row, 1, quantity).map_err(write_error)?;
        out.write_string(row, 2, name).map_err(write_error)?;
    }
    out.set_freeze_panes(1, 0).map_err(write_error)?;
    book.save_to_buffer().map_err(write_error)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Reader, Xlsx};

    use super::super::{detect_columns, extract_rows, read_order_file, FileKind, Limits};
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../fixtures/uploads/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The fill colour (RGB) of a cell of the first sheet.
    fn fill(xlsx: &[u8], row: u32, col: u32) -> Option<u32> {
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).expect("xlsx");
        let name = book.sheet_names()[0].clone();
        let styles = book.worksheet_style(&name).expect("styles");
        styles.get((row, col))?.fill.as_ref()?.get_color().map(|c| c.to_argb() & 0xFF_FFFF)
    }

    #[test]
    fn annotated_copy_round_trips_with_the_verdict_column() {
        let sheet = read_order_file("o.xlsx", &fixture("order-header-row3.xlsx"), &Limits::default()).expect("read");
        let verdicts = [
            (5, VerdictTone::Adjusted, "Округлено до 100".to_string()),
            (6, VerdictTone::Ok, "Принято".to_string()),
            (10, VerdictTone::Problem, "Нет такого артикула".to_string()),
            (11, VerdictTone::Problem, "=HYPERLINK(\"http://x\")".to_string()),
        ];
        let xlsx = annotated_xlsx(&sheet, Some(3), &verdicts, "Проверка").expect("annotated");
        let back = read_order_file("annotated.xlsx", &xlsx, &Limits::default()).expect("read back");
        assert_eq!(back.rows[3], ["№", "Артикул", "Наименование", "Кол-во", "Проверка"]);
        assert_eq!(back.rows[4], ["1", "BLT-933-8X40", "Болт DIN 933 М8х40 оцинкованный", "100", "Округлено до 100"]);
        assert_eq!(back.rows[5][1..], ["0020058", "Стяжка кабельная нейлоновая, длина 200 мм, белая", "5", "Принято"]);
        assert_eq!(back.rows[9][4], "Нет такого артикула");
        assert_eq!(back.rows[10][4], "=HYPERLINK(\"http://x\")", "text, not a formula");
        assert_eq!(back.rows[12][3], "2,5");
        let columns = detect_columns(&back).expect("columns");
        assert_eq!(extract_rows(&back, &columns), extract_rows(&sheet, &detect_columns(&sheet).expect("columns")));
        assert_eq!(
            [fill(&xlsx, 4, 4), fill(&xlsx, 5, 4), fill(&xlsx, 9, 4)],
            [Some(0xFFEB9C), Some(0xC6EFCE), Some(0xFFC7CE)]
        );
    }

    #[test]
    fn hostile_text_still_makes_a_readable_workbook() {
        let csv = "Артикул;Количество;Комментарий\nBLT\u{1}-1;5;]]> <b>& 😀 \u{b}\u{1f}\u{7f}\n".to_string()
            + &format!("BLT-2;1;{}\n", "очень длинная строка ".repeat(2000));
        let sheet = read_order_file("o.csv", csv.as_bytes(), &Limits::default()).expect("read");
        let verdicts = [(2, VerdictTone::Problem, "Нет артикула \u{1}BLT\u{1}-1 ]]>".to_string())];
        let xlsx = annotated_xlsx(&sheet, Some(0), &verdicts, "Проверка").expect("annotated");
        let back = read_order_file("annotated.xlsx", &xlsx, &Limits::default()).expect("a spreadsheet app reads it");
        assert_eq!(back.rows[1][0].replace('\u{1}', ""), "BLT-1");
        assert!(back.rows[1][2].starts_with("]]> <b>& 😀"), "{:?}", back.rows[1][2]);
        assert!(back.rows[1][3].starts_with("Нет артикула"));
        assert!(back.rows[2][2].chars().count() <= 32_767, "a cell holds at most what Excel allows");
    }

    #[test]
    fn without_a_header_the_heading_goes_into_a_new_first_row() {
        let sheet = read_order_file("o.csv", &fixture("order-no-header.csv"), &Limits::default()).expect("read");
        let xlsx = annotated_xlsx(&sheet, None, &[(3, VerdictTone::Ok, "OK".into())], "Verdict").expect("annotated");
        let back = read_order_file("a.xlsx", &xlsx, &Limits::default()).expect("read back");
        assert_eq!(back.rows[0], ["", "", "Verdict"]);
        assert_eq!(back.rows[1], ["LED-A60-10W-4000K", "20"]);
        assert_eq!(back.rows[3], ["000259", "10", "OK"], "leading zeros kept as text");
    }

    #[test]
    fn templates_in_both_languages() {
        for (locale, heading, first) in
            [("ru", "Артикул", "Количество"), ("en", "SKU", "Quantity"), ("de", "Артикул", "Количество")]
        {
            let sheet =
                read_order_file("t.xlsx", &template_xlsx(locale).expect("template"), &Limits::default()).expect("read");
            assert_eq!((sheet.rows[0][0].as_str(), sheet.rows[0][1].as_str()), (heading, first), "{locale}");
            let columns = detect_columns(&sheet).expect("columns");
            assert!(columns.confident && columns.name == Some(2));
            let rows: Vec<_> = extract_rows(&sheet, &columns).into_iter().map(|r| (r.sku, r.quantity)).collect();
            assert_eq!(rows, [("BLT-933-8X40".into(), "100".into()), ("0020058".into(), "5".into())]);
        }
    }

    /// Also the speed figure: prints read + extract time for 10,000 rows.
    #[test]
    fn ten_thousand_rows_read_fast_and_the_row_limit_is_exact() {
        let mut book = Workbook::new();
        let out = book.add_worksheet();
        for (col, heading) in ["Артикул", "Количество", "Наименование"].into_iter().enumerate()
        {
            out.write_string(0, col as u16, heading).expect("heading");
        }
        for row in 1..=10_000u32 {
            out.write_string(row, 0, format!("BLT-933-{}X{}", row % 97, row)).expect("sku");
            out.write_number(row, 1, f64::from(row % 500 + 1)).expect("qty");
            out.write_string(row, 2, "Болт DIN 933 оцинкованный").expect("name");
        }
        let xlsx = book.save_to_buffer().expect("xlsx");
        let started = std::time::Instant::now();
        let sheet = read_order_file("big.xlsx", &xlsx, &Limits::default()).expect("read");
        let rows = extract_rows(&sheet, &detect_columns(&sheet).expect("columns"));
        let elapsed = started.elapsed();
        eprintln!("10,000-row xlsx ({} KiB): read + extract in {elapsed:?}", xlsx.len() >> 10);
        assert_eq!((sheet.kind, rows.len()), (FileKind::Xlsx, 10_000));
        assert_eq!((rows[9_999].row, rows[9_999].quantity.as_str()), (10_001, "1"));
        let limit = Limits { max_rows: 10_000, ..Limits::default() };
        assert!(matches!(
            read_order_file("big.xlsx", &xlsx, &limit),
            Err(UploadError::TooManyRows { max_rows: 10_000 })
        ));
        assert!(read_order_file("big.xlsx", &xlsx, &Limits { max_rows: 10_001, ..limit }).is_ok());
    }
}
