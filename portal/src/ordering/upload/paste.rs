//! Text into cells: order lines pasted or typed into the form, and the text of uploaded CSV files
//! (encoding and delimiter detection, quoted fields via the `csv` crate).
//!
//! It only splits text into cells and picks the columns; it never judges a SKU or a quantity, and
//! it keeps every line number so that the buyer can find the line the rule engine complains about.

use super::detect::{detect_columns, extract_rows, header_by_names};
use super::{Columns, FileKind, RowInput, Sheet, UploadError};

/// Pasted or typed lines "SKU qty": separated by tab, ';', ',' or runs of spaces; a block copied
/// from Excel (tab-separated, possibly with a header line and extra columns) works. Line numbers
/// are 1-based. A line with only a SKU gets quantity "".
///
/// The delimiter is the block's: tab if any line has one, else ';' if any line has one (quoted
/// fields allowed). Otherwise each line is split on its own: the SKU ends at the first
/// comma or space (SKUs never contain commas), and in the rest a comma between two digits is a
/// decimal comma. So "BLT-933-8X40, 2,5" and "BLT-933-8X40 2,5" give quantity "2,5", while
/// "BLT-1,5" gives SKU "BLT-1" and quantity "5". Header lines ("Артикул\tКол-во") are recognised
/// and skipped; with more than two columns the SKU and quantity columns are detected as in a file.
pub fn parse_pasted(text: &str) -> Vec<RowInput> {
    let text = text.trim_start_matches('\u{feff}');
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut put = |row: usize, col: usize, cell: String| {
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut rows[row];
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = cell;
        Ok(())
    };
    let delimiter = [b'\t', b';'].into_iter().find(|&d| text.contains(d as char));
    // `put` never fails and the csv reader cannot fail on &str with flexible records.
    let _ = match delimiter {
        Some(delimiter) => read_csv(text, delimiter, &mut put),
        None => split_lines(text, &mut put),
    };
    let wide = delimiter.is_some() && rows.iter().any(|r| r.iter().skip(2).any(|c| !c.trim().is_empty()));
    // A line without the block's delimiter ("BLT-2 300" among "BLT-1;100" lines) is split on its own.
    for cells in &mut rows {
        let lone = cells.iter().filter(|c| !c.trim().is_empty()).count() == 1;
        if lone && cells[0].trim().contains(|c: char| c == ',' || c.is_whitespace()) {
            *cells = split_line(&cells[0]);
        }
    }
    let sheet = Sheet { kind: FileKind::Csv, rows };
    let detected = if wide { detect_columns(&sheet) } else { header_by_names(&sheet) };
    let columns = detected.unwrap_or(Columns { header_row: None, sku: 0, quantity: 1, name: None, confident: true });
    extract_rows(&sheet, &columns)
}

/// One line without tab or ';': the SKU, then the rest split on spaces and non-decimal commas.
fn split_line(line: &str) -> Vec<String> {
    let line = line.trim();
    let end = line.find(|c: char| c == ',' || c.is_whitespace()).unwrap_or(line.len());
    let (sku, rest) = line.split_at(end);
    let mut cells = vec![sku.to_string()];
    let mut cell = String::new();
    let mut chars = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace()).chars().peekable();
    while let Some(c) = chars.next() {
        let decimal_comma =
            c == ',' && cell.ends_with(|p: char| p.is_ascii_digit()) && chars.peek().is_some_and(char::is_ascii_digit);
        if (c == ',' && !decimal_comma) || c.is_whitespace() {
            if !cell.is_empty() {
                cells.push(std::mem::take(&mut cell));
            }
        } else {
            cell.push(c);
        }
    }
    if !cell.is_empty() {
        cells.push(cell);
    }
    cells
}

type Put<'a> = dyn FnMut(usize, usize, String) -> Result<(), UploadError> + 'a;

fn split_lines(text: &str, put: &mut Put) -> Result<(), UploadError> {
    for (row, line) in text.lines().enumerate() {
        for (col, cell) in split_line(line).into_iter().enumerate() {
            put(row, col, cell)?;
        }
    }
    Ok(())
}

/// CSV file text into cells by sheet row (= line number - 1, as a spreadsheet program shows it).
/// Delimiter ';', ',' or tab from the first lines; text without any is split like pasted lines.
pub(super) fn read_delimited(text: &str, put: &mut Put) -> Result<(), UploadError> {
    match guess_delimiter(text) {
        Some(delimiter) => read_csv(text, delimiter, put),
        None => split_lines(text, put),
    }
}

fn read_csv(text: &str, delimiter: u8, put: &mut Put) -> Result<(), UploadError> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // The reader's own line numbers lag after "\r\n"; count the newlines before each record instead.
    let (bytes, mut seen, mut row) = (text.as_bytes(), 0, 0);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(UploadError::Unreadable(format!("csv: {e}"))),
        }
        let mut start = record.position().map_or(seen, |p| p.byte() as usize).clamp(seen, bytes.len());
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        row += bytes[seen..start].iter().filter(|&&b| b == b'\n').count();
        seen = start;
        for (col, cell) in record.iter().enumerate() {
            put(row, col, cell.to_string())?;
        }
    }
}

