//! Catalog search benchmark: `cargo bench --bench catalog`.
//!
//! Generates a catalog of 100,000 offers (once; kept in
//! `target/bench/catalog-<n>.db`), then measures search and list latency in
//! process, and throughput and latency over HTTP with 16 connections.
//! `BENCH_OFFERS` changes the size, `BENCH_SECONDS` the HTTP run length,
//! `BENCH_DATABASE_URL=postgres://…/db` runs it on PostgreSQL instead.

#[path = "common/allocator.rs"]
mod allocator;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use common::KINDS;
use portal::catalog::listing::{list, ListQuery, Sort};
use portal::db::Db;
use portal::web::{AppState, WebConfig};

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
    let db = common::bench_db(offers)?;
    println!("catalog benchmark: {offers} offers, {} database", db.backend().name());

    // In process: the listing query itself, at the base price type.
    let mut conn = db.conn()?;
    let pricing = portal::pricing::PriceContext::staff(&mut conn)?;
    let price_type = &pricing;
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
    where_the_time_goes(&mut conn, &shared, &queries)?;
    drop(conn);

    // Over HTTP: the API as a buyer, 16 connections.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(http_load(db, queries, seconds))
}

/// The steps of one API search request, timed one by one in process as a
/// buyer (20 rows): the token check, the buyer's pricing context, the
/// settings and index version reads, the buyer's own-code lookup, the index
/// search with the page's rows, the price breaks, and the JSON.
fn where_the_time_goes(
    conn: &mut portal::db::DbConn,
    shared: &portal::catalog::search_index::SharedIndex,
    queries: &[String],
) -> anyhow::Result<()> {
    use portal::accounts::User;
    let buyer = User::find_by_email(conn, "buyer@demo.example")?.ok_or_else(|| anyhow::anyhow!("no demo buyer"))?;
    let token = portal::accounts::tokens::issue(conn, buyer.id)?.token;
    let rounds = 2_000;
    let mut steps: Vec<(&str, Duration)> = Vec::new();
    let time = |label: &'static str, steps: &mut Vec<(&str, Duration)>, took: Duration| match steps
        .iter_mut()
        .find(|(l, _)| *l == label)
    {
        Some((_, total)) => *total += took,
        None => steps.push((label, took)),
    };
    for i in 0..rounds {
        let text = &queries[i % queries.len()];
        let started = Instant::now();
        let user = portal::accounts::tokens::lookup(conn, &token)?.ok_or_else(|| anyhow::anyhow!("token"))?;
        time("token check (SHA-256, session row) ¹", &mut steps, started.elapsed());
        let started = Instant::now();
        let pricing = portal::pricing::PriceContext::for_user(conn, &user)?;
        time("pricing context (contract, price type, assortment) ¹", &mut steps, started.elapsed());
        let started = Instant::now();
        let policy = portal::settings::stock_policy(conn)?;
        time("stock display setting ¹", &mut steps, started.elapsed());
        let started = Instant::now();
        let index = shared.get(conn)?;
        time("index (catalog version check)", &mut steps, started.elapsed());
        let started = Instant::now();
        let pinned = portal::ordering::customer_codes::pinned_by(conn, pricing.company_id, text)?;
        time("buyer's own code lookup", &mut steps, started.elapsed());
        let started = Instant::now();
        let query = ListQuery { text: text.clone(), per_page: 20, page: 1, pinned, ..Default::default() };
        let page = list(conn, &index, &query, &pricing)?;
        time("index search + 20 rows read", &mut steps, started.elapsed());
        let started = Instant::now();
        let ids: Vec<portal::ids::OfferId> = page.items.iter().map(|i| portal::ids::OfferId(i.offer_id)).collect();
        let breaks = portal::terms::price_breaks::of_offers(conn, pricing.price_type_id, &ids)?;
        time("price breaks of the rows", &mut steps, started.elapsed());
        let started = Instant::now();
        let priced: Vec<(i64, Option<i64>, usize)> = page
            .items
            .iter()
            .map(|item| {
                let unit = item.list_price_minor.map(|p| pricing.unit_price(portal::money::Money(p), item.vat_rate));
                (item.offer_id, unit.map(|u| u.gross.minor()), breaks.len())
            })
            .collect();
        let json = serde_json::to_vec(&(&page.items, &priced, policy.few_threshold))?;
        time("prices and JSON", &mut steps, started.elapsed());
        std::hint::black_box(json);
    }
    let total: Duration = steps.iter().map(|(_, d)| *d).sum();
    println!("where the time of one API search goes (in process, {rounds} requests, 20 rows):");
    for (label, took) in &steps {
        println!(
            "  {label:<52} {:>7.1} µs  {:>4.1} %",
            took.as_secs_f64() * 1e6 / rounds as f64,
            took.as_secs_f64() * 100.0 / total.as_secs_f64()
        );
    }
    println!("  {:<52} {:>7.1} µs", "all steps", total.as_secs_f64() * 1e6 / rounds as f64);
    // ¹ What the server keeps in memory for a second (web::answers): under
    // load these three are a map lookup, not a query.
    let answers = portal::web::answers::Answers::default();
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(answers.pricing(conn, 0, &buyer)?);
        std::hint::black_box(answers.stock_policy(conn, 0)?);
    }
    let kept = started.elapsed();
    let read: Duration = steps.iter().filter(|(l, _)| l.ends_with('¹')).map(|(_, d)| *d).sum();
    println!(
        "  ¹ kept in memory for a second: pricing and stock setting {:.1} µs; all steps then {:.1} µs",
        kept.as_secs_f64() * 1e6 / rounds as f64,
        (total - read + kept).as_secs_f64() * 1e6 / rounds as f64
    );
    Ok(())
}

