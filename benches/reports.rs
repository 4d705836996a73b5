//! Reports benchmark: `cargo bench --bench reports`.
//!
//! On the demo data plus 300 customer companies (split between the two demo
//! managers), generates `BENCH_ORDERS` orders (default 100,000) of ten lines
//! each — 1,000,000 order lines over the last twelve months, one in twenty
//! cancelled, a few lapsed — then fills `sales_facts` and the monthly sums
//! once and measures every report over the last 365 days (eleven whole
//! months from the sums, the days around them from the facts), for the administrator (all companies) and
//! for a manager (their half): sales by month, customer, manager and
//! category, the top 20 products, the customers who bought a top-level
//! category, the customers who stopped buying, lapsed reservations and
//! backorders. Then 100 orders change and the next report's refresh is
//! timed. Figures are the median and worst of `BENCH_ROUNDS` (default 5).
//! SQLite in `target/bench/reports.db`; `BENCH_DATABASE_URL` for PostgreSQL
//! (an empty database; its statistics are gathered after the load).

#[path = "common/allocator.rs"]
mod allocator;

use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use diesel::prelude::*;
use portal::db::schema::{companies, contracts, offers, order_lines, orders, price_types, products, users};
use portal::db::{Db, DbConn};
use portal::ids::UserId;
use portal::ordering::orders::Scope;
use portal::ordering::status::OrderStatus;
use portal::per_backend;
use portal::reports::period::Period;
use portal::reports::sales::GroupBy;
use portal::reports::{facts, lapsed, sales};

const LINES_PER_ORDER: usize = 10;
const TARGET: Duration = Duration::from_millis(300);

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// 300 companies with a contract each, managed by `managers` in turn.
fn companies(conn: &mut DbConn, managers: &[i64]) -> anyhow::Result<Vec<(i64, i64, i64)>> {
    let price_type: i64 = price_types::table.select(price_types::id).first(conn)?;
    let now = Utc::now().naive_utc();
    let mut made = Vec::new();
    for i in 0..300 {
        let company: i64 = diesel::insert_into(companies::table)
            .values((
                companies::name.eq(format!("ООО «Клиент {i:03}»")),
                companies::inn.eq(format!("77{i:08}")),
                companies::kpp.eq("770101001"),
                companies::legal_address.eq("г. Москва"),
                companies::delivery_address.eq("г. Москва, склад"),
                companies::active.eq(true),
                companies::created_at.eq(now),
            ))
            .returning(companies::id)
            .get_result(conn)?;
        let manager = managers[i % managers.len()];
        let contract: i64 = diesel::insert_into(contracts::table)
            .values((
                contracts::company_id.eq(company),
                contracts::number.eq(format!("Б-{i:03}")),
                contracts::price_type_id.eq(price_type),
                contracts::discount_bp.eq(0),
                contracts::currency.eq("RUB"),
                contracts::deferral_days.eq(14),
                contracts::manager_id.eq(Some(manager)),
                contracts::active.eq(true),
                contracts::credit_limit_minor.eq(0i64),
                contracts::grace_days.eq(0),
                contracts::debit_on.eq(portal::finance::DebitOn::Shipment),
            ))
            .returning(contracts::id)
            .get_result(conn)?;
        made.push((company, contract, manager));
    }
    Ok(made)
}

