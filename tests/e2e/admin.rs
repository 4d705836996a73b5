//! The administrator: invite a user (who sets a password from the emailed
//! link and logs in), disable and re-enable, reset, companies with contracts,
//! and the supplier's settings. Nobody else reaches these pages.

use crate::support::{browser, csrf_of, spawn_app, TestApp, BUYER, MANAGER};

const ADMIN: (&str, &str) = ("admin@demo.example", "demo-admin");

async fn last_link(app: &TestApp, to: &'static str) -> String {
    let body: String = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::email_outbox;
            Ok(email_outbox::table
                .filter(email_outbox::to_address.eq(to))
                .order(email_outbox::id.desc())
                .select(email_outbox::body)
                .first(conn)?)
        })
        .await;
    let start = body.find("/password/").expect("a link in the email");
    let token: String = body[start + "/password/".len()..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    format!("/password/{token}")
}

#[tokio::test(flavor = "multi_thread")]
async fn invite_set_password_disable_and_reset() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let page = admin.get(app.url("/admin")).send().await.expect("admin").text().await.expect("body");
    let csrf = csrf_of(&page);
    let company = page
        .split("name=\"company_id\"><option value=\"\">—</option><option value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("company")
        .to_string();
    let invited = admin
        .post(app.url("/admin/users/invite"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "new.buyer@demo.example"),
            ("name", "Новый Покупатель"),
            ("role", "buyer"),
            ("company_id", company.as_str()),
            ("locale", "ru"),
        ])
        .send()
        .await
        .expect("invite");
    assert_eq!(invited.status(), 303);
    let (_, status, _) = app.login_status("new.buyer@demo.example", "whatever-123").await;
    assert_eq!(status, 401, "no password until the link is used");

    let link = last_link(&app, "new.buyer@demo.example").await;
    let visitor = browser();
    assert_eq!(visitor.get(app.url(&link)).send().await.expect("link").status(), 200);
    let short =
        visitor.post(app.url(&link)).form(&[("password", "short"), ("repeat", "short")]).send().await.expect("set");
    assert_eq!(short.status(), 422);
    let set = visitor
        .post(app.url(&link))
        .form(&[("password", "secure-pass-1"), ("repeat", "secure-pass-1")])
        .send()
        .await
        .expect("set");
    assert_eq!(set.status(), 303);
    assert_eq!(visitor.get(app.url(&link)).send().await.expect("link").status(), 404, "a link works once");
    let client = app.login("new.buyer@demo.example", "secure-pass-1").await;
    assert_eq!(client.get(app.url("/catalog")).send().await.expect("catalog").status(), 200);

    // Disabling ends the session at once and refuses new logins.
    let id: i64 = app
        .with_db(|conn| Ok(portal::accounts::User::find_by_email(conn, "new.buyer@demo.example")?.expect("user").id.0))
        .await;
    let disabled = admin
        .post(app.url(&format!("/admin/users/{id}")))
        .form(&[("csrf", csrf.as_str()), ("action", "disable")])
        .send()
        .await
        .expect("disable");
    assert_eq!(disabled.status(), 303);
    assert_eq!(client.get(app.url("/catalog")).send().await.expect("catalog").status(), 303);
    let (_, status, _) = app.login_status("new.buyer@demo.example", "secure-pass-1").await;
    assert_eq!(status, 401);
    admin
        .post(app.url(&format!("/admin/users/{id}")))
        .form(&[("csrf", csrf.as_str()), ("action", "enable")])
        .send()
        .await
        .expect("enable");
    admin
        .post(app.url(&format!("/admin/users/{id}")))
        .form(&[("csrf", csrf.as_str()), ("action", "reset")])
        .send()
        .await
        .expect("reset");
    let reset = last_link(&app, "new.buyer@demo.example").await;
    assert_ne!(reset, link);
    browser()
        .post(app.url(&reset))
        .form(&[("password", "another-pass-2"), ("repeat", "another-pass-2")])
        .send()
        .await
        .expect("reset");
    app.login("new.buyer@demo.example", "another-pass-2").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn companies_contracts_and_settings() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let page = admin.get(app.url("/admin")).send().await.expect("admin").text().await.expect("body");
    let csrf = csrf_of(&page);
    let bad = admin
        .post(app.url("/admin/companies"))
        .form(&[("csrf", csrf.as_str()), ("name", "ООО «Ромашка»"), ("inn", "12")])
        .send()
        .await
        .expect("company");
    assert_eq!(bad.status(), 303);
    admin
        .post(app.url("/admin/companies"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "ООО «Ромашка»"),
            ("inn", "7705000001"),
            ("kpp", "770501001"),
            ("address", "Москва"),
        ])
        .send()
        .await
        .expect("company");
    let page = admin.get(app.url("/admin")).send().await.expect("admin").text().await.expect("body");
    assert!(page.contains("ООО «Ромашка»"));
    let company: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::companies;
            Ok(companies::table.filter(companies::inn.eq("7705000001")).select(companies::id).first(conn)?)
        })
        .await;
    let (price_type, manager): (i64, i64) = app
        .with_db(|conn| {
            let pt = portal::catalog::PriceType::all(conn)?[0].id;
            Ok((pt, portal::accounts::User::find_by_email(conn, MANAGER.0)?.expect("manager").id.0))
        })
        .await;
    admin
        .post(app.url(&format!("/admin/companies/{company}/contracts")))
        .form(&[
            ("csrf", csrf.clone()),
            ("number", "Р-1".into()),
            ("price_type_id", price_type.to_string()),
            ("discount", "7,5".into()),
            ("deferral_days", "10".into()),
            ("manager_id", manager.to_string()),
        ])
        .send()
        .await
        .expect("contract");
    let discount: i32 = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::contracts;
            Ok(contracts::table.filter(contracts::company_id.eq(company)).select(contracts::discount_bp).first(conn)?)
        })
        .await;
    assert_eq!(discount, 750);

    let saved = admin
        .post(app.url("/admin/settings"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("stock_display", "levels"),
            ("reservation_days", "5"),
            ("status_colors", "new=#ff0000, bogus=#000, paid=red"),
        ])
        .send()
        .await
        .expect("settings");
    assert_eq!(saved.status(), 303);
    let buyer = app.login(BUYER.0, BUYER.1).await;
    let catalog =
        buyer.get(app.url("/catalog?q=BLT-933-8X20")).send().await.expect("catalog").text().await.expect("body");
    assert!(catalog.contains("stock-ok") && !catalog.contains(" шт</span>"), "levels mode shows no quantities");
    assert!(
        catalog.contains(".status-new{background:#ff0000") && !catalog.contains("bogus") && !catalog.contains("red;")
    );
    let refused = admin
        .post(app.url("/admin/settings"))
        .form(&[("csrf", csrf.as_str()), ("reservation_days", "many")])
        .send()
        .await
        .expect("settings");
    assert_eq!(refused.status(), 303);
    let days = app.with_db(|conn| portal::settings::get(conn, portal::settings::RESERVATION_DAYS)).await;
    assert_eq!(days.as_deref(), Some("5"), "a bad value changes nothing");

    // An area the role lacks answers 403, on pages as in the API (a record
    // outside the user's scope is 404: see "Guards" in ARCHITECTURE.md).
    for who in [BUYER, MANAGER] {
        let client = app.login(who.0, who.1).await;
        assert_eq!(client.get(app.url("/admin")).send().await.expect("admin").status(), 403);
        let settings = client.post(app.url("/admin/settings")).form(&[("csrf", "x")]).send().await.expect("post");
        assert_eq!(settings.status(), 403, "a form of an area the role lacks");
    }
}
