//! Every text of the form in Russian and English, and the way money and dates are printed.
//!
//! Everything here is a pure function of the locale and the document's values. It must never
//! measure, position or draw anything, and never compute an amount: sums and VAT arrive in the
//! document already calculated, and are only formatted here.

use chrono::{Datelike, NaiveDate};

use crate::invoices::document::{InvoiceDocument, InvoiceLocale};
use crate::invoices::words::{rubles_in_words_en, rubles_in_words_ru};

/// Every fixed text of the form, per language.
pub(super) struct Labels {
    pub(super) bank: &'static str,
    pub(super) bik: &'static str,
    pub(super) corr_account: &'static str,
    pub(super) account: &'static str,
    pub(super) inn: &'static str,
    pub(super) party_inn: &'static str,
    pub(super) kpp: &'static str,
    pub(super) beneficiary: &'static str,
    pub(super) supplier: &'static str,
    pub(super) buyer: &'static str,
    pub(super) basis: &'static str,
    pub(super) order: &'static str,
    pub(super) po: &'static str,
    pub(super) columns: [&'static str; 6],
    pub(super) sku: &'static str,
    pub(super) total: &'static str,
    pub(super) vat_included: &'static str,
    pub(super) no_vat: &'static str,
    pub(super) payable: &'static str,
    pub(super) discount_included: &'static str,
    pub(super) director: &'static str,
    pub(super) accountant: &'static str,
    pub(super) signature: &'static str,
    pub(super) signature_name: &'static str,
    pub(super) page: &'static str,
    pub(super) page_of: &'static str,
}

const LABELS_RU: Labels = Labels {
    bank: "Банк получателя",
    bik: "БИК",
    corr_account: "Сч. №",
    account: "Сч. №",
    inn: "ИНН",
    party_inn: "ИНН",
    kpp: "КПП",
    beneficiary: "Получатель",
    supplier: "Поставщик (Исполнитель):",
    buyer: "Покупатель (Заказчик):",
    basis: "Основание:",
    order: "Заказ №",
    po: "ваш заказ (PO)",
    columns: ["№", "Товары (работы, услуги)", "Кол-во", "Ед.", "Цена", "Сумма"],
    sku: "Арт.",
    total: "Итого:",
    vat_included: "В том числе НДС",
    no_vat: "Без налога (НДС)",
    payable: "Всего к оплате:",
    discount_included: "В том числе скидка:",
    director: "Руководитель",
    accountant: "Бухгалтер",
    signature: "подпись",
    signature_name: "расшифровка подписи",
    page: "Страница",
    page_of: "из",
};

const LABELS_EN: Labels = Labels {
    bank: "Beneficiary's bank",
    bik: "BIC",
    corr_account: "Corr. account",
    account: "Account",
    inn: "TIN (ИНН)",
    party_inn: "TIN",
    kpp: "KPP",
    beneficiary: "Beneficiary",
    supplier: "Supplier:",
    buyer: "Buyer:",
    basis: "Basis:",
    order: "Order No.",
    po: "your PO",
    columns: ["No.", "Item", "Qty", "Unit", "Price", "Amount"],
    sku: "SKU",
    total: "Total:",
    vat_included: "incl. VAT",
    no_vat: "No VAT",
    payable: "Total payable:",
    discount_included: "incl. discount:",
    director: "Director",
    accountant: "Chief accountant",
    signature: "signature",
    signature_name: "name",
    page: "Page",
    page_of: "of",
};

pub(super) fn labels(locale: InvoiceLocale) -> &'static Labels {
    match locale {
        InvoiceLocale::Ru => &LABELS_RU,
        InvoiceLocale::En => &LABELS_EN,
    }
}

/// The document title in the PDF's metadata: "Счёт на оплату № …" / "Invoice No. …".
pub(super) fn metadata_title(doc: &InvoiceDocument) -> String {
    match doc.locale {
        InvoiceLocale::Ru => format!("Счёт на оплату № {}", doc.number),
        InvoiceLocale::En => format!("Invoice No. {}", doc.number),
    }
}

