//! Order channels: every channel a supplier uses gets every new and changed
//! order until that channel confirms it — the folder job taking an order
//! never hides it from 1C's query; the API's feed lists and acknowledges by
//! version; and hostile free text still makes well-formed CommerceML.

use connector::commerceml::{read_to_vec, Item};
use portal::journal::Trigger;
use serde_json::json;

use crate::ordering::{place, send};
use crate::support::{spawn_app, TestApp, BUYER, MANAGER};

const ERP: (&str, &str) = ("erp@demo.example", "demo-erp");

fn decode(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned()
}

/// An exchange session for 1C's sale exchange.
async fn sale_session(app: &TestApp) -> String {
    let response = reqwest::Client::new()
        .get(app.url("/exchange/1c?type=sale&mode=checkauth"))
        .basic_auth(ERP.0, Some(ERP.1))
        .send()
        .await
        .expect("checkauth");
    let text = decode(&response.bytes().await.expect("body"));
    text.lines().nth(2).expect("session").to_string()
}

async fn sale(app: &TestApp, session: &str, mode: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/exchange/1c?type=sale&mode={mode}")))
        .header("cookie", format!("optovik_exchange={session}"))
        .send()
        .await
        .expect("exchange");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("body").to_vec()
}

async fn run_folder_export(app: &TestApp, dir: &std::path::Path) -> String {
    let (db, dir) = (app.db.clone(), dir.to_path_buf());
    tokio::task::spawn_blocking(move || {
        connector::jobs::folder_exchange::export_in(&db, &dir, Trigger::Admin).expect("export")
    })
    .await
    .expect("join")
    .summary
}

fn outbox_text(dir: &std::path::Path) -> String {
    let mut text = String::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("outbox")) {
        for entry in entries.flatten() {
            text.push_str(&decode(&std::fs::read(entry.path()).expect("outbox file")));
        }
    }
    text
}

