//! Commercial terms: customer groups and the assortment they restrict (a
//! hidden category does not exist for the group's buyers on any route), and
//! quantity price breaks applied as a cart line's quantity crosses them.

use serde_json::{json, Value};

use crate::finance::ADMIN;
use crate::ordering::{current_cart, offer, send};
use crate::support::{spawn_app, TestApp, BUYER, BUYER2};

/// The demo's hidden category and one product in it, as a buyer outside the
/// dealers' group sees them: (category id, product id, sku).
async fn ppe_product(app: &TestApp, token: &str) -> (i64, i64, String) {
    let (_, categories) = app.api_get(token, "/api/v1/catalog/categories").await;
    let ppe = categories
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["external_id"] == "ppe")
        .expect("the PPE category")["id"]
        .as_i64()
        .expect("id");
    let (status, page) = app.api_get(token, &format!("/api/v1/catalog/products?category={ppe}&per_page=1")).await;
    assert_eq!(status, 200, "{page}");
    let item = &page["items"][0];
    (ppe, item["id"].as_i64().expect("product"), item["sku"].as_str().expect("sku").to_string())
}

async fn add_line(app: &TestApp, token: &str, cart: i64, sku: &str, quantity: Value) -> Value {
    let (status, body) =
        send(app, token, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": sku, "quantity": quantity}))
            .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn dealers_group(app: &TestApp, admin: &str) -> Value {
    let (status, groups) = app.api_get(admin, "/api/v1/admin/customer-groups").await;
    assert_eq!(status, 200, "{groups}");
    groups.as_array().expect("groups").iter().find(|g| g["name"] == "Дилеры").expect("the dealers' group").clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hidden_category_does_not_exist_for_the_groups_buyers_on_any_route() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let (ppe, product, sku) = ppe_product(&app, &buyer).await;

    // The demo group holds the dealer's company and hides the category.
    let group = dealers_group(&app, &admin).await;
    let (_, me) = app.api_get(&dealer, "/api/v1/me").await;
    let dealer_company = me["company"]["id"].as_i64().or_else(|| me["company_id"].as_i64()).expect("company");
    assert_eq!(group["company_ids"], json!([dealer_company]), "{group}");
    let (_, rules) = app.api_get(&admin, &format!("/api/v1/admin/assortments?group_id={}", group["id"])).await;
    assert_eq!(rules[0]["effect"], "hide");
    assert_eq!(rules[0]["category_id"], ppe);

    // Catalog: the tree, the category, search, the product (API and page).
    let (_, categories) = app.api_get(&dealer, "/api/v1/catalog/categories").await;
    assert!(!categories.as_array().expect("list").iter().any(|c| c["id"] == ppe));
    let (status, _) = app.api_get(&dealer, &format!("/api/v1/catalog/products?category={ppe}")).await;
    assert_eq!(status, 404);
    let (_, found) = app.api_get(&dealer, &format!("/api/v1/catalog/products?q={sku}")).await;
    assert_eq!(found["total"], 0, "{found}");
    let (_, found) = app.api_get(&buyer, &format!("/api/v1/catalog/products?q={sku}")).await;
    assert_eq!(found["total"], 1, "another company still sees it: {found}");
    let (status, _) = app.api_get(&dealer, &format!("/api/v1/catalog/products/{product}")).await;
    assert_eq!(status, 404);
    let page = app.login(BUYER2.0, BUYER2.1).await;
    let response = page.get(app.url(&format!("/catalog/products/{product}"))).send().await.expect("page");
    assert_eq!(response.status(), 404);
    let catalog = page.get(app.url("/catalog")).send().await.expect("catalog").text().await.expect("html");
    assert!(!catalog.contains("Спецодежда и СИЗ"), "the tree hides the category");

    // Ordering: adding, quick order — "not available", not "unknown", and
    // nothing about the product is told.
    let cart = current_cart(&app, &dealer).await;
    let added = add_line(&app, &dealer, cart, &sku, json!(5)).await;
    assert_eq!(added["verdict"], "not_available", "{added}");
    assert_eq!(add_line(&app, &dealer, cart, "NO-SUCH-SKU", json!(5)).await["verdict"], "unknown");
    let (status, report) =
        send(&app, &dealer, "POST", &format!("/api/v1/carts/{cart}/quick-order"), json!({"text": format!("{sku} 5")}))
            .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rows"][0]["verdict"], "not_available", "{report}");
    assert!(report["rows"][0]["name"].is_null() && report["rows"][0]["offer_id"].is_null(), "{report}");
    let (_, cart_body) = app.api_get(&dealer, &format!("/api/v1/carts/{cart}")).await;
    assert_eq!(cart_body["lines"], json!([]), "nothing reached the cart");

    // Lifting the rule lets the dealer order it; hiding it again refuses
    // the checkout of a cart that holds it and marks it on reorder.
    let rule_id = rules[0]["id"].as_i64().expect("rule");
    let (status, _) = send(&app, &admin, "DELETE", &format!("/api/v1/admin/assortments/{rule_id}"), json!({})).await;
    assert_eq!(status, 204);
    assert_eq!(add_line(&app, &dealer, cart, &sku, json!(5)).await["accepted"], true);
    let (status, order) =
        send(&app, &dealer, "POST", &format!("/api/v1/carts/{cart}/checkout"), json!({"delivery_address": "Склад"}))
            .await;
    assert_eq!(status, 201, "{order}");
    let rule = json!({"group_id": group["id"], "effect": "hide", "category_id": ppe});
    let (status, created) = send(&app, &admin, "POST", "/api/v1/admin/assortments", rule).await;
    assert_eq!(status, 201, "{created}");
    let (status, reordered) =
        send(&app, &dealer, "POST", &format!("/api/v1/orders/{}/reorder", order["id"]), json!({})).await;
    assert_eq!(status, 200, "{reordered}");
    let text = reordered.to_string();
    assert!(text.contains("not_available"), "{text}");
    let cart = current_cart(&app, &dealer).await;
    let (_, cart_body) = app.api_get(&dealer, &format!("/api/v1/carts/{cart}")).await;
    assert!(!cart_body.to_string().contains(&sku), "the reorder did not add it: {cart_body}");

    // Leaving the group gives the catalog back.
    let body = json!({"name": "Дилеры", "company_ids": []});
    let (status, updated) =
        send(&app, &admin, "PUT", &format!("/api/v1/admin/customer-groups/{}", group["id"]), body).await;
    assert_eq!(status, 200, "{updated}");
    let (_, found) = app.api_get(&dealer, &format!("/api/v1/catalog/products?q={sku}")).await;
    assert_eq!(found["total"], 1, "{found}");
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_groups_and_rules_are_checked_and_for_administrators_only() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let (status, _) = send(&app, &buyer, "GET", "/api/v1/admin/customer-groups", json!({})).await;
    assert_eq!(status, 403);
    let post = |body: Value| send(&app, &admin, "POST", "/api/v1/admin/customer-groups", body);
    let (status, created) = post(json!({"name": "Розница", "colour": "#10B981"})).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["colour"], "#10b981");
    assert_eq!(post(json!({"name": "Розница"})).await.0, 409);
    // What the schema rules out is refused before the domain sees it (400).
    assert_eq!(post(json!({"name": "Опт", "colour": "green"})).await.0, 400);
    assert_eq!(post(json!({"name": "  "})).await.0, 400);
    assert_eq!(post(json!({"name": "Опт", "company_ids": [999_999]})).await.0, 422);
    let rule = |body: Value| send(&app, &admin, "POST", "/api/v1/admin/assortments", body);
    let id = created["id"].as_i64().expect("id");
    assert_eq!(rule(json!({"group_id": id, "company_id": 1, "effect": "hide", "product_id": 1})).await.0, 422);
    assert_eq!(rule(json!({"group_id": id, "effect": "hide"})).await.0, 422);
    assert_eq!(rule(json!({"group_id": id, "effect": "hide", "category_id": 999_999})).await.0, 422);
    let (status, _) = send(&app, &admin, "DELETE", &format!("/api/v1/admin/customer-groups/{id}"), json!({})).await;
    assert_eq!(status, 204);
    let (status, _) = send(&app, &admin, "DELETE", &format!("/api/v1/admin/customer-groups/{id}"), json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_break_applies_as_the_quantity_crosses_it() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let sku = portal::demo::terms::BREAK_SKU;
    let (offer_id, pack, _, _) = offer(&app, sku).await;
    let step = pack.max(1000) / 1000;
    crate::ordering::set_stock(&app, offer_id, 10_000_000).await;

    // The catalog shows the break at the buyer's own price.
    let (_, found) = app.api_get(&buyer, &format!("/api/v1/catalog/products?q={sku}")).await;
    let price = &found["items"][0]["price"];
    assert_eq!(price["breaks"][0]["min_quantity"], "1000", "{found}");
    let list_unit = price["amount_minor"].as_i64().expect("price");
    let break_unit = price["breaks"][0]["amount_minor"].as_i64().expect("break price");
    assert!(break_unit < list_unit, "{price}");
    let page = app.login(BUYER.0, BUYER.1).await;
    let listed =
        page.get(app.url(&format!("/catalog?q={sku}"))).send().await.expect("catalog").text().await.expect("b");
    let shown = format!("от 1\u{a0}000 шт: {}", portal::money::Money(break_unit).format("ru"));
    assert!(listed.contains(&shown), "the catalog row shows the break at the buyer's price: {shown}");

    // Below the break the list price; at it the break's, said so.
    let cart = current_cart(&app, &buyer).await;
    add_line(&app, &buyer, cart, sku, json!(1000 - step)).await;
    let line = |body: &Value| body["lines"][0].clone();
    let (_, body) = app.api_get(&buyer, &format!("/api/v1/carts/{cart}")).await;
    assert_eq!(line(&body)["unit_price_minor"], list_unit, "{body}");
    assert!(!line(&body)["adjustments"].to_string().contains("price_break"));
    let line_id = line(&body)["id"].as_i64().expect("line");
    let path = format!("/api/v1/carts/{cart}/lines/{line_id}");
    let (status, _) = send(&app, &buyer, "PATCH", &path, json!({"quantity": 1000})).await;
    assert_eq!(status, 200);
    let (_, body) = app.api_get(&buyer, &format!("/api/v1/carts/{cart}")).await;
    let crossed = line(&body);
    assert_eq!(crossed["unit_price_minor"], break_unit, "{body}");
    assert_eq!(crossed["amount_minor"], break_unit * 1000);
    let adjustments = crossed["adjustments"].as_array().expect("adjustments");
    let price_break = adjustments.iter().find(|a| a["source"] == "price_break").expect("the break is named");
    assert_eq!(price_break["from_quantity"], "1000");
    let explained: i64 = adjustments.iter().map(|a| a["amount_minor"].as_i64().expect("amount")).sum();
    assert!(
        price_break["amount_minor"].as_i64().expect("amount") < 0
            && explained <= price_break["amount_minor"].as_i64().expect("amount"),
        "the break lowers the amount, the contract's discount (if any) on top: {adjustments:?}"
    );

    // The order keeps the price and where it came from.
    let (status, order) =
        send(&app, &buyer, "POST", &format!("/api/v1/carts/{cart}/checkout"), json!({"delivery_address": "Склад"}))
            .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["lines"][0]["price_minor"], break_unit, "{order}");
    assert!(order["lines"][0]["adjustments"].to_string().contains("price_break"), "{order}");

    // The administrator changes the breaks; bad ones are refused.
    let (_, got) =
        app.api_get(&admin, &format!("/api/v1/admin/price-breaks?offer_id={offer_id}&price_type_id=1")).await;
    assert_eq!(got["offer_id"], offer_id);
    let put = |breaks: Value| {
        send(
            &app,
            &admin,
            "PUT",
            "/api/v1/admin/price-breaks",
            json!({"offer_id": offer_id, "price_type_id": 1, "breaks": breaks}),
        )
    };
    assert_eq!(put(json!([{"min_quantity": "0", "price_minor": 1}])).await.0, 422);
    assert_eq!(put(json!([{"min_quantity": "abc", "price_minor": 1}])).await.0, 422);
    let (status, saved) =
        put(json!([{"min_quantity": "50", "price_minor": 100}, {"min_quantity": "10", "price_minor": 200}])).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["breaks"][0]["min_quantity"], "10", "kept in ascending order: {saved}");
    assert_eq!(send(&app, &buyer, "PUT", "/api/v1/admin/price-breaks", json!({})).await.0, 403);
}

