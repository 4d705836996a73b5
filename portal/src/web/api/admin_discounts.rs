//! Discount rules and promo codes through the API (administrators): the
//! same domain operations as `terms::discounts` and `terms::promo`,
//! answering as `admin_accounts` does.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::admin_accounts::{Changed, Created, Done};
use super::admin_terms::done;
use super::AdminAuth;
use crate::ids::OfferId;
use crate::terms::discounts::{self, AppliesTo, EffectKind, Rule, RuleInput};
use crate::terms::promo::{self, PromoCode, PromoInput};
use crate::web::AppState;

pub struct AdminDiscountsApi;

#[derive(Tags)]
enum ApiTags {
    /// Discount rules and promo codes (administrators)
    AdminDiscounts,
}

/// A discount rule: every condition given must hold; the effect applies.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DiscountRuleIo {
    #[oai(read_only)]
    id: Option<i64>,
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name_ru: String,
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name_en: String,
    #[oai(default = "yes")]
    active: bool,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    /// The goods' amount (kopecks, contract prices with VAT) the order must reach.
    #[oai(validator(minimum(value = "0")))]
    min_order_minor: Option<i64>,
    /// Only lines of this product count (and are discounted, for `lines`).
    product_id: Option<i64>,
    /// Only lines in this category or below.
    category_id: Option<i64>,
    /// The quantity the counted lines reach together (decimal string).
    min_quantity: Option<String>,
    /// Only companies in this customer group.
    group_id: Option<i64>,
    /// Only orders under this contract.
    contract_id: Option<i64>,
    /// Only the company's n-th order (1 = the first) …
    #[oai(validator(minimum(value = "1")))]
    nth_order: Option<i32>,
    /// … counting the orders of the last N days.
    #[oai(validator(minimum(value = "1")))]
    within_days: Option<i32>,
    effect: EffectKind,
    #[oai(default = "lines_default")]
    applies_to: AppliesTo,
    /// Basis points (percent: 500 = 5 %) or kopecks (fixed: per unit on
    /// lines, once on the order); 0 for a gift.
    #[oai(default, validator(minimum(value = "0")))]
    value: i64,
    gift_offer_id: Option<i64>,
    /// The gift's quantity (decimal string).
    gift_quantity: Option<String>,
    /// Applies only while one of its promo codes is entered.
    #[oai(default)]
    promo_only: bool,
}

fn lines_default() -> AppliesTo {
    AppliesTo::Lines
}

fn yes() -> bool {
    true
}

impl From<Rule> for DiscountRuleIo {
    fn from(r: Rule) -> DiscountRuleIo {
        use crate::money::Qty;
        DiscountRuleIo {
            id: Some(r.id),
            name_ru: r.name_ru,
            name_en: r.name_en,
            active: r.active,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            min_order_minor: r.min_order_minor,
            product_id: r.product_id,
            category_id: r.category_id,
            min_quantity: r.min_quantity.map(|q| Qty(q).plain()),
            group_id: r.group_id,
            contract_id: r.contract_id,
            nth_order: r.nth_order,
            within_days: r.within_days,
            effect: r.effect,
            applies_to: r.applies_to,
            value: r.value,
            gift_offer_id: r.gift_offer_id.map(|o| o.0),
            gift_quantity: (r.gift_quantity > 0).then(|| Qty(r.gift_quantity).plain()),
            promo_only: r.promo_only,
        }
    }
}

impl DiscountRuleIo {
    fn input(self) -> crate::Result<RuleInput> {
        let quantity = |text: Option<String>, what: &str| -> crate::Result<Option<i64>> {
            text.map(|t| {
                crate::money::Qty::parse(&t)
                    .map(|q| q.milli())
                    .ok_or_else(|| crate::Error::Invalid(format!("{what} is not a quantity: {t}")))
            })
            .transpose()
        };
        Ok(RuleInput {
            name_ru: self.name_ru,
            name_en: self.name_en,
            active: self.active,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            min_order_minor: self.min_order_minor,
            product_id: self.product_id,
            category_id: self.category_id,
            min_quantity: quantity(self.min_quantity, "min_quantity")?,
            group_id: self.group_id,
            contract_id: self.contract_id,
            nth_order: self.nth_order,
            within_days: self.within_days,
            effect: self.effect,
            applies_to: self.applies_to,
            value: self.value,
            gift_offer_id: self.gift_offer_id.map(OfferId),
            gift_quantity: quantity(self.gift_quantity, "gift_quantity")?.unwrap_or(0),
            promo_only: self.promo_only,
        })
    }
}

