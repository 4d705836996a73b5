//! Named carts per user, one of them current, stored in the database so they
//! persist across sessions and instances. Every quantity goes through the
//! rule engine; every query is scoped to the cart's owner.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::rules::{evaluate, OfferFacts, Requested, Verdict};
use crate::accounts::User;
use crate::db::schema::{cart_lines, carts};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::i18n;
use crate::ids::{CartId, OfferId, UserId};
use crate::money::{Money, Qty};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = carts)]
pub struct Cart {
    pub id: CartId,
    pub user_id: UserId,
    pub name: String,
    pub is_current: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The promo code the buyer entered (checked whenever the cart is priced).
    pub promo_code: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = cart_lines)]
pub struct CartLine {
    pub id: i64,
    pub cart_id: CartId,
    pub offer_id: OfferId,
    pub quantity: i64,
    pub price_at_add: Option<i64>,
    pub added_at: NaiveDateTime,
}

/// A cart with its number of lines, for lists.
#[derive(Debug, Clone, Serialize)]
pub struct CartSummary {
    pub cart: Cart,
    pub lines: i64,
}

const MAX_CART_NAME: usize = 100;

/// The user's carts, current first, then by name.
pub fn list(conn: &mut DbConn, user: &User) -> Result<Vec<CartSummary>> {
    let all = carts::table
        .filter(carts::user_id.eq(user.id.0))
        .order((carts::is_current.desc(), carts::name.asc(), carts::id.asc()))
        .select(Cart::as_select())
        .load::<Cart>(conn)?;
    let ids: Vec<CartId> = all.iter().map(|c| c.id).collect();
    let counts: Vec<(CartId, i64)> = cart_lines::table
        .filter(cart_lines::cart_id.eq_any(&ids))
        .group_by(cart_lines::cart_id)
        .select((cart_lines::cart_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(all
        .into_iter()
        .map(|cart| {
            let lines = counts.iter().find(|(id, _)| *id == cart.id).map(|(_, n)| *n).unwrap_or(0);
            CartSummary { cart, lines }
        })
        .collect())
}

/// One of the user's carts; another user's cart is "not found".
pub fn find(conn: &mut DbConn, user: &User, cart_id: CartId) -> Result<Cart> {
    carts::table
        .filter(carts::id.eq(cart_id))
        .filter(carts::user_id.eq(user.id.0))
        .select(Cart::as_select())
        .first(conn)
        .map_err(Error::from_lookup)
}

/// The current cart, created ("Основная" / "Main") if the user has none.
pub fn current(conn: &mut DbConn, user: &User) -> Result<Cart> {
    let existing = carts::table
        .filter(carts::user_id.eq(user.id.0))
        .order((carts::is_current.desc(), carts::id.asc()))
        .select(Cart::as_select())
        .first(conn)
        .optional()?;
    match existing {
        Some(cart) if cart.is_current => Ok(cart),
        Some(cart) => {
            make_current(conn, user, cart.id)?;
            find(conn, user, cart.id)
        }
        None => create(conn, user, &i18n::text(&user.locale, "cart.default_name", &[])),
    }
}

/// A new cart, which becomes the current one.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub fn create(conn: &mut DbConn, user: &User, name: &str) -> Result<Cart> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_CART_NAME {
        return Err(Error::Invalid(i18n::text(&user.locale, "cart.bad_name", &[])));
    }
    let now = Utc::now().naive_utc();
    crate::db::write_transaction(conn, |conn| {
        diesel::update(carts::table.filter(carts::user_id.eq(user.id.0)))
            .set(carts::is_current.eq(false))
            .execute(conn)?;
        let id = diesel::insert_into(carts::table)
            .values((
                carts::user_id.eq(user.id.0),
                carts::name.eq(name),
                carts::is_current.eq(true),
                carts::created_at.eq(now),
                carts::updated_at.eq(now),
            ))
            .returning(carts::id)
            .get_result::<CartId>(conn)?;
        find(conn, user, id)
    })
}

/// A cart prepared for the user by someone else (a manager ordering on their
/// behalf): it does not replace the user's current cart.
pub fn create_draft(conn: &mut DbConn, user: &User, name: &str) -> Result<Cart> {
    let now = Utc::now().naive_utc();
    let id = diesel::insert_into(carts::table)
        .values((
            carts::user_id.eq(user.id.0),
            carts::name.eq(name.chars().take(MAX_CART_NAME).collect::<String>()),
            carts::is_current.eq(false),
            carts::created_at.eq(now),
            carts::updated_at.eq(now),
        ))
        .returning(carts::id)
        .get_result::<CartId>(conn)?;
    find(conn, user, id)
}

pub fn make_current(conn: &mut DbConn, user: &User, cart_id: CartId) -> Result<()> {
    find(conn, user, cart_id)?;
    crate::db::write_transaction(conn, |conn| {
        diesel::update(carts::table.filter(carts::user_id.eq(user.id.0)))
            .set(carts::is_current.eq(carts::id.eq(cart_id)))
            .execute(conn)?;
        Ok(())
    })
}

pub fn rename(conn: &mut DbConn, user: &User, cart_id: CartId, name: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_CART_NAME {
        return Err(Error::Invalid(i18n::text(&user.locale, "cart.bad_name", &[])));
    }
    find(conn, user, cart_id)?;
    diesel::update(carts::table.find(cart_id)).set(carts::name.eq(name)).execute(conn)?;
    Ok(())
}

