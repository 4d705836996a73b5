//! The buyer's own item codes: set through the API (all or nothing), used
//! by quick order, upload and search, kept per company, learned from an
//! upload's suggestion, shown on the order.

use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::ordering::{current_cart, send};
use crate::support::{csrf_of, spawn_app, BUYER, BUYER2};

#[tokio::test(flavor = "multi_thread")]
async fn own_codes_work_in_quick_order_upload_and_search() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;

    // A list with an unknown SKU changes nothing and says which row.
    let refused = json!({"codes": [{"code": "НАШ-001", "sku": "BLT-933-8X40"}, {"code": "X", "sku": "NO-SUCH-SKU"}]});
    let (status, body) = send(&app, &token, "PUT", "/api/v1/customer-codes", refused).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["problems"][0]["row"], 2, "{body}");
    let (_, codes) = app.api_get(&token, "/api/v1/customer-codes").await;
    assert_eq!(codes, json!([]), "nothing was saved");

    let list = json!({"codes": [{"code": "НАШ-001", "sku": "BLT-933-8X40"}, {"code": "7001", "sku": "nut-934-m10"}]});
    let (status, codes) = send(&app, &token, "PUT", "/api/v1/customer-codes", list).await;
    assert_eq!(status, 200, "{codes}");
    let skus: Vec<&str> = codes.as_array().expect("codes").iter().map(|c| c["sku"].as_str().expect("sku")).collect();
    assert_eq!(skus, ["NUT-934-M10", "BLT-933-8X40"], "sorted by code; SKUs found case-insensitively");

    // Quick order by our codes (case and spaces as typed).
    let cart = current_cart(&app, &token).await;
    let (status, report) = send(
        &app,
        &token,
        "POST",
        &format!("/api/v1/carts/{cart}/quick-order"),
        json!({"text": "наш-001 100\n7001 200"}),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let rows = report["rows"].as_array().expect("rows");
    assert!(rows.iter().all(|r| r["accepted"] == true), "{report}");
    assert_eq!(rows[0]["supplier_sku"], "BLT-933-8X40", "both codes shown");

    // An uploaded file with our code; the annotated copy names the supplier's SKU.
    let csv = "Артикул;Количество\nНАШ-001;50\n".as_bytes().to_vec();
    let (status, upload) = app.post_file(&token, &format!("/api/v1/carts/{cart}/upload"), "order.csv", csv, &[]).await;
    assert_eq!(status, 200, "{upload}");
    assert_eq!(upload["rows"][0]["accepted"], true, "{upload}");

    // Search by our code finds the offer first.
    let (_, found) = app.api_get(&token, "/api/v1/catalog/products?q=НАШ-001").await;
    assert_eq!(found["items"][0]["sku"], "BLT-933-8X40", "{found}");

    // Another company does not have our codes.
    let other = app.token(BUYER2.0, BUYER2.1).await;
    let their_cart = current_cart(&app, &other).await;
    let (_, theirs) =
        send(&app, &other, "POST", &format!("/api/v1/carts/{their_cart}/quick-order"), json!({"text": "НАШ-001 100"}))
            .await;
    assert_eq!(theirs["rows"][0]["verdict"], "unknown", "{theirs}");
    let (_, their_codes) = app.api_get(&other, "/api/v1/customer-codes").await;
    assert_eq!(their_codes, json!([]));
    let staff = app.token("manager@demo.example", "demo-manager").await;
    assert_eq!(app.api_get(&staff, "/api/v1/customer-codes").await.0, 403);

    // The order shows both codes.
    let (status, order) =
        send(&app, &token, "POST", &format!("/api/v1/carts/{cart}/checkout"), json!({"delivery_address": "Склад"}))
            .await;
    assert_eq!(status, 201, "{order}");
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = browser
        .get(app.url(&format!("/orders/{}", order["id"])))
        .send()
        .await
        .expect("order")
        .text()
        .await
        .expect("html");
    assert!(page.contains("BLT-933-8X40") && page.contains("ваш код НАШ-001"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_is_learned_from_an_upload_suggestion_and_kept_on_the_codes_page() {
    let app = spawn_app().await;
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = browser.get(app.url("/upload")).send().await.expect("page").text().await.expect("html");
    // "BLT9338X40" is the buyer's way of writing BLT-933-8X40: unknown, with a suggestion.
    let csv = "Артикул;Количество\nBLT9338X40;100\n".as_bytes().to_vec();
    let form = Form::new().text("csrf", csrf_of(&page)).part("file", Part::bytes(csv).file_name("order.csv"));
    let sent = browser.post(app.url("/upload")).multipart(form).send().await.expect("upload");
    let location = sent.headers()["location"].to_str().expect("location").to_string();
    let report = browser.get(app.url(&location)).send().await.expect("report").text().await.expect("html");
    assert!(report.contains("tone-problem") && report.contains(r#"name="code" value="BLT9338X40""#), "{report}");
    let learned = browser
        .post(app.url(&format!("{location}/learn")))
        .form(&[("csrf", csrf_of(&report).as_str()), ("code", "BLT9338X40"), ("sku", "BLT-933-8X40")])
        .send()
        .await
        .expect("learn");
    assert_eq!(learned.status(), 303);
    let again = browser.get(app.url(&location)).send().await.expect("report").text().await.expect("html");
    assert!(!again.contains("tone-problem") && again.contains("→ BLT-933-8X40"), "{again}");

    // Kept on the codes page; removed there.
    let codes = browser.get(app.url("/codes")).send().await.expect("codes").text().await.expect("html");
    assert!(codes.contains("BLT9338X40") && codes.contains("BLT-933-8X40"), "{codes}");
    let removed = browser
        .post(app.url("/codes"))
        .form(&[("csrf", csrf_of(&codes).as_str()), ("action", "remove"), ("code", "BLT9338X40")])
        .send()
        .await
        .expect("remove");
    assert_eq!(removed.status(), 303);
    let token = app.token(BUYER.0, BUYER.1).await;
    assert_eq!(app.api_get(&token, "/api/v1/customer-codes").await.1, json!([]));

    // A sheet of codes (header row, an unknown SKU): refused whole, with the row.
    let codes = browser.get(app.url("/codes")).send().await.expect("codes").text().await.expect("html");
    let sheet = "Наш код;Артикул поставщика\nA1;BLT-933-8X40\nA2;NOPE\n".as_bytes().to_vec();
    let form = Form::new().text("csrf", csrf_of(&codes)).part("file", Part::bytes(sheet).file_name("codes.csv"));
    let refused = browser.post(app.url("/codes/import")).multipart(form).send().await.expect("import");
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("html").contains("NOPE"));
    assert_eq!(app.api_get(&token, "/api/v1/customer-codes").await.1, json!([]), "all or nothing");
    let sheet = "Наш код;Артикул поставщика\nA1;BLT-933-8X40\nA2;NUT-934-M10\n".as_bytes().to_vec();
    let form = Form::new().text("csrf", csrf_of(&codes)).part("file", Part::bytes(sheet).file_name("codes.csv"));
    let taken = browser.post(app.url("/codes/import")).multipart(form).send().await.expect("import");
    assert_eq!(taken.status(), 303);
    let (_, list) = app.api_get(&token, "/api/v1/customer-codes").await;
    assert_eq!(list.as_array().expect("codes").len(), 2, "{list}");
}
