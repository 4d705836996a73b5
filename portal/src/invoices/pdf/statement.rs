//! The reconciliation statement (акт сверки) on A4 portrait: title, period
//! and contract, the two-sided table (the supplier's data filled, the
//! buyer's columns left blank) continued over pages with its header
//! repeated, the conclusion in figures and words, and both sides'
//! signature lines. Texts come from `finance::statement`; amounts are the
//! statement's own.

use super::fonts::Style;
use super::layout::{
    Align, Canvas, Para, BODY, BODY_BOLD, CONTENT_W, LEADING, MARGIN_BOTTOM, MARGIN_LEFT, PAD_X, PAD_Y, PAGE_H,
    SIZE_BODY, SIZE_TABLE, SIZE_TITLE, THICK, THIN,
};
use crate::finance::statement::{balance_columns, money, words, Statement, Words};

/// Columns of one side: date, document, debit, credit.
const SIDE: [f32; 4] = [56.0, 92.0, 57.0, 57.0];

fn widths() -> [f32; 8] {
    let mut all = [0.0; 8];
    all[..4].copy_from_slice(&SIDE);
    all[4..].copy_from_slice(&SIDE);
    all
}

fn fill(text: &str, pairs: &[(&str, &str)]) -> String {
    pairs.iter().fold(text.to_string(), |t, (k, v)| t.replace(&format!("{{{k}}}"), v))
}

/// Draws a row; `merged` joins each side's date and document cells (the
/// label of a balance or turnover line spans both).
fn row(c: &mut Canvas, cells: &[Para], height: f32, merged: bool) {
    let top = c.y;
    let mut x = MARGIN_LEFT;
    for (i, (cell, w)) in cells.iter().zip(widths()).enumerate() {
        let joined = merged && (i == 1 || i == 5);
        if i > 0 && !joined {
            c.vline(x, top, top + height, if i == 4 { THICK } else { THIN });
        }
        let width = if merged && (i == 0 || i == 4) { w + SIDE[1] } else { w };
        c.paras(x + PAD_X, width - 2.0 * PAD_X, top + PAD_Y, std::slice::from_ref(cell));
        x += w;
    }
    c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, top + height, THIN);
    c.y = top + height;
}

fn height(cells: &[Para]) -> f32 {
    cells.iter().map(Para::height).fold(0.0, f32::max) + 2.0 * PAD_Y
}

fn cell(c: &Canvas, text: &str, column: usize, style: Style, align: Align) -> Para {
    let mut p = c.wrap(text, SIZE_TABLE, style, widths()[column] - 2.0 * PAD_X, 4);
    p.align = align;
    p
}

/// The header: who each side's data belongs to, then the column names.
fn header(c: &mut Canvas, s: &Statement, w: &Words) {
    let half = SIDE.iter().sum::<f32>();
    let top = c.y;
    for (side, party) in [(0.0, &s.supplier.name), (half, &s.buyer.name)] {
        let mut p = c.wrap(&fill(w.by_data_of, &[("party", party)]), SIZE_TABLE, Style::Bold, half - 2.0 * PAD_X, 2);
        p.align = Align::Center;
        c.paras(MARGIN_LEFT + side + PAD_X, half - 2.0 * PAD_X, top + PAD_Y, &[p]);
    }
    let party_h = 2.0 * SIZE_TABLE * LEADING + 2.0 * PAD_Y;
    c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, top + party_h, THIN);
    c.vline(MARGIN_LEFT + half, top, top + party_h, THICK);
    c.y = top + party_h;
    let names: Vec<Para> = (0..8).map(|i| cell(c, w.columns[i % 4], i, Style::Bold, Align::Center)).collect();
    let h = height(&names);
    row(c, &names, h, false);
}

fn amount(minor: i64, s: &Statement) -> String {
    if minor == 0 {
        String::new()
    } else {
        money(minor, s.locale)
    }
}

/// A balance or turnover line across the supplier's side; the buyer's
/// blank. The label spans the date and document cells.
fn summary(c: &Canvas, s: &Statement, label: &str, debit: i64, credit: i64) -> Vec<Para> {
    let label_width = SIDE[0] + SIDE[1] - 2.0 * PAD_X;
    let labelled = || c.wrap(label, SIZE_TABLE, Style::Bold, label_width, 3);
    vec![
        labelled(),
        cell(c, "", 1, Style::Bold, Align::Left),
        cell(c, &amount(debit, s), 2, Style::Bold, Align::Right),
        cell(c, &amount(credit, s), 3, Style::Bold, Align::Right),
        labelled(),
        cell(c, "", 5, Style::Bold, Align::Left),
        cell(c, "", 6, Style::Bold, Align::Left),
        cell(c, "", 7, Style::Bold, Align::Left),
    ]
}

