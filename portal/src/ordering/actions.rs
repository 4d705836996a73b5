//! What managers, buyers, the ERP and the system do to an order: change its
//! status through the state machine (with the stock effects each move has),
//! extend or release its reservation, re-reserve. Each action is one write
//! transaction that appends its event and queues notifications.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::events::{record, ActedBy, EventKind};
use super::lifecycle::{allowed, can, Actor};
use super::orders::{find, Order, Scope};
use super::reservations::{consume, lines_of, re_reserve, release_line, release_order};
use super::status::{OrderStatus, SyncState};
use crate::accounts::Right;
use crate::db::schema::orders;
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::OrderId;
use crate::money::Money;
use crate::notifications::{notify, NotificationKind};

/// A refused move: where the order is and where this actor could take it.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub from: OrderStatus,
    pub allowed: Vec<OrderStatus>,
}

pub enum Moved {
    Done(Box<Order>),
    Refused(Refused),
}

/// Tells the buyer and the manager (not whoever acted) about a change.
pub fn tell_parties(
    conn: &mut DbConn,
    order: &Order,
    by: ActedBy,
    kind: NotificationKind,
    args: &[(&str, String)],
) -> Result<()> {
    let mut recipients = vec![order.user_id];
    recipients.extend(order.manager_id);
    recipients.dedup();
    for user in recipients {
        if by.user != Some(user) {
            notify(conn, user, Some(order.id), kind, args)?;
        }
    }
    Ok(())
}

/// Moves an order to `to` if the state machine lets `by` do it, with the
/// move's stock effects: cancelling or lapsing releases the reserve,
/// reopening an expired order re-reserves, shipping outright consumes it.
#[tracing::instrument(skip_all, fields(order = %order_id, to = %to))]
pub fn transition(
    conn: &mut DbConn,
    scope: Scope,
    order_id: OrderId,
    by: ActedBy,
    to: OrderStatus,
    comment: &str,
) -> Result<Moved> {
    write_transaction(conn, |conn| {
        let order = find(conn, scope, order_id)?;
        let from = order.status;
        let rejection = from == OrderStatus::AwaitingApproval && to == OrderStatus::Cancelled;
        if rejection && by.actor != Actor::Buyer && comment.trim().is_empty() {
            return Err(Error::Invalid("a rejection needs a reason for the buyer".into()));
        }
        if !can(by.actor, from, to) {
            return Ok(Moved::Refused(Refused { from, allowed: allowed(by.actor, from) }));
        }
        let by = if rejection { by.without_right() } else { by };
        if to == OrderStatus::Cancelled && !rejection && matches!(by.actor, Actor::Manager | Actor::Admin) {
            by.require(Right::CancelOrders)?;
        }
        apply_move(conn, &order, from, to, by, comment)?;
        Ok(Moved::Done(Box::new(find(conn, scope, order_id)?)))
    })
}

/// The move itself, inside the caller's transaction (the expiry job and the
/// ERP import call it too).
pub fn apply_move(
    conn: &mut DbConn,
    order: &Order,
    from: OrderStatus,
    to: OrderStatus,
    by: ActedBy,
    comment: &str,
) -> Result<()> {
    let now = Utc::now().naive_utc();
    let mut details = json!({});
    let mut deadline = order.reservation_deadline;
    match to {
        OrderStatus::Cancelled => {
            let returned = crate::terms::promo::return_use(conn, order.id)?;
            details = json!({ "released": release_order(conn, order.id)?, "promo_code_returned": returned });
        }
        OrderStatus::ReserveExpired => {
            details = json!({ "released": release_order(conn, order.id)? });
        }
        OrderStatus::New if from == OrderStatus::AwaitingApproval => {
            let added = re_reserve(conn, order.id)?;
            deadline = Some(super::checkout::reservation_deadline(conn, now)?);
            details = json!({ "approved": true, "reserved": added, "reservation_deadline": deadline });
        }
        OrderStatus::Processing if from == OrderStatus::ReserveExpired => {
            let added = re_reserve(conn, order.id)?;
            deadline = Some(super::checkout::reservation_deadline(conn, now)?);
            details = json!({ "reserved": added, "reservation_deadline": deadline });
        }
        OrderStatus::Shipped => {
            let mut shipped = Vec::new();
            for line in lines_of(conn, order.id)? {
                let rest = line.quantity - line.shipped;
                if rest > 0 {
                    consume(conn, &line, rest)?;
                    shipped.push((line.id, rest));
                }
            }
            details = json!({ "shipped": shipped });
        }
        _ => {}
    }
    diesel::update(orders::table.find(order.id))
        .set((orders::status.eq(to), orders::updated_at.eq(now), orders::reservation_deadline.eq(deadline)))
        .execute(conn)?;
    if from == OrderStatus::AwaitingApproval && to == OrderStatus::New {
        // Approved: the order proceeds as if placed now, with its invoice.
        crate::invoices::issue::issue_for_order(conn, order.id)?;
    }
    record(conn, order.id, by, EventKind::StatusChanged, (Some(from), Some(to)), comment, details)?;
    let kind =
        if to == OrderStatus::Cancelled { NotificationKind::OrderCancelled } else { NotificationKind::StatusChanged };
    tell_parties(
        conn,
        order,
        by,
        kind,
        &[("number", order.number.clone()), ("status", to.as_str().to_string()), ("comment", comment.to_string())],
    )
}

