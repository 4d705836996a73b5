//! Orders as the ERP should learn them: everything the CommerceML writer
//! needs about new and changed orders of a channel, and marking them sent
//! once that channel took them (see `channels`). Pure data; the format lives
//! in the connector.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::channels::Channel;
use super::orders::{Order, OrderLine};
use crate::accounts::Company;
use crate::db::schema::{companies, contracts, offers, order_lines, orders};
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::OrderId;

/// One order with its buyer and lines (with the offers' external ids).
#[derive(Debug, Clone)]
pub struct OrderForErp {
    pub order: Order,
    pub company: Company,
    pub contract_number: String,
    pub lines: Vec<(OrderLine, String)>,
    /// The delivery as a service line, when it cost something.
    pub delivery: Option<crate::terms::delivery::ServiceLine>,
}

/// Orders `channel` has not taken in their current version, oldest first.
pub fn pending(conn: &mut DbConn, channel: Channel, limit: i64) -> Result<Vec<OrderForErp>> {
    let ids = super::channels::pending_ids(conn, channel, limit)?;
    load(conn, &ids)
}

/// The orders with these ids, with their buyers and lines, in id order.
pub fn load(conn: &mut DbConn, ids: &[OrderId]) -> Result<Vec<OrderForErp>> {
    let rows: Vec<(Order, Company, String)> = orders::table
        .inner_join(companies::table)
        .inner_join(contracts::table)
        .filter(orders::id.eq_any(ids))
        .order(orders::id)
        .select((Order::as_select(), Company::as_select(), contracts::number))
        .load(conn)?;
    let lines: Vec<(OrderLine, String)> = order_lines::table
        .inner_join(offers::table)
        .filter(order_lines::order_id.eq_any(ids))
        .order((order_lines::order_id, order_lines::line_no))
        .select((OrderLine::as_select(), offers::external_id))
        .load(conn)?;
    rows.into_iter()
        .map(|(order, company, contract_number)| {
            let own = lines.iter().filter(|(l, _)| l.order_id == order.id).cloned().collect();
            let delivery = crate::terms::delivery::service_line(conn, &order)?;
            Ok(OrderForErp { order, company, contract_number, lines: own, delivery })
        })
        .collect()
}

/// `channel` took these orders as they were at `as_of` (see
/// `channels::confirm`); the delivery is journaled. Returns the orders
/// recorded as taken.
pub fn mark_sent(
    conn: &mut DbConn,
    channel: Channel,
    ids: &[OrderId],
    as_of: NaiveDateTime,
    trigger: crate::journal::Trigger,
) -> Result<Vec<OrderId>> {
    let taken: Vec<(OrderId, NaiveDateTime)> = ids.iter().map(|id| (*id, as_of)).collect();
    let confirmed = super::channels::confirm(conn, channel, &taken)?;
    crate::journal::record_delivery(conn, channel.as_str(), trigger, &confirmed.newly)?;
    Ok(confirmed.newly)
}
