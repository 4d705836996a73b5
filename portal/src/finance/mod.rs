//! Finance: what a buyer owes under each contract, by when, and whether a
//! new order fits their credit. The ERP is the master of the books; the
//! portal keeps a ledger per contract from what it records itself
//! (shipments or invoices as debits, payments as credits) and from what the
//! ERP sends (a ledger file or JSON, which wins per document, and an
//! authoritative balance, which wins over the ledger's sum).
//!
//! - [`ledger`]: the entries and how they are written;
//! - [`position`]: balance, overdue debt and open documents per contract;
//! - [`credit`]: the check at checkout;
//! - [`reminders`]: payment reminders before and after the due date;
//! - [`ledger_file`]: the ERP's ledger rows, checked and applied all or nothing;
//! - [`statement`]: the reconciliation statement (акт сверки), PDF and XLSX;
//! - [`closing`] and [`closing_file`]: closing documents (УПД, счёт-фактура,
//!   ТОРГ-12, acts) the ERP sends as PDF or ЭДО XML, placed by number.

pub mod closing;
pub mod closing_file;
pub mod credit;
pub mod ledger;
pub mod ledger_file;
pub mod position;
pub mod reminders;
pub mod statement;

use crate::db::stored_text::stored_text_enum;

stored_text_enum! {
    /// What puts a debt on a contract's ledger.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum DebitOn {
        /// Each shipment, at the value of what was shipped (the default).
        Shipment = "shipment",
        /// The invoice issued when the order is placed (billing on order).
        Invoice = "invoice",
    }
}

stored_text_enum! {
    /// The kind of a ledger document (label `ledger.{kind}`).
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum EntryKind {
        /// A debt from an invoice (contracts billed on order).
        Invoice = "invoice",
        /// A debt from a shipment (УПД, ТОРГ-12).
        Shipment = "shipment",
        /// Money received.
        Payment = "payment",
        /// Goods returned: a credit.
        Return = "return",
        /// A correction either way.
        Adjustment = "adjustment",
    }
}

stored_text_enum! {
    /// Who wrote a ledger entry.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum EntrySource {
        /// Recorded by the portal (a manager, the status exchange).
        Portal = "portal",
        /// Sent by the ERP; it replaces the portal's record of the document.
        Erp = "erp",
    }
}

/// Today in the supplier's time zone: what "overdue" is measured against.
pub fn today(conn: &mut crate::db::DbConn) -> crate::error::Result<chrono::NaiveDate> {
    use chrono::TimeZone;
    let now = chrono::Utc::now().naive_utc();
    Ok(crate::settings::timezone(conn)?.from_utc_datetime(&now).date_naive())
}

/// The setting that decides what happens to an order over the credit limit
/// (or with debt overdue past the grace period): `refuse` (default) or
/// `approval` (placed as "awaiting approval" for the manager).
pub const CREDIT_POLICY: &str = "credit_policy";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_are_the_stored_texts() {
        crate::db::stored_text::assert_api_names_match(DebitOn::ALL, |v| v.as_str());
        crate::db::stored_text::assert_api_names_match(EntryKind::ALL, |v| v.as_str());
        crate::db::stored_text::assert_api_names_match(EntrySource::ALL, |v| v.as_str());
    }
}