/// Lays the statement out on the canvas.
pub(super) fn draw(c: &mut Canvas, s: &Statement) {
    let w = words(s.locale);
    let date = crate::finance::statement::dmy;
    let mut title = c.wrap(w.title, SIZE_TITLE, Style::Bold, CONTENT_W, 2);
    title.align = Align::Center;
    let period = fill(w.period, &[("from", &date(s.from)), ("to", &date(s.to))]);
    let between = format!("{} — {}", s.supplier.name, s.buyer.name);
    let contract = fill(w.contract, &[("contract", &s.contract)]);
    let mut lines: Vec<Para> = [period, between, contract]
        .iter()
        .map(|t| {
            let mut p = c.wrap(t, SIZE_BODY, Style::Regular, CONTENT_W, 3);
            p.align = Align::Center;
            p
        })
        .collect();
    lines.insert(0, title);
    let top = c.y;
    c.y = c.paras(MARGIN_LEFT, CONTENT_W, top, &lines) + 8.0;

    let start = |c: &mut Canvas| {
        let top = c.y;
        header(c, s, w);
        top
    };
    let close = |c: &mut Canvas, top: f32| {
        let bottom = c.y;
        c.frame(MARGIN_LEFT, top, CONTENT_W, bottom - top, THICK);
    };
    let mut segment = start(c);
    let mut body: Vec<(Vec<Para>, bool)> = Vec::with_capacity(s.rows.len() + 3);
    let (od, oc) = balance_columns(s.opening_minor);
    body.push((summary(c, s, w.opening, od, oc), true));
    for r in &s.rows {
        body.push((
            vec![
                cell(c, &date(r.date), 0, Style::Regular, Align::Left),
                cell(c, &r.document, 1, Style::Regular, Align::Left),
                cell(c, &amount(r.debit_minor, s), 2, Style::Regular, Align::Right),
                cell(c, &amount(r.credit_minor, s), 3, Style::Regular, Align::Right),
                cell(c, "", 4, Style::Regular, Align::Left),
                cell(c, "", 5, Style::Regular, Align::Left),
                cell(c, "", 6, Style::Regular, Align::Left),
                cell(c, "", 7, Style::Regular, Align::Left),
            ],
            false,
        ));
    }
    body.push((summary(c, s, w.turnover, s.debit_minor, s.credit_minor), true));
    let (cd, cc) = balance_columns(s.closing_minor);
    body.push((summary(c, s, w.closing, cd, cc), true));
    for (cells, merged) in body {
        let h = height(&cells);
        if c.y + h > PAGE_H - MARGIN_BOTTOM {
            close(c, segment);
            c.new_page();
            segment = start(c);
        }
        row(c, &cells, h, merged);
    }
    close(c, segment);

    let conclusion = c.wrap(&s.conclusion(), SIZE_BODY, Style::Bold, CONTENT_W, 6);
    c.ensure(conclusion.height() + 12.0);
    c.y += 10.0;
    let top = c.y;
    c.y = c.paras(MARGIN_LEFT, CONTENT_W, top, &[conclusion]);
    signatures(c, s, w);
}

/// "From …" on each side with the director's and accountant's lines.
fn signatures(c: &mut Canvas, s: &Statement, w: &Words) {
    let half = CONTENT_W / 2.0;
    let line_h = SIZE_BODY * LEADING;
    c.ensure(7.0 * line_h);
    c.y += 14.0;
    let top = c.y;
    for (x, party, names) in [
        (MARGIN_LEFT, &s.supplier.name, [s.director.as_str(), s.accountant.as_str()]),
        (MARGIN_LEFT + half + 8.0, &s.buyer.name, ["", ""]),
    ] {
        let from = c.wrap(&fill(w.from_party, &[("party", party)]), SIZE_BODY, Style::Bold, half - 16.0, 2);
        let mut y = c.paras(x, half - 16.0, top, &[from]) + 6.0;
        for (role, name) in [w.director, w.accountant].into_iter().zip(names) {
            y += line_h * 1.6;
            c.text(x, y, BODY_BOLD, role);
            let rule_x = x + c.width(role, SIZE_BODY, Style::Bold) + 6.0;
            c.hline(rule_x, rule_x + 80.0, y + 2.0, THIN);
            if !name.is_empty() {
                c.text(rule_x + 86.0, y, BODY, name);
            }
        }
        c.y = c.y.max(y + line_h);
    }
}
