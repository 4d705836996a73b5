//! Finance: the ledger from the portal's own records and from the ERP (file
//! and JSON, all or nothing, idempotent), positions with overdue debt across
//! the deferral, the credit check at checkout under both policies with
//! approval and rejection, prepayment contracts, and scoping.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::ordering::{current_cart, send};
use crate::support::{spawn_app, TestApp, BUYER, BUYER2, MANAGER};

pub(crate) const ADMIN: (&str, &str) = ("admin@demo.example", "demo-admin");
pub(crate) const CONTRACT: &str = "ОПТ-2026/014";
const INN: &str = "7701234564";

/// The buyer's (СтройМаркет's) contract id.
async fn contract_id(app: &TestApp) -> i64 {
    app.with_db(|conn| {
        use diesel::prelude::*;
        use portal::db::schema::contracts;
        Ok(contracts::table.filter(contracts::number.eq(CONTRACT)).select(contracts::id).first::<i64>(conn)?)
    })
    .await
}

/// Starts the buyer's contract afresh: no ledger, no ERP balance, prepayment
/// only (the demo data gives it credit and a history).
pub(crate) async fn clean_slate(app: &TestApp) -> i64 {
    let contract = contract_id(app).await;
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::{contract_balances, contracts, ledger_entries};
        diesel::delete(ledger_entries::table.filter(ledger_entries::contract_id.eq(contract))).execute(conn)?;
        diesel::delete(contract_balances::table.filter(contract_balances::contract_id.eq(contract))).execute(conn)?;
        diesel::update(contracts::table.find(contract))
            .set((contracts::credit_limit_minor.eq(0), contracts::grace_days.eq(0)))
            .execute(conn)?;
        Ok(())
    })
    .await;
    contract
}

async fn position(app: &TestApp, token: &str) -> Value {
    let (status, all) = app.api_get(token, "/api/v1/finance").await;
    assert_eq!(status, 200, "{all}");
    all.as_array().expect("positions").iter().find(|p| p["contract_number"] == CONTRACT).expect("contract").clone()
}

async fn set_terms(app: &TestApp, admin: &str, contract: i64, terms: Value) {
    let (status, body) = send(app, admin, "PATCH", &format!("/api/v1/admin/contracts/{contract}"), terms).await;
    assert_eq!(status, 200, "{body}");
}

async fn set_policy(app: &TestApp, admin: &str, policy: &str) {
    let (status, body) =
        send(app, admin, "PATCH", "/api/v1/admin/settings", json!({"settings": {"credit_policy": policy}})).await;
    assert_eq!(status, 200, "{body}");
}

/// Fills the buyer's cart and checks out: (status, body).
async fn checkout(app: &TestApp, token: &str, quantity: i64) -> (u16, Value) {
    let cart = current_cart(app, token).await;
    let line = json!({"sku": "BLT-933-8X20", "quantity": quantity});
    let (status, body) = send(app, token, "POST", &format!("/api/v1/carts/{cart}/lines"), line).await;
    assert_eq!(status, 200, "{body}");
    send(app, token, "POST", &format!("/api/v1/carts/{cart}/checkout"), json!({"delivery_address": "Склад"})).await
}

pub(crate) fn day(days_ago: i64) -> String {
    (Utc::now().date_naive() - Duration::days(days_ago)).to_string()
}

/// A ledger row for the JSON API on the buyer's contract, dated `days_ago`.
pub(crate) fn ledger_row(kind: &str, number: &str, days_ago: i64, debit: i64, credit: i64) -> Value {
    json!({"contract": CONTRACT, "kind": kind, "number": number, "date": day(days_ago),
           "debit_minor": debit, "credit_minor": credit})
}

fn ledger_csv(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut text = String::from("Договор;ИНН;Вид документа;Номер;Дата;Дебет;Кредит;Срок оплаты\n");
    for row in rows {
        text.push_str(&row.join(";"));
        text.push('\n');
    }
    text.into_bytes()
}

