//! Back in stock, expected arrival and low-stock alerts: a buyer subscribes
//! to goods out of stock, a stock file raises the quantity and they are told
//! (cabinet and email) once; the expected date from the API and from a
//! stock list's column; a manager's watch alerts once per fall.

use serde_json::{json, Value};

use crate::ordering::{offer, send, set_stock};
use crate::support::{spawn_app, TestApp, BUYER, MANAGER};

const ADMIN: (&str, &str) = ("admin@demo.example", "demo-admin");

async fn product_of(app: &TestApp, token: &str, sku: &str) -> Value {
    let (_, found) = app.api_get(token, &format!("/api/v1/catalog/products?q={sku}")).await;
    let id = found["items"][0]["id"].as_i64().expect("listed");
    app.api_get(token, &format!("/api/v1/catalog/products/{id}")).await.1
}

async fn kinds(app: &TestApp, token: &str) -> Vec<String> {
    let (_, feed) = app.api_get(token, "/api/v1/notifications").await;
    feed["items"].as_array().expect("items").iter().map(|n| n["kind"].as_str().expect("kind").to_string()).collect()
}

/// Imports a stock list (CSV) through the admin's import API.
async fn stock_file(app: &TestApp, admin: &str, csv: &str) -> Value {
    let (status, run) = app.post_file(admin, "/api/v1/admin/imports", "stock.csv", csv.as_bytes().to_vec(), &[]).await;
    assert_eq!(status, 200, "{run}");
    run
}

#[tokio::test(flavor = "multi_thread")]
async fn back_in_stock_after_a_stock_file_and_the_expected_date() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let (offer_id, ..) = offer(&app, "NUT-934-M10").await;
    set_stock(&app, offer_id, 0).await;
    let product = product_of(&app, &buyer, "NUT-934-M10").await;
    let product_id = product["id"].as_i64().expect("id");

    // Out of stock: subscribe (every offer of the product that is out).
    let path = format!("/api/v1/catalog/products/{product_id}/subscription");
    let (status, body) = send(&app, &buyer, "POST", &path, json!({})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["offer_ids"], json!([offer_id]));
    assert_eq!(product_of(&app, &buyer, "NUT-934-M10").await["offers"][0]["subscribed"], true);
    // Something in stock: nothing to wait for.
    let (stocked, ..) = offer(&app, "BLT-933-8X40").await;
    set_stock(&app, stocked, 100_000).await;
    let in_stock = product_of(&app, &buyer, "BLT-933-8X40").await;
    let (status, _) =
        send(&app, &buyer, "POST", &format!("/api/v1/catalog/products/{}/subscription", in_stock["id"]), json!({}))
            .await;
    assert_eq!(status, 409);
    let (status, _) = send(&app, &buyer, "POST", "/api/v1/catalog/products/999999/subscription", json!({})).await;
    assert_eq!(status, 404);

    // The ERP says when it is expected: shown beside "none" on the catalog.
    let erp = app.token("erp@demo.example", "demo-erp").await;
    let (status, _) = send(
        &app,
        &erp,
        "PUT",
        &format!("/api/v1/admin/offers/{offer_id}/expected-arrival"),
        json!({"date": "2026-12-20"}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(product_of(&app, &buyer, "NUT-934-M10").await["offers"][0]["expected_at"], "2026-12-20");
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page =
        browser.get(app.url("/catalog?q=NUT-934-M10")).send().await.expect("catalog").text().await.expect("html");
    assert!(page.contains("ожидается 20.12.2026"), "{page}");
    assert!(!kinds(&app, &buyer).await.contains(&"back_in_stock".to_string()));

    // A stock file raises the quantity: the buyer is told, once, in the cabinet and by email.
    let run = stock_file(&app, &admin, "Артикул;Москва, основной склад\nNUT-934-M10;500\n").await;
    assert_eq!(run["status"], "success", "{run}");
    assert_eq!(kinds(&app, &buyer).await.iter().filter(|k| *k == "back_in_stock").count(), 1);
    let emails: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::email_outbox;
            Ok(email_outbox::table
                .filter(email_outbox::to_address.eq(BUYER.0))
                .filter(email_outbox::kind.eq("back_in_stock"))
                .count()
                .get_result(conn)?)
        })
        .await;
    assert_eq!(emails, 1);
    assert_eq!(
        product_of(&app, &buyer, "NUT-934-M10").await["offers"][0]["subscribed"],
        false,
        "the subscription ended"
    );
    let run = stock_file(&app, &admin, "Артикул;Москва, основной склад\nNUT-934-M10;600\n").await;
    assert_eq!(run["status"], "success");
    assert_eq!(kinds(&app, &buyer).await.iter().filter(|k| *k == "back_in_stock").count(), 1, "told once");

    // A stock list's "Ожидается" column sets the date (an unreadable one is a rejected cell).
    let (other, ..) = offer(&app, "NUT-934-M12").await;
    let run = stock_file(&app, &admin, "Артикул;Ожидается\nNUT-934-M12;25.12.2026\nNUT-934-M8;скоро\n").await;
    assert!(run["errors"].to_string().contains("скоро"), "{run}");
    let date: Option<chrono::NaiveDate> = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::offers;
            Ok(offers::table.find(other).select(offers::expected_at).first(conn)?)
        })
        .await;
    assert_eq!(date, chrono::NaiveDate::from_ymd_opt(2026, 12, 25));
}

async fn low_alerts(app: &TestApp, token: &str) -> usize {
    kinds(app, token).await.iter().filter(|k| *k == "low_stock").count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watched_offer_alerts_once_per_fall_below_its_threshold() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let (offer_id, ..) = offer(&app, "WSH-125-M8").await;
    let path = format!("/api/v1/admin/stock-watches/{offer_id}");
    let (status, watch) = send(&app, &manager, "PUT", &path, json!({"threshold": "1000"})).await;
    assert_eq!(status, 200, "{watch}");
    let (status, _) = send(&app, &manager, "PUT", &path, json!({"threshold": "lots"})).await;
    assert_eq!(status, 400, "not a number: the schema refuses it");
    let (status, _) = send(&app, &manager, "PUT", &path, json!({"threshold": "0"})).await;
    assert_eq!(status, 422, "a number, but not above zero");
    let buyer = app.token(BUYER.0, BUYER.1).await;
    assert_eq!(send(&app, &buyer, "PUT", &path, json!({"threshold": "5"})).await.0, 403, "staff only");

    let low = |n: i64| format!("Артикул;Москва, основной склад;Санкт-Петербург;Екатеринбург\nWSH-125-M8;{n};0;0\n");
    stock_file(&app, &admin, &low(5000)).await;
    assert_eq!(low_alerts(&app, &manager).await, 0);
    stock_file(&app, &admin, &low(10)).await;
    assert_eq!(low_alerts(&app, &manager).await, 1);
    stock_file(&app, &admin, &low(20)).await;
    assert_eq!(low_alerts(&app, &manager).await, 1, "still low: no second alert");
    stock_file(&app, &admin, &low(3000)).await;
    stock_file(&app, &admin, &low(5)).await;
    assert_eq!(low_alerts(&app, &manager).await, 2, "risen and fallen again: alerted again");
    let (_, list) = app.api_get(&manager, "/api/v1/admin/stock-watches").await;
    assert_eq!(list[0]["alerted"], true, "{list}");
    assert_eq!(send(&app, &manager, "DELETE", &path, json!({})).await.0, 204);
}
