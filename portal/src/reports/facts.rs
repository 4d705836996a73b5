//! `sales_facts`: the lines of the orders that count as sales, each with its
//! order's date, company and manager and its product's category, indexed so
//! that a report by category or product reads one index in order. Kept in
//! step before every report by `refresh` (with `sales_category_facts`, the
//! same summed per order and category), from `orders.updated_at` (every
//! change to an order moves it): when an order is newer than the last
//! refresh read, the facts of orders changed since then (with a few minutes'
//! overlap, for transactions that committed late) are deleted and written
//! again from the orders as they are now, and the monthly sums of the
//! company months they touch (`months`) are summed again.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use diesel::dsl::sql;
use diesel::sql_types::BigInt;

use super::months::Touched;
use crate::db::schema::{offers, order_lines, orders, products, sales_category_facts, sales_facts};
use crate::db::{write_transaction, DbConn};
use crate::error::Result;
use crate::ordering::status::OrderStatus;

/// The statuses whose orders are sales; cancelled, returned, lapsed and
/// held orders are not.
pub const COUNTED: [OrderStatus; 7] = [
    OrderStatus::New,
    OrderStatus::Processing,
    OrderStatus::Reserved,
    OrderStatus::Paid,
    OrderStatus::PartiallyShipped,
    OrderStatus::Shipped,
    OrderStatus::Closed,
];

/// Where the facts stand: the newest `updated_at` among the orders the last
/// refresh read. A refresh with no order newer than it does nothing.
const SYNCED_AT: &str = "sales_facts_synced_at";
/// How far back a refresh that has work looks again, for a transaction that
/// stamped an order before the last refresh but committed after it.
const OVERLAP_MINUTES: i64 = 5;

/// Brings the facts and their monthly sums up to date; returns how many
/// orders were redone. Nothing changed since the last refresh costs one
/// indexed `MAX(updated_at)`, so every report may call it (a page of several
/// reports redoes orders once).
pub fn refresh(conn: &mut DbConn) -> Result<usize> {
    if up_to_date(conn)?.is_none() {
        return Ok(0);
    }
    write_transaction(conn, |conn| {
        // Refreshes take turns: the second finds the work done.
        if let DbConn::Postgres(pg) = conn {
            diesel::sql_query("LOCK TABLE sales_facts IN EXCLUSIVE MODE").execute(pg)?;
        }
        let Some((synced, newest)) = up_to_date(conn)? else { return Ok(0) };
        let since = synced.map(|t| t - Duration::minutes(OVERLAP_MINUTES)).unwrap_or_default();
        let changed: i64 = orders::table.filter(orders::updated_at.ge(since)).count().get_result(conn)?;
        let mut touched = Touched::default();
        if synced.is_some() {
            touched.note_facts_of_orders_since(conn, since)?;
        }
        redo_facts(conn, since)?;
        match synced {
            Some(_) => touched.note_facts_of_orders_since(conn, since)?,
            None => touched = Touched::everything(conn)?,
        }
        touched.redo(conn)?;
        crate::settings::set(conn, SYNCED_AT, &newest.format("%Y-%m-%dT%H:%M:%S%.f").to_string())?;
        Ok(changed as usize)
    })
}

/// `None` when no order is newer than the last refresh read; else that
/// refresh's mark and the newest order's `updated_at`.
fn up_to_date(conn: &mut DbConn) -> Result<Option<(Option<NaiveDateTime>, NaiveDateTime)>> {
    let synced = crate::settings::get(conn, SYNCED_AT)?
        .and_then(|t| NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f").ok());
    let newest: Option<NaiveDateTime> = orders::table.select(diesel::dsl::max(orders::updated_at)).first(conn)?;
    Ok(match newest {
        Some(newest) if synced.is_none_or(|synced| newest > synced) => Some((synced, newest)),
        _ => None,
    })
}

/// Deletes the facts of the orders changed since `since` and writes them
/// again from the orders as they are now.
fn redo_facts(conn: &mut DbConn, since: NaiveDateTime) -> Result<()> {
    let redo = orders::table.filter(orders::updated_at.ge(since)).select(orders::id);
    diesel::delete(sales_facts::table.filter(sales_facts::order_id.eq_any(redo))).execute(conn)?;
    diesel::delete(sales_category_facts::table.filter(sales_category_facts::order_id.eq_any(redo))).execute(conn)?;
    let current = orders::table
        .inner_join(order_lines::table.inner_join(offers::table.inner_join(products::table)))
        .filter(orders::updated_at.ge(since))
        .filter(orders::status.eq_any(COUNTED))
        .select((
            order_lines::id,
            orders::id,
            orders::placed_at,
            orders::company_id,
            orders::manager_id,
            products::category_id,
            order_lines::offer_id,
            order_lines::quantity,
            order_lines::amount_minor,
        ));
    diesel::insert_into(sales_facts::table)
        .values(current)
        .into_columns((
            sales_facts::order_line_id,
            sales_facts::order_id,
            sales_facts::placed_at,
            sales_facts::company_id,
            sales_facts::manager_id,
            sales_facts::category_id,
            sales_facts::offer_id,
            sales_facts::quantity,
            sales_facts::amount_minor,
        ))
        .execute(conn)?;
    let per_category = sales_facts::table
        .filter(sales_facts::order_id.eq_any(redo))
        .group_by((sales_facts::order_id, sales_facts::category_id, sales_facts::placed_at, sales_facts::company_id))
        .select((
            sales_facts::order_id,
            sql::<BigInt>("COALESCE(sales_facts.category_id, 0)"),
            sales_facts::placed_at,
            sales_facts::company_id,
            sql::<BigInt>("CAST(SUM(sales_facts.amount_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(sales_facts.quantity) AS BIGINT)"),
        ));
    diesel::insert_into(sales_category_facts::table)
        .values(per_category)
        .into_columns((
            sales_category_facts::order_id,
            sales_category_facts::category_id,
            sales_category_facts::placed_at,
            sales_category_facts::company_id,
            sales_category_facts::amount_minor,
            sales_category_facts::quantity,
        ))
        .execute(conn)?;
    Ok(())
}
