//! Load test: `cargo bench --bench load` (SQLite, one instance) and
//! `BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 cargo bench --bench load`
//! (two instances on one PostgreSQL database). Loopback only, bounded in time
//! (`BENCH_SECONDS`, default 60; `BENCH_BUYERS`, default 100).
//!
//! Starts the release binary on a fresh database with the demo data, adds
//! virtual buyers, and runs them for the time given: each searches, opens a
//! product, adds lines to its cart, now and then uploads a small order file,
//! and checks out; a manager confirms and ships what comes in. Reports
//! requests/s, p50/p99 per kind, errors by status (no 5xx allowed), stock
//! oversold (must be 0) and whether every scheduled job ran once per tick
//! across the instances. Exits non-zero when an invariant is broken.

#[path = "common/allocator.rs"]
mod allocator;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database_url: &str, dir: &std::path::Path, name: &str) -> Instance {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let child = Command::new(env!("CARGO_BIN_EXE_optovik"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("OPTOVIK_BIND", format!("127.0.0.1:{port}"))
        .env("OPTOVIK_EXCHANGE_DIR", dir.join(format!("exchange-{name}")))
        .env("OPTOVIK_MAIL_DIR", dir.join(format!("mail-{name}")))
        .env("HOSTNAME", name)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start optovik");
    Instance { child, base: format!("http://127.0.0.1:{port}") }
}

/// Latencies and statuses per kind of request.
#[derive(Default)]
struct Tally {
    times: BTreeMap<&'static str, Vec<Duration>>,
    statuses: BTreeMap<(&'static str, u16), usize>,
}

type Shared = Arc<Mutex<Tally>>;

async fn call(tally: &Shared, kind: &'static str, request: reqwest::RequestBuilder) -> Option<(u16, Value)> {
    let started = Instant::now();
    let response = request.send().await;
    let (status, body) = match response {
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    };
    let elapsed = started.elapsed();
    if let Ok(mut t) = tally.lock() {
        t.times.entry(kind).or_default().push(elapsed);
        *t.statuses.entry((kind, status)).or_default() += 1;
    }
    (status != 0).then_some((status, body))
}

const WORDS: [&str; 12] =
    ["болт", "гайка", "шайба", "саморез", "дюбель", "анкер", "сверло", "кабель", "кран", "перчатки", "винт", "хомут"];

async fn buyer(base: String, token: String, until: Instant, tally: Shared, skus: Arc<Vec<(i64, String)>>, seed: usize) {
    let client = reqwest::Client::new();
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&token);
    let Some((_, carts)) = call(&tally, "carts", auth(client.get(format!("{base}/api/v1/carts")))).await else {
        return;
    };
    let Some(cart) =
        carts.as_array().and_then(|c| c.iter().find(|c| c["is_current"] == true)).and_then(|c| c["id"].as_i64())
    else {
        return;
    };
    let mut i = seed as u64;
    while Instant::now() < until {
        i = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let word = WORDS[(i >> 33) as usize % WORDS.len()];
        call(&tally, "search", auth(client.get(format!("{base}/api/v1/catalog/products?q={word}&per_page=20")))).await;
        let (id, sku) = &skus[(i >> 20) as usize % skus.len()];
        call(&tally, "product", auth(client.get(format!("{base}/api/v1/catalog/products/{id}")))).await;
        let line = json!({ "sku": sku, "quantity": 1 + (i >> 40) % 20 });
        call(&tally, "add", auth(client.post(format!("{base}/api/v1/carts/{cart}/lines")).json(&line))).await;
        if (i >> 50).is_multiple_of(5) {
            let (_, other) = &skus[(i >> 10) as usize % skus.len()];
            let csv = format!("Артикул;Количество\n{other};3\n{sku};2\n");
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("order.csv"));
            let uploaded =
                call(&tally, "upload", auth(client.post(format!("{base}/api/v1/carts/{cart}/upload")).multipart(form)))
                    .await;
            if let Some(upload) = uploaded.and_then(|(_, r)| r["upload_id"].as_str().map(String::from)) {
                call(
                    &tally,
                    "apply",
                    auth(client.post(format!("{base}/api/v1/uploads/{upload}/apply")).json(&json!({}))),
                )
                .await;
            }
        }
        if (i >> 45).is_multiple_of(3) {
            let order = json!({ "delivery_address": "Склад, ворота 3", "comment": "нагрузочный тест" });
            call(&tally, "checkout", auth(client.post(format!("{base}/api/v1/carts/{cart}/checkout")).json(&order)))
                .await;
        }
    }
}

async fn manager(bases: Vec<String>, token: String, until: Instant, tally: Shared) {
    let client = reqwest::Client::new();
    let mut n = 0usize;
    while Instant::now() < until {
        n += 1;
        let base = &bases[n % bases.len()];
        let listed = call(
            &tally,
            "orders",
            client.get(format!("{base}/api/v1/orders?status=new&per_page=20")).bearer_auth(&token),
        )
        .await;
        let ids: Vec<i64> = listed
            .and_then(|(_, page)| {
                page["items"].as_array().map(|items| items.iter().filter_map(|o| o["id"].as_i64()).collect())
            })
            .unwrap_or_default();
        if ids.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for id in ids {
            let to = json!({ "to": "processing" });
            call(
                &tally,
                "confirm",
                client.post(format!("{base}/api/v1/orders/{id}/transitions")).bearer_auth(&token).json(&to),
            )
            .await;
            let Some((_, order)) =
                call(&tally, "order", client.get(format!("{base}/api/v1/orders/{id}")).bearer_auth(&token)).await
            else {
                continue;
            };
            let lines: Vec<Value> = order["lines"]
                .as_array()
                .map(|lines| {
                    lines
                        .iter()
                        .filter(|l| l["reserved"].as_str().is_some_and(|r| r != "0"))
                        .map(|l| json!({ "line_id": l["id"], "quantity": l["reserved"] }))
                        .collect()
                })
                .unwrap_or_default();
            if !lines.is_empty() {
                let shipment =
                    json!({ "number": format!("РН-{id}"), "date": chrono::Utc::now().date_naive(), "lines": lines });
                call(
                    &tally,
                    "ship",
                    client.post(format!("{base}/api/v1/orders/{id}/shipments")).bearer_auth(&token).json(&shipment),
                )
                .await;
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Creates the database the run uses: a fresh SQLite file or PostgreSQL database.
fn database(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    match std::env::var("BENCH_POSTGRES").ok().filter(|v| !v.is_empty()) {
        Some(server) => {
            use diesel::Connection;
            let server = server.trim_end_matches('/').to_string();
            let name = format!("optovik_load_{}", std::process::id());
            let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres")).expect("connect");
            diesel::connection::SimpleConnection::batch_execute(&mut admin, &format!("CREATE DATABASE {name}"))
                .expect("create database");
            (format!("{server}/{name}"), Some((server, name)))
        }
        None => (dir.join("load.db").to_string_lossy().into_owned(), None),
    }
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let buyers: usize = std::env::var("BENCH_BUYERS").ok().and_then(|s| s.parse().ok()).unwrap_or(100);
    let dir = std::env::temp_dir().join(format!("optovik-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (url, postgres) = database(&dir);
    let ok = Command::new(env!("CARGO_BIN_EXE_optovik"))
        .arg("demo")
        .env("DATABASE_URL", &url)
        .stdout(Stdio::null())
        .status();
    assert!(ok.is_ok_and(|s| s.success()), "loading the demo data failed");

    // Virtual buyers: accounts of the demo companies, each with its own cart.
    let db = portal::db::Db::connect(&url, 4).expect("db");
    let (skus, logins) = {
        use diesel::prelude::*;
        use portal::db::schema::{companies, offers, products};
        let mut conn = db.conn().expect("conn");
        let companies: Vec<i64> = companies::table.select(companies::id).load(&mut *conn).expect("companies");
        let hash = portal::accounts::password::hash("load-test-1").expect("hash");
        for i in 0..buyers {
            let email = format!("load{i}@load.example");
            diesel::insert_into(portal::db::schema::users::table)
                .values((
                    portal::db::schema::users::email.eq(&email),
                    portal::db::schema::users::password_hash.eq(&hash),
                    portal::db::schema::users::name.eq(format!("Покупатель {i}")),
                    portal::db::schema::users::role.eq("buyer"),
                    portal::db::schema::users::company_id.eq(Some(companies[i % companies.len()])),
                    portal::db::schema::users::locale.eq("ru"),
                    portal::db::schema::users::active.eq(true),
                    portal::db::schema::users::created_at.eq(chrono::Utc::now().naive_utc()),
                ))
                .execute(&mut *conn)
                .expect("buyer");
        }
        let skus: Vec<(i64, String)> = offers::table
            .inner_join(products::table)
            .filter(offers::active.eq(true))
            .select((products::id, offers::sku))
            .load(&mut *conn)
            .expect("skus");
        (Arc::new(skus), (0..buyers).map(|i| format!("load{i}@load.example")).collect::<Vec<_>>())
    };

    let instances: Vec<Instance> = if postgres.is_some() {
        vec![start(&url, &dir, "load-a"), start(&url, &dir, "load-b")]
    } else {
        vec![start(&url, &dir, "load-a")]
    };
    let client = reqwest::Client::new();
    for instance in &instances {
        for _ in 0..600 {
            if client.get(format!("{}/health", instance.base)).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let bases: Vec<String> = instances.iter().map(|i| i.base.clone()).collect();
    let token = |email: String, password: &'static str, base: String| {
        let client = client.clone();
        async move {
            let r = client
                .post(format!("{base}/api/v1/auth/token"))
                .json(&json!({ "email": email, "password": password }))
                .send()
                .await
                .expect("token");
            r.json::<Value>().await.expect("json")["token"].as_str().expect("token").to_string()
        }
    };
    let mut tokens = Vec::new();
    for (i, email) in logins.iter().enumerate() {
        tokens.push(token(email.clone(), "load-test-1", bases[i % bases.len()].clone()).await);
    }
    let manager_token = token("manager@demo.example".into(), "demo-manager", bases[0].clone()).await;
    // The manager sees the demo companies of manager@…: give them all to this manager for the run.
    {
        use diesel::prelude::*;
        let manager_id: i64 = portal::db::schema::users::table
            .filter(portal::db::schema::users::email.eq("manager@demo.example"))
            .select(portal::db::schema::users::id)
            .first(&mut *db.conn().expect("conn"))
            .expect("manager");
        diesel::update(portal::db::schema::contracts::table)
            .set(portal::db::schema::contracts::manager_id.eq(Some(manager_id)))
            .execute(&mut *db.conn().expect("conn"))
            .expect("contracts");
    }

    println!(
        "{} virtual buyers and a manager for {seconds} s on {} ({} instance{})",
        buyers,
        if postgres.is_some() { "PostgreSQL" } else { "SQLite" },
        instances.len(),
        if instances.len() > 1 { "s" } else { "" }
    );
    let tally: Shared = Arc::default();
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let (base, tally, skus) = (bases[i % bases.len()].clone(), tally.clone(), skus.clone());
        tasks.push(tokio::spawn(buyer(base, token, until, tally, skus, i * 7919 + 1)));
    }
    tasks.push(tokio::spawn(manager(bases.clone(), manager_token, until, tally.clone())));
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed();
    // Let the scheduler finish its current tick before reading the journal.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let tally = tally.lock().map(|t| (t.times.clone(), t.statuses.clone())).expect("tally");
    let (times, statuses) = tally;
    let total: usize = times.values().map(Vec::len).sum();
    println!("{total} requests in {elapsed:.1?}: {:.0} requests/s", total as f64 / elapsed.as_secs_f64());
    println!("{:<10} {:>7} {:>9} {:>9}  statuses", "kind", "n", "p50", "p99");
    let mut server_errors = 0;
    for (kind, mut samples) in times {
        samples.sort();
        let by_status: Vec<String> =
            statuses.iter().filter(|((k, _), _)| *k == kind).map(|((_, status), n)| format!("{status}×{n}")).collect();
        server_errors +=
            statuses.iter().filter(|((k, s), _)| *k == kind && (*s >= 500 || *s == 0)).map(|(_, n)| n).sum::<usize>();
        println!(
            "{kind:<10} {:>7} {:>9.1?} {:>9.1?}  {}",
            samples.len(),
            percentile(&samples, 0.5),
            percentile(&samples, 0.99),
            by_status.join(" ")
        );
    }

    use diesel::prelude::*;
    let mut conn = db.conn().expect("conn");
    let oversold: i64 = portal::db::schema::offers::table
        .filter(portal::db::schema::offers::reserved.gt(portal::db::schema::offers::stock_total))
        .filter(portal::db::schema::offers::reserved.gt(0))
        .count()
        .get_result(&mut *conn)
        .expect("oversold");
    let placed: i64 = portal::db::schema::orders::table.count().get_result(&mut *conn).expect("orders");
    let runs = portal::journal::latest_with(&mut conn, None, 10_000, true).expect("journal");
    let mut ticks: BTreeMap<(String, i64), usize> = BTreeMap::new();
    for run in runs.iter().filter(|r| r.triggered_by == portal::journal::Trigger::Schedule) {
        let second = (run.started_at.and_utc().timestamp_millis() + 500).div_euclid(1000);
        *ticks.entry((run.job.clone(), second)).or_default() += 1;
    }
    let twice = ticks.values().filter(|n| **n > 1).count();
    println!("orders placed: {placed}; server errors (5xx or no answer): {server_errors}; offers oversold: {oversold}");
    println!("scheduled runs: {} ticks, {twice} of them run more than once", ticks.len());
    drop(instances);
    drop(conn);
    drop(db);
    if let Some((server, name)) = postgres {
        use diesel::Connection;
        if let Ok(mut admin) = diesel::PgConnection::establish(&format!("{server}/postgres")) {
            let _ = diesel::connection::SimpleConnection::batch_execute(
                &mut admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if server_errors > 0 || oversold > 0 || twice > 0 {
        eprintln!("load test FAILED: an invariant is broken");
        std::process::exit(1);
    }
}
