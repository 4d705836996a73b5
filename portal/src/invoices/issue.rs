//! Issuing an order's invoice: gather the supplier's requisites (settings),
//! the buyer, the order lines; take the next invoice number; render the PDF
//! and store it with the order. Runs inside the checkout transaction.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use diesel::prelude::*;

use super::{BankDetails, InvoiceDocument, InvoiceLine, InvoiceLocale, Requisites};
use crate::counters;
use crate::db::schema::{companies, contracts, invoices, order_lines, orders};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::money::Qty;
use crate::settings;

/// Renders and stores the invoice of `order_id`; returns its number.
pub fn issue_for_order(conn: &mut DbConn, order_id: i64) -> Result<i64> {
    let (order_number, company_id, contract_id, total, deadline, po_number, locale) = orders::table
        .find(order_id)
        .select((
            orders::number,
            orders::company_id,
            orders::contract_id,
            orders::total_minor,
            orders::reservation_deadline,
            orders::po_number,
            orders::locale,
        ))
        .first::<(String, i64, i64, i64, Option<chrono::NaiveDateTime>, String, String)>(conn)?;
    let (buyer_name, inn, kpp, address) = companies::table
        .find(company_id)
        .select((companies::name, companies::inn, companies::kpp, companies::legal_address))
        .first::<(String, String, String, String)>(conn)?;
    let contract: String = contracts::table.find(contract_id).select(contracts::number).first(conn)?;
    let lines = order_lines::table
        .filter(order_lines::order_id.eq(order_id))
        .order(order_lines::line_no)
        .select((
            order_lines::name,
            order_lines::sku,
            order_lines::quantity,
            order_lines::unit,
            order_lines::price_minor,
            order_lines::amount_minor,
            order_lines::vat_rate,
            order_lines::vat_minor,
        ))
        .load::<(String, String, i64, String, i64, i64, Option<i32>, i64)>(conn)?;

    let lang = if locale == "en" { "en" } else { "ru" };
    let mut vat: BTreeMap<i32, i64> = BTreeMap::new();
    for line in &lines {
        if let Some(rate) = line.6.filter(|r| *r > 0) {
            *vat.entry(rate).or_default() += line.7;
        }
    }
    let zone = settings::timezone(conn)?;
    let now = Utc::now().naive_utc();
    let today = zone.from_utc_datetime(&now).date_naive();
    let valid_until = deadline.map(|d| zone.from_utc_datetime(&d).date_naive()).unwrap_or(today);
    let number = counters::next(conn, "invoice")?;
    let setting =
        |conn: &mut DbConn, key: &str| -> Result<String> { Ok(settings::get(conn, key)?.unwrap_or_default()) };
    let document = InvoiceDocument {
        locale: if lang == "en" { InvoiceLocale::En } else { InvoiceLocale::Ru },
        number: number.to_string(),
        date: today,
        valid_until,
        supplier: Requisites {
            name: setting(conn, settings::SUPPLIER_NAME)?,
            inn: setting(conn, settings::SUPPLIER_INN)?,
            kpp: setting(conn, settings::SUPPLIER_KPP)?,
            address: setting(conn, settings::SUPPLIER_ADDRESS)?,
        },
        bank: BankDetails {
            bank_name: setting(conn, settings::BANK_NAME)?,
            bik: setting(conn, settings::BANK_BIK)?,
            account: setting(conn, settings::BANK_ACCOUNT)?,
            correspondent_account: setting(conn, settings::BANK_CORR_ACCOUNT)?,
        },
        director: setting(conn, settings::SUPPLIER_DIRECTOR)?,
        accountant: setting(conn, settings::SUPPLIER_ACCOUNTANT)?,
        buyer: Requisites { name: buyer_name, inn, kpp, address },
        order_number,
        po_number: Some(po_number).filter(|p| !p.is_empty()),
        contract: Some(if lang == "en" {
            format!("Contract {contract}")
        } else {
            format!("Договор {contract}")
        }),
        lines: lines
            .into_iter()
            .map(|(name, sku, quantity, unit, price, amount, vat_rate, _)| InvoiceLine {
                name,
                sku,
                quantity: Qty(quantity).format(lang),
                unit,
                price_minor: price,
                amount_minor: amount,
                vat_rate,
            })
            .collect(),
        total_minor: total,
        vat: vat.into_iter().collect(),
    };
    let pdf = super::pdf::render(&document).map_err(|e| Error::Internal(format!("invoice PDF: {e}")))?;
    diesel::insert_into(invoices::table)
        .values((
            invoices::number.eq(number),
            invoices::order_id.eq(order_id),
            invoices::issued_at.eq(now),
            invoices::valid_until.eq(valid_until),
            invoices::total_minor.eq(total),
            invoices::locale.eq(lang),
            invoices::pdf.eq(pdf),
        ))
        .execute(conn)?;
    Ok(number)
}
