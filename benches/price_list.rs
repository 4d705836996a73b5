//! Price list benchmark: `cargo bench --bench price_list`.
//!
//! The demo buyer's full price list of the generated 100,000-offer catalog
//! (the same database as the catalog benchmark) as .xlsx and as .csv, with
//! the time and the process's peak memory before and after. Target: the
//! .xlsx in under 5 s with flat memory.

#[path = "common/allocator.rs"]
mod allocator;

mod common;
#[path = "common/memory.rs"]
mod memory;

use std::sync::Arc;
use std::time::Instant;

use diesel::prelude::*;
use memory::peak_mib;
use portal::accounts::User;
use portal::catalog::search_index::SharedIndex;
use portal::db::schema::price_types;
use portal::pricing::PriceContext;
use portal::terms::assortment::Assortment;
use portal::web::price_list::{csv, xlsx, PriceListFilter};

fn main() -> anyhow::Result<()> {
    let offers: usize = std::env::var("BENCH_OFFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let db = common::bench_db(offers)?;
    let mut conn = db.conn()?;
    let index = SharedIndex::new().get(&mut conn)?;
    let buyer =
        User::find_by_email(&mut conn, "buyer@demo.example")?.ok_or_else(|| anyhow::anyhow!("no demo buyer"))?;
    let price_type: i64 = price_types::table
        .filter(price_types::external_id.eq("bench-opt"))
        .select(price_types::id)
        .first(&mut *conn)?;
    let context = PriceContext {
        price_type_id: price_type,
        price_type_name: "Оптовая".into(),
        vat_included: true,
        assortment: Arc::new(Assortment::everything()),
        ..PriceContext::for_user(&mut conn, &buyer)?
    };
    let policy = portal::settings::stock_policy(&mut conn)?;
    let filter = PriceListFilter::default();
    println!("price list benchmark: {} offers indexed, {} database", index.len(), db.backend().name());
    let before = peak_mib();
    for round in 0..3 {
        let started = Instant::now();
        let bytes = xlsx(&mut conn, &index, &context, policy, &filter, "ru")?;
        println!(
            "xlsx #{round}: {:.2?}, {:.1} MiB file, peak memory {:.0} MiB (before: {:.0} MiB, index included)",
            started.elapsed(),
            bytes.len() as f64 / 1_048_576.0,
            peak_mib(),
            before
        );
    }
    let started = Instant::now();
    let bytes = csv(&mut conn, &index, &context, policy, &filter, "ru")?;
    println!(
        "csv: {:.2?}, {:.1} MiB, peak memory {:.0} MiB",
        started.elapsed(),
        bytes.len() as f64 / 1_048_576.0,
        peak_mib()
    );
    Ok(())
}
