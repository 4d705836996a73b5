//! The reservation clock, run by a scheduled job: warn buyer and manager a
//! while before a reservation lapses, and at the deadline release the stock
//! and move the order to `reserve_expired`. Batched (thousands of orders a
//! transaction) and idempotent: a second run over the same moment finds
//! nothing to do. The status change is conditional, so an order paid a
//! moment earlier is never expired.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::events::EventKind;
use super::lifecycle::Actor;
use super::status::OrderStatus;
use crate::accounts::UserId;
use crate::db::schema::{offers, order_events, order_lines, orders};
use crate::db::{write_transaction, DbConn};
use crate::error::Result;
use crate::ids::{OfferId, OrderId};
use crate::money::Money;
use crate::notifications::{notify_many, NotificationKind, Pending};
use crate::per_backend;

/// Orders per transaction.
const BATCH: i64 = 10_000;

/// The statuses whose reservation runs (see `lifecycle::reservation_runs`).
const RUNNING: [OrderStatus; 3] = [OrderStatus::New, OrderStatus::Processing, OrderStatus::Reserved];

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ExpiryReport {
    pub warned: usize,
    pub expired: usize,
    pub released_lines: usize,
}

/// One pass of the clock at `now`.
#[tracing::instrument(skip_all)]
pub fn run(conn: &mut DbConn, now: NaiveDateTime, warn_before: Duration) -> Result<ExpiryReport> {
    let mut report = ExpiryReport::default();
    loop {
        let done = write_transaction(conn, |conn| warn_batch(conn, now, warn_before))?;
        report.warned += done;
        if done < BATCH as usize {
            break;
        }
    }
    loop {
        let (expired, lines) = write_transaction(conn, |conn| expire_batch(conn, now))?;
        report.expired += expired;
        report.released_lines += lines;
        if expired < BATCH as usize {
            break;
        }
    }
    Ok(report)
}

/// What the clock needs of an order it touches.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = orders)]
struct Brief {
    id: OrderId,
    number: String,
    /// The buyer who placed it.
    user_id: UserId,
    manager_id: Option<UserId>,
    reservation_deadline: Option<NaiveDateTime>,
    status: OrderStatus,
    total_minor: i64,
    locale: String,
}

fn warn_batch(conn: &mut DbConn, now: NaiveDateTime, warn_before: Duration) -> Result<usize> {
    let due: Vec<Brief> = orders::table
        .filter(orders::status.eq_any(RUNNING))
        .filter(orders::reservation_deadline.gt(now))
        .filter(orders::reservation_deadline.le(now + warn_before))
        .filter(orders::reservation_warned_at.is_null())
        .order(orders::id)
        .limit(BATCH)
        .select(Brief::as_select())
        .load(conn)?;
    if due.is_empty() {
        return Ok(0);
    }
    let ids: Vec<OrderId> = due.iter().map(|o| o.id).collect();
    diesel::update(orders::table.filter(orders::id.eq_any(&ids)).filter(orders::reservation_warned_at.is_null()))
        .set(orders::reservation_warned_at.eq(Some(now)))
        .execute(conn)?;
    append_events(conn, &due, now, EventKind::ReservationLapsing, None)?;
    notify_parties(conn, &due, NotificationKind::ReservationLapsing)?;
    Ok(due.len())
}

