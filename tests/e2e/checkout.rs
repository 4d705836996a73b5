//! Checkout: exact totals, reservations (also under concurrent checkouts),
//! the invoice PDF, order scoping between companies, reorder, and the buyer's
//! journey through the pages.

use serde_json::{json, Value};

use crate::ordering::{current_cart, offer, send, set_stock};
use crate::support::{csrf_of, spawn_app, TestApp, BUYER, BUYER2};

fn checkout_body() -> Value {
    json!({"delivery_address": "г. Мытищи, склад 3", "po_number": "PO-77", "comment": "Позвонить за час"})
}

async fn wholesale_price(app: &TestApp, sku: &'static str) -> (i64, Option<i32>) {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::{offers, price_types, prices, products};
        Ok(prices::table
            .inner_join(offers::table.inner_join(products::table))
            .inner_join(price_types::table)
            .filter(offers::sku.eq(sku))
            .filter(price_types::external_id.eq("pt-wholesale"))
            .select((prices::price_minor, products::vat_rate))
            .first(conn)?)
    })
    .await
}

fn round_div(n: i128, d: i128) -> i64 {
    ((n + d / 2) / d) as i64
}

#[tokio::test(flavor = "multi_thread")]
async fn checkout_totals_vat_and_reservations_are_exact() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    // Pieces with 20 % VAT, nails by the kilo (fractional), a first-aid kit without VAT.
    let lines: [(&'static str, &str); 3] = [("BLT-933-8X20", "150"), ("GVZ-4028-40", "12.5"), ("APT-1331N", "3")];
    let (nails_id, ..) = offer(&app, "GVZ-4028-40").await;
    set_stock(&app, nails_id, 10_000).await; // 10 kg in stock, 12.5 asked
    let mut expected_total = 0i64;
    let mut expected_vat = 0i64;
    for (sku, qty) in lines {
        let (status, v) =
            send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": sku, "quantity": qty}))
                .await;
        assert_eq!(status, 200, "{v}");
        let quantity: i128 =
            (v["quantity"].as_str().expect("q").parse::<f64>().expect("number") * 1000.0).round() as i128;
        let (list, vat) = wholesale_price(&app, sku).await;
        // 3 % contract discount, half up to the kopeck; the price type includes VAT.
        let unit = round_div(i128::from(list) * 9_700, 10_000);
        let amount = round_div(i128::from(unit) * quantity, 1000);
        expected_total += amount;
        if let Some(rate) = vat.filter(|r| *r > 0) {
            expected_vat += round_div(i128::from(amount) * i128::from(rate), i128::from(100 + rate));
        }
    }
    let (status, order) = send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/checkout"), checkout_body()).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["total_minor"], expected_total);
    assert_eq!(order["vat_minor"], expected_vat);
    assert_eq!(order["status"], "new");
    assert!(order["reservation_deadline"].is_string());
    let nails = order["lines"].as_array().expect("lines").iter().find(|l| l["sku"] == "GVZ-4028-40").expect("nails");
    assert_eq!(
        (nails["quantity"].as_str(), nails["reserved"].as_str(), nails["backordered"].as_str()),
        (Some("12.5"), Some("10"), Some("2.5"))
    );
    let kit = order["lines"].as_array().expect("lines").iter().find(|l| l["sku"] == "APT-1331N").expect("kit");
    assert_eq!(kit["vat_minor"], 0);
    assert!(kit["vat_rate"].is_null());
    let (_, _, _, available) = offer(&app, "GVZ-4028-40").await;
    assert_eq!(available, 0, "the reserve is taken from what buyers can still get");
    assert_eq!(order["events"][0]["kind"], "placed");
    assert_eq!(order["invoices"].as_array().expect("invoices").len(), 1);

    let (_, detail) = app.api_get(&token, &format!("/api/v1/carts/{cart}")).await;
    assert!(detail["lines"].as_array().expect("lines").is_empty(), "the cart is emptied");
    let (status, body) = send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/checkout"), checkout_body()).await;
    assert_eq!(status, 422, "an empty cart cannot be ordered: {body}");
    let (status, _) =
        send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/checkout"), json!({"delivery_address": ""})).await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_checkouts_never_oversell() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let (offer_id, ..) = offer(&app, "BLT-933-10X20").await;
    set_stock(&app, offer_id, 120_000).await; // 120 pieces, pack 50: room for two full lines and a bit
    let mut carts = Vec::new();
    for i in 0..8 {
        let (_, created) = send(&app, &token, "POST", "/api/v1/carts", json!({"name": format!("Race {i}")})).await;
        let cart = created["id"].as_i64().expect("cart");
        send(
            &app,
            &token,
            "POST",
            &format!("/api/v1/carts/{cart}/lines"),
            json!({"sku": "BLT-933-10X20", "quantity": 50}),
        )
        .await;
        carts.push(cart);
    }
    let handles: Vec<_> = carts
        .into_iter()
        .map(|cart| {
            let (url, token) = (app.url(&format!("/api/v1/carts/{cart}/checkout")), token.clone());
            tokio::spawn(async move {
                let response = reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .json(&checkout_body())
                    .send()
                    .await
                    .expect("post");
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut reserved = 0.0;
    let mut backordered = 0.0;
    for handle in handles {
        let (status, order) = handle.await.expect("join");
        assert_eq!(status, 201, "every checkout succeeds, none fails with a 500: {order}");
        let line = &order["lines"][0];
        reserved += line["reserved"].as_str().expect("r").parse::<f64>().expect("n");
        backordered += line["backordered"].as_str().expect("b").parse::<f64>().expect("n");
    }
    assert_eq!(reserved, 120.0, "exactly the stock was reserved");
    assert_eq!(backordered, 8.0 * 50.0 - 120.0);
    let (_, _, _, available) = offer(&app, "BLT-933-10X20").await;
    assert_eq!(available, 0);
}

/// pdftotext (poppler-utils) reads the invoice back; installed here if missing.
fn pdf_text(pdf: &[u8]) -> String {
    let have = std::process::Command::new("pdftotext").arg("-v").output().is_ok();
    if !have {
        let status = std::process::Command::new("apt-get").args(["install", "-y", "-q", "poppler-utils"]).status();
        assert!(status.is_ok_and(|s| s.success()), "pdftotext is needed: apt-get install poppler-utils");
    }
    let dir = std::env::temp_dir().join(format!("optovik-pdf-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("invoice.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn invoice_pdf_has_the_number_totals_and_amount_in_words() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": "BLT-933-8X20", "quantity": 100}))
        .await;
    let (status, order) = send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/checkout"), checkout_body()).await;
    assert_eq!(status, 201);
    let id = order["id"].as_i64().expect("id");
    let number = order["invoices"][0]["number"].as_i64().expect("number");
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/orders/{id}/invoice.pdf")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("pdf");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.expect("bytes").to_vec();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(pdf.len() < 100_000, "a stored invoice stays small: {} bytes", pdf.len());
    let text = pdf_text(&pdf);
    let total = order["total_minor"].as_i64().expect("total");
    assert!(text.contains("Счёт на оплату"), "{text}");
    assert!(text.contains(&format!("№ {number}")), "{text}");
    let rubles = total / 100;
    let formatted = format!("{},{:02}", rubles, total % 100);
    assert!(text.replace(['\u{a0}', ' '], "").contains(&formatted), "total {formatted} in {text}");
    assert!(text.contains(&portal::invoices::words::rubles_in_words_ru(total)), "amount in words in {text}");
    assert!(text.contains("ООО «СтройМаркет»") && text.contains("7701234564"));
    assert!(text.contains("Всего наименований 1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn another_companys_order_is_not_found() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let other = app.token(BUYER2.0, BUYER2.1).await;
    let cart = current_cart(&app, &token).await;
    send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": "BLT-933-8X20", "quantity": 50}))
        .await;
    let (_, order) = send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/checkout"), checkout_body()).await;
    let id = order["id"].as_i64().expect("id");
    for path in [format!("/api/v1/orders/{id}"), format!("/api/v1/orders/{id}/invoice.pdf")] {
        assert_eq!(app.api_get(&other, &path).await.0, 404, "{path}");
        assert_eq!(app.api_get(&token, &path).await.0, 200, "{path}");
    }
    let (status, _) = send(&app, &other, "POST", &format!("/api/v1/orders/{id}/reorder"), json!({})).await;
    assert_eq!(status, 404);
    let (_, list) = app.api_get(&other, "/api/v1/orders").await;
    assert_eq!(list["total"], 0);
    let page = app.login(BUYER2.0, BUYER2.1).await;
    for path in [format!("/orders/{id}"), format!("/orders/{id}/invoice.pdf")] {
        assert_eq!(page.get(app.url(&path)).send().await.expect("page").status(), 404, "{path}");
    }
    // The assigned manager sees it; the other manager does not.
    let manager = app.token("manager@demo.example", "demo-manager").await;
    let manager2 = app.token("manager2@demo.example", "demo-manager").await;
    assert_eq!(app.api_get(&manager, &format!("/api/v1/orders/{id}")).await.0, 200);
    assert_eq!(app.api_get(&manager2, &format!("/api/v1/orders/{id}")).await.0, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn reorder_reports_what_changed() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    for sku in ["BLT-933-8X20", "BLT-933-8X30", "BLT-933-8X50"] {
        send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": sku, "quantity": 100})).await;
    }
    let (_, order) = send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/checkout"), checkout_body()).await;
    let id = order["id"].as_i64().expect("id");
    let (offer_50, ..) = offer(&app, "BLT-933-8X50").await;
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::{offers, prices};
        diesel::update(
            prices::table.filter(
                prices::offer_id.eq_any(offers::table.filter(offers::sku.eq("BLT-933-8X20")).select(offers::id)),
            ),
        )
        .set(prices::price_minor.eq(prices::price_minor + 100))
        .execute(conn)?;
        diesel::update(offers::table.filter(offers::sku.eq("BLT-933-8X30")))
            .set(offers::active.eq(false))
            .execute(conn)?;
        Ok(())
    })
    .await;
    set_stock(&app, offer_50, 0).await;
    let (status, result) = send(&app, &token, "POST", &format!("/api/v1/orders/{id}/reorder"), json!({})).await;
    assert_eq!(status, 200, "{result}");
    let row =
        |sku: &str| result["rows"].as_array().expect("rows").iter().find(|r| r["sku"] == sku).expect("row").clone();
    assert_eq!(row("BLT-933-8X20")["price_changed"], true);
    assert_eq!(row("BLT-933-8X20")["verdict"], "added");
    assert_eq!(row("BLT-933-8X30")["discontinued"], true);
    assert_eq!(row("BLT-933-8X50")["verdict"], "backorder");
    assert_eq!(result["lines_added"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn buyer_journey_through_the_pages() {
    let app = spawn_app().await;
    let client = app.login(BUYER.0, BUYER.1).await;
    let catalog =
        client.get(app.url("/catalog?q=BLT-933-8X20")).send().await.expect("catalog").text().await.expect("body");
    let (offer_id, ..) = offer(&app, "BLT-933-8X20").await;
    let added = client
        .post(app.url("/cart/add"))
        .form(&[
            ("csrf", csrf_of(&catalog)),
            ("offer_id", offer_id.to_string()),
            ("quantity", "120".into()),
            ("back", "/catalog".into()),
        ])
        .send()
        .await
        .expect("add");
    assert_eq!(added.status(), 303);
    let page = client.get(app.url("/cart")).send().await.expect("cart").text().await.expect("body");
    assert!(page.contains("BLT-933-8X20") && page.contains("150"), "rounded to the pack in the cart");
    let cart_id =
        page.split("name=\"cart_id\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("cart id").to_string();

    // A missing address comes back next to the form, the rest kept.
    let refused = client
        .post(app.url("/cart/checkout"))
        .form(&[
            ("csrf", csrf_of(&page)),
            ("cart_id", cart_id.clone()),
            ("delivery_address", " ".into()),
            ("po_number", "PO-9".into()),
        ])
        .send()
        .await
        .expect("checkout");
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.expect("body");
    assert!(body.contains("Укажите адрес доставки") && body.contains("PO-9"));

    let placed = client
        .post(app.url("/cart/checkout"))
        .form(&[("csrf", csrf_of(&page)), ("cart_id", cart_id), ("delivery_address", "Мытищи".into())])
        .send()
        .await
        .expect("checkout");
    assert_eq!(placed.status(), 303);
    let location = placed.headers()["location"].to_str().expect("location").to_string();
    let order_page = client.get(app.url(&location)).send().await.expect("order").text().await.expect("body");
    assert!(order_page.contains("BLT-933-8X20") && order_page.contains("invoice.pdf"));
    let pdf = client.get(app.url(&format!("{location}/invoice.pdf"))).send().await.expect("pdf");
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let orders = client.get(app.url("/orders")).send().await.expect("orders").text().await.expect("body");
    assert!(orders.contains(location.trim_start_matches("/orders/")));
}
