//! Reports over HTTP: sales by customer, manager and month total exactly the
//! orders they cover (cancelled ones aside), by category the lines; a
//! manager's reports cover only their companies; a cancellation leaves the
//! category and product reports at once; the customers who bought a
//! category; lapsed reservations and backorders; the spreadsheet; the page
//! with its charts, for staff only.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use chrono::Datelike;
use serde_json::{json, Value};

use crate::finance::ADMIN;
use crate::ordering::{place, send};
use crate::support::{spawn_app, TestApp, BUYER, BUYER2, MANAGER};

const BUYER3: &str = "buyer3@demo.example";

fn total(order: &Value) -> i64 {
    order["total_minor"].as_i64().expect("total")
}

fn goods(order: &Value) -> i64 {
    order["lines"].as_array().expect("lines").iter().map(|l| l["amount_minor"].as_i64().expect("amount")).sum()
}

fn row<'a>(report: &'a Value, label: &str) -> &'a Value {
    report["rows"].as_array().expect("rows").iter().find(|r| r["label"] == label).unwrap_or(&Value::Null)
}

async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = app.api_get(token, &format!("/api/v1/reports/sales?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn report_totals_equal_the_orders_they_cover_within_the_readers_scope() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let regular = app.token(BUYER3, "demo-buyer").await;

    let mine = [
        place(&app, &buyer, &[("BLT-933-8X20", 200), ("GVZ-4028-40", 12)]).await,
        place(&app, &buyer, &[("BLT-933-8X20", 50)]).await,
        place(&app, &regular, &[("GVZ-4028-40", 30)]).await,
    ];
    let theirs = place(&app, &dealer, &[("BLT-933-8X20", 500)]).await;
    let cancelled = place(&app, &buyer, &[("BLT-933-8X20", 999)]).await;
    let path = format!("/api/v1/orders/{}/transitions", cancelled["id"]);
    assert_eq!(send(&app, &buyer, "POST", &path, json!({"to": "cancelled"})).await.0, 200);

    // Everything, for the administrator: the orders' totals, cancelled aside.
    let all_total: i64 = mine.iter().map(total).sum::<i64>() + total(&theirs);
    let by_customer = report(&app, &admin, "group_by=customer").await;
    assert_eq!((by_customer["total_minor"].as_i64(), by_customer["orders"].as_i64()), (Some(all_total), Some(4)));
    let stroy = mine[..2].iter().map(total).sum::<i64>();
    assert_eq!(row(&by_customer, "ООО «СтройМаркет»")["amount_minor"].as_i64(), Some(stroy), "{by_customer}");
    let by_month = report(&app, &admin, "group_by=month").await;
    assert_eq!(by_month["total_minor"].as_i64(), Some(all_total));
    let months: i64 =
        by_month["rows"].as_array().expect("rows").iter().map(|r| r["amount_minor"].as_i64().unwrap_or(0)).sum();
    assert_eq!(months, all_total, "the months add up");
    assert!(by_month["rows"].as_array().expect("rows").len() >= 12, "every month of the period, empty ones too");
    let by_manager = report(&app, &admin, "group_by=manager").await;
    assert_eq!(row(&by_manager, "Ольга Смирнова")["amount_minor"].as_i64(), Some(mine.iter().map(total).sum::<i64>()));
    assert_eq!(row(&by_manager, "Игорь Волков")["amount_minor"].as_i64(), Some(total(&theirs)));
    let by_category = report(&app, &admin, "group_by=category").await;
    let all_goods: i64 = mine.iter().map(goods).sum::<i64>() + goods(&theirs);
    assert_eq!(by_category["total_minor"].as_i64(), Some(all_goods), "categories sum the lines: {by_category}");

    // The manager's: only their companies.
    let mine_total: i64 = mine.iter().map(total).sum();
    let managed = report(&app, &manager, "group_by=customer").await;
    assert_eq!(managed["total_minor"].as_i64(), Some(mine_total), "{managed}");
    assert!(row(&managed, "ООО «ТехноСнаб»").is_null(), "another manager's customer is not there");
    let managed_categories = report(&app, &manager, "group_by=category").await;
    assert_eq!(managed_categories["total_minor"].as_i64(), Some(mine.iter().map(goods).sum::<i64>()));

    // A cancellation leaves the line reports at once.
    let (_, top) = app.api_get(&admin, "/api/v1/reports/top-products?limit=5").await;
    let amounts: Vec<i64> = top.as_array().expect("top").iter().filter_map(|p| p["amount_minor"].as_i64()).collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "best sold first: {top}");
    let bolts = top.as_array().expect("top").iter().find(|p| p["sku"] == "BLT-933-8X20").expect("bolts").clone();
    let bolts_before = bolts["amount_minor"].as_i64().expect("amount");
    let bolt_lines: i64 = mine
        .iter()
        .chain([&theirs])
        .flat_map(|o| o["lines"].as_array().expect("lines").iter())
        .filter(|l| l["sku"] == "BLT-933-8X20")
        .map(|l| l["amount_minor"].as_i64().expect("amount"))
        .sum();
    assert_eq!(bolts_before, bolt_lines, "the product's lines, cancelled orders aside");
    let path = format!("/api/v1/orders/{}/transitions", theirs["id"]);
    assert_eq!(send(&app, &admin, "POST", &path, json!({"to": "cancelled", "comment": "отказ"})).await.0, 200);
    let (_, top) = app.api_get(&admin, "/api/v1/reports/top-products?limit=5").await;
    let bolt_line = theirs["lines"][0]["amount_minor"].as_i64().expect("amount");
    let bolts = top.as_array().expect("top").iter().find(|p| p["sku"] == "BLT-933-8X20").expect("bolts").clone();
    assert_eq!(bolts["amount_minor"].as_i64(), Some(bolts_before - bolt_line), "{top}");
    let after = report(&app, &admin, "group_by=category").await;
    assert_eq!(after["total_minor"].as_i64(), Some(all_goods - goods(&theirs)));

    // Who bought the bolts' category: the companies in scope that did.
    let category: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::products;
            Ok(products::table
                .filter(products::sku.eq("BLT-933-8X20"))
                .select(products::category_id.assume_not_null())
                .first(conn)?)
        })
        .await;
    let (status, buyers) =
        app.api_get(&manager, &format!("/api/v1/reports/category-buyers?category_id={category}")).await;
    assert_eq!(status, 200, "{buyers}");
    let names: Vec<&str> = buyers.as_array().expect("buyers").iter().filter_map(|b| b["company"].as_str()).collect();
    assert_eq!(names, vec!["ООО «СтройМаркет»"], "the manager's company that bought bolts: {buyers}");
    let (_, everyone) = app.api_get(&admin, &format!("/api/v1/reports/category-buyers?category_id={category}")).await;
    assert_eq!(everyone.as_array().map(Vec::len), Some(1), "the dealer's order was cancelled: {everyone}");
    assert_eq!(app.api_get(&manager, "/api/v1/reports/category-buyers?category_id=999999").await.0, 404);

    // Refusals: a buyer, a period the wrong way round.
    assert_eq!(app.api_get(&buyer, "/api/v1/reports/sales").await.0, 403);
    assert_eq!(app.api_get(&admin, "/api/v1/reports/sales?from=2026-12-10&to=2026-12-01").await.0, 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_spreadsheet_the_reservations_and_the_page_with_charts() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100)]).await;
    let lapsed = place(&app, &buyer, &[("GVZ-4028-40", 5)]).await;
    let lapsed_id = lapsed["id"].as_i64().expect("id");
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::orders;
        Ok(diesel::update(orders::table.find(lapsed_id)).set(orders::status.eq("reserve_expired")).execute(conn)?)
    })
    .await;

    let response = reqwest::Client::new()
        .get(app.url("/api/v1/reports/sales?group_by=customer&format=xlsx"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap_or("").contains("spreadsheetml"));
    let bytes = response.bytes().await.expect("bytes").to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c == "ООО «СтройМаркет»"), "{cells:?}");
    let amount = total(&order) as f64 / 100.0;
    assert!(cells.iter().any(|c| c.parse::<f64>().is_ok_and(|v| (v - amount).abs() < 0.001)), "{amount} in {cells:?}");

    let (status, reservations) = app.api_get(&manager, "/api/v1/reports/reservations").await;
    assert_eq!(status, 200, "{reservations}");
    assert_eq!(reservations["lapsed"][0]["number"], lapsed["number"], "{reservations}");

    // The page: charts drawn inline, tables beside them; staff only.
    let browser = app.login(MANAGER.0, MANAGER.1).await;
    let page = browser.get(app.url("/reports")).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("<svg class=\"chart line-chart\"") && html.contains("<polyline class=\"line\""),
        "a line chart"
    );
    assert!(html.contains("class=\"bar\""), "bars by category");
    assert!(html.contains("ООО «СтройМаркет»") && !html.contains("ООО «ТехноСнаб»"), "the manager's companies only");
    assert!(html.contains(&lapsed["number"].as_str().expect("number").to_string()), "the lapsed reservation");
    let file = browser.get(app.url("/reports/sales-month.xlsx")).send().await.expect("xlsx");
    assert_eq!(file.status().as_u16(), 200);
    let buyer_page = app.login(BUYER.0, BUYER.1).await;
    assert_eq!(buyer_page.get(app.url("/reports")).send().await.expect("page").status().as_u16(), 403);
}

