//! The end of the form, below the lines table: the totals and VAT, the line count with the amount
//! in words, the validity note, the signature lines, and "Страница N из M" on multi-page invoices.
//!
//! Like the rest of the layout, each block is drawn at the canvas cursor and moves to a new page
//! when it does not fit. This module must never compute an amount (the totals and VAT are the
//! document's own), never hold a Russian or English text of its own (they come from `labels`) and
//! never touch printpdf.

use super::fonts::{Faces, Style};
use super::labels::{self, money, Labels};
use super::layout::{
    Align, Canvas, Item, BASELINE, BODY_BOLD, CAPTION, CONTENT_W, LEADING, MARGIN_BOTTOM, MARGIN_LEFT, PAD_X, PAGE_H,
    SIZE_BODY, SIZE_SMALL, THICK, THIN,
};
use super::table::column_widths;
use crate::invoices::document::InvoiceDocument;

/// Right-aligned totals under the table, then the count, the amount in words and the terms.
pub(super) fn totals(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    let widths = column_widths();
    let right = MARGIN_LEFT + CONTENT_W - PAD_X;
    let amount_left = MARGIN_LEFT + CONTENT_W - widths[5];

    let mut rows: Vec<(String, String)> = vec![(l.total.to_string(), money(doc.total_minor, doc.locale))];
    if doc.discount_minor > 0 {
        rows.push((l.discount_included.to_string(), money(doc.discount_minor, doc.locale)));
    }
    if doc.vat.is_empty() {
        rows.push((l.no_vat.to_string(), "-".to_string()));
    } else {
        for (rate, amount) in &doc.vat {
            rows.push((format!("{} {rate}%:", l.vat_included), money(*amount, doc.locale)));
        }
    }
    rows.push((l.payable.to_string(), money(doc.total_minor, doc.locale)));

    // Values right-aligned in the amount column; labels right-aligned in one column left of
    // the widest value (huge amounts may be wider than the amount column).
    let widest_value = rows.iter().map(|(_, v)| c.width(v, SIZE_BODY, Style::Bold)).fold(0.0, f32::max);
    let label_right = (amount_left - PAD_X).min(right - widest_value - 8.0);
    let line_h = SIZE_BODY * LEADING + 1.0;
    c.ensure(6.0 + rows.len().min(5) as f32 * line_h);
    c.y += 6.0;
    for (label, value) in rows {
        c.ensure(line_h);
        let baseline = c.y + SIZE_BODY * BASELINE;
        let value_w = c.width(&value, SIZE_BODY, Style::Bold);
        c.text(right - value_w, baseline, BODY_BOLD, &value);
        let label_w = c.width(&label, SIZE_BODY, Style::Bold);
        c.text(label_right - label_w, baseline, BODY_BOLD, &label);
        c.y += line_h;
    }

    // Count and amount in words.
    let (summary, words) = labels::summary(doc);
    let summary = c.wrap(&summary, SIZE_BODY, Style::Regular, CONTENT_W, 3);
    let words = c.wrap(&words, SIZE_BODY, Style::Bold, CONTENT_W, 6);
    let h = summary.height() + words.height();
    c.ensure(h + 8.0);
    c.y += 8.0;
    let top = c.y;
    c.y = c.paras(MARGIN_LEFT, CONTENT_W, top, &[summary, words]);

    // Validity and reservation note.
    let note = c.wrap(&labels::validity_note(doc), SIZE_BODY - 1.0, Style::Regular, CONTENT_W, 6);
    c.ensure(note.height() + 8.0);
    c.y += 8.0;
    let top = c.y;
    c.y = c.paras(MARGIN_LEFT, CONTENT_W, top, &[note]);
}

/// Heavy rule, then the director's and the accountant's signature lines side by side.
pub(super) fn signatures(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    let half = CONTENT_W / 2.0;
    let line_w = 80.0;
    let gap = 5.0;
    let slots: [(&str, &str, f32); 2] =
        [(l.director, &doc.director, MARGIN_LEFT), (l.accountant, &doc.accountant, MARGIN_LEFT + half + 8.0)];

    // Lay out names first to know the height.
    let mut laid = Vec::new();
    let mut name_lines = 1;
    for (label, name, x) in slots {
        let label_w = c.width(label, SIZE_BODY, Style::Bold);
        let name_x = x + label_w + gap + line_w + gap;
        let name_w = (x + half - 8.0 - name_x).max(30.0);
        let name = c.wrap(name, SIZE_BODY, Style::Regular, name_w, 3);
        name_lines = name_lines.max(name.lines.len());
        laid.push((label, x, label_w, name_x, name_w, name));
    }
    let h = 14.0 + 18.0 + name_lines as f32 * SIZE_BODY * LEADING + SIZE_SMALL * LEADING + 4.0;
    c.ensure(h);
    c.y += 10.0;
    c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, c.y, THICK + 0.3);
    c.y += 22.0;
    let top = c.y;
    let baseline = top + SIZE_BODY * BASELINE;
    let rule_y = baseline + 2.0;
    let mut bottom = top;
    for (label, x, label_w, name_x, name_w, name) in laid {
        c.text(x, baseline, BODY_BOLD, label);
        let line_x = x + label_w + gap;
        c.hline(line_x, line_x + line_w, rule_y, THIN);
        let caption_baseline = rule_y + SIZE_SMALL + 1.0;
        c.text_in(line_x, line_w, caption_baseline, CAPTION, Align::Center, l.signature);
        // The name sits on its own rule; with several lines the rule goes under the last one.
        let name_h = name.height();
        let name_rule = rule_y + name_h - SIZE_BODY * LEADING;
        c.paras(name_x, name_w, top, &[name]);
        c.hline(name_x, name_x + name_w, name_rule, THIN);
        let name_caption = name_rule + SIZE_SMALL + 1.0;
        c.text_in(name_x, name_w, name_caption, CAPTION, Align::Center, l.signature_name);
        bottom = bottom.max(name_caption + 2.0);
    }
    c.y = bottom;
}

/// "Страница N из M" at the foot of every page of a multi-page invoice.
pub(super) fn page_numbers(pages: &mut [Vec<Item>], faces: &Faces, l: &Labels) {
    let total = pages.len();
    if total < 2 {
        return;
    }
    for (i, page) in pages.iter_mut().enumerate() {
        let text = format!("{} {} {} {total}", l.page, i + 1, l.page_of);
        let w = faces.regular.width(&text, SIZE_SMALL);
        page.push(Item::Text {
            x: MARGIN_LEFT + CONTENT_W - w,
            baseline: PAGE_H - MARGIN_BOTTOM / 2.0,
            size: SIZE_SMALL,
            style: Style::Regular,
            grey: true,
            text,
        });
    }
}
