//! Building blocks of the printable order documents (order card, pick
//! list): label and value rows, section headings, and a table of given
//! column widths continued over pages with its header repeated (a row never
//! split), each page's part framed.

use super::fonts::Style;
use super::layout::{
    Align, Canvas, Para, CONTENT_W, MARGIN_BOTTOM, MARGIN_LEFT, MAX_NAME_LINES, PAD_X, PAD_Y, PAGE_H, SIZE_BODY,
    SIZE_TABLE, THICK, THIN,
};

/// Width of the label column of label and value rows.
const LABEL_W: f32 = 150.0;

/// A table's columns: widths (one of them 0.0 takes what the others leave)
/// and how each column's cells align (headers are centred).
pub(super) struct Grid {
    widths: Vec<f32>,
    aligns: Vec<Align>,
    /// The column whose text may run to many lines (the item's name).
    long: usize,
}

impl Grid {
    pub(super) fn new(widths: &[f32], aligns: &[Align], long: usize) -> Grid {
        let fixed: f32 = widths.iter().sum();
        let widths = widths.iter().map(|w| if *w == 0.0 { CONTENT_W - fixed } else { *w }).collect();
        Grid { widths, aligns: aligns.to_vec(), long }
    }

    fn cells(&self, c: &Canvas, texts: &[String], style: Style) -> Vec<Para> {
        texts
            .iter()
            .zip(&self.widths)
            .enumerate()
            .map(|(i, (text, w))| {
                let lines = if i == self.long { MAX_NAME_LINES } else { 3 };
                let mut p = c.wrap(text, SIZE_TABLE, style, w - 2.0 * PAD_X, lines);
                p.align = if style == Style::Bold { Align::Center } else { self.aligns[i] };
                p
            })
            .collect()
    }

    fn row(&self, c: &mut Canvas, cells: &[Para], height: f32) {
        let top = c.y;
        let mut x = MARGIN_LEFT;
        for (i, (cell, w)) in cells.iter().zip(&self.widths).enumerate() {
            if i > 0 {
                c.vline(x, top, top + height, THIN);
            }
            c.paras(x + PAD_X, w - 2.0 * PAD_X, top + PAD_Y, std::slice::from_ref(cell));
            x += w;
        }
        c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, top + height, THIN);
        c.y = top + height;
    }

    /// The header and `rows` at the cursor, over as many pages as needed.
    pub(super) fn table(&self, c: &mut Canvas, header: &[String], rows: &[Vec<String>]) {
        let header = self.cells(c, header, Style::Bold);
        let header_h = height(&header);
        let start = |c: &mut Canvas| {
            let top = c.y;
            self.row(c, &header, header_h);
            top
        };
        let close = |c: &mut Canvas, top: f32| {
            let bottom = c.y;
            c.frame(MARGIN_LEFT, top, CONTENT_W, bottom - top, THICK);
        };
        c.y += 6.0;
        c.ensure(header_h * 2.0);
        let mut segment = start(c);
        for row in rows {
            let cells = self.cells(c, row, Style::Regular);
            let h = height(&cells);
            if c.y + h > PAGE_H - MARGIN_BOTTOM {
                close(c, segment);
                c.new_page();
                segment = start(c);
            }
            self.row(c, &cells, h);
        }
        close(c, segment);
        c.y += 6.0;
    }
}

fn height(cells: &[Para]) -> f32 {
    cells.iter().map(Para::height).fold(0.0, f32::max) + 2.0 * PAD_Y
}

/// Label and value rows (facts, totals, history), the label in bold.
pub(super) fn pairs(c: &mut Canvas, rows: &[(String, String)], value_align: Align) {
    for (label, value) in rows {
        let label = c.wrap(label, SIZE_BODY, Style::Bold, LABEL_W - PAD_X, 3);
        let mut value = c.wrap(value, SIZE_BODY, Style::Regular, CONTENT_W - LABEL_W, 8);
        value.align = value_align;
        let h = label.height().max(value.height()) + 2.0;
        c.ensure(h);
        let top = c.y;
        c.paras(MARGIN_LEFT, LABEL_W - PAD_X, top, &[label]);
        c.paras(MARGIN_LEFT + LABEL_W, CONTENT_W - LABEL_W, top, &[value]);
        c.y = top + h;
    }
}

/// A section heading, kept on the page with some room below it.
pub(super) fn heading(c: &mut Canvas, text: &str) {
    let p = c.wrap(text, SIZE_BODY + 1.0, Style::Bold, CONTENT_W, 2);
    c.ensure(p.height() + 40.0);
    c.y += 8.0;
    let top = c.y;
    c.y = c.paras(MARGIN_LEFT, CONTENT_W, top, &[p]) + 3.0;
}

/// The document's title at the top.
pub(super) fn title(c: &mut Canvas, text: &str) {
    let title = c.wrap(text, super::layout::SIZE_TITLE, Style::Bold, CONTENT_W, 2);
    let top = c.y;
    c.y = c.paras(MARGIN_LEFT, CONTENT_W, top, &[title]) + 8.0;
}
