//! Job leases: with two instances on one database, a tick runs once.

use connector::runner::current_tick;
use connector::runner::run_leased;
use portal::journal::Trigger;

use crate::support::spawn_app;

#[tokio::test(flavor = "multi_thread")]
async fn two_schedulers_on_one_database_run_each_tick_once() {
    use std::collections::{HashMap, HashSet};
    let app = spawn_app().await;
    let url = app.url.clone();
    let second =
        tokio::task::spawn_blocking(move || portal::db::Db::connect(&url, 4)).await.expect("join").expect("db");
    // Every job off but one, which fires every second on both instances.
    let mut overrides: HashMap<String, String> =
        connector::jobs::JOBS.iter().map(|j| (j.name.to_string(), String::new())).collect();
    overrides.insert("purge-credentials".into(), "* * * * * *".into());
    let config = connector::schedule::ScheduleConfig { timezone: chrono_tz::UTC, overrides };
    let started = std::time::Instant::now();
    let mut a = connector::schedule::start(app.db.clone(), &config, "instance-a".into()).await.expect("a");
    let mut b = connector::schedule::start(second, &config, "instance-b".into()).await.expect("b");
    tokio::time::sleep(std::time::Duration::from_millis(4_300)).await;
    a.shutdown().await.expect("stop a");
    b.shutdown().await.expect("stop b");
    let seconds = started.elapsed().as_secs() as usize;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let runs = app.with_db(|conn| portal::journal::latest_with(conn, Some("purge-credentials"), 100, true)).await;
    assert!(runs.len() >= 3, "the job ran on its schedule: {} runs", runs.len());
    assert!(runs.len() <= seconds + 1, "{} runs in {seconds} s: some tick ran twice", runs.len());
    let ticks: HashSet<i64> =
        runs.iter().map(|r| (r.started_at.and_utc().timestamp_millis() + 500).div_euclid(1000)).collect();
    assert_eq!(ticks.len(), runs.len(), "each tick ran on exactly one instance");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_run_a_tick_once() {
    let app = spawn_app().await;
    let db = app.db.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let tick = current_tick();
        let handles: Vec<_> = ["instance-a", "instance-b"]
            .into_iter()
            .map(|instance| {
                let db = db.clone();
                std::thread::spawn(move || {
                    run_leased(&db, "purge-credentials", instance, tick, Trigger::Cli).expect("run")
                })
            })
            .collect();
        let ran: Vec<bool> = handles.into_iter().map(|h| h.join().expect("thread").is_some()).collect();
        // The same tick again, later, on either instance: already done.
        let again = run_leased(&db, "purge-credentials", "instance-a", tick, Trigger::Cli).expect("run");
        // The next tick runs.
        let next =
            run_leased(&db, "purge-credentials", "instance-b", tick + chrono::Duration::seconds(60), Trigger::Cli)
                .expect("run");
        (ran, again.is_some(), next.is_some())
    })
    .await
    .expect("join");
    assert_eq!(outcome.0.iter().filter(|r| **r).count(), 1, "exactly one instance ran the tick");
    assert!(!outcome.1, "a tick never runs twice");
    assert!(outcome.2, "the next tick runs");
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_run_now_and_land_in_the_journal() {
    let app = spawn_app().await;
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let buyer = app.token("buyer@demo.example", "demo-buyer").await;
    let client = reqwest::Client::new();
    let run = |token: &str, job: &str| {
        client.post(app.url(&format!("/api/v1/admin/jobs/{job}/run"))).bearer_auth(token.to_string()).send()
    };
    assert_eq!(run(&buyer, "purge-credentials").await.expect("run").status(), 403);
    assert_eq!(run(&admin, "no-such-job").await.expect("run").status(), 404);
    let ran = run(&admin, "reservation-expiry").await.expect("run");
    assert_eq!(ran.status(), 200);
    let ran: serde_json::Value = ran.json().await.expect("json");
    assert_eq!(
        (ran["job"].as_str(), ran["trigger"].as_str(), ran["status"].as_str()),
        (Some("reservation-expiry"), Some("admin"), Some("idle")),
        "a run with nothing to do is idle"
    );
    assert!(ran["summary"].as_str().expect("summary").contains("expired 0"));
    assert!(ran["duration_ms"].as_i64().is_some());

    let (status, runs) = app.api_get(&admin, "/api/v1/admin/sync-runs?job=reservation-expiry").await;
    assert_eq!(status, 200);
    assert!(runs.as_array().expect("runs").is_empty(), "idle runs stay out of the default view");
    let (status, runs) = app.api_get(&admin, "/api/v1/admin/sync-runs?job=reservation-expiry&include_idle=true").await;
    assert_eq!(status, 200);
    assert_eq!(runs.as_array().expect("runs").len(), 1);
    let id = runs[0]["id"].as_i64().expect("id");
    let (status, one) = app.api_get(&admin, &format!("/api/v1/admin/sync-runs/{id}")).await;
    assert_eq!((status, one["status"].as_str()), (200, Some("idle")));
    assert_eq!(app.api_get(&admin, "/api/v1/admin/sync-runs/999999").await.0, 404);
    assert_eq!(app.api_get(&buyer, "/api/v1/admin/sync-runs").await.0, 403);

    let page = app.login("admin@demo.example", "demo-admin").await;
    let html = page.get(app.url("/admin")).send().await.expect("admin").text().await.expect("body");
    assert!(!html.contains(&format!("/admin/runs/{id}\"")), "idle runs are not listed on the page");
    assert!(html.contains("1 more runs") || html.contains("Ещё 1 запусков"), "but folded into one line");

    // A run that did something is listed; idle runs go after a day.
    let ran = run(&admin, "folder-exchange").await.expect("run");
    assert_eq!(ran.status(), 200);
    let retired = app
        .with_db(|conn| {
            portal::journal::apply_retention(conn, chrono::Utc::now().naive_utc() + chrono::Duration::hours(25))
        })
        .await;
    assert!(retired >= 1, "idle runs older than a day are removed");
    let (_, all) = app.api_get(&admin, "/api/v1/admin/sync-runs?include_idle=true").await;
    assert!(all.as_array().expect("runs").iter().all(|r| r["status"] != "idle"), "{all}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_that_did_something_is_listed() {
    let app = spawn_app().await;
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let buyer = app.token("buyer@demo.example", "demo-buyer").await;
    crate::ordering::place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let ran = reqwest::Client::new()
        .post(app.url("/api/v1/admin/jobs/email-outbox/run"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("run");
    let ran: serde_json::Value = ran.json().await.expect("json");
    assert_eq!(ran["status"], "success", "emails were sent: {ran}");
    let (_, runs) = app.api_get(&admin, "/api/v1/admin/sync-runs?job=email-outbox").await;
    assert_eq!(runs.as_array().expect("runs").len(), 1);
}