/// A manager's decision on an order held over the credit: approved, it
/// proceeds as if placed now (reserve, invoice); rejected, it is cancelled
/// with the reason, which the buyer is told. An order that is not awaiting
/// approval is a conflict.
#[tracing::instrument(skip_all, fields(order = %order_id, approve = approve))]
pub fn decide_approval(
    conn: &mut DbConn,
    scope: Scope,
    order_id: OrderId,
    by: ActedBy,
    approve: bool,
    reason: &str,
) -> Result<Moved> {
    if !approve && reason.trim().is_empty() {
        return Err(Error::Invalid("a rejection needs a reason for the buyer".into()));
    }
    write_transaction(conn, |conn| {
        let order = find(conn, scope, order_id)?;
        if order.status != OrderStatus::AwaitingApproval {
            return Err(Error::Conflict(format!("order {} is not awaiting approval", order.number)));
        }
        let to = if approve { OrderStatus::New } else { OrderStatus::Cancelled };
        transition(conn, scope, order_id, by, to, reason.trim())
    })
}

/// Moves the reservation deadline (a manager's "extend"); the lapsing
/// warning will be given again before the new deadline.
#[tracing::instrument(skip_all, fields(order = %order_id))]
pub fn extend_deadline(
    conn: &mut DbConn,
    scope: Scope,
    order_id: OrderId,
    by: ActedBy,
    deadline: NaiveDateTime,
) -> Result<Order> {
    by.require(Right::ExtendReservations)?;
    if deadline <= Utc::now().naive_utc() {
        return Err(Error::Invalid("the new deadline must be in the future".into()));
    }
    write_transaction(conn, |conn| {
        let order = find(conn, scope, order_id)?;
        if !super::lifecycle::reservation_runs(order.status) {
            return Err(Error::Conflict(format!("order {} holds no running reservation", order.number)));
        }
        diesel::update(orders::table.find(order.id))
            .set((
                orders::reservation_deadline.eq(Some(deadline)),
                orders::reservation_warned_at.eq(None::<NaiveDateTime>),
                orders::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        record(
            conn,
            order.id,
            by,
            EventKind::DeadlineExtended,
            (None, None),
            "",
            json!({ "before": order.reservation_deadline, "after": deadline }),
        )?;
        tell_parties(
            conn,
            &order,
            by,
            NotificationKind::DeadlineExtended,
            &[("number", order.number.clone()), ("deadline", deadline.format("%d.%m.%Y %H:%M UTC").to_string())],
        )?;
        find(conn, scope, order_id)
    })
}

/// Releases one line's reservation (it becomes backorder).
#[tracing::instrument(skip_all, fields(order = %order_id, line = line_id))]
pub fn release(conn: &mut DbConn, scope: Scope, order_id: OrderId, line_id: i64, by: ActedBy) -> Result<Order> {
    write_transaction(conn, |conn| {
        let order = find(conn, scope, order_id)?;
        let line = lines_of(conn, order.id)?.into_iter().find(|l| l.id == line_id).ok_or(Error::NotFound)?;
        let released = release_line(conn, &line)?;
        record(
            conn,
            order.id,
            by,
            EventKind::LineReleased,
            (None, None),
            "",
            json!({ "line_id": line.id, "sku": line.sku, "before": line.reserved, "after": 0, "released": released }),
        )?;
        find(conn, scope, order_id)
    })
}

/// Reserves what stock now allows for the order's backorders.
#[tracing::instrument(skip_all, fields(order = %order_id))]
pub fn reserve_again(conn: &mut DbConn, scope: Scope, order_id: OrderId, by: ActedBy) -> Result<Order> {
    write_transaction(conn, |conn| {
        let order = find(conn, scope, order_id)?;
        let status = order.status;
        if !super::lifecycle::is_open(status) || status == OrderStatus::ReserveExpired {
            return Err(Error::Conflict(format!("order {} cannot hold a reservation in its status", order.number)));
        }
        let added = re_reserve(conn, order.id)?;
        record(conn, order.id, by, EventKind::ReReserved, (None, None), "", json!({ "reserved": added }))?;
        find(conn, scope, order_id)
    })
}

/// Amount left to pay.
pub fn outstanding(order: &Order) -> Money {
    Money((order.total_minor - order.paid_minor).max(0))
}

/// The ERP took the order under its own number: from now on its stock
/// figures include this order's reserve (see the reconciliation rule).
#[tracing::instrument(skip_all, fields(order = %order_id))]
pub fn acknowledge(conn: &mut DbConn, order_id: OrderId, erp_number: &str) -> Result<bool> {
    write_transaction(conn, |conn| {
        let order = find(conn, Scope::All, order_id)?;
        if order.erp_number.as_deref() == Some(erp_number) && order.sync_state == SyncState::Acknowledged {
            return Ok(false);
        }
        diesel::update(orders::table.find(order.id))
            .set((
                orders::erp_number.eq(Some(erp_number)),
                orders::sync_state.eq(SyncState::Acknowledged),
                orders::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let handed_over = super::reservations::hand_over(conn, order.id)?;
        record(
            conn,
            order.id,
            ActedBy::erp(),
            EventKind::ErpAcknowledged,
            (None, None),
            "",
            json!({ "before": order.erp_number, "after": erp_number, "reserve_held_by_erp": handed_over }),
        )?;
        Ok(true)
    })
}