async fn journal_jobs(app: &TestApp) -> Vec<(String, String)> {
    app.with_db(|conn| {
        Ok(portal::journal::latest(conn, None, 50)?.into_iter().map(|r| (r.job, r.summary)).collect::<Vec<_>>())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_folder_job_never_hides_an_order_from_1c() {
    let app = spawn_app().await;
    app.with_db(|conn| portal::settings::set(conn, portal::ordering::channels::SETTING, "1c,folder")).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let number = order["number"].as_str().expect("number").to_string();

    // The folder job runs first (every 5 minutes by default) and takes it…
    let dir = std::env::temp_dir().join(format!("optovik-channels-{}", rand::random::<u32>()));
    assert_eq!(run_folder_export(&app, &dir).await, "1 orders written");
    assert!(outbox_text(&dir).contains(&format!("<Номер>{number}</Номер>")));
    // …and 1C's query still gets it.
    let session = sale_session(&app).await;
    let query = decode(&sale(&app, &session, "query").await);
    assert!(query.contains(&format!("<Номер>{number}</Номер>")), "1C must still receive the order: {query}");
    assert_eq!(decode(&sale(&app, &session, "success").await), "success");
    let again = decode(&sale(&app, &session, "query").await);
    assert!(!again.contains("<Документ>"), "taken by 1C, not sent to it again");
    assert_eq!(run_folder_export(&app, &dir).await, "0 orders written", "nor to the folder");

    // A change sends it again through both channels.
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let id = order["id"].as_i64().expect("id");
    let (status, _) =
        send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/transitions"), json!({"to": "processing"})).await;
    assert_eq!(status, 200);
    let changed = decode(&sale(&app, &session, "query").await);
    assert!(changed.contains(&format!("<Номер>{number}</Номер>")), "a changed order goes to 1C again");
    assert_eq!(run_folder_export(&app, &dir).await, "1 orders written", "and to the folder");

    // The order page and the journal say which channel took it and when.
    let client = app.login(MANAGER.0, MANAGER.1).await;
    let page = client.get(app.url(&format!("/orders/{id}"))).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("1С (обмен по HTTP)") && page.contains("Папка обмена"), "channels shown on the order page");
    let jobs = journal_jobs(&app).await;
    assert!(jobs.iter().any(|(job, summary)| job == "orders-1c" && summary.contains(&number)), "{jobs:?}");
    assert!(jobs.iter().any(|(job, summary)| job == "orders-folder" && summary.contains(&number)), "{jobs:?}");
    let folder = app.with_db(|conn| portal::journal::latest(conn, Some("orders-folder"), 10)).await;
    assert!(
        !folder.is_empty() && folder.iter().all(|run| run.triggered_by == portal::journal::Trigger::Admin),
        "a delivery carries the trigger of its run"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_folder_export_runs_only_where_the_folder_is_a_channel() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let dir = std::env::temp_dir().join(format!("optovik-channels-{}", rand::random::<u32>()));
    let summary = run_folder_export(&app, &dir).await;
    assert!(summary.contains("not an order channel"), "{summary}");
    assert!(outbox_text(&dir).is_empty(), "nothing written to a folder nobody reads");
    let session = sale_session(&app).await;
    let query = decode(&sale(&app, &session, "query").await);
    assert!(query.contains(order["number"].as_str().expect("number")));

    // An admin sets the channels on the settings page; unknown names are refused.
    let admin = app.login("admin@demo.example", "demo-admin").await;
    let page = admin.get(app.url("/admin")).send().await.expect("admin").text().await.expect("body");
    let csrf = crate::support::csrf_of(&page);
    let bad = admin
        .post(app.url("/admin/settings"))
        .form(&[("csrf", csrf.as_str()), ("order_channels", "1c,email")])
        .send()
        .await
        .expect("settings");
    assert_eq!(bad.status(), 303);
    let stored = app.with_db(|conn| portal::settings::get(conn, portal::ordering::channels::SETTING)).await;
    assert_eq!(stored, None, "an unknown channel is not saved");
    admin
        .post(app.url("/admin/settings"))
        .form(&[("csrf", csrf.as_str()), ("order_channels", "folder, 1c")])
        .send()
        .await
        .expect("settings");
    let stored = app.with_db(|conn| portal::settings::get(conn, portal::ordering::channels::SETTING)).await;
    assert_eq!(stored.as_deref(), Some("folder,1c"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_order_feed_lists_and_acknowledges_by_version() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let id = order["id"].as_i64().expect("id");
    let erp = app.token(ERP.0, ERP.1).await;
    assert_eq!(app.api_get(&buyer, "/api/v1/exchange/orders").await.0, 403, "buyers have no order feed");

    let (status, feed) = app.api_get(&erp, "/api/v1/exchange/orders").await;
    assert_eq!(status, 200);
    let listed = feed["orders"].as_array().expect("orders").iter().find(|o| o["id"] == id).expect("listed").clone();
    assert_eq!(listed["buyer"]["inn"], "7701234564");
    let placed_at = listed["placed_at"].as_str().expect("time");
    assert!(chrono::DateTime::parse_from_rfc3339(placed_at).is_ok(), "RFC 3339 with an offset: {placed_at}");
    assert_eq!(listed["lines"][0]["sku"], "BLT-933-8X20");
    let version = listed["version"].as_str().expect("version").to_string();

    // The order changes before the ERP acknowledges: the old version does not count.
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/transitions"), json!({"to": "processing"})).await;
    let (status, ack) =
        send(&app, &erp, "POST", "/api/v1/exchange/orders/ack", json!({"orders": [{"id": id, "version": version}]}))
            .await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack["not_acknowledged"], json!([id]));
    let (_, feed) = app.api_get(&erp, "/api/v1/exchange/orders").await;
    let relisted = feed["orders"].as_array().expect("orders").iter().find(|o| o["id"] == id).expect("still listed");
    assert_eq!(relisted["status"], "processing");
    let version = relisted["version"].as_str().expect("version").to_string();
    let (_, ack) =
        send(&app, &erp, "POST", "/api/v1/exchange/orders/ack", json!({"orders": [{"id": id, "version": version}]}))
            .await;
    assert_eq!(ack["acknowledged"], json!([id]));
    let (_, feed) = app.api_get(&erp, "/api/v1/exchange/orders").await;
    assert!(feed["orders"].as_array().expect("orders").iter().all(|o| o["id"] != id), "taken: {feed}");
    let (status, _) =
        send(&app, &erp, "POST", "/api/v1/exchange/orders/ack", json!({"orders": [{"id": id, "version": "soon"}]}))
            .await;
    assert_eq!(status, 400);

    // The API channel taking it does not hide it from 1C.
    let session = sale_session(&app).await;
    let query = decode(&sale(&app, &session, "query").await);
    assert!(query.contains(order["number"].as_str().expect("number")));
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_free_text_still_makes_well_formed_commerceml() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let cart = crate::ordering::current_cart(&app, &buyer).await;
    send(&app, &buyer, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": "BLT-933-8X20", "quantity": 50}))
        .await;
    let long_line = "Очень длинная строка ".repeat(45);
    let comment = format!("Позвонить\u{1} до 10:00 ]]> <b>&amp;</b> 😀 \u{b}\u{1f}{long_line}");
    let (status, order) = send(
        &app,
        &buyer,
        "POST",
        &format!("/api/v1/carts/{cart}/checkout"),
        json!({"delivery_address": "Склад \u{7}№3 ]]>", "po_number": "PO\u{0}-1 😀", "comment": comment}),
    )
    .await;
    assert_eq!(status, 201, "{order}");

    let session = sale_session(&app).await;
    let bytes = sale(&app, &session, "query").await;
    let (items, _) = read_to_vec(&bytes[..]).expect("1C's query parses");
    let document = items
        .into_iter()
        .find_map(|i| match i {
            Item::Document(d) if d.number.as_deref() == order["number"].as_str() => Some(d),
            _ => None,
        })
        .expect("the order is in the query");
    let expected = format!("Позвонить  до 10:00 ]]> <b>&amp;</b> 😀   {long_line}").trim().to_string();
    assert_eq!(document.comment.as_deref(), Some(expected.as_str()), "forbidden characters become spaces");
    assert_eq!(document.requisite("Адрес доставки"), Some("Склад  №3 ]]>"));
    assert_eq!(document.requisite("Номер заказа покупателя"), Some("PO -1 😀"));
    // Strict XML 1.0: no character references to forbidden characters either.
    let text = decode(&bytes);
    assert!(!text.contains("&#1;") && !text.contains("&#x1;") && !text.chars().any(|c| c == '\u{1}'));
}
