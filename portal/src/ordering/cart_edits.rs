//! The edits a buyer makes to a cart line, as one operation each, so that the
//! cart page and the API take the same path and answer the same way: add an
//! offer (by id or by SKU, barcode or offer id as typed) at the buyer's
//! price, and set quantities of lines. Every quantity passes the rules and
//! every line asked about gets a verdict: nothing is dropped silently.

use super::carts::{self, Cart};
use super::rules::{OfferFacts, Requested, Verdict};
use super::{cart_view, offer_facts};
use crate::accounts::User;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::OfferId;
use crate::money::Qty;
use crate::pricing::PriceContext;
use crate::terms::assortment::Assortment;

/// Which offer to add.
#[derive(Debug, Clone, Copy)]
pub enum OfferRef<'a> {
    Id(OfferId),
    /// A SKU, barcode or offer id as the buyer typed it.
    Typed(&'a str),
}

/// What became of one line: its verdict, the line (when one was written)
/// and the offer's SKU and unit for the message.
#[derive(Debug, Clone)]
pub struct LineChange {
    pub verdict: Verdict,
    pub line_id: Option<i64>,
    pub sku: String,
    pub unit: String,
}

impl LineChange {
    fn new(verdict: Verdict, line_id: Option<i64>, facts: Option<&OfferFacts>) -> LineChange {
        let (sku, unit) = facts.map(|f| (f.sku.clone(), f.unit.clone())).unwrap_or_default();
        LineChange { verdict, line_id, sku, unit }
    }
}

/// Adds `quantity` of an offer to `cart` through the quantity rules, noting
/// the buyer's current price on the line. An offer that is not sold gets its
/// verdict and no line.
#[tracing::instrument(skip_all, fields(cart = %cart.id))]
pub fn add_offer(
    conn: &mut DbConn,
    user: &User,
    cart: &Cart,
    offer: OfferRef,
    quantity: Requested,
) -> Result<LineChange> {
    let pricing = PriceContext::for_user(conn, user)?;
    let facts = match offer {
        OfferRef::Id(id) => offer_facts::by_ids(conn, &[id], &pricing.assortment)?.remove(&id),
        OfferRef::Typed(text) => {
            offer_facts::resolve(conn, &[text.to_string()], &pricing.assortment, pricing.company_id)?
                .remove(text.trim())
        }
    };
    let price = match &facts {
        Some(f) => cart_view::unit_price_of(conn, &pricing, f.offer_id)?,
        None => None,
    };
    let (verdict, line_id) = carts::add(conn, cart, facts.as_ref(), quantity, price)?;
    Ok(LineChange::new(verdict, line_id, facts.as_ref()))
}

/// Sets one line's quantity through the rules. A line not in the cart is
/// `NotFound`; a line whose offer is no longer in the catalog keeps its
/// quantity and gets the "unknown" verdict.
#[tracing::instrument(skip_all, fields(cart = %cart.id, line = line_id))]
pub fn set_quantity(
    conn: &mut DbConn,
    cart: &Cart,
    assortment: &Assortment,
    line_id: i64,
    text: &str,
) -> Result<LineChange> {
    let line = carts::find_line(conn, cart, line_id)?;
    let facts = offer_facts::by_ids(conn, &[line.offer_id], assortment)?.remove(&line.offer_id);
    let verdict = carts::set_quantity(conn, cart, line.id, facts.as_ref(), Requested::Text(text))?;
    Ok(LineChange::new(verdict, Some(line.id), facts.as_ref()))
}

/// Sets the quantities of `cart`'s lines, (line id, quantity as typed), as
/// `set_quantity` does; a line whose typed quantity is what it holds
/// already is left alone and not reported (the cart page sends them all).
#[tracing::instrument(skip_all, fields(cart = %cart.id))]
pub fn set_quantities(
    conn: &mut DbConn,
    cart: &Cart,
    assortment: &Assortment,
    wanted: &[(i64, String)],
) -> Result<Vec<LineChange>> {
    let lines = carts::lines(conn, cart.id)?;
    let mut changes = Vec::new();
    for (line_id, text) in wanted {
        let line = lines.iter().find(|l| l.id == *line_id).ok_or(Error::NotFound)?;
        if Qty::parse(text) != Some(Qty(line.quantity)) {
            changes.push(set_quantity(conn, cart, assortment, line.id, text)?);
        }
    }
    Ok(changes)
}