/// Deletes a cart and its lines; another cart becomes current if needed.
#[tracing::instrument(skip_all, fields(user = %user.id, cart = %cart_id))]
pub fn delete(conn: &mut DbConn, user: &User, cart_id: CartId) -> Result<()> {
    let cart = find(conn, user, cart_id)?;
    crate::db::write_transaction(conn, |conn| {
        diesel::delete(carts::table.find(cart.id)).execute(conn)?;
        if cart.is_current {
            let next = carts::table
                .filter(carts::user_id.eq(user.id.0))
                .order(carts::updated_at.desc())
                .select(carts::id)
                .first::<i64>(conn)
                .optional()?;
            if let Some(next) = next {
                diesel::update(carts::table.find(next)).set(carts::is_current.eq(true)).execute(conn)?;
            }
        }
        Ok(())
    })
}

pub fn lines(conn: &mut DbConn, cart_id: CartId) -> Result<Vec<CartLine>> {
    Ok(cart_lines::table
        .filter(cart_lines::cart_id.eq(cart_id))
        .order(cart_lines::id)
        .select(CartLine::as_select())
        .load(conn)?)
}

/// Adds `requested` of an offer to the cart (on top of what is already
/// there), through the rule engine. Returns the verdict and the line id when
/// something was added.
pub fn add(
    conn: &mut DbConn,
    cart: &Cart,
    facts: Option<&OfferFacts>,
    requested: Requested,
    unit_price: Option<Money>,
) -> Result<(Verdict, Option<i64>)> {
    let verdict = evaluate(requested, facts);
    let (Some(facts), Some(_)) = (facts, verdict.quantity) else { return Ok((verdict, None)) };
    let existing = cart_lines::table
        .filter(cart_lines::cart_id.eq(cart.id))
        .filter(cart_lines::offer_id.eq(facts.offer_id))
        .select((cart_lines::id, cart_lines::quantity))
        .first::<(i64, i64)>(conn)
        .optional()?;
    let now = Utc::now().naive_utc();
    let result = match existing {
        Some((line_id, quantity)) => {
            // Judge the new total, so pack and minimum apply to what will be ordered.
            let requested_total = Qty(quantity + verdict.requested.map(Qty::milli).unwrap_or(0));
            let total = evaluate(Requested::Quantity(requested_total), Some(facts));
            if let Some(q) = total.quantity {
                diesel::update(cart_lines::table.find(line_id))
                    .set(cart_lines::quantity.eq(q.milli()))
                    .execute(conn)?;
            }
            (total, Some(line_id))
        }
        None => {
            let quantity = verdict.quantity.map(Qty::milli).unwrap_or(0);
            let id = diesel::insert_into(cart_lines::table)
                .values((
                    cart_lines::cart_id.eq(cart.id),
                    cart_lines::offer_id.eq(facts.offer_id),
                    cart_lines::quantity.eq(quantity),
                    cart_lines::price_at_add.eq(unit_price.map(Money::minor)),
                    cart_lines::added_at.eq(now),
                ))
                .returning(cart_lines::id)
                .get_result::<i64>(conn)?;
            (verdict, Some(id))
        }
    };
    diesel::update(carts::table.find(cart.id)).set(carts::updated_at.eq(now)).execute(conn)?;
    Ok(result)
}

/// Sets a line's quantity (replacing it), through the rule engine. A
/// rejected quantity leaves the line as it was.
pub fn set_quantity(
    conn: &mut DbConn,
    cart: &Cart,
    line_id: i64,
    facts: Option<&OfferFacts>,
    requested: Requested,
) -> Result<Verdict> {
    let line = find_line(conn, cart, line_id)?;
    if facts.is_some_and(|f| f.offer_id != line.offer_id) {
        return Err(Error::Internal("facts of another offer".into()));
    }
    let verdict = evaluate(requested, facts);
    if let Some(q) = verdict.quantity {
        diesel::update(cart_lines::table.find(line.id)).set(cart_lines::quantity.eq(q.milli())).execute(conn)?;
        diesel::update(carts::table.find(cart.id)).set(carts::updated_at.eq(Utc::now().naive_utc())).execute(conn)?;
    }
    Ok(verdict)
}

pub fn find_line(conn: &mut DbConn, cart: &Cart, line_id: i64) -> Result<CartLine> {
    cart_lines::table
        .filter(cart_lines::id.eq(line_id))
        .filter(cart_lines::cart_id.eq(cart.id))
        .select(CartLine::as_select())
        .first(conn)
        .map_err(Error::from_lookup)
}

pub fn remove_line(conn: &mut DbConn, cart: &Cart, line_id: i64) -> Result<()> {
    let line = find_line(conn, cart, line_id)?;
    diesel::delete(cart_lines::table.find(line.id)).execute(conn)?;
    Ok(())
}

/// Empties a cart (after checkout).
#[tracing::instrument(skip_all, fields(cart = %cart_id))]
pub fn clear(conn: &mut DbConn, cart_id: CartId) -> Result<()> {
    diesel::delete(cart_lines::table.filter(cart_lines::cart_id.eq(cart_id))).execute(conn)?;
    diesel::update(carts::table.find(cart_id)).set(carts::promo_code.eq(None::<String>)).execute(conn)?;
    Ok(())
}

/// Keeps the promo code the buyer entered on their cart (`None` removes
/// it). Whether it is valid is told each time the cart is priced.
pub fn set_promo_code(conn: &mut DbConn, user: &User, cart_id: CartId, code: Option<&str>) -> Result<Cart> {
    let cart = find(conn, user, cart_id)?;
    let code = code.map(crate::terms::promo::normalise).filter(|c| !c.is_empty());
    if code.as_ref().is_some_and(|c| c.chars().count() > 40) {
        return Err(Error::Invalid("a promo code is at most 40 characters".into()));
    }
    diesel::update(carts::table.find(cart.id))
        .set((carts::promo_code.eq(code), carts::updated_at.eq(chrono::Utc::now().naive_utc())))
        .execute(conn)?;
    find(conn, user, cart_id)
}
