//! The catalog over HTTP: contract prices per company, search ranking,
//! pagination bounds, stock display modes, bad input.

use portal::catalog::write::{set_price, set_stock, upsert_offer, upsert_product, OfferData, ProductData};
use portal::db::DbConn;
use serde_json::Value;

use crate::support::{spawn_app, TestApp, BUYER, BUYER2, MANAGER};

/// Adds a product with one offer priced 100.00 in every price type.
fn add_product(conn: &mut DbConn, sku: &str, name: &str, stock: i64) -> portal::Result<i64> {
    use diesel::prelude::*;
    use portal::db::schema::{price_types, warehouses};
    let (product_id, _) = upsert_product(
        conn,
        &ProductData {
            external_id: format!("test-{sku}"),
            category_id: None,
            sku: sku.into(),
            name: name.into(),
            description: String::new(),
            unit: "шт".into(),
            fractional: false,
            vat_rate: Some(20),
            properties: "[]".into(),
            pack_multiple: 1000,
            min_order: 1000,
            active: true,
            weight_grams: None,
        },
    )?;
    let (offer_id, _) = upsert_offer(
        conn,
        &OfferData {
            external_id: format!("test-{sku}"),
            product_id,
            sku: sku.into(),
            name: name.into(),
            characteristics: String::new(),
            barcode: None,
            active: true,
        },
    )?;
    for pt in price_types::table.select(price_types::id).load::<i64>(conn)? {
        set_price(conn, offer_id, pt, 10_000)?;
    }
    let warehouse = warehouses::table.select(warehouses::id).first::<i64>(conn)?;
    set_stock(conn, offer_id, warehouse, stock)?;
    portal::catalog::write::catalog_changed(conn)?;
    Ok(product_id)
}

async fn products(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = app.api_get(token, &format!("/api/v1/catalog/products?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn skus(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|i| i["sku"].as_str().expect("sku").to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_company_sees_its_own_contract_price() {
    let app = spawn_app().await;
    let sku = "BLT-933-8X40";
    let (wholesale, dealer): (i64, i64) = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::{offers, price_types, prices};
            let price = |conn: &mut DbConn, pt: &str| -> portal::Result<i64> {
                Ok(prices::table
                    .inner_join(offers::table)
                    .inner_join(price_types::table)
                    .filter(offers::sku.eq(sku))
                    .filter(price_types::external_id.eq(pt))
                    .select(prices::price_minor)
                    .first(conn)?)
            };
            Ok((price(conn, "pt-wholesale")?, price(conn, "pt-dealer")?))
        })
        .await;
    assert_ne!(wholesale, dealer);

    let buyer = app.token(BUYER.0, BUYER.1).await;
    let buyer2 = app.token(BUYER2.0, BUYER2.1).await;
    let seen_by_buyer = products(&app, &buyer, &format!("q={sku}")).await;
    let seen_by_buyer2 = products(&app, &buyer2, &format!("q={sku}")).await;
    let first = |v: &Value| v["items"][0]["price"]["amount_minor"].as_i64().expect("price");
    // Company A: wholesale price type, 3 % contract discount (half-up to the kopeck).
    assert_eq!(first(&seen_by_buyer), (wholesale * 9_700 + 5_000) / 10_000);
    // Company B: dealer price type, no discount.
    assert_eq!(first(&seen_by_buyer2), dealer);
    assert_ne!(first(&seen_by_buyer), first(&seen_by_buyer2));

    // The page shows the same figure to A, and never B's.
    let client = app.login(BUYER.0, BUYER.1).await;
    let html =
        client.get(app.url(&format!("/catalog?q={sku}"))).send().await.expect("page").text().await.expect("body");
    let format = |minor: i64| format!("{},{:02}", minor / 100, minor % 100);
    assert!(html.contains(&format(first(&seen_by_buyer))), "A's price on A's page");
    assert!(!html.contains(&format(dealer)), "B's contract price never reaches A");
    assert!(html.contains("ОПТ-2026"), "the contract is named");
}