/// The amount of the bolts in the top products of `query`'s period (0 when not sold).
async fn bolts_sold(app: &TestApp, token: &str, query: &str) -> i64 {
    let (status, top) = app.api_get(token, &format!("/api/v1/reports/top-products?limit=100&{query}")).await;
    assert_eq!(status, 200, "{query}: {top}");
    let products = top.as_array().expect("top");
    products.iter().find(|p| p["sku"] == "BLT-933-8X20").map_or(0, |p| p["amount_minor"].as_i64().expect("amount"))
}

fn bolt_lines(orders: &[&Value]) -> i64 {
    orders
        .iter()
        .flat_map(|o| o["lines"].as_array().expect("lines").iter())
        .filter(|l| l["sku"] == "BLT-933-8X20")
        .map(|l| l["amount_minor"].as_i64().expect("amount"))
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn whole_months_and_the_days_around_them_add_up_to_the_orders_of_the_period() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let early = place(&app, &buyer, &[("BLT-933-8X20", 200)]).await;
    let later = place(&app, &buyer, &[("BLT-933-8X20", 50), ("GVZ-4028-40", 12)]).await;
    let now = place(&app, &dealer, &[("BLT-933-8X20", 500)]).await;
    assert_eq!(bolts_sold(&app, &admin, "").await, bolt_lines(&[&early, &later, &now]), "all three this month");

    // Two orders move back in time, 100 and 40 days: the sums of this month
    // lose them and those of their months gain them.
    let today = chrono::Utc::now().date_naive();
    let (day_early, day_later) = (today - chrono::Duration::days(100), today - chrono::Duration::days(40));
    let moves = [(early["id"].as_i64().expect("id"), day_early), (later["id"].as_i64().expect("id"), day_later)];
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::orders;
        for (id, day) in moves {
            diesel::update(orders::table.find(id))
                .set((
                    orders::placed_at.eq(day.and_hms_opt(12, 0, 0).expect("noon")),
                    orders::updated_at.eq(chrono::Utc::now().naive_utc()),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
    .await;
    let period = |from: chrono::NaiveDate, to: chrono::NaiveDate| format!("from={from}&to={to}");
    let this_month = today.with_day(1).expect("first");
    assert_eq!(bolts_sold(&app, &admin, &period(this_month, today)).await, bolt_lines(&[&now]));
    assert_eq!(bolts_sold(&app, &admin, "").await, bolt_lines(&[&early, &later, &now]), "the year still has all three");

    // A period from the first order's day to the second's holds a whole
    // month at least and days on either side; a day less on either end
    // leaves that end's order out.
    let both = period(day_early, day_later);
    assert_eq!(bolts_sold(&app, &admin, &both).await, bolt_lines(&[&early, &later]), "{both}");
    let by_category = report(&app, &admin, &format!("group_by=category&{both}")).await;
    assert_eq!(by_category["total_minor"].as_i64(), Some(goods(&early) + goods(&later)), "{by_category}");
    assert_eq!(by_category["orders"].as_i64(), Some(2));
    let bolts_row = by_category["rows"].as_array().expect("rows").iter().map(|r| r["orders"].as_i64()).max();
    assert_eq!(bolts_row, Some(Some(2)), "the bolts' category counts both orders: {by_category}");
    let first_day_out = period(day_early + chrono::Duration::days(1), day_later);
    assert_eq!(bolts_sold(&app, &admin, &first_day_out).await, bolt_lines(&[&later]), "{first_day_out}");
    let last_day_out = period(day_early, day_later - chrono::Duration::days(1));
    assert_eq!(bolts_sold(&app, &admin, &last_day_out).await, bolt_lines(&[&early]), "{last_day_out}");

    // The whole month of the second order, read from its monthly sums alone.
    let month_start = day_later.with_day(1).expect("first");
    let month_end = (month_start + chrono::Duration::days(32)).with_day(1).expect("first") - chrono::Duration::days(1);
    let whole_month = period(month_start, month_end);
    assert_eq!(bolts_sold(&app, &admin, &whole_month).await, bolt_lines(&[&later]), "{whole_month}");
    let month_categories = report(&app, &admin, &format!("group_by=category&{whole_month}")).await;
    assert_eq!(month_categories["total_minor"].as_i64(), Some(goods(&later)), "{month_categories}");

    // The manager's year: their company's two orders, not the dealer's.
    assert_eq!(bolts_sold(&app, &manager, "").await, bolt_lines(&[&early, &later]));

    // Cancelling the second order takes it out of its month's sums; reports
    // asked for at the same moment take turns refreshing and agree.
    let path = format!("/api/v1/orders/{}/transitions", later["id"]);
    assert_eq!(send(&app, &buyer, "POST", &path, json!({"to": "cancelled"})).await.0, 200);
    let together = tokio::join!(
        bolts_sold(&app, &admin, &whole_month),
        bolts_sold(&app, &manager, &whole_month),
        bolts_sold(&app, &admin, &both),
        bolts_sold(&app, &manager, &both),
    );
    assert_eq!(together, (0, 0, bolt_lines(&[&early]), bolt_lines(&[&early])), "{whole_month}, {both}");
    let month_categories = report(&app, &admin, &format!("group_by=category&{whole_month}")).await;
    assert_eq!(month_categories["total_minor"].as_i64(), Some(0), "{month_categories}");

    // After every change above, the monthly sums are the facts summed.
    let (summed, kept) = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::{sales_facts, sales_month_offer_facts};
            use std::collections::BTreeMap;
            let lines: Vec<(i64, chrono::NaiveDateTime, i64, i64, i64)> = sales_facts::table
                .select((
                    sales_facts::offer_id,
                    sales_facts::placed_at,
                    sales_facts::company_id,
                    sales_facts::quantity,
                    sales_facts::amount_minor,
                ))
                .load(conn)?;
            let mut summed: BTreeMap<(i64, i64, i64), (i64, i64)> = BTreeMap::new();
            for (offer, at, company, quantity, amount) in lines {
                let key = (offer, portal::reports::period::month_key(at.date()), company);
                let sum = summed.entry(key).or_default();
                *sum = (sum.0 + quantity, sum.1 + amount);
            }
            let kept: Vec<(i64, i64, i64, i64, i64)> = sales_month_offer_facts::table
                .select((
                    sales_month_offer_facts::offer_id,
                    sales_month_offer_facts::month,
                    sales_month_offer_facts::company_id,
                    sales_month_offer_facts::quantity,
                    sales_month_offer_facts::amount_minor,
                ))
                .load(conn)?;
            let kept: BTreeMap<(i64, i64, i64), (i64, i64)> =
                kept.into_iter().map(|(o, m, c, q, a)| ((o, m, c), (q, a))).collect();
            Ok((summed, kept))
        })
        .await;
    assert!(!kept.is_empty());
    assert_eq!(kept, summed);
}

/// The facts after an upgrade are filled when the portal starts, before it
/// serves anyone: no report pays for the first fill inside its request
/// (on SQLite, while holding the database's write lock).
#[tokio::test(flavor = "multi_thread")]
async fn the_portal_fills_the_reports_facts_when_it_starts() {
    use diesel::prelude::*;
    use portal::db::schema::{order_lines, orders, sales_facts, sales_month_offer_facts, settings};

    let (url, _cleanup) = tokio::task::spawn_blocking(crate::support::fresh_database_url).await.expect("database");
    let portal = crate::process::Portal::start(&url, &[], &[]).await;
    let client = reqwest::Client::new();
    let token: Value = client
        .post(portal.url("/api/v1/auth/token"))
        .json(&json!({"email": BUYER.0, "password": BUYER.1}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let bearer = format!("Bearer {}", token["token"].as_str().expect("token"));
    let call = |method: reqwest::Method, path: &str, body: Value| {
        client.request(method, portal.url(path)).header("authorization", &bearer).json(&body).send()
    };
    let carts: Value =
        call(reqwest::Method::GET, "/api/v1/carts", json!(null)).await.expect("carts").json().await.expect("json");
    let cart =
        carts.as_array().expect("carts").iter().find(|c| c["is_current"] == true).expect("current")["id"].clone();
    let line = json!({"sku": "BLT-933-8X20", "quantity": 20});
    let added = call(reqwest::Method::POST, &format!("/api/v1/carts/{cart}/lines"), line).await.expect("line");
    assert_eq!(added.status(), 200);
    let checkout = json!({"delivery_address": "Склад"});
    let placed =
        call(reqwest::Method::POST, &format!("/api/v1/carts/{cart}/checkout"), checkout).await.expect("checkout");
    assert_eq!(placed.status(), 201);
    drop(portal);

    // As after an upgrade: no facts, no sums, no mark.
    let db = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || portal::db::Db::connect(&url, 2)).await.expect("join").expect("connect")
    };
    db.run(|conn| {
        diesel::delete(sales_facts::table).execute(conn)?;
        diesel::delete(sales_month_offer_facts::table).execute(conn)?;
        diesel::delete(settings::table.filter(settings::key.eq("sales_facts_synced_at"))).execute(conn)?;
        Ok(())
    })
    .await
    .expect("reset");

    let portal = crate::process::Portal::start(&url, &[], &[]).await;
    let (facts, lines, sums, marked) = db
        .run(|conn| {
            let facts: i64 = sales_facts::table.count().get_result(conn)?;
            let lines: i64 = order_lines::table
                .inner_join(orders::table)
                .filter(orders::status.eq_any(portal::reports::facts::COUNTED))
                .count()
                .get_result(conn)?;
            let sums: i64 = sales_month_offer_facts::table.count().get_result(conn)?;
            let marked =
                settings::table.filter(settings::key.eq("sales_facts_synced_at")).count().get_result::<i64>(conn)?;
            Ok((facts, lines, sums, marked))
        })
        .await
        .expect("facts");
    assert!(lines > 0);
    assert_eq!((facts, marked), (lines, 1), "every counted line is a fact before any report was asked for");
    assert!(sums > 0, "and the monthly sums are written");
    assert!(portal.output().contains("sales facts for the reports brought up to date"), "{}", portal.output());
}
