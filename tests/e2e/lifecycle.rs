//! The order lifecycle over HTTP: transitions per actor, shipments (partial
//! then the rest), payments, the reservation clock, scoping between
//! managers, notifications, and the complete history.

use serde_json::{json, Value};

use crate::ordering::{current_cart, offer, place, send};
use crate::support::{spawn_app, TestApp, BUYER, MANAGER};

const MANAGER2: (&str, &str) = ("manager2@demo.example", "demo-manager");

async fn move_to(app: &TestApp, token: &str, id: i64, to: &str) -> (u16, Value) {
    send(app, token, "POST", &format!("/api/v1/orders/{id}/transitions"), json!({"to": to, "comment": "тест"})).await
}

#[tokio::test(flavor = "multi_thread")]
async fn transitions_follow_the_state_machine_per_actor() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100)]).await;
    let id = order["id"].as_i64().expect("id");

    let (status, refused) = move_to(&app, &manager, id, "closed").await;
    assert_eq!(status, 409);
    assert_eq!(refused["from"], "new");
    let allowed: Vec<&str> =
        refused["allowed"].as_array().expect("allowed").iter().map(|v| v.as_str().expect("s")).collect();
    assert_eq!(allowed, ["processing", "reserved", "paid", "cancelled"]);

    let (status, moved) = move_to(&app, &manager, id, "processing").await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["status"], "processing");
    let (status, refused) = move_to(&app, &buyer, id, "cancelled").await;
    assert_eq!(status, 409, "a buyer cancels only new orders");
    assert!(refused["allowed"].as_array().expect("allowed").is_empty());
    let (status, _) = move_to(&app, &manager, id, "flying").await;
    assert_eq!(status, 422);

    // A buyer cancels their own new order; the reserve goes back to stock.
    let (_, _, _, before) = offer(&app, "BLT-933-8X30").await;
    let second = place(&app, &buyer, &[("BLT-933-8X30", 100)]).await;
    let second_id = second["id"].as_i64().expect("id");
    let (_, _, _, during) = offer(&app, "BLT-933-8X30").await;
    assert_eq!(during, before - 100_000.min(before));
    let (status, cancelled) = move_to(&app, &buyer, second_id, "cancelled").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["lines"][0]["reserved"], "0");
    let (_, _, _, after) = offer(&app, "BLT-933-8X30").await;
    assert_eq!(after, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn partial_shipment_then_the_rest_and_payment() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100), ("NUT-934-M8", 200)]).await;
    let id = order["id"].as_i64().expect("id");
    let total = order["total_minor"].as_i64().expect("total");
    let lines = order["lines"].as_array().expect("lines").clone();
    let (bolt, nut) = (lines[0]["id"].as_i64().expect("id"), lines[1]["id"].as_i64().expect("id"));

    let (status, _) = send(
        &app,
        &buyer,
        "POST",
        &format!("/api/v1/orders/{id}/payments"),
        json!({"amount_minor": 100, "date": "2026-11-26"}),
    )
    .await;
    assert_eq!(status, 403, "buyers do not record payments");
    let (status, part) = send(
        &app,
        &manager,
        "POST",
        &format!("/api/v1/orders/{id}/payments"),
        json!({"amount_minor": total / 2, "date": "2026-11-26", "document_number": "ПП-101"}),
    )
    .await;
    assert_eq!(status, 200, "{part}");
    assert_eq!(part["status"], "new", "half paid is not paid");
    let (_, paid) = send(
        &app,
        &manager,
        "POST",
        &format!("/api/v1/orders/{id}/payments"),
        json!({"amount_minor": total - total / 2, "date": "2026-11-27", "document_number": "ПП-102"}),
    )
    .await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["paid_minor"], total);

    let (_, _, _, bolts_before) = offer(&app, "BLT-933-8X20").await;
    let (status, partial) = send(
        &app,
        &manager,
        "POST",
        &format!("/api/v1/orders/{id}/shipments"),
        json!({"number": "РН-1", "date": "2026-11-28", "lines": [{"line_id": bolt, "quantity": 40}]}),
    )
    .await;
    assert_eq!(status, 200, "{partial}");
    assert_eq!(partial["status"], "partially_shipped");
    assert_eq!(
        (partial["lines"][0]["shipped"].as_str(), partial["lines"][0]["reserved"].as_str()),
        (Some("40"), Some("60"))
    );
    let (_, _, _, bolts_after) = offer(&app, "BLT-933-8X20").await;
    assert_eq!(bolts_after, bolts_before, "shipping reserved goods leaves free stock as it was");

    let (status, too_much) = send(
        &app,
        &manager,
        "POST",
        &format!("/api/v1/orders/{id}/shipments"),
        json!({"number": "РН-2", "date": "2026-11-29", "lines": [{"line_id": bolt, "quantity": 61}]}),
    )
    .await;
    assert_eq!(status, 422, "{too_much}");
    let (_, rest) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/shipments"),
        json!({"number": "РН-2", "date": "2026-11-29", "lines": [{"line_id": bolt, "quantity": 60}, {"line_id": nut, "quantity": "200"}]})).await;
    assert_eq!(rest["status"], "shipped");
    assert!(rest["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .all(|l| l["reserved"] == "0" && l["shipped"] == l["quantity"]));
    let (_, closed) = move_to(&app, &manager, id, "closed").await;
    assert_eq!(closed["status"], "closed");

    // The history tells the whole story, in order.
    let (status, events) = app.api_get(&buyer, &format!("/api/v1/orders/{id}/events")).await;
    assert_eq!(status, 200);
    let kinds: Vec<(&str, Option<&str>)> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["kind"].as_str().expect("kind"), e["to_status"].as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("placed", Some("new")),
            ("payment", Some("new")),
            ("payment", Some("paid")),
            ("shipment", Some("partially_shipped")),
            ("shipment", Some("shipped")),
            ("status_changed", Some("closed")),
        ]
    );
    let payment: Value = serde_json::from_str(events[2]["details"].as_str().expect("details")).expect("json");
    assert_eq!(payment["paid_before"], total / 2);
    assert_eq!(payment["paid_after"], total);
    assert!(events
        .as_array()
        .expect("events")
        .iter()
        .skip(1)
        .all(|e| e["actor"] == "manager" && !e["actor_user_id"].is_null()));

    // The buyer was told at each step.
    let (_, feed) = app.api_get(&buyer, "/api/v1/notifications").await;
    let kinds: Vec<&str> =
        feed["items"].as_array().expect("items").iter().map(|n| n["kind"].as_str().expect("k")).collect();
    for kind in ["order_placed", "payment", "shipment", "status_changed"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let unread = feed["unread"].as_i64().expect("unread");
    let first = feed["items"][0]["id"].as_i64().expect("id");
    let (status, _) = send(&app, &buyer, "POST", &format!("/api/v1/notifications/{first}/read"), json!({})).await;
    assert_eq!(status, 204);
    let (_, feed) = app.api_get(&buyer, "/api/v1/notifications").await;
    assert_eq!(feed["unread"].as_i64(), Some(unread - 1));
    let (status, _) = send(&app, &manager, "POST", &format!("/api/v1/notifications/{first}/read"), json!({})).await;
    assert_eq!(status, 404, "another user's notification");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_managers_company_is_out_of_reach() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager2 = app.token(MANAGER2.0, MANAGER2.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let id = order["id"].as_i64().expect("id");
    let line = order["lines"][0]["id"].as_i64().expect("line");
    assert_eq!(app.api_get(&manager2, &format!("/api/v1/orders/{id}")).await.0, 404);
    assert_eq!(app.api_get(&manager2, &format!("/api/v1/orders/{id}/events")).await.0, 404);
    assert_eq!(move_to(&app, &manager2, id, "processing").await.0, 404);
    for (path, body) in [
        (format!("/api/v1/orders/{id}/payments"), json!({"amount_minor": 1, "date": "2026-11-26"})),
        (
            format!("/api/v1/orders/{id}/shipments"),
            json!({"number": "X", "date": "2026-11-26", "lines": [{"line_id": line, "quantity": 1}]}),
        ),
        (format!("/api/v1/orders/{id}/reservation"), json!({"deadline": "2030-01-01T00:00:00Z"})),
        (format!("/api/v1/orders/{id}/lines/{line}/release"), json!({})),
    ] {
        assert_eq!(send(&app, &manager2, "POST", &path, body).await.0, 404, "{path}");
    }
    let (_, list) = app.api_get(&manager2, "/api/v1/orders").await;
    assert_eq!(list["total"], 0);
    let (_, board) = app.api_get(&manager2, "/api/v1/manager/dashboard").await;
    assert!(board.as_array().expect("buckets").iter().all(|b| b["count"] == 0));
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let (_, board) = app.api_get(&manager, "/api/v1/manager/dashboard").await;
    let new = board.as_array().expect("buckets").iter().find(|b| b["key"] == "new").expect("new");
    assert_eq!(new["count"], 1);
    assert_eq!(new["orders"][0]["id"], id);
}

#[tokio::test(flavor = "multi_thread")]
async fn expiry_releases_exactly_the_reserve_once() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let (_, _, _, bolts_before) = offer(&app, "BLT-933-8X20").await;
    let (_, _, _, nuts_before) = offer(&app, "NUT-934-M8").await;
    let lapsing = place(&app, &buyer, &[("BLT-933-8X20", 100), ("NUT-934-M8", 200)]).await;
    let paid = place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let warned = place(&app, &buyer, &[("NUT-934-M8", 100)]).await;
    let (lapsing_id, paid_id, warned_id) =
        (lapsing["id"].as_i64().expect("id"), paid["id"].as_i64().expect("id"), warned["id"].as_i64().expect("id"));
    let total = paid["total_minor"].as_i64().expect("total");
    send(
        &app,
        &manager,
        "POST",
        &format!("/api/v1/orders/{paid_id}/payments"),
        json!({"amount_minor": total, "date": "2026-11-26"}),
    )
    .await;
    let now = chrono::Utc::now().naive_utc();
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::orders;
        let past = now - chrono::Duration::hours(1);
        diesel::update(orders::table.filter(orders::id.eq_any([lapsing_id, paid_id])))
            .set(orders::reservation_deadline.eq(Some(past)))
            .execute(conn)?;
        diesel::update(orders::table.find(warned_id))
            .set(orders::reservation_deadline.eq(Some(now + chrono::Duration::hours(5))))
            .execute(conn)?;
        Ok(())
    })
    .await;

    let (first, second) = app
        .with_db(move |conn| {
            let lead = chrono::Duration::hours(24);
            let first = portal::ordering::expiry::run(conn, now, lead)?;
            let second = portal::ordering::expiry::run(conn, now, lead)?;
            Ok((first, second))
        })
        .await;
    assert_eq!((first.expired, first.warned, first.released_lines), (1, 1, 2));
    assert_eq!((second.expired, second.warned, second.released_lines), (0, 0, 0), "a second run changes nothing");

    let (_, order) = app.api_get(&buyer, &format!("/api/v1/orders/{lapsing_id}")).await;
    assert_eq!(order["status"], "reserve_expired");
    assert!(order["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .all(|l| l["reserved"] == "0" && l["backordered"] == l["quantity"]));
    let (_, _, _, bolts_after) = offer(&app, "BLT-933-8X20").await;
    let (_, _, _, nuts_after) = offer(&app, "NUT-934-M8").await;
    assert_eq!(bolts_after, bolts_before - 50_000, "only the paid order still holds bolts");
    assert_eq!(nuts_after, nuts_before - 100_000, "only the warned order still holds nuts");
    let (_, order) = app.api_get(&buyer, &format!("/api/v1/orders/{paid_id}")).await;
    assert_eq!(order["status"], "paid", "payment stops the clock");

    let (_, feed) = app.api_get(&buyer, "/api/v1/notifications").await;
    let kinds: Vec<&str> =
        feed["items"].as_array().expect("items").iter().map(|n| n["kind"].as_str().expect("k")).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "reservation_lapsed").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "reservation_lapsing").count(), 1);
    let (_, events) = app.api_get(&manager, &format!("/api/v1/orders/{lapsing_id}/events")).await;
    let last = events.as_array().expect("events").last().expect("event").clone();
    assert_eq!(
        (last["kind"].as_str(), last["actor"].as_str(), last["from_status"].as_str()),
        (Some("reservation_expired"), Some("system"), Some("new"))
    );

    // A manager reopens it: stock is reserved again with a new deadline.
    let (status, reopened) = move_to(&app, &manager, lapsing_id, "processing").await;
    assert_eq!(status, 200, "{reopened}");
    assert!(reopened["lines"].as_array().expect("lines").iter().all(|l| l["reserved"] != "0"));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_never_both_run_the_expiry_job() {
    let app = spawn_app().await;
    let db = app.db.clone();
    let ran = tokio::task::spawn_blocking(move || {
        let tick = connector::runner::current_tick();
        let threads: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|instance| {
                let db = db.clone();
                std::thread::spawn(move || {
                    connector::runner::run_leased(
                        &db,
                        "reservation-expiry",
                        instance,
                        tick,
                        portal::journal::Trigger::Schedule,
                    )
                    .expect("run")
                    .is_some()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().expect("thread")).filter(|ran| *ran).count()
    })
    .await
    .expect("join");
    assert_eq!(ran, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn extend_and_release_are_in_the_history() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100)]).await;
    let id = order["id"].as_i64().expect("id");
    let line = order["lines"][0]["id"].as_i64().expect("line");
    let (status, extended) = send(
        &app,
        &manager,
        "POST",
        &format!("/api/v1/orders/{id}/reservation"),
        json!({"deadline": "2030-01-15T15:00:00+03:00"}),
    )
    .await;
    assert_eq!(status, 200, "{extended}");
    let deadline = extended["reservation_deadline"].as_str().expect("deadline");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(deadline).map(|t| t.naive_utc().to_string()).ok().as_deref(),
        Some("2030-01-15 12:00:00"),
        "sent and answered as RFC 3339 with an offset: {deadline}"
    );
    let (status, _) = send(
        &app,
        &manager,
        "POST",
        &format!("/api/v1/orders/{id}/reservation"),
        json!({"deadline": "2001-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(status, 422, "a deadline in the past");
    let (_, released) =
        send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/lines/{line}/release"), json!({})).await;
    assert_eq!(
        (released["lines"][0]["reserved"].as_str(), released["lines"][0]["backordered"].as_str()),
        (Some("0"), Some("100"))
    );
    let (_, renewed) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/reservation/renew"), json!({})).await;
    assert_eq!(renewed["lines"][0]["reserved"], "100");
    let (_, events) = app.api_get(&buyer, &format!("/api/v1/orders/{id}/events")).await;
    let kinds: Vec<&str> = events.as_array().expect("events").iter().map(|e| e["kind"].as_str().expect("k")).collect();
    assert_eq!(kinds, ["placed", "deadline_extended", "line_released", "re_reserved"]);
    let extended: Value = serde_json::from_str(events[1]["details"].as_str().expect("details")).expect("json");
    assert!(extended["before"].is_string() && extended["after"] == "2030-01-15T12:00:00");
}

#[tokio::test(flavor = "multi_thread")]
async fn manager_journey_through_the_pages() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100), ("NUT-934-M8", 200)]).await;
    let id = order["id"].as_i64().expect("id");
    let number = order["number"].as_str().expect("number").to_string();
    let bolt = order["lines"][0]["id"].as_i64().expect("line");

    let manager = app.login(MANAGER.0, MANAGER.1).await;
    let board = manager.get(app.url("/manager")).send().await.expect("board").text().await.expect("body");
    assert!(board.contains(&number), "the new order is on the dashboard");
    let page = manager.get(app.url(&format!("/orders/{id}"))).send().await.expect("order").text().await.expect("body");
    let csrf = crate::support::csrf_of(&page);
    let confirm = manager
        .post(app.url(&format!("/orders/{id}/transition")))
        .form(&[("csrf", csrf.as_str()), ("to", "processing"), ("comment", "Подтверждён")])
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirm.status(), 303);
    let ship = manager
        .post(app.url(&format!("/orders/{id}/shipment")))
        .form(&[
            ("csrf", csrf.clone()),
            ("number", "РН-77".into()),
            ("date", "2026-11-27".into()),
            (format!("ship_{bolt}").as_str(), "40".into()),
        ])
        .send()
        .await
        .expect("ship");
    assert_eq!(ship.status(), 303);
    let page = manager.get(app.url(&format!("/orders/{id}"))).send().await.expect("order").text().await.expect("body");
    let flash = page.split("class=\"flash\"").nth(1).map(|s| s.chars().take(300).collect::<String>());
    assert!(page.contains("Отгружен частично") && page.contains("РН-77"), "flash and status on the page: {flash:?}");

    let client = app.login(BUYER.0, BUYER.1).await;
    let seen = client.get(app.url(&format!("/orders/{id}"))).send().await.expect("order").text().await.expect("body");
    assert!(seen.contains("Отгружен частично") && seen.contains("Подтверждён"));
    let feed = client.get(app.url("/notifications")).send().await.expect("feed").text().await.expect("body");
    assert!(feed.contains(&format!("Заказ {number}: отгрузка РН-77")), "{feed}");
    // A buyer cannot use the manager's forms.
    let forged = client
        .post(app.url(&format!("/orders/{id}/payment")))
        .form(&[("csrf", crate::support::csrf_of(&feed).as_str()), ("amount", "1"), ("date", "2026-11-27")])
        .send()
        .await
        .expect("pay");
    assert_eq!(forged.status(), 403);
    assert_eq!(client.get(app.url("/manager")).send().await.expect("board").status(), 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_orders_on_behalf_of_a_buyer() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let manager2 = app.token(MANAGER2.0, MANAGER2.1).await;
    let cart = current_cart(&app, &buyer).await;
    send(&app, &buyer, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": "NUT-934-M8", "quantity": 100}))
        .await;
    let buyer_id: i64 =
        app.with_db(|conn| Ok(portal::accounts::User::find_by_email(conn, BUYER.0)?.expect("buyer").id.0)).await;
    let body = json!({"buyer_id": buyer_id, "lines": "BLT-933-8X20 100\nNOPE-1 5", "po_number": "PO-TEL-1"});
    let (status, _) = send(&app, &manager2, "POST", "/api/v1/manager/orders", body.clone()).await;
    assert_eq!(status, 404, "not this manager's customer");
    let (status, _) = send(&app, &buyer, "POST", "/api/v1/manager/orders", body.clone()).await;
    assert_eq!(status, 403);
    let (status, placed) = send(&app, &manager, "POST", "/api/v1/manager/orders", body).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["order"]["company"], "ООО «СтройМаркет»");
    assert_eq!(placed["order"]["lines"].as_array().expect("lines").len(), 1);
    assert_eq!(placed["order"]["events"][0]["actor"], "manager");
    assert!(placed["order"]["delivery_address"].as_str().expect("address").contains("Мытищи"), "the company's address");
    assert_eq!(placed["rows"][1]["verdict"], "unknown");
    let id = placed["order"]["id"].as_i64().expect("id");
    assert_eq!(app.api_get(&buyer, &format!("/api/v1/orders/{id}")).await.0, 200, "the buyer sees it");
    let (_, detail) = app.api_get(&buyer, &format!("/api/v1/carts/{cart}")).await;
    assert_eq!(detail["lines"].as_array().expect("lines").len(), 1, "the buyer's own cart is untouched");
    let (_, feed) = app.api_get(&buyer, "/api/v1/notifications").await;
    assert_eq!(feed["items"][0]["kind"], "order_placed");
}

