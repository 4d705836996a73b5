//! Issuing an order's invoice: read the order through the order read model,
//! gather the supplier's requisites (settings) and the buyer's; take the next
//! invoice number; render the PDF and store it with the order. Runs inside
//! the checkout transaction.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use diesel::prelude::*;

use super::{BankDetails, InvoiceDocument, InvoiceLine, InvoiceLocale, Requisites};
use crate::accounts::Company;
use crate::counters;
use crate::db::schema::{contracts, invoices};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::OrderId;
use crate::money::Qty;
use crate::ordering::orders::{self, OrderLine, Scope};
use crate::ordering::reservations::lines_of;
use crate::settings;
use crate::terms::delivery::ServiceLine;

/// Renders and stores the invoice of `order_id`; returns its number.
#[tracing::instrument(skip_all, fields(order = %order_id))]
pub fn issue_for_order(conn: &mut DbConn, order_id: OrderId) -> Result<i64> {
    render_and_store(conn, order_id, None)
}

/// Renders the order's invoice again after its lines changed (a manual
/// discount), under the same number and date; the ledger's invoice entry
/// follows the new total. `None` when the order has no invoice yet.
#[tracing::instrument(skip_all, fields(order = %order_id))]
pub fn reissue(conn: &mut DbConn, order_id: OrderId) -> Result<Option<i64>> {
    let existing: Option<(i64, chrono::NaiveDateTime)> = invoices::table
        .filter(invoices::order_id.eq(order_id))
        .order(invoices::number.desc())
        .select((invoices::number, invoices::issued_at))
        .first(conn)
        .optional()?;
    existing.map(|existing| render_and_store(conn, order_id, Some(existing))).transpose()
}

/// Renders the invoice under the next number (`None`) or an existing one,
/// stores it and posts the debt.
fn render_and_store(
    conn: &mut DbConn,
    order_id: OrderId,
    existing: Option<(i64, chrono::NaiveDateTime)>,
) -> Result<i64> {
    let order = orders::find(conn, Scope::All, order_id)?;
    let lines = lines_of(conn, order.id)?;
    let delivery = crate::terms::delivery::service_line(conn, &order)?;
    let buyer = Company::find(conn, order.company_id)?;
    let contract: String = contracts::table.find(order.contract_id).select(contracts::number).first(conn)?;
    let lang = if order.locale == "en" { "en" } else { "ru" };
    let zone = settings::timezone(conn)?;
    let now = existing.map_or_else(|| Utc::now().naive_utc(), |(_, issued)| issued);
    let today = zone.from_utc_datetime(&now).date_naive();
    let valid_until = order.reservation_deadline.map(|d| zone.from_utc_datetime(&d).date_naive()).unwrap_or(today);
    let number = match existing {
        Some((number, _)) => number,
        None => counters::next(conn, "invoice")?,
    };
    let document = InvoiceDocument {
        locale: if lang == "en" { InvoiceLocale::En } else { InvoiceLocale::Ru },
        number: number.to_string(),
        date: today,
        valid_until,
        supplier: supplier(conn)?,
        bank: bank(conn)?,
        director: setting(conn, settings::SUPPLIER_DIRECTOR)?,
        accountant: setting(conn, settings::SUPPLIER_ACCOUNTANT)?,
        buyer: Requisites { name: buyer.name, inn: buyer.inn, kpp: buyer.kpp, address: buyer.legal_address },
        order_number: order.number.clone(),
        po_number: Some(order.po_number.clone()).filter(|p| !p.is_empty()),
        contract: Some(if lang == "en" {
            format!("Contract {contract}")
        } else {
            format!("Договор {contract}")
        }),
        vat: vat_by_rate(&lines, delivery.as_ref()),
        lines: lines
            .iter()
            .map(|line| invoice_line(line, lang))
            .chain(delivery.as_ref().map(|d| service_invoice_line(d, lang)))
            .collect(),
        total_minor: order.total_minor,
        discount_minor: discount_of(&lines),
    };
    let pdf = super::pdf::render(&document).map_err(|e| Error::Internal(format!("invoice PDF: {e}")))?;
    if existing.is_some() {
        diesel::update(invoices::table.filter(invoices::number.eq(number)))
            .set((invoices::total_minor.eq(order.total_minor), invoices::pdf.eq(pdf)))
            .execute(conn)?;
    } else {
        diesel::insert_into(invoices::table)
            .values((
                invoices::number.eq(number),
                invoices::order_id.eq(order.id),
                invoices::issued_at.eq(now),
                invoices::valid_until.eq(valid_until),
                invoices::total_minor.eq(order.total_minor),
                invoices::locale.eq(lang),
                invoices::pdf.eq(pdf),
            ))
            .execute(conn)?;
    }
    let total = crate::money::Money(order.total_minor);
    let document = (number.to_string(), today);
    let on = crate::finance::DebitOn::Invoice;
    crate::finance::ledger::post_debt(conn, order.contract_id, order.id, on, (&document.0, document.1), total)?;
    Ok(number)
}