/// The candidate (tab, ';', ',') whose count outside quotes is the same on the most of the first
/// 20 non-empty lines; ties go to the earlier candidate, so a decimal comma never beats ';'.
fn guess_delimiter(text: &str) -> Option<u8> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let mut best: Option<(usize, u8)> = None;
    for delimiter in [b'\t', b';', b','] {
        let counts: Vec<usize> = lines.iter().map(|l| count_unquoted(l, delimiter as char)).collect();
        let mode = counts.iter().filter(|&&c| c > 0).max_by_key(|&&c| counts.iter().filter(|&&o| o == c).count());
        let Some(&mode) = mode else { continue };
        let consistent = counts.iter().filter(|&&c| c == mode).count();
        if best.is_none_or(|(b, _)| consistent > b) {
            best = Some((consistent, delimiter));
        }
    }
    best.map(|(_, d)| d)
}

fn count_unquoted(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|&c| {
            quoted ^= c == '"';
            c == delimiter && !quoted
        })
        .count()
}

/// UTF-8 (BOM stripped), UTF-16 with BOM, or else windows-1251 (the usual Russian Excel export).
pub(super) fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        [0xFF, 0xFE, rest @ ..] => encoding_rs::UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
        [0xFE, 0xFF, rest @ ..] => encoding_rs::UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => encoding_rs::WINDOWS_1251.decode_without_bom_handling(bytes).0.into_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<(usize, String, String)> {
        parse_pasted(text).into_iter().map(|r| (r.row, r.sku, r.quantity)).collect()
    }

    fn one(row: usize, sku: &str, quantity: &str) -> (usize, String, String) {
        (row, sku.to_string(), quantity.to_string())
    }

    #[test]
    fn single_lines_in_every_separator() {
        for line in
            ["BLT-933-8X40 100", "BLT-933-8X40;100", "BLT-933-8X40\t100", "BLT-933-8X40,100", "  BLT-933-8X40   100  "]
        {
            assert_eq!(parsed(line), [one(1, "BLT-933-8X40", "100")], "{line:?}");
        }
        assert_eq!(parsed("BLT-933-8X40, 2,5"), [one(1, "BLT-933-8X40", "2,5")]);
        assert_eq!(parsed("BLT-933-8X40 2,5"), [one(1, "BLT-933-8X40", "2,5")]);
        assert_eq!(parsed("BLT-933-8X40;2,5"), [one(1, "BLT-933-8X40", "2,5")]);
        assert_eq!(parsed("BLT-1,5"), [one(1, "BLT-1", "5")], "the first comma ends the SKU");
        assert_eq!(parsed("BLT-1, 5"), [one(1, "BLT-1", "5")]);
        assert_eq!(parsed("0020058 5 шт"), [one(1, "0020058", "5")], "leading zeros kept, extra words ignored");
        assert_eq!(parsed("BLT-933-8X40"), [one(1, "BLT-933-8X40", "")], "only a SKU");
        assert_eq!(parsed("BLT-933-8X40\u{a0}100"), [one(1, "BLT-933-8X40", "100")], "no-break space");
    }

    #[test]
    fn lines_keep_their_numbers_and_blank_lines_are_skipped() {
        let text = "\u{feff}BLT-933-8X40 100\r\n\r\nNUT-934-M8;200\n   \nWSH-125-M8\nBLT-1,5\n";
        let want = [
            one(1, "BLT-933-8X40", "100"),
            one(3, "NUT-934-M8", "200"),
            one(5, "WSH-125-M8", ""),
            one(6, "BLT-1", "5"),
        ];
        assert_eq!(parsed(text), want);
        assert_eq!(parsed("Артикул Количество\nBLT-933-8X40 100"), [one(2, "BLT-933-8X40", "100")], "header skipped");
        assert!(parsed("").is_empty() && parsed("\n \n").is_empty());
    }

    #[test]
    fn block_copied_from_excel_with_header_and_extra_columns() {
        let text = "№\tАртикул\tНаименование\tКол-во\tЦена\n\
                    1\tBLT-933-8X40\tБолт DIN 933 М8х40\t100\t4,20\n\
                    2\t0020058\tСтяжка \"200 мм\", белая\t5\t12,00\n\
                    \t\t\t\t\n\
                    3\tNUT-934-M8\tГайка М8\t2,5\t0,45\n";
        let want = [one(2, "BLT-933-8X40", "100"), one(3, "0020058", "5"), one(5, "NUT-934-M8", "2,5")];
        assert_eq!(parsed(text), want);
        let no_header = "Болт\tBLT-933-8X40\t100\nГайка\tNUT-934-M8\t200\nШайба\tWSH-125-M8\t400\n";
        assert_eq!(
            parsed(no_header),
            [one(1, "BLT-933-8X40", "100"), one(2, "NUT-934-M8", "200"), one(3, "WSH-125-M8", "400")]
        );
        assert_eq!(parsed("SKU\tQty\nBLT-933-8X40\t100\n"), [one(2, "BLT-933-8X40", "100")]);
    }

    #[test]
    fn delimiters_and_encodings_of_csv_text() {
        assert_eq!(guess_delimiter("a;b\nBLT-1;2,5\nBLT-2;3\n"), Some(b';'), "a decimal comma does not beat ';'");
        assert_eq!(guess_delimiter("a,b,\"c, d\"\n1,2,3\n"), Some(b','));
        assert_eq!(guess_delimiter("a\tb;c\n1\t2\n"), Some(b'\t'));
        assert_eq!(guess_delimiter("BLT-1 100\n"), None);
        let cp1251 = encoding_rs::WINDOWS_1251.encode("Артикул;Кол-во").0;
        assert_eq!(decode_text(&cp1251), "Артикул;Кол-во");
        assert_eq!(decode_text("\u{feff}Артикул".as_bytes()), "Артикул");
        assert_eq!(decode_text(b"\xff\xfeA\x00;\x00"), "A;");
    }
}
