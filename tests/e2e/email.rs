//! Email: notifications queue emails in the outbox; the sender delivers them
//! over real SMTP (a local test server on 127.0.0.1), retries through an
//! outage without losing any, and writes .eml files when no SMTP is set.

use chrono::{Duration, Utc};
use portal::mail::outbox::deliver_due;
use portal::mail::{ServerMode, TestSmtpServer, Transport};

use crate::ordering::place;
use crate::support::{spawn_app, TestApp, BUYER};

const FROM: &str = "Оптовик <noreply@optovik.local>";

async fn place_order(app: &TestApp) -> String {
    let token = app.token(BUYER.0, BUYER.1).await;
    let order = place(app, &token, &[("BLT-933-8X20", 50)]).await;
    order["number"].as_str().expect("number").to_string()
}

async fn outbox(app: &TestApp) -> Vec<(String, Option<chrono::NaiveDateTime>, i32)> {
    app.with_db(|conn| {
        use diesel::prelude::*;
        use portal::db::schema::email_outbox;
        Ok(email_outbox::table
            .order(email_outbox::id)
            .select((email_outbox::to_address, email_outbox::sent_at, email_outbox::attempts))
            .load(conn)?)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn order_emails_go_out_over_smtp() {
    let app = spawn_app().await;
    let server = TestSmtpServer::start(ServerMode::Accept).await.expect("smtp server");
    let number = place_order(&app).await;
    let queued = outbox(&app).await;
    let recipients: Vec<&str> = queued.iter().map(|q| q.0.as_str()).collect();
    assert_eq!(recipients, ["buyer@demo.example", "manager@demo.example"]);

    let url = server.url();
    let delivery = app
        .with_db(move |conn| {
            let transport = Transport::from_url(Some(&url), std::path::Path::new("/nonexistent")).expect("transport");
            deliver_due(conn, &transport, FROM, Utc::now().naive_utc())
        })
        .await;
    assert_eq!(delivery.sent, 2);
    let messages = server.messages();
    assert_eq!(messages.len(), 2);
    let subject = messages[0].subject().expect("subject");
    assert!(subject.contains(&number) && subject.contains("Заказ"), "{subject}");
    let body = messages[0].body_text();
    assert!(body.contains(&number));
    // Every placeholder filled: the link leads to the order's page.
    let id = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::orders;
            Ok(orders::table.filter(orders::number.eq(number)).select(orders::id).first::<i64>(conn)?)
        })
        .await;
    assert!(body.contains(&format!("http://127.0.0.1:8080/orders/{id}")), "{body}");
    assert!(!body.contains('{') && !body.contains('}'), "{body}");
    assert!(outbox(&app).await.iter().all(|q| q.1.is_some()), "marked sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_smtp_outage_loses_nothing() {
    let app = spawn_app().await;
    let server = TestSmtpServer::start(ServerMode::TempFail).await.expect("smtp server");
    place_order(&app).await;
    let url = server.url();
    let now = Utc::now().naive_utc();
    let (down, too_soon) = app
        .with_db(move |conn| {
            let transport = Transport::from_url(Some(&url), std::path::Path::new("/nonexistent")).expect("transport");
            let down = deliver_due(conn, &transport, FROM, now)?;
            let too_soon = deliver_due(conn, &transport, FROM, now + Duration::seconds(10))?;
            Ok((down, too_soon))
        })
        .await;
    assert_eq!((down.sent, down.retrying, down.failed), (0, 2, 0));
    assert_eq!(too_soon.retrying, 0, "backoff: not retried at once");
    assert!(outbox(&app).await.iter().all(|q| q.1.is_none() && q.2 == 1));

    // A closed port is an outage too.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let later = now + Duration::minutes(2);
    let refused = app
        .with_db(move |conn| {
            let url = format!("smtp://127.0.0.1:{closed}?tls=none");
            let transport = Transport::from_url(Some(&url), std::path::Path::new("/nonexistent")).expect("transport");
            deliver_due(conn, &transport, FROM, later)
        })
        .await;
    assert_eq!(refused.retrying, 2);

    server.set_mode(ServerMode::Accept);
    let url = server.url();
    let back = app
        .with_db(move |conn| {
            let transport = Transport::from_url(Some(&url), std::path::Path::new("/nonexistent")).expect("transport");
            deliver_due(conn, &transport, FROM, now + Duration::hours(1))
        })
        .await;
    assert_eq!(back.sent, 2, "every email went out once the server was back");
    assert_eq!(server.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_smtp_emails_are_written_as_files() {
    let app = spawn_app().await;
    place_order(&app).await;
    let dir = std::env::temp_dir().join(format!("optovik-mail-{}", rand::random::<u32>()));
    let target = dir.clone();
    let delivery = app
        .with_db(move |conn| {
            let transport = Transport::from_url(None, &target).expect("transport");
            deliver_due(conn, &transport, FROM, Utc::now().naive_utc())
        })
        .await;
    assert_eq!(delivery.sent, 2);
    let files: Vec<_> = std::fs::read_dir(&dir).expect("dir").filter_map(|e| e.ok()).collect();
    assert_eq!(files.len(), 2);
    let text = std::fs::read_to_string(files[0].path()).expect("eml");
    assert!(text.contains("Subject: =?utf-8?"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
