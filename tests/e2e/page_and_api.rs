//! The cabinet's pages and the API answer alike because both call the same
//! domain operation (`catalog::card`, `ordering::cart_edits`): each case is
//! checked from both sides.

use serde_json::json;

use crate::ordering::{current_cart, send};
use crate::support::{csrf_of, spawn_app, TestApp, BUYER};

/// Takes every offer of `sku`'s product off sale; returns the product's id.
async fn take_off_sale(app: &TestApp, sku: &'static str) -> i64 {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::offers;
        let product: i64 = offers::table.filter(offers::sku.eq(sku)).select(offers::product_id).first(conn)?;
        diesel::update(offers::table.filter(offers::product_id.eq(product)))
            .set(offers::active.eq(false))
            .execute(conn)?;
        Ok(product)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_product_without_offers_on_sale_is_not_found_on_page_and_api() {
    let app = spawn_app().await;
    let product = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::offers;
            Ok(offers::table.filter(offers::sku.eq("APT-1331N")).select(offers::product_id).first::<i64>(conn)?)
        })
        .await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = |id: i64| browser.get(app.url(&format!("/catalog/products/{id}"))).send();
    assert_eq!(page(product).await.expect("page").status(), 200, "on sale: the page shows it");
    assert_eq!(app.api_get(&token, &format!("/api/v1/catalog/products/{product}")).await.0, 200);

    assert_eq!(take_off_sale(&app, "APT-1331N").await, product);
    assert_eq!(page(product).await.expect("page").status(), 404, "the page");
    let (status, body) = app.api_get(&token, &format!("/api/v1/catalog/products/{product}")).await;
    assert_eq!(status, 404, "the API, like the page: {body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn saving_a_line_whose_offer_left_the_catalog_answers_its_verdict_on_page_and_api() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    let (status, added) = send(
        &app,
        &token,
        "POST",
        &format!("/api/v1/carts/{cart}/lines"),
        json!({"sku": "APT-1331N", "quantity": "2"}),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    let line = added["line_id"].as_i64().expect("line");
    take_off_sale(&app, "APT-1331N").await;

    // The API: the line's verdict, nothing changed.
    let (status, answer) =
        send(&app, &token, "PATCH", &format!("/api/v1/carts/{cart}/lines/{line}"), json!({"quantity": "5"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["verdict"], "inactive", "{answer}");

    // The page: the same verdict as the flash message, not a silent skip.
    let browser = app.login(BUYER.0, BUYER.1).await;
    let html =
        browser.get(app.url(&format!("/cart?id={cart}"))).send().await.expect("cart").text().await.expect("html");
    let form = [
        ("csrf", csrf_of(&html)),
        ("cart_id", cart.to_string()),
        ("action", "save".to_string()),
        (&format!("qty_{line}"), "7".to_string()),
    ];
    let saved = browser.post(app.url("/cart/update")).form(&form).send().await.expect("save");
    assert_eq!(saved.status(), 303);
    let page =
        browser.get(app.url(&format!("/cart?id={cart}"))).send().await.expect("cart").text().await.expect("html");
    let flash = page.split("class=\"flash\"").nth(1).expect("a flash message").split("</div>").next().unwrap_or("");
    assert!(flash.contains("APT-1331N"), "the flash names the line: {flash}");
    let quantity = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::cart_lines;
            Ok(cart_lines::table.find(line).select(cart_lines::quantity).first::<i64>(conn)?)
        })
        .await;
    assert_eq!(quantity, 2000, "neither side changed the line");

    // A line that is not in the cart: 404 on both sides.
    let missing = line + 10_000;
    let (status, _) =
        send(&app, &token, "PATCH", &format!("/api/v1/carts/{cart}/lines/{missing}"), json!({"quantity": "1"})).await;
    assert_eq!(status, 404);
    let form = [
        ("csrf", csrf_of(&html)),
        ("cart_id", cart.to_string()),
        ("action", "save".to_string()),
        (&format!("qty_{missing}"), "1".to_string()),
    ];
    let refused = browser.post(app.url("/cart/update")).form(&form).send().await.expect("save");
    assert_eq!(refused.status(), 404);
}
