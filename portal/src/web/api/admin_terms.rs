//! Commercial terms through the API (administrators): customer groups and
//! their members, assortment rules for a company or a group, and quantity
//! price breaks per offer and price type, delivery and payment methods. Each call runs the same domain
//! operation as the admin pages and answers as `admin_accounts` does.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::admin_accounts::{Changed, Created, Done};
use super::{api_error, AdminAuth};
use crate::error::Error;
use crate::ids::{CompanyId, OfferId};
use crate::money::Qty;
use crate::terms::assortment::{self, Effect, Rule, RuleInput};
use crate::terms::delivery::{self, DeliveryInput, DeliveryKind, DeliveryWithPayments};
use crate::terms::groups::{self, GroupInput, GroupWithMembers};
use crate::terms::payment::{self, PaymentInput, PaymentMethod};
use crate::terms::price_breaks::{self, PriceBreak};
use crate::web::AppState;

pub struct AdminTermsApi;

#[derive(Tags)]
enum ApiTags {
    /// Customer groups, assortments and price breaks (administrators)
    AdminTerms,
}

#[derive(Object)]
struct GroupOut {
    id: i64,
    name: String,
    /// `#rrggbb`.
    colour: String,
    company_ids: Vec<i64>,
}

impl From<GroupWithMembers> for GroupOut {
    fn from(g: GroupWithMembers) -> GroupOut {
        GroupOut {
            id: g.group.id,
            name: g.group.name,
            colour: g.group.colour,
            company_ids: g.company_ids.into_iter().map(|c| c.0).collect(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct GroupIn {
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    name: String,
    /// `#rrggbb`; a default blue when absent.
    #[oai(validator(pattern = "^#[0-9A-Fa-f]{6}$"))]
    colour: Option<String>,
    /// The member companies; on an update, absent keeps them.
    company_ids: Option<Vec<i64>>,
}

impl GroupIn {
    fn input(self) -> GroupInput {
        GroupInput {
            name: self.name,
            colour: self.colour,
            company_ids: self.company_ids.map(|ids| ids.into_iter().map(CompanyId).collect()),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RuleOut {
    id: i64,
    company_id: Option<i64>,
    group_id: Option<i64>,
    effect: Effect,
    category_id: Option<i64>,
    product_id: Option<i64>,
}

impl From<Rule> for RuleOut {
    fn from(r: Rule) -> RuleOut {
        RuleOut {
            id: r.id,
            company_id: r.company_id.map(|c| c.0),
            group_id: r.group_id,
            effect: r.effect,
            category_id: r.category_id,
            product_id: r.product_id,
        }
    }
}

/// A rule: exactly one of `company_id` and `group_id`, exactly one of
/// `category_id` (with everything below it) and `product_id`.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RuleIn {
    company_id: Option<i64>,
    group_id: Option<i64>,
    /// hide: the goods do not exist for the target; allow: the target sees
    /// only what its allow rules name.
    effect: Effect,
    category_id: Option<i64>,
    product_id: Option<i64>,
}

#[derive(Object)]
struct BreakIo {
    /// From this quantity on (decimal string, in the product's unit).
    min_quantity: String,
    /// The unit list price from that quantity, in minor units (kopecks),
    /// VAT as the price type has it.
    price_minor: i64,
}

#[derive(Object)]
struct PriceBreaksIo {
    offer_id: i64,
    price_type_id: i64,
    /// Ascending by quantity; an empty list removes the offer's breaks.
    breaks: Vec<BreakIo>,
}

fn parse_breaks(list: &[BreakIo]) -> crate::Result<Vec<PriceBreak>> {
    list.iter()
        .map(|b| {
            let min = Qty::parse(&b.min_quantity)
                .ok_or_else(|| Error::Invalid(format!("{:?} is not a quantity", b.min_quantity)))?;
            Ok(PriceBreak { min_quantity: min.milli(), price_minor: b.price_minor })
        })
        .collect()
}

fn breaks_out(offer_id: i64, price_type_id: i64, list: &[PriceBreak]) -> PriceBreaksIo {
    PriceBreaksIo {
        offer_id,
        price_type_id,
        breaks: list
            .iter()
            .map(|b| BreakIo { min_quantity: Qty(b.min_quantity).plain(), price_minor: b.price_minor })
            .collect(),
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DeliveryMethodIo {
    /// Absent on create.
    #[oai(read_only)]
    id: Option<i64>,
    /// A stable code (latin letters, digits, '-', '_').
    #[oai(validator(pattern = "^[A-Za-z0-9_-]{1,40}$"))]
    code: String,
    kind: DeliveryKind,
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name_ru: String,
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name_en: String,
    /// The fixed part of the cost, minor units, VAT included.
    #[oai(default, validator(minimum(value = "0")))]
    fixed_minor: i64,
    /// The cost per started kilogram of the order's weight.
    #[oai(default, validator(minimum(value = "0")))]
    per_kg_minor: i64,
    /// From this amount of goods delivery is free.
    #[oai(validator(minimum(value = "0")))]
    free_from_minor: Option<i64>,
    /// Business days until the earliest delivery or pickup.
    #[oai(default, validator(minimum(value = "0"), maximum(value = "365")))]
    lead_days: i32,
    /// VAT rate of the delivery service, percent; absent: without VAT.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    vat_rate: Option<i32>,
    #[oai(default = "yes")]
    active: bool,
    #[oai(default)]
    sort_order: i32,
    /// The payment methods allowed with it; empty: every one.
    #[oai(default)]
    payment_method_ids: Vec<i64>,
}

fn yes() -> bool {
    true
}

impl From<DeliveryWithPayments> for DeliveryMethodIo {
    fn from(d: DeliveryWithPayments) -> DeliveryMethodIo {
        let m = d.method;
        DeliveryMethodIo {
            id: Some(m.id),
            code: m.code,
            kind: m.kind,
            name_ru: m.name_ru,
            name_en: m.name_en,
            fixed_minor: m.fixed_minor,
            per_kg_minor: m.per_kg_minor,
            free_from_minor: m.free_from_minor,
            lead_days: m.lead_days,
            vat_rate: m.vat_rate,
            active: m.active,
            sort_order: m.sort_order,
            payment_method_ids: d.payment_method_ids,
        }
    }
}

impl DeliveryMethodIo {
    fn input(self) -> DeliveryInput {
        DeliveryInput {
            code: self.code.trim().to_string(),
            kind: self.kind,
            name_ru: self.name_ru,
            name_en: self.name_en,
            fixed_minor: self.fixed_minor,
            per_kg_minor: self.per_kg_minor,
            free_from_minor: self.free_from_minor,
            lead_days: self.lead_days,
            vat_rate: self.vat_rate,
            active: self.active,
            sort_order: self.sort_order,
            payment_method_ids: self.payment_method_ids,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PaymentMethodIo {
    #[oai(read_only)]
    id: Option<i64>,
    /// A stable code (latin letters, digits, '-', '_').
    #[oai(validator(pattern = "^[A-Za-z0-9_-]{1,40}$"))]
    code: String,
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name_ru: String,
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name_en: String,
    /// The share paid before shipment, basis points (10000 = all); it is
    /// not counted against the contract's credit.
    #[oai(default, validator(minimum(value = "0"), maximum(value = "10000")))]
    prepayment_bp: i32,
    #[oai(default = "yes")]
    active: bool,
    #[oai(default)]
    sort_order: i32,
}

impl From<PaymentMethod> for PaymentMethodIo {
    fn from(p: PaymentMethod) -> PaymentMethodIo {
        PaymentMethodIo {
            id: Some(p.id),
            code: p.code,
            name_ru: p.name_ru,
            name_en: p.name_en,
            prepayment_bp: p.prepayment_bp,
            active: p.active,
            sort_order: p.sort_order,
        }
    }
}

impl PaymentMethodIo {
    fn input(self) -> PaymentInput {
        PaymentInput {
            code: self.code.trim().to_string(),
            name_ru: self.name_ru,
            name_en: self.name_en,
            prepayment_bp: self.prepayment_bp,
            active: self.active,
            sort_order: self.sort_order,
        }
    }
}

#[OpenApi(tag = "ApiTags::AdminTerms")]
impl AdminTermsApi {
    /// Every delivery method, inactive ones too.
    #[oai(path = "/v1/admin/delivery-methods", method = "get")]
    async fn deliveries(&self, state: Data<&AppState>, _auth: AdminAuth) -> poem::Result<Json<Vec<DeliveryMethodIo>>> {
        let list = state.db.run(|conn| delivery::list(conn, true)).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Creates a delivery method (a code used already is 409).
    #[oai(path = "/v1/admin/delivery-methods", method = "post")]
    async fn create_delivery(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<DeliveryMethodIo>,
    ) -> poem::Result<Created<DeliveryMethodIo>> {
        let input = body.0.input();
        Created::from_result(state.db.run(move |conn| delivery::save(conn, None, &input).map(Into::into)).await)
    }

    /// Replaces a delivery method and the payment methods it allows.
    #[oai(path = "/v1/admin/delivery-methods/:id", method = "put")]
    async fn update_delivery(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
        body: Json<DeliveryMethodIo>,
    ) -> poem::Result<Changed<DeliveryMethodIo>> {
        let input = body.0.input();
        Changed::from_result(state.db.run(move |conn| delivery::save(conn, Some(id.0), &input).map(Into::into)).await)
    }

    /// Withdraws a delivery method (orders placed with it keep it).
    #[oai(path = "/v1/admin/delivery-methods/:id", method = "delete")]
    async fn delete_delivery(&self, state: Data<&AppState>, _auth: AdminAuth, id: Path<i64>) -> poem::Result<Done> {
        done(state.db.run(move |conn| delivery::deactivate(conn, id.0)).await)
    }

    /// Every payment method, inactive ones too.
    #[oai(path = "/v1/admin/payment-methods", method = "get")]
    async fn payments(&self, state: Data<&AppState>, _auth: AdminAuth) -> poem::Result<Json<Vec<PaymentMethodIo>>> {
        let list = state.db.run(|conn| payment::list(conn, true)).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Creates a payment method (a code used already is 409).
    #[oai(path = "/v1/admin/payment-methods", method = "post")]
    async fn create_payment(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<PaymentMethodIo>,
    ) -> poem::Result<Created<PaymentMethodIo>> {
        let input = body.0.input();
        Created::from_result(state.db.run(move |conn| payment::save(conn, None, &input).map(Into::into)).await)
    }

    /// Replaces a payment method.
    #[oai(path = "/v1/admin/payment-methods/:id", method = "put")]
    async fn update_payment(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
        body: Json<PaymentMethodIo>,
    ) -> poem::Result<Changed<PaymentMethodIo>> {
        let input = body.0.input();
        Changed::from_result(state.db.run(move |conn| payment::save(conn, Some(id.0), &input).map(Into::into)).await)
    }

    /// Withdraws a payment method (orders keep it).
    #[oai(path = "/v1/admin/payment-methods/:id", method = "delete")]
    async fn delete_payment(&self, state: Data<&AppState>, _auth: AdminAuth, id: Path<i64>) -> poem::Result<Done> {
        done(state.db.run(move |conn| payment::deactivate(conn, id.0)).await)
    }

    /// Every customer group with its member companies, by name.
    #[oai(path = "/v1/admin/customer-groups", method = "get")]
    async fn groups(&self, state: Data<&AppState>, _auth: AdminAuth) -> poem::Result<Json<Vec<GroupOut>>> {
        let list = state.db.run(groups::list).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Creates a customer group (a name used already is 409).
    #[oai(path = "/v1/admin/customer-groups", method = "post")]
    async fn create_group(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<GroupIn>,
    ) -> poem::Result<Created<GroupOut>> {
        let input = body.0.input();
        let result = state.db.run(move |conn| groups::create(conn, &input).map(Into::into)).await;
        Created::from_result(result)
    }

    /// Renames or recolours a group; `company_ids`, when given, replaces its members.
    #[oai(path = "/v1/admin/customer-groups/:id", method = "put")]
    async fn update_group(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
        body: Json<GroupIn>,
    ) -> poem::Result<Changed<GroupOut>> {
        let input = body.0.input();
        let result = state.db.run(move |conn| groups::update(conn, id.0, &input).map(Into::into)).await;
        Changed::from_result(result)
    }

    /// Deletes a group, its memberships and the assortment rules aimed at it.
    #[oai(path = "/v1/admin/customer-groups/:id", method = "delete")]
    async fn delete_group(&self, state: Data<&AppState>, _auth: AdminAuth, id: Path<i64>) -> poem::Result<Done> {
        done(state.db.run(move |conn| groups::delete(conn, id.0)).await)
    }

    /// The assortment rules, all or those of one company or group.
    #[oai(path = "/v1/admin/assortments", method = "get")]
    async fn rules(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        company_id: Query<Option<i64>>,
        group_id: Query<Option<i64>>,
    ) -> poem::Result<Json<Vec<RuleOut>>> {
        let list = state.db.run(move |conn| assortment::list(conn, company_id.0.map(CompanyId), group_id.0)).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Adds an assortment rule (the same rule again answers the existing one).
    #[oai(path = "/v1/admin/assortments", method = "post")]
    async fn create_rule(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<RuleIn>,
    ) -> poem::Result<Created<RuleOut>> {
        let r = body.0;
        let input = RuleInput {
            company_id: r.company_id.map(CompanyId),
            group_id: r.group_id,
            effect: r.effect,
            category_id: r.category_id,
            product_id: r.product_id,
        };
        let result = state.db.run(move |conn| assortment::create(conn, &input).map(Into::into)).await;
        Created::from_result(result)
    }

    /// Removes an assortment rule.
    #[oai(path = "/v1/admin/assortments/:id", method = "delete")]
    async fn delete_rule(&self, state: Data<&AppState>, _auth: AdminAuth, id: Path<i64>) -> poem::Result<Done> {
        done(state.db.run(move |conn| assortment::delete(conn, id.0)).await)
    }

    /// The quantity price breaks of an offer at a price type.
    #[oai(path = "/v1/admin/price-breaks", method = "get")]
    async fn price_breaks(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        offer_id: Query<i64>,
        price_type_id: Query<i64>,
    ) -> poem::Result<Json<PriceBreaksIo>> {
        let (offer, price_type) = (offer_id.0, price_type_id.0);
        let list = state
            .db
            .run(move |conn| price_breaks::of_offers(conn, price_type, &[OfferId(offer)]))
            .await?
            .remove(&OfferId(offer))
            .unwrap_or_default();
        Ok(Json(breaks_out(offer, price_type, &list)))
    }

    /// Replaces the quantity price breaks of an offer at a price type.
    #[oai(path = "/v1/admin/price-breaks", method = "put")]
    async fn set_price_breaks(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<PriceBreaksIo>,
    ) -> poem::Result<Changed<PriceBreaksIo>> {
        let body = body.0;
        let result = state
            .db
            .run(move |conn| {
                let list = parse_breaks(&body.breaks)?;
                crate::catalog::PriceType::find(conn, body.price_type_id)?;
                offer_exists(conn, OfferId(body.offer_id))?;
                crate::db::write_transaction(conn, |conn| {
                    price_breaks::replace(conn, OfferId(body.offer_id), body.price_type_id, &list)?;
                    crate::catalog::write::catalog_changed(conn)
                })?;
                let stored = price_breaks::of_offers(conn, body.price_type_id, &[OfferId(body.offer_id)])?;
                let stored = stored.get(&OfferId(body.offer_id)).cloned().unwrap_or_default();
                Ok(breaks_out(body.offer_id, body.price_type_id, &stored))
            })
            .await;
        Changed::from_result(result)
    }
}

pub(super) fn done(result: crate::Result<()>) -> poem::Result<Done> {
    match result {
        Ok(()) => Ok(Done::Ok),
        Err(Error::NotFound) => Ok(Done::NotFound(api_error("not found"))),
        Err(other) => Err(other.into()),
    }
}

fn offer_exists(conn: &mut crate::db::DbConn, offer: OfferId) -> crate::Result<()> {
    use crate::db::schema::offers;
    use diesel::prelude::*;
    offers::table.find(offer).select(offers::id).first::<i64>(conn).optional()?.map(|_| ()).ok_or(Error::NotFound)
}