pub async fn checkout(app: &TestApp, token: &str, cart: i64, body: Value) -> (u16, Value) {
    send(app, token, "POST", &format!("/api/v1/carts/{cart}/checkout"), body).await
}

#[tokio::test(flavor = "multi_thread")]
async fn delivery_by_weight_and_payment_methods_at_checkout_on_the_invoice_and_to_1c() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let (_, payments) = app.api_get(&buyer, "/api/v1/payment-methods").await;
    let payment_id = |code: &str| {
        payments.as_array().expect("payments").iter().find(|p| p["code"] == code).expect(code)["id"]
            .as_i64()
            .expect("id")
    };
    let (invoice, cash) = (payment_id("invoice"), payment_id("cash"));

    let cart = current_cart(&app, &buyer).await;
    add_line(&app, &buyer, cart, "BLT-933-8X20", json!(100)).await;
    let (offer_id, _, _, _) = offer(&app, "BLT-933-8X20").await;
    let unit_grams = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::{offers, products};
            Ok(offers::table
                .inner_join(products::table)
                .filter(offers::id.eq(offer_id))
                .select(products::weight_grams.assume_not_null())
                .first::<i64>(conn)?)
        })
        .await;
    let (status, quotes) = app.api_get(&buyer, &format!("/api/v1/delivery-methods?cart_id={cart}")).await;
    assert_eq!(status, 200, "{quotes}");
    let quote = |code: &str| quotes.as_array().expect("quotes").iter().find(|q| q["code"] == code).expect(code).clone();
    let (pickup, own) = (quote("pickup"), quote("own"));
    assert_eq!(pickup["cost_minor"], 0);
    assert_eq!(own["weight_grams"], unit_grams * 100, "{own}");
    let kilograms = (unit_grams * 100 + 999) / 1000;
    assert_eq!(own["cost_minor"], 120_000 + 1_500 * kilograms, "fixed part plus each started kilogram: {own}");
    assert_eq!(own["payment_method_ids"], json!([invoice]));
    assert!(pickup["payment_method_ids"].as_array().expect("ids").contains(&json!(cash)));
    let (status, _) = app.api_get(&buyer, "/api/v1/delivery-methods?cart_id=999999").await;
    assert_eq!(status, 404);

    // Cash is not taken with own delivery; a date before the earliest is refused.
    let (status, refused) = checkout(
        &app,
        &buyer,
        cart,
        json!({"delivery_address": "Склад", "delivery_method_id": own["id"], "payment_method_id": cash}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    let today = own["earliest_date"].as_str().expect("date");
    let (status, _) = checkout(
        &app,
        &buyer,
        cart,
        json!({"delivery_address": "Склад", "delivery_method_id": own["id"], "desired_date": pickup["earliest_date"]}),
    )
    .await;
    assert!(pickup["earliest_date"].as_str() < Some(today));
    assert_eq!(status, 422);
    let (status, _) =
        checkout(&app, &buyer, cart, json!({"delivery_address": "Склад", "delivery_method_id": 999_999})).await;
    assert_eq!(status, 422);
    let (_, still) = app.api_get(&buyer, &format!("/api/v1/carts/{cart}")).await;
    assert_eq!(still["lines"].as_array().expect("lines").len(), 1, "refusals place nothing");

    // Own delivery by invoice: the cost is in the total, on the invoice and
    // in the order 1C takes, as a service.
    let goods = still["total_minor"].as_i64().expect("total");
    let (status, order) = checkout(
        &app,
        &buyer,
        cart,
        json!({"delivery_address": "Склад", "delivery_method_id": own["id"], "payment_method_id": invoice}),
    )
    .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["delivery_minor"], own["cost_minor"]);
    assert_eq!(order["total_minor"], goods + own["cost_minor"].as_i64().expect("cost"));
    assert_eq!(order["payment_method_id"], invoice);
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/orders/{}/invoice.pdf", order["id"])))
        .bearer_auth(&buyer)
        .send()
        .await
        .expect("invoice");
    assert_eq!(response.status(), 200);
    let text = portal::invoices::pdf_text::page_texts(&response.bytes().await.expect("pdf")).expect("text");
    assert!(text.contains("Доставка: Доставка нашим транспортом"), "{text}");
    let sale = crate::exchange::checkauth(&app, "sale", "erp@demo.example", "demo-erp").await;
    let cookie = sale.lines().nth(2).expect("cookie").to_string();
    let xml = crate::exchange::call(&app, "type=sale&mode=query", Some(&cookie), Vec::new()).await;
    assert!(xml.contains("<Ид>delivery-own</Ид>"), "{xml}");
    assert!(xml.contains("<Значение>Услуга</Значение>"), "{xml}");
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_filter_orders_by_customer_group_and_see_its_colour() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let mut numbers = Vec::new();
    for token in [&buyer, &dealer] {
        let cart = current_cart(&app, token).await;
        add_line(&app, token, cart, "BLT-933-8X20", json!(100)).await;
        let (status, order) = checkout(&app, token, cart, json!({"delivery_address": "Склад"})).await;
        assert_eq!(status, 201, "{order}");
        numbers.push(order["number"].as_str().expect("number").to_string());
    }
    let group = dealers_group(&app, &admin).await;
    let (status, listed) = app.api_get(&admin, &format!("/api/v1/orders?group_id={}", group["id"])).await;
    assert_eq!(status, 200, "{listed}");
    let listed: Vec<&str> =
        listed["items"].as_array().expect("items").iter().map(|o| o["number"].as_str().expect("n")).collect();
    assert!(listed.contains(&numbers[1].as_str()) && !listed.contains(&numbers[0].as_str()), "{listed:?}");

    let page_of = |path: String| {
        let app = &app;
        async move {
            let client = app.login(ADMIN.0, ADMIN.1).await;
            client.get(app.url(&path)).send().await.expect("page").text().await.expect("body")
        }
    };
    let page = page_of(format!("/orders?group={}", group["id"])).await;
    assert!(page.contains(&numbers[1]) && !page.contains(&numbers[0]), "only the dealers' orders");
    assert!(page.contains("--chip: #d97706") && page.contains(">Дилеры</a>"), "the group's colour beside the company");
    let everyone = page_of("/orders".into()).await;
    assert!(everyone.contains(&numbers[0]) && everyone.contains(&numbers[1]));
}