#[tokio::test(flavor = "multi_thread")]
async fn order_list_filters_sorting_and_company_page() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let small = place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let big = place(&app, &buyer, &[("BLT-933-8X20", 500)]).await;
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let (_, by_total) = app.api_get(&admin, "/api/v1/orders?sort=total_desc").await;
    let ids: Vec<i64> =
        by_total["items"].as_array().expect("items").iter().map(|o| o["id"].as_i64().expect("id")).collect();
    assert_eq!(ids, [big["id"].as_i64().expect("id"), small["id"].as_i64().expect("id")]);
    let (_, oldest) = app.api_get(&admin, "/api/v1/orders?sort=oldest").await;
    assert_eq!(oldest["items"][0]["id"], small["id"]);
    assert_eq!(app.api_get(&admin, "/api/v1/orders?sort=sideways").await.0, 400);
    let (company, manager2_id): (i64, i64) = app
        .with_db(|conn| {
            let buyer = portal::accounts::User::find_by_email(conn, BUYER.0)?.expect("buyer");
            let m2 = portal::accounts::User::find_by_email(conn, MANAGER2.0)?.expect("m2");
            Ok((buyer.company_id.expect("company").0, m2.id.0))
        })
        .await;
    let (_, for_company) = app.api_get(&admin, &format!("/api/v1/orders?company={company}")).await;
    assert_eq!(for_company["total"], 2);
    let (_, for_manager2) = app.api_get(&admin, &format!("/api/v1/orders?manager={manager2_id}")).await;
    assert_eq!(for_manager2["total"], 0, "the buyer's company belongs to the other manager");
    let (_, today) = app.api_get(&admin, &format!("/api/v1/orders?from={}", chrono::Utc::now().date_naive())).await;
    assert_eq!(today["total"], 2);

    let manager = app.login(MANAGER.0, MANAGER.1).await;
    let page = manager.get(app.url(&format!("/companies/{company}"))).send().await.expect("company");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    assert!(html.contains("ОПТ-2026") && html.contains(small["number"].as_str().expect("number")));
    let other = app.login(MANAGER2.0, MANAGER2.1).await;
    assert_eq!(other.get(app.url(&format!("/companies/{company}"))).send().await.expect("company").status(), 404);
    let list = manager.get(app.url(&format!("/orders?sort=total_desc&company={company}"))).send().await.expect("list");
    assert_eq!(list.status(), 200);
}
