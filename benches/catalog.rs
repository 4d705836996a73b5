//! Catalog search benchmark: `cargo bench --bench catalog`.
//!
//! Generates a catalog of 100,000 offers (once; kept in
//! `target/bench/catalog-<n>.db`), then measures search and list latency in
//! process, and throughput and latency over HTTP with 16 connections.
//! `BENCH_OFFERS` changes the size, `BENCH_SECONDS` the HTTP run length,
//! `BENCH_DATABASE_URL=postgres://…/db` runs it on PostgreSQL instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::Connection;
use portal::catalog::listing::{list, ListQuery, Sort};
use portal::catalog::write::{
    set_price, set_stock, upsert_category, upsert_offer, upsert_product, OfferData, ProductData,
};
use portal::db::{Db, DbConn};
use portal::web::{AppState, WebConfig};

const KINDS: [(&str, &str); 12] = [
    ("BLT", "Болт DIN 933 М{a}х{b} оцинкованный"),
    ("GKA", "Гайка DIN 934 М{a} оцинкованная"),
    ("SHB", "Шайба плоская DIN 125 М{a}"),
    ("SMR", "Саморез по металлу {a}х{b} с прессшайбой"),
    ("DUB", "Дюбель распорный {a}х{b} нейлон"),
    ("ANK", "Анкер клиновой М{a}х{b}"),
    ("SVR", "Сверло по металлу HSS {a},{b} мм"),
    ("BUR", "Бур SDS-plus {a}х{b} мм"),
    ("KAB", "Кабель ВВГнг(А)-LS {a}х{b} мм²"),
    ("AVT", "Автоматический выключатель ВА47-29 {a}P {b}А"),
    ("KRN", "Кран шаровой латунный {a}/{b}\" ВР-ВР"),
    ("PRT", "Перчатки нитриловые {a} серия {b}"),
];

fn generate(conn: &mut DbConn, offers: usize) -> portal::Result<()> {
    let (pt_base, _) = portal::catalog::write::upsert_price_type(conn, "bench-base", "Базовая", true)?;
    let (pt_opt, _) = portal::catalog::write::upsert_price_type(conn, "bench-opt", "Оптовая", true)?;
    let (pt_dlr, _) = portal::catalog::write::upsert_price_type(conn, "bench-dlr", "Дилерская", true)?;
    let warehouses: Vec<i64> = (0..3)
        .map(|w| {
            portal::catalog::write::upsert_warehouse(conn, &format!("bench-wh-{w}"), &format!("Склад {w}")).map(|r| r.0)
        })
        .collect::<portal::Result<_>>()?;
    let mut categories = Vec::new();
    for (i, (code, _)) in KINDS.iter().enumerate() {
        let (root, _) = upsert_category(conn, &format!("bench-{code}"), None, code, i as i32)?;
        for sub in 0..5 {
            let (id, _) =
                upsert_category(conn, &format!("bench-{code}-{sub}"), Some(root), &format!("{code} {sub}"), sub)?;
            categories.push(id);
        }
    }
    for n in 0..offers {
        let (code, template) = KINDS[n % KINDS.len()];
        let (a, b) = (4 + (n / 12) % 20, 10 + (n / 240) % 400);
        let sku = format!("{code}-{n:06}");
        let name = template.replace("{a}", &a.to_string()).replace("{b}", &b.to_string());
        let (product_id, _) = upsert_product(
            conn,
            &ProductData {
                external_id: format!("bench-{n}"),
                category_id: Some(categories[(n % KINDS.len()) * 5 + (n / 12) % 5]),
                sku: sku.clone(),
                name: name.clone(),
                description: String::new(),
                unit: "шт".into(),
                fractional: false,
                vat_rate: Some(20),
                properties: "[]".into(),
                pack_multiple: 1000,
                min_order: 1000,
                active: true,
            },
        )?;
        let (offer_id, _) = upsert_offer(
            conn,
            &OfferData {
                external_id: format!("bench-{n}"),
                product_id,
                sku,
                name,
                characteristics: String::new(),
                barcode: Some(format!("46{n:011}")),
                active: true,
            },
        )?;
        let price = 1_000 + (n as i64 * 7919) % 500_000;
        for (pt, factor) in [(pt_base, 100), (pt_opt, 90), (pt_dlr, 80)] {
            set_price(conn, offer_id, pt, price * factor / 100)?;
        }
        for (i, w) in warehouses.iter().enumerate() {
            set_stock(conn, offer_id, *w, ((n * 31 + i * 17) % 200) as i64 * 1000)?;
        }
        if n % 10_000 == 9_999 {
            portal::catalog::write::catalog_changed(conn)?;
            eprintln!("  generated {} offers", n + 1);
        }
    }
    Ok(())
}

