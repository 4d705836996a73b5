//! Reservation reconciliation with the ERP: an order's reserve is subtracted
//! by the portal until the ERP acknowledges it; after that (free-stock ERPs)
//! the ERP's own figures carry it. Stock files at any point must neither
//! sell the reserve twice nor make the order unshippable.

use crate::erp_orders::status_document;
use crate::ordering::{offer, place, set_stock};
use crate::support::{spawn_app, TestApp, BUYER};

const SKU: &str = "BLT-933-8X20";

/// (stock total, portal's reserved) of an offer, in whole units.
async fn figures(app: &TestApp, offer_id: i64) -> (i64, i64) {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::offers;
        let (total, reserved): (i64, i64) =
            offers::table.find(offer_id).select((offers::stock_total, offers::reserved)).first(conn)?;
        Ok((total / 1000, reserved / 1000))
    })
    .await
}

/// What the order's lines have reserved, in whole units.
async fn order_reserved(app: &TestApp, order_id: i64) -> i64 {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::order_lines;
        let reserved: Vec<i64> =
            order_lines::table.filter(order_lines::order_id.eq(order_id)).select(order_lines::reserved).load(conn)?;
        Ok(reserved.iter().sum::<i64>() / 1000)
    })
    .await
}

/// The offer's external id and that of the warehouse `set_stock` uses.
async fn external_ids(app: &TestApp, offer_id: i64) -> (String, String) {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::{offers, warehouses};
        let offer: String = offers::table.find(offer_id).select(offers::external_id).first(conn)?;
        let warehouse: String = warehouses::table.order(warehouses::id).select(warehouses::external_id).first(conn)?;
        Ok((offer, warehouse))
    })
    .await
}

/// A stock-only file (`rests___*` in 1C's naming) giving one offer's quantity.
fn stock_file(offer: &str, warehouse: &str, quantity: i64) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"2.10\">\
         <ПакетПредложений СодержитТолькоИзменения=\"true\"><Ид>rests</Ид><Наименование>Остатки</Наименование><Предложения>\
         <Предложение><Ид>{offer}</Ид><Остатки><Остаток><Склад><Ид>{warehouse}</Ид><Количество>{quantity}</Количество></Склад></Остаток></Остатки></Предложение>\
         </Предложения></ПакетПредложений></КоммерческаяИнформация>"
    )
}

async fn import(app: &TestApp, xml: String) {
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || connector::import::import(&db, xml.as_bytes()).expect("stock file"))
        .await
        .expect("join");
}

async fn apply(app: &TestApp, xml: String) {
    let db = app.db.clone();
    let counts = tokio::task::spawn_blocking(move || connector::import::apply_documents(&db, xml.as_bytes()))
        .await
        .expect("join")
        .expect("documents");
    assert_eq!(counts.entities["documents"].updated, 1, "{}", counts.summary());
}

/// Orders `quantity` of the SKU as the demo buyer: (order id, number).
async fn place_order(app: &TestApp, quantity: i64) -> (i64, String) {
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = place(app, &buyer, &[(SKU, quantity)]).await;
    (order["id"].as_i64().expect("id"), order["number"].as_str().expect("number").to_string())
}

async fn order_status(app: &TestApp, order_id: i64) -> (String, String) {
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let (_, order) = app.api_get(&buyer, &format!("/api/v1/orders/{order_id}")).await;
    (order["status"].as_str().unwrap_or_default().into(), order["sync_state"].as_str().unwrap_or_default().into())
}

#[tokio::test(flavor = "multi_thread")]
async fn free_stock_from_the_erp_takes_over_the_reserve_once_acknowledged() {
    let app = spawn_app().await;
    let (offer_id, ..) = offer(&app, SKU).await;
    set_stock(&app, offer_id, 1_000_000).await;
    let (offer_ext, warehouse) = external_ids(&app, offer_id).await;

    let (order_id, number) = place_order(&app, 100).await;
    assert_eq!(figures(&app, offer_id).await, (1000, 100), "the portal holds the reserve");

    // The ERP has not seen the order yet: its stock still counts the goods as free.
    import(&app, stock_file(&offer_ext, &warehouse, 1000)).await;
    assert_eq!(figures(&app, offer_id).await, (1000, 100), "not sold twice before the ERP knows");

    apply(&app, status_document(&number, &[("Проведен", "true"), ("Номер по 1С", "УТ-100")])).await;
    assert_eq!(order_status(&app, order_id).await.1, "acknowledged");
    assert_eq!(figures(&app, offer_id).await, (900, 0), "the ERP holds it now; still 900 free, no window");
    assert_eq!(order_reserved(&app, order_id).await, 100, "the order stays reserved");
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = browser.get(app.url(&format!("/orders/{order_id}"))).send().await.expect("page");
    let page = page.text().await.expect("html");
    assert!(page.contains("УТ-100") && page.contains("принят учётной системой"), "the order page says where it stands");

    // The nightly file now gives free stock, the reserve already out of it.
    import(&app, stock_file(&offer_ext, &warehouse, 900)).await;
    assert_eq!(figures(&app, offer_id).await, (900, 0), "the reserve is not subtracted twice");

    // Everything else sold out in the ERP: the order is still shippable.
    import(&app, stock_file(&offer_ext, &warehouse, 0)).await;
    assert_eq!(order_reserved(&app, order_id).await, 100);
    apply(&app, status_document(&number, &[("Номер отгрузки по 1С", "РН-5"), ("Дата отгрузки по 1С", "T")])).await;
    assert_eq!(order_status(&app, order_id).await.0, "shipped");
    assert_eq!(figures(&app, offer_id).await, (0, 0), "shipping the ERP's reserve leaves its free figure alone");
}

#[tokio::test(flavor = "multi_thread")]
async fn on_hand_stock_keeps_the_portal_subtracting_its_reserves() {
    let app = spawn_app().await;
    app.with_db(|conn| portal::settings::set(conn, portal::settings::ERP_STOCK, "on_hand")).await;
    let (offer_id, ..) = offer(&app, SKU).await;
    set_stock(&app, offer_id, 1_000_000).await;
    let (offer_ext, warehouse) = external_ids(&app, offer_id).await;

    let (order_id, number) = place_order(&app, 100).await;
    apply(&app, status_document(&number, &[("Проведен", "true"), ("Номер по 1С", "УТ-200")])).await;
    assert_eq!(figures(&app, offer_id).await, (1000, 100), "on-hand figures: the portal keeps holding");

    import(&app, stock_file(&offer_ext, &warehouse, 1000)).await;
    assert_eq!(figures(&app, offer_id).await, (1000, 100), "900 free, not 1000");

    apply(&app, status_document(&number, &[("Номер отгрузки по 1С", "РН-6"), ("Дата отгрузки по 1С", "T")])).await;
    assert_eq!(order_status(&app, order_id).await.0, "shipped");
    assert_eq!(figures(&app, offer_id).await, (900, 0), "the shipped goods leave the warehouse");
}
