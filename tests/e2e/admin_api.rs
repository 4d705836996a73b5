//! The supplier's side through the API: users, companies, contracts and
//! settings with an admin's token — and nobody else's.

use serde_json::{json, Value};

use crate::ordering::send;
use crate::support::{spawn_app, BUYER, MANAGER};

const ADMIN: (&str, &str) = ("admin@demo.example", "demo-admin");

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_reach_the_admin_api() {
    let app = spawn_app().await;
    for (email, password) in [BUYER, MANAGER, ("erp@demo.example", "demo-erp")] {
        let token = app.token(email, password).await;
        for path in
            ["/api/v1/admin/users", "/api/v1/admin/companies", "/api/v1/admin/settings", "/api/v1/admin/contracts/1"]
        {
            assert_eq!(app.api_get(&token, path).await.0, 403, "{email} {path}");
        }
        let (status, _) =
            send(&app, &token, "POST", "/api/v1/admin/companies", json!({"name": "X", "inn": "7701234564"})).await;
        assert_eq!(status, 403, "{email}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn users_are_invited_disabled_and_reset_through_the_api() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let (status, users) = app.api_get(&admin, "/api/v1/admin/users").await;
    assert_eq!(status, 200);
    let buyer = users.as_array().expect("users").iter().find(|u| u["email"] == BUYER.0).expect("buyer").clone();
    assert_eq!(buyer["role"], "buyer");
    let company = buyer["company_id"].as_i64().expect("company");

    let invite = json!({"email": "new.one@demo.example", "name": "Новый", "role": "buyer", "company_id": company});
    let (status, created) = send(&app, &admin, "POST", "/api/v1/admin/users", invite.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!((created["active"].as_bool(), created["company_id"].as_i64()), (Some(true), Some(company)));
    let (status, _) = send(&app, &admin, "POST", "/api/v1/admin/users", invite).await;
    assert_eq!(status, 409, "the email is taken");
    let (status, body) = send(
        &app,
        &admin,
        "POST",
        "/api/v1/admin/users",
        json!({"email": "x@demo.example", "name": "X", "role": "buyer"}),
    )
    .await;
    assert_eq!(status, 422, "a buyer needs a company: {body}");

    let token = app.token(BUYER.0, BUYER.1).await;
    assert_eq!(app.api_get(&token, "/api/v1/me").await.0, 200, "the token's user is now kept in memory");
    let id = buyer["id"].as_i64().expect("id");
    let (status, patched) =
        send(&app, &admin, "PATCH", &format!("/api/v1/admin/users/{id}"), json!({"active": false})).await;
    assert_eq!((status, patched["active"].as_bool()), (200, Some(false)));
    assert_eq!(app.api_get(&token, "/api/v1/me").await.0, 401, "disabling ends the tokens");
    send(&app, &admin, "PATCH", &format!("/api/v1/admin/users/{id}"), json!({"active": true})).await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let (status, _) = send(&app, &admin, "POST", &format!("/api/v1/admin/users/{id}/reset"), Value::Null).await;
    assert_eq!(status, 204);
    assert_eq!(app.api_get(&token, "/api/v1/me").await.0, 401, "a reset ends the tokens");
    let (status, _) = send(&app, &admin, "POST", "/api/v1/admin/users/999999/reset", Value::Null).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn companies_and_contracts_through_the_api() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let company = json!({"name": "ООО «Ромашка»", "inn": "7707083893", "kpp": "770701001", "legal_address": "Москва"});
    let (status, created) = send(&app, &admin, "POST", "/api/v1/admin/companies", company.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["delivery_address"], "Москва", "delivery defaults to the legal address");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(send(&app, &admin, "POST", "/api/v1/admin/companies", company).await.0, 409, "same ИНН and КПП");
    let (status, _) = send(&app, &admin, "POST", "/api/v1/admin/companies", json!({"name": "Bad", "inn": "123"})).await;
    assert_eq!(status, 400, "an ИНН of the wrong shape");

    let (status, patched) =
        send(&app, &admin, "PATCH", &format!("/api/v1/admin/companies/{id}"), json!({"name": "ООО «Ромашка-2»"})).await;
    assert_eq!(
        (status, patched["name"].as_str(), patched["inn"].as_str()),
        (200, Some("ООО «Ромашка-2»"), Some("7707083893"))
    );
    assert_eq!(app.api_get(&admin, "/api/v1/admin/companies/999999").await.0, 404);

    let (_, users) = app.api_get(&admin, "/api/v1/admin/users").await;
    let manager_id = |email: &str| {
        users.as_array().expect("users").iter().find(|u| u["email"] == email).expect("manager")["id"]
            .as_i64()
            .expect("id")
    };
    let (m1, m2) = (manager_id(MANAGER.0), manager_id("manager2@demo.example"));
    let price_type: i64 =
        app.with_db(|conn| Ok(portal::catalog::PriceType::all(conn)?.first().expect("price type").id)).await;
    let contract = json!({"number": "Д-1", "price_type_id": price_type, "discount_bp": 250, "deferral_days": 14, "manager_id": m1});
    let (status, created) =
        send(&app, &admin, "POST", &format!("/api/v1/admin/companies/{id}/contracts"), contract.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!((created["discount_percent"].as_str(), created["manager_id"].as_i64()), (Some("2.5"), Some(m1)));
    let contract_id = created["id"].as_i64().expect("id");
    let (status, _) = send(&app, &admin, "POST", &format!("/api/v1/admin/companies/{id}/contracts"), contract).await;
    assert_eq!(status, 409, "the number exists");
    let (status, _) = send(
        &app,
        &admin,
        "POST",
        &format!("/api/v1/admin/companies/{id}/contracts"),
        json!({"number": "Д-2", "price_type_id": 999999}),
    )
    .await;
    assert_eq!(status, 422, "an unknown price type");
    assert_eq!(
        send(
            &app,
            &admin,
            "POST",
            "/api/v1/admin/companies/999999/contracts",
            json!({"number": "Д-3", "price_type_id": price_type})
        )
        .await
        .0,
        404
    );

    // The manager's scope follows the contract.
    let manager = app.login(MANAGER.0, MANAGER.1).await;
    let page = format!("/companies/{id}");
    assert_eq!(manager.get(app.url(&page)).send().await.expect("page").status(), 200);
    let (status, moved) =
        send(&app, &admin, "PATCH", &format!("/api/v1/admin/contracts/{contract_id}"), json!({"manager_id": m2})).await;
    assert_eq!((status, moved["manager_id"].as_i64(), moved["discount_bp"].as_i64()), (200, Some(m2), Some(250)));
    assert_eq!(manager.get(app.url(&page)).send().await.expect("page").status(), 404, "reassigned at once");
    let (_, cleared) = send(
        &app,
        &admin,
        "PATCH",
        &format!("/api/v1/admin/contracts/{contract_id}"),
        json!({"manager_id": null, "active": false}),
    )
    .await;
    assert_eq!((cleared["manager_id"].clone(), cleared["active"].as_bool()), (Value::Null, Some(false)));
    let (status, one) = app.api_get(&admin, &format!("/api/v1/admin/contracts/{contract_id}")).await;
    assert_eq!((status, one["number"].as_str()), (200, Some("Д-1")));

    // Deactivating a company shuts its buyers out.
    let (_, demo_company) = app.api_get(&app.token(BUYER.0, BUYER.1).await, "/api/v1/me").await;
    let buyer_company = demo_company["company"]["id"].as_i64().expect("company id");
    let (status, off) =
        send(&app, &admin, "PATCH", &format!("/api/v1/admin/companies/{buyer_company}"), json!({"active": false}))
            .await;
    assert_eq!((status, off["active"].as_bool()), (200, Some(false)));
    let (_, status, _) = app.login_status(BUYER.0, BUYER.1).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_through_the_api_are_checked_like_the_page() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let (status, settings) = app.api_get(&admin, "/api/v1/admin/settings").await;
    assert_eq!(status, 200);
    assert_eq!(settings["settings"]["order_channels"], "1c");
    assert_eq!(settings["settings"]["supplier_name"], "ООО «Оптовик-Снаб»");

    let (status, saved) = send(
        &app,
        &admin,
        "PATCH",
        "/api/v1/admin/settings",
        json!({"settings": {"order_channels": "1c, api", "reservation_days": "5"}}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        (saved["settings"]["order_channels"].as_str(), saved["settings"]["reservation_days"].as_str()),
        (Some("1c,api"), Some("5"))
    );
    let (status, refused) = send(
        &app,
        &admin,
        "PATCH",
        "/api/v1/admin/settings",
        json!({"settings": {"reservation_days": "7", "erp_stock": "sometimes"}}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    let (_, after) = app.api_get(&admin, "/api/v1/admin/settings").await;
    assert_eq!(after["settings"]["reservation_days"], "5", "all or nothing");
    let (status, _) =
        send(&app, &admin, "PATCH", "/api/v1/admin/settings", json!({"settings": {"catalog_version": "1"}})).await;
    assert_eq!(status, 422, "only editable settings");
}