/// `count` orders of ten lines over the last year, with their lines.
fn orders_and_lines(conn: &mut DbConn, count: usize, customers: &[(i64, i64, i64)]) -> anyhow::Result<()> {
    let buyer: i64 = users::table.filter(users::email.eq("buyer@demo.example")).select(users::id).first(conn)?;
    let goods: Vec<(i64, String, String)> = offers::table
        .inner_join(products::table)
        .select((offers::id, offers::sku, products::name))
        .order(offers::id)
        .load(conn)?;
    let now = Utc::now().naive_utc();
    let first_id: i64 = orders::table.select(diesel::dsl::max(orders::id)).first::<Option<i64>>(conn)?.unwrap_or(0) + 1;
    // 100 orders (2,100 values) and their 1,000 lines (16,000 values) per statement.
    for start in (0..count).step_by(100) {
        let batch: Vec<usize> = (start..(start + 100).min(count)).collect();
        let rows: Vec<_> = batch
            .iter()
            .map(|&i| {
                let (company, contract, manager) = customers[(i * 7919) % customers.len()];
                let status = match i % 40 {
                    0 | 1 => OrderStatus::Cancelled,
                    2 => OrderStatus::ReserveExpired,
                    3..=9 => OrderStatus::New,
                    _ => OrderStatus::Closed,
                };
                let placed = now - Span::minutes((i as i64 * 525_600) / count as i64 + 1);
                let total = (LINES_PER_ORDER as i64) * (1_000 + (i as i64 % 97) * 100) * 12;
                (
                    (
                        orders::id.eq(first_id + i as i64),
                        orders::number.eq(format!("B-{i:07}")),
                        orders::company_id.eq(company),
                        orders::user_id.eq(buyer),
                        orders::contract_id.eq(contract),
                        orders::manager_id.eq(Some(manager)),
                        orders::status.eq(status),
                        orders::delivery_address.eq("склад"),
                        orders::po_number.eq(""),
                        orders::comment.eq(""),
                        orders::currency.eq("RUB"),
                    ),
                    (
                        orders::total_minor.eq(total),
                        orders::vat_minor.eq(total / 6),
                        orders::placed_at.eq(placed),
                        orders::updated_at.eq(placed),
                        orders::sync_state.eq(portal::ordering::status::SyncState::Pending),
                        orders::locale.eq("ru"),
                        orders::paid_minor.eq(0i64),
                        orders::delivery_minor.eq(0i64),
                        orders::delivery_vat_minor.eq(0i64),
                        orders::prepayment_minor.eq(0i64),
                    ),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(orders::table).values(&rows).execute(c))?;
        let lines: Vec<_> = batch
            .iter()
            .flat_map(|&i| (0..LINES_PER_ORDER).map(move |k| (i, k)))
            .map(|(i, k)| {
                let (offer, sku, name) = &goods[(i * 31 + k * 17) % goods.len()];
                let amount = (1_000 + (i as i64 % 97) * 100) * 12;
                (
                    (
                        order_lines::order_id.eq(first_id + i as i64),
                        order_lines::line_no.eq(k as i32 + 1),
                        order_lines::offer_id.eq(*offer),
                        order_lines::sku.eq(sku.clone()),
                        order_lines::name.eq(name.clone()),
                        order_lines::unit.eq("шт"),
                        order_lines::quantity.eq(12_000i64),
                        order_lines::reserved.eq(0i64),
                    ),
                    (
                        order_lines::backordered.eq(if i % 500 == 3 { 2_000i64 } else { 0 }),
                        order_lines::shipped.eq(0i64),
                        order_lines::price_minor.eq(amount / 12),
                        order_lines::held.eq(0i64),
                        order_lines::vat_rate.eq(Some(20)),
                        order_lines::amount_minor.eq(amount),
                        order_lines::vat_minor.eq(amount / 6),
                        order_lines::adjustments.eq("[]"),
                    ),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(order_lines::table).values(&lines).execute(c))?;
    }
    Ok(())
}

fn timed<T>(rounds: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(Duration, Duration, T)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..rounds {
        let started = Instant::now();
        last = Some(f()?);
        times.push(started.elapsed());
    }
    times.sort();
    let out = last.ok_or_else(|| anyhow::anyhow!("no rounds"))?;
    Ok((times[times.len() / 2], times[times.len() - 1], out))
}

fn main() -> anyhow::Result<()> {
    let count = env("BENCH_ORDERS", 100_000);
    let rounds = env("BENCH_ROUNDS", 5);
    let url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            std::fs::create_dir_all("target/bench")?;
            let path = "target/bench/reports.db";
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            path.to_string()
        }
    };
    let db = Db::connect(&url, 2)?;
    let mut conn = db.conn()?;
    portal::demo::load(&mut conn)?;
    let managers: Vec<i64> = users::table
        .filter(users::role.eq(portal::accounts::Role::Manager))
        .order(users::id)
        .select(users::id)
        .load(&mut *conn)?;
    let started = Instant::now();
    let customers =
        portal::db::bulk(&mut conn, |c| companies(c, &managers).map_err(|e| portal::Error::Internal(e.to_string())))?;
    portal::db::bulk(&mut conn, |c| {
        orders_and_lines(c, count, &customers).map_err(|e| portal::Error::Internal(e.to_string()))
    })?;
    let lines: i64 = order_lines::table.count().get_result(&mut *conn)?;
    println!("generated {count} orders, {lines} order lines in {:.1?}", started.elapsed());
    let started = Instant::now();
    let redone = facts::refresh(&mut conn)?;
    println!("sales_facts filled from {redone} orders in {:.1?}", started.elapsed());
    // PostgreSQL plans by its statistics, which autovacuum gathers a little
    // after a bulk load; gather them now, as a running database has them.
    if let DbConn::Postgres(pg) = &mut *conn {
        diesel::sql_query("ANALYZE").execute(pg)?;
    }

    let today = Utc::now().date_naive();
    let period = Period::new(today - Span::days(365), today)?;
    let top_category: i64 = {
        let tree = portal::catalog::tree::CategoryTree::load(&mut conn)?;
        tree.categories().iter().find(|c| c.parent_id.is_none()).map(|c| c.id).unwrap_or(0)
    };
    let mut worst = Duration::ZERO;
    for (who, scope) in [("all companies", Scope::All), ("a manager's", Scope::Managed(UserId(managers[0])))] {
        println!("— {who} —");
        let mut report = |name: &str, f: &mut dyn FnMut(&mut DbConn) -> anyhow::Result<usize>| -> anyhow::Result<()> {
            let (median, slowest, rows) = timed(rounds, || f(&mut conn))?;
            worst = worst.max(median);
            let mark = if median <= TARGET { "" } else { "  ← over 300 ms" };
            println!("{name:<34} median {median:>9.1?}  worst {slowest:>9.1?}  ({rows} rows){mark}");
            Ok(())
        };
        for group_by in [GroupBy::Month, GroupBy::Customer, GroupBy::Manager, GroupBy::Category] {
            report(&format!("sales by {group_by:?}").to_lowercase(), &mut |c| {
                Ok(sales::sales(c, scope, period, group_by, "ru")?.rows.len())
            })?;
        }
        report("top 20 products", &mut |c| Ok(sales::top_products(c, scope, period, 20)?.len()))?;
        report("customers who bought a category", &mut |c| {
            Ok(sales::category_buyers(c, scope, period, top_category)?.len())
        })?;
        report("customers who stopped buying", &mut |c| {
            Ok(lapsed::lapsed_customers(c, scope, today, lapsed::DEFAULT_FACTOR)?.len())
        })?;
        report("lapsed reservations, backorders", &mut |c| {
            let (a, b) = sales::reservations(c, scope, period)?;
            Ok(a.len() + b.len())
        })?;
    }
    // 100 orders change (a status, a discount…): the next report redoes them.
    let changed: Vec<i64> = orders::table.order(orders::id.desc()).limit(100).select(orders::id).load(&mut *conn)?;
    diesel::update(orders::table.filter(orders::id.eq_any(&changed)))
        .set(orders::updated_at.eq(Utc::now().naive_utc()))
        .execute(&mut *conn)?;
    let started = Instant::now();
    let redone = facts::refresh(&mut conn)?;
    println!("refresh after {redone} orders changed: {:.1?}", started.elapsed());
    println!("slowest report median: {worst:.1?} (target {TARGET:?})");
    Ok(())
}
