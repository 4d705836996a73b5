//! The top of the form, above the lines table: the bank block (payment details of the supplier),
//! the "Счёт на оплату № … от …" title and the supplier / buyer / basis rows.
//!
//! Each function draws its block at the canvas cursor, starting a new page first if the block
//! does not fit, and leaves the cursor below it. Texts come from `labels`; this module must never
//! hold a form text of its own, never format money or dates itself and never touch printpdf.

use super::fonts::Style;
use super::labels::{self, Labels};
use super::layout::{
    Align, Canvas, Para, CONTENT_W, LEADING, MARGIN_LEFT, MAX_FIELD_LINES, PAD_X, PAD_Y, SIZE_BODY, SIZE_SMALL,
    SIZE_TITLE, THICK, THIN,
};
use crate::invoices::document::{InvoiceDocument, Requisites};

/// Bank block: the payment order details at the top of the invoice.
pub(super) fn bank_block(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    let x0 = MARGIN_LEFT;
    let value_w = 132.0;
    let label_w = [l.bik, l.corr_account, l.account]
        .iter()
        .map(|s| c.width(s, SIZE_BODY, Style::Regular))
        .fold(36.0_f32, f32::max)
        + 2.0 * PAD_X
        + 4.0;
    let left_w = CONTENT_W - label_w - value_w;
    let x_label = x0 + left_w;
    let x_value = x_label + label_w;
    let inner = |w: f32| w - 2.0 * PAD_X;
    let min_row = SIZE_BODY * LEADING + 2.0 * PAD_Y;

    // Row A: bank name over "Bank" caption | BIC, corr. account.
    let mut bank_caption = c.wrap(l.bank, SIZE_SMALL, Style::Regular, inner(left_w), 2);
    bank_caption.grey = true;
    let bank_name = c.wrap(&doc.bank.bank_name, SIZE_BODY, Style::Regular, inner(left_w), 4);
    let bik = c.wrap(&doc.bank.bik, SIZE_BODY, Style::Regular, inner(value_w), 2);
    let corr = c.wrap(&doc.bank.correspondent_account, SIZE_BODY, Style::Regular, inner(value_w), 3);
    let bik_h = (bik.height() + 2.0 * PAD_Y).max(min_row);
    let corr_h = (corr.height() + 2.0 * PAD_Y).max(min_row);
    let bank_h = bank_name.height() + bank_caption.height() + 2.0 * PAD_Y + 4.0;
    let row_a = (bik_h + corr_h).max(bank_h);

    // Row B: INN | KPP, then supplier name over "Beneficiary" caption | account.
    let half = left_w / 2.0;
    let inn = c.wrap(&format!("{} {}", l.inn, doc.supplier.inn), SIZE_BODY, Style::Regular, inner(half), 2);
    let kpp = c.wrap(&format!("{} {}", l.kpp, doc.supplier.kpp), SIZE_BODY, Style::Regular, inner(half), 2);
    let inn_h = (inn.height().max(kpp.height()) + 2.0 * PAD_Y).max(min_row);
    let name = c.wrap(&doc.supplier.name, SIZE_BODY, Style::Regular, inner(left_w), 4);
    let mut name_caption = c.wrap(l.beneficiary, SIZE_SMALL, Style::Regular, inner(left_w), 2);
    name_caption.grey = true;
    let account = c.wrap(&doc.bank.account, SIZE_BODY, Style::Regular, inner(value_w), 3);
    let row_b = (inn_h + name.height() + name_caption.height() + 2.0 * PAD_Y + 4.0)
        .max(account.height() + 2.0 * PAD_Y)
        .max(2.0 * min_row);

    c.ensure(row_a + row_b);
    let y0 = c.y;
    let y_b = y0 + row_a;
    let y1 = y_b + row_b;

    // Rules.
    c.frame(x0, y0, CONTENT_W, row_a + row_b, THIN);
    c.hline(x0, x0 + CONTENT_W, y_b, THIN);
    c.vline(x_label, y0, y1, THIN);
    c.vline(x_value, y0, y1, THIN);
    c.hline(x_label, x0 + CONTENT_W, y0 + bik_h, THIN);
    c.hline(x0, x_label, y_b + inn_h, THIN);
    c.vline(x0 + half, y_b, y_b + inn_h, THIN);

    // Row A text.
    c.paras(x0 + PAD_X, inner(left_w), y0 + PAD_Y, &[bank_name]);
    c.paras(x0 + PAD_X, inner(left_w), y_b - PAD_Y - bank_caption.height(), &[bank_caption]);
    let label = |s: &str| Para {
        lines: vec![s.to_string()],
        size: SIZE_BODY,
        style: Style::Regular,
        grey: false,
        align: Align::Left,
    };
    c.paras(x_label + PAD_X, inner(label_w), y0 + PAD_Y, &[label(l.bik)]);
    c.paras(x_value + PAD_X, inner(value_w), y0 + PAD_Y, &[bik]);
    c.paras(x_label + PAD_X, inner(label_w), y0 + bik_h + PAD_Y, &[label(l.corr_account)]);
    c.paras(x_value + PAD_X, inner(value_w), y0 + bik_h + PAD_Y, &[corr]);

    // Row B text.
    c.paras(x0 + PAD_X, inner(half), y_b + PAD_Y, &[inn]);
    c.paras(x0 + half + PAD_X, inner(half), y_b + PAD_Y, &[kpp]);
    c.paras(x0 + PAD_X, inner(left_w), y_b + inn_h + PAD_Y, &[name]);
    c.paras(x0 + PAD_X, inner(left_w), y1 - PAD_Y - name_caption.height(), &[name_caption]);
    c.paras(x_label + PAD_X, inner(label_w), y_b + PAD_Y, &[label(l.account)]);
    c.paras(x_value + PAD_X, inner(value_w), y_b + PAD_Y, &[account]);

    c.y = y1;
}

