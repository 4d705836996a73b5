//! Back in stock, expected arrival and low-stock watches through the API:
//! a buyer's subscription to a product's goods that are out of stock, the
//! ERP's expected date for an offer, and the offers staff watch.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::admin_accounts::Done;
use super::{api_error, ApiError, BearerAuth, ExchangeAuth, StaffAuth};
use crate::error::Error;
use crate::ids::OfferId;
use crate::money::Qty;
use crate::stock_alerts;
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Back in stock, expected arrival, low-stock watches
    Stock,
}

pub struct StockAlertsApi;

#[derive(Object)]
struct SubscriptionIn {
    /// One offer of the product; without it, every offer of the product
    /// that is out of stock now.
    offer_id: Option<i64>,
}

#[derive(Object)]
struct SubscriptionOut {
    /// The offers the buyer will be told about when they are back.
    offer_ids: Vec<i64>,
}

#[derive(Object)]
struct ExpectedIn {
    /// When the offer is expected; absent or null clears it.
    date: Option<chrono::NaiveDate>,
}

#[derive(Object)]
struct WatchIn {
    /// Alert when what is available falls below this quantity (a decimal
    /// string above zero).
    #[oai(validator(max_length = 20, pattern = r"^[0-9]+([.,][0-9]{1,3})?$"))]
    threshold: String,
}

#[derive(Object)]
struct WatchOut {
    offer_id: i64,
    product_id: i64,
    sku: String,
    name: String,
    threshold: String,
    available: String,
    /// An alert went out and the stock has not risen to the threshold since.
    alerted: bool,
}

#[derive(ApiResponse)]
enum Subscribed {
    #[oai(status = 201)]
    New(Json<SubscriptionOut>),
    /// No such product (or offer of it) in the buyer's catalog.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// Nothing to wait for: it is in stock now.
    #[oai(status = 409)]
    InStock(Json<ApiError>),
}

#[derive(ApiResponse)]
enum Watched {
    #[oai(status = 200)]
    Ok(Json<WatchOut>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// The threshold is unreadable or not above zero.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(ApiResponse)]
enum Unsubscribed {
    #[oai(status = 204)]
    Ok,
}

fn watch_out(w: stock_alerts::Watch) -> WatchOut {
    WatchOut {
        offer_id: w.offer_id.0,
        product_id: w.product_id,
        sku: w.sku,
        name: w.name,
        threshold: Qty(w.threshold).plain(),
        available: Qty(w.available).plain(),
        alerted: w.alerted,
    }
}

#[OpenApi(tag = "ApiTags::Stock")]
impl StockAlertsApi {
    /// Tells the buyer (cabinet and email) when the product's goods that are
    /// out of stock — or the one offer named — are available again.
    #[oai(path = "/v1/catalog/products/:id/subscription", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn subscribe(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<SubscriptionIn>,
    ) -> poem::Result<Subscribed> {
        let user = auth.0;
        let offer = body.0.offer_id.map(OfferId);
        let result = state.db.run(move |conn| Ok(stock_alerts::subscribe(conn, &user, id.0, offer))).await?;
        Ok(match result {
            Ok(ids) => Subscribed::New(Json(SubscriptionOut { offer_ids: ids.into_iter().map(|o| o.0).collect() })),
            Err(Error::NotFound) => Subscribed::NotFound(api_error("no such product")),
            Err(Error::Conflict(message)) => Subscribed::InStock(api_error(message)),
            Err(other) => return Err(other.into()),
        })
    }

    /// Ends the buyer's subscriptions to the product's goods.
    #[oai(path = "/v1/catalog/products/:id/subscription", method = "delete")]
    #[tracing::instrument(skip_all)]
    async fn unsubscribe(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<Unsubscribed> {
        let user = auth.0.id;
        state.db.run(move |conn| stock_alerts::unsubscribe(conn, user, id.0)).await?;
        Ok(Unsubscribed::Ok)
    }

    /// Sets (or clears) when an offer out of stock is expected; buyers see
    /// it beside "none" and on backordered lines.
    #[oai(path = "/v1/admin/offers/:offer_id/expected-arrival", method = "put")]
    #[tracing::instrument(skip_all)]
    async fn expected(
        &self,
        state: Data<&AppState>,
        _auth: ExchangeAuth,
        offer_id: Path<i64>,
        body: Json<ExpectedIn>,
    ) -> poem::Result<Done> {
        let date = body.0.date;
        match state.db.run(move |conn| Ok(stock_alerts::set_expected(conn, OfferId(offer_id.0), date))).await? {
            Ok(()) => Ok(Done::Ok),
            Err(Error::NotFound) => Ok(Done::NotFound(api_error("no such offer"))),
            Err(other) => Err(other.into()),
        }
    }

    /// Every watched offer with its threshold and what is available.
    #[oai(path = "/v1/admin/stock-watches", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn watches(&self, state: Data<&AppState>, _auth: StaffAuth) -> poem::Result<Json<Vec<WatchOut>>> {
        let watches = state.db.run(stock_alerts::watches).await?;
        Ok(Json(watches.into_iter().map(watch_out).collect()))
    }

    /// Watches an offer: the caller is alerted when what is available falls
    /// below the threshold (once, until it rises again).
    #[oai(path = "/v1/admin/stock-watches/:offer_id", method = "put")]
    #[tracing::instrument(skip_all)]
    async fn watch(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        offer_id: Path<i64>,
        body: Json<WatchIn>,
    ) -> poem::Result<Watched> {
        let staff = auth.0.id;
        let Some(threshold) = Qty::parse(body.0.threshold.trim()).map(|q| q.milli()) else {
            return Ok(Watched::Invalid(api_error(format!("unreadable threshold {:?}", body.0.threshold))));
        };
        let offer = OfferId(offer_id.0);
        let result = state
            .db
            .run(move |conn| {
                Ok(stock_alerts::watch(conn, staff, offer, threshold).and_then(|()| {
                    stock_alerts::watches(conn)?.into_iter().find(|w| w.offer_id == offer).ok_or(Error::NotFound)
                }))
            })
            .await?;
        Ok(match result {
            Ok(w) => Watched::Ok(Json(watch_out(w))),
            Err(Error::NotFound) => Watched::NotFound(api_error("no such offer")),
            Err(Error::Invalid(message)) => Watched::Invalid(api_error(message)),
            Err(other) => return Err(other.into()),
        })
    }

    /// Stops watching an offer.
    #[oai(path = "/v1/admin/stock-watches/:offer_id", method = "delete")]
    #[tracing::instrument(skip_all)]
    async fn unwatch(&self, state: Data<&AppState>, _auth: StaffAuth, offer_id: Path<i64>) -> poem::Result<Done> {
        let gone = state.db.run(move |conn| stock_alerts::unwatch(conn, OfferId(offer_id.0))).await?;
        Ok(if gone { Done::Ok } else { Done::NotFound(api_error("this offer is not watched")) })
    }
}