/// The mix of searches a buyer types: exact SKUs, one and two words, Cyrillic.
fn queries(offers: usize) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..50 {
        let n = (i * 1_999) % offers;
        out.push(format!("{}-{n:06}", KINDS[n % KINDS.len()].0));
    }
    for q in [
        "болт м8",
        "гайка м10",
        "шайба",
        "саморез 4х25",
        "дюбель 8",
        "анкер м12",
        "сверло 6,5",
        "бур sds 10х160",
        "кабель ввгнг 3х",
        "автоматический выключатель 1p",
        "кран шаровой",
        "перчатки нитриловые",
        "ВА47-29 2P",
        "Болт DIN 933 М16",
        "анк",
        "svr-00",
        "кабель 5х",
        "пер сер 300",
    ] {
        out.push(q.to_string());
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{label:<34} n={:<6} mean={:>7.2?} p50={:>7.2?} p95={:>7.2?} p99={:>7.2?} max={:>7.2?}",
        samples.len(),
        mean,
        percentile(&samples, 0.50),
        percentile(&samples, 0.95),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

fn main() -> anyhow::Result<()> {
    let offers: usize = std::env::var("BENCH_OFFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            std::fs::create_dir_all("target/bench")?;
            format!("target/bench/catalog-{offers}.db")
        }
    };
    let db = Db::connect(&url, 20)?;
    {
        let mut conn = db.conn()?;
        let have: i64 = {
            use diesel::prelude::*;
            portal::db::schema::offers::table.count().get_result(&mut *conn)?
        };
        if have < offers as i64 {
            eprintln!("generating {offers} offers into {url} (once)…");
            let started = Instant::now();
            conn.transaction::<_, portal::Error, _>(|c| generate(c, offers))?;
            portal::demo::load(&mut conn)?;
            eprintln!("  done in {:.1?}", started.elapsed());
        }
    }
    println!("catalog benchmark: {offers} offers, {} database", db.backend().name());

    // In process: the listing query itself, at a buyer's price type.
    let price_type: i64 = {
        use diesel::prelude::*;
        portal::db::schema::price_types::table.select(portal::db::schema::price_types::id).first(&mut *db.conn()?)?
    };
    let mut conn = db.conn()?;
    let shared = portal::catalog::search_index::SharedIndex::new();
    let started = Instant::now();
    let built = shared.get(&mut conn)?;
    println!("search index built in {:.1?} ({} offers)", started.elapsed(), built.len());
    let queries = queries(offers);
    let mut search = Vec::new();
    let mut exact = Vec::new();
    for round in 0..5 {
        for q in &queries {
            let started = Instant::now();
            let index = shared.get(&mut conn)?;
            let page = list(
                &mut conn,
                &index,
                &ListQuery { text: q.clone(), per_page: 50, page: 1, ..Default::default() },
                price_type,
            )?;
            let took = started.elapsed();
            if round > 0 {
                if q.contains('-') && q.len() == 10 {
                    exact.push(took)
                } else {
                    search.push(took)
                }
            }
            assert!(page.total > 0 || round > 0 || q.len() < 4, "query {q:?} found nothing");
        }
    }
    report("in-process search (words)", search);
    report("in-process search (exact SKU)", exact);
    let mut browse = Vec::new();
    for page in 1..=100u32 {
        for sort in [Sort::Name, Sort::PriceAsc] {
            let started = Instant::now();
            let index = shared.get(&mut conn)?;
            list(&mut conn, &index, &ListQuery { page, per_page: 50, sort, ..Default::default() }, price_type)?;
            browse.push(started.elapsed());
        }
    }
    report("in-process list (no query, sorted)", browse);
    let mut in_stock = Vec::new();
    for page in 1..=50u32 {
        let started = Instant::now();
        let index = shared.get(&mut conn)?;
        list(&mut conn, &index, &ListQuery { page, per_page: 50, in_stock: true, ..Default::default() }, price_type)?;
        in_stock.push(started.elapsed());
    }
    report("in-process list (in stock only)", in_stock);
    drop(conn);

    // Over HTTP: the API as a buyer, 16 connections.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(http_load(db, queries, seconds))
}

async fn http_load(db: Db, queries: Vec<String>, seconds: u64) -> anyhow::Result<()> {
    let state = AppState::new(db, WebConfig { secure_cookies: false });
    let listener = poem::listener::TcpListener::bind("127.0.0.1:0");
    let acceptor = poem::listener::Listener::into_acceptor(listener).await?;
    let port = poem::listener::Acceptor::local_addr(&acceptor)[0].as_socket_addr().map(|a| a.port()).unwrap_or(0);
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor).run(portal::web::app(state)).await;
    });
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().pool_max_idle_per_host(16).build()?;
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": "buyer@demo.example", "password": "demo-buyer"}))
        .send()
        .await?
        .json()
        .await?;
    let token = token["token"].as_str().unwrap_or_default().to_string();
    let urls: Arc<Vec<String>> = Arc::new(
        queries
            .iter()
            .map(|q| format!("{base}/api/v1/catalog/products?q={}&per_page=50", urlencoding::encode(q)))
            .collect(),
    );
    // One request first: the server builds its search index (as `serve` does at start).
    client.get(&urls[0]).bearer_auth(&token).send().await?.error_for_status()?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for worker in 0..16 {
        let (client, urls, stop, token) = (client.clone(), urls.clone(), stop.clone(), token.clone());
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut errors = 0usize;
            let mut i = worker * 7;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let response = client.get(&urls[i % urls.len()]).bearer_auth(&token).send().await;
                match response {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        samples.push(started.elapsed());
                    }
                    _ => errors += 1,
                }
                i += 1;
            }
            (samples, errors)
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut samples = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (s, e) = w.await?;
        samples.extend(s);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "HTTP search, 16 connections: {:.0} requests/s over {elapsed:.1}s, {errors} errors",
        samples.len() as f64 / elapsed
    );
    report("HTTP search latency", samples);
    Ok(())
}
