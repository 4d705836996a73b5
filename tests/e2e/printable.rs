//! Printable documents: the order card (PDF) through the API and from the
//! order page, worded in the reader's language, for the order's own company
//! (another company's is 404).

use crate::ordering::place;
use crate::support::{spawn_app, TestApp, BUYER, BUYER2};

async fn card(app: &TestApp, token: &str, order: &serde_json::Value) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/orders/{}/card.pdf", order["id"])))
        .bearer_auth(token)
        .send()
        .await
        .expect("card");
    let status = response.status().as_u16();
    if status != 200 {
        return (status, String::new());
    }
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.expect("pdf");
    (status, portal::invoices::pdf_text::page_texts(&bytes).expect("text"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_order_card_holds_the_order_in_the_readers_language() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 150), ("GVZ-4028-40", 12)]).await;
    let number = order["number"].as_str().expect("number").to_string();

    let (status, text) = card(&app, &buyer, &order).await;
    assert_eq!(status, 200);
    assert!(text.contains(&format!("Заказ {number}")), "{text}");
    for line in order["lines"].as_array().expect("lines") {
        let sku = line["sku"].as_str().expect("sku");
        assert!(text.contains(sku), "{sku} in {text}");
    }
    assert!(text.contains("В резерве") && text.contains("История") && text.contains("Покупатель"), "{text}");

    let other = app.token(BUYER2.0, BUYER2.1).await;
    assert_eq!(card(&app, &other, &order).await.0, 404, "another company's order card");

    app.with_db(|conn| {
        use diesel::prelude::*;
        use portal::db::schema::users;
        Ok(diesel::update(users::table.filter(users::email.eq(BUYER.0))).set(users::locale.eq("en")).execute(conn)?)
    })
    .await;
    let (_, english) = card(&app, &buyer, &order).await;
    assert!(english.contains(&format!("Order {number}")) && english.contains("Reserved"), "{english}");

    // From the order page.
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = browser.get(app.url(&format!("/orders/{}", order["id"]))).send().await.expect("page");
    let page = page.text().await.expect("html");
    let link = format!("/orders/{}/card.pdf", order["id"]);
    assert!(page.contains(&link), "the order page links the card");
    let placed = text.lines().find_map(|l| l.strip_prefix("Оформлен | ")).expect("the placed time");
    assert!(page.contains(placed), "the card's time {placed} is the page's (the supplier's time zone)");
    let pdf = browser.get(app.url(&link)).send().await.expect("card page");
    assert_eq!((pdf.status().as_u16(), pdf.headers()["content-type"].to_str().ok()), (200, Some("application/pdf")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pick_list_splits_lines_over_warehouses_for_staff_only() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let (offer_id, ..) = crate::ordering::offer(&app, "BLT-933-8X20").await;
    // 100 in the first warehouse and 80 in the second: an order of 150 picks
    // 100 from the first and 50 from the second.
    let warehouses: Vec<String> = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::{offers, stock, warehouses};
            let ids: Vec<(i64, String)> = warehouses::table
                .order(warehouses::id)
                .select((warehouses::id, warehouses::name))
                .limit(2)
                .load(conn)?;
            diesel::delete(stock::table.filter(stock::offer_id.eq(offer_id))).execute(conn)?;
            for ((warehouse, _), quantity) in ids.iter().zip([100_000i64, 80_000]) {
                diesel::insert_into(stock::table)
                    .values((
                        stock::offer_id.eq(offer_id),
                        stock::warehouse_id.eq(warehouse),
                        stock::quantity.eq(quantity),
                    ))
                    .execute(conn)?;
            }
            diesel::update(offers::table.find(offer_id)).set(offers::stock_total.eq(180_000i64)).execute(conn)?;
            Ok(ids.into_iter().map(|(_, name)| name).collect())
        })
        .await;
    assert_eq!(warehouses.len(), 2, "the demo has two warehouses");
    let order = place(&app, &buyer, &[("BLT-933-8X20", 150)]).await;
    let path = format!("/api/v1/orders/{}/pick-list.pdf", order["id"]);

    let refused = reqwest::Client::new().get(app.url(&path)).bearer_auth(&buyer).send().await.expect("buyer");
    assert_eq!(refused.status(), 403, "a buyer gets no pick list");

    let admin = app.token(crate::finance::ADMIN.0, crate::finance::ADMIN.1).await;
    let response = reqwest::Client::new().get(app.url(&path)).bearer_auth(&admin).send().await.expect("admin");
    assert_eq!(response.status(), 200);
    let text = portal::invoices::pdf_text::page_texts(&response.bytes().await.expect("pdf")).expect("text");
    assert!(text.contains(order["number"].as_str().expect("number")), "{text}");
    let first = text.find(&warehouses[0]).expect("the first warehouse");
    let second = text.find(&warehouses[1]).expect("the second warehouse");
    assert!(first < second, "warehouses in order: {text}");
    assert!(text[first..second].contains("100") && text[second..].contains("50"), "100 + 50: {text}");
    assert!(text.contains("BLT-933-8X20"), "{text}");

    let missing = format!("/api/v1/orders/{}/pick-list.pdf", 999_999);
    let response = reqwest::Client::new().get(app.url(&missing)).bearer_auth(&admin).send().await.expect("missing");
    assert_eq!(response.status(), 404);
}
