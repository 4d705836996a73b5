//! Order lifecycle benchmark: `cargo bench --bench lifecycle`.
//!
//! Builds a database with the demo data and 100,000 open orders holding
//! reservations (spread over the demo companies, statuses and deadlines),
//! then measures the manager's dashboard (for one manager and for an admin
//! who sees all) and one run of the reservation-expiry job over all of them.
//! `BENCH_ORDERS` changes the count; `BENCH_DATABASE_URL` points it at
//! PostgreSQL (the database is emptied first).

#[path = "common/allocator.rs"]
mod allocator;

use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use diesel::prelude::*;
use portal::accounts::User;
use portal::db::schema::{companies, contracts, offers, order_lines, orders};
use portal::db::{Db, DbConn};
use portal::ordering::orders::Scope;
use portal::ordering::{dashboard, expiry};
use portal::per_backend;

/// Every order holds an open reservation.
const STATUSES: [&str; 6] = ["new", "processing", "reserved", "new", "processing", "reserved"];

fn fill(conn: &mut DbConn, count: usize) -> anyhow::Result<()> {
    let parties: Vec<(i64, i64, Option<i64>)> =
        contracts::table.select((contracts::company_id, contracts::id, contracts::manager_id)).load(conn)?;
    let buyer: i64 = portal::db::schema::users::table
        .filter(portal::db::schema::users::role.eq("buyer"))
        .select(portal::db::schema::users::id)
        .first(conn)?;
    let offer_ids: Vec<i64> = offers::table.select(offers::id).order(offers::id).load(conn)?;
    // Plenty of stock, so every order's reservation is real.
    diesel::update(offers::table)
        .set((offers::stock_total.eq(1_000_000_000i64), offers::reserved.eq(0i64)))
        .execute(conn)?;
    let now = Utc::now().naive_utc();
    let _ = companies::table;
    for start in (0..count).step_by(1000) {
        let end = (start + 1000).min(count);
        let rows: Vec<_> = (start..end)
            .map(|i| {
                let (company, contract, manager) = parties[i % parties.len()];
                (
                    orders::number.eq(format!("B-{i:07}")),
                    orders::company_id.eq(company),
                    orders::user_id.eq(buyer),
                    orders::contract_id.eq(contract),
                    orders::manager_id.eq(manager),
                    orders::status.eq(STATUSES[i % STATUSES.len()]),
                    orders::delivery_address.eq("Склад"),
                    orders::desired_date.eq(Some((now - Span::days((i % 20) as i64 - 10)).date())),
                    orders::total_minor.eq(100_000i64),
                    orders::vat_minor.eq(16_667i64),
                    orders::reservation_deadline.eq(Some(now + Span::hours((i % 96) as i64 - 24))),
                    orders::placed_at.eq(now - Span::minutes(i as i64)),
                    orders::updated_at.eq(now),
                    orders::locale.eq("ru"),
                )
            })
            .collect();
        let ids: Vec<i64> = per_backend!(conn, |c| diesel::insert_into(orders::table)
            .values(&rows)
            .returning(orders::id)
            .get_results(c))?;
        let lines: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let offer = offer_ids[(start + k) % offer_ids.len()];
                let backordered = if (start + k) % 7 == 0 { 1_000i64 } else { 0 };
                (
                    order_lines::order_id.eq(*id),
                    order_lines::line_no.eq(1),
                    order_lines::offer_id.eq(offer),
                    order_lines::sku.eq("BENCH"),
                    order_lines::name.eq("Товар"),
                    order_lines::unit.eq("шт"),
                    order_lines::quantity.eq(10_000i64 + backordered),
                    order_lines::reserved.eq(10_000i64),
                    order_lines::held.eq(10_000i64),
                    order_lines::backordered.eq(backordered),
                    order_lines::price_minor.eq(10_000i64),
                    order_lines::amount_minor.eq(100_000i64),
                    order_lines::vat_minor.eq(16_667i64),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(order_lines::table).values(&lines).execute(c))?;
    }
    // Offers' reserved totals match the lines.
    let reserved: Vec<(i64, i64)> =
        order_lines::table.select((order_lines::offer_id, order_lines::reserved)).load(conn)?;
    let mut per_offer = std::collections::HashMap::<i64, i64>::new();
    for (offer, r) in reserved {
        *per_offer.entry(offer).or_default() += r;
    }
    for (offer, r) in per_offer {
        diesel::update(offers::table.find(offer)).set(offers::reserved.eq(r)).execute(conn)?;
    }
    Ok(())
}

fn timed<T>(runs: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(Vec<Duration>, T)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f()?);
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times, last.ok_or_else(|| anyhow::anyhow!("no runs"))?))
}

fn main() -> anyhow::Result<()> {
    let count: usize = std::env::var("BENCH_ORDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            std::fs::create_dir_all("target/bench")?;
            let path = "target/bench/lifecycle.db";
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            path.to_string()
        }
    };
    let db = Db::connect(&url, 4)?;
    let mut conn = db.conn()?;
    let started = Instant::now();
    portal::demo::load(&mut conn)?;
    portal::db::write_transaction(&mut conn, |c| fill(c, count).map_err(|e| portal::Error::Internal(e.to_string())))?;
    println!(
        "lifecycle benchmark: {count} orders generated in {:.1?} ({} database)",
        started.elapsed(),
        db.backend().name()
    );

    let manager = User::find_by_email(&mut conn, "manager@demo.example")?.ok_or_else(|| anyhow::anyhow!("manager"))?;
    let admin = User::find_by_email(&mut conn, "admin@demo.example")?.ok_or_else(|| anyhow::anyhow!("admin"))?;
    let now = Utc::now().naive_utc();
    for (who, user) in [("manager (own companies)", &manager), ("admin (all)", &admin)] {
        let (times, board) = timed(10, || Ok(dashboard::build(&mut conn, Scope::of(user), now)?))?;
        let counts: Vec<String> = board.buckets.iter().map(|b| format!("{}={}", b.key, b.count)).collect();
        println!(
            "dashboard, {who}: best {:.1?}, median {:.1?}, worst {:.1?}  [{}]",
            times[0],
            times[times.len() / 2],
            times[times.len() - 1],
            counts.join(" ")
        );
    }

    // Every running reservation lapses at once: the worst case for the job.
    let open: i64 = orders::table
        .filter(orders::status.eq_any(["new", "processing", "reserved"]))
        .count()
        .get_result(&mut *conn)?;
    diesel::update(orders::table)
        .set(orders::reservation_deadline.eq(Some(now - Span::minutes(1))))
        .execute(&mut *conn)?;
    let started = Instant::now();
    let report = expiry::run(&mut conn, now, Span::hours(24))?;
    let took = started.elapsed();
    println!(
        "expiry job: {} of {open} open reservations expired ({} lines released) in {took:.2?}",
        report.expired, report.released_lines
    );
    let started = Instant::now();
    let again = expiry::run(&mut conn, now, Span::hours(24))?;
    println!("expiry job again (nothing left): {} expired in {:.1?}", again.expired, started.elapsed());
    let left: i64 = offers::table.select(diesel::dsl::count_star()).filter(offers::reserved.lt(0)).first(&mut *conn)?;
    assert_eq!(left, 0, "no offer's reserve went negative");
    Ok(())
}
