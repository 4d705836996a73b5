//! The text of a rendered invoice, read back from the PDF with lopdf (through
//! the subset fonts' ToUnicode maps, as a viewer's copy and search would), as
//! insta snapshots in `snapshots/`: a change to what the invoice says — a label,
//! an amount, the words, a line that moved or went missing — shows in review as
//! a diff of plain text. The document is fixed (dates, numbers), so the text is
//! stable; the layout's exact coordinates are left out on purpose.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use lopdf::content::Content;
use lopdf::{Document, Encoding, Object};

use super::render;
use crate::invoices::document::{BankDetails, InvoiceDocument, InvoiceLine, InvoiceLocale, Requisites};

/// A table row: name, SKU, quantity as printed, unit, price and amount in kopecks, VAT rate.
fn line(row: (&str, &str, &str, &str, i64, i64, Option<i32>)) -> InvoiceLine {
    let (name, sku, quantity, unit, price_minor, amount_minor, vat_rate) = row;
    InvoiceLine {
        name: name.into(),
        sku: sku.into(),
        quantity: quantity.into(),
        unit: unit.into(),
        price_minor,
        amount_minor,
        vat_rate,
    }
}

/// An invoice as the portal issues one: VAT at two rates and a line without,
/// a fractional quantity, names with quotes, an ampersand and `<`.
fn document(locale: InvoiceLocale) -> InvoiceDocument {
    let lines: Vec<InvoiceLine> = [
        (
            "Перчатки нитриловые «Стандарт», размер M, упаковка 100 шт.",
            "OPT-01000",
            "12",
            "уп",
            64_550,
            774_600,
            Some(20),
        ),
        ("Бумага офисная А4, 80 г/м², 500 листов", "OPT-01001", "1 500", "пач", 38_990, 58_485_000, Some(20)),
        ("Скотч упаковочный 48 мм × 66 м, прозрачный", "", "40", "шт", 9_900, 396_000, Some(20)),
        ("Крупа гречневая ядрица (<1 % примесей), «Мешок & Ко»", "GR-5", "2,5", "кг", 12_000, 30_000, Some(10)),
        ("Доставка до склада покупателя", "", "1", "усл", 150_000, 150_000, None),
    ]
    .into_iter()
    .map(line)
    .collect();
    let total: i64 = lines.iter().map(|l| l.amount_minor).sum();
    let vat_at = |rate: i32| -> i64 {
        lines
            .iter()
            .filter(|l| l.vat_rate == Some(rate))
            .map(|l| l.amount_minor * i64::from(rate) / (100 + i64::from(rate)))
            .sum()
    };
    InvoiceDocument {
        locale,
        number: "1024".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date"),
        valid_until: NaiveDate::from_ymd_opt(2026, 12, 1).expect("valid date"),
        supplier: Requisites {
            name: "ООО «Оптовик»".into(),
            inn: "7701234567".into(),
            kpp: "770101001".into(),
            address: "123456, г. Москва, ул. Складская, д. 12, стр. 3, офис 405".into(),
        },
        bank: BankDetails {
            bank_name: "ПАО Сбербанк, г. Москва".into(),
            bik: "044525225".into(),
            account: "40702810938000012345".into(),
            correspondent_account: "30101810400000000225".into(),
        },
        director: "Иванов И. И.".into(),
        accountant: "Петрова А. С.".into(),
        buyer: Requisites {
            name: "ИП Сидоров Пётр Алексеевич".into(),
            inn: "502912345678".into(),
            kpp: String::new(),
            address: "141002, Московская обл., г. Мытищи, ул. Колпакова, д. 2А, помещение 17".into(),
        },
        order_number: "2026-000123".into(),
        po_number: Some("PO-4471".into()),
        contract: Some("Договор ОПТ-2026/014 от 15 января 2026 г.".into()),
        total_minor: total,
        vat: vec![(10, vat_at(10)), (20, vat_at(20))],
        lines,
    }
}

/// The text of each page: the text runs grouped into lines by baseline, top to
/// bottom, and the runs of a line left to right, separated by ` | `.
fn page_texts(pdf: &[u8]) -> String {
    let doc = Document::load_mem(pdf).expect("lopdf reads the invoice");
    let mut out = String::new();
    for (number, page_id) in doc.get_pages() {
        let encodings: BTreeMap<Vec<u8>, Encoding> = doc
            .get_page_fonts(page_id)
            .expect("fonts")
            .into_iter()
            .map(|(name, font)| (name, font.get_font_encoding(&doc).expect("font encoding")))
            .collect();
        let content = Content::decode(&doc.get_page_content(page_id)).expect("decodes");
        // Baseline (hundredths of a point, negated so that top comes first) → (x, text) runs.
        let mut lines: BTreeMap<i64, Vec<(f32, String)>> = BTreeMap::new();
        let (mut font, mut x, mut y) = (None, 0.0, 0.0);
        for op in &content.operations {
            let number = |i: usize| op.operands.get(i).and_then(|o| o.as_float().ok()).unwrap_or(0.0);
            match op.operator.as_str() {
                "BT" => (x, y) = (0.0, 0.0),
                "Td" => (x, y) = (x + number(0), y + number(1)),
                "Tm" => (x, y) = (number(4), number(5)),
                "Tf" => font = op.operands.first().and_then(|o| o.as_name().ok()).and_then(|n| encodings.get(n)),
                "Tj" | "TJ" => {
                    let encoding = font.expect("a font is set before text");
                    let strings = match op.operands.first() {
                        Some(Object::Array(items)) => items.clone(),
                        Some(string) => vec![string.clone()],
                        None => Vec::new(),
                    };
                    let text: String = strings
                        .iter()
                        .filter_map(|o| o.as_str().ok())
                        .map(|bytes| Document::decode_text(encoding, bytes).expect("ToUnicode decodes"))
                        .collect();
                    lines.entry((-y * 100.0).round() as i64).or_default().push((x, text));
                }
                _ => {}
            }
        }
        out.push_str(&format!("--- page {number} ---\n"));
        for mut runs in lines.into_values() {
            runs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let runs: Vec<String> = runs.into_iter().map(|(_, text)| text).collect();
            out.push_str(runs.join(" | ").trim_end());
            out.push('\n');
        }
    }
    out
}

#[test]
fn russian_invoice_text_matches_its_snapshot() {
    let pdf = render(&document(InvoiceLocale::Ru)).expect("renders");
    insta::assert_snapshot!("invoice.ru", page_texts(&pdf));
}

#[test]
fn english_invoice_text_matches_its_snapshot() {
    let pdf = render(&document(InvoiceLocale::En)).expect("renders");
    insta::assert_snapshot!("invoice.en", page_texts(&pdf));
}
