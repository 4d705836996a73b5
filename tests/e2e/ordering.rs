//! Carts, the rule engine over HTTP, quick order, checkout with reservations
//! and invoices, order scoping and reorder.

use serde_json::{json, Value};

use crate::support::{spawn_app, TestApp, BUYER, BUYER2};

/// Facts of a demo offer by SKU: (offer id, pack, min, available, wholesale price).
pub async fn offer(app: &TestApp, sku: &'static str) -> (i64, i64, i64, i64) {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::{offers, products};
        Ok(offers::table
            .inner_join(products::table)
            .filter(offers::sku.eq(sku))
            .select((offers::id, products::pack_multiple, products::min_order, offers::stock_total - offers::reserved))
            .first::<(i64, i64, i64, i64)>(conn)?)
    })
    .await
}

/// Sets an offer's total stock (thousandths) directly, for scenarios.
pub async fn set_stock(app: &TestApp, offer_id: i64, milli: i64) {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::{stock, warehouses};
        let warehouse: i64 = warehouses::table.select(warehouses::id).order(warehouses::id).first(conn)?;
        diesel::delete(stock::table.filter(stock::offer_id.eq(offer_id))).execute(conn)?;
        portal::catalog::write::set_stock(conn, portal::ids::OfferId(offer_id), warehouse, milli)?;
        Ok(())
    })
    .await
}

pub async fn send(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    let client = reqwest::Client::new();
    let request = match method {
        "POST" => client.post(app.url(path)),
        "PATCH" => client.patch(app.url(path)),
        "PUT" => client.put(app.url(path)),
        "DELETE" => client.delete(app.url(path)),
        _ => client.get(app.url(path)),
    };
    let response = request.bearer_auth(token).json(&body).send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub async fn current_cart(app: &TestApp, token: &str) -> i64 {
    let (status, carts) = app.api_get(token, "/api/v1/carts").await;
    assert_eq!(status, 200);
    carts.as_array().expect("carts").iter().find(|c| c["is_current"] == true).expect("current")["id"]
        .as_i64()
        .expect("id")
}

/// Places an order from the token's current cart with the given (sku,
/// quantity) lines; the order as the API returns it.
pub async fn place(app: &TestApp, token: &str, lines: &[(&str, i64)]) -> Value {
    let cart = current_cart(app, token).await;
    for (sku, quantity) in lines {
        let path = format!("/api/v1/carts/{cart}/lines");
        send(app, token, "POST", &path, json!({"sku": sku, "quantity": quantity})).await;
    }
    let path = format!("/api/v1/carts/{cart}/checkout");
    let (status, order) = send(app, token, "POST", &path, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 201, "{order}");
    order
}

async fn add(app: &TestApp, token: &str, cart: i64, sku: &str, quantity: Value) -> Value {
    let (status, body) =
        send(app, token, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": sku, "quantity": quantity}))
            .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn every_verdict_of_the_rule_engine_over_the_api() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    // BLT-933-8X20: pack 50, minimum 50.
    let (offer_id, pack, min, available) = offer(&app, "BLT-933-8X20").await;
    assert_eq!((pack, min), (50_000, 50_000));
    assert!(available > 0);

    let v = add(&app, &token, cart, "BLT-933-8X20", json!(100)).await;
    assert_eq!((v["verdict"].as_str(), v["quantity"].as_str()), (Some("added"), Some("100")));
    let line_id = v["line_id"].as_i64().expect("line");

    let v = add(&app, &token, cart, "blt-933-8x20", json!("20")).await;
    assert_eq!(v["verdict"], "rounded", "100 + 20 = 120 rounds to the pack: {v}");
    assert_eq!(v["quantity"], "150");
    assert!(v["message"].as_str().expect("message").contains("120 → 150"));

    let (_, v) =
        send(&app, &token, "PATCH", &format!("/api/v1/carts/{cart}/lines/{line_id}"), json!({"quantity": 10})).await;
    assert_eq!(v["verdict"], "below_minimum");
    assert_eq!(v["quantity"], "50");

    set_stock(&app, offer_id, 60_000).await;
    let (_, v) =
        send(&app, &token, "PATCH", &format!("/api/v1/carts/{cart}/lines/{line_id}"), json!({"quantity": "100"})).await;
    assert_eq!(v["verdict"], "backorder");
    assert!(v["message"].as_str().expect("message").contains("60"), "{v}");

    for (quantity, verdict) in [(json!("abc"), "unreadable"), (json!(-5), "non_positive"), (json!(0), "non_positive")] {
        let v = add(&app, &token, cart, "BLT-933-8X20", quantity.clone()).await;
        assert_eq!(v["verdict"], verdict, "{quantity}");
        assert_eq!(v["accepted"], false);
    }
    let v = add(&app, &token, cart, "NO-SUCH-SKU", json!(5)).await;
    assert_eq!(v["verdict"], "unknown");
    assert!(v["line_id"].is_null());

    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::offers;
        diesel::update(offers::table.filter(offers::sku.eq("BLT-933-8X30")))
            .set(offers::active.eq(false))
            .execute(conn)?;
        Ok(())
    })
    .await;
    let v = add(&app, &token, cart, "BLT-933-8X30", json!(50)).await;
    assert_eq!(v["verdict"], "inactive");

    // Fractional units: cable by the metre takes 2.5, pieces round to whole.
    let (_, cart_detail) = app.api_get(&token, &format!("/api/v1/carts/{cart}")).await;
    assert_eq!(cart_detail["lines"].as_array().expect("lines").len(), 1, "rejected lines never enter the cart");
}

