//! Delivery and payment methods for a buyer: those that apply to a cart
//! with their cost, earliest date and allowed payment methods, and the
//! payment methods. Checkout takes the ids they answer.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::{api_error, ApiError, BearerAuth};
use crate::error::Error;
use crate::ids::CartId;
use crate::ordering::{cart_view, carts};
use crate::pricing::PriceContext;
use crate::terms::delivery::{self, DeliveryKind, Quote};
use crate::terms::payment::{self, PaymentMethod};
use crate::web::AppState;

pub struct ShippingApi;

#[derive(Tags)]
enum ApiTags {
    /// Delivery and payment methods
    Shipping,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DeliveryQuoteOut {
    id: i64,
    code: String,
    kind: DeliveryKind,
    /// In the user's language.
    name: String,
    /// The cost for the cart (none asked: for an empty cart), VAT included.
    cost_minor: i64,
    vat_minor: i64,
    /// The cart's weight the cost was computed for, in grams.
    weight_grams: i64,
    lead_days: i32,
    /// The earliest delivery (or pickup) date.
    earliest_date: NaiveDate,
    /// The payment methods allowed with it.
    payment_method_ids: Vec<i64>,
}

#[derive(Object)]
struct PaymentMethodOut {
    id: i64,
    code: String,
    name: String,
    /// The share paid in advance, percent (decimal string).
    prepayment_percent: String,
}

fn payment_out(p: PaymentMethod, lang: &str) -> PaymentMethodOut {
    PaymentMethodOut {
        name: p.name(lang).to_string(),
        prepayment_percent: crate::money::percent_from_bp(p.prepayment_bp),
        id: p.id,
        code: p.code,
    }
}

#[derive(ApiResponse)]
enum QuotesOutcome {
    #[oai(status = 200)]
    Ok(Json<Vec<DeliveryQuoteOut>>),
    /// No such cart of the user.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

#[OpenApi(tag = "ApiTags::Shipping")]
impl ShippingApi {
    /// The delivery methods that apply, priced for the cart (`cart_id`) or
    /// for an empty one, each with the payment methods it allows.
    #[oai(path = "/v1/delivery-methods", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn delivery_methods(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Query<Option<i64>>,
    ) -> poem::Result<QuotesOutcome> {
        let user = auth.0;
        let lang = crate::i18n::locale(&user.locale);
        let result = state
            .db
            .run(move |conn| {
                let today = crate::finance::today(conn)?;
                let (amount, weight) = match cart_id.0 {
                    Some(id) => {
                        let cart = carts::find(conn, &user, CartId(id))?;
                        let pricing = PriceContext::for_user(conn, &user)?;
                        let priced = cart_view::priced(conn, cart, &pricing, &user.locale)?;
                        let lines: Vec<_> = priced.lines.iter().map(|l| (l.offer_id, l.quantity)).collect();
                        (priced.total, delivery::weight_of(conn, &lines)?)
                    }
                    None => (crate::money::Money(0), 0),
                };
                let all: Vec<i64> = payment::list(conn, false)?.into_iter().map(|p| p.id).collect();
                Ok((delivery::quotes(conn, amount, weight, today)?, all))
            })
            .await;
        let (quotes, all_payments): (Vec<Quote>, Vec<i64>) = match result {
            Ok(quotes) => quotes,
            Err(Error::NotFound) => return Ok(QuotesOutcome::NotFound(api_error("no such cart"))),
            Err(other) => return Err(other.into()),
        };
        Ok(QuotesOutcome::Ok(Json(
            quotes
                .into_iter()
                .map(|q| DeliveryQuoteOut {
                    name: q.delivery.method.name(lang).to_string(),
                    id: q.delivery.method.id,
                    code: q.delivery.method.code,
                    kind: q.delivery.method.kind,
                    cost_minor: q.cost.minor(),
                    vat_minor: q.vat.minor(),
                    weight_grams: q.weight_grams,
                    lead_days: q.delivery.method.lead_days,
                    earliest_date: q.earliest,
                    payment_method_ids: if q.delivery.payment_method_ids.is_empty() {
                        all_payments.clone()
                    } else {
                        q.delivery.payment_method_ids
                    },
                })
                .collect(),
        )))
    }

    /// The payment methods, in their order.
    #[oai(path = "/v1/payment-methods", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn payment_methods(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> poem::Result<Json<Vec<PaymentMethodOut>>> {
        let lang = crate::i18n::locale(&auth.0.locale);
        let list = state.db.run(|conn| payment::list(conn, false)).await?;
        Ok(Json(list.into_iter().map(|p| payment_out(p, lang)).collect()))
    }
}
