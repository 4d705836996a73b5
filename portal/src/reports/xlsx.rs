//! Any report as a spreadsheet: a title row, a header, the rows (text,
//! counts and money as numbers in roubles, so Excel sums them) and a total
//! row when the report has one.

use rust_xlsxwriter::{Format, Workbook};

use crate::error::{Error, Result};

/// One cell of a report's table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Count(i64),
    /// Kopecks, written as roubles with two decimals.
    Money(i64),
}

/// A report laid out as a table.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// The last row, in bold ("Total", sums).
    pub total: Option<Vec<Cell>>,
}

/// The table as an .xlsx file.
pub fn write(table: &Table) -> Result<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("report spreadsheet: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("# ##0.00");
    let bold_money = Format::new().set_bold().set_num_format("# ##0.00");
    sheet.write_string_with_format(0, 0, &table.title, &bold).map_err(fail)?;
    for (col, header) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, header, &bold).map_err(fail)?;
        sheet.set_column_width(col as u16, if col == 0 { 40 } else { 16 }).map_err(fail)?;
    }
    let lines = table.rows.iter().map(|r| (r, false)).chain(table.total.iter().map(|r| (r, true)));
    for (row, (cells, is_total)) in (3u32..).zip(lines) {
        for (col, cell) in cells.iter().enumerate() {
            let col = col as u16;
            match (cell, is_total) {
                (Cell::Text(text), false) => sheet.write_string(row, col, text).map(|_| ()),
                (Cell::Text(text), true) => sheet.write_string_with_format(row, col, text, &bold).map(|_| ()),
                (Cell::Count(n), _) => sheet.write_number(row, col, *n as f64).map(|_| ()),
                (Cell::Money(m), false) => {
                    sheet.write_number_with_format(row, col, *m as f64 / 100.0, &money).map(|_| ())
                }
                (Cell::Money(m), true) => {
                    sheet.write_number_with_format(row, col, *m as f64 / 100.0, &bold_money).map(|_| ())
                }
            }
            .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}