/// "Счёт на оплату № … от …" in large bold type, with a heavy rule under it.
pub(super) fn title(c: &mut Canvas, doc: &InvoiceDocument) {
    let para = c.wrap(&labels::heading(doc), SIZE_TITLE, Style::Bold, CONTENT_W, 3);
    let h = para.height();
    c.ensure(h + 20.0);
    c.y += 14.0;
    let top = c.y;
    c.paras(MARGIN_LEFT, CONTENT_W, top, &[para]);
    c.y = top + h + 4.0;
    c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, c.y, THICK + 0.3);
    c.y += 8.0;
}

/// One "label: value" row of the parties section; the value is bold as on the standard form.
fn party_row(c: &mut Canvas, label: &str, value: &str) {
    let label_w = 96.0;
    let label = c.wrap(label, SIZE_BODY, Style::Regular, label_w - 6.0, 3);
    let value = c.wrap(value, SIZE_BODY, Style::Bold, CONTENT_W - label_w, MAX_FIELD_LINES);
    let h = label.height().max(value.height());
    c.ensure(h);
    let top = c.y;
    c.paras(MARGIN_LEFT, label_w, top, &[label]);
    c.paras(MARGIN_LEFT + label_w, CONTENT_W - label_w, top, &[value]);
    c.y = top + h + 5.0;
}

/// "name, ИНН …, КПП …, address" for a party.
fn party_text(p: &Requisites, l: &Labels) -> String {
    let mut parts = vec![p.name.trim().to_string()];
    if !p.inn.trim().is_empty() {
        parts.push(format!("{} {}", l.party_inn, p.inn.trim()));
    }
    if !p.kpp.trim().is_empty() {
        parts.push(format!("{} {}", l.kpp, p.kpp.trim()));
    }
    if !p.address.trim().is_empty() {
        parts.push(p.address.trim().to_string());
    }
    parts.retain(|s| !s.is_empty());
    parts.join(", ")
}

/// Supplier, buyer and basis of the invoice.
pub(super) fn parties(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    party_row(c, l.supplier, &party_text(&doc.supplier, l));
    party_row(c, l.buyer, &party_text(&doc.buyer, l));
    let mut basis = Vec::new();
    if let Some(contract) = doc.contract.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        basis.push(contract.to_string());
    }
    basis.push(format!("{} {}", l.order, doc.order_number));
    if let Some(po) = doc.po_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        basis.push(format!("{} {po}", l.po));
    }
    party_row(c, l.basis, &basis.join(", "));
}
