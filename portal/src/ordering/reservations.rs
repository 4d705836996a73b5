//! Holding and letting go of stock for orders: reserve (conditional update,
//! never more than is free), release an order or a line, re-reserve what
//! stock allows, and consume a reservation when goods ship.

use diesel::prelude::*;

use super::orders::OrderLine;
use crate::db::schema::{offers, order_lines};
use crate::db::DbConn;
use crate::error::{Error, Result};

/// Reserves up to `wanted` of an offer; returns how much was reserved. The
/// update only applies while that much is still free, so concurrent
/// reservations can never take the same units twice.
pub fn reserve(conn: &mut DbConn, offer_id: i64, wanted: i64) -> Result<i64> {
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
pub fn unreserve(conn: &mut DbConn, offer_id: i64, amount: i64) -> Result<()> {
    if amount > 0 {
        diesel::update(offers::table.find(offer_id))
            .set(offers::reserved.eq(offers::reserved - amount))
            .execute(conn)?;
    }
    Ok(())
}

pub fn lines_of(conn: &mut DbConn, order_id: i64) -> Result<Vec<OrderLine>> {
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
    unreserve(conn, line.offer_id, line.reserved)?;
    diesel::update(order_lines::table.find(line.id))
        .set((order_lines::reserved.eq(0), order_lines::backordered.eq(order_lines::backordered + line.reserved)))
        .execute(conn)?;
    Ok(line.reserved)
}

/// Releases every line of an order; returns (line id, released) for the history.
pub fn release_order(conn: &mut DbConn, order_id: i64) -> Result<Vec<(i64, i64)>> {
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
pub fn re_reserve(conn: &mut DbConn, order_id: i64) -> Result<Vec<(i64, i64)>> {
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
                    order_lines::backordered.eq(order_lines::backordered - got),
                ))
                .execute(conn)?;
            added.push((line.id, got));
        }
    }
    Ok(added)
}

/// Ships `quantity` of a line: the reservation is consumed first and the
/// goods leave the stock. Returns the reservation consumed.
pub fn consume(conn: &mut DbConn, line: &OrderLine, quantity: i64) -> Result<i64> {
    let from_reserve = quantity.min(line.reserved);
    let from_backorder = quantity - from_reserve;
    diesel::update(offers::table.find(line.offer_id))
        .set((
            offers::reserved.eq(offers::reserved - from_reserve),
            offers::stock_total.eq(offers::stock_total - quantity),
        ))
        .execute(conn)?;
    diesel::update(order_lines::table.find(line.id))
        .set((
            order_lines::reserved.eq(order_lines::reserved - from_reserve),
            order_lines::backordered.eq(order_lines::backordered - from_backorder.min(line.backordered)),
            order_lines::shipped.eq(order_lines::shipped + quantity),
        ))
        .execute(conn)?;
    Ok(from_reserve)
}
