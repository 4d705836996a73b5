//! Ordering benchmark: `cargo bench --bench ordering`.
//!
//! 1. Parse + match + report of a 10,000-row .xlsx order file against the
//!    100,000-offer catalog (the same generated database as the catalog
//!    benchmark), with peak memory.
//! 2. Checkout of a 200-line order: pricing, reservation, numbering, the
//!    invoice PDF, all in one transaction.

#[path = "common/allocator.rs"]
mod allocator;

mod common;
#[path = "common/memory.rs"]
mod memory;

use memory::peak_mib;
use std::time::{Duration, Instant};

use common::KINDS;
use portal::accounts::User;
use portal::catalog::search_index::SharedIndex;
use portal::ordering::checkout::{place_order, CheckoutRequest};
use portal::ordering::rules::Requested;
use portal::ordering::upload::{detect_columns, extract_rows, read_order_file, Limits};
use portal::ordering::{carts, offer_facts, report};

/// A buyer's order file: a title block, a header, 10,000 rows of real SKUs
/// (some duplicated, some unknown, some with odd quantities).
fn order_file(offers: usize, rows: usize) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Заказ ООО «СтройМаркет»")?;
    sheet.write_string(2, 0, "Артикул")?;
    sheet.write_string(2, 1, "Наименование")?;
    sheet.write_string(2, 2, "Кол-во")?;
    for i in 0..rows {
        let n = (i * 7_919) % offers;
        let row = i as u32 + 3;
        let sku = if i % 97 == 0 { format!("NOPE-{n:06}") } else { format!("{}-{n:06}", KINDS[n % KINDS.len()].0) };
        sheet.write_string(row, 0, &sku)?;
        sheet.write_string(row, 1, "товар")?;
        if i % 50 == 0 {
            sheet.write_string(row, 2, "2,5")?;
        } else {
            sheet.write_number(row, 2, (1 + i % 40) as f64)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

fn main() -> anyhow::Result<()> {
    let offers: usize = std::env::var("BENCH_OFFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let db = common::bench_db(offers)?;
    let mut conn = db.conn()?;
    let index = SharedIndex::new();
    let built = index.get(&mut conn)?;
    println!("ordering benchmark: {offers} offers ({} indexed), {} database", built.len(), db.backend().name());

    let file = order_file(offers, 10_000)?;
    println!("order file: 10,000 rows, {} KiB", file.len() / 1024);
    let before = peak_mib();
    let mut runs = Vec::new();
    let mut rows_out = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let sheet = read_order_file("order.xlsx", &file, &Limits::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let columns = detect_columns(&sheet).ok_or_else(|| anyhow::anyhow!("no columns"))?;
        let inputs = extract_rows(&sheet, &columns);
        let rows =
            report::build(&mut conn, &built, (&portal::terms::assortment::Assortment::everything(), None), &inputs)?;
        runs.push(started.elapsed());
        rows_out = rows.len();
    }
    runs.sort();
    println!(
        "parse + match + report, 10,000 rows: best {:.0?}, median {:.0?}, worst {:.0?} ({rows_out} rows); \
         peak memory {:.0} MiB (before: {:.0} MiB, index and catalog included)",
        runs[0],
        runs[2],
        runs[4],
        peak_mib(),
        before
    );

    // Checkout: 200 demo offers into a fresh cart of the demo buyer, then place.
    let buyer =
        User::find_by_email(&mut conn, "buyer@demo.example")?.ok_or_else(|| anyhow::anyhow!("no demo buyer"))?;
    let demo_offers: Vec<portal::ids::OfferId> = {
        use diesel::prelude::*;
        use portal::db::schema::offers;
        offers::table
            .filter(offers::external_id.like("demo-%"))
            .select(offers::id)
            .order(offers::id)
            .limit(200)
            .load(&mut *conn)?
    };
    let mut times: Vec<Duration> = Vec::new();
    for round in 0..5 {
        let cart = carts::create(&mut conn, &buyer, &format!("bench {round}"))?;
        let facts = offer_facts::by_ids(&mut conn, &demo_offers, &portal::terms::assortment::Assortment::everything())?;
        for id in &demo_offers {
            let fact = facts.get(id);
            let quantity = fact.map(|f| f.min_order.max(1000)).unwrap_or(1000);
            carts::add(&mut conn, &cart, fact, Requested::Quantity(portal::money::Qty(quantity)), None)?;
        }
        let request = CheckoutRequest { delivery_address: "Склад".into(), ..Default::default() };
        let started = Instant::now();
        let placed = place_order(&mut conn, &buyer, cart.id, &request)?;
        times.push(started.elapsed());
        if round == 0 {
            let lines: i64 = {
                use diesel::prelude::*;
                use portal::db::schema::order_lines;
                order_lines::table.filter(order_lines::order_id.eq(placed.id)).count().get_result(&mut *conn)?
            };
            println!(
                "checkout placed order {} with {lines} lines, invoice {:?}, status {}",
                placed.number, placed.invoice_number, placed.status
            );
        }
    }
    times.sort();
    println!(
        "checkout of a 200-line order (reserve + invoice PDF): best {:.1?}, median {:.1?}, worst {:.1?}",
        times[0], times[2], times[4]
    );
    Ok(())
}
