//! Security as an outsider meets it: password guessing throttled on every
//! door (login form, API token, 1C checkauth), redirects that stay on the
//! site, credentials that end with a reset, exchange sessions that expire and
//! open nothing else, access that follows contracts and companies as the
//! admin changes them, and the ERP account kept to the exchange.

use std::time::Duration;

use crate::support::{browser, csrf_of, spawn_app, TestApp, BUYER, MANAGER};

const ADMIN: (&str, &str) = ("admin@demo.example", "demo-admin");
const ERP: (&str, &str) = ("erp@demo.example", "demo-erp");

async fn token_status(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("token request")
}

async fn checkauth(app: &TestApp, login: &str, password: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(app.url("/exchange/1c?type=sale&mode=checkauth"))
        .basic_auth(login, Some(password))
        .send()
        .await
        .expect("checkauth");
    let status = response.status().as_u16();
    (status, encoding_rs::WINDOWS_1251.decode(&response.bytes().await.expect("body")).0.into_owned())
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"].to_str().expect("header").parse().expect("seconds")
}

#[tokio::test(flavor = "multi_thread")]
async fn guessing_a_password_is_throttled_and_the_right_one_works_after_the_delay() {
    let app = spawn_app().await;
    for attempt in 1..=5 {
        let (_, status, _) = app.login_status(BUYER.0, "wrong-password").await;
        assert_eq!(status, 401, "attempt {attempt} is checked");
    }
    // The sixth, even with the right password, waits: the page says so.
    let client = browser();
    let page = client.get(app.url("/login?lang=en")).send().await.expect("page").text().await.expect("body");
    let blocked = client
        .post(app.url("/login"))
        .form(&[("email", BUYER.0), ("password", BUYER.1), ("csrf", &csrf_of(&page)), ("next", "/catalog")])
        .send()
        .await
        .expect("login");
    assert_eq!(blocked.status(), 429);
    let wait = retry_after(&blocked);
    assert!((1..=2).contains(&wait), "the first block is short: {wait}");
    let body = blocked.text().await.expect("body");
    assert!(body.contains("Too many failed attempts"), "the page explains, in the user's language");

    // The API and 1C doors share the count.
    let api = token_status(&app, BUYER.0, BUYER.1).await;
    assert_eq!(api.status(), 429);
    assert!(retry_after(&api) >= 1);

    tokio::time::sleep(Duration::from_secs(wait)).await;
    let (_, status, _) = app.login_status(BUYER.0, BUYER.1).await;
    assert_eq!(status, 303, "the right password works once the delay has passed");

    // After the block another wrong guess blocks again, for longer.
    for _ in 0..5 {
        app.login_status(MANAGER.0, "wrong-password").await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, status, _) = app.login_status(MANAGER.0, "still-wrong").await;
    assert_eq!(status, 401);
    let again = token_status(&app, MANAGER.0, MANAGER.1).await;
    assert_eq!(again.status(), 429);
    assert!(retry_after(&again) >= 3, "the delay grows: {}", retry_after(&again));
}