async fn import(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    app.post_file(token, "/api/v1/admin/imports", name, bytes, &[]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ledger_file_applies_once_and_a_broken_one_changes_nothing() {
    let app = spawn_app().await;
    clean_slate(&app).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let (d60, d50, d20) = (day(60), day(50), day(20));
    let file = ledger_csv(&[
        [CONTRACT, INN, "Реализация товаров", "РН-101", &d60, "1 000,00", "", ""],
        [CONTRACT, INN, "Поступление на расчётный счёт", "ПП-55", &d50, "", "400,00", ""],
        ["", INN, "УПД", "РН-102", &d20, "500", "", ""],
    ]);
    let (status, run) = import(&app, &admin, "ledger.csv", file.clone()).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["ledger"]["created"], 3, "{run}");

    // Deferral 14 days: РН-101 fell due 46 days ago and 600,00 of it is
    // open; РН-102 is 6 days past due.
    let p = position(&app, &buyer).await;
    assert_eq!(p["balance_minor"], 110_000, "{p}");
    assert_eq!(p["overdue_minor"], 110_000, "{p}");
    assert_eq!(p["overdue_days"], 46, "{p}");
    let contract = p["contract_id"].as_i64().expect("id");
    let (status, docs) = app.api_get(&buyer, &format!("/api/v1/finance/documents?contract_id={contract}")).await;
    assert_eq!(status, 200, "{docs}");
    let open: Vec<i64> =
        docs["documents"].as_array().expect("docs").iter().map(|d| d["open_minor"].as_i64().unwrap_or(0)).collect();
    assert_eq!(open, [60_000, 0, 50_000], "{docs}");

    let (_, again) = import(&app, &admin, "ledger.csv", file).await;
    assert_eq!(again["counts"]["ledger"]["unchanged"], 3, "the same file twice changes nothing: {again}");
    assert_eq!(position(&app, &buyer).await["balance_minor"], 110_000);

    // One unreadable row: the whole file is refused, with the row named.
    let broken = ledger_csv(&[
        [CONTRACT, INN, "Оплата", "ПП-56", &d20, "", "1 100,00", ""],
        [CONTRACT, INN, "Реализация", "РН-103", "позавчера", "10", "", ""],
    ]);
    let (status, refused) = import(&app, &admin, "ledger.csv", broken).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"][0]["message"].as_str().expect("message").contains("row 3"), "{refused}");
    assert_eq!(position(&app, &buyer).await["balance_minor"], 110_000, "nothing changed");

    // A contract nobody has: refused too.
    let unknown = ledger_csv(&[["НЕТ-ТАКОГО", "", "Оплата", "ПП-1", &d20, "", "1", ""]]);
    let (status, refused) = import(&app, &admin, "ledger.csv", unknown).await;
    assert_eq!(status, 422, "{refused}");

    // The ERP's balance wins over the ledger's sum; the difference is reported.
    let (status, applied) = send(
        &app,
        &admin,
        "POST",
        "/api/v1/erp/ledger",
        json!({"rows": [{"contract": CONTRACT, "kind": "balance", "date": day(1), "debit_minor": 90_000}]}),
    )
    .await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["differences"][0]["ledger_balance_minor"], 110_000, "{applied}");
    let p = position(&app, &buyer).await;
    assert_eq!((p["balance_minor"].as_i64(), p["ledger_balance_minor"].as_i64()), (Some(90_000), Some(110_000)));
    let journal = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::sync_runs;
            Ok(sync_runs::table
                .filter(sync_runs::job.eq("ledger (api)"))
                .order(sync_runs::id.desc())
                .select(sync_runs::errors)
                .first::<String>(conn)?)
        })
        .await;
    assert!(journal.contains(CONTRACT) && journal.contains("900.00") && journal.contains("1,100.00"), "{journal}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portals_own_shipments_and_payments_reach_the_ledger() {
    let app = spawn_app().await;
    clean_slate(&app).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let contract = contract_id(&app).await;
    set_terms(&app, &admin, contract, json!({"credit_limit_minor": 100_000_000})).await;
    let (status, order) = checkout(&app, &buyer, 10).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "new", "within the limit: placed as always");
    let (id, total) = (order["id"].as_i64().expect("id"), order["total_minor"].as_i64().expect("total"));
    let line = order["lines"][0]["id"].as_i64().expect("line");
    let to_processing = json!({"to": "processing"});
    let (status, body) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/transitions"), to_processing).await;
    assert_eq!(status, 200, "{body}");
    let shipment = json!({"number": "РН-7", "date": day(0), "lines": [{"line_id": line, "quantity": 4}]});
    let (status, body) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/shipments"), shipment).await;
    assert_eq!(status, 200, "{body}");
    let payment = json!({"amount_minor": 1_000, "date": day(0), "document_number": "ПП-9"});
    let (status, body) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/payments"), payment).await;
    assert_eq!(status, 200, "{body}");
    let (_, docs) = app.api_get(&buyer, &format!("/api/v1/finance/documents?contract_id={contract}")).await;
    let kinds: Vec<(&str, &str)> = docs["documents"]
        .as_array()
        .expect("docs")
        .iter()
        .map(|d| (d["kind"].as_str().unwrap_or(""), d["number"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(kinds, [("shipment", "РН-7"), ("payment", "ПП-9")], "{docs}");
    let quantity: i64 = order["lines"][0]["quantity"].as_str().and_then(|q| q.parse().ok()).expect("quantity");
    let shipped = (total * 4 + quantity / 2) / quantity;
    assert_eq!(docs["documents"][0]["debit_minor"], shipped, "the shipment at its share of the order: {docs}");
    assert_eq!(position(&app, &buyer).await["balance_minor"], shipped - 1_000);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_over_the_limit_is_refused_or_held_for_approval() {
    let app = spawn_app().await;
    clean_slate(&app).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let contract = contract_id(&app).await;

    // Prepayment (limit 0, as every contract starts): placed and reserved as always.
    let (status, order) = checkout(&app, &buyer, 10).await;
    assert_eq!((status, order["status"].as_str()), (201, Some("new")), "{order}");

    // A limit of 1,00: the next order is refused with the amounts.
    set_terms(&app, &admin, contract, json!({"credit_limit_minor": 100, "grace_days": 0})).await;
    let (status, refused) = checkout(&app, &buyer, 10).await;
    assert_eq!(status, 422, "{refused}");
    let message = refused["error"].as_str().expect("message");
    assert!(message.contains("1,00") && message.contains("лимит"), "{message}");

    // Approval policy: the same order waits for the manager, nothing reserved, no invoice.
    set_policy(&app, &admin, "approval").await;
    let (status, held) = checkout(&app, &buyer, 10).await;
    assert_eq!(status, 201, "{held}");
    assert_eq!(held["status"], "awaiting_approval", "{held}");
    assert!(held["invoices"].as_array().expect("invoices").is_empty());
    assert_eq!(held["lines"][0]["reserved"], "0", "{held}");
    let id = held["id"].as_i64().expect("id");

    // The buyer cannot approve their own order.
    let path = format!("/api/v1/orders/{id}/approval");
    let (status, _) = send(&app, &buyer, "POST", &path, json!({"approve": true})).await;
    assert_eq!(status, 403);
    // A rejection needs a reason.
    let (status, _) = send(&app, &manager, "POST", &path, json!({"approve": false})).await;
    assert_eq!(status, 422);
    let (status, approved) = send(&app, &manager, "POST", &path, json!({"approve": true})).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["status"], "new");
    assert_eq!(approved["invoices"].as_array().map(Vec::len), Some(1), "approved: invoiced");
    assert_ne!(approved["lines"][0]["reserved"], "0", "approved: reserved");
    let (status, _) = send(&app, &manager, "POST", &path, json!({"approve": true})).await;
    assert_eq!(status, 409, "only an order awaiting approval is decided");

    // Another held order, rejected with a reason the buyer sees.
    let (_, held) = checkout(&app, &buyer, 10).await;
    let id = held["id"].as_i64().expect("id");
    let reason = json!({"approve": false, "reason": "Погасите долг по РН-101"});
    let (status, rejected) = send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/approval"), reason).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["status"], "cancelled");
    let history = rejected["events"].to_string();
    assert!(history.contains("Погасите долг"), "{history}");
}

#[tokio::test(flavor = "multi_thread")]
async fn overdue_debt_past_the_grace_period_holds_orders() {
    let app = spawn_app().await;
    clean_slate(&app).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let contract = contract_id(&app).await;
    set_terms(&app, &admin, contract, json!({"credit_limit_minor": 100_000_000, "grace_days": 5})).await;
    // Shipped 18 days ago with 14 days' deferral: 4 days overdue, within grace.
    let row = |number: &str, days_ago: i64| ledger_row("shipment", number, days_ago, 50_000, 0);
    let (status, body) = send(&app, &admin, "POST", "/api/v1/erp/ledger", json!({"rows": [row("РН-1", 18)]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(position(&app, &buyer).await["overdue_days"], 4);
    let (status, order) = checkout(&app, &buyer, 10).await;
    assert_eq!(status, 201, "within the grace period: {order}");
    // 20 days ago: 6 days overdue, past the grace period of 5.
    let (status, _) = send(&app, &admin, "POST", "/api/v1/erp/ledger", json!({"rows": [row("РН-1", 20)]})).await;
    assert_eq!(status, 200);
    let (status, refused) = checkout(&app, &buyer, 10).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"].as_str().expect("message").contains("6"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_companys_finance_is_not_found() {
    let app = spawn_app().await;
    let other = app.token(BUYER2.0, BUYER2.1).await;
    let contract = contract_id(&app).await;
    let (status, _) = app.api_get(&other, &format!("/api/v1/finance/documents?contract_id={contract}")).await;
    assert_eq!(status, 404);
    let (status, mine) = app.api_get(&other, "/api/v1/finance").await;
    assert_eq!(status, 200);
    assert!(mine.as_array().expect("list").iter().all(|p| p["contract_number"] != CONTRACT), "{mine}");
    let page = app.login(BUYER2.0, BUYER2.1).await;
    let response = page.get(app.url(&format!("/finance?contract={contract}"))).send().await.expect("page");
    assert_eq!(response.status(), 404, "{}", response.text().await.unwrap_or_default());
    // Their own page shows their contract.
    let own = page.get(app.url("/finance")).send().await.expect("page").text().await.expect("body");
    assert!(own.contains("ДЛР-2026&#x2f;003") && own.contains("Взаиморасчёты"), "{own}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_data_fills_the_balances_page() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let p = position(&app, &buyer).await;
    // Shipped 40 and 24 days ago with 14 days' deferral, partly paid.
    assert!(p["overdue_minor"].as_i64().expect("overdue") > 0, "{p}");
    assert_eq!(p["credit_limit_minor"], 300_000_000, "{p}");
    let page = app.login(BUYER.0, BUYER.1).await;
    let html = page.get(app.url("/finance")).send().await.expect("page").text().await.expect("body");
    assert!(html.contains("РН-2026-0533") && html.contains("Просрочено"), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_manager_decides_on_the_page_and_sees_debtors() {
    let app = spawn_app().await;
    let contract = clean_slate(&app).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    set_terms(&app, &admin, contract, json!({"credit_limit_minor": 100})).await;
    set_policy(&app, &admin, "approval").await;
    let (_, held) = checkout(&app, &buyer, 10).await;
    let (id, number) = (held["id"].as_i64().expect("id"), held["number"].as_str().expect("number").to_string());
    // Overdue debt for the board: shipped 30 days ago, 14 days' deferral.
    let row = ledger_row("shipment", "РН-9", 30, 70_000, 0);
    send(&app, &admin, "POST", "/api/v1/erp/ledger", json!({"rows": [row]})).await;

    let manager = app.login(MANAGER.0, MANAGER.1).await;
    let board = manager.get(app.url("/manager")).send().await.expect("board").text().await.expect("body");
    assert!(board.contains("Ждут согласования по кредиту") && board.contains(&number), "{board}");
    assert!(board.contains("Просроченная задолженность") && board.contains("700,00"), "{board}");
    let page = manager.get(app.url(&format!("/orders/{id}"))).send().await.expect("order").text().await.expect("body");
    assert!(page.contains("Согласовать") && page.contains("Отклонить"), "{page}");
    let csrf = crate::support::csrf_of(&page);
    // A rejection without a reason is refused; with one, the order is cancelled.
    let reject = |comment: &'static str| {
        let (manager, url, csrf) = (manager.clone(), app.url(&format!("/orders/{id}/transition")), csrf.clone());
        async move {
            manager
                .post(url)
                .form(&[("csrf", csrf.as_str()), ("to", "cancelled"), ("comment", comment)])
                .send()
                .await
                .expect("post")
        }
    };
    reject("").await;
    let (_, order) = app.api_get(&buyer, &format!("/api/v1/orders/{id}")).await;
    assert_eq!(order["status"], "awaiting_approval", "no reason, no rejection");
    let page = manager.get(app.url(&format!("/orders/{id}"))).send().await.expect("order").text().await.expect("body");
    assert!(page.contains("Укажите причину отказа"), "the refusal is told in the manager's language");
    reject("Сначала оплатите РН-9").await;
    let (_, order) = app.api_get(&buyer, &format!("/api/v1/orders/{id}")).await;
    assert_eq!(order["status"], "cancelled");

    let company = manager.get(app.url("/companies/1")).send().await.expect("company").text().await.expect("body");
    assert!(company.contains("Взаиморасчёты") && company.contains("700,00"), "{company}");
}

#[tokio::test(flavor = "multi_thread")]
async fn payment_reminders_go_out_once_before_and_after_the_due_date() {
    let app = spawn_app().await;
    clean_slate(&app).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    // 14 days' deferral: shipped 12 days ago falls due in 2 days; 20 days ago, 6 days overdue;
    // 30 days ago but paid, nothing to remind of.
    let rows = json!({"rows": [
        ledger_row("shipment", "РН-P", 30, 10_000, 0),
        ledger_row("payment", "ПП-P", 25, 0, 10_000),
        ledger_row("shipment", "РН-O", 20, 20_000, 0),
        ledger_row("shipment", "РН-D", 12, 30_000, 0),
    ]});
    let (status, body) = send(&app, &admin, "POST", "/api/v1/erp/ledger", rows).await;
    assert_eq!(status, 200, "{body}");
    let run = |db: portal::db::Db| async move {
        tokio::task::spawn_blocking(move || {
            connector::jobs::run_blocking(&db, "finance-reminders", portal::journal::Trigger::Cli).expect("job")
        })
        .await
        .expect("task")
    };
    let first = run(app.db.clone()).await;
    // (The other demo contracts have debts of their own; this buyer's feed says what matters.)
    assert!(!first.idle && first.summary.starts_with("reminded of 1 payments falling due"), "{first:?}");
    let (_, feed) = app.api_get(&buyer, "/api/v1/notifications").await;
    let kinds: Vec<(&str, &str)> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| (n["kind"].as_str().unwrap_or(""), n["title"].as_str().unwrap_or("")))
        .collect();
    assert!(kinds.iter().any(|(k, t)| *k == "payment_due" && t.contains("РН-D")), "{kinds:?}");
    assert!(kinds.iter().any(|(k, t)| *k == "payment_overdue" && t.contains("РН-O")), "{kinds:?}");
    assert!(!kinds.iter().any(|(_, t)| t.contains("РН-P")), "a paid debt is not reminded of: {kinds:?}");
    let emails = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::email_outbox;
            Ok(email_outbox::table
                .filter(email_outbox::to_address.eq(BUYER.0))
                .select(email_outbox::subject)
                .load::<String>(conn)?)
        })
        .await;
    assert!(emails.iter().any(|s| s.contains("Просрочена оплата по документу № РН-O")), "{emails:?}");
    let again = run(app.db.clone()).await;
    assert!(again.idle, "each reminder goes out once: {again:?}");
}