#[tokio::test(flavor = "multi_thread")]
async fn exact_sku_comes_first_then_word_prefixes() {
    let app = spawn_app().await;
    app.with_db(|conn| {
        add_product(conn, "ZX-100", "Ящик инструментальный", 5_000)?;
        add_product(conn, "AB-7", "Адаптер для ZX-100 угловой", 5_000)?;
        add_product(conn, "ZX-1000", "Ящик большой", 5_000)?;
        Ok(())
    })
    .await;
    let token = app.token(BUYER.0, BUYER.1).await;

    // By name "Адаптер…" and "Ящик большой" would come first; the exact SKU wins.
    let page = products(&app, &token, "q=zx-100").await;
    let found = skus(&page);
    assert_eq!(found[0], "ZX-100", "{found:?}");
    assert!(found.contains(&"AB-7".to_string()), "word match in the name");
    assert!(found.contains(&"ZX-1000".to_string()), "prefix match on the SKU");
    assert_eq!(page["total"], 3);

    // The exact match leads even when sorting by price.
    let page = products(&app, &token, "q=ZX-100&sort=price_desc").await;
    assert_eq!(skus(&page)[0], "ZX-100");

    // A barcode is an exact match too.
    let barcode: String = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::offers;
            Ok(offers::table
                .filter(offers::sku.eq("BLT-933-8X40"))
                .select(offers::barcode)
                .first::<Option<String>>(conn)?
                .expect("barcode"))
        })
        .await;
    let page = products(&app, &token, &format!("q={barcode}")).await;
    assert_eq!(skus(&page)[0], "BLT-933-8X40");
}

#[tokio::test(flavor = "multi_thread")]
async fn cyrillic_search_ignores_case() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let lower = products(&app, &token, "q=болт м8&per_page=200").await;
    let upper = products(&app, &token, "q=БОЛТ М8&per_page=200").await;
    assert!(lower["total"].as_i64().expect("total") > 0);
    assert_eq!(lower["total"], upper["total"]);
    let names: Vec<&str> =
        lower["items"].as_array().expect("items").iter().map(|i| i["name"].as_str().expect("name")).collect();
    assert!(names.contains(&"Болт DIN 933 М8х40 оцинкованный"), "{names:?}");
    for name in &names {
        let lowered = name.to_lowercase();
        assert!(lowered.contains("болт") && lowered.contains("м8"), "{name} does not match");
    }
    // "ё" and "е" are the same letter to search.
    let film = products(&app, &token, "q=пленка").await;
    let film_yo = products(&app, &token, "q=плёнка").await;
    assert_eq!(film["total"], film_yo["total"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn pagination_has_bounds() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let first = products(&app, &token, "per_page=20&page=1&sort=sku").await;
    let second = products(&app, &token, "per_page=20&page=2&sort=sku").await;
    let total = first["total"].as_i64().expect("total");
    assert!(total > 700, "demo catalog has hundreds of offers");
    assert_eq!(first["items"].as_array().expect("items").len(), 20);
    assert_eq!(first["pages"].as_i64(), Some((total + 19) / 20));
    let (a, b) = (skus(&first), skus(&second));
    assert!(a.iter().all(|s| !b.contains(s)), "pages do not overlap");
    assert!(a.last() < b.first(), "sorted by SKU across pages");

    let beyond = products(&app, &token, "per_page=20&page=10000").await;
    assert_eq!(beyond["items"].as_array().expect("items").len(), 0);
    assert_eq!(beyond["total"], total);

    for bad in ["per_page=100000", "per_page=0", "page=0", "page=abc", "in_stock=maybe", "sort=random", "category=x"] {
        let (status, body) = app.api_get(&token, &format!("/api/v1/catalog/products?{bad}")).await;
        assert_eq!(status, 400, "{bad} → {body}");
        assert!(body["error"].is_string(), "{bad}: a JSON error body");
    }
    let (status, _) = app.api_get(&token, "/api/v1/catalog/products?category=999999").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn in_stock_and_category_filters() {
    let app = spawn_app().await;
    app.with_db(|conn| add_product(conn, "EMPTY-1", "Товар без остатка", 0).map(|_| ())).await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let all = products(&app, &token, "q=EMPTY-1").await;
    assert_eq!(all["total"], 1);
    let in_stock = products(&app, &token, "q=EMPTY-1&in_stock=true").await;
    assert_eq!(in_stock["total"], 0);

    let (_, categories) = app.api_get(&token, "/api/v1/catalog/categories").await;
    let categories = categories.as_array().expect("categories");
    let root = categories.iter().find(|c| c["parent_id"].is_null()).expect("a root");
    let child = categories.iter().find(|c| c["parent_id"] == root["id"]).expect("a child");
    let in_root = products(&app, &token, &format!("category={}", root["id"])).await;
    let in_child = products(&app, &token, &format!("category={}", child["id"])).await;
    assert!(in_root["total"].as_i64() > in_child["total"].as_i64(), "a category includes its subcategories");
    assert!(in_child["total"].as_i64() > Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn stock_display_modes() {
    let app = spawn_app().await;
    app.with_db(|conn| {
        add_product(conn, "STOCK-BIG", "Много", 500_000)?;
        add_product(conn, "STOCK-FEW", "Мало", 3_000)?;
        add_product(conn, "STOCK-NONE", "Нет", 0)?;
        Ok(())
    })
    .await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let availability = |page: &Value| -> Vec<(String, String, Value)> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["sku"].as_str().expect("sku").to_string(),
                    i["availability"]["kind"].as_str().expect("kind").to_string(),
                    i["availability"]["quantity"].clone(),
                )
            })
            .collect()
    };
    let exact = availability(&products(&app, &token, "q=stock&sort=sku").await);
    assert_eq!(exact[0], ("STOCK-BIG".into(), "exact".into(), Value::from("500")));
    assert_eq!(exact[2], ("STOCK-NONE".into(), "exact".into(), Value::from("0")));

    app.with_db(|conn| portal::settings::set_stock_display(conn, "levels")).await;
    let levels = availability(&products(&app, &token, "q=stock&sort=sku").await);
    let kinds: Vec<&str> = levels.iter().map(|l| l.1.as_str()).collect();
    assert_eq!(kinds, ["in_stock", "few", "none"]);
    assert!(levels.iter().all(|l| l.2.is_null()), "no quantities in levels mode");

    app.with_db(|conn| portal::settings::set_stock_display(conn, "hidden")).await;
    let hidden = availability(&products(&app, &token, "q=stock&sort=sku").await);
    assert!(hidden.iter().all(|l| l.1 == "hidden" && l.2.is_null()));
    let client = app.login(BUYER.0, BUYER.1).await;
    let html = client.get(app.url("/catalog?q=stock")).send().await.expect("page").text().await.expect("body");
    assert!(!html.contains("500 шт") && !html.contains("stock-ok"), "hidden stock leaks nothing");

    app.with_db(|conn| portal::settings::set_stock_display(conn, "levels")).await;
    let html = client.get(app.url("/catalog?q=stock")).send().await.expect("page").text().await.expect("body");
    assert!(html.contains("Мало") || html.contains("Few left"));
}

