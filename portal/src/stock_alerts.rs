//! Back in stock, expected arrival and low-stock alerts.
//!
//! - A buyer subscribes to an offer that is out of stock (or to every such
//!   offer of a product); when something is available again they get a
//!   cabinet notification and an email, and the subscription ends.
//! - An offer out of stock may carry the date it is expected (the ERP's
//!   stock list column, or the API), shown beside "none" and on
//!   backordered lines.
//! - Staff watch offers with a threshold: when what is available falls
//!   below it, the watcher is alerted once, until it rises again.
//!
//! [`check`] does both kinds of telling; it runs after every import that
//! changed something and on the `stock-alerts` schedule (stock also moves
//! by reservations), and is idempotent.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;

use crate::accounts::{User, UserId};
use crate::db::schema::{offers, products, stock_subscriptions, stock_watches};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::OfferId;
use crate::money::Qty;
use crate::notifications::{notify, NotificationKind};
use crate::per_backend;
use crate::terms::assortment::Assortment;

/// Subscribes `user` to `offer` of product `product_id` — or, without an
/// offer, to every offer of the product that is out of stock now. `NotFound`
/// when the product is not in the buyer's catalog; `Conflict` when there is
/// nothing to wait for (all in stock). Returns the offers subscribed to.
pub fn subscribe(conn: &mut DbConn, user: &User, product_id: i64, offer: Option<OfferId>) -> Result<Vec<OfferId>> {
    let (category, active): (Option<i64>, bool) = products::table
        .find(product_id)
        .select((products::category_id, products::active))
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    let assortment = Assortment::for_user(conn, user)?;
    if !active || !assortment.allows(product_id, category) {
        return Err(Error::NotFound);
    }
    let candidates: Vec<(OfferId, i64)> = offers::table
        .filter(offers::product_id.eq(product_id))
        .filter(offers::active.eq(true))
        .select((offers::id, offers::stock_total - offers::reserved))
        .load(conn)?;
    let wanted: Vec<OfferId> = match offer {
        Some(offer) => {
            let (_, available) = candidates.iter().find(|(o, _)| *o == offer).ok_or(Error::NotFound)?;
            if *available > 0 {
                return Err(Error::Conflict("this offer is in stock now".into()));
            }
            vec![offer]
        }
        None => candidates.iter().filter(|(_, available)| *available <= 0).map(|(o, _)| *o).collect(),
    };
    if wanted.is_empty() {
        return Err(Error::Conflict("every offer of this product is in stock now".into()));
    }
    let now = Utc::now().naive_utc();
    write_transaction(conn, |conn| {
        for offer in &wanted {
            let row = (
                stock_subscriptions::user_id.eq(user.id.0),
                stock_subscriptions::offer_id.eq(offer.0),
                stock_subscriptions::created_at.eq(now),
            );
            per_backend!(conn, |c| diesel::insert_into(stock_subscriptions::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c))?;
        }
        Ok(())
    })?;
    Ok(wanted)
}

/// Ends the user's subscriptions to the product's offers; how many ended.
pub fn unsubscribe(conn: &mut DbConn, user: UserId, product_id: i64) -> Result<usize> {
    let offer_ids: Vec<i64> = offers::table.filter(offers::product_id.eq(product_id)).select(offers::id).load(conn)?;
    Ok(diesel::delete(
        stock_subscriptions::table
            .filter(stock_subscriptions::user_id.eq(user.0))
            .filter(stock_subscriptions::offer_id.eq_any(&offer_ids)),
    )
    .execute(conn)?)
}

/// Which of `offers` the user waits for.
pub fn subscribed(conn: &mut DbConn, user: UserId, offer_ids: &[OfferId]) -> Result<Vec<OfferId>> {
    Ok(stock_subscriptions::table
        .filter(stock_subscriptions::user_id.eq(user.0))
        .filter(stock_subscriptions::offer_id.eq_any(offer_ids))
        .select(stock_subscriptions::offer_id)
        .load::<i64>(conn)?
        .into_iter()
        .map(OfferId)
        .collect())
}

/// Sets (or clears) the date an offer is expected.
pub fn set_expected(conn: &mut DbConn, offer: OfferId, date: Option<NaiveDate>) -> Result<()> {
    let changed = diesel::update(offers::table.find(offer.0)).set(offers::expected_at.eq(date)).execute(conn)?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Sets the expected dates of many offers (an ERP's stock list): whether
/// each changed.
pub fn set_expected_many(
    conn: &mut DbConn,
    rows: &[(OfferId, NaiveDate)],
) -> Result<Vec<crate::catalog::write::Change>> {
    use crate::catalog::write::Change;
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|(o, _)| o.0).collect();
        let now: std::collections::HashMap<i64, Option<NaiveDate>> = offers::table
            .filter(offers::id.eq_any(&ids))
            .select((offers::id, offers::expected_at))
            .load::<(i64, Option<NaiveDate>)>(conn)?
            .into_iter()
            .collect();
        for (offer, date) in chunk {
            if now.get(&offer.0) == Some(&Some(*date)) {
                out.push(Change::Unchanged);
            } else {
                set_expected(conn, *offer, Some(*date))?;
                out.push(Change::Updated);
            }
        }
    }
    Ok(out)
}

