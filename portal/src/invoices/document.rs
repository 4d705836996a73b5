//! What an invoice shows, independent of how it is drawn.
use chrono::NaiveDate;

/// A legal party (supplier or buyer) with its Russian registration details.
#[derive(Debug, Clone)]
pub struct Requisites {
    /// Full name, e.g. "ООО «Оптовик»".
    pub name: String,
    /// ИНН (taxpayer number).
    pub inn: String,
    /// КПП; empty for a sole proprietor.
    pub kpp: String,
    /// Legal address.
    pub address: String,
}

/// The supplier's bank account the invoice is paid to.
#[derive(Debug, Clone)]
pub struct BankDetails {
    /// Bank name with city, e.g. "ПАО Сбербанк, г. Москва".
    pub bank_name: String,
    /// БИК, 9 digits.
    pub bik: String,
    /// Settlement account (р/с), 20 digits.
    pub account: String,
    /// Correspondent account (к/с), 20 digits.
    pub correspondent_account: String,
}

/// One row of the invoice table.
#[derive(Debug, Clone)]
pub struct InvoiceLine {
    /// Product name as printed.
    pub name: String,
    /// Article / SKU, printed under the name; may be empty.
    pub sku: String,
    /// Quantity, already formatted ("1 500", "2,5").
    pub quantity: String,
    /// Unit of measure ("шт", "кг").
    pub unit: String,
    /// Unit price including VAT, in kopecks.
    pub price_minor: i64,
    /// Line total including VAT, in kopecks.
    pub amount_minor: i64,
    /// VAT rate in percent; `None` means the line carries no VAT.
    pub vat_rate: Option<i32>,
}

/// The language an invoice is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceLocale {
    /// Russian, the usual "Счёт на оплату" form.
    Ru,
    /// English, same structure with English labels.
    En,
}

/// Everything printed on one invoice.
#[derive(Debug, Clone)]
pub struct InvoiceDocument {
    /// Language of the labels, dates and amount in words.
    pub locale: InvoiceLocale,
    /// Invoice number, e.g. "1024".
    pub number: String,
    /// Invoice date.
    pub date: NaiveDate,
    /// Last day the invoice (and the goods reservation) is valid.
    pub valid_until: NaiveDate,
    /// The party issuing the invoice.
    pub supplier: Requisites,
    /// The supplier's bank account.
    pub bank: BankDetails,
    /// Director's name for the signature line, e.g. "Иванов И. И.".
    pub director: String,
    /// Chief accountant's name for the signature line.
    pub accountant: String,
    /// The party paying the invoice.
    pub buyer: Requisites,
    /// The portal's order number.
    pub order_number: String,
    /// The buyer's own purchase-order number, if given.
    pub po_number: Option<String>,
    /// Contract the supply is based on, e.g. "Договор ОПТ-2026/014".
    pub contract: Option<String>,
    /// Table rows, in print order.
    pub lines: Vec<InvoiceLine>,
    /// Amount payable including VAT, in kopecks.
    pub total_minor: i64,
    /// The discounts already taken off the lines (contract, rules, promo
    /// code, manager), in kopecks; printed as "incl. discount" when not zero.
    pub discount_minor: i64,
    /// VAT per rate: (rate %, VAT amount in kopecks); empty means no VAT at all.
    pub vat: Vec<(i32, i64)>,
}