async fn http_load(db: Db, queries: Vec<String>, seconds: u64) -> anyhow::Result<()> {
    let state = AppState::new(db, WebConfig::default());
    let listener = poem::listener::TcpListener::bind("127.0.0.1:0");
    let acceptor = poem::listener::Listener::into_acceptor(listener).await?;
    let port = poem::listener::Acceptor::local_addr(&acceptor)[0].as_socket_addr().map(|a| a.port()).unwrap_or(0);
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor).run(portal::web::app(state)).await;
    });
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().pool_max_idle_per_host(16).build()?;
    // A buyer with the whole catalog, then the demo dealer whose group's
    // assortment hides a category (the search filters by it).
    for (label, email) in
        [("no assortment restriction", "buyer@demo.example"), ("assortment restricted", "buyer2@demo.example")]
    {
        load_as(&client, &base, email, label, &queries, seconds).await?;
    }
    wrk_runs(&client, &base, &queries, seconds).await
}

/// Token of a demo login.
async fn token_of(client: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<String> {
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": email, "password": "demo-buyer"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(token["token"].as_str().unwrap_or_default().to_string())
}

/// The same server measured by `wrk` (a client outside this process, when
/// it is installed): plain search and a faceted search (a category and two
/// property values, with the facets), 20 rows a page, at 16 and 64
/// connections.
async fn wrk_runs(client: &reqwest::Client, base: &str, queries: &[String], seconds: u64) -> anyhow::Result<()> {
    if std::process::Command::new("wrk").arg("--version").output().is_err() {
        println!("wrk is not installed: the wrk runs are skipped (apt-get install wrk)");
        return Ok(());
    }
    let token = token_of(client, base, "buyer@demo.example").await?;
    let categories: serde_json::Value =
        client.get(format!("{base}/api/v1/catalog/categories")).bearer_auth(&token).send().await?.json().await?;
    let leaves: Vec<i64> = categories
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|c| !c["parent_id"].is_null())
                .filter(|c| c["external_id"].as_str().is_some_and(|e| e.starts_with("bench-")))
                .filter_map(|c| c["id"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    let plain: Vec<String> =
        queries.iter().map(|q| format!("/api/v1/catalog/products?q={}&per_page=20", urlencoding::encode(q))).collect();
    // Per category, the first value of its two most common properties (as a
    // buyer would tick them in the sidebar).
    let mut faceted: Vec<String> = Vec::new();
    for category in &leaves {
        let url = format!("{base}/api/v1/catalog/products?category={category}&facets=true&per_page=1");
        let page: serde_json::Value = client.get(url).bearer_auth(&token).send().await?.json().await?;
        let chosen: Vec<String> = page["facets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["values"].as_array().is_some_and(|v| v.len() > 1))
            .take(2)
            .map(|f| {
                let filter = format!(
                    "{}:{}",
                    f["property"].as_str().unwrap_or(""),
                    f["values"][0]["value"].as_str().unwrap_or("")
                );
                format!("&filter={}", urlencoding::encode(&filter))
            })
            .collect();
        if chosen.len() == 2 {
            faceted.push(format!(
                "/api/v1/catalog/products?category={category}{}&facets=true&per_page=20",
                chosen.concat()
            ));
        }
    }
    anyhow::ensure!(!faceted.is_empty(), "no category with two properties to filter by");
    // Every faceted URL answers with rows and facets (checked once, not timed).
    let sample: serde_json::Value = client
        .get(format!("{base}{}", faceted[0]))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    anyhow::ensure!(
        sample["facets"].as_array().is_some_and(|f| !f.is_empty()) && sample["total"].as_i64() > Some(0),
        "no facets or rows: {sample}"
    );
    for (label, paths) in [("plain search", &plain), ("faceted search", &faceted)] {
        let script = std::env::temp_dir().join(format!("optovik-wrk-{}.lua", std::process::id()));
        let list: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
        std::fs::write(
            &script,
            format!(
                "paths = {{{}}}\ni = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(nil, paths[(i % #paths) + 1])\nend\n",
                list.join(", ")
            ),
        )?;
        for connections in [16, 64] {
            let mut wrk = std::process::Command::new("wrk");
            wrk.args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency"])
                .args(["-H", &format!("Authorization: Bearer {token}")])
                .arg("-s")
                .arg(&script)
                .arg(base);
            let output = tokio::task::spawn_blocking(move || wrk.output()).await??;
            let text = String::from_utf8_lossy(&output.stdout);
            let line = |prefix: &str| {
                text.lines()
                    .find(|l| l.trim_start().starts_with(prefix))
                    .map(|l| l.trim().to_string())
                    .unwrap_or_default()
            };
            println!(
                "wrk {label}, {connections} connections: {} | p50 {} | p99 {} | {}",
                line("Requests/sec:"),
                line("50%"),
                line("99%"),
                line("Non-2xx").trim()
            );
        }
        let _ = std::fs::remove_file(&script);
    }
    Ok(())
}

async fn load_as(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    label: &str,
    queries: &[String],
    seconds: u64,
) -> anyhow::Result<()> {
    let token = token_of(client, base, email).await?;
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
        "HTTP search ({label}), 16 connections: {:.0} requests/s over {elapsed:.1}s, {errors} errors",
        samples.len() as f64 / elapsed
    );
    report(&format!("HTTP search latency ({label})"), samples);
    Ok(())
}