/// A date as ERPs and spreadsheets write it: "15.12.2026", "2026-12-15",
/// or a spreadsheet's day number (days since 1899-12-30).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    NaiveDate::parse_from_str(text, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%y"))
        .ok()
        .or_else(|| {
            let serial: f64 = text.parse().ok()?;
            let days = serial.trunc() as i64;
            (20_000..100_000)
                .contains(&days)
                .then(|| NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(days)))
                .flatten()
        })
}

/// Starts (or changes) watching an offer: `threshold` in thousandths.
pub fn watch(conn: &mut DbConn, staff: UserId, offer: OfferId, threshold: i64) -> Result<()> {
    if threshold <= 0 {
        return Err(Error::Invalid("the threshold must be above zero".into()));
    }
    let exists: i64 = offers::table.filter(offers::id.eq(offer.0)).count().get_result(conn)?;
    if exists == 0 {
        return Err(Error::NotFound);
    }
    let row = (
        stock_watches::offer_id.eq(offer.0),
        stock_watches::threshold.eq(threshold),
        stock_watches::user_id.eq(staff.0),
        stock_watches::created_at.eq(Utc::now().naive_utc()),
    );
    per_backend!(conn, |c| diesel::insert_into(stock_watches::table)
        .values(row)
        .on_conflict(stock_watches::offer_id)
        .do_update()
        .set((
            stock_watches::threshold.eq(threshold),
            stock_watches::user_id.eq(staff.0),
            stock_watches::alerted_at.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(c))?;
    Ok(())
}

/// Stops watching an offer; whether it was watched.
pub fn unwatch(conn: &mut DbConn, offer: OfferId) -> Result<bool> {
    Ok(diesel::delete(stock_watches::table.find(offer.0)).execute(conn)? > 0)
}

/// A watched offer as listed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Watch {
    pub offer_id: OfferId,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub threshold: i64,
    pub available: i64,
    pub alerted: bool,
}

/// Every watched offer.
pub fn watches(conn: &mut DbConn) -> Result<Vec<Watch>> {
    type Row = (i64, i64, String, String, i64, i64, Option<chrono::NaiveDateTime>);
    let rows: Vec<Row> = stock_watches::table
        .inner_join(offers::table)
        .order(offers::sku)
        .select((
            offers::id,
            offers::product_id,
            offers::sku,
            offers::name,
            stock_watches::threshold,
            offers::stock_total - offers::reserved,
            stock_watches::alerted_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(offer, product_id, sku, name, threshold, available, alerted)| Watch {
            offer_id: OfferId(offer),
            product_id,
            sku,
            name,
            threshold,
            available: available.max(0),
            alerted: alerted.is_some(),
        })
        .collect())
}

/// The message arguments naming an offer: its SKU, name, what is
/// available (with the unit) and the product's address.
fn offer_args((sku, name, unit): (String, String, &str), available: i64, url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("sku", sku),
        ("name", name),
        ("available", format!("{} {unit}", Qty(available.max(0)).plain())),
        ("url", url.to_string()),
    ]
}

/// What [`check`] told.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Told {
    pub back_in_stock: usize,
    pub low_stock: usize,
}

/// Tells waiting buyers what is back and watchers what runs low.
pub fn check(conn: &mut DbConn) -> Result<Told> {
    let base = crate::settings::public_url(conn)?;
    write_transaction(conn, |conn| {
        let mut told = Told::default();
        let back: Vec<(i64, i64, i64, String, String, String, i64)> = stock_subscriptions::table
            .inner_join(offers::table.inner_join(products::table))
            .filter(offers::active.eq(true))
            .filter((offers::stock_total - offers::reserved).gt(0))
            .select((
                stock_subscriptions::user_id,
                offers::id,
                products::id,
                offers::sku,
                offers::name,
                products::unit,
                offers::stock_total - offers::reserved,
            ))
            .load(conn)?;
        for (user, offer, product, sku, name, unit, available) in back {
            let args = offer_args((sku, name, &unit), available, &format!("{base}/catalog/products/{product}"));
            notify(conn, UserId(user), None, NotificationKind::BackInStock, &args)?;
            diesel::delete(stock_subscriptions::table.find((user, offer))).execute(conn)?;
            told.back_in_stock += 1;
        }
        type Watched = (i64, i64, i64, Option<chrono::NaiveDateTime>, i64, String, String, String, i64);
        let watched: Vec<Watched> = stock_watches::table
            .inner_join(offers::table.inner_join(products::table))
            .select((
                offers::id,
                stock_watches::user_id,
                stock_watches::threshold,
                stock_watches::alerted_at,
                products::id,
                offers::sku,
                offers::name,
                products::unit,
                offers::stock_total - offers::reserved,
            ))
            .load(conn)?;
        let now = Utc::now().naive_utc();
        for (offer, user, threshold, alerted, product, sku, name, unit, available) in watched {
            let low = available < threshold;
            if low && alerted.is_none() {
                let mut args = offer_args((sku, name, &unit), available, &format!("{base}/catalog/products/{product}"));
                args.push(("threshold", format!("{} {unit}", Qty(threshold).plain())));
                notify(conn, UserId(user), None, NotificationKind::LowStock, &args)?;
                diesel::update(stock_watches::table.find(offer))
                    .set(stock_watches::alerted_at.eq(Some(now)))
                    .execute(conn)?;
                told.low_stock += 1;
            } else if !low && alerted.is_some() {
                diesel::update(stock_watches::table.find(offer))
                    .set(stock_watches::alerted_at.eq(None::<chrono::NaiveDateTime>))
                    .execute(conn)?;
            }
        }
        Ok(told)
    })
}
