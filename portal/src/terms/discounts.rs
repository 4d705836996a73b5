//! Discount rules as the administrator writes them: conditions (validity,
//! order amount, quantity of a product or category, customer group,
//! contract, the n-th order within N days) and one effect (percent or fixed
//! amount on the matching lines or the whole order, or a gift line). A rule
//! marked `promo_only` works only while one of its promo codes is entered.
//! `discount_engine` decides which rules apply to a cart and what they take
//! off; this module stores and checks them.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{categories, discount_rules, offers};
use crate::db::stored_text::stored_text_enum;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::OfferId;

stored_text_enum! {
    /// What a rule gives.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum EffectKind {
        /// `value` basis points off.
        Percent = "percent",
        /// `value` kopecks off: per unit on matching lines, or once on the order.
        Fixed = "fixed",
        /// A free line: `gift_quantity` of `gift_offer_id`.
        Gift = "gift",
    }
}

stored_text_enum! {
    /// What a rule's discount is taken from.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum AppliesTo {
        /// The lines its product or category names (all lines when none).
        Lines = "lines",
        /// The whole order, shared among the lines by their amounts.
        Order = "order",
    }
}

/// One stored rule.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = discount_rules)]
pub struct Rule {
    pub id: i64,
    pub name_ru: String,
    pub name_en: String,
    pub active: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// The goods' amount (contract prices, VAT included) the order must reach.
    pub min_order_minor: Option<i64>,
    pub product_id: Option<i64>,
    /// The category, its subcategories included.
    pub category_id: Option<i64>,
    /// The quantity (thousandths) the matching lines must reach together.
    pub min_quantity: Option<i64>,
    pub group_id: Option<i64>,
    pub contract_id: Option<i64>,
    /// The order must be the company's n-th (1 = first) …
    pub nth_order: Option<i32>,
    /// … counting only orders of the last N days (all orders when none).
    pub within_days: Option<i32>,
    pub effect: EffectKind,
    pub applies_to: AppliesTo,
    /// Basis points (percent) or kopecks (fixed).
    pub value: i64,
    pub gift_offer_id: Option<OfferId>,
    pub gift_quantity: i64,
    pub promo_only: bool,
    pub created_at: NaiveDateTime,
}

impl Rule {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_ru
        }
    }

    /// Whether the rule is switched on and `today` lies in its period.
    pub fn valid_on(&self, today: NaiveDate) -> bool {
        self.active && self.valid_from.is_none_or(|f| f <= today) && self.valid_to.is_none_or(|t| today <= t)
    }
}

/// What an administrator writes for a rule.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub name_ru: String,
    pub name_en: String,
    pub active: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub min_order_minor: Option<i64>,
    pub product_id: Option<i64>,
    pub category_id: Option<i64>,
    pub min_quantity: Option<i64>,
    pub group_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub nth_order: Option<i32>,
    pub within_days: Option<i32>,
    pub effect: EffectKind,
    pub applies_to: AppliesTo,
    pub value: i64,
    pub gift_offer_id: Option<OfferId>,
    pub gift_quantity: i64,
    pub promo_only: bool,
}

impl RuleInput {
    /// A rule for everyone, always, with no condition yet: `value` of
    /// `effect` on every line. Callers add conditions with struct update.
    pub fn new(name_ru: &str, name_en: &str, effect: EffectKind, value: i64) -> RuleInput {
        RuleInput {
            name_ru: name_ru.into(),
            name_en: name_en.into(),
            active: true,
            valid_from: None,
            valid_to: None,
            min_order_minor: None,
            product_id: None,
            category_id: None,
            min_quantity: None,
            group_id: None,
            contract_id: None,
            nth_order: None,
            within_days: None,
            effect,
            applies_to: AppliesTo::Lines,
            value,
            gift_offer_id: None,
            gift_quantity: 0,
            promo_only: false,
        }
    }
}

/// Every rule, newest last.
pub fn list(conn: &mut DbConn) -> Result<Vec<Rule>> {
    Ok(discount_rules::table.order(discount_rules::id).select(Rule::as_select()).load(conn)?)
}

