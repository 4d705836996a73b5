//! Pricing benchmark: `cargo bench --bench pricing`.
//!
//! A 1,000-line cart of the demo buyer priced as the cart page and checkout
//! price it (`cart_view::priced`: offer facts, list prices, two quantity
//! breaks per offer, the contract discount, then ten active discount rules
//! of every kind under cumulative stacking), on the generated 100,000-offer
//! catalog the other benchmarks use. Target: under 50 ms.

#[path = "common/allocator.rs"]
mod allocator;

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use portal::accounts::User;
use portal::db::schema::{categories, discount_rules, offers, price_types};
use portal::ids::OfferId;
use portal::ordering::cart_view;
use portal::ordering::carts;
use portal::ordering::rules::Requested;
use portal::pricing::PriceContext;
use portal::terms::assortment::Assortment;
use portal::terms::discounts::{self, AppliesTo, EffectKind, RuleInput};
use portal::terms::price_breaks::{self, PriceBreak};

const LINES: usize = 1_000;

fn rule(name: &str, effect: EffectKind, value: i64) -> RuleInput {
    RuleInput::new(name, name, effect, value)
}

fn main() -> anyhow::Result<()> {
    let offers_total: usize = std::env::var("BENCH_OFFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let db = common::bench_db(offers_total)?;
    let mut conn = db.conn()?;
    let buyer =
        User::find_by_email(&mut conn, "buyer@demo.example")?.ok_or_else(|| anyhow::anyhow!("no demo buyer"))?;
    let price_type: i64 = price_types::table
        .filter(price_types::external_id.eq("bench-opt"))
        .select(price_types::id)
        .first(&mut *conn)?;
    let cart_offers: Vec<(OfferId, i64)> = offers::table
        .filter(offers::external_id.like("bench-%"))
        .select((offers::id, offers::product_id))
        .order(offers::id)
        .limit(LINES as i64)
        .load(&mut *conn)?;

    // Ten rules of every kind (replacing an earlier run's), two breaks per offer.
    diesel::delete(discount_rules::table.filter(discount_rules::name_en.like("bench %"))).execute(&mut *conn)?;
    let category: i64 = categories::table
        .filter(categories::external_id.like("bench-%"))
        .select(categories::id)
        .order(categories::id)
        .first(&mut *conn)?;
    let (first_offer, first_product) = cart_offers[0];
    let rules = [
        RuleInput { category_id: Some(category), ..rule("bench category", EffectKind::Percent, 300) },
        RuleInput { product_id: Some(first_product), ..rule("bench product", EffectKind::Fixed, 100) },
        RuleInput { min_order_minor: Some(1_000_000), ..rule("bench amount", EffectKind::Percent, 200) },
        RuleInput { min_quantity: Some(500_000), ..rule("bench quantity", EffectKind::Percent, 100) },
        RuleInput { applies_to: AppliesTo::Order, ..rule("bench order fixed", EffectKind::Fixed, 500_000) },
        RuleInput { applies_to: AppliesTo::Order, ..rule("bench order percent", EffectKind::Percent, 150) },
        RuleInput { nth_order: Some(1), within_days: Some(30), ..rule("bench nth order", EffectKind::Percent, 50) },
        RuleInput { gift_offer_id: Some(first_offer), gift_quantity: 1_000, ..rule("bench gift", EffectKind::Gift, 0) },
        RuleInput {
            valid_from: chrono::NaiveDate::from_ymd_opt(2000, 1, 1),
            ..rule("bench period", EffectKind::Percent, 25)
        },
        RuleInput { promo_only: false, ..rule("bench everyone", EffectKind::Fixed, 5) },
    ];
    for input in &rules {
        discounts::create(&mut conn, input)?;
    }
    portal::settings::set(&mut conn, portal::settings::DISCOUNT_STACKING, "cumulative")?;
    portal::settings::set(&mut conn, portal::settings::DISCOUNT_CAP, "30")?;
    let prices: Vec<(OfferId, i64)> =
        portal::catalog::prices_of(&mut conn, &cart_offers.iter().map(|o| o.0).collect::<Vec<_>>(), price_type)?;
    conn.transaction::<_, portal::Error, _>(|c| {
        for (offer, price) in &prices {
            let breaks = [
                PriceBreak { min_quantity: 10_000, price_minor: price * 95 / 100 },
                PriceBreak { min_quantity: 50_000, price_minor: price * 90 / 100 },
            ];
            price_breaks::replace(c, *offer, price_type, &breaks)?;
        }
        Ok(())
    })?;

    let cart = carts::create(&mut conn, &buyer, "pricing bench")?;
    let ids: Vec<OfferId> = cart_offers.iter().map(|o| o.0).collect();
    let facts = portal::ordering::offer_facts::by_ids(&mut conn, &ids, &Assortment::everything())?;
    for (n, id) in ids.iter().enumerate() {
        let quantity = 1_000 * (1 + (n as i64 * 37) % 80);
        carts::add(&mut conn, &cart, facts.get(id), Requested::Quantity(portal::money::Qty(quantity)), None)?;
    }
    let buyer_context = PriceContext::for_user(&mut conn, &buyer)?;
    let context = PriceContext {
        price_type_id: price_type,
        price_type_name: "Оптовая".into(),
        vat_included: true,
        assortment: Arc::new(Assortment::everything()),
        ..buyer_context
    };
    println!(
        "pricing benchmark: {offers_total} offers, a cart of {LINES} lines, {} rules, {} breaks, {} database",
        rules.len(),
        prices.len() * 2,
        db.backend().name()
    );

    let mut times: Vec<Duration> = Vec::new();
    let mut last = None;
    for _ in 0..20 {
        let started = Instant::now();
        let priced = cart_view::priced(&mut conn, cart.clone(), &context, "ru")?;
        times.push(started.elapsed());
        last = Some(priced);
    }
    let priced = last.ok_or_else(|| anyhow::anyhow!("no run"))?;
    let adjusted = priced.lines.iter().filter(|l| l.adjustments.len() > 1).count();
    let adjustments: usize = priced.lines.iter().map(|l| l.adjustments.len()).sum();
    times.sort();
    println!(
        "price a {}-line cart (breaks, contract, 10 rules, {} gift): best {:.1?}, median {:.1?}, p95 {:.1?}, worst {:.1?}",
        priced.lines.len(),
        priced.gifts.len(),
        times[0],
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1]
    );
    println!(
        "  {adjusted} lines carry more than one adjustment, {adjustments} adjustments in all; total {}",
        priced.total.format("ru")
    );
    carts::delete(&mut conn, &buyer, cart.id)?;
    Ok(())
}
