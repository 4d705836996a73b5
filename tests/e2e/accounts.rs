//! Login, logout, CSRF, sessions and API tokens.

use crate::support::{browser, csrf_of, spawn_app, BUYER, MANAGER};

#[tokio::test(flavor = "multi_thread")]
async fn login_opens_the_catalog_and_logout_closes_it() {
    let app = spawn_app().await;
    let client = app.login(BUYER.0, BUYER.1).await;
    let catalog = client.get(app.url("/catalog")).send().await.expect("catalog");
    assert_eq!(catalog.status(), 200);
    let html = catalog.text().await.expect("body");
    assert!(html.contains("ООО «СтройМаркет»"), "the buyer's company is shown");

    let logout = client.post(app.url("/logout")).form(&[("csrf", csrf_of(&html))]).send().await.expect("logout");
    assert_eq!(logout.status(), 303);
    let after = client.get(app.url("/catalog")).send().await.expect("catalog");
    assert_eq!(after.status(), 303, "logged out users are sent to login");
    assert!(after.headers()["location"].to_str().expect("location").starts_with("/login"));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_is_refused_with_a_message() {
    let app = spawn_app().await;
    let (client, status, body) = app.login_status(BUYER.0, "not-the-password").await;
    assert_eq!(status, 401);
    assert!(body.contains("Неверная почта или пароль") || body.contains("Wrong email or password"));
    assert!(body.contains(BUYER.0), "the email stays in the form");
    let catalog = client.get(app.url("/catalog")).send().await.expect("catalog");
    assert_eq!(catalog.status(), 303, "no session was created");

    let (_, unknown, _) = app.login_status("nobody@demo.example", "whatever-password").await;
    assert_eq!(unknown, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn forms_without_the_csrf_token_are_rejected() {
    let app = spawn_app().await;
    // Login without visiting the form (no CSRF cookie, no token).
    let client = browser();
    let response = client
        .post(app.url("/login"))
        .form(&[("email", BUYER.0), ("password", BUYER.1), ("csrf", "forged")])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 403);

    // A logged-in user's logout with a wrong token keeps the session.
    let client = app.login(MANAGER.0, MANAGER.1).await;
    let response = client.post(app.url("/logout")).form(&[("csrf", "forged")]).send().await.expect("logout");
    assert_eq!(response.status(), 403);
    let response = client.post(app.url("/language")).form(&[("lang", "en")]).send().await.expect("language");
    assert_eq!(response.status(), 403);
    let catalog = client.get(app.url("/catalog")).send().await.expect("catalog");
    assert_eq!(catalog.status(), 200, "still logged in");
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_live_in_the_database_and_work_on_another_instance() {
    let app = spawn_app().await;
    let (_client, jar) = app.login_with_jar(BUYER.0, BUYER.1).await;
    let cookie =
        reqwest::cookie::CookieStore::cookies(&*jar, &app.url("/").parse().expect("url")).expect("session cookie");

    // A second app state over the same database plays "another instance".
    let other = crate::support::spawn_instance(app.db.clone()).await;
    let response = crate::support::browser()
        .get(format!("{other}/catalog"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("other instance");
    assert_eq!(response.status(), 200, "the other instance knows the session");

    let stored: Vec<String> = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::sessions;
            Ok(sessions::table.select(sessions::token_hash).load::<String>(conn)?)
        })
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].len(), 64, "only the SHA-256 of the session token is stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_tokens_authenticate_and_bad_ones_are_401() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let (status, me) = app.api_get(&token, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], BUYER.0);
    assert_eq!(me["role"], "buyer");
    assert_eq!(me["company"]["name"], "ООО «СтройМаркет»");
    assert_eq!(me["company"]["contracts"][0]["discount_percent"], "3");

    let (status, _) = app.api_get("forged-token", "/api/v1/me").await;
    assert_eq!(status, 401);
    let response = reqwest::Client::new().get(app.url("/api/v1/me")).send().await.expect("request");
    assert_eq!(response.status(), 401, "no token");

    let expired = app
        .with_db(|conn| {
            let user = portal::accounts::User::find_by_email(conn, BUYER.0)?.expect("buyer");
            portal::accounts::tokens::issue_with_lifetime(conn, user.id, chrono::Duration::seconds(-1))
        })
        .await;
    let (status, body) = app.api_get(&expired.token, "/api/v1/catalog/products").await;
    assert_eq!(status, 401);
    assert!(body["error"].as_str().unwrap_or_default().contains("expired"));

    let wrong = reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "email": BUYER.0, "password": "nope-nope" }))
        .send()
        .await
        .expect("token");
    assert_eq!(wrong.status(), 401);
    let stored: Vec<String> = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::api_tokens;
            Ok(api_tokens::table.select(api_tokens::token_hash).load::<String>(conn)?)
        })
        .await;
    assert!(!stored.contains(&token), "tokens are stored hashed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_disabled_through_another_instance_loses_the_api_within_a_second() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let search = "/api/v1/catalog/products?q=%D0%B1%D0%BE%D0%BB%D1%82";
    assert_eq!(app.api_get(&token, search).await.0, 200);
    // Another instance (a pool of its own: this process hears of no write).
    let url = app.url.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use portal::db::schema::users;
        let other = portal::db::Db::connect(&url, 1).expect("connect");
        diesel::update(users::table.filter(users::email.eq(BUYER.0)))
            .set(users::active.eq(false))
            .execute(&mut *other.conn().expect("conn"))
            .expect("disable")
    })
    .await
    .expect("disable task");
    let disabled = std::time::Instant::now();
    let mut status = 200;
    while status == 200 && disabled.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        status = app.api_get(&token, search).await.0;
    }
    assert_eq!(status, 401, "the token stops working");
    let took = disabled.elapsed();
    assert!(
        took <= portal::db::recent::TRUSTED_FOR + std::time::Duration::from_millis(500),
        "kept in memory for {took:?}"
    );
}
