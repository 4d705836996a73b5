//! The discount rules and promo code applied to one cart, for the cart
//! page, the cart API and checkout alike: reads what the rules' conditions
//! ask (the day, the company's groups and earlier orders, each line's
//! product and categories), checks the promo code entered, runs
//! `discount_engine` and prices the gift lines.

use chrono::{NaiveDateTime, TimeZone};
use diesel::prelude::*;

use super::discount_engine::{self, BasketLine, Buyer, Gift, Outcome};
use super::discounts;
use super::promo::{self, PromoCode};
use crate::db::schema::orders;
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::{CompanyId, OfferId};
use crate::ordering::rules::OfferFacts;
use crate::ordering::status::OrderStatus;
use crate::pricing::{Adjustment, AdjustmentSource, LinePrice, PriceContext};
use crate::settings;

/// A cart line as discounts need it: offer, quantity (thousandths) and its
/// amount at the contract price.
#[derive(Debug, Clone, Copy)]
pub struct PricedQuantity {
    pub offer_id: OfferId,
    pub quantity: i64,
    pub amount: i64,
}

/// The promo code entered and what became of it.
#[derive(Debug, Clone)]
pub struct PromoCheck {
    pub code: String,
    /// The stored code when it is valid for the company now.
    pub valid: Option<PromoCode>,
    /// Whether its rule gave something to this cart.
    pub applied: bool,
    /// What the buyer is told, in their language.
    pub message: String,
}

/// What the rules and the promo code give a cart.
#[derive(Debug, Clone, Default)]
pub struct CartDiscounts {
    pub outcome: Outcome,
    pub promo: Option<PromoCheck>,
}

impl CartDiscounts {
    /// The rules' adjustments of the line at `index`.
    pub fn of_line(&self, index: usize) -> Vec<Adjustment> {
        self.outcome.lines.get(index).cloned().unwrap_or_default()
    }
}

/// A gift line priced: its facts and a price brought to zero by the rule.
#[derive(Debug, Clone)]
pub struct GiftLine {
    pub gift: Gift,
    pub fact: OfferFacts,
    pub price: LinePrice,
}

/// Applies the rules valid now and the promo code entered (if any) to the
/// lines, for the buyer `pricing` prices for (staff get none).
pub fn for_cart(
    conn: &mut DbConn,
    pricing: &PriceContext,
    lines: &[PricedQuantity],
    promo_code: Option<&str>,
    now: NaiveDateTime,
    lang: &str,
) -> Result<CartDiscounts> {
    let Some(company) = pricing.company_id else {
        return Ok(CartDiscounts::default());
    };
    let today = settings::timezone(conn)?.from_utc_datetime(&now).date_naive();
    let mut promo = None;
    let mut entered = None;
    if let Some(code) = promo_code.map(str::trim).filter(|c| !c.is_empty()) {
        match promo::check_entered(conn, code, company, today, lang)? {
            Ok((stored, rule)) => {
                entered = Some(rule);
                promo = Some(PromoCheck {
                    code: stored.code.clone(),
                    valid: Some(stored),
                    applied: false,
                    message: String::new(),
                });
            }
            Err(message) => {
                promo = Some(PromoCheck { code: promo::normalise(code), valid: None, applied: false, message });
            }
        }
    }
    let rules = discounts::valid_on(conn, today)?;
    if rules.is_empty() || lines.is_empty() {
        return Ok(CartDiscounts { outcome: Outcome::default(), promo: promo.map(|p| told(p, false, lang)) });
    }
    let placed = if rules.iter().any(|r| r.product_id.is_some() || r.category_id.is_some()) {
        let ids: Vec<OfferId> = lines.iter().map(|l| l.offer_id).collect();
        discounts::placement_of(conn, &ids)?
    } else {
        Default::default()
    };
    let basket: Vec<BasketLine> = lines
        .iter()
        .map(|l| {
            let (product_id, categories) = placed.get(&l.offer_id).cloned().unwrap_or_default();
            BasketLine { offer_id: l.offer_id, product_id, categories, quantity: l.quantity, amount: l.amount }
        })
        .collect();
    let buyer = Buyer {
        today: Some(today),
        groups: super::groups::of_company(conn, company)?.into_iter().map(|g| g.id).collect(),
        contract_id: pricing.contract_id,
        earlier_orders: if rules.iter().any(|r| r.nth_order.is_some()) {
            earlier_orders(conn, company)?
        } else {
            Vec::new()
        },
    };
    let stacking = settings::discount_stacking(conn)?;
    let outcome = discount_engine::apply(&rules, entered.as_ref(), &buyer, &basket, stacking, lang);
    let applied = outcome.promo_used;
    Ok(CartDiscounts { outcome, promo: promo.map(|p| told(p, applied, lang)) })
}

/// The promo check with its message for the buyer.
fn told(mut check: PromoCheck, applied: bool, lang: &str) -> PromoCheck {
    if check.valid.is_some() {
        check.applied = applied;
        let key = if applied { "promo.applied" } else { "promo.not_applied" };
        check.message = crate::i18n::text(lang, key, &[("code", check.code.clone())]);
    }
    check
}

/// The local dates of the company's orders so far, cancelled ones left out.
fn earlier_orders(conn: &mut DbConn, company: CompanyId) -> Result<Vec<chrono::NaiveDate>> {
    let zone = settings::timezone(conn)?;
    let placed: Vec<NaiveDateTime> = orders::table
        .filter(orders::company_id.eq(company.0))
        .filter(orders::status.ne(OrderStatus::Cancelled))
        .select(orders::placed_at)
        .load(conn)?;
    Ok(placed.into_iter().map(|p| zone.from_utc_datetime(&p).date_naive()).collect())
}

/// Prices the gifts: each at the buyer's price, brought to zero by its rule.
/// A gift whose offer no longer exists or has no price is left out.
pub fn gift_lines(conn: &mut DbConn, pricing: &PriceContext, gifts: &[Gift]) -> Result<Vec<GiftLine>> {
    if gifts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<OfferId> = gifts.iter().map(|g| g.offer_id).collect();
    let facts = crate::ordering::offer_facts::by_ids(conn, &ids, &super::assortment::Assortment::everything())?;
    let book = pricing.book(conn, &ids)?;
    let mut out = Vec::new();
    for gift in gifts {
        let (Some(fact), Some(price)) =
            (facts.get(&gift.offer_id), pricing.price_line(&book, gift.offer_id, gift.quantity))
        else {
            continue;
        };
        let free = Adjustment {
            source: if gift.promo { AdjustmentSource::Promo } else { AdjustmentSource::Rule },
            value: 0,
            amount_minor: -price.amount.minor(),
            name: Some(gift.name.clone()),
        };
        out.push(GiftLine { gift: gift.clone(), fact: fact.clone(), price: price.adjusted(gift.quantity, vec![free]) });
    }
    Ok(out)
}
