//! A cart priced for its owner: current contract prices, line amounts and
//! totals, availability, and whether a price moved since the line was added.

use serde::Serialize;

use super::carts::{self, Cart};
use super::offer_facts;
use crate::db::schema::{offers, products};
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::OfferId;
use crate::money::{Money, QTY_SCALE};
use crate::pricing::{Adjustment, PriceContext};
use crate::terms::cart_discounts::{self, GiftLine, PricedQuantity, PromoCheck};
use crate::terms::price_breaks::PriceBreak;

#[derive(Debug, Clone, Serialize)]
pub struct PricedLine {
    pub line_id: i64,
    pub offer_id: OfferId,
    pub product_id: i64,
    /// The hash of the product's first picture.
    pub picture: Option<String>,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: i64,
    pub pack_multiple: i64,
    pub min_order: i64,
    pub unit_price: Option<Money>,
    pub amount: Option<Money>,
    pub vat: Option<Money>,
    pub vat_rate: Option<i32>,
    pub price_at_add: Option<Money>,
    /// Where the unit price came from (a price break, the contract).
    pub adjustments: Vec<Adjustment>,
    /// The offer's price breaks at the buyer's price type (list prices).
    pub breaks: Vec<PriceBreak>,
    /// The price now differs from the price when the line was added.
    pub price_changed: bool,
    pub available: i64,
    /// The offer can still be ordered.
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PricedCart {
    pub cart: Cart,
    pub lines: Vec<PricedLine>,
    /// Free lines the discount rules add.
    #[serde(skip)]
    pub gifts: Vec<GiftLine>,
    /// The promo code entered on the cart and what became of it.
    #[serde(skip)]
    pub promo: Option<PromoCheck>,
    pub total: Money,
    pub vat: Money,
}

/// Prices the cart for its owner: contract prices with breaks, then the
/// discount rules and the cart's promo code (names in `lang`).
pub fn priced(conn: &mut DbConn, cart: Cart, pricing: &PriceContext, lang: &str) -> Result<PricedCart> {
    use diesel::prelude::*;
    let lines = carts::lines(conn, cart.id)?;
    let ids: Vec<OfferId> = lines.iter().map(|l| l.offer_id).collect();
    let facts = offer_facts::by_ids(conn, &ids, &pricing.assortment)?;
    let book = pricing.book(conn, &ids)?;
    let products: Vec<(OfferId, i64, Option<String>)> = offers::table
        .inner_join(products::table)
        .filter(offers::id.eq_any(&ids))
        .select((offers::id, offers::product_id, crate::media::first_picture()))
        .load(conn)?;
    let lines: Vec<_> = lines.into_iter().filter(|l| facts.contains_key(&l.offer_id)).collect();
    let contract_prices: Vec<_> = lines.iter().map(|l| pricing.price_line(&book, l.offer_id, l.quantity)).collect();
    let discountable: Vec<PricedQuantity> = lines
        .iter()
        .zip(&contract_prices)
        .filter(|(l, p)| p.is_some() && facts.get(&l.offer_id).is_some_and(|f| f.active && f.in_assortment))
        .map(|(l, p)| PricedQuantity {
            offer_id: l.offer_id,
            quantity: l.quantity,
            amount: p.as_ref().map_or(0, |p| p.amount.minor()),
        })
        .collect();
    let now = chrono::Utc::now().naive_utc();
    let discounts = cart_discounts::for_cart(conn, pricing, &discountable, cart.promo_code.as_deref(), now, lang)?;
    let gifts = cart_discounts::gift_lines(conn, pricing, &discounts.outcome.gifts)?;
    let (mut total, mut vat) = (Money(0), Money(0));
    let mut out = Vec::with_capacity(lines.len());
    let mut discounted = 0;
    for (line, price) in lines.into_iter().zip(contract_prices) {
        let Some(fact) = facts.get(&line.offer_id) else { continue };
        let vat_rate = book.vat_rate(line.offer_id);
        let price = match price {
            Some(p) if fact.active && fact.in_assortment => {
                discounted += 1;
                Some(p.adjusted(line.quantity, discounts.of_line(discounted - 1)))
            }
            other => other,
        };
        let unit = price.as_ref().map(|p| p.unit);
        let amounts = price.as_ref().map(|p| (p.amount, p.vat));
        if let Some((amount, line_vat)) = amounts {
            total = Money(total.minor() + amount.minor());
            vat = Money(vat.minor() + line_vat.minor());
        }
        let unit_price = unit.map(|u| u.gross);
        out.push(PricedLine {
            line_id: line.id,
            offer_id: line.offer_id,
            product_id: products.iter().find(|(o, ..)| *o == line.offer_id).map(|(_, p, _)| *p).unwrap_or_default(),
            picture: products.iter().find(|(o, ..)| *o == line.offer_id).and_then(|(.., pic)| pic.clone()),
            sku: fact.sku.clone(),
            name: fact.name.clone(),
            unit: fact.unit.clone(),
            quantity: line.quantity,
            pack_multiple: fact.pack_multiple,
            min_order: fact.min_order,
            price_changed: matches!(
                (pricing.price_line(&book, line.offer_id, QTY_SCALE), line.price_at_add),
                (Some(now), Some(then)) if now.unit.gross.minor() != then
            ),
            price_at_add: line.price_at_add.map(Money),
            adjustments: price.map(|p| p.adjustments).unwrap_or_default(),
            breaks: book.breaks(line.offer_id).to_vec(),
            unit_price,
            amount: amounts.map(|a| a.0),
            vat: amounts.map(|a| a.1),
            vat_rate,
            available: fact.available,
            active: fact.active && fact.in_assortment,
        });
    }
    Ok(PricedCart { cart, lines: out, gifts, promo: discounts.promo, total, vat })
}

/// The user's price of one unit of an offer now, before quantity breaks
/// (`None` without a price): what a line notes when added, to tell later
/// whether the price moved.
pub fn unit_price_of(conn: &mut DbConn, pricing: &PriceContext, offer_id: OfferId) -> Result<Option<Money>> {
    let book = pricing.book(conn, &[offer_id])?;
    Ok(pricing.price_line(&book, offer_id, QTY_SCALE).map(|p| p.unit.gross))
}
