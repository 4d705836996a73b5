//! The REST API's order channel, for an ERP that is not 1C: list the new and
//! changed orders the API channel has not taken yet, then acknowledge them.
//! Each order carries a `version`; acknowledging that version marks it taken
//! (see `ordering::channels`), and an order changed since stays in the list.
//! For the ERP's machine user and administrators.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::{api_error, ApiError, ExchangeAuth};
use crate::ids::OrderId;
use crate::journal::Trigger;
use crate::money::Qty;
use crate::ordering::channels::{self, Channel};
use crate::ordering::export::{self, OrderForErp};
use crate::ordering::status::OrderStatus;
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// The order feed for an ERP that reads orders through the API
    Exchange,
}

pub struct ExchangeOrdersApi;

/// The version token of an order: its last change, to the nanosecond.
fn version_of(updated_at: NaiveDateTime) -> String {
    updated_at.and_utc().format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

fn parse_version(text: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.naive_utc())
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct BuyerOut {
    id: i64,
    /// The counterparty's `Ид` in the ERP, when it came from there.
    external_id: Option<String>,
    name: String,
    inn: String,
    kpp: String,
    legal_address: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ErpLineOut {
    line_no: i32,
    /// The offer's `Ид` in the ERP.
    offer_external_id: String,
    sku: String,
    name: String,
    unit: String,
    quantity: String,
    price_minor: i64,
    amount_minor: i64,
    vat_rate: Option<i32>,
    vat_minor: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ErpOrderOut {
    id: i64,
    number: String,
    /// Send it back in the acknowledgement: the order as you received it.
    version: String,
    status: OrderStatus,
    placed_at: DateTime<Utc>,
    buyer: BuyerOut,
    contract: String,
    delivery_address: String,
    desired_date: Option<NaiveDate>,
    po_number: String,
    comment: String,
    currency: String,
    total_minor: i64,
    vat_minor: i64,
    paid_minor: i64,
    erp_number: Option<String>,
    lines: Vec<ErpLineOut>,
}

impl From<OrderForErp> for ErpOrderOut {
    fn from(o: OrderForErp) -> ErpOrderOut {
        let order = o.order;
        ErpOrderOut {
            id: order.id.0,
            number: order.number,
            version: version_of(order.updated_at),
            status: order.status,
            placed_at: order.placed_at.and_utc(),
            buyer: BuyerOut {
                id: o.company.id,
                external_id: o.company.external_id,
                name: o.company.name,
                inn: o.company.inn,
                kpp: o.company.kpp,
                legal_address: o.company.legal_address,
            },
            contract: o.contract_number,
            delivery_address: order.delivery_address,
            desired_date: order.desired_date,
            po_number: order.po_number,
            comment: order.comment,
            currency: order.currency,
            total_minor: order.total_minor,
            vat_minor: order.vat_minor,
            paid_minor: order.paid_minor,
            erp_number: order.erp_number,
            lines: o
                .lines
                .into_iter()
                .map(|(l, external_id)| ErpLineOut {
                    line_no: l.line_no,
                    offer_external_id: external_id,
                    sku: l.sku,
                    name: l.name,
                    unit: l.unit,
                    quantity: Qty(l.quantity).plain(),
                    price_minor: l.price_minor,
                    amount_minor: l.amount_minor,
                    vat_rate: l.vat_rate,
                    vat_minor: l.vat_minor,
                })
                .collect(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PendingOut {
    /// Oldest first.
    orders: Vec<ErpOrderOut>,
    /// More orders are waiting than this page holds: acknowledge, then ask again.
    more: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct TakenIn {
    id: i64,
    /// The `version` the order was listed with.
    #[oai(validator(max_length = 64))]
    version: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AckIn {
    #[oai(validator(max_items = 1000))]
    orders: Vec<TakenIn>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AckOut {
    /// Orders now recorded as taken through the API.
    acknowledged: Vec<i64>,
    /// Orders not recorded: changed since the version given (list them again), or unknown.
    not_acknowledged: Vec<i64>,
}

#[derive(ApiResponse)]
enum PendingOutcome {
    #[oai(status = 200)]
    Listed(Json<PendingOut>),
}

#[derive(ApiResponse)]
enum AckOutcome {
    #[oai(status = 200)]
    Recorded(Json<AckOut>),
    /// A version that is not an RFC 3339 time.
    #[oai(status = 400)]
    BadVersion(Json<ApiError>),
}

#[OpenApi(tag = "ApiTags::Exchange")]
impl ExchangeOrdersApi {
    /// New and changed orders the API channel has not taken yet, oldest first.
    #[oai(path = "/v1/exchange/orders", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn pending(
        &self,
        state: Data<&AppState>,
        _auth: ExchangeAuth,
        /// At most this many orders (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<i64>>,
    ) -> poem::Result<PendingOutcome> {
        let limit = limit.0.unwrap_or(100);
        let (orders, more) = state
            .db
            .run(move |conn| {
                let mut ids = channels::pending_ids(conn, Channel::Api, limit + 1)?;
                let more = ids.len() as i64 > limit;
                ids.truncate(limit as usize);
                Ok((export::load(conn, &ids)?, more))
            })
            .await?;
        Ok(PendingOutcome::Listed(Json(PendingOut { orders: orders.into_iter().map(Into::into).collect(), more })))
    }

    /// Acknowledge orders taken: each as of the `version` it was listed with.
    #[oai(path = "/v1/exchange/orders/ack", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn acknowledge(
        &self,
        state: Data<&AppState>,
        _auth: ExchangeAuth,
        body: Json<AckIn>,
    ) -> poem::Result<AckOutcome> {
        let mut taken = Vec::new();
        for order in &body.0.orders {
            match parse_version(&order.version) {
                Some(version) => taken.push((OrderId(order.id), version)),
                None => {
                    return Ok(AckOutcome::BadVersion(api_error(format!(
                        "order {}: the version must be the one the order was listed with",
                        order.id
                    ))))
                }
            }
        }
        let asked: Vec<i64> = taken.iter().map(|(id, _)| id.0).collect();
        let acknowledged = state
            .db
            .run(move |conn| {
                let confirmed = channels::confirm(conn, Channel::Api, &taken)?;
                crate::journal::record_delivery(conn, Channel::Api.as_str(), Trigger::Erp, &confirmed.newly)?;
                Ok(confirmed.newly.into_iter().chain(confirmed.already).map(|id| id.0).collect::<Vec<i64>>())
            })
            .await?;
        let not_acknowledged = asked.into_iter().filter(|id| !acknowledged.contains(id)).collect();
        Ok(AckOutcome::Recorded(Json(AckOut { acknowledged, not_acknowledged })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_round_trip_to_the_nanosecond() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_nano_opt(14, 54, 1, 123_456_789))
            .expect("time");
        assert_eq!(parse_version(&version_of(at)), Some(at));
        assert_eq!(parse_version("yesterday"), None);
    }
}