/// The heading of the form: "Счёт на оплату № … от …" / "Invoice No. … dated …".
pub(super) fn heading(doc: &InvoiceDocument) -> String {
    match doc.locale {
        InvoiceLocale::Ru => format!("Счёт на оплату № {} от {}", doc.number, long_date(doc.date, doc.locale)),
        InvoiceLocale::En => format!("Invoice No. {} dated {}", doc.number, long_date(doc.date, doc.locale)),
    }
}

/// The line count with the total ("Всего наименований N, на сумму … руб.") and the total in words.
pub(super) fn summary(doc: &InvoiceDocument) -> (String, String) {
    let count = doc.lines.len();
    let total = money(doc.total_minor, doc.locale);
    match doc.locale {
        InvoiceLocale::Ru => {
            (format!("Всего наименований {count}, на сумму {total} руб."), rubles_in_words_ru(doc.total_minor))
        }
        InvoiceLocale::En => (format!("Total items {count}, amount {total} RUB"), rubles_in_words_en(doc.total_minor)),
    }
}

/// How long the invoice is valid and what happens to the reservation after that.
pub(super) fn validity_note(doc: &InvoiceDocument) -> String {
    let until = long_date(doc.valid_until, doc.locale);
    match doc.locale {
        InvoiceLocale::Ru => format!(
            "Счёт действителен до {until} Товар зарезервирован до этой даты; после неё резерв снимается, \
             и наличие товара не гарантируется."
        ),
        InvoiceLocale::En => format!(
            "Valid until {until}. The goods are reserved until that date; after it the reservation is released \
             and availability is not guaranteed."
        ),
    }
}

/// Formats kopecks as money: "1 234,56" in Russian, "1,234.56" in English.
pub(super) fn money(minor: i64, locale: InvoiceLocale) -> String {
    let (thousands, decimal) = match locale {
        InvoiceLocale::Ru => (' ', ','),
        InvoiceLocale::En => (',', '.'),
    };
    let abs = minor.unsigned_abs();
    // Digits of the roubles from the right, a separator after every third.
    let mut reversed = Vec::with_capacity(32);
    for (i, c) in (abs / 100).to_string().chars().rev().enumerate() {
        if i > 0 && i % 3 == 0 {
            reversed.push(thousands);
        }
        reversed.push(c);
    }
    let grouped: String = reversed.into_iter().rev().collect();
    format!("{}{grouped}{decimal}{:02}", if minor < 0 { "-" } else { "" }, abs % 100)
}

/// Formats a date the way invoices print it: "26 ноября 2026 г." / "26 November 2026".
fn long_date(date: NaiveDate, locale: InvoiceLocale) -> String {
    const RU: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = date.month0() as usize % 12;
    match locale {
        InvoiceLocale::Ru => format!("{} {} {} г.", date.day(), RU[month], date.year()),
        InvoiceLocale::En => format!("{} {} {}", date.day(), EN[month], date.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_format() {
        assert_eq!(money(0, InvoiceLocale::Ru), "0,00");
        assert_eq!(money(5, InvoiceLocale::Ru), "0,05");
        assert_eq!(money(123_456, InvoiceLocale::Ru), "1 234,56");
        assert_eq!(money(100_000_000, InvoiceLocale::Ru), "1 000 000,00");
        assert_eq!(money(-123_456, InvoiceLocale::Ru), "-1 234,56");
        assert_eq!(money(123_456, InvoiceLocale::En), "1,234.56");
        assert_eq!(money(i64::MIN, InvoiceLocale::Ru), "-92 233 720 368 547 758,08");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date");
        assert_eq!(long_date(d, InvoiceLocale::Ru), "26 ноября 2026 г.");
        assert_eq!(long_date(d, InvoiceLocale::En), "26 November 2026");
    }
}
