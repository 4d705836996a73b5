//! Login flood benchmark: `cargo bench --bench login_flood`.
//!
//! Starts the real `optovik` binary (release build) as its own process on a
//! fresh SQLite copy of the demo data (or `BENCH_DATABASE_URL`, an existing
//! PostgreSQL database with the demo data), then measures:
//! - the time of one successful login (argon2id, the crate's default parameters);
//! - 300 wrong-password requests, 100 at a time, at one account from one
//!   address, and 300 at 300 accounts from 300 addresses (through the
//!   trusted proxy header): the answers, the process's resident memory
//!   (start, peak, after) and catalog search latency meanwhile;
//! - the process's threads under 64 concurrent catalog requests.

#[path = "common/allocator.rs"]
mod allocator;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SEARCH: &str = "/api/v1/catalog/products?q=болт&per_page=20";

struct Portal {
    child: Child,
    base: String,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn start(database_url: &str) -> Portal {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let child = Command::new(env!("CARGO_BIN_EXE_optovik"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("OPTOVIK_BIND", format!("127.0.0.1:{port}"))
        .env("OPTOVIK_TRUSTED_PROXY_HEADER", "X-Forwarded-For")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start optovik");
    Portal { child, base: format!("http://127.0.0.1:{port}") }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn login(client: &reqwest::Client, base: &str, email: &str, password: &str, from: &str) -> u16 {
    client
        .post(format!("{base}/api/v1/auth/token"))
        .header("x-forwarded-for", from)
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// The flood, with searches and a memory sampler running alongside.
async fn flood(portal: &Portal, token: &str, label: &str, who: fn(usize) -> (String, String)) {
    let pid = portal.child.id();
    let client = reqwest::Client::new();
    let rss_start = status_kib(pid, "VmRSS:");
    let peak = Arc::new(AtomicU64::new(rss_start));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(status_kib(pid, "VmRSS:"), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let searches = {
        let (client, url, token, done) =
            (client.clone(), format!("{}{SEARCH}", portal.base), token.to_string(), done.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let started = Instant::now();
                if let Ok(r) = client.get(&url).bearer_auth(&token).send().await {
                    let _ = r.bytes().await;
                }
                times.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            times
        })
    };
    let started = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(100));
    let mut tasks = Vec::new();
    for i in 0..300 {
        let (client, base, gate) = (client.clone(), portal.base.clone(), gate.clone());
        let (from, email) = who(i);
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.expect("permit");
            login(&client, &base, &email, &format!("guess-{i}"), &from).await
        }));
    }
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for task in tasks {
        *statuses.entry(task.await.expect("task")).or_default() += 1;
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    done.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let mut times = searches.await.expect("searches");
    times.sort();
    let after = status_kib(pid, "VmRSS:");
    println!(
        "{label:<34} {elapsed:>8.2?}  answers {statuses:?}\n{:<34} rss start {} MiB, peak {} MiB, after {} MiB\n{:<34} search during: n={} p50={:.1?} p99={:.1?} max={:.1?}",
        "",
        rss_start / 1024,
        peak.load(Ordering::Relaxed) / 1024,
        after / 1024,
        "",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or_default(),
    );
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("optovik-bench-login-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let database_url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            let path = dir.join("demo.db").to_string_lossy().into_owned();
            let ok = Command::new(env!("CARGO_BIN_EXE_optovik"))
                .arg("demo")
                .env("DATABASE_URL", &path)
                .stdout(Stdio::null())
                .status()
                .expect("optovik demo")
                .success();
            assert!(ok, "loading the demo data failed");
            path
        }
    };
    let portal = start(&database_url);
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if client.get(format!("{}/health", portal.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // One login's time: sequential successful logins (each resets the account's count).
    let mut logins = Vec::new();
    let mut token = String::new();
    for _ in 0..10 {
        let started = Instant::now();
        let response = client
            .post(format!("{}/api/v1/auth/token", portal.base))
            .json(&serde_json::json!({ "email": "buyer@demo.example", "password": "demo-buyer" }))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200);
        token = response.json::<serde_json::Value>().await.expect("json")["token"].as_str().expect("token").into();
        logins.push(started.elapsed());
    }
    logins.sort();
    println!("one login (argon2id m=19 MiB t=2 p=1) p50={:.1?} max={:.1?}", percentile(&logins, 0.5), logins[9]);
    for _ in 0..5 {
        let _ = client.get(format!("{}{SEARCH}", portal.base)).bearer_auth(&token).send().await;
    }

    flood(&portal, &token, "300 guesses at one account", |_| ("203.0.113.9".into(), "admin@demo.example".into())).await;
    flood(&portal, &token, "300 guesses at 300 accounts/IPs", |i| {
        (format!("10.0.{}.{}", i / 256, i % 256), format!("user{i}@nowhere.example"))
    })
    .await;

    // Threads under 64 concurrent catalog requests, repeated.
    let pid = portal.child.id();
    let mut peak_threads = 0;
    let started = Instant::now();
    let mut total = 0;
    while started.elapsed() < Duration::from_secs(5) {
        let mut batch = Vec::new();
        for i in 0..64 {
            let request = client
                .get(format!("{}/api/v1/catalog/products?q=б&page={}", portal.base, i % 5 + 1))
                .bearer_auth(&token)
                .send();
            batch.push(tokio::spawn(request));
        }
        peak_threads = peak_threads.max(status_kib(pid, "Threads:"));
        for request in batch {
            let _ = request.await;
            total += 1;
        }
        peak_threads = peak_threads.max(status_kib(pid, "Threads:"));
    }
    println!(
        "64 concurrent catalog requests     {total} in {:.1?}, peak threads {peak_threads} (pool 16)",
        started.elapsed()
    );
    drop(portal);
    let _ = std::fs::remove_dir_all(&dir);
}
