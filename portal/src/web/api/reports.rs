//! Reports through the API, each over the orders in the caller's scope (a
//! manager sees only the companies they manage): the customers who stopped
//! buying (`GET /api/v1/reports/lapsed-customers`).

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::StaffAuth;
use crate::ordering::orders::Scope;
use crate::reports::lapsed::{self, Lapsed};
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

#[OpenApi(tag = "ApiTags::Reports")]
impl ReportsApi {
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
