//! The lines table: one row per invoice line (№, name with SKU, quantity, unit, price, amount),
//! continued over as many pages as needed with its header repeated and each page's segment framed.
//!
//! Rows are never split across pages: a row that does not fit moves whole to the next page. This
//! module must never compute or check amounts (it prints the document's own price and amount of
//! each line) and never holds a form text of its own: headings come from `labels`.

use super::fonts::Style;
use super::labels::{money, Labels};
use super::layout::{
    paras_height, Align, Canvas, Para, CONTENT_W, MARGIN_BOTTOM, MARGIN_LEFT, MAX_FIELD_LINES, MAX_NAME_LINES, PAD_X,
    PAD_Y, PAGE_H, SIZE_SMALL, SIZE_TABLE, THICK, THIN,
};
use crate::invoices::document::{InvoiceDocument, InvoiceLine, InvoiceLocale};

/// Column widths of the lines table: №, name, quantity, unit, price, amount.
const COLS: [f32; 6] = [24.0, 0.0, 52.0, 34.0, 72.0, 78.0];

/// The widths of [`COLS`], the name column taking whatever the others leave of the content width.
pub(super) fn column_widths() -> [f32; 6] {
    let mut cols = COLS;
    cols[1] = CONTENT_W - COLS.iter().sum::<f32>();
    cols
}

/// Draws one table row of cells at the cursor (which must have room) with thin rules.
fn table_row(c: &mut Canvas, cells: &[Vec<Para>], height: f32) {
    let widths = column_widths();
    let top = c.y;
    let mut x = MARGIN_LEFT;
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            c.vline(x, top, top + height, THIN);
        }
        c.paras(x + PAD_X, w - 2.0 * PAD_X, top + PAD_Y, cell);
        x += w;
    }
    c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, top + height, THIN);
    c.y = top + height;
}

fn row_height(cells: &[Vec<Para>]) -> f32 {
    cells.iter().map(|cell| paras_height(cell)).fold(0.0, f32::max) + 2.0 * PAD_Y
}

/// Builds the cells of one invoice line.
fn line_cells(c: &Canvas, index: usize, line: &InvoiceLine, l: &Labels, locale: InvoiceLocale) -> Vec<Vec<Para>> {
    let widths = column_widths();
    let inner = |i: usize| widths[i] - 2.0 * PAD_X;
    let cell = |text: &str, i: usize, align: Align| {
        let mut p = c.wrap(text, SIZE_TABLE, Style::Regular, inner(i), MAX_FIELD_LINES);
        p.align = align;
        vec![p]
    };
    let mut name = vec![c.wrap(&line.name, SIZE_TABLE, Style::Regular, inner(1), MAX_NAME_LINES)];
    if !line.sku.trim().is_empty() {
        let mut sku = c.wrap(&format!("{} {}", l.sku, line.sku.trim()), SIZE_SMALL, Style::Regular, inner(1), 3);
        sku.grey = true;
        name.push(sku);
    }
    vec![
        cell(&(index + 1).to_string(), 0, Align::Center),
        name,
        cell(&line.quantity, 2, Align::Right),
        cell(&line.unit, 3, Align::Center),
        cell(&money(line.price_minor, locale), 4, Align::Right),
        cell(&money(line.amount_minor, locale), 5, Align::Right),
    ]
}

/// The lines table, continued over as many pages as needed with its header repeated.
pub(super) fn lines_table(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    let widths = column_widths();
    let header: Vec<Vec<Para>> = l
        .columns
        .iter()
        .zip(widths)
        .map(|(text, w)| {
            let mut p = c.wrap(text, SIZE_TABLE, Style::Bold, w - 2.0 * PAD_X, 3);
            p.align = Align::Center;
            vec![p]
        })
        .collect();
    let header_h = row_height(&header);

    // Draws the header at the cursor and returns where this table segment starts.
    let start_segment = |c: &mut Canvas| {
        let top = c.y;
        table_row(c, &header, header_h);
        top
    };
    // Closes a segment with a heavier outer frame.
    let close_segment = |c: &mut Canvas, top: f32| {
        let bottom = c.y;
        c.frame(MARGIN_LEFT, top, CONTENT_W, bottom - top, THICK);
        c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, top + header_h, THICK);
    };

    c.y += 6.0;
    let first_h = doc.lines.first().map_or(0.0, |line| row_height(&line_cells(c, 0, line, l, doc.locale)));
    c.ensure(header_h + first_h);
    let mut segment_top = start_segment(c);
    for (i, line) in doc.lines.iter().enumerate() {
        let cells = line_cells(c, i, line, l, doc.locale);
        let h = row_height(&cells);
        if c.y + h > PAGE_H - MARGIN_BOTTOM {
            close_segment(c, segment_top);
            c.new_page();
            segment_top = start_segment(c);
        }
        table_row(c, &cells, h);
    }
    close_segment(c, segment_top);
}
