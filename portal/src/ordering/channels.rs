//! Order channels: the ways an ERP takes orders from the portal — 1C's
//! "exchange with site" over HTTP (`mode=query` … `mode=success`), the
//! exchange folder (`outbox/`, the `order-export` job) and the REST API
//! (`GET /api/v1/exchange/orders` … `POST /api/v1/exchange/orders/ack`).
//!
//! Delivery is tracked per channel (`order_deliveries`): each channel gets
//! every new and changed order until *that channel* confirms it, so one
//! channel taking an order never hides it from another. Which channels a
//! supplier uses is the `order_channels` setting (default `1c`); the folder
//! export runs only where it lists `folder`. A confirmation records the
//! order's version (its `updated_at`) the channel took, and an order changed
//! since stays pending there; each one is written to the order's history.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::events::{record, ActedBy, EventKind};
use super::status::SyncState;
use crate::db::schema::{order_deliveries, orders};
use crate::db::stored_text::stored_text_enum;
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::OrderId;
use crate::settings;

/// The setting listing the channels in use ("1c,folder").
pub const SETTING: &str = "order_channels";

stored_text_enum! {
    /// A way orders reach the ERP.
    pub enum Channel {
        /// 1C's exchange over HTTP at `/exchange/1c`.
        OneC = "1c",
        /// CommerceML files written to the exchange folder's `outbox/`.
        Folder = "folder",
        /// The REST API's order feed.
        Api = "api",
    }
}

/// Parses an `order_channels` value; unknown names are an error.
pub fn parse_list(text: &str) -> Result<Vec<Channel>> {
    let mut channels = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let channel = Channel::parse(name).ok_or_else(|| {
            Error::Invalid(format!("unknown order channel {name:?}: use 1c, folder and api, separated by commas"))
        })?;
        if !channels.contains(&channel) {
            channels.push(channel);
        }
    }
    if channels.is_empty() {
        return Err(Error::Invalid("at least one order channel is needed (1c, folder, api)".into()));
    }
    Ok(channels)
}

/// The channels the supplier's ERP takes orders through.
pub fn configured(conn: &mut DbConn) -> Result<Vec<Channel>> {
    match settings::get(conn, SETTING)? {
        Some(text) => parse_list(&text).or_else(|_| Ok(vec![Channel::OneC])),
        None => Ok(vec![Channel::OneC]),
    }
}

/// Ids (oldest first) of orders `channel` has not taken in their current version.
pub fn pending_ids(conn: &mut DbConn, channel: Channel, limit: i64) -> Result<Vec<OrderId>> {
    let taken = order_deliveries::order_id
        .eq(orders::id)
        .and(order_deliveries::channel.eq(channel))
        .and(order_deliveries::version.ge(orders::updated_at));
    Ok(orders::table
        .left_join(order_deliveries::table.on(taken))
        .filter(order_deliveries::order_id.is_null())
        .order(orders::id)
        .limit(limit)
        .select(orders::id)
        .load(conn)?)
}

/// What a confirmation recorded.
#[derive(Debug, Default, Clone)]
pub struct Confirmed {
    /// Orders now recorded as taken (an event each in their history).
    pub newly: Vec<OrderId>,
    /// Orders the channel had already taken in this version.
    pub already: Vec<OrderId>,
}

/// `channel` confirmed these orders, each as it was at the given time (the
/// query's time, or the version the client was given). An order changed
/// after that, or unknown, is in neither list and stays pending.
pub fn confirm(conn: &mut DbConn, channel: Channel, taken: &[(OrderId, NaiveDateTime)]) -> Result<Confirmed> {
    write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        let ids: Vec<OrderId> = taken.iter().map(|(id, _)| *id).collect();
        let current: Vec<(OrderId, NaiveDateTime)> =
            orders::table.filter(orders::id.eq_any(&ids)).select((orders::id, orders::updated_at)).load(conn)?;
        // The latest time each order was confirmed as of (an id may come twice).
        let mut confirmed_as_of: std::collections::HashMap<OrderId, NaiveDateTime> = std::collections::HashMap::new();
        for (id, at) in taken {
            let entry = confirmed_as_of.entry(*id).or_insert(*at);
            *entry = (*entry).max(*at);
        }
        let mut confirmed = Confirmed::default();
        for (id, version) in current {
            let as_of = confirmed_as_of.get(&id).copied();
            if as_of.is_none_or(|as_of| version > as_of) {
                continue;
            }
            let previous = order_deliveries::table
                .find((id, channel))
                .select(order_deliveries::version)
                .first::<NaiveDateTime>(conn)
                .optional()?;
            if previous.is_some_and(|p| p >= version) {
                confirmed.already.push(id);
                continue;
            }
            let row = (
                order_deliveries::order_id.eq(id),
                order_deliveries::channel.eq(channel),
                order_deliveries::version.eq(version),
                order_deliveries::delivered_at.eq(now),
            );
            crate::per_backend!(conn, |c| diesel::insert_into(order_deliveries::table)
                .values(row)
                .on_conflict((order_deliveries::order_id, order_deliveries::channel))
                .do_update()
                .set((order_deliveries::version.eq(version), order_deliveries::delivered_at.eq(now)))
                .execute(c))?;
            diesel::update(orders::table.find(id).filter(orders::sync_state.eq(SyncState::Pending)))
                .set(orders::sync_state.eq(SyncState::Sent))
                .execute(conn)?;
            let by = ActedBy::erp();
            record(conn, id, by, EventKind::Delivered, (None, None), "", json!({ "channel": channel.as_str() }))?;
            confirmed.newly.push(id);
        }
        Ok(confirmed)
    })
}

/// Which channels have taken an order, and when; with whether they have
/// its current version.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub channel: Channel,
    pub delivered_at: NaiveDateTime,
    pub current: bool,
}

pub fn deliveries(conn: &mut DbConn, order_id: OrderId) -> Result<Vec<Delivery>> {
    let updated_at: NaiveDateTime = orders::table.find(order_id).select(orders::updated_at).first(conn)?;
    let rows: Vec<(Channel, NaiveDateTime, NaiveDateTime)> = order_deliveries::table
        .filter(order_deliveries::order_id.eq(order_id))
        .select((order_deliveries::channel, order_deliveries::version, order_deliveries::delivered_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(channel, version, delivered_at)| Delivery { channel, delivered_at, current: version >= updated_at })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_lists_are_checked() {
        assert_eq!(parse_list("1c, folder").ok(), Some(vec![Channel::OneC, Channel::Folder]));
        assert_eq!(parse_list("api,api").ok(), Some(vec![Channel::Api]));
        assert!(parse_list("1c,email").is_err());
        assert!(parse_list(" ").is_err());
    }
}
