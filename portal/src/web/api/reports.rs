//! Reports through the API, each over the orders in the caller's scope (a
//! manager sees only the companies they manage): sales grouped by customer,
//! category, manager or month (`GET /api/v1/reports/sales`, also as .xlsx),
//! the top products, the customers who bought a category, lapsed
//! reservations and backorders, and the customers who stopped buying
//! (`GET /api/v1/reports/lapsed-customers`).

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};

use super::{api_error, ApiError, StaffAuth};
use crate::error::Error;
use crate::ordering::orders::Scope;
use crate::ordering::status::OrderStatus;
use crate::reports::lapsed::{self, Lapsed};
use crate::reports::period::Period;
use crate::reports::sales::{self, GroupBy, ReservationRow};
use crate::reports::{tables, xlsx};
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Reports for the supplier's staff
    Reports,
}

pub struct ReportsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct LapsedOut {
    company_id: i64,
    company: String,
    /// Orders placed (cancelled ones aside).
    orders: i64,
    first_order_on: NaiveDate,
    last_order_on: NaiveDate,
    /// The mean days between its orders.
    usual_interval_days: i64,
    days_since_last: i64,
}

impl From<Lapsed> for LapsedOut {
    fn from(l: Lapsed) -> LapsedOut {
        LapsedOut {
            company_id: l.company_id.0,
            company: l.company,
            orders: l.orders,
            first_order_on: l.first_order_on,
            last_order_on: l.last_order_on,
            usual_interval_days: l.usual_interval_days,
            days_since_last: l.days_since_last,
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
enum Format {
    Json,
    Xlsx,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct SalesRowOut {
    /// The company's, manager's (0: none) or category's (0: none) id; for a month yyyymm.
    key: i64,
    label: String,
    orders: i64,
    amount_minor: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct SalesOut {
    group_by: GroupBy,
    from: NaiveDate,
    to: NaiveDate,
    rows: Vec<SalesRowOut>,
    /// Orders covered (an order in two categories counts once).
    orders: i64,
    /// By customer, manager or month: the sum of the orders' totals (delivery
    /// included); by category: of their lines.
    total_minor: i64,
}

/// The report as JSON or, with `format=xlsx`, a spreadsheet (one 200 answer
/// with both contents in the served document: `document::JSON_OR_SPREADSHEET`).
#[derive(ApiResponse)]
enum SalesOutcome {
    #[oai(status = 200)]
    Report(Json<SalesOut>),
    /// The report (JSON), or with `format=xlsx` the spreadsheet.
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Xlsx(Attachment<Vec<u8>>),
    /// The period ends before it starts, or is over ten years.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct TopProductOut {
    offer_id: i64,
    sku: String,
    name: String,
    /// Thousandths of the unit.
    quantity_milli: i64,
    amount_minor: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CategoryBuyerOut {
    company_id: i64,
    company: String,
    orders: i64,
    amount_minor: i64,
    last_order_at: DateTime<Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ReservationRowOut {
    order_id: i64,
    number: String,
    company: String,
    placed_at: DateTime<Utc>,
    status: OrderStatus,
    /// A backorder's line.
    sku: Option<String>,
    /// Thousandths of the unit waiting for stock.
    backordered_milli: Option<i64>,
    amount_minor: i64,
}

impl From<ReservationRow> for ReservationRowOut {
    fn from(r: ReservationRow) -> ReservationRowOut {
        ReservationRowOut {
            order_id: r.order_id,
            number: r.number,
            company: r.company,
            placed_at: r.placed_at.and_utc(),
            status: r.status,
            backordered_milli: r.sku.as_ref().map(|_| r.backordered),
            sku: r.sku,
            amount_minor: r.amount_minor,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ReservationsOut {
    /// Orders placed in the period whose reservation lapsed.
    lapsed: Vec<ReservationRowOut>,
    /// Lines of open orders waiting for stock.
    backorders: Vec<ReservationRowOut>,
}

#[derive(ApiResponse)]
enum Rows<T: poem_openapi::types::ToJSON> {
    #[oai(status = 200)]
    Ok(Json<T>),
    /// No such category.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// The period ends before it starts, or is over ten years.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

impl<T: poem_openapi::types::ToJSON> Rows<T> {
    fn of(result: crate::Result<T>) -> poem::Result<Rows<T>> {
        Ok(match result {
            Ok(value) => Rows::Ok(Json(value)),
            Err(Error::NotFound) => Rows::NotFound(api_error("no such category")),
            Err(Error::Invalid(message)) => Rows::Invalid(api_error(message)),
            Err(other) => return Err(other.into()),
        })
    }
}

/// The period asked for: by default the year up to today.
fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> crate::Result<Period> {
    Period::or_last_year(from, to, Utc::now().date_naive())
}

#[OpenApi(tag = "ApiTags::Reports")]
impl ReportsApi {
    /// Sales in a period (default: the last twelve months) grouped by
    /// customer, category, manager or month; `format=xlsx` for a spreadsheet.
    #[oai(path = "/v1/reports/sales", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn sales(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
        group_by: Query<Option<GroupBy>>,
        format: Query<Option<Format>>,
    ) -> poem::Result<SalesOutcome> {
        let user = auth.0;
        let lang = crate::i18n::locale(&user.locale);
        let period = match period(from.0, to.0) {
            Ok(period) => period,
            Err(Error::Invalid(message)) => return Ok(SalesOutcome::Invalid(api_error(message))),
            Err(other) => return Err(other.into()),
        };
        let group_by = group_by.0.unwrap_or(GroupBy::Month);
        let report = state.db.run(move |conn| sales::sales(conn, Scope::of(&user), period, group_by, lang)).await?;
        if format.0 == Some(Format::Xlsx) {
            let bytes = xlsx::write(&tables::sales(&report, lang))?;
            let name = format!("sales-{}-{}.xlsx", period.from, period.to);
            return Ok(SalesOutcome::Xlsx(
                Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name),
            ));
        }
        Ok(SalesOutcome::Report(Json(SalesOut {
            group_by,
            from: period.from,
            to: period.to,
            orders: report.orders,
            total_minor: report.total_minor,
            rows: report
                .rows
                .into_iter()
                .map(|r| SalesRowOut { key: r.key, label: r.label, orders: r.orders, amount_minor: r.amount_minor })
                .collect(),
        })))
    }

    /// The products sold for the most in a period (default: twelve months).
    #[oai(path = "/v1/reports/top-products", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn top_products(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<i64>>,
    ) -> poem::Result<Rows<Vec<TopProductOut>>> {
        let user = auth.0;
        let result = match period(from.0, to.0) {
            Ok(period) => {
                let limit = limit.0.unwrap_or(20);
                state.db.run(move |conn| sales::top_products(conn, Scope::of(&user), period, limit)).await
            }
            Err(error) => Err(error),
        };
        Rows::of(result.map(|rows| {
            rows.into_iter()
                .map(|p| TopProductOut {
                    offer_id: p.offer_id,
                    sku: p.sku,
                    name: p.name,
                    quantity_milli: p.quantity,
                    amount_minor: p.amount_minor,
                })
                .collect()
        }))
    }

    /// The customers who bought goods of a category (or below it) in a period.
    #[oai(path = "/v1/reports/category-buyers", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn category_buyers(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        category_id: Query<i64>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> poem::Result<Rows<Vec<CategoryBuyerOut>>> {
        let user = auth.0;
        let result = match period(from.0, to.0) {
            Ok(period) => {
                let category = category_id.0;
                state.db.run(move |conn| sales::category_buyers(conn, Scope::of(&user), period, category)).await
            }
            Err(error) => Err(error),
        };
        Rows::of(result.map(|rows| {
            rows.into_iter()
                .map(|b| CategoryBuyerOut {
                    company_id: b.company_id,
                    company: b.company,
                    orders: b.orders,
                    amount_minor: b.amount_minor,
                    last_order_at: b.last_order_at.and_utc(),
                })
                .collect()
        }))
    }

    /// Orders placed in a period whose reservation lapsed, and the lines of
    /// open orders waiting for stock.
    #[oai(path = "/v1/reports/reservations", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn reservations(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> poem::Result<Rows<ReservationsOut>> {
        let user = auth.0;
        let result = match period(from.0, to.0) {
            Ok(period) => state.db.run(move |conn| sales::reservations(conn, Scope::of(&user), period)).await,
            Err(error) => Err(error),
        };
        Rows::of(result.map(|(lapsed, backorders)| ReservationsOut {
            lapsed: lapsed.into_iter().map(Into::into).collect(),
            backorders: backorders.into_iter().map(Into::into).collect(),
        }))
    }

    /// Customers who stopped buying: at least two orders, and the last one
    /// older than their usual interval times `factor` (default 1.5) and at
    /// least a week; longest overdue against their own pace first.
    #[oai(path = "/v1/reports/lapsed-customers", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn lapsed_customers(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] factor: Query<Option<f64>>,
    ) -> poem::Result<Json<Vec<LapsedOut>>> {
        let user = auth.0;
        let factor = factor.0.unwrap_or(lapsed::DEFAULT_FACTOR);
        let rows = state
            .db
            .run(move |conn| {
                let today = crate::finance::today(conn)?;
                lapsed::lapsed_customers(conn, Scope::of(&user), today, factor)
            })
            .await?;
        Ok(Json(rows.into_iter().map(Into::into).collect()))
    }
}
