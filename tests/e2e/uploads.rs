//! Ordering by file over HTTP: every format in fixtures/uploads, the per-row
//! report, apply, the annotated copy, and the files that must be refused.

use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::ordering::current_cart;
use crate::support::{csrf_of, spawn_app, TestApp, BUYER, BUYER2};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/uploads/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

async fn upload(app: &TestApp, token: &str, cart: i64, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/carts/{cart}/upload")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn row(report: &Value, number: u64) -> Value {
    report["rows"].as_array().expect("rows").iter().find(|r| r["row"] == number).cloned().unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread")]
async fn spreadsheets_with_a_title_block_in_three_formats() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    for name in ["order-header-row3.xlsx", "order-header-row3.xls", "order-header-row3.ods"] {
        let (status, report) = upload(&app, &token, cart, name, fixture(name)).await;
        assert_eq!(status, 200, "{name}: {report}");
        assert_eq!(report["header_row"], 4, "{name}: header under the title block");
        let verdict = |n: u64| row(&report, n)["verdict"].as_str().unwrap_or("missing").to_string();
        assert_eq!(row(&report, 5)["sku"], "BLT-933-8X40", "{name}");
        assert!(row(&report, 5)["accepted"] == true, "{name}: quantity stored as text is read");
        assert_eq!(verdict(9), "merged", "{name}: the duplicate SKU is merged into row 5");
        assert_eq!(row(&report, 6)["sku"], "0020058", "{name}: leading zeros kept");
        assert!(row(&report, 6)["accepted"] == true, "{name}: {}", row(&report, 6));
        assert_eq!(verdict(10), "unknown", "{name}");
        assert_eq!(verdict(11), "unreadable", "{name}");
        assert_eq!(verdict(12), "non_positive", "{name}");
        assert!(row(&report, 13)["accepted"] == true, "{name}: 2,5 pieces is accepted after rounding");
        assert_ne!(verdict(13), "added", "{name}: and says it was adjusted");
        assert!(row(&report, 8).is_null(), "{name}: the empty row is skipped");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_in_both_encodings_and_without_a_header() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    for name in ["order-utf8-bom-semicolon.csv", "order-cp1251-comma.csv", "order-no-header.csv", "order-english.xlsx"]
    {
        let (status, report) = upload(&app, &token, cart, name, fixture(name)).await;
        assert_eq!(status, 200, "{name}: {report}");
        let rows = report["rows"].as_array().expect("rows");
        assert!(rows.len() >= 2, "{name}: {report}");
        let found = rows.iter().filter(|r| r["verdict"] != "unknown").count();
        assert_eq!(found, rows.len(), "{name}: every SKU resolves: {report}");
    }
    let (_, cp1251) = upload(&app, &token, cart, "order-cp1251-comma.csv", fixture("order-cp1251-comma.csv")).await;
    assert!(cp1251["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .all(|r| r["name"].as_str().is_some_and(|n| !n.contains('�'))));
    let (_, no_header) = upload(&app, &token, cart, "order-no-header.csv", fixture("order-no-header.csv")).await;
    assert!(no_header["header_row"].is_null());
    assert!(no_header["rows"].as_array().expect("rows").iter().any(|r| r["sku"] == "000259"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_files_get_a_clear_refusal() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    let mut huge = vec![b'a'; 11 * 1024 * 1024];
    huge[0] = b'S';
    for (name, bytes, words) in [
        ("not-really.xlsx", fixture("not-really.xlsx"), "расширени"),
        ("zip-bomb.xlsx", fixture("zip-bomb.xlsx"), "большой объём"),
        ("password-protected.xlsx", fixture("password-protected.xlsx"), "паролем"),
        ("big.csv", huge, "10 МиБ"),
        ("empty.csv", Vec::new(), "нет строк"),
        ("picture.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "не Excel"),
    ] {
        let (status, body) = upload(&app, &token, cart, name, bytes).await;
        assert_eq!(status, 422, "{name}: {body}");
        let message = body["error"].as_str().expect("message");
        assert!(message.contains(words), "{name}: {message}");
    }
    let (_, detail) = app.api_get(&token, &format!("/api/v1/carts/{cart}")).await;
    assert!(detail["lines"].as_array().expect("lines").is_empty(), "nothing reached the cart");
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_once_annotate_and_keep_uploads_private() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &token).await;
    let (_, report) = upload(&app, &token, cart, "sample-order.xlsx", fixture("sample-order.xlsx")).await;
    let id = report["upload_id"].as_str().expect("id").to_string();
    let accepted = report["rows"].as_array().expect("rows").iter().filter(|r| r["accepted"] == true).count();
    assert!(accepted >= 10, "{report}");
    assert_eq!(row(&report, 2)["sku"].as_str().map(|s| s.is_empty()), Some(false));
    let typo = report["rows"].as_array().expect("rows").iter().find(|r| r["sku"] == "BLT-933-8X4").expect("typo row");
    assert!(typo["suggestions"].as_array().expect("list").iter().any(|s| s == "BLT-933-8X40"), "{typo}");

    let other = app.token(BUYER2.0, BUYER2.1).await;
    let client = reqwest::Client::new();
    let apply =
        |t: &str| client.post(app.url(&format!("/api/v1/uploads/{id}/apply"))).bearer_auth(t.to_string()).send();
    assert_eq!(apply(&other).await.expect("apply").status(), 404, "another buyer cannot apply it");
    let first = apply(&token).await.expect("apply");
    assert_eq!(first.status(), 200);
    let applied: Value = first.json().await.expect("json");
    assert_eq!(applied["lines_added"].as_u64(), Some(accepted as u64));
    assert_eq!(apply(&token).await.expect("apply").status(), 409, "an upload is applied once");
    let (_, detail) = app.api_get(&token, &format!("/api/v1/carts/{cart}")).await;
    assert_eq!(detail["lines"].as_array().expect("lines").len(), accepted);

    let annotated = client
        .get(app.url(&format!("/api/v1/uploads/{id}/annotated.xlsx")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("annotated");
    assert_eq!(annotated.status(), 200);
    let bytes = annotated.bytes().await.expect("bytes").to_vec();
    let sheet = portal::ordering::upload::read_order_file("back.xlsx", &bytes, &Default::default()).expect("readable");
    let header = &sheet.rows[0];
    assert_eq!(header.last().map(String::as_str), Some("Проверка"));
    let typo_row = sheet.rows.iter().find(|r| r.first().map(String::as_str) == Some("BLT-933-8X4")).expect("row");
    assert!(typo_row.last().expect("cell").contains("не найден"));
    let other_annotated = client
        .get(app.url(&format!("/api/v1/uploads/{id}/annotated.xlsx")))
        .bearer_auth(&other)
        .send()
        .await
        .expect("annotated");
    assert_eq!(other_annotated.status(), 404);

    let template = client.get(app.url("/api/v1/uploads/template.xlsx")).bearer_auth(&token).send().await.expect("t");
    assert_eq!(template.status(), 200);
    let template =
        portal::ordering::upload::read_order_file("t.xlsx", &template.bytes().await.expect("b"), &Default::default())
            .expect("template reads");
    assert_eq!(template.rows[0][0], "Артикул");
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_through_the_pages() {
    let app = spawn_app().await;
    let client = app.login(BUYER.0, BUYER.1).await;
    let page = client.get(app.url("/upload")).send().await.expect("page").text().await.expect("body");
    let form = Form::new()
        .text("csrf", csrf_of(&page))
        .part("file", Part::bytes(fixture("sample-order.xlsx")).file_name("sample-order.xlsx"));
    let sent = client.post(app.url("/upload")).multipart(form).send().await.expect("upload");
    assert_eq!(sent.status(), 303);
    let location = sent.headers()["location"].to_str().expect("location").to_string();
    let report = client.get(app.url(&location)).send().await.expect("report").text().await.expect("body");
    assert!(report.contains("BLT-933-8X40"), "the suggestion is on the page");
    assert!(report.contains("tone-problem") && report.contains("tone-ok"));
    let applied = client
        .post(app.url(&format!("{location}/apply")))
        .form(&[("csrf", csrf_of(&report))])
        .send()
        .await
        .expect("apply");
    assert_eq!(applied.status(), 303);
    let cart = client.get(app.url("/cart")).send().await.expect("cart").text().await.expect("body");
    assert!(cart.contains("NUT-985-M10"));

    // A refused file comes back to the form with the reason next to the field.
    let form = Form::new()
        .text("csrf", csrf_of(&page))
        .part("file", Part::bytes(fixture("not-really.xlsx")).file_name("not-really.xlsx"));
    let refused = client.post(app.url("/upload")).multipart(form).send().await.expect("upload");
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("body").contains("field-error"));
}
