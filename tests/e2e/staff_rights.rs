//! Rights of the supplier's staff: an administrator grants or takes a
//! manager's rights (cancel orders, manual discounts up to a limit, extend
//! reservations, record payments); a manager without one is refused (403) in
//! the API and not offered the form on the order page; with it, the order's
//! history names who used which right. Managing users is an administrator's
//! right, never taken from oneself.

use serde_json::{json, Value};

use crate::finance::ADMIN;
use crate::ordering::{place, send};
use crate::support::{spawn_app, TestApp, BUYER, MANAGER};

async fn user_id(app: &TestApp, admin: &str, email: &str) -> i64 {
    let (status, users) = app.api_get(admin, "/api/v1/admin/users").await;
    assert_eq!(status, 200, "{users}");
    let user = users.as_array().expect("users").iter().find(|u| u["email"] == email).expect("user").clone();
    user["id"].as_i64().expect("id")
}

async fn set_rights(app: &TestApp, admin: &str, user: i64, body: Value) -> (u16, Value) {
    send(app, admin, "PUT", &format!("/api/v1/admin/users/{user}/rights"), body).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_cancels_only_with_the_right_and_the_history_names_it() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let manager_id = user_id(&app, &admin, MANAGER.0).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100)]).await;
    let id = order["id"].as_i64().expect("id");
    let cancel = json!({"to": "cancelled", "comment": "клиент передумал"});

    // Without the right: refused in the API, not offered on the page.
    let (status, changed) = set_rights(
        &app,
        &admin,
        manager_id,
        json!({"rights": ["manual_discounts", "extend_reservations", "record_payments"]}),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["rights"], json!(["manual_discounts", "extend_reservations", "record_payments"]));
    let (status, refused) =
        send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/transitions"), cancel.clone()).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(app.api_get(&manager, &format!("/api/v1/orders/{id}")).await.1["status"], "new", "nothing moved");
    let browser = app.login(MANAGER.0, MANAGER.1).await;
    let page = browser.get(app.url(&format!("/orders/{id}"))).send().await.expect("page").text().await.expect("html");
    assert!(!page.contains(r#"name="to" value="cancelled""#), "no cancel button without the right");
    assert!(page.contains(r#"name="to" value="processing""#), "the other moves stay");

    // Given the right: the cancellation goes through and the history says who used it.
    let all = json!({"rights": ["cancel_orders", "manual_discounts", "extend_reservations", "record_payments"]});
    assert_eq!(set_rights(&app, &admin, manager_id, all).await.0, 200);
    let page = browser.get(app.url(&format!("/orders/{id}"))).send().await.expect("page").text().await.expect("html");
    assert!(page.contains(r#"name="to" value="cancelled""#), "the cancel button with the right");
    let (status, cancelled) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/transitions"), cancel).await;
    assert_eq!((status, cancelled["status"].as_str()), (200, Some("cancelled")), "{cancelled}");
    let (_, events) = app.api_get(&manager, &format!("/api/v1/orders/{id}/events")).await;
    let event =
        events.as_array().expect("events").iter().find(|e| e["to_status"] == "cancelled").expect("event").clone();
    assert_eq!(event["right_used"], "cancel_orders", "{event}");
    assert_eq!(event["actor"], "manager");
    assert!(event["actor_name"].as_str().is_some_and(|n| !n.is_empty()), "{event}");
    let page = browser.get(app.url(&format!("/orders/{id}"))).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("право: Отмена заказов"), "the page's history names the right");

    // A buyer still cancels their own new order by the state machine, no right needed.
    let own = place(&app, &buyer, &[("BLT-933-8X20", 10)]).await;
    let path = format!("/api/v1/orders/{}/transitions", own["id"]);
    let (status, moved) = send(&app, &buyer, "POST", &path, json!({"to": "cancelled"})).await;
    assert_eq!((status, moved["status"].as_str()), (200, Some("cancelled")), "{moved}");
}

#[tokio::test(flavor = "multi_thread")]
async fn payments_extensions_and_discounts_need_their_rights_and_the_givers_own_limit() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let manager_id = user_id(&app, &admin, MANAGER.0).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100)]).await;
    let id = order["id"].as_i64().expect("id");
    let line = order["lines"][0]["id"].as_i64().expect("line");
    let payment = json!({"amount_minor": 10_000, "date": "2026-12-01", "document_number": "ПП-1"});
    let extend = json!({"deadline": "2030-01-01T10:00:00Z"});
    let discount_path = format!("/api/v1/orders/{id}/lines/{line}/discount");

    let (status, _) = set_rights(&app, &admin, manager_id, json!({"rights": ["cancel_orders"]})).await;
    assert_eq!(status, 200);
    for (path, body) in [
        (format!("/api/v1/orders/{id}/payments"), payment.clone()),
        (format!("/api/v1/orders/{id}/reservation"), extend.clone()),
        (discount_path.clone(), json!({"percent_bp": 100})),
    ] {
        let (status, body) = send(&app, &manager, "POST", &path, body).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let browser = app.login(MANAGER.0, MANAGER.1).await;
    let page = browser.get(app.url(&format!("/orders/{id}"))).send().await.expect("page").text().await.expect("html");
    for form in ["payment", "extend"] {
        assert!(!page.contains(&format!("/orders/{id}/{form}\"")), "no {form} form without the right");
    }
    assert!(!page.contains(&format!("/lines/{line}/discount")), "no discount form without the right");

    // Given them, with an own discount limit of 2 % (the setting says 5 %).
    let rights =
        json!({"rights": ["manual_discounts", "extend_reservations", "record_payments"], "discount_limit_bp": 200});
    let (status, changed) = set_rights(&app, &admin, manager_id, rights).await;
    assert_eq!((status, changed["discount_limit_bp"].as_i64()), (200, Some(200)), "{changed}");
    let (status, paid) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/payments"), payment).await;
    assert_eq!((status, paid["paid_minor"].as_i64()), (200, Some(10_000)), "{paid}");
    let (status, _) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/reservation"), extend).await;
    assert_eq!(status, 200);
    let (status, _) = send(&app, &manager, "POST", &discount_path, json!({"percent_bp": 300})).await;
    assert_eq!(status, 403, "3 % is over the manager's own 2 %");
    let (status, _) = send(&app, &manager, "POST", &discount_path, json!({"percent_bp": 200})).await;
    assert_eq!(status, 200);
    let (_, events) = app.api_get(&admin, &format!("/api/v1/orders/{id}/events")).await;
    let used: Vec<(&str, &str)> = events
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| Some((e["kind"].as_str()?, e["right_used"].as_str()?)))
        .collect();
    assert_eq!(
        used,
        vec![
            ("payment", "record_payments"),
            ("deadline_extended", "extend_reservations"),
            ("manual_discount", "manual_discounts")
        ],
        "{events}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn managing_users_is_an_administrators_right_and_never_taken_from_oneself() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let manager_id = user_id(&app, &admin, MANAGER.0).await;
    let admin_id = user_id(&app, &admin, ADMIN.0).await;
    let buyer_id = user_id(&app, &admin, BUYER.0).await;

    let (status, users) = app.api_get(&admin, "/api/v1/admin/users").await;
    assert_eq!(status, 200);
    let me = users.as_array().expect("users").iter().find(|u| u["id"] == admin_id).expect("admin").clone();
    assert!(me["rights"].as_array().expect("rights").contains(&json!("manage_users")), "{me}");

    let (status, body) = set_rights(&app, &admin, manager_id, json!({"rights": ["manage_users"]})).await;
    assert_eq!(status, 422, "a manager cannot be given managing users: {body}");
    let (status, body) = set_rights(&app, &admin, admin_id, json!({"rights": ["cancel_orders"]})).await;
    assert_eq!(status, 422, "not from yourself: {body}");
    let (status, _) = set_rights(&app, &admin, buyer_id, json!({"rights": ["cancel_orders"]})).await;
    assert_eq!(status, 422, "buyers hold no rights");
    let (status, _) = set_rights(&app, &admin, 999_999, json!({"rights": []})).await;
    assert_eq!(status, 404);
    let (status, _) = set_rights(&app, &admin, manager_id, json!({"rights": [], "discount_limit_bp": 20_000})).await;
    assert_eq!(status, 400, "the limit is at most 100 %");
    let (status, _) = set_rights(&app, &manager, manager_id, json!({"rights": ["cancel_orders"]})).await;
    assert_eq!(status, 403, "a manager manages no users");

    // A second administrator without the right: no users section, no invitations, no API.
    let (status, invited) = send(
        &app,
        &admin,
        "POST",
        "/api/v1/admin/users",
        json!({"email": "second-admin@demo.example", "name": "Второй", "role": "admin"}),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    assert!(invited["rights"].as_array().expect("rights").contains(&json!("manage_users")), "an admin's defaults");
    let second = invited["id"].as_i64().expect("id");
    let (status, _) = set_rights(&app, &admin, second, json!({"rights": ["cancel_orders"]})).await;
    assert_eq!(status, 200);
    let hash = portal::accounts::password::hash("second-password").expect("hash");
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::users;
        Ok(diesel::update(users::table.find(second)).set(users::password_hash.eq(hash)).execute(conn)?)
    })
    .await;
    let second_token = app.token("second-admin@demo.example", "second-password").await;
    assert_eq!(app.api_get(&second_token, "/api/v1/admin/users").await.0, 403);
    assert_eq!(app.api_get(&second_token, "/api/v1/admin/settings").await.0, 200, "still an administrator");
    let browser = app.login("second-admin@demo.example", "second-password").await;
    let page = browser.get(app.url("/admin")).send().await.expect("admin").text().await.expect("html");
    assert!(!page.contains("/admin/users/invite"), "no users section");
    let csrf = crate::support::csrf_of(&page);
    let refused = browser
        .post(app.url("/admin/users/invite"))
        .form(&[("csrf", csrf.as_str()), ("email", "x@demo.example"), ("name", "X"), ("role", "buyer")])
        .send()
        .await
        .expect("invite");
    assert_eq!(refused.status().as_u16(), 403);

    // The first administrator sets rights from the page: checkboxes and a limit.
    let browser = app.login(ADMIN.0, ADMIN.1).await;
    let page = browser.get(app.url("/admin")).send().await.expect("admin").text().await.expect("html");
    assert!(page.contains(&format!("/admin/users/{manager_id}/rights")), "the rights form");
    let csrf = crate::support::csrf_of(&page);
    let saved = browser
        .post(app.url(&format!("/admin/users/{manager_id}/rights")))
        .form(&[("csrf", csrf.as_str()), ("record_payments", "on"), ("discount_limit", "2,5")])
        .send()
        .await
        .expect("rights");
    assert!(saved.status().is_success() || saved.status().is_redirection(), "{}", saved.status());
    let (_, users) = app.api_get(&admin, "/api/v1/admin/users").await;
    let m = users.as_array().expect("users").iter().find(|u| u["id"] == manager_id).expect("manager").clone();
    assert_eq!((m["rights"].clone(), m["discount_limit_bp"].as_i64()), (json!(["record_payments"]), Some(250)), "{m}");
}