/// What the contract, the rules, promo codes and managers took off the lines.
fn discount_of(lines: &[OrderLine]) -> i64 {
    lines.iter().flat_map(|l| l.price_adjustments()).filter(|a| a.is_discount()).map(|a| -a.amount_minor).sum()
}

pub(crate) fn setting(conn: &mut DbConn, key: &str) -> Result<String> {
    Ok(settings::get(conn, key)?.unwrap_or_default())
}

/// The supplier's requisites from the settings.
pub(crate) fn supplier(conn: &mut DbConn) -> Result<Requisites> {
    Ok(Requisites {
        name: setting(conn, settings::SUPPLIER_NAME)?,
        inn: setting(conn, settings::SUPPLIER_INN)?,
        kpp: setting(conn, settings::SUPPLIER_KPP)?,
        address: setting(conn, settings::SUPPLIER_ADDRESS)?,
    })
}

/// The supplier's bank from the settings.
fn bank(conn: &mut DbConn) -> Result<BankDetails> {
    Ok(BankDetails {
        bank_name: setting(conn, settings::BANK_NAME)?,
        bik: setting(conn, settings::BANK_BIK)?,
        account: setting(conn, settings::BANK_ACCOUNT)?,
        correspondent_account: setting(conn, settings::BANK_CORR_ACCOUNT)?,
    })
}

/// VAT per rate, in kopecks (lines without VAT or at 0 % left out).
fn vat_by_rate(lines: &[OrderLine], delivery: Option<&ServiceLine>) -> Vec<(i32, i64)> {
    let mut vat: BTreeMap<i32, i64> = BTreeMap::new();
    for line in lines {
        if let Some(rate) = line.vat_rate.filter(|r| *r > 0) {
            *vat.entry(rate).or_default() += line.vat_minor;
        }
    }
    if let Some((rate, line)) = delivery.and_then(|d| Some((d.vat_rate?, d))) {
        *vat.entry(rate).or_default() += line.vat_minor;
    }
    vat.into_iter().collect()
}

/// The delivery as a service row: one service at its cost.
fn service_invoice_line(line: &ServiceLine, lang: &str) -> InvoiceLine {
    InvoiceLine {
        name: line.name(lang).to_string(),
        sku: String::new(),
        quantity: Qty(crate::money::QTY_SCALE).format(lang),
        unit: if lang == "en" { "service".into() } else { "усл.".into() },
        price_minor: line.amount_minor,
        amount_minor: line.amount_minor,
        vat_rate: line.vat_rate,
    }
}

fn invoice_line(line: &OrderLine, lang: &str) -> InvoiceLine {
    // Under the SKU, where the price came from ("договор −3 %, объём −5 %").
    let explained = crate::pricing::LinePrice::explained(&line.price_adjustments(), lang, &line.unit);
    InvoiceLine {
        name: line.name.clone(),
        sku: if explained.is_empty() { line.sku.clone() } else { format!("{} · {explained}", line.sku) },
        quantity: Qty(line.quantity).format(lang),
        unit: line.unit.clone(),
        price_minor: line.price_minor,
        amount_minor: line.amount_minor,
        vat_rate: line.vat_rate,
    }
}
