//! Sales reports over a period, within the reader's scope: sales by month,
//! customer, manager (the orders' totals, delivery included, so the report's
//! total is the sum of the orders it covers) or category (the lines' amounts
//! from `sales_facts`); the top products; the customers who bought a
//! category (its subtree); lapsed reservations and open backorders.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;

use super::facts::{self, COUNTED};
use super::period::{month_key, month_start, next_month, Period};
use super::sums;
use crate::catalog::tree::CategoryTree;
use crate::db::schema::{companies, offers, order_lines, orders, sales_facts, users};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ordering::orders::{self as order_list, Scope};
use crate::ordering::status::OrderStatus;

/// How sales are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Customer,
    Category,
    Manager,
    Month,
}

/// One group's sales.
#[derive(Debug, Clone, Serialize)]
pub struct SalesRow {
    /// The company's, manager's or category's id; for a month, its first day as yyyymm.
    pub key: i64,
    pub label: String,
    pub orders: i64,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SalesReport {
    pub group_by: GroupBy,
    pub period: Period,
    pub rows: Vec<SalesRow>,
    pub orders: i64,
    pub total_minor: i64,
}

/// The companies a scope covers; `None`: every company.
fn companies_of(conn: &mut DbConn, scope: Scope) -> Result<Option<Vec<i64>>> {
    Ok(match scope {
        Scope::All => None,
        other => Some(order_list::companies_in(conn, other)?.into_iter().map(|(id, _)| id).collect()),
    })
}

/// Sales in `period` grouped by `group_by`, largest first (months in order).
pub fn sales(conn: &mut DbConn, scope: Scope, period: Period, group_by: GroupBy, lang: &str) -> Result<SalesReport> {
    let mut reports = sales_by(conn, scope, period, &[group_by], lang)?;
    reports.pop().ok_or_else(|| Error::Internal("no sales report".into()))
}

/// Sales in `period` grouped by each of `groups` (one report each, in that
/// order): the groupings of order totals read the counted orders once.
#[tracing::instrument(skip_all)]
pub fn sales_by(
    conn: &mut DbConn,
    scope: Scope,
    period: Period,
    groups: &[GroupBy],
    lang: &str,
) -> Result<Vec<SalesReport>> {
    let (start, end) = period.bounds();
    let within = companies_of(conn, scope)?;
    let placed = match groups.iter().any(|g| *g != GroupBy::Category) {
        true => counted_orders(conn, start, end, within.as_deref())?,
        false => Vec::new(),
    };
    let mut reports = Vec::with_capacity(groups.len());
    for &group_by in groups {
        let mut rows = match group_by {
            GroupBy::Category => category_rows(conn, period, within.as_deref(), lang)?,
            _ => order_rows(conn, &placed, group_by, lang)?,
        };
        if group_by == GroupBy::Month {
            rows = fill_months(period, rows);
        } else {
            rows.sort_by(|a, b| b.amount_minor.cmp(&a.amount_minor).then(a.label.cmp(&b.label)));
        }
        let (orders, total_minor) = match group_by {
            // An order with lines in two categories counts in both rows, once in the total.
            GroupBy::Category => category_totals(conn, start, end, within.as_deref(), &rows)?,
            _ => (rows.iter().map(|r| r.orders).sum(), rows.iter().map(|r| r.amount_minor).sum()),
        };
        reports.push(SalesReport { group_by, period, rows, orders, total_minor });
    }
    Ok(reports)
}

/// A counted order: company, manager, when placed, total.
type Placed = (i64, Option<i64>, NaiveDateTime, i64);

fn counted_orders(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
    within: Option<&[i64]>,
) -> Result<Vec<Placed>> {
    let mut query = orders::table
        .filter(orders::placed_at.ge(start))
        .filter(orders::placed_at.lt(end))
        .filter(orders::status.eq_any(COUNTED))
        .select((orders::company_id, orders::manager_id, orders::placed_at, orders::total_minor))
        .into_boxed();
    if let Some(ids) = within {
        query = query.filter(orders::company_id.eq_any(ids));
    }
    Ok(query.load(conn)?)
}

/// The counted orders' totals by customer, manager or month.
fn order_rows(conn: &mut DbConn, placed: &[Placed], group_by: GroupBy, lang: &str) -> Result<Vec<SalesRow>> {
    let mut groups: HashMap<i64, (i64, i64)> = HashMap::new();
    for (company, manager, at, total) in placed {
        let key = match group_by {
            GroupBy::Customer => *company,
            GroupBy::Manager => manager.unwrap_or(0),
            _ => month_key(at.date()),
        };
        let entry = groups.entry(key).or_default();
        entry.0 += 1;
        entry.1 += total;
    }
    let keys: Vec<i64> = groups.keys().copied().collect();
    let names: HashMap<i64, String> = match group_by {
        GroupBy::Customer => companies::table
            .filter(companies::id.eq_any(&keys))
            .select((companies::id, companies::name))
            .load(conn)?
            .into_iter()
            .collect(),
        GroupBy::Manager => users::table
            .filter(users::id.eq_any(&keys))
            .select((users::id, users::name))
            .load(conn)?
            .into_iter()
            .collect(),
        _ => HashMap::new(),
    };
    Ok(groups
        .into_iter()
        .map(|(key, (orders, amount_minor))| SalesRow {
            key,
            label: match group_by {
                GroupBy::Month => month_label(key),
                _ => names.get(&key).cloned().unwrap_or_else(|| crate::i18n::text(lang, "reports.no_manager", &[])),
            },
            orders,
            amount_minor,
        })
        .collect())
}

/// The lines' amounts by category (its path in the tree).
fn category_rows(conn: &mut DbConn, period: Period, within: Option<&[i64]>, lang: &str) -> Result<Vec<SalesRow>> {
    facts::refresh(conn)?;
    let sums = sums::per_category(conn, period, within)?;
    let tree = CategoryTree::cached(conn)?;
    Ok(sums
        .into_iter()
        .map(|(category, (orders, amount))| SalesRow {
            key: category,
            label: match tree.get(category) {
                Some(_) => tree.path_to(category).iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" / "),
                None => crate::i18n::text(lang, "reports.no_category", &[]),
            },
            orders,
            amount_minor: amount,
        })
        .collect())
}

