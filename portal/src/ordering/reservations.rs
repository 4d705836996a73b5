//! Holding and letting go of stock for orders: reserve (conditional update,
//! never more than is free), release an order or a line, re-reserve what
//! stock allows, and consume a reservation when goods ship.
//!
//! Reconciliation with the ERP: `offers.reserved` counts what the portal
//! itself holds — each line's `held` part of its reservation. Until the ERP
//! acknowledges an order, all of the line's reservation is held. When it
//! does and its stock figures are free stock (the `erp_stock` setting), the
//! ERP holds those goods itself and its free figure already leaves them out,
//! so the portal stops subtracting them (`hand_over`): a nightly stock file
//! then neither double-counts the reserve nor sells it twice, and the order
//! stays reserved and shippable whatever the file says.

use diesel::prelude::*;

use super::orders::OrderLine;
use crate::db::schema::{offers, order_lines};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::{OfferId, OrderId};

/// Reserves up to `wanted` of an offer; returns how much was reserved. The
/// update only applies while that much is still free, so concurrent
/// reservations can never take the same units twice.
pub fn reserve(conn: &mut DbConn, offer_id: OfferId, wanted: i64) -> Result<i64> {
    for _ in 0..8 {
        let (stock_total, reserved): (i64, i64) =
            offers::table.find(offer_id).select((offers::stock_total, offers::reserved)).first(conn)?;
        let take = wanted.min(stock_total - reserved).max(0);
        if take == 0 {
            return Ok(0);
        }
        let updated = diesel::update(
            offers::table.filter(offers::id.eq(offer_id)).filter((offers::stock_total - offers::reserved).ge(take)),
        )
        .set(offers::reserved.eq(offers::reserved + take))
        .execute(conn)?;
        if updated == 1 {
            return Ok(take);
        }
    }
    Err(Error::Conflict("stock is changing too fast; try again".into()))
}

/// Gives back `amount` of an offer's reservation.
pub fn unreserve(conn: &mut DbConn, offer_id: OfferId, amount: i64) -> Result<()> {
    if amount > 0 {
        diesel::update(offers::table.find(offer_id))
            .set(offers::reserved.eq(offers::reserved - amount))
            .execute(conn)?;
    }
    Ok(())
}

pub fn lines_of(conn: &mut DbConn, order_id: OrderId) -> Result<Vec<OrderLine>> {
    Ok(order_lines::table
        .filter(order_lines::order_id.eq(order_id))
        .order(order_lines::line_no)
        .select(OrderLine::as_select())
        .load(conn)?)
}

/// Releases one line's reservation: it becomes backorder. Returns what was released.
pub fn release_line(conn: &mut DbConn, line: &OrderLine) -> Result<i64> {
    if line.reserved == 0 {
        return Ok(0);
    }
    unreserve(conn, line.offer_id, line.held)?;
    diesel::update(order_lines::table.find(line.id))
        .set((
            order_lines::reserved.eq(0),
            order_lines::held.eq(0),
            order_lines::backordered.eq(order_lines::backordered + line.reserved),
        ))
        .execute(conn)?;
    Ok(line.reserved)
}

/// Releases every line of an order; returns (line id, released) for the history.
pub fn release_order(conn: &mut DbConn, order_id: OrderId) -> Result<Vec<(i64, i64)>> {
    let mut released = Vec::new();
    for line in lines_of(conn, order_id)? {
        let amount = release_line(conn, &line)?;
        if amount > 0 {
            released.push((line.id, amount));
        }
    }
    Ok(released)
}

/// Reserves what stock now allows for every line's backorder; returns (line id, added).
pub fn re_reserve(conn: &mut DbConn, order_id: OrderId) -> Result<Vec<(i64, i64)>> {
    let mut added = Vec::new();
    for line in lines_of(conn, order_id)? {
        let wanted = line.quantity - line.shipped - line.reserved;
        if wanted <= 0 {
            continue;
        }
        let got = reserve(conn, line.offer_id, wanted)?;
        if got > 0 {
            diesel::update(order_lines::table.find(line.id))
                .set((
                    order_lines::reserved.eq(order_lines::reserved + got),
                    order_lines::held.eq(order_lines::held + got),
                    order_lines::backordered.eq(order_lines::backordered - got),
                ))
                .execute(conn)?;
            added.push((line.id, got));
        }
    }
    Ok(added)
}

/// Ships `quantity` of a line: the reservation is consumed first and the
/// goods leave the stock. What the ERP held was already out of its free
/// stock figure, so only the rest leaves the portal's figure. Returns the
/// reservation consumed.
pub fn consume(conn: &mut DbConn, line: &OrderLine, quantity: i64) -> Result<i64> {
    let from_reserve = quantity.min(line.reserved);
    let from_held = from_reserve.min(line.held);
    let held_by_erp = from_reserve - from_held;
    let from_backorder = quantity - from_reserve;
    diesel::update(offers::table.find(line.offer_id))
        .set((
            offers::reserved.eq(offers::reserved - from_held),
            offers::stock_total.eq(offers::stock_total - (quantity - held_by_erp)),
        ))
        .execute(conn)?;
    diesel::update(order_lines::table.find(line.id))
        .set((
            order_lines::reserved.eq(order_lines::reserved - from_reserve),
            order_lines::held.eq(order_lines::held - from_held),
            order_lines::backordered.eq(order_lines::backordered - from_backorder.min(line.backordered)),
            order_lines::shipped.eq(order_lines::shipped + quantity),
        ))
        .execute(conn)?;
    Ok(from_reserve)
}

/// The ERP acknowledged the order: when its stock figures are free stock it
/// now holds the order's reserve, so the portal lets go of its own hold
/// (the lines stay reserved) and takes the reserve out of its copy of the
/// ERP's free figure — what the next stock file will say anyway, so buyers
/// see no window where the goods look free. Returns how much was handed over.
pub fn hand_over(conn: &mut DbConn, order_id: OrderId) -> Result<i64> {
    if !crate::settings::erp_stock_is_free(conn)? {
        return Ok(0);
    }
    let mut handed = 0;
    for line in lines_of(conn, order_id)?.into_iter().filter(|l| l.held > 0) {
        diesel::update(offers::table.find(line.offer_id))
            .set((
                offers::reserved.eq(offers::reserved - line.held),
                offers::stock_total.eq(offers::stock_total - line.held),
            ))
            .execute(conn)?;
        diesel::update(order_lines::table.find(line.id)).set(order_lines::held.eq(0)).execute(conn)?;
        handed += line.held;
    }
    Ok(handed)
}
