//! Shaping domain values for templates: formatted money and quantities in the
//! page's language, and availability labels.

use serde::Serialize;

use crate::i18n;
use crate::money::{Money, Qty};
use crate::pricing::PriceContext;
use crate::settings::StockPolicy;
use crate::stock::Availability;

/// One offer row in a table.
#[derive(Debug, Serialize)]
pub struct OfferRow {
    pub offer_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub price: Option<String>,
    pub vat: String,
    pub stock: StockCell,
    pub pack: String,
    pub min_order: String,
}

/// Availability as a label and a style class.
#[derive(Debug, Serialize)]
pub struct StockCell {
    pub label: String,
    pub class: &'static str,
}

pub struct OfferFacts<'a> {
    pub offer_id: i64,
    pub product_id: i64,
    pub sku: &'a str,
    pub name: &'a str,
    pub unit: &'a str,
    pub vat_rate: Option<i32>,
    pub list_price_minor: Option<i64>,
    pub available: i64,
    pub pack_multiple: i64,
    pub min_order: i64,
}

pub fn offer_row(facts: OfferFacts, pricing: &PriceContext, policy: StockPolicy, lang: &str) -> OfferRow {
    let price = facts.list_price_minor.map(|p| pricing.unit_price(Money(p), facts.vat_rate).gross.format(lang));
    OfferRow {
        offer_id: facts.offer_id,
        product_id: facts.product_id,
        sku: facts.sku.to_string(),
        name: facts.name.to_string(),
        unit: facts.unit.to_string(),
        price,
        vat: vat_label(facts.vat_rate, lang),
        stock: stock_cell(facts.available, facts.unit, policy, lang),
        pack: Qty(facts.pack_multiple).format(lang),
        min_order: Qty(facts.min_order).format(lang),
    }
}

/// "from 1 000 pcs: 8.28" for each break, at the buyer's price (the
/// contract discount and VAT applied to the break's list price).
pub fn break_lines(
    pricing: &PriceContext,
    list_price_minor: Option<i64>,
    breaks: &[crate::terms::price_breaks::PriceBreak],
    (unit, vat_rate): (&str, Option<i32>),
    lang: &str,
) -> Vec<String> {
    let Some(list) = list_price_minor else { return Vec::new() };
    breaks
        .iter()
        .map(|b| {
            let price = pricing.price_from(Money(list), breaks, b.min_quantity, vat_rate).unit.gross;
            i18n::text(
                lang,
                "pricing.break_line",
                &[
                    ("from", Qty(b.min_quantity).format(lang)),
                    ("unit", unit.to_string()),
                    ("price", price.format(lang)),
                ],
            )
        })
        .collect()
}

pub fn vat_label(rate: Option<i32>, lang: &str) -> String {
    match rate {
        Some(r) if r > 0 => format!("{r}%"),
        _ => i18n::text(lang, "price.no_vat", &[]),
    }
}

pub fn stock_cell(available: i64, unit: &str, policy: StockPolicy, lang: &str) -> StockCell {
    let availability = Availability::of(available, policy);
    let class = match availability {
        Availability::Exact(q) if q > 0 => "ok",
        Availability::InStock => "ok",
        Availability::Few => "few",
        Availability::Hidden => "hidden",
        _ => "none",
    };
    let quantity = availability.quantity().map(|q| Qty(q).format(lang)).unwrap_or_default();
    let label = i18n::text(lang, availability.label_key(), &[("quantity", quantity), ("unit", unit.to_string())]);
    StockCell { label, class }
}

/// An option of a `<select>`: the value the form sends and the label shown.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl ToString, label: impl Into<String>) -> Choice {
        Choice { value: value.to_string(), label: label.into() }
    }

    /// Choices from (id, name) pairs.
    pub fn from_pairs(pairs: Vec<(i64, String)>) -> Vec<Choice> {
        pairs.into_iter().map(|(id, name)| Choice::new(id, name)).collect()
    }
}
