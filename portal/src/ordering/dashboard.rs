//! The manager's "what needs action" board: new orders to confirm,
//! reservations lapsing within a day, paid but not shipped, late against the
//! desired date, and backorders that stock could now cover — each a count
//! and the first few orders, within the manager's scope.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::orders::{scoped, Order, OrderSummary, Scope};
use crate::db::schema::{companies, contracts, offers, order_lines, orders};
use crate::db::DbConn;
use crate::error::Result;

/// How many orders each list shows.
const SHOWN: i64 = 10;

#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub key: &'static str,
    pub count: i64,
    pub orders: Vec<OrderSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub buckets: Vec<Bucket>,
}

const RUNNING: [&str; 3] = ["new", "processing", "reserved"];
const DONE: [&str; 4] = ["shipped", "closed", "cancelled", "returned"];

pub fn build(conn: &mut DbConn, scope: Scope, now: NaiveDateTime) -> Result<Dashboard> {
    let today = now.date();
    let soon = now + Duration::hours(24);
    macro_rules! bucket {
        ($key:expr, |$q:ident| $filter:expr) => {{
            let count: i64 = {
                let $q = scoped!(orders::table, scope);
                $filter.count().get_result(conn)?
            };
            let rows: Vec<(Order, String)> = {
                let $q = scoped!(orders::table.inner_join(companies::table), scope);
                $filter
                    .order(orders::id.desc())
                    .limit(SHOWN)
                    .select((Order::as_select(), companies::name))
                    .load(conn)?
            };
            Bucket {
                key: $key,
                count,
                orders: rows.into_iter().map(|(order, company_name)| OrderSummary { order, company_name }).collect(),
            }
        }};
    }
    let coverable = order_lines::table
        .inner_join(offers::table)
        .filter(order_lines::backordered.gt(0))
        .filter(offers::stock_total.gt(offers::reserved))
        .select(order_lines::order_id);
    let buckets = vec![
        bucket!("new", |q| q.filter(orders::status.eq("new"))),
        bucket!("lapsing", |q| q
            .filter(orders::status.eq_any(RUNNING))
            .filter(orders::reservation_deadline.gt(now))
            .filter(orders::reservation_deadline.le(soon))),
        bucket!("paid_not_shipped", |q| q.filter(orders::status.eq_any(["paid", "partially_shipped"]))),
        bucket!("overdue", |q| q.filter(orders::desired_date.lt(today)).filter(orders::status.ne_all(DONE))),
        bucket!("backorders", |q| q.filter(orders::status.ne_all(DONE)).filter(orders::id.eq_any(coverable))),
    ];
    Ok(Dashboard { buckets })
}