/// The rules that may apply on `today` (active, in their period).
pub fn valid_on(conn: &mut DbConn, today: NaiveDate) -> Result<Vec<Rule>> {
    Ok(list(conn)?.into_iter().filter(|r| r.valid_on(today)).collect())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Rule> {
    discount_rules::table.find(id).select(Rule::as_select()).first(conn).optional()?.ok_or(Error::NotFound)
}

fn check(conn: &mut DbConn, input: &RuleInput) -> Result<()> {
    for name in [&input.name_ru, &input.name_en] {
        if name.trim().is_empty() || name.chars().count() > 200 {
            return Err(Error::Invalid("names in both languages, up to 200 characters".into()));
        }
    }
    if let (Some(from), Some(to)) = (input.valid_from, input.valid_to) {
        if to < from {
            return Err(Error::Invalid("the period ends before it starts".into()));
        }
    }
    let bad = |what: &str| Err(Error::Invalid(what.to_string()));
    match input.effect {
        EffectKind::Percent if !(1..=10_000).contains(&input.value) => {
            return bad("a percent is 0.01 to 100 % (1 to 10000 basis points)")
        }
        EffectKind::Fixed if input.value <= 0 => return bad("a fixed discount is a positive amount in kopecks"),
        EffectKind::Gift if input.gift_offer_id.is_none() || input.gift_quantity <= 0 => {
            return bad("a gift names an offer and a positive quantity")
        }
        _ => {}
    }
    if input.min_order_minor.is_some_and(|m| m < 0) || input.min_quantity.is_some_and(|q| q <= 0) {
        return bad("a minimum amount is not negative and a minimum quantity is positive");
    }
    if input.nth_order.is_some_and(|n| n < 1) || input.within_days.is_some_and(|d| d < 1) {
        return bad("the n-th order counts from 1 and the window from 1 day");
    }
    if input.within_days.is_some() && input.nth_order.is_none() {
        return bad("a window of days needs the order's number (nth_order)");
    }
    if input.product_id.is_some() && input.category_id.is_some() {
        return bad("a rule names a product or a category, not both");
    }
    if let Some(offer) = input.gift_offer_id {
        let exists: i64 = offers::table.filter(offers::id.eq(offer)).count().get_result(conn)?;
        if exists == 0 {
            return bad("the gift's offer does not exist");
        }
    }
    Ok(())
}

macro_rules! rule_values {
    ($input:expr) => {
        (
            discount_rules::name_ru.eq($input.name_ru.trim()),
            discount_rules::name_en.eq($input.name_en.trim()),
            discount_rules::active.eq($input.active),
            discount_rules::valid_from.eq($input.valid_from),
            discount_rules::valid_to.eq($input.valid_to),
            discount_rules::min_order_minor.eq($input.min_order_minor),
            discount_rules::product_id.eq($input.product_id),
            discount_rules::category_id.eq($input.category_id),
            discount_rules::min_quantity.eq($input.min_quantity),
            discount_rules::group_id.eq($input.group_id),
            discount_rules::contract_id.eq($input.contract_id),
            discount_rules::nth_order.eq($input.nth_order),
            discount_rules::within_days.eq($input.within_days),
            discount_rules::effect.eq($input.effect),
            discount_rules::applies_to.eq($input.applies_to),
            discount_rules::value.eq($input.value),
            discount_rules::gift_offer_id.eq($input.gift_offer_id),
            discount_rules::gift_quantity.eq($input.gift_quantity),
            discount_rules::promo_only.eq($input.promo_only),
        )
    };
}

/// Creates a rule after checking it; a product, category, group or
/// contract that does not exist is refused by the database's keys.
pub fn create(conn: &mut DbConn, input: &RuleInput) -> Result<Rule> {
    check(conn, input)?;
    let id: i64 = diesel::insert_into(discount_rules::table)
        .values((rule_values!(input), discount_rules::created_at.eq(Utc::now().naive_utc())))
        .returning(discount_rules::id)
        .get_result(conn)
        .map_err(refused_reference)?;
    find(conn, id)
}

/// Replaces a rule's conditions and effect.
pub fn update(conn: &mut DbConn, id: i64, input: &RuleInput) -> Result<Rule> {
    find(conn, id)?;
    check(conn, input)?;
    diesel::update(discount_rules::table.find(id)).set(rule_values!(input)).execute(conn).map_err(refused_reference)?;
    find(conn, id)
}

/// Deletes a rule with its promo codes; orders keep what it gave them.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<()> {
    let gone = diesel::delete(discount_rules::table.find(id)).execute(conn)?;
    if gone == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

fn refused_reference(error: diesel::result::Error) -> Error {
    use diesel::result::{DatabaseErrorKind, Error as E};
    match error {
        E::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            Error::Invalid("a product, category, group, contract or offer the rule names does not exist".into())
        }
        other => other.into(),
    }
}

/// For each offer: its product and the product's category with every
/// ancestor (what a rule's product or category condition is matched on).
pub fn placement_of(conn: &mut DbConn, ids: &[OfferId]) -> Result<std::collections::HashMap<OfferId, (i64, Vec<i64>)>> {
    use crate::db::schema::products;
    use std::collections::HashMap;
    let mut rows: Vec<(OfferId, i64, Option<i64>)> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        rows.extend(
            offers::table
                .inner_join(products::table)
                .filter(offers::id.eq_any(chunk))
                .select((offers::id, products::id, products::category_id))
                .load::<(OfferId, i64, Option<i64>)>(conn)?,
        );
    }
    let parents: HashMap<i64, Option<i64>> = if rows.iter().any(|r| r.2.is_some()) {
        categories::table.select((categories::id, categories::parent_id)).load(conn)?.into_iter().collect()
    } else {
        HashMap::new()
    };
    Ok(rows
        .into_iter()
        .map(|(offer, product, category)| {
            let mut path = Vec::new();
            let mut at = category;
            while let Some(id) = at {
                if path.contains(&id) || path.len() > 64 {
                    break;
                }
                path.push(id);
                at = parents.get(&id).copied().flatten();
            }
            (offer, (product, path))
        })
        .collect())
}
