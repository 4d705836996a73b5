//! Announcements and mailings over HTTP: one for a customer group is seen
//! (on the list and pinned on the catalog) and emailed only within that
//! group; the email's link unsubscribes its reader from later mailings; dates
//! hide it from buyers; a mailing to the customers the report says stopped
//! buying reaches exactly them.

use serde_json::{json, Value};

use crate::finance::ADMIN;
use crate::ordering::{place, send};
use crate::support::{spawn_app, TestApp, BUYER, BUYER2, MANAGER};

const BUYER3: &str = "buyer3@demo.example";

async fn emails_to(app: &TestApp, address: &'static str) -> Vec<String> {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::email_outbox;
        Ok(email_outbox::table
            .filter(email_outbox::to_address.eq(address))
            .filter(email_outbox::kind.eq("announcement"))
            .order(email_outbox::id)
            .select(email_outbox::body)
            .load(conn)?)
    })
    .await
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array().expect("list").iter().filter_map(|a| a["title"].as_str().map(str::to_string)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_announcement_for_a_group_reaches_only_that_group_and_the_link_unsubscribes() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let (_, groups) = app.api_get(&admin, "/api/v1/admin/customer-groups").await;
    let dealers = groups.as_array().expect("groups").iter().find(|g| g["name"] == "Дилеры").expect("group").clone();

    let body = json!({"title_ru": "Дилерам: новые условия", "body_ru": "С января скидка 5 %", "title_en": "Dealers: new terms",
        "audience": "group", "group_id": dealers["id"], "pinned": true, "email": true});
    let (status, created) = send(&app, &manager, "POST", "/api/v1/admin/announcements", body).await;
    assert_eq!(status, 201, "{created}");
    assert!(created["emails"].as_u64().is_some_and(|n| n >= 1), "{created}");

    assert_eq!(titles(&app.api_get(&dealer, "/api/v1/announcements").await.1), vec!["Дилерам: новые условия"]);
    assert!(titles(&app.api_get(&buyer, "/api/v1/announcements").await.1).is_empty(), "not for other groups");
    let dealer_page = app.login(BUYER2.0, BUYER2.1).await;
    let catalog = dealer_page.get(app.url("/catalog")).send().await.expect("catalog").text().await.expect("html");
    assert!(catalog.contains("Дилерам: новые условия"), "pinned on the catalog");
    let other_page = app.login(BUYER.0, BUYER.1).await;
    let catalog = other_page.get(app.url("/catalog")).send().await.expect("catalog").text().await.expect("html");
    assert!(!catalog.contains("Дилерам: новые условия"), "not on another group's catalog");
    assert!(emails_to(&app, BUYER.0).await.is_empty(), "not emailed outside the group");

    // The email's link unsubscribes (after a confirming click; opening it changes nothing).
    let mail = emails_to(&app, BUYER2.0).await;
    let text = mail.last().expect("an email to the dealer");
    assert!(text.contains("С января скидка 5 %"), "{text}");
    let link = text.split_whitespace().find(|w| w.contains("/unsubscribe/")).expect("unsubscribe link");
    let path = &link[link.find("/unsubscribe/").expect("path")..];
    let anonymous = reqwest::Client::new();
    let page = anonymous.get(app.url(path)).send().await.expect("page").text().await.expect("html");
    assert!(page.contains(BUYER2.0), "the page names the address");
    assert_eq!(anonymous.get(app.url("/unsubscribe/not-a-token")).send().await.expect("page").status().as_u16(), 404);
    let done = anonymous.post(app.url(path)).send().await.expect("unsubscribe");
    assert_eq!(done.status().as_u16(), 200);

    let everyone = json!({"title_ru": "Склад закрыт 31 декабря", "body_ru": "Отгрузки со 2 января", "audience": "everyone", "email": true});
    let (status, _) = send(&app, &admin, "POST", "/api/v1/admin/announcements", everyone).await;
    assert_eq!(status, 201);
    assert_eq!(emails_to(&app, BUYER2.0).await.len(), 1, "the unsubscribed dealer gets no more mailings");
    assert_eq!(emails_to(&app, BUYER.0).await.len(), 1, "everyone else does");
    assert_eq!(titles(&app.api_get(&dealer, "/api/v1/announcements").await.1).len(), 2, "still on the list");

    // Dates: a past announcement is hidden from buyers, kept for staff.
    let past = json!({"title_ru": "Акция ноября", "body_ru": "Закончилась", "audience": "everyone",
        "starts_on": "2020-11-01", "ends_on": "2020-11-30"});
    assert_eq!(send(&app, &manager, "POST", "/api/v1/admin/announcements", past).await.0, 201);
    assert!(!titles(&app.api_get(&buyer, "/api/v1/announcements").await.1).contains(&"Акция ноября".to_string()));
    let (_, all) = app.api_get(&manager, "/api/v1/announcements").await;
    let old = all.as_array().expect("list").iter().find(|a| a["title"] == "Акция ноября").expect("kept").clone();
    assert_eq!(old["current"], false);

    // The pages: the dealer's list; the manager writes one for chosen companies from the form.
    let list = dealer_page.get(app.url("/announcements")).send().await.expect("list").text().await.expect("html");
    assert!(list.contains("Дилерам: новые условия") && !list.contains("Акция ноября"), "the dealer's list");
    let staff_page = app.login(MANAGER.0, MANAGER.1).await;
    let form = staff_page.get(app.url("/announcements")).send().await.expect("page").text().await.expect("html");
    assert!(form.contains("Акция ноября") && form.contains(r#"name="audience""#), "staff see all and the form");
    let (_, me) = app.api_get(&buyer, "/api/v1/me").await;
    let company = me["company"]["id"].as_i64().expect("company").to_string();
    let csrf = crate::support::csrf_of(&form);
    let fields = [
        ("csrf", csrf.as_str()),
        ("title_ru", "Только для СтройМаркета"),
        ("body_ru", "Персональное предложение"),
        ("audience", "companies"),
        ("company", company.as_str()),
        ("pinned", "on"),
    ];
    let posted = staff_page.post(app.url("/announcements")).form(&fields).send().await.expect("post");
    assert!(posted.status().is_redirection() || posted.status().is_success(), "{}", posted.status());
    assert!(
        titles(&app.api_get(&buyer, "/api/v1/announcements").await.1).contains(&"Только для СтройМаркета".to_string())
    );
    assert!(!titles(&app.api_get(&dealer, "/api/v1/announcements").await.1)
        .contains(&"Только для СтройМаркета".to_string()));

    // Refusals.
    let no_group = json!({"title_ru": "X", "body_ru": "Y", "audience": "group"});
    assert_eq!(send(&app, &manager, "POST", "/api/v1/admin/announcements", no_group).await.0, 422);
    let backwards = json!({"title_ru": "X", "body_ru": "Y", "audience": "everyone", "starts_on": "2026-12-10", "ends_on": "2026-12-01"});
    assert_eq!(send(&app, &manager, "POST", "/api/v1/admin/announcements", backwards).await.0, 422);
    let by_buyer = json!({"title_ru": "X", "body_ru": "Y", "audience": "everyone"});
    assert_eq!(send(&app, &buyer, "POST", "/api/v1/admin/announcements", by_buyer).await.0, 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mailing_to_the_customers_who_stopped_buying_reaches_exactly_them() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let regular = app.token(BUYER3, "demo-buyer").await;
    // СтройМаркет (the manager's) ordered every 30 days, the last 70 days
    // ago; ИП Петров (the manager's too) ordered 20 and 10 days ago, its
    // usual pace; ТехноСнаб (another manager's) every 20 days, the last 60
    // days ago.
    let history = [
        (&buyer, 130),
        (&buyer, 100),
        (&buyer, 70),
        (&regular, 20),
        (&regular, 10),
        (&dealer, 100),
        (&dealer, 80),
        (&dealer, 60),
    ];
    let mut ids = Vec::new();
    for (token, age) in history {
        let order = place(&app, token, &[("BLT-933-8X20", 10)]).await;
        ids.push((order["id"].as_i64().expect("id"), age));
    }
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::orders;
        for (id, age) in &ids {
            let at = chrono::Utc::now().naive_utc() - chrono::Duration::days(*age);
            diesel::update(orders::table.find(id)).set(orders::placed_at.eq(at)).execute(conn)?;
        }
        Ok(())
    })
    .await;
    let (status, lapsed) = app.api_get(&admin, "/api/v1/reports/lapsed-customers").await;
    assert_eq!(status, 200, "{lapsed}");
    let companies: Vec<&str> = lapsed.as_array().expect("rows").iter().filter_map(|r| r["company"].as_str()).collect();
    assert_eq!(
        companies,
        vec!["ООО «ТехноСнаб»", "ООО «СтройМаркет»"],
        "longest overdue against its pace first: {lapsed}"
    );
    let (_, mine) = app.api_get(&manager, "/api/v1/reports/lapsed-customers").await;
    let rows = mine.as_array().expect("rows");
    assert_eq!(rows.len(), 1, "the manager's own companies only: {mine}");
    assert_eq!((rows[0]["usual_interval_days"].as_i64(), rows[0]["days_since_last"].as_i64()), (Some(30), Some(70)));
    assert_eq!(app.api_get(&buyer, "/api/v1/reports/lapsed-customers").await.0, 403, "staff only");

    let body = json!({"title_ru": "Мы скучаем", "body_ru": "Скидка 3 % на следующий заказ", "audience": "lapsed_customers", "email": true});
    let (status, created) = send(&app, &manager, "POST", "/api/v1/admin/announcements", body).await;
    assert_eq!((status, created["emails"].as_u64()), (201, Some(1)), "{created}");
    assert!(titles(&app.api_get(&buyer, "/api/v1/announcements").await.1).contains(&"Мы скучаем".to_string()));
    assert!(titles(&app.api_get(&regular, "/api/v1/announcements").await.1).is_empty(), "still buying");
    assert!(titles(&app.api_get(&dealer, "/api/v1/announcements").await.1).is_empty(), "not the manager's customer");
    assert_eq!(emails_to(&app, BUYER.0).await.len(), 1);
    assert!(emails_to(&app, BUYER3).await.is_empty() && emails_to(&app, BUYER2.0).await.is_empty());
}
