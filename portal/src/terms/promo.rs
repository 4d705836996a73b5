//! Promo codes: a code a buyer enters at the cart that switches on one
//! discount rule, with a validity period and limits on its uses in all and
//! per company. A use is counted when an order is placed with the code's
//! rule giving something, by one conditional update of the code's counter
//! inside the checkout transaction: of two checkouts racing for the last
//! use exactly one wins, the other is refused and rolled back. Cancelling
//! the order gives the use back.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::discount_engine::EnteredPromo;
use crate::db::schema::{promo_codes, promo_redemptions};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::i18n;
use crate::ids::{CompanyId, OrderId};

/// One stored code.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = promo_codes)]
pub struct PromoCode {
    pub id: i64,
    /// Upper case; buyers may type it in any case.
    pub code: String,
    pub rule_id: i64,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub max_uses: Option<i32>,
    pub max_uses_per_company: Option<i32>,
    pub uses: i32,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// What an administrator writes for a code.
#[derive(Debug, Clone)]
pub struct PromoInput {
    pub code: String,
    pub rule_id: i64,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub max_uses: Option<i32>,
    pub max_uses_per_company: Option<i32>,
    pub active: bool,
}

/// A code as typed, normalised for lookup.
pub fn normalise(code: &str) -> String {
    code.trim().to_uppercase()
}

pub fn list(conn: &mut DbConn) -> Result<Vec<PromoCode>> {
    Ok(promo_codes::table.order(promo_codes::id).select(PromoCode::as_select()).load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<PromoCode> {
    promo_codes::table.find(id).select(PromoCode::as_select()).first(conn).optional()?.ok_or(Error::NotFound)
}

fn by_code(conn: &mut DbConn, code: &str) -> Result<Option<PromoCode>> {
    Ok(promo_codes::table
        .filter(promo_codes::code.eq(normalise(code)))
        .select(PromoCode::as_select())
        .first(conn)
        .optional()?)
}

fn check(input: &PromoInput) -> Result<String> {
    let code = normalise(&input.code);
    let shape =
        (3..=40).contains(&code.chars().count()) && code.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if !shape {
        return Err(Error::Invalid("a code of 3 to 40 letters, digits, '-' or '_'".into()));
    }
    if input.max_uses.is_some_and(|m| m < 1) || input.max_uses_per_company.is_some_and(|m| m < 1) {
        return Err(Error::Invalid("use limits are at least 1".into()));
    }
    if let (Some(from), Some(to)) = (input.valid_from, input.valid_to) {
        if to < from {
            return Err(Error::Invalid("the period ends before it starts".into()));
        }
    }
    Ok(code)
}

/// The columns an administrator writes, for insert and update alike.
macro_rules! promo_values {
    ($code:expr, $input:expr) => {
        (
            promo_codes::code.eq($code),
            promo_codes::rule_id.eq($input.rule_id),
            promo_codes::valid_from.eq($input.valid_from),
            promo_codes::valid_to.eq($input.valid_to),
            promo_codes::max_uses.eq($input.max_uses),
            promo_codes::max_uses_per_company.eq($input.max_uses_per_company),
            promo_codes::active.eq($input.active),
        )
    };
}

/// Creates a code for an existing rule; a code already taken is a conflict.
pub fn create(conn: &mut DbConn, input: &PromoInput) -> Result<PromoCode> {
    let code = check(input)?;
    super::discounts::find(conn, input.rule_id).map_err(|_| Error::Invalid("the rule does not exist".into()))?;
    if by_code(conn, &code)?.is_some() {
        return Err(Error::Conflict(format!("the code {code} already exists")));
    }
    let id: i64 = diesel::insert_into(promo_codes::table)
        .values((
            promo_values!(&code, input),
            promo_codes::uses.eq(0),
            promo_codes::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(promo_codes::id)
        .get_result(conn)?;
    find(conn, id)
}

/// Changes a code's rule, period, limits or state (its uses stay).
pub fn update(conn: &mut DbConn, id: i64, input: &PromoInput) -> Result<PromoCode> {
    let current = find(conn, id)?;
    let code = check(input)?;
    super::discounts::find(conn, input.rule_id).map_err(|_| Error::Invalid("the rule does not exist".into()))?;
    if by_code(conn, &code)?.is_some_and(|other| other.id != current.id) {
        return Err(Error::Conflict(format!("the code {code} already exists")));
    }
    diesel::update(promo_codes::table.find(id)).set(promo_values!(&code, input)).execute(conn)?;
    find(conn, id)
}

pub fn delete(conn: &mut DbConn, id: i64) -> Result<()> {
    if diesel::delete(promo_codes::table.find(id)).execute(conn)? == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

fn company_uses(conn: &mut DbConn, promo: &PromoCode, company: CompanyId) -> Result<i64> {
    Ok(promo_redemptions::table
        .filter(promo_redemptions::promo_code_id.eq(promo.id))
        .filter(promo_redemptions::company_id.eq(company.0))
        .count()
        .get_result(conn)?)
}

/// Whether `company` may use `code` on `today`: the code and its rule, or
/// why not, in `lang`.
pub fn check_entered(
    conn: &mut DbConn,
    code: &str,
    company: CompanyId,
    today: NaiveDate,
    lang: &str,
) -> Result<std::result::Result<(PromoCode, EnteredPromo), String>> {
    let refuse = |key: &str, promo: &str| Ok(Err(i18n::text(lang, key, &[("code", promo.to_string())])));
    let Some(promo) = by_code(conn, code)? else {
        return refuse("promo.unknown", &normalise(code));
    };
    let in_period = promo.valid_from.is_none_or(|f| f <= today) && promo.valid_to.is_none_or(|t| today <= t);
    if !promo.active || !in_period {
        return refuse("promo.not_valid", &promo.code);
    }
    if promo.max_uses.is_some_and(|max| promo.uses >= max) {
        return refuse("promo.used_up", &promo.code);
    }
    if promo.max_uses_per_company.is_some_and(|max| company_uses(conn, &promo, company).unwrap_or(0) >= i64::from(max))
    {
        return refuse("promo.used_by_company", &promo.code);
    }
    let entered = EnteredPromo { code: promo.code.clone(), rule_id: promo.rule_id };
    Ok(Ok((promo, entered)))
}

/// Counts one use of `promo` by `company` for `order`, inside the checkout
/// transaction. The counter moves only while a use is left (one
/// conditional update, so racing checkouts cannot both take the last one);
/// the per-company count is read after it, while the code's row is held.
pub fn redeem(conn: &mut DbConn, promo: &PromoCode, company: CompanyId, order: OrderId, lang: &str) -> Result<()> {
    let taken = diesel::update(
        promo_codes::table
            .find(promo.id)
            .filter(promo_codes::max_uses.is_null().or(promo_codes::uses.nullable().lt(promo_codes::max_uses))),
    )
    .set(promo_codes::uses.eq(promo_codes::uses + 1))
    .execute(conn)?;
    if taken == 0 {
        return Err(Error::Conflict(i18n::text(lang, "promo.used_up", &[("code", promo.code.clone())])));
    }
    if promo.max_uses_per_company.is_some_and(|max| company_uses(conn, promo, company).unwrap_or(0) >= i64::from(max)) {
        return Err(Error::Conflict(i18n::text(lang, "promo.used_by_company", &[("code", promo.code.clone())])));
    }
    diesel::insert_into(promo_redemptions::table)
        .values((
            promo_redemptions::promo_code_id.eq(promo.id),
            promo_redemptions::company_id.eq(company.0),
            promo_redemptions::order_id.eq(order),
            promo_redemptions::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A cancelled order gives its promo code's use back (its company may use
/// the code again, and a limited code has one use more). Returns the code.
pub fn return_use(conn: &mut DbConn, order: OrderId) -> Result<Option<String>> {
    let redeemed: Option<(i64, i64)> = promo_redemptions::table
        .filter(promo_redemptions::order_id.eq(order))
        .select((promo_redemptions::id, promo_redemptions::promo_code_id))
        .first(conn)
        .optional()?;
    let Some((redemption, code_id)) = redeemed else { return Ok(None) };
    diesel::delete(promo_redemptions::table.find(redemption)).execute(conn)?;
    diesel::update(promo_codes::table.find(code_id).filter(promo_codes::uses.gt(0)))
        .set(promo_codes::uses.eq(promo_codes::uses - 1))
        .execute(conn)?;
    Ok(promo_codes::table.find(code_id).select(promo_codes::code).first(conn).optional()?)
}
