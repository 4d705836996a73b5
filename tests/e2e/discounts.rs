//! Discount rules and promo codes over HTTP: each condition and effect, the
//! two stacking policies, the demo's WELCOME5 once per company, a code's
//! last use taken by exactly one of two racing checkouts, gifts, and a
//! manager's manual discount within the limit, recorded in the history and
//! carried to the invoice and the order 1C takes.

use serde_json::{json, Value};

use crate::commercial_terms::checkout;
use crate::finance::ADMIN;
use crate::ordering::{current_cart, offer, send};
use crate::support::{spawn_app, TestApp, BUYER, BUYER2, MANAGER};

const BOLT: &str = "BLT-933-8X20";
const NUT: &str = "NUT-934-M10";

async fn add_line(app: &TestApp, token: &str, cart: i64, sku: &str, quantity: i64) {
    let (status, body) =
        send(app, token, "POST", &format!("/api/v1/carts/{cart}/lines"), json!({"sku": sku, "quantity": quantity}))
            .await;
    assert_eq!(status, 200, "{body}");
}

async fn cart_of(app: &TestApp, token: &str, cart: i64) -> Value {
    let (status, body) = app.api_get(token, &format!("/api/v1/carts/{cart}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn line<'a>(cart: &'a Value, sku: &str) -> &'a Value {
    cart["lines"].as_array().expect("lines").iter().find(|l| l["sku"] == sku).expect(sku)
}

/// The line's adjustments of one source, as (amount, name, percent).
fn of_source(line: &Value, source: &str) -> Vec<(i64, Value, Value)> {
    line["adjustments"]
        .as_array()
        .expect("adjustments")
        .iter()
        .filter(|a| a["source"] == source)
        .map(|a| (a["amount_minor"].as_i64().expect("amount"), a["name"].clone(), a["percent"].clone()))
        .collect()
}

/// The line's amount before discount rules and promo codes (contract and
/// breaks included): its amount less what the rules changed.
fn contract_amount(line: &Value) -> i64 {
    let rules: i64 = line["adjustments"]
        .as_array()
        .expect("adjustments")
        .iter()
        .filter(|a| a["source"] == "rule" || a["source"] == "promo")
        .map(|a| a["amount_minor"].as_i64().expect("amount"))
        .sum();
    line["amount_minor"].as_i64().expect("amount") - rules
}

fn percent_of(amount: i64, bp: i64) -> i64 {
    (amount * bp + 5_000) / 10_000
}

async fn rule(app: &TestApp, admin: &str, body: Value) -> i64 {
    let (status, created) = send(app, admin, "POST", "/api/v1/admin/discount-rules", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().expect("id")
}

async fn product_of(app: &TestApp, sku: &'static str) -> i64 {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::offers;
        Ok(offers::table.filter(offers::sku.eq(sku)).select(offers::product_id).first::<i64>(conn)?)
    })
    .await
}

async fn set(app: &TestApp, admin: &str, settings: Value) {
    let (status, body) = send(app, admin, "PATCH", "/api/v1/admin/settings", json!({ "settings": settings })).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_by_product_quantity_amount_and_group_stack_best_or_cumulative_with_a_cap() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let bolt = product_of(&app, BOLT).await;
    let (_, groups) = app.api_get(&admin, "/api/v1/admin/customer-groups").await;
    let dealers = groups.as_array().expect("groups").iter().find(|g| g["name"] == "Дилеры").expect("group")["id"]
        .as_i64()
        .expect("id");

    // 4 % on bolts from 100 pcs; 2 % on everything from 1 000 ₽; a fixed
    // 0.50 ₽ per unit on bolts for the dealers only.
    rule(
        &app,
        &admin,
        json!({"name_ru": "болты оптом", "name_en": "bolts in bulk", "product_id": bolt, "min_quantity": "100",
               "effect": "percent", "value": 400}),
    )
    .await;
    rule(
        &app,
        &admin,
        json!({"name_ru": "от тысячи", "name_en": "from a thousand", "min_order_minor": 100_000,
               "effect": "percent", "value": 200}),
    )
    .await;
    rule(
        &app,
        &admin,
        json!({"name_ru": "дилерам", "name_en": "dealers", "group_id": dealers, "product_id": bolt,
               "effect": "fixed", "value": 50}),
    )
    .await;

    // Below every threshold: nothing but the contract.
    let cart = current_cart(&app, &buyer).await;
    add_line(&app, &buyer, cart, BOLT, 10).await;
    let small = cart_of(&app, &buyer, cart).await;
    assert!(of_source(line(&small, BOLT), "rule").is_empty(), "{small}");

    // 200 bolts and 100 nuts: both rules hold; "best" gives the larger on each line's total.
    let (status, _) = send(
        &app,
        &buyer,
        "PATCH",
        &format!("/api/v1/carts/{cart}/lines/{}", line(&small, BOLT)["id"]),
        json!({"quantity": 200}),
    )
    .await;
    assert_eq!(status, 200);
    add_line(&app, &buyer, cart, NUT, 100).await;
    let best = cart_of(&app, &buyer, cart).await;
    let (bolts, nuts) = (contract_amount(line(&best, BOLT)), contract_amount(line(&best, NUT)));
    assert!(bolts + nuts >= 100_000, "the cart is over 1 000 ₽: {best}");
    let bulk = percent_of(bolts, 400);
    let thousand = percent_of(bolts, 200) + percent_of(nuts, 200);
    assert!(bulk > thousand, "the bulk rule is worth more here: {bulk} vs {thousand}");
    assert_eq!(of_source(line(&best, BOLT), "rule"), vec![(-bulk, json!("болты оптом"), json!("4"))]);
    assert!(of_source(line(&best, NUT), "rule").is_empty(), "best: one rule only: {best}");
    assert_eq!(best["total_minor"], bolts + nuts - bulk);

    // Cumulative: both, each on the contract amount.
    set(&app, &admin, json!({"discount_stacking": "cumulative", "discount_cap_percent": "100"})).await;
    let both = cart_of(&app, &buyer, cart).await;
    let bolt_rules: i64 = of_source(line(&both, BOLT), "rule").iter().map(|a| a.0).sum();
    assert_eq!(bolt_rules, -(bulk + percent_of(bolts, 200)), "{both}");
    assert_eq!(of_source(line(&both, NUT), "rule"), vec![(-percent_of(nuts, 200), json!("от тысячи"), json!("2"))]);

    // A cap of 5 % cuts the bolts' 6 % to 5 %.
    set(&app, &admin, json!({"discount_cap_percent": "5"})).await;
    let capped = cart_of(&app, &buyer, cart).await;
    let bolt_rules: i64 = of_source(line(&capped, BOLT), "rule").iter().map(|a| a.0).sum();
    assert_eq!(bolt_rules, -(bolts * 500 / 10_000), "{capped}");

    // The dealers' fixed discount: 0.50 ₽ × 200 bolts, for the dealer only.
    set(&app, &admin, json!({"discount_cap_percent": "100"})).await;
    let dealer_cart = current_cart(&app, &dealer).await;
    add_line(&app, &dealer, dealer_cart, BOLT, 200).await;
    let dealt = cart_of(&app, &dealer, dealer_cart).await;
    let names: Vec<Value> = of_source(line(&dealt, BOLT), "rule").into_iter().map(|a| a.1).collect();
    assert!(names.contains(&json!("дилерам")), "the dealer's language is Russian: {dealt}");
    let fixed = of_source(line(&dealt, BOLT), "rule").into_iter().find(|a| a.1 == "дилерам").expect("fixed");
    assert_eq!(fixed.0, -10_000);
    let at_buyer = cart_of(&app, &buyer, cart).await;
    assert!(of_source(line(&at_buyer, BOLT), "rule").iter().all(|a| a.1 != "дилерам"), "not for other companies");

    // The order keeps the cart's adjustments, line by line, and its total.
    let expected = at_buyer["total_minor"].clone();
    let (status, order) = checkout(&app, &buyer, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 201, "{order}");
    let goods: i64 =
        order["lines"].as_array().expect("lines").iter().map(|l| l["amount_minor"].as_i64().expect("a")).sum();
    assert_eq!(json!(goods), expected);
    let placed_bolt = order["lines"].as_array().expect("lines").iter().find(|l| l["sku"] == BOLT).expect("bolt");
    assert_eq!(placed_bolt["adjustments"], line(&at_buyer, BOLT)["adjustments"]);

    // The invoice states the discount; the order for 1C lists it per line.
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/orders/{}/invoice.pdf", order["id"])))
        .bearer_auth(&buyer)
        .send()
        .await
        .expect("invoice");
    let text = portal::invoices::pdf_text::page_texts(&response.bytes().await.expect("pdf")).expect("text");
    assert!(text.contains("В том числе скидка:") || text.contains("incl. discount:"), "{text}");
    assert!(text.contains("болты оптом −4 %"), "each line says where its price came from: {text}");
    let sale = crate::exchange::checkauth(&app, "sale", "erp@demo.example", "demo-erp").await;
    let cookie = sale.lines().nth(2).expect("cookie").to_string();
    let xml = crate::exchange::call(&app, "type=sale&mode=query", Some(&cookie), Vec::new()).await;
    assert!(xml.contains("<Наименование>болты оптом</Наименование>"), "{xml}");
    assert!(xml.contains("<УчтеноВСумме>true</УчтеноВСумме>"), "{xml}");
}

#[tokio::test(flavor = "multi_thread")]
async fn welcome5_gives_five_percent_once_per_company() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &buyer).await;
    add_line(&app, &buyer, cart, BOLT, 100).await;

    let (status, unknown) =
        send(&app, &buyer, "PUT", &format!("/api/v1/carts/{cart}/promo-code"), json!({"code": "NOPE-NOPE"})).await;
    assert_eq!(status, 200, "{unknown}");
    assert_eq!(
        (unknown["promo"]["valid"].as_bool(), unknown["promo"]["applied"].as_bool()),
        (Some(false), Some(false))
    );
    let (status, refused) = checkout(&app, &buyer, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 422, "an unknown code on the cart refuses the order: {refused}");

    let (status, entered) =
        send(&app, &buyer, "PUT", &format!("/api/v1/carts/{cart}/promo-code"), json!({"code": "welcome5"})).await;
    assert_eq!(status, 200, "{entered}");
    assert_eq!(entered["promo"]["code"], "WELCOME5");
    assert_eq!(entered["promo"]["applied"], true, "{entered}");
    let bolt = line(&entered, BOLT);
    let contract = contract_amount(bolt);
    assert_eq!(of_source(bolt, "promo"), vec![(-percent_of(contract, 500), json!("WELCOME5"), json!("5"))]);

    let (status, order) = checkout(&app, &buyer, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["total_minor"].as_i64(), Some(contract - percent_of(contract, 500)));
    let (_, empty) = app.api_get(&buyer, &format!("/api/v1/carts/{cart}")).await;
    assert!(empty["promo"].is_null(), "the code leaves the cart with its lines: {empty}");

    // Used once by the company: refused at the cart and at checkout.
    add_line(&app, &buyer, cart, BOLT, 100).await;
    let (_, again) =
        send(&app, &buyer, "PUT", &format!("/api/v1/carts/{cart}/promo-code"), json!({"code": "WELCOME5"})).await;
    assert_eq!(again["promo"]["valid"], false, "{again}");
    assert!(again["promo"]["message"].as_str().expect("message").contains("WELCOME5"));
    let (status, _) =
        checkout(&app, &buyer, cart, json!({"delivery_address": "Склад", "promo_code": "WELCOME5"})).await;
    assert_eq!(status, 422);
    let (status, _) = send(&app, &buyer, "DELETE", &format!("/api/v1/carts/{cart}/promo-code"), json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = checkout(&app, &buyer, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 201, "without the code the order goes through");

    // Another company still may use it.
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let dealer_cart = current_cart(&app, &dealer).await;
    add_line(&app, &dealer, dealer_cart, BOLT, 100).await;
    let (status, order) =
        checkout(&app, &dealer, dealer_cart, json!({"delivery_address": "Склад", "promo_code": "WELCOME5"})).await;
    assert_eq!(status, 201, "{order}");
    let promo_lines =
        order["lines"][0]["adjustments"].as_array().expect("adj").iter().filter(|a| a["source"] == "promo").count();
    assert_eq!(promo_lines, 1, "{order}");

    // Cancelled, the order gives the use back: the dealer may use the code again.
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let path = format!("/api/v1/orders/{}/transitions", order["id"]);
    let (status, cancelled) = send(&app, &admin, "POST", &path, json!({"to": "cancelled"})).await;
    assert_eq!(status, 200, "{cancelled}");
    add_line(&app, &dealer, dealer_cart, BOLT, 100).await;
    let (_, again) =
        send(&app, &dealer, "PUT", &format!("/api/v1/carts/{dealer_cart}/promo-code"), json!({"code": "WELCOME5"}))
            .await;
    assert_eq!(again["promo"]["applied"], true, "{again}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_use_of_a_code_goes_to_exactly_one_of_two_racing_checkouts() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let rule_id = rule(
        &app,
        &admin,
        json!({"name_ru": "последний", "name_en": "last", "effect": "percent", "value": 1000, "promo_only": true}),
    )
    .await;
    let (status, code) = send(
        &app,
        &admin,
        "POST",
        "/api/v1/admin/promo-codes",
        json!({"code": "LAST-ONE", "rule_id": rule_id, "max_uses": 1}),
    )
    .await;
    assert_eq!(status, 201, "{code}");
    let (status, _) =
        send(&app, &admin, "POST", "/api/v1/admin/promo-codes", json!({"code": "last-one", "rule_id": rule_id})).await;
    assert_eq!(status, 409, "codes are unique in any case");

    let mut carts = Vec::new();
    for who in [BUYER, BUYER2] {
        let token = app.token(who.0, who.1).await;
        let cart = current_cart(&app, &token).await;
        add_line(&app, &token, cart, BOLT, 100).await;
        carts.push((token, cart));
    }
    let body = json!({"delivery_address": "Склад", "promo_code": "LAST-ONE"});
    let ((first, _), (second, _)) = tokio::join!(
        checkout(&app, &carts[0].0, carts[0].1, body.clone()),
        checkout(&app, &carts[1].0, carts[1].1, body.clone()),
    );
    let statuses = [first, second];
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "exactly one wins: {statuses:?}");
    assert!(statuses.iter().all(|s| [201, 409, 422].contains(s)), "{statuses:?}");
    let (_, codes) = app.api_get(&admin, "/api/v1/admin/promo-codes").await;
    let stored = codes.as_array().expect("codes").iter().find(|c| c["code"] == "LAST-ONE").expect("code").clone();
    assert_eq!(stored["uses"], 1);
    let redemptions = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::promo_redemptions;
            Ok(promo_redemptions::table.count().get_result::<i64>(conn)?)
        })
        .await;
    assert_eq!(redemptions, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gift_for_the_contract_and_rules_are_for_administrators_only() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let (_, me) = app.api_get(&buyer, "/api/v1/me").await;
    let contract = me["company"]["contracts"][0]["id"].as_i64().expect("contract");
    let (nut_offer, _, _, _) = offer(&app, NUT).await;

    let bad = [
        json!({"name_ru": "x", "name_en": "x", "effect": "percent", "value": 20_000}),
        json!({"name_ru": "x", "name_en": "x", "effect": "gift"}),
        json!({"name_ru": "x", "name_en": "x", "effect": "fixed", "value": 0}),
        json!({"name_ru": "x", "name_en": "x", "effect": "percent", "value": 100, "within_days": 30}),
        json!({"name_ru": "x", "name_en": "x", "effect": "percent", "value": 100, "group_id": 999_999}),
    ];
    for body in bad {
        let (status, answer) = send(&app, &admin, "POST", "/api/v1/admin/discount-rules", body.clone()).await;
        assert_eq!(status, 422, "{body} → {answer}");
    }
    let valid = json!({"name_ru": "x", "name_en": "x", "effect": "percent", "value": 100});
    let (status, _) = send(&app, &buyer, "POST", "/api/v1/admin/discount-rules", valid).await;
    assert!(status == 401 || status == 403, "{status}");
    let (status, _) = app.api_get(&buyer, "/api/v1/admin/promo-codes").await;
    assert!(status == 401 || status == 403);

    rule(
        &app,
        &admin,
        json!({"name_ru": "гайки в подарок", "name_en": "free nuts", "contract_id": contract,
               "effect": "gift", "gift_offer_id": nut_offer, "gift_quantity": "10"}),
    )
    .await;
    let cart = current_cart(&app, &buyer).await;
    add_line(&app, &buyer, cart, BOLT, 100).await;
    let with_gift = cart_of(&app, &buyer, cart).await;
    assert_eq!(with_gift["gifts"][0]["sku"], NUT, "{with_gift}");
    assert_eq!(with_gift["gifts"][0]["quantity"], "10");
    let (status, order) = checkout(&app, &buyer, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 201, "{order}");
    let gift = order["lines"].as_array().expect("lines").iter().find(|l| l["sku"] == NUT).expect("gift line");
    assert_eq!((gift["amount_minor"].as_i64(), gift["quantity"].as_str()), (Some(0), Some("10")));
    let by_rule = of_source(gift, "rule");
    assert_eq!(by_rule.len(), 1, "{gift}");
    assert_eq!(by_rule[0].1, "гайки в подарок");

    // Not for another contract's company.
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let dealer_cart = current_cart(&app, &dealer).await;
    add_line(&app, &dealer, dealer_cart, BOLT, 100).await;
    assert_eq!(cart_of(&app, &dealer, dealer_cart).await["gifts"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_managers_manual_discount_stays_within_the_limit_and_is_in_the_history() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let cart = current_cart(&app, &buyer).await;
    add_line(&app, &buyer, cart, BOLT, 100).await;
    add_line(&app, &buyer, cart, NUT, 100).await;
    let (status, order) = checkout(&app, &buyer, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_i64().expect("id");
    let bolt = order["lines"].as_array().expect("lines").iter().find(|l| l["sku"] == BOLT).expect("bolt").clone();
    let line_id = bolt["id"].as_i64().expect("line");
    let before = bolt["amount_minor"].as_i64().expect("amount");
    let total = order["total_minor"].as_i64().expect("total");
    let path = format!("/api/v1/orders/{id}/lines/{line_id}/discount");

    // The demo limit for managers is 5 %.
    let (status, _) = send(&app, &manager, "POST", &path, json!({"percent_bp": 1_000})).await;
    assert_eq!(status, 403);
    let (status, _) = send(&app, &buyer, "POST", &path, json!({"percent_bp": 100})).await;
    assert!(status == 401 || status == 403, "buyers give no discounts: {status}");
    let (status, given) = send(&app, &manager, "POST", &path, json!({"percent_bp": 300})).await;
    assert_eq!(status, 200, "{given}");
    let off = percent_of(before, 300);
    let after = given["lines"].as_array().expect("lines").iter().find(|l| l["id"] == line_id).expect("line").clone();
    assert_eq!(after["amount_minor"].as_i64(), Some(before - off));
    assert_eq!(of_source(&after, "manual"), vec![(-off, Value::Null, json!("3"))]);
    assert_eq!(given["total_minor"].as_i64(), Some(total - off));

    // A new manual discount replaces the earlier one; an administrator has no limit.
    let (status, again) = send(&app, &admin, "POST", &path, json!({"percent_bp": 1_000})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["total_minor"].as_i64(), Some(total - percent_of(before, 1_000)));
    let (_, events) = app.api_get(&manager, &format!("/api/v1/orders/{id}/events")).await;
    let manual: Vec<&Value> =
        events.as_array().expect("events").iter().filter(|e| e["kind"] == "manual_discount").collect();
    assert_eq!(manual.len(), 2, "{events}");

    // The invoice follows, under the same number, and so does the ledger.
    let invoices = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use portal::db::schema::invoices;
            Ok(invoices::table.filter(invoices::order_id.eq(id)).select(invoices::total_minor).load::<i64>(conn)?)
        })
        .await;
    assert_eq!(invoices, vec![total - percent_of(before, 1_000)], "one invoice, re-rendered");
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/orders/{id}/invoice.pdf")))
        .bearer_auth(&buyer)
        .send()
        .await
        .expect("invoice");
    let text = portal::invoices::pdf_text::page_texts(&response.bytes().await.expect("pdf")).expect("text");
    assert!(text.contains("В том числе скидка:") || text.contains("incl. discount:"), "{text}");

    // A line not in the order is not found.
    let (status, _) =
        send(&app, &manager, "POST", &format!("/api/v1/orders/{id}/lines/999999/discount"), json!({"percent_bp": 100}))
            .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn on_the_pages_a_buyer_enters_a_code_and_a_manager_gives_a_discount() {
    let app = spawn_app().await;
    let buyer_api = app.token(BUYER.0, BUYER.1).await;
    let cart = current_cart(&app, &buyer_api).await;
    add_line(&app, &buyer_api, cart, BOLT, 100).await;

    // The cart page: the code is entered, told applied, and named on the line.
    let buyer = app.login(BUYER.0, BUYER.1).await;
    let page = buyer.get(app.url("/cart")).send().await.expect("cart").text().await.expect("body");
    let csrf = crate::support::csrf_of(&page);
    let cart_id = cart.to_string();
    let entered = buyer
        .post(app.url("/cart/update"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("cart_id", cart_id.as_str()),
            ("action", "promo"),
            ("promo_code", "welcome5"),
        ])
        .send()
        .await
        .expect("promo");
    assert_eq!(entered.status(), 303);
    let page = buyer.get(app.url("/cart")).send().await.expect("cart").text().await.expect("body");
    assert!(page.contains("Промокод WELCOME5 применён."), "{page}");
    assert!(page.contains("промокод WELCOME5 −5 %"), "the line says where its price came from");
    let unknown = buyer
        .post(app.url("/cart/update"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("cart_id", cart_id.as_str()),
            ("action", "promo"),
            ("promo_code", "<b>x</b>"),
        ])
        .send()
        .await
        .expect("promo");
    assert_eq!(unknown.status(), 303);
    let page = buyer.get(app.url("/cart")).send().await.expect("cart").text().await.expect("body");
    assert!(page.contains("&lt;B&gt;X&lt;&#x2f;B&gt;") || page.contains("&lt;B&gt;X&lt;/B&gt;"), "escaped");
    assert!(!page.contains("<B>X</B>"));

    // The order page: a manager gives 2 % on a line; over the limit is told, not given.
    let (status, order) = checkout(&app, &buyer_api, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 422, "the unknown code left on the cart refuses the order: {order}");
    send(&app, &buyer_api, "DELETE", &format!("/api/v1/carts/{cart}/promo-code"), json!({})).await;
    let (status, order) = checkout(&app, &buyer_api, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 201, "{order}");
    let (id, line_id) = (order["id"].as_i64().expect("id"), order["lines"][0]["id"].as_i64().expect("line"));
    let manager = app.login(MANAGER.0, MANAGER.1).await;
    let page = manager.get(app.url(&format!("/orders/{id}"))).send().await.expect("order").text().await.expect("body");
    assert!(page.contains(&format!("/orders/{id}/lines/{line_id}/discount")), "the form is there");
    let csrf = crate::support::csrf_of(&page);
    let over = "Больше вашего предела: менеджер может дать на строку не больше 5 %.";
    for (percent, shown) in [("2,5", "скидка менеджера −2.5 %"), ("50", over)] {
        let given = manager
            .post(app.url(&format!("/orders/{id}/lines/{line_id}/discount")))
            .form(&[("csrf", csrf.as_str()), ("percent", percent)])
            .send()
            .await
            .expect("discount");
        assert_eq!(given.status(), 303);
        let page =
            manager.get(app.url(&format!("/orders/{id}"))).send().await.expect("order").text().await.expect("body");
        assert!(page.contains(shown), "{percent}: {page}");
        assert!(page.contains("скидка менеджера −2.5 %"), "50 % is not given: {page}");
    }
    let buyer_page = buyer.get(app.url(&format!("/orders/{id}"))).send().await.expect("order").text().await.expect("b");
    assert!(buyer_page.contains("скидка менеджера −2.5 %"), "the buyer sees it too");
    assert!(!buyer_page.contains("/discount\""), "but no form");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_terms_page_lists_and_edits_groups_methods_rules_and_codes() {
    let app = spawn_app().await;
    let admin_api = app.token(ADMIN.0, ADMIN.1).await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let page = admin.get(app.url("/admin/terms")).send().await.expect("page").text().await.expect("body");
    for shown in
        ["Дилеры", "скрывает «Спецодежда и СИЗ»", "WELCOME5", "объём", "заказ от 300\u{a0}000,00 ₽", "pickup", "cash"]
    {
        assert!(page.contains(shown), "{shown} on the page");
    }
    let csrf = crate::support::csrf_of(&page);
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let (admin, app, csrf) = (&admin, &app, csrf.clone());
        async move {
            let mut form = fields;
            form.push(("csrf", csrf));
            let response = admin.post(app.url(path)).form(&form).send().await.expect("post");
            assert_eq!(response.status(), 303, "{path}");
            admin.get(app.url("/admin/terms")).send().await.expect("page").text().await.expect("body")
        }
    };
    let page = post(
        "/admin/terms/discount-rules",
        vec![
            ("name_ru", "осенняя".into()),
            ("name_en", "autumn".into()),
            ("effect", "percent".into()),
            ("value", "2,5".into()),
            ("min_order", "5 000".into()),
            ("promo_only", "on".into()),
        ],
    )
    .await;
    assert!(page.contains("осенняя") && page.contains("−2.5 % на строки"), "{page}");
    let (_, rules) = app.api_get(&admin_api, "/api/v1/admin/discount-rules").await;
    let autumn = rules.as_array().expect("rules").iter().find(|r| r["name_en"] == "autumn").expect("rule").clone();
    assert_eq!((autumn["value"].as_i64(), autumn["min_order_minor"].as_i64()), (Some(250), Some(500_000)));
    assert_eq!(autumn["promo_only"], true);

    let page = post(
        "/admin/terms/promo-codes",
        vec![("code", "autumn-26".into()), ("rule_id", autumn["id"].to_string()), ("max_uses", "100".into())],
    )
    .await;
    assert!(page.contains("AUTUMN-26") && page.contains("0 &#x2f; 100"), "{page}");
    let again =
        post("/admin/terms/promo-codes", vec![("code", "AUTUMN-26".into()), ("rule_id", autumn["id"].to_string())])
            .await;
    assert!(again.contains("already exists"), "a taken code is told: {again}");
    let page = post(
        "/admin/terms/discount-rules",
        vec![("name_ru", "x".into()), ("name_en", "x".into()), ("effect", "percent".into()), ("value", "250".into())],
    )
    .await;
    assert!(page.contains("Скидка — процент от 0 до 100."), "an impossible percent is told");

    let (_, codes) = app.api_get(&admin_api, "/api/v1/admin/promo-codes").await;
    let code_id =
        codes.as_array().expect("codes").iter().find(|c| c["code"] == "AUTUMN-26").expect("code")["id"].clone();
    let removed = admin
        .post(app.url(&format!("/admin/terms/promo-codes/{code_id}/remove")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("remove");
    assert_eq!(removed.status(), 303);
    let (_, codes) = app.api_get(&admin_api, "/api/v1/admin/promo-codes").await;
    assert!(codes.as_array().expect("codes").iter().all(|c| c["code"] != "AUTUMN-26"));

    let buyer = app.login(BUYER.0, BUYER.1).await;
    let refused = buyer.get(app.url("/admin/terms")).send().await.expect("page");
    assert_ne!(refused.status(), 200, "administrators only");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_nth_order_within_days_and_the_validity_period_are_read_from_the_database() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let (_, orders) = app.api_get(&buyer, "/api/v1/orders?per_page=200").await;
    let earlier = orders["items"].as_array().expect("items").iter().filter(|o| o["status"] != "cancelled").count();
    let today = chrono::Utc::now().date_naive();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
    rule(
        &app,
        &admin,
        json!({"name_ru": "следующий", "name_en": "next", "nth_order": earlier + 1, "effect": "percent", "value": 700}),
    )
    .await;
    rule(
        &app,
        &admin,
        json!({"name_ru": "через один", "name_en": "after next", "nth_order": earlier + 2, "within_days": 30,
               "effect": "percent", "value": 900}),
    )
    .await;
    rule(
        &app,
        &admin,
        json!({"name_ru": "будущая", "name_en": "future", "valid_from": day(2), "effect": "percent", "value": 5000}),
    )
    .await;
    rule(
        &app,
        &admin,
        json!({"name_ru": "прошедшая", "name_en": "past", "valid_to": day(-2), "effect": "percent", "value": 5000}),
    )
    .await;
    set(&app, &admin, json!({"discount_stacking": "cumulative"})).await;

    let cart = current_cart(&app, &buyer).await;
    add_line(&app, &buyer, cart, BOLT, 100).await;
    let names = |cart: &Value| -> Vec<Value> { of_source(line(cart, BOLT), "rule").into_iter().map(|a| a.1).collect() };
    assert_eq!(names(&cart_of(&app, &buyer, cart).await), vec![json!("следующий")], "only the next order's rule");
    let (status, _) = checkout(&app, &buyer, cart, json!({"delivery_address": "Склад"})).await;
    assert_eq!(status, 201);
    add_line(&app, &buyer, cart, BOLT, 100).await;
    assert_eq!(
        names(&cart_of(&app, &buyer, cart).await),
        vec![json!("через один")],
        "one order later, the rule for the one after applies (within 30 days)"
    );
}