/// A month's key (`yyyymm`) as the reports show it: 03.2026.
fn month_label(key: i64) -> String {
    format!("{:02}.{}", key % 100, key / 100)
}

/// The counted orders in the period (an order in two categories is one) and
/// the sum of the category rows.
fn category_totals(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
    within: Option<&[i64]>,
    rows: &[SalesRow],
) -> Result<(i64, i64)> {
    let mut query = orders::table
        .filter(orders::placed_at.ge(start))
        .filter(orders::placed_at.lt(end))
        .filter(orders::status.eq_any(COUNTED))
        .count()
        .into_boxed();
    if let Some(ids) = within {
        query = query.filter(orders::company_id.eq_any(ids));
    }
    Ok((query.get_result(conn)?, rows.iter().map(|r| r.amount_minor).sum()))
}

/// Every month of the period in order, those without sales as zero (a line
/// chart needs its gaps).
fn fill_months(period: Period, rows: Vec<SalesRow>) -> Vec<SalesRow> {
    let found: HashMap<i64, SalesRow> = rows.into_iter().map(|r| (r.key, r)).collect();
    let mut out = Vec::new();
    let mut first = month_start(month_key(period.from));
    while first <= period.to {
        let key = month_key(first);
        out.push(found.get(&key).cloned().unwrap_or(SalesRow {
            key,
            label: month_label(key),
            orders: 0,
            amount_minor: 0,
        }));
        first = next_month(first);
    }
    out
}

/// A product among the best sold.
#[derive(Debug, Clone, Serialize)]
pub struct TopProduct {
    pub offer_id: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub amount_minor: i64,
}

/// The `limit` products sold for the most in the period.
#[tracing::instrument(skip_all)]
pub fn top_products(conn: &mut DbConn, scope: Scope, period: Period, limit: i64) -> Result<Vec<TopProduct>> {
    facts::refresh(conn)?;
    let within = companies_of(conn, scope)?;
    let mut sold: Vec<(i64, (i64, i64))> = sums::per_offer(conn, period, within.as_deref())?.into_iter().collect();
    sold.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(&b.0)));
    sold.truncate(limit.clamp(1, 1000) as usize);
    let ids: Vec<i64> = sold.iter().map(|s| s.0).collect();
    let names: HashMap<i64, (String, String)> = offers::table
        .inner_join(crate::db::schema::products::table)
        .filter(offers::id.eq_any(&ids))
        .select((offers::id, (offers::sku, crate::db::schema::products::name)))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(sold
        .into_iter()
        .map(|(offer_id, (quantity, amount))| {
            let (sku, name) = names.get(&offer_id).cloned().unwrap_or_default();
            TopProduct { offer_id, sku, name, quantity, amount_minor: amount }
        })
        .collect())
}

/// A customer who bought from a category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryBuyer {
    pub company_id: i64,
    pub company: String,
    pub orders: i64,
    pub amount_minor: i64,
    pub last_order_at: NaiveDateTime,
}

