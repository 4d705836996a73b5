//! Shipments and payments, as recorded by a manager or reported by the ERP.
//! Shipping consumes the reservation and moves the order to partially
//! shipped or shipped; payments that cover the total move it to paid (which
//! stops the reservation clock).

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::actions::tell_parties;
use super::events::{record, ActedBy, EventKind};
use super::lifecycle::can;
use super::orders::{find, Order, OrderLine, Scope};
use super::reservations::{consume, lines_of};
use super::status::OrderStatus;
use crate::db::schema::{orders, payments, shipment_lines, shipments};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::OrderId;
use crate::money::{Money, Qty};
use crate::notifications::NotificationKind;

/// Records a (possibly partial) shipment: `lines` are (order line id, quantity).
#[tracing::instrument(skip_all, fields(order = %order_id))]
pub fn record_shipment(
    conn: &mut DbConn,
    scope: Scope,
    order_id: OrderId,
    by: ActedBy,
    number: &str,
    date: NaiveDate,
    lines: &[(i64, Qty)],
) -> Result<Order> {
    let number = number.trim();
    if number.is_empty() || number.chars().count() > 100 {
        return Err(Error::Invalid("a shipment needs a document number (up to 100 characters)".into()));
    }
    if lines.is_empty() {
        return Err(Error::Invalid("a shipment needs at least one line".into()));
    }
    write_transaction(conn, |conn| {
        let order = find(conn, scope, order_id)?;
        let from = order.status;
        if !can(by.actor, from, OrderStatus::Shipped) && !can(by.actor, from, OrderStatus::PartiallyShipped) {
            return Err(Error::Conflict(format!("order {} cannot be shipped in its status", order.number)));
        }
        let wanted = merge_lines(lines)?;
        let shipment_id = insert_shipment(conn, order.id, number, date, by)?;
        let order_lines = lines_of(conn, order.id)?;
        let shipped = ship_lines(conn, shipment_id, &order_lines, &wanted)?;
        let value = shipped_value(&order_lines, &wanted);
        let on = crate::finance::DebitOn::Shipment;
        crate::finance::ledger::post_debt(conn, order.contract_id, order.id, on, (number, date), value)?;
        let now = Utc::now().naive_utc();
        let complete = lines_of(conn, order.id)?.iter().all(|l| l.shipped >= l.quantity);
        let to = if complete { OrderStatus::Shipped } else { OrderStatus::PartiallyShipped };
        if to != from {
            diesel::update(orders::table.find(order.id))
                .set((orders::status.eq(to), orders::updated_at.eq(now)))
                .execute(conn)?;
        }
        record(
            conn,
            order.id,
            by,
            EventKind::Shipment,
            (Some(from), Some(to)),
            "",
            json!({ "number": number, "date": date, "lines": shipped }),
        )?;
        tell_parties(
            conn,
            &order,
            by,
            NotificationKind::Shipment,
            &[
                ("number", order.number.clone()),
                ("shipment_number", number.to_string()),
                ("status", to.as_str().into()),
            ],
        )?;
        find(conn, scope, order_id)
    })
}

/// What the shipped quantities are worth at the order's prices (each line
/// its share of the line's amount).
fn shipped_value(order_lines: &[OrderLine], wanted: &[(i64, i64)]) -> Money {
    let value = wanted
        .iter()
        .filter_map(|(id, quantity)| order_lines.iter().find(|l| l.id == *id).map(|l| (l, *quantity)))
        .map(|(line, quantity)| Money(line.amount_minor).mul_ratio(quantity, line.quantity.max(1)).minor())
        .sum();
    Money(value)
}

/// The shipment's lines with each order line once (quantities summed); a
/// quantity that is not positive is refused.
fn merge_lines(lines: &[(i64, Qty)]) -> Result<Vec<(i64, i64)>> {
    let mut wanted: Vec<(i64, i64)> = Vec::new();
    for (line_id, quantity) in lines {
        if quantity.milli() <= 0 {
            return Err(Error::Invalid("shipped quantities must be greater than zero".into()));
        }
        match wanted.iter_mut().find(|(id, _)| id == line_id) {
            Some((_, q)) => *q += quantity.milli(),
            None => wanted.push((*line_id, quantity.milli())),
        }
    }
    Ok(wanted)
}