#[tokio::test(flavor = "multi_thread")]
async fn product_page_and_api_with_variants() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let product_id: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::offers;
            Ok(offers::table.filter(offers::external_id.like("%#%")).select(offers::product_id).first(conn)?)
        })
        .await;
    let (status, product) = app.api_get(&token, &format!("/api/v1/catalog/products/{product_id}")).await;
    assert_eq!(status, 200);
    let offers = product["offers"].as_array().expect("offers");
    assert!(offers.len() > 1, "a product with variants");
    assert!(offers.iter().all(|o| o["external_id"].as_str().expect("id").contains('#')));

    let client = app.login(BUYER.0, BUYER.1).await;
    let page = client.get(app.url(&format!("/catalog/products/{product_id}"))).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    assert!(html.contains(offers[1]["sku"].as_str().expect("sku")));

    for (path, status) in [
        ("/api/v1/catalog/products/99999999", 404),
        ("/api/v1/catalog/products/abc", 400),
        ("/api/v1/catalog/products/-1", 404),
    ] {
        assert_eq!(app.api_get(&token, path).await.0, status, "{path}");
    }
    for path in ["/catalog/products/99999999", "/catalog/products/abc", "/no-such-page"] {
        let response = client.get(app.url(path)).send().await.expect("page");
        assert_eq!(response.status(), 404, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn html_is_escaped_and_languages_switch() {
    let app = spawn_app().await;
    app.with_db(|conn| add_product(conn, "XSS-1", "<script>alert(1)</script> Болт", 1_000).map(|_| ())).await;
    let client = app.login(MANAGER.0, MANAGER.1).await;
    let html = client.get(app.url("/catalog?q=xss-1")).send().await.expect("page").text().await.expect("body");
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"));
    assert!(html.contains("Каталог"), "Russian by default");

    let csrf = crate::support::csrf_of(&html);
    let switched = client
        .post(app.url("/language"))
        .form(&[("lang", "en"), ("csrf", csrf.as_str()), ("back", "/catalog")])
        .send()
        .await
        .expect("switch");
    assert_eq!(switched.status(), 303);
    let html = client.get(app.url("/catalog")).send().await.expect("page").text().await.expect("body");
    assert!(html.contains("Price incl. VAT") && html.contains("Log out"));
    assert!(!html.contains("Цена с НДС"));
}

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_the_database() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/health")).await.expect("health");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], app.db.backend().name());
}
