//! Copying a previous order into a cart through the same rule engine, and
//! telling the buyer what changed since: price, discontinued, availability.

use serde::Serialize;

use super::carts::Cart;
use super::offer_facts;
use super::orders::{detail, Scope};
use super::report::{apply, Applied, ReportRow};
use super::rules::{evaluate, Requested, VerdictKind};
use crate::catalog::{prices_of, vat_rates_of};
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::{OfferId, OrderId};
use crate::money::{Money, Qty};
use crate::pricing::PriceContext;

/// A reordered line: the report row plus the price then and now.
#[derive(Debug, Clone, Serialize)]
pub struct ReorderRow {
    pub report: ReportRow,
    pub old_price: Money,
    pub new_price: Option<Money>,
    pub price_changed: bool,
    pub discontinued: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reordered {
    pub rows: Vec<ReorderRow>,
    pub applied: Applied,
}

/// Copies the order's lines into `cart`. The order must be in `scope`.
#[tracing::instrument(skip_all, fields(order = %order_id, cart = %cart.id))]
pub fn reorder(
    conn: &mut DbConn,
    scope: Scope,
    order_id: OrderId,
    cart: &Cart,
    pricing: &PriceContext,
) -> Result<Reordered> {
    let order = detail(conn, scope, order_id)?;
    let ids: Vec<OfferId> = order.lines.iter().map(|l| l.offer_id).collect();
    let facts = offer_facts::by_ids(conn, &ids, &pricing.assortment)?;
    let prices = prices_of(conn, &ids, pricing.price_type_id)?;
    let vat = vat_rates_of(conn, &ids)?;
    let rows: Vec<ReorderRow> = order
        .lines
        .iter()
        .map(|line| {
            let offer = facts.get(&line.offer_id).cloned();
            let verdict = evaluate(Requested::Quantity(Qty(line.quantity)), offer.as_ref());
            let new_price = prices
                .iter()
                .find(|(o, _)| *o == line.offer_id)
                .map(|(_, p)| pricing.unit_price(Money(*p), vat.get(&line.offer_id).copied().flatten()).gross);
            let discontinued =
                matches!(verdict.kind, VerdictKind::Unknown | VerdictKind::Inactive | VerdictKind::NotAvailable);
            ReorderRow {
                price_changed: new_price.is_some_and(|p| p.minor() != line.price_minor),
                old_price: Money(line.price_minor),
                new_price,
                discontinued,
                report: ReportRow {
                    row: line.line_no as usize,
                    sku: line.sku.clone(),
                    quantity_text: Qty(line.quantity).plain(),
                    verdict,
                    offer,
                    suggestions: Vec::new(),
                },
            }
        })
        .collect();
    let report: Vec<ReportRow> = rows.iter().map(|r| r.report.clone()).collect();
    let applied = apply(conn, cart, pricing, &report)?;
    Ok(Reordered { rows, applied })
}