#[tokio::test(flavor = "multi_thread")]
async fn quick_order_merges_duplicates_and_reports_every_line() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    // A block copied from Excel: header, tabs.
    let text = "Артикул\tКоличество\nBLT-933-8X20\t100\nBLT-933-8X20\t50\nBLT-933-8X3\t10\nBLT-933-10X20\t7\nBLT-933-10X30\tabc\n";
    let (status, report) =
        send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/quick-order"), json!({ "text": text })).await;
    assert_eq!(status, 200, "{report}");
    let rows = report["rows"].as_array().expect("rows");
    let verdict_of = |sku: &str| -> Vec<String> {
        rows.iter().filter(|r| r["sku"] == sku).map(|r| r["verdict"].as_str().expect("v").to_string()).collect()
    };
    assert_eq!(verdict_of("BLT-933-8X20"), ["added", "merged"]);
    let merged = rows.iter().find(|r| r["sku"] == "BLT-933-8X20").expect("row");
    assert_eq!(merged["accepted_quantity"], "150");
    assert_eq!(verdict_of("BLT-933-8X3"), ["unknown"]);
    let unknown = rows.iter().find(|r| r["sku"] == "BLT-933-8X3").expect("row");
    assert!(!unknown["suggestions"].as_array().expect("suggestions").is_empty(), "close SKUs are suggested");
    assert_eq!(verdict_of("BLT-933-10X20"), ["below_minimum"], "7 pieces raised to the minimum of 50");
    assert_eq!(verdict_of("BLT-933-10X30"), ["unreadable"]);
    assert_eq!(report["lines_added"], 2);
    let (_, detail) = app.api_get(&token, &format!("/api/v1/carts/{cart}")).await;
    let quantities: Vec<&str> =
        detail["lines"].as_array().expect("lines").iter().map(|l| l["quantity"].as_str().expect("q")).collect();
    assert_eq!(quantities, ["150", "50"]);

    // Typed lines with other separators add on top of what the cart holds.
    let (_, typed) = send(
        &app,
        &token,
        "POST",
        &format!("/api/v1/carts/{cart}/quick-order"),
        json!({ "text": "BLT-933-8X20;50\nblt-933-10x20 25" }),
    )
    .await;
    let verdicts: Vec<&str> =
        typed["rows"].as_array().expect("rows").iter().map(|r| r["verdict"].as_str().expect("v")).collect();
    assert_eq!(verdicts, ["added", "below_minimum"], "25 alone is raised to the minimum of 50");
    let (_, detail) = app.api_get(&token, &format!("/api/v1/carts/{cart}")).await;
    let quantities: Vec<&str> =
        detail["lines"].as_array().expect("lines").iter().map(|l| l["quantity"].as_str().expect("q")).collect();
    assert_eq!(quantities, ["200", "100"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn carts_are_private_and_several() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let other = app.token(BUYER2.0, BUYER2.1).await;
    current_cart(&app, &token).await; // the default cart
    let (status, created) = send(&app, &token, "POST", "/api/v1/carts", json!({"name": "Объект на Ленина"})).await;
    assert_eq!(status, 201);
    let cart = created["id"].as_i64().expect("id");
    assert_eq!(current_cart(&app, &token).await, cart, "a new cart becomes current");
    let (status, _) = app.api_get(&other, &format!("/api/v1/carts/{cart}")).await;
    assert_eq!(status, 404, "another user's cart does not exist for them");
    let (status, _) = send(
        &app,
        &other,
        "POST",
        &format!("/api/v1/carts/{cart}/lines"),
        json!({"sku": "BLT-933-8X20", "quantity": 50}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(&app, &other, "DELETE", &format!("/api/v1/carts/{cart}"), json!({})).await;
    assert_eq!(status, 404);
    let (status, carts) = app.api_get(&token, "/api/v1/carts").await;
    assert_eq!(status, 200);
    assert_eq!(carts.as_array().expect("carts").len(), 2);
}