#[tokio::test(flavor = "multi_thread")]
async fn onec_checkauth_is_throttled_like_every_password_check() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let (status, body) = checkauth(&app, ERP.0, "wrong-password").await;
        assert_eq!((status, body.starts_with("failure\n")), (200, true));
    }
    let (status, body) = checkauth(&app, ERP.0, ERP.1).await;
    assert_eq!(status, 429);
    assert!(body.starts_with("failure\n") && body.contains("try again"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_guesses_are_not_all_evaluated() {
    let app = spawn_app().await;
    let mut guesses = Vec::new();
    for i in 0..60 {
        let url = app.url("/api/v1/auth/token");
        guesses.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({ "email": ADMIN.0, "password": format!("guess-{i}") }))
                .send()
                .await
                .expect("guess")
                .status()
                .as_u16()
        }));
    }
    let mut refused = 0;
    let mut throttled = 0;
    for guess in guesses {
        match guess.await.expect("task") {
            401 => refused += 1,
            429 | 503 => throttled += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(refused <= 6, "at most the allowance is evaluated, {refused} were");
    assert_eq!(refused + throttled, 60);
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_stay_on_the_site() {
    let app = spawn_app().await;
    let hostile = [
        "//evil.example",
        "/\\evil.example",
        "/%09/evil.example",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "https://evil.example/",
        "/\t/evil.example",
    ];
    for next in hostile {
        // Logging in with the form's next=…
        let client = browser();
        let page = client
            .get(app.url(&format!("/login?next={}", urlencoding::encode(next))))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        let response = client
            .post(app.url("/login"))
            .form(&[("email", BUYER.0), ("password", BUYER.1), ("csrf", &csrf_of(&page)), ("next", next)])
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/catalog", "next={next:?} must not leave the site");
        // …an already logged-in visitor of /login?next=…
        let again = client
            .get(app.url(&format!("/login?next={}", urlencoding::encode(next))))
            .send()
            .await
            .expect("login page");
        assert_eq!(again.headers()["location"], "/catalog", "next={next:?}");
        // …and a form's back=….
        let catalog = client.get(app.url("/catalog")).send().await.expect("catalog").text().await.expect("body");
        let switched = client
            .post(app.url("/language"))
            .form(&[("csrf", csrf_of(&catalog).as_str()), ("lang", "ru"), ("back", next)])
            .send()
            .await
            .expect("language");
        assert_eq!(switched.headers()["location"], "/catalog", "back={next:?}");
    }
    // A raw, unencoded tab in the query string (as a hostile link carries it).
    let client = app.login(BUYER.0, BUYER.1).await;
    let response = client.get(format!("{}/login?next=/%09/evil.example", app.address)).send().await.expect("login");
    assert_eq!(response.headers()["location"], "/catalog");
    let local = client.get(app.url("/login?next=%2Forders%3Fstatus%3Dnew")).send().await.expect("login");
    assert_eq!(local.headers()["location"], "/orders?status=new", "local paths are still followed");
}

async fn admin_form(app: &TestApp, admin: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> u16 {
    let page = admin.get(app.url("/admin")).send().await.expect("admin").text().await.expect("body");
    let csrf = csrf_of(&page);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    admin.post(app.url(path)).form(&form).send().await.expect("admin form").status().as_u16()
}

async fn user_id(app: &TestApp, email: &'static str) -> i64 {
    app.with_db(move |conn| Ok(portal::accounts::User::find_by_email(conn, email)?.expect("user").id.0)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_reset_ends_sessions_and_api_tokens() {
    let app = spawn_app().await;
    let session = app.login(BUYER.0, BUYER.1).await;
    let token = app.token(BUYER.0, BUYER.1).await;
    assert_eq!(app.api_get(&token, "/api/v1/me").await.0, 200);

    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let id = user_id(&app, BUYER.0).await;
    assert_eq!(admin_form(&app, &admin, &format!("/admin/users/{id}"), &[("action", "reset")]).await, 303);
    assert_eq!(app.api_get(&token, "/api/v1/me").await.0, 401, "the API token ended with the reset");
    assert_eq!(session.get(app.url("/catalog")).send().await.expect("catalog").status(), 303, "so did the session");

    // Setting the new password from the link ends whatever was opened meanwhile.
    let (_, status, _) = app.login_status(BUYER.0, BUYER.1).await;
    assert_eq!(status, 303, "the old password still works until a new one is set");
    let later = app.token(BUYER.0, BUYER.1).await;
    let body: String = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::email_outbox;
            Ok(email_outbox::table
                .filter(email_outbox::to_address.eq(BUYER.0))
                .order(email_outbox::id.desc())
                .select(email_outbox::body)
                .first(conn)?)
        })
        .await;
    let start = body.find("/password/").expect("link") + "/password/".len();
    let link: String = body[start..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let set = browser()
        .post(app.url(&format!("/password/{link}")))
        .form(&[("password", "brand-new-pass-1"), ("repeat", "brand-new-pass-1")])
        .send()
        .await
        .expect("set password");
    assert_eq!(set.status(), 303);
    assert_eq!(app.api_get(&later, "/api/v1/me").await.0, 401, "tokens end when the password changes");
    app.login(BUYER.0, "brand-new-pass-1").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn exchange_sessions_expire_and_open_nothing_else() {
    let app = spawn_app().await;
    let (status, body) = checkauth(&app, ERP.0, ERP.1).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "success");
    let session = lines[2].to_string();

    let init = |cookie: String| {
        let url = app.url("/exchange/1c?type=sale&mode=init");
        async move {
            let response = reqwest::Client::new()
                .get(url)
                .header("cookie", format!("optovik_exchange={cookie}"))
                .send()
                .await
                .expect("init");
            encoding_rs::WINDOWS_1251.decode(&response.bytes().await.expect("body")).0.into_owned()
        }
    };
    assert!(init(session.clone()).await.starts_with("zip=yes"), "the session works on the exchange");
    assert_eq!(app.api_get(&session, "/api/v1/me").await.0, 401, "but is no API token");

    let stored = session.clone();
    let updated = app
        .with_db(move |conn| {
            let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
            portal::accounts::exchange_sessions::set_expiry(conn, &stored, past)
        })
        .await;
    assert_eq!(updated, 1);
    let refused = init(session.clone()).await;
    assert!(refused.starts_with("failure\n") && refused.contains("expired"), "{refused}");

    let purged = app.with_db(portal::accounts::exchange_sessions::purge_expired).await;
    assert_eq!(purged, 1, "the purge job's step removes it");
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_end_after_a_period_without_use() {
    let app = spawn_app().await;
    let client = app.login(BUYER.0, BUYER.1).await;
    assert_eq!(client.get(app.url("/catalog")).send().await.expect("catalog").status(), 200);
    app.with_db(|conn| {
        use diesel::prelude::*;
        use portal::db::schema::sessions;
        let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::hours(13);
        Ok(diesel::update(sessions::table).set(sessions::last_seen_at.eq(Some(long_ago))).execute(conn)?)
    })
    .await;
    let response = client.get(app.url("/catalog")).send().await.expect("catalog");
    assert_eq!(response.status(), 303, "idle for longer than 12 h: logged out");
    let left: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            Ok(portal::db::schema::sessions::table.count().get_result(conn)?)
        })
        .await;
    assert_eq!(left, 0, "the idle session is removed");
}

/// The company id of the demo buyer's company and its contract number.
async fn buyer_company(app: &TestApp) -> (i64, String) {
    app.with_db(|conn| {
        use diesel::prelude::*;
        use portal::db::schema::{companies, contracts};
        Ok(companies::table
            .inner_join(contracts::table)
            .filter(companies::inn.eq("7701234564"))
            .select((companies::id, contracts::number))
            .first(conn)?)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reassigned_manager_loses_the_company_at_once() {
    let app = spawn_app().await;
    let (company, number) = buyer_company(&app).await;
    let manager = app.login(MANAGER.0, MANAGER.1).await;
    let manager2 = app.login("manager2@demo.example", "demo-manager").await;
    let page = format!("/companies/{company}");
    assert_eq!(manager.get(app.url(&page)).send().await.expect("page").status(), 200);
    assert_eq!(manager2.get(app.url(&page)).send().await.expect("page").status(), 404);

    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let manager2_id = user_id(&app, "manager2@demo.example").await.to_string();
    let price_type: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::contracts;
            Ok(contracts::table
                .filter(contracts::number.eq("ОПТ-2026/014"))
                .select(contracts::price_type_id)
                .first(conn)?)
        })
        .await;
    let price_type = price_type.to_string();
    let saved = admin_form(
        &app,
        &admin,
        &format!("/admin/companies/{company}/contracts"),
        &[
            ("number", number.as_str()),
            ("price_type_id", price_type.as_str()),
            ("discount", "3"),
            ("deferral_days", "14"),
            ("manager_id", manager2_id.as_str()),
            ("active", "on"),
        ],
    )
    .await;
    assert_eq!(saved, 303);
    assert_eq!(manager.get(app.url(&page)).send().await.expect("page").status(), 404, "the old manager loses it");
    assert_eq!(manager2.get(app.url(&page)).send().await.expect("page").status(), 200, "the new one has it");
    let token = app.token(MANAGER.0, MANAGER.1).await;
    let (_, orders) = app.api_get(&token, &format!("/api/v1/orders?company={company}")).await;
    assert_eq!(orders["total"].as_i64().unwrap_or(0), 0, "nor through the API: {orders}");

    // A contract taken out of force takes the company out of the scope too.
    let ended = admin_form(
        &app,
        &admin,
        &format!("/admin/companies/{company}/contracts"),
        &[
            ("number", number.as_str()),
            ("price_type_id", price_type.as_str()),
            ("discount", "3"),
            ("deferral_days", "14"),
            ("manager_id", manager2_id.as_str()),
        ],
    )
    .await;
    assert_eq!(ended, 303);
    assert_eq!(manager2.get(app.url(&page)).send().await.expect("page").status(), 404);
    let stored = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::contracts;
            Ok(contracts::table
                .filter(contracts::number.eq("ОПТ-2026/014"))
                .select((contracts::manager_id, contracts::active))
                .first::<(Option<i64>, bool)>(conn)?)
        })
        .await;
    assert!(!stored.1, "the contract is out of force");
    assert_eq!(stored.0.map(|m| m.to_string()), Some(manager2_id));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deactivated_company_cannot_sign_in_or_order() {
    let app = spawn_app().await;
    let (company, _) = buyer_company(&app).await;
    let buyer = app.login(BUYER.0, BUYER.1).await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let status =
        admin_form(&app, &admin, &format!("/admin/companies/{company}/active"), &[("action", "deactivate")]).await;
    assert_eq!(status, 303);

    assert_eq!(buyer.get(app.url("/cart")).send().await.expect("cart").status(), 303, "the session ended");
    assert_eq!(app.api_get(&token, "/api/v1/carts").await.0, 401, "the token ended");
    let (_, status, _) = app.login_status(BUYER.0, BUYER.1).await;
    assert_eq!(status, 401, "no new login");
    assert_eq!(token_status(&app, BUYER.0, BUYER.1).await.status(), 401);
    let page = admin.get(app.url("/admin")).send().await.expect("admin").text().await.expect("body");
    assert!(page.contains("/admin/companies/") && page.contains("value=\"activate\""), "the admin can undo it");

    let status =
        admin_form(&app, &admin, &format!("/admin/companies/{company}/active"), &[("action", "activate")]).await;
    assert_eq!(status, 303);
    app.login(BUYER.0, BUYER.1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_erp_account_is_kept_to_the_exchange() {
    let app = spawn_app().await;
    let (_, status, body) = app.login_status(ERP.0, ERP.1).await;
    assert_eq!(status, 403, "no cabinet for the machine user");
    assert!(body.contains("обмена") || body.contains("exchange"), "and the page says why");

    let token = app.token(ERP.0, ERP.1).await;
    assert_eq!(app.api_get(&token, "/api/v1/orders").await.0, 200, "it reads orders");
    assert_eq!(app.api_get(&token, "/api/v1/admin/sync-runs").await.0, 200, "and the journal");
    assert_eq!(app.api_get(&token, "/api/v1/carts").await.0, 403, "it has no carts");
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = crate::ordering::place(&app, &buyer, &[("BLT-933-8X20", 50)]).await["id"].as_i64().expect("order id");
    let pdf = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/orders/{order}/invoice.pdf")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("invoice");
    assert_eq!(pdf.status(), 403, "nor reads invoices");
    let placed = reqwest::Client::new()
        .post(app.url("/api/v1/manager/orders"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "buyer_id": 1, "lines": "x 1" }))
        .send()
        .await
        .expect("order");
    assert_eq!(placed.status(), 403, "nor places orders");
}
