//! Security checks against the real `optovik` binary in a process of its
//! own: its memory and threads under a flood of logins and catalog requests,
//! a huge body refused before it is read, what a start on an empty database
//! creates (no demo logins), `demo --remove`, and logs without secrets.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::process::{run, Portal};
use crate::support::{empty_database_url, fresh_database_url, BUYER};

const MIB_IN_KIB: u64 = 1024;

async fn token(portal: &Portal, email: &str, password: &str) -> String {
    let response = reqwest::Client::new()
        .post(portal.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), 200);
    response.json::<serde_json::Value>().await.expect("json")["token"].as_str().expect("token").to_string()
}

/// Sends `count` wrong logins, `concurrency` at a time, each from the
/// address and to the account `who(i)` names; returns the statuses.
async fn flood(portal: &Portal, count: usize, concurrency: usize, who: fn(usize) -> (String, String)) -> Vec<u16> {
    let client = reqwest::Client::new();
    let url = portal.url("/api/v1/auth/token");
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = Vec::new();
    for i in 0..count {
        let (client, url, semaphore) = (client.clone(), url.clone(), semaphore.clone());
        let (address, email) = who(i);
        tasks.push(tokio::spawn(async move {
            let _permit = semaphore.acquire().await.expect("permit");
            client
                .post(url)
                .header("x-forwarded-for", address)
                .json(&serde_json::json!({ "email": email, "password": format!("guess-{i}") }))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses
}

/// The slowest of a few catalog searches made while `during` runs.
async fn slowest_search_during<F: std::future::Future<Output = Vec<u16>>>(
    portal: &Portal,
    token: &str,
    during: F,
) -> (Duration, Vec<u16>) {
    let client = reqwest::Client::new();
    let url = portal.url("/api/v1/catalog/products?q=болт&per_page=20");
    let token = token.to_string();
    let searches = tokio::spawn(async move {
        let mut slowest = Duration::ZERO;
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(150)).await;
            let started = Instant::now();
            let response = client.get(&url).bearer_auth(&token).send().await.expect("search");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("body");
            slowest = slowest.max(started.elapsed());
        }
        slowest
    });
    let statuses = during.await;
    (searches.await.expect("searches"), statuses)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_flood_is_throttled_and_memory_and_threads_stay_bounded() {
    let (url, _cleanup) = tokio::task::spawn_blocking(fresh_database_url).await.expect("database");
    let portal = Portal::start(&url, &[], &[("OPTOVIK_TRUSTED_PROXY_HEADER", "X-Forwarded-For")]).await;
    let buyer = token(&portal, BUYER.0, BUYER.1).await;
    // Warm up: the search index and the first hashes.
    reqwest::Client::new()
        .get(portal.url("/api/v1/catalog/products?q=болт"))
        .bearer_auth(&buyer)
        .send()
        .await
        .expect("search");
    let before = portal.rss_kib();

    // One attacker, one account: throttled after the allowance.
    let one_account = |_: usize| ("203.0.113.9".to_string(), "admin@demo.example".to_string());
    let (slowest, statuses) = slowest_search_during(&portal, &buyer, flood(&portal, 300, 100, one_account)).await;
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    assert!(throttled >= 280, "most guesses are throttled: {throttled} of 300 ({evaluated} evaluated)");
    assert!(evaluated <= 10, "only the allowance is evaluated: {evaluated}");
    assert!(slowest < Duration::from_secs(1), "a search during the flood took {slowest:?}");

    // Many addresses, many accounts: the hashing gate sheds the excess at once.
    let everyone =
        |i: usize| (format!("10.{}.{}.{}", i / 65536 % 256, i / 256 % 256, i % 256), format!("u{i}@x.example"));
    let (slowest, statuses) = slowest_search_during(&portal, &buyer, flood(&portal, 300, 100, everyone)).await;
    assert!(statuses.iter().all(|s| [401, 503].contains(s)), "{statuses:?}");
    assert!(statuses.contains(&503), "an overfull queue answers 503 at once");
    assert!(slowest < Duration::from_secs(1), "a search during the flood took {slowest:?}");
    let grown = portal.rss_kib().saturating_sub(before);
    assert!(grown < 300 * MIB_IN_KIB, "resident memory grew by {} MiB", grown / MIB_IN_KIB);

    // 64 concurrent catalog requests: database work waits for a connection
    // without a thread of its own.
    let client = reqwest::Client::new();
    let mut requests = Vec::new();
    for i in 0..256 {
        let request = client
            .get(portal.url(&format!("/api/v1/catalog/products?q=б&page={}", i % 5 + 1)))
            .bearer_auth(&buyer)
            .send();
        requests.push(tokio::spawn(request));
        if requests.len() % 64 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let mut peak_threads = 0;
    let sampler = async {
        for _ in 0..20 {
            peak_threads = peak_threads.max(portal.threads());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    sampler.await;
    for request in requests {
        assert_eq!(request.await.expect("task").expect("response").status(), 200);
    }
    // 16 connections, a core's worth of password hashing, the runtime's workers and the scheduler.
    assert!(peak_threads <= 48, "threads under load: {peak_threads}");
}

/// Sends `head` and then up to `body` bytes (as far as the server reads
/// them) on a raw connection; returns the start of the answer.
async fn raw_request(address: &str, head: &str, body: Vec<u8>) -> String {
    let mut socket = tokio::net::TcpStream::connect(address).await.expect("connect");
    socket.write_all(head.as_bytes()).await.expect("head");
    let (mut reader, mut writer) = socket.into_split();
    let sender = tokio::spawn(async move {
        for piece in body.chunks(64 * 1024) {
            if writer.write_all(piece).await.is_err() {
                break;
            }
        }
        writer
    });
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(20), reader.read(&mut answer))
        .await
        .expect("an answer within seconds")
        .expect("read");
    sender.abort();
    String::from_utf8_lossy(&answer[..read]).to_string()
}

/// A chunked body of `total` bytes in 64 KiB chunks.
fn chunked(total: usize) -> Vec<u8> {
    let piece = 64 * 1024;
    let mut body = Vec::with_capacity(total + total / piece * 16);
    for _ in 0..total / piece {
        body.extend_from_slice(format!("{piece:x}\r\n").as_bytes());
        body.extend(std::iter::repeat_n(b'a', piece));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_body_is_refused_before_it_is_read() {
    let (url, _cleanup) = tokio::task::spawn_blocking(fresh_database_url).await.expect("database");
    let portal = Portal::start(&url, &[], &[]).await;
    let address = portal.address.trim_start_matches("http://").to_string();
    let before = portal.rss_kib();

    // 256 MiB announced to /login: the answer comes before the body is read.
    let answer = raw_request(
        &address,
        "POST /login HTTP/1.1\r\nHost: portal\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 268435456\r\n\r\n",
        vec![b'a'; 16 * 1024 * 1024],
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // Without a length (chunked): cut off at the limit.
    let answer = raw_request(
        &address,
        "POST /login HTTP/1.1\r\nHost: portal\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        chunked(4 * 1024 * 1024),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // JSON over 1 MiB to the API: 413 as JSON.
    let json = reqwest::Client::new()
        .post(portal.url("/api/v1/auth/token"))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .expect("json");
    assert_eq!(json.status(), 413);
    assert!(json.text().await.expect("body").contains("larger than 1 MiB"));

    // A 1C chunk over the announced file_limit: 413 in 1C's words.
    let answer = raw_request(
        &address,
        "POST /exchange/1c?type=catalog&mode=file&filename=import.xml HTTP/1.1\r\nHost: portal\r\n\
         Content-Length: 209715200\r\n\r\n",
        Vec::new(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("failure\n"), "{answer}");

    let grown = portal.rss_kib().saturating_sub(before);
    assert!(grown < 64 * MIB_IN_KIB, "memory grew by {} MiB", grown / MIB_IN_KIB);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_on_an_empty_configured_database_has_no_demo_logins() {
    let (url, _cleanup) = tokio::task::spawn_blocking(empty_database_url).await.expect("database");
    let portal = Portal::start(&url, &[], &[]).await;
    for (email, password, _, _) in portal::demo::DEMO_LOGINS {
        let response = reqwest::Client::new()
            .post(portal.url("/api/v1/auth/token"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("token");
        assert_eq!(response.status(), 401, "{email} must not exist");
    }
    let out = portal.stdout_text();
    assert!(!out.contains("demo-admin"), "no published passwords are printed: {out}");
    assert!(out.contains("optovik invite"), "the way to the first administrator is: {out}");
    let login = reqwest::get(portal.url("/login")).await.expect("login").text().await.expect("body");
    assert!(!login.contains("demo-ribbon"), "no demo ribbon");
    drop(portal);

    // The first administrator, by invitation from the command line.
    let (ok, text) = run(&url, &["invite", "owner@supplier.example", "--role", "admin", "--name", "Owner"]);
    assert!(ok, "{text}");
    assert!(text.contains("/password/"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_logins_are_announced_and_removed_with_one_command() {
    let (url, _cleanup) = tokio::task::spawn_blocking(fresh_database_url).await.expect("database");
    let portal = Portal::start(&url, &[], &[("RUST_LOG", "debug")]).await;
    let login = reqwest::get(portal.url("/login")).await.expect("login").text().await.expect("body");
    assert!(login.contains("demo-ribbon"), "demo logins exist: every page says so");
    assert!(portal.output().contains("WARN") && portal.output().contains("demo --remove"), "the log warns at start");

    // Secrets in URLs never reach the log, even at debug level.
    reqwest::get(portal.url("/password/SECRETLINKTOKEN0123456789")).await.expect("link");
    reqwest::get(portal.url("/exchange/1c?type=sale&mode=query&sessid=SECRETSESSID0123456789")).await.expect("1c");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = portal.output();
    assert!(log.contains("/password/***"), "requests are logged");
    assert!(!log.contains("SECRETLINKTOKEN") && !log.contains("SECRETSESSID"), "but not their secrets");
    drop(portal);

    let before = products(&url).await;
    let (ok, text) = run(&url, &["demo", "--remove"]);
    assert!(ok, "{text}");
    assert!(text.contains("7 demo logins ended"), "{text}");
    let portal = Portal::start(&url, &[], &[]).await;
    let response = reqwest::Client::new()
        .post(portal.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "email": BUYER.0, "password": BUYER.1 }))
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), 401, "the demo password no longer works");
    let login = reqwest::get(portal.url("/login")).await.expect("login").text().await.expect("body");
    assert!(!login.contains("demo-ribbon"));
    let after = products(&url).await;
    assert_eq!(after, before, "the catalog is left as it was");
}

/// Active products in the database at `url`.
async fn products(url: &str) -> i64 {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        let db = portal::db::Db::connect(&url, 1).expect("connect");
        let mut conn = db.conn().expect("conn");
        portal::db::schema::products::table
            .filter(portal::db::schema::products::active.eq(true))
            .count()
            .get_result::<i64>(&mut *conn)
            .expect("count")
    })
    .await
    .expect("count task")
}
