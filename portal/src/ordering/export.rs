//! Orders as the ERP should learn them: everything the CommerceML writer
//! needs about new and changed orders, and marking them sent once the ERP
//! took the file. Pure data; the format lives in the connector.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::orders::{Order, OrderLine};
use crate::accounts::Company;
use crate::db::schema::{companies, contracts, offers, order_lines, orders};
use crate::db::DbConn;
use crate::error::Result;

/// One order with its buyer and lines (with the offers' external ids).
#[derive(Debug, Clone)]
pub struct OrderForErp {
    pub order: Order,
    pub company: Company,
    pub contract_number: String,
    pub lines: Vec<(OrderLine, String)>,
}

/// Orders the ERP has not received yet (sync state `pending`), oldest first.
pub fn pending(conn: &mut DbConn, limit: i64) -> Result<Vec<OrderForErp>> {
    let rows: Vec<(Order, Company, String)> = orders::table
        .inner_join(companies::table)
        .inner_join(contracts::table)
        .filter(orders::sync_state.eq("pending"))
        .order(orders::id)
        .limit(limit)
        .select((Order::as_select(), Company::as_select(), contracts::number))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0.id).collect();
    let lines: Vec<(OrderLine, String)> = order_lines::table
        .inner_join(offers::table)
        .filter(order_lines::order_id.eq_any(&ids))
        .order((order_lines::order_id, order_lines::line_no))
        .select((OrderLine::as_select(), offers::external_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(order, company, contract_number)| {
            let own = lines.iter().filter(|(l, _)| l.order_id == order.id).cloned().collect();
            OrderForErp { order, company, contract_number, lines: own }
        })
        .collect())
}

/// Marks orders sent (after the ERP took them); an order changed since
/// `as_of` stays pending so its news reaches the ERP too.
pub fn mark_sent(conn: &mut DbConn, ids: &[i64], as_of: NaiveDateTime) -> Result<usize> {
    Ok(diesel::update(
        orders::table
            .filter(orders::id.eq_any(ids))
            .filter(orders::sync_state.eq("pending"))
            .filter(orders::updated_at.le(as_of)),
    )
    .set(orders::sync_state.eq("sent"))
    .execute(conn)?)
}