/// A promo code switching on one rule.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PromoCodeIo {
    #[oai(read_only)]
    id: Option<i64>,
    /// 3 to 40 letters, digits, '-' or '_'; stored in upper case.
    #[oai(validator(min_length = 3, max_length = 40))]
    code: String,
    /// The rule it switches on (usually one marked `promo_only`).
    rule_id: i64,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    /// Uses in all; none: unlimited.
    #[oai(validator(minimum(value = "1")))]
    max_uses: Option<i32>,
    /// Uses per company; none: unlimited.
    #[oai(validator(minimum(value = "1")))]
    max_uses_per_company: Option<i32>,
    #[oai(read_only)]
    uses: Option<i32>,
    #[oai(default = "yes")]
    active: bool,
}

impl From<PromoCode> for PromoCodeIo {
    fn from(p: PromoCode) -> PromoCodeIo {
        PromoCodeIo {
            id: Some(p.id),
            code: p.code,
            rule_id: p.rule_id,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            max_uses: p.max_uses,
            max_uses_per_company: p.max_uses_per_company,
            uses: Some(p.uses),
            active: p.active,
        }
    }
}

impl PromoCodeIo {
    fn input(self) -> PromoInput {
        PromoInput {
            code: self.code,
            rule_id: self.rule_id,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            max_uses: self.max_uses,
            max_uses_per_company: self.max_uses_per_company,
            active: self.active,
        }
    }
}

#[OpenApi(tag = "ApiTags::AdminDiscounts")]
impl AdminDiscountsApi {
    /// Every discount rule.
    #[oai(path = "/v1/admin/discount-rules", method = "get")]
    async fn rules(&self, state: Data<&AppState>, _auth: AdminAuth) -> poem::Result<Json<Vec<DiscountRuleIo>>> {
        let list = state.db.run(discounts::list).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Creates a discount rule.
    #[oai(path = "/v1/admin/discount-rules", method = "post")]
    async fn create_rule(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<DiscountRuleIo>,
    ) -> poem::Result<Created<DiscountRuleIo>> {
        let body = body.0;
        Created::from_result(state.db.run(move |conn| discounts::create(conn, &body.input()?).map(Into::into)).await)
    }

    /// Replaces a discount rule.
    #[oai(path = "/v1/admin/discount-rules/:id", method = "put")]
    async fn update_rule(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
        body: Json<DiscountRuleIo>,
    ) -> poem::Result<Changed<DiscountRuleIo>> {
        let body = body.0;
        Changed::from_result(
            state.db.run(move |conn| discounts::update(conn, id.0, &body.input()?).map(Into::into)).await,
        )
    }

    /// Deletes a discount rule and its promo codes (orders keep what it gave).
    #[oai(path = "/v1/admin/discount-rules/:id", method = "delete")]
    async fn delete_rule(&self, state: Data<&AppState>, _auth: AdminAuth, id: Path<i64>) -> poem::Result<Done> {
        done(state.db.run(move |conn| discounts::delete(conn, id.0)).await)
    }

    /// Every promo code with its uses.
    #[oai(path = "/v1/admin/promo-codes", method = "get")]
    async fn codes(&self, state: Data<&AppState>, _auth: AdminAuth) -> poem::Result<Json<Vec<PromoCodeIo>>> {
        let list = state.db.run(promo::list).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Creates a promo code (a code taken already is 409).
    #[oai(path = "/v1/admin/promo-codes", method = "post")]
    async fn create_code(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<PromoCodeIo>,
    ) -> poem::Result<Created<PromoCodeIo>> {
        let input = body.0.input();
        Created::from_result(state.db.run(move |conn| promo::create(conn, &input).map(Into::into)).await)
    }

    /// Changes a promo code (its uses stay).
    #[oai(path = "/v1/admin/promo-codes/:id", method = "put")]
    async fn update_code(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
        body: Json<PromoCodeIo>,
    ) -> poem::Result<Changed<PromoCodeIo>> {
        let input = body.0.input();
        Changed::from_result(state.db.run(move |conn| promo::update(conn, id.0, &input).map(Into::into)).await)
    }

    /// Deletes a promo code (orders keep the code they used).
    #[oai(path = "/v1/admin/promo-codes/:id", method = "delete")]
    async fn delete_code(&self, state: Data<&AppState>, _auth: AdminAuth, id: Path<i64>) -> poem::Result<Done> {
        done(state.db.run(move |conn| promo::delete(conn, id.0)).await)
    }
}
