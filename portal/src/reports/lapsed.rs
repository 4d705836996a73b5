//! Customers who stopped buying: a company with at least two orders whose
//! last order is older than its usual interval (the mean gap between its
//! first and last order) times a factor, and at least a week old. One
//! grouped query over the orders in scope; cancelled orders do not count.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::orders;
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::CompanyId;
use crate::ordering::orders::{self as order_list, Scope};
use crate::ordering::status::OrderStatus;

/// How much longer than usual a pause must be (1.5 = half as long again).
pub const DEFAULT_FACTOR: f64 = 1.5;
/// A pause shorter than this is never "stopped buying".
const MIN_DAYS: i64 = 7;

/// A company that stopped buying.
#[derive(Debug, Clone, Serialize)]
pub struct Lapsed {
    pub company_id: CompanyId,
    pub company: String,
    pub orders: i64,
    pub first_order_on: NaiveDate,
    pub last_order_on: NaiveDate,
    /// The mean days between its orders.
    pub usual_interval_days: i64,
    pub days_since_last: i64,
}

/// The companies in `scope` that stopped buying as of `today`, longest
/// overdue (against their own interval) first.
pub fn lapsed_customers(conn: &mut DbConn, scope: Scope, today: NaiveDate, factor: f64) -> Result<Vec<Lapsed>> {
    let factor = if factor.is_finite() && factor >= 1.0 { factor } else { DEFAULT_FACTOR };
    let names: std::collections::HashMap<i64, String> = order_list::companies_in(conn, scope)?.into_iter().collect();
    let ids: Vec<i64> = names.keys().copied().collect();
    let mut query = orders::table
        .filter(orders::status.ne(OrderStatus::Cancelled))
        .group_by(orders::company_id)
        .select((
            orders::company_id,
            diesel::dsl::count_star(),
            diesel::dsl::min(orders::placed_at),
            diesel::dsl::max(orders::placed_at),
        ))
        .into_boxed();
    if !matches!(scope, Scope::All) {
        query = query.filter(orders::company_id.eq_any(&ids));
    }
    let rows: Vec<(i64, i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> = query.load(conn)?;
    let mut lapsed: Vec<Lapsed> = rows
        .into_iter()
        .filter_map(|(company_id, count, first, last)| {
            let company = names.get(&company_id)?.clone();
            let (first, last) = (first?.date(), last?.date());
            if count < 2 {
                return None;
            }
            let usual = ((last - first).num_days() as f64 / (count - 1) as f64).round() as i64;
            let since = (today - last).num_days();
            let overdue = since as f64 > (usual as f64 * factor) && since >= MIN_DAYS;
            overdue.then_some(Lapsed {
                company_id: CompanyId(company_id),
                company,
                orders: count,
                first_order_on: first,
                last_order_on: last,
                usual_interval_days: usual,
                days_since_last: since,
            })
        })
        .collect();
    lapsed.sort_by(|a, b| {
        let ratio = |l: &Lapsed| l.days_since_last as f64 / l.usual_interval_days.max(1) as f64;
        ratio(b).total_cmp(&ratio(a)).then(a.company.cmp(&b.company))
    });
    Ok(lapsed)
}