/// The companies that bought goods of `category` (or below it) in the
/// period, by amount.
#[tracing::instrument(skip_all)]
pub fn category_buyers(conn: &mut DbConn, scope: Scope, period: Period, category: i64) -> Result<Vec<CategoryBuyer>> {
    facts::refresh(conn)?;
    let tree = CategoryTree::cached(conn)?;
    if tree.get(category).is_none() {
        return Err(Error::NotFound);
    }
    let subtree = tree.subtree_ids(category);
    let (start, end) = period.bounds();
    let within = companies_of(conn, scope)?;
    let mut query = sales_facts::table
        .filter(sales_facts::category_id.eq_any(&subtree))
        .filter(sales_facts::placed_at.ge(start))
        .filter(sales_facts::placed_at.lt(end))
        .group_by(sales_facts::company_id)
        .select((
            sales_facts::company_id,
            sql::<BigInt>("COUNT(DISTINCT sales_facts.order_id)"),
            sql::<BigInt>("CAST(COALESCE(SUM(sales_facts.amount_minor), 0) AS BIGINT)"),
            diesel::dsl::max(sales_facts::placed_at),
        ))
        .into_boxed();
    if let Some(ids) = &within {
        query = query.filter(sales_facts::company_id.eq_any(ids));
    }
    let rows: Vec<(i64, i64, i64, Option<NaiveDateTime>)> = query.load(conn)?;
    let names: HashMap<i64, String> = companies::table
        .filter(companies::id.eq_any(rows.iter().map(|r| r.0).collect::<Vec<_>>()))
        .select((companies::id, companies::name))
        .load(conn)?
        .into_iter()
        .collect();
    let mut buyers: Vec<CategoryBuyer> = rows
        .into_iter()
        .map(|(company_id, orders, amount, last)| CategoryBuyer {
            company: names.get(&company_id).cloned().unwrap_or_default(),
            company_id,
            orders,
            amount_minor: amount,
            last_order_at: last.unwrap_or_default(),
        })
        .collect();
    buyers.sort_by(|a, b| b.amount_minor.cmp(&a.amount_minor).then(a.company.cmp(&b.company)));
    Ok(buyers)
}

/// An order whose reservation lapsed, or an open order's line waiting for stock.
#[derive(Debug, Clone, Serialize)]
pub struct ReservationRow {
    pub order_id: i64,
    pub number: String,
    pub company: String,
    pub placed_at: NaiveDateTime,
    pub status: OrderStatus,
    /// For a backorder: the line's SKU and the quantity waiting (thousandths).
    pub sku: Option<String>,
    pub backordered: i64,
    pub amount_minor: i64,
}

/// Orders placed in the period whose reservation lapsed, and the lines of
/// open orders waiting for stock (backorders), within the scope.
#[tracing::instrument(skip_all)]
pub fn reservations(
    conn: &mut DbConn,
    scope: Scope,
    period: Period,
) -> Result<(Vec<ReservationRow>, Vec<ReservationRow>)> {
    let (start, end) = period.bounds();
    let within = companies_of(conn, scope)?;
    let mut lapsed = orders::table
        .inner_join(companies::table)
        .filter(orders::status.eq(OrderStatus::ReserveExpired))
        .filter(orders::placed_at.ge(start))
        .filter(orders::placed_at.lt(end))
        .order(orders::placed_at.desc())
        .select((orders::id, orders::number, companies::name, orders::placed_at, orders::status, orders::total_minor))
        .into_boxed();
    if let Some(ids) = &within {
        lapsed = lapsed.filter(orders::company_id.eq_any(ids));
    }
    let lapsed: Vec<(i64, String, String, NaiveDateTime, OrderStatus, i64)> = lapsed.load(conn)?;
    let open: Vec<OrderStatus> =
        OrderStatus::ALL.iter().copied().filter(|s| crate::ordering::lifecycle::is_open(*s)).collect();
    let mut waiting = order_lines::table
        .inner_join(orders::table.inner_join(companies::table))
        .filter(order_lines::backordered.gt(0))
        .filter(orders::status.eq_any(open))
        .order((orders::placed_at, order_lines::line_no))
        .select((
            orders::id,
            orders::number,
            companies::name,
            orders::placed_at,
            orders::status,
            order_lines::sku,
            order_lines::backordered,
            order_lines::amount_minor,
        ))
        .into_boxed();
    if let Some(ids) = &within {
        waiting = waiting.filter(orders::company_id.eq_any(ids));
    }
    type Waiting = (i64, String, String, NaiveDateTime, OrderStatus, String, i64, i64);
    let waiting: Vec<Waiting> = waiting.limit(5_000).load(conn)?;
    Ok((
        lapsed
            .into_iter()
            .map(|(order_id, number, company, placed_at, status, amount_minor)| ReservationRow {
                order_id,
                number,
                company,
                placed_at,
                status,
                sku: None,
                backordered: 0,
                amount_minor,
            })
            .collect(),
        waiting
            .into_iter()
            .map(|(order_id, number, company, placed_at, status, sku, backordered, amount_minor)| ReservationRow {
                order_id,
                number,
                company,
                placed_at,
                status,
                sku: Some(sku),
                backordered,
                amount_minor,
            })
            .collect(),
    ))
}
