//! The text of a rendered invoice, read back from the PDF with lopdf (through
//! the subset fonts' ToUnicode maps, as a viewer's copy and search would), as
//! insta snapshots in `snapshots/`: a change to what the invoice says — a label,
//! an amount, the words, a line that moved or went missing — shows in review as
//! a diff of plain text. The document is fixed (dates, numbers), so the text is
//! stable; the layout's exact coordinates are left out on purpose.

use chrono::NaiveDate;

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
        discount_minor: 12_345,
        vat: vec![(10, vat_at(10)), (20, vat_at(20))],
        lines,
    }
}

fn page_texts(pdf: &[u8]) -> String {
    crate::invoices::pdf_text::page_texts(pdf).expect("the PDF reads back")
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

/// A statement with an opening debt, a shipment, a payment and a return.
fn statement(locale: InvoiceLocale) -> crate::finance::statement::Statement {
    use crate::finance::statement::{Statement, StatementRow};
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    let rows = vec![
        StatementRow {
            date: day(11, 3),
            document: "Реализация № РН-2026-0533".into(),
            debit_minor: 9_675_000,
            credit_minor: 0,
        },
        StatementRow {
            date: day(11, 15),
            document: "Оплата № ПП-1342".into(),
            debit_minor: 0,
            credit_minor: 6_000_000,
        },
        StatementRow {
            date: day(11, 20), document: "Возврат № ВЗ-31".into(), debit_minor: 0, credit_minor: 124_050
        },
    ];
    let (debit, credit) = (9_675_000, 6_124_050);
    Statement {
        locale,
        supplier: Requisites {
            name: "ООО «Оптовик»".into(),
            inn: "7700000000".into(),
            kpp: "770001001".into(),
            address: String::new(),
        },
        buyer: Requisites {
            name: "ООО «СтройМаркет»".into(),
            inn: "7701234564".into(),
            kpp: "770101001".into(),
            address: String::new(),
        },
        contract: "ОПТ-2026/014".into(),
        from: day(11, 1),
        to: day(11, 30),
        opening_minor: 1_200_000,
        rows,
        debit_minor: debit,
        credit_minor: credit,
        closing_minor: 1_200_000 + debit - credit,
        director: "Соколов А. В.".into(),
        accountant: "Морозова Е. П.".into(),
    }
}

#[test]
fn statement_text_matches_its_snapshot_in_both_languages() {
    for (locale, name) in [(InvoiceLocale::Ru, "statement.ru"), (InvoiceLocale::En, "statement.en")] {
        let pdf = super::render_statement(&statement(locale)).expect("renders");
        insta::assert_snapshot!(name, page_texts(&pdf));
    }
}