fn expire_batch(conn: &mut DbConn, now: NaiveDateTime) -> Result<(usize, usize)> {
    let due: Vec<Brief> = orders::table
        .filter(orders::status.eq_any(RUNNING))
        .filter(orders::reservation_deadline.le(now))
        .order(orders::id)
        .limit(BATCH)
        .select(Brief::as_select())
        .load(conn)?;
    if due.is_empty() {
        return Ok((0, 0));
    }
    let ids: Vec<OrderId> = due.iter().map(|o| o.id).collect();
    // Conditional: only orders still running and due are taken.
    let taken_ids: Vec<OrderId> = diesel::update(
        orders::table
            .filter(orders::id.eq_any(&ids))
            .filter(orders::status.eq_any(RUNNING))
            .filter(orders::reservation_deadline.le(now)),
    )
    .set((orders::status.eq(OrderStatus::ReserveExpired), orders::updated_at.eq(now)))
    .returning(orders::id)
    .get_results(conn)?;
    let taken: std::collections::HashSet<OrderId> = taken_ids.iter().copied().collect();
    let due: Vec<Brief> = due.into_iter().filter(|o| taken.contains(&o.id)).collect();

    let lines: Vec<(OrderId, OfferId, i64, i64)> = order_lines::table
        .filter(order_lines::order_id.eq_any(&taken_ids))
        .filter(order_lines::reserved.gt(0))
        .select((order_lines::order_id, order_lines::offer_id, order_lines::reserved, order_lines::held))
        .load(conn)?;
    let mut per_offer: HashMap<OfferId, i64> = HashMap::new();
    let mut per_order: HashMap<OrderId, i64> = HashMap::new();
    for (order_id, offer_id, reserved, held) in &lines {
        if *held > 0 {
            *per_offer.entry(*offer_id).or_default() += held;
        }
        *per_order.entry(*order_id).or_default() += reserved;
    }
    for (offer_id, amount) in per_offer {
        diesel::update(offers::table.find(offer_id))
            .set(offers::reserved.eq(offers::reserved - amount))
            .execute(conn)?;
    }
    diesel::update(
        order_lines::table.filter(order_lines::order_id.eq_any(&taken_ids)).filter(order_lines::reserved.gt(0)),
    )
    .set((
        order_lines::backordered.eq(order_lines::backordered + order_lines::reserved),
        order_lines::reserved.eq(0),
        order_lines::held.eq(0),
    ))
    .execute(conn)?;
    append_events(conn, &due, now, EventKind::ReservationExpired, Some(&per_order))?;
    notify_parties(conn, &due, NotificationKind::ReservationLapsed)?;
    Ok((due.len(), lines.len()))
}

fn append_events(
    conn: &mut DbConn,
    due: &[Brief],
    now: NaiveDateTime,
    kind: EventKind,
    released: Option<&HashMap<OrderId, i64>>,
) -> Result<()> {
    let rows: Vec<_> = due
        .iter()
        .map(|order| {
            let (from, to) = match released {
                Some(_) => (Some(order.status), Some(OrderStatus::ReserveExpired)),
                None => (None, None),
            };
            let deadline = order.reservation_deadline;
            let details = match released {
                Some(map) => {
                    json!({ "released_total": map.get(&order.id).copied().unwrap_or(0), "deadline": deadline })
                }
                None => json!({ "deadline": deadline }),
            };
            (
                order_events::order_id.eq(order.id),
                order_events::at.eq(now),
                order_events::actor.eq(Actor::System),
                order_events::actor_user_id.eq(None::<i64>),
                order_events::kind.eq(kind),
                order_events::from_status.eq(from),
                order_events::to_status.eq(to),
                order_events::comment.eq(""),
                order_events::details.eq(details.to_string()),
            )
        })
        .collect();
    for chunk in rows.chunks(2000) {
        per_backend!(conn, |c| diesel::insert_into(order_events::table).values(chunk).execute(c))?;
    }
    Ok(())
}

fn notify_parties(conn: &mut DbConn, due: &[Brief], kind: NotificationKind) -> Result<()> {
    let zone = crate::settings::timezone(conn)?;
    let mut pending = Vec::with_capacity(due.len() * 2);
    for order in due {
        let deadline =
            order.reservation_deadline.map(|d| zone.from_utc_datetime(&d).format("%d.%m.%Y %H:%M").to_string());
        let args = vec![
            ("number", order.number.clone()),
            ("deadline", deadline.unwrap_or_default()),
            ("total", Money(order.total_minor).format(&order.locale)),
        ];
        let id = Some(order.id);
        pending.push(Pending { user: order.user_id, order_id: id, kind, args: args.clone(), email: true });
        if let Some(manager) = order.manager_id {
            // Managers see lapsing and lapsed reservations on their dashboard and
            // feed; an email per order would bury them on a busy night.
            pending.push(Pending { user: manager, order_id: id, kind, args, email: false });
        }
    }
    notify_many(conn, &pending)
}
