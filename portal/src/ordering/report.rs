//! The per-row report of a multi-line order (quick order, file upload,
//! reorder): resolve each typed SKU, merge rows of the same offer, judge
//! every row with the rule engine, suggest close SKUs for unknown ones — and,
//! when the buyer agrees, add the accepted rows to a cart.

use std::collections::HashMap;

use serde::Serialize;

use super::carts::{self, Cart};
use super::offer_facts;
use super::rules::{evaluate, Note, OfferFacts, Requested, Verdict, VerdictKind};
use super::upload::RowInput;
use crate::catalog::search_index::SearchIndex;
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::{CompanyId, OfferId};
use crate::money::{Money, Qty};
use crate::pricing::PriceContext;
use crate::terms::assortment::Assortment;

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    /// 1-based row (sheet row, or line of the pasted text).
    pub row: usize,
    pub sku: String,
    pub quantity_text: String,
    pub verdict: Verdict,
    pub offer: Option<OfferFacts>,
    /// Close SKUs when this one is unknown.
    pub suggestions: Vec<String>,
}

impl ReportRow {
    pub fn accepted(&self) -> bool {
        self.verdict.kind.is_accepted()
    }

    /// The supplier's SKU when the row was typed otherwise (the buyer's own
    /// code, a barcode, an external id), so both can be shown.
    pub fn supplier_sku(&self) -> Option<&str> {
        let offer = self.offer.as_ref()?;
        let key = crate::catalog::search_words::sku_key;
        (key(&offer.sku) != key(&self.sku)).then_some(offer.sku.as_str())
    }
}

/// Builds the report for rows as typed. Rows of the same offer are merged
/// into the first of them (its verdict judges the sum).
pub fn build(
    conn: &mut DbConn,
    index: &SearchIndex,
    (assortment, company): (&Assortment, Option<CompanyId>),
    inputs: &[RowInput],
) -> Result<Vec<ReportRow>> {
    let typed: Vec<String> = inputs.iter().map(|r| r.sku.clone()).collect();
    let found = offer_facts::resolve(conn, &typed, assortment, company)?;
    let mut rows: Vec<ReportRow> = Vec::with_capacity(inputs.len());
    // offer id → index of the first accepted row of that offer
    let mut first_row_of: HashMap<OfferId, usize> = HashMap::new();
    for input in inputs {
        let mut offer = found.get(input.sku.trim()).cloned();
        let verdict = evaluate(Requested::Text(&input.quantity), offer.as_ref());
        if verdict.kind == VerdictKind::NotAvailable {
            offer = None; // nothing about a hidden product reaches the buyer
        }
        let suggestions = if verdict.kind == VerdictKind::Unknown && !input.sku.trim().is_empty() {
            index.suggest(&input.sku, 3, assortment)
        } else {
            Vec::new()
        };
        if let (Some(offer), true) = (&offer, verdict.kind.is_accepted()) {
            if let Some(&first) = first_row_of.get(&offer.offer_id) {
                merge_into(&mut rows[first], input.row, verdict.requested.unwrap_or_default());
                rows.push(ReportRow {
                    row: input.row,
                    sku: input.sku.clone(),
                    quantity_text: input.quantity.clone(),
                    verdict: Verdict {
                        kind: VerdictKind::Merged,
                        requested: verdict.requested,
                        quantity: None,
                        notes: vec![Note::MergedRows { rows: vec![rows[first].row, input.row] }],
                    },
                    offer: Some(offer.clone()),
                    suggestions,
                });
                continue;
            }
            first_row_of.insert(offer.offer_id, rows.len());
        }
        rows.push(ReportRow {
            row: input.row,
            sku: input.sku.clone(),
            quantity_text: input.quantity.clone(),
            verdict,
            offer,
            suggestions,
        });
    }
    Ok(rows)
}

/// Adds another row's quantity to the first row of the same offer and judges the sum.
fn merge_into(first: &mut ReportRow, other_row: usize, extra: Qty) {
    let requested = Qty(first.verdict.requested.unwrap_or_default().milli() + extra.milli());
    let merged_rows: Vec<usize> = first
        .verdict
        .notes
        .iter()
        .find_map(|n| match n {
            Note::MergedRows { rows } => Some(rows.clone()),
            _ => None,
        })
        .unwrap_or_else(|| vec![first.row]);
    let mut verdict = evaluate(Requested::Quantity(requested), first.offer.as_ref());
    let mut rows = merged_rows;
    rows.push(other_row);
    verdict.notes.push(Note::MergedRows { rows });
    first.verdict = verdict;
}

/// What applying a report did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Applied {
    pub lines_added: usize,
    pub rows_skipped: usize,
}

/// Adds every accepted row to the cart (on top of what it holds): the
/// quantity the row's verdict accepted, so the cart gets what the report said.
pub fn apply(conn: &mut DbConn, cart: &Cart, pricing: &PriceContext, rows: &[ReportRow]) -> Result<Applied> {
    let accepted: Vec<&ReportRow> = rows.iter().filter(|r| r.accepted()).collect();
    let ids: Vec<OfferId> = accepted.iter().filter_map(|r| r.offer.as_ref().map(|o| o.offer_id)).collect();
    let prices = crate::catalog::prices_of(conn, &ids, pricing.price_type_id)?;
    let vat = crate::catalog::vat_rates_of(conn, &ids)?;
    let mut applied = Applied { lines_added: 0, rows_skipped: rows.len() - accepted.len() };
    crate::db::write_transaction(conn, |conn| {
        for row in &accepted {
            let (Some(offer), Some(quantity)) = (&row.offer, row.verdict.quantity) else { continue };
            let unit = prices
                .iter()
                .find(|(o, _)| *o == offer.offer_id)
                .map(|(_, p)| pricing.unit_price(Money(*p), vat.get(&offer.offer_id).copied().flatten()).gross);
            let (verdict, line) = carts::add(conn, cart, Some(offer), Requested::Quantity(quantity), unit)?;
            if verdict.kind.is_accepted() && line.is_some() {
                applied.lines_added += 1;
            }
        }
        Ok(())
    })?;
    Ok(applied)
}
