//! The administrator's own status names per language: set through the API
//! or the admin page, shown on the order page and list, in the status email
//! and on the order card; unique per language; an empty name restores the
//! standard one. The state machine's statuses do not change.

use serde_json::json;

use crate::finance::ADMIN;
use crate::ordering::{place, send};
use crate::support::{spawn_app, TestApp, BUYER, MANAGER};

async fn emails_to(app: &TestApp, address: &'static str) -> Vec<(String, String)> {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::email_outbox;
        Ok(email_outbox::table
            .filter(email_outbox::to_address.eq(address))
            .order(email_outbox::id)
            .select((email_outbox::subject, email_outbox::body))
            .load(conn)?)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn renamed_statuses_show_on_the_order_page_and_in_the_email() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;

    let body = json!({"name_ru": "Собирается на складе", "name_en": "Being picked", "colour": "#7b1fa2"});
    let (status, renamed) = send(&app, &admin, "PUT", "/api/v1/admin/statuses/processing", body).await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(
        (renamed["name_ru"].as_str(), renamed["renamed_ru"].as_bool()),
        (Some("Собирается на складе"), Some(true))
    );
    let (status, all) = app.api_get(&buyer, "/api/v1/statuses").await;
    assert_eq!(status, 200);
    let processing =
        all.as_array().expect("statuses").iter().find(|s| s["status"] == "processing").expect("row").clone();
    assert_eq!(
        (processing["name"].as_str(), processing["colour"].as_str()),
        (Some("Собирается на складе"), Some("#7b1fa2"))
    );
    let new = all.as_array().expect("statuses").iter().find(|s| s["status"] == "new").expect("row").clone();
    assert_eq!(new["renamed_ru"], false, "the others keep the standard names");

    let order = place(&app, &buyer, &[("BLT-933-8X20", 10)]).await;
    let id = order["id"].as_i64().expect("id");
    let path = format!("/api/v1/orders/{id}/transitions");
    let (status, moved) = send(&app, &manager, "POST", &path, json!({"to": "processing"})).await;
    assert_eq!((status, moved["status"].as_str()), (200, Some("processing")), "the state machine's name is unchanged");

    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = browser.get(app.url(&format!("/orders/{id}"))).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("Собирается на складе"), "the order page shows the new name");
    assert!(page.contains(".status-processing{background:#7b1fa2"), "and its colour");
    let list = browser.get(app.url("/orders")).send().await.expect("list").text().await.expect("html");
    assert!(list.contains("Собирается на складе"), "the order list too");
    let mail = emails_to(&app, BUYER.0).await;
    let (subject, text) = mail.iter().rev().find(|(s, _)| s.contains("статус")).expect("a status email").clone();
    assert!(subject.contains("«Собирается на складе»") && text.contains("Собирается на складе"), "{subject}\n{text}");
    let card = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/orders/{id}/card.pdf")))
        .bearer_auth(&buyer)
        .send()
        .await
        .expect("card");
    let text = portal::invoices::pdf_text::page_texts(&card.bytes().await.expect("pdf")).expect("text");
    assert!(text.contains("Собирается на складе"), "the order card: {text}");

    // In English for an English reader.
    app.with_db(|conn| {
        use diesel::prelude::*;
        use portal::db::schema::users;
        Ok(diesel::update(users::table.filter(users::email.eq(BUYER.0))).set(users::locale.eq("en")).execute(conn)?)
    })
    .await;
    let page = browser.get(app.url(&format!("/orders/{id}"))).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("Being picked"), "the English name");

    // Names are unique per language; an empty name restores the standard one.
    let clash = json!({"name_ru": "собирается на складе"});
    let (status, refused) = send(&app, &admin, "PUT", "/api/v1/admin/statuses/reserved", clash).await;
    assert_eq!(status, 422, "{refused}");
    let (status, _) = send(&app, &admin, "PUT", "/api/v1/admin/statuses/nonsense", json!({"name_ru": "X"})).await;
    assert_eq!(status, 404);
    let (status, _) = send(&app, &admin, "PUT", "/api/v1/admin/statuses/new", json!({"colour": "red"})).await;
    assert_eq!(status, 422, "colours are #rgb or #rrggbb");
    let (status, _) = send(&app, &manager, "PUT", "/api/v1/admin/statuses/new", json!({"name_ru": "Y"})).await;
    assert_eq!(status, 403, "administrators only");
    let (status, restored) =
        send(&app, &admin, "PUT", "/api/v1/admin/statuses/processing", json!({"name_ru": "", "name_en": ""})).await;
    assert_eq!((status, restored["name_ru"].as_str()), (200, Some("В обработке")), "{restored}");
    assert_eq!(restored["colour"], "#7b1fa2", "an absent colour is kept");

    // From the admin page.
    let admin_browser = app.login(ADMIN.0, ADMIN.1).await;
    let page = admin_browser.get(app.url("/admin")).send().await.expect("admin").text().await.expect("html");
    let csrf = crate::support::csrf_of(&page);
    let saved = admin_browser
        .post(app.url("/admin/statuses/new"))
        .form(&[("csrf", csrf.as_str()), ("name_ru", "Принят"), ("name_en", ""), ("colour", "#0a0")])
        .send()
        .await
        .expect("save");
    assert!(saved.status().is_success() || saved.status().is_redirection(), "{}", saved.status());
    let (_, all) = app.api_get(&admin, "/api/v1/statuses").await;
    let new = all.as_array().expect("statuses").iter().find(|s| s["status"] == "new").expect("row").clone();
    assert_eq!(
        (new["name_ru"].as_str(), new["colour"].as_str(), new["renamed_en"].as_bool()),
        (Some("Принят"), Some("#0a0"), Some(false))
    );
}
