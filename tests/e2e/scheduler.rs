//! Job leases: with two instances on one database, a tick runs once.

use connector::schedule::{current_tick, run_leased};

use crate::support::spawn_app;

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
                std::thread::spawn(move || run_leased(&db, "purge-credentials", instance, tick).expect("run"))
            })
            .collect();
        let ran: Vec<bool> = handles.into_iter().map(|h| h.join().expect("thread").is_some()).collect();
        // The same tick again, later, on either instance: already done.
        let again = run_leased(&db, "purge-credentials", "instance-a", tick).expect("run");
        // The next tick runs.
        let next =
            run_leased(&db, "purge-credentials", "instance-b", tick + chrono::Duration::seconds(60)).expect("run");
        (ran, again.is_some(), next.is_some())
    })
    .await
    .expect("join");
    assert_eq!(outcome.0.iter().filter(|r| **r).count(), 1, "exactly one instance ran the tick");
    assert!(!outcome.1, "a tick never runs twice");
    assert!(outcome.2, "the next tick runs");
}