fn insert_shipment(conn: &mut DbConn, order_id: OrderId, number: &str, date: NaiveDate, by: ActedBy) -> Result<i64> {
    Ok(diesel::insert_into(shipments::table)
        .values((
            shipments::order_id.eq(order_id),
            shipments::number.eq(number),
            shipments::shipped_on.eq(date),
            shipments::created_at.eq(Utc::now().naive_utc()),
            shipments::actor.eq(by.actor),
            shipments::actor_user_id.eq(by.user.map(|u| u.0)),
        ))
        .returning(shipments::id)
        .get_result::<i64>(conn)?)
}

/// Ships each wanted (line, quantity): no more than is left to ship, the
/// reserve consumed; returns the event's details per line.
fn ship_lines(
    conn: &mut DbConn,
    shipment_id: i64,
    order_lines: &[OrderLine],
    wanted: &[(i64, i64)],
) -> Result<Vec<serde_json::Value>> {
    let mut shipped = Vec::new();
    for (line_id, quantity) in wanted {
        let line = order_lines.iter().find(|l| l.id == *line_id).ok_or(Error::NotFound)?;
        let left = line.quantity - line.shipped;
        if *quantity > left {
            return Err(Error::Invalid(format!(
                "line {} ({}): only {} left to ship",
                line.line_no,
                line.sku,
                Qty(left).plain()
            )));
        }
        consume(conn, line, *quantity)?;
        diesel::insert_into(shipment_lines::table)
            .values((
                shipment_lines::shipment_id.eq(shipment_id),
                shipment_lines::order_line_id.eq(line.id),
                shipment_lines::quantity.eq(quantity),
            ))
            .execute(conn)?;
        shipped.push(json!({ "line_id": line.id, "sku": line.sku, "quantity": Qty(*quantity).plain(),
            "shipped_before": Qty(line.shipped).plain(), "shipped_after": Qty(line.shipped + quantity).plain() }));
    }
    Ok(shipped)
}

/// Records a payment; when payments cover the total the order becomes paid.
#[tracing::instrument(skip_all, fields(order = %order_id))]
pub fn record_payment(
    conn: &mut DbConn,
    scope: Scope,
    order_id: OrderId,
    by: ActedBy,
    amount: Money,
    date: NaiveDate,
    document: &str,
) -> Result<Order> {
    by.require(crate::accounts::Right::RecordPayments)?;
    if amount.minor() <= 0 {
        return Err(Error::Invalid("a payment must be greater than zero".into()));
    }
    let document = document.trim();
    if document.chars().count() > 100 {
        return Err(Error::Invalid("the document number has up to 100 characters".into()));
    }
    write_transaction(conn, |conn| {
        let order = find(conn, scope, order_id)?;
        let from = order.status;
        if matches!(from, OrderStatus::Cancelled | OrderStatus::Returned) {
            return Err(Error::Conflict(format!("order {} is {}", order.number, from.as_str())));
        }
        let now = Utc::now().naive_utc();
        let payment_id: i64 = diesel::insert_into(payments::table)
            .values((
                payments::order_id.eq(order.id),
                payments::amount_minor.eq(amount.minor()),
                payments::paid_on.eq(date),
                payments::document_number.eq(document),
                payments::created_at.eq(now),
                payments::actor.eq(by.actor),
                payments::actor_user_id.eq(by.user.map(|u| u.0)),
            ))
            .returning(payments::id)
            .get_result(conn)?;
        let ledger_number = match document {
            "" => format!("{} / {payment_id}", order.number),
            document => document.to_string(),
        };
        crate::finance::ledger::post_payment(conn, order.contract_id, order.id, &ledger_number, date, amount)?;
        let paid = order.paid_minor + amount.minor();
        let covered = paid >= order.total_minor;
        let to = if covered && can(by.actor, from, OrderStatus::Paid) { OrderStatus::Paid } else { from };
        diesel::update(orders::table.find(order.id))
            .set((orders::paid_minor.eq(paid), orders::status.eq(to), orders::updated_at.eq(now)))
            .execute(conn)?;
        record(
            conn,
            order.id,
            by,
            EventKind::Payment,
            (Some(from), Some(to)),
            "",
            json!({ "amount_minor": amount.minor(), "date": date, "document_number": document,
                "paid_before": order.paid_minor, "paid_after": paid }),
        )?;
        tell_parties(
            conn,
            &order,
            by,
            NotificationKind::Payment,
            &[
                ("number", order.number.clone()),
                ("amount", amount.format(&order.locale)),
                ("total", Money(order.total_minor).format(&order.locale)),
                ("status", to.as_str().into()),
            ],
        )?;
        find(conn, scope, order_id)
    })
}
