//! Orders and the ERP in CommerceML: status documents from the ERP driving
//! orders through the state machine, and our orders written for the ERP and
//! read back by our own reader.

use connector::commerceml::{read_to_vec, Item};
use serde_json::json;

use crate::import::sample;
use crate::ordering::place;
use crate::support::spawn_app;

/// A status document as 1C sends it back for one of our orders.
pub fn status_document(number: &str, requisites: &[(&str, &str)]) -> String {
    let values: String = requisites
        .iter()
        .map(|(k, v)| {
            format!("<ЗначениеРеквизита><Наименование>{k}</Наименование><Значение>{v}</Значение></ЗначениеРеквизита>")
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"2.09\" ДатаФормирования=\"2026-11-26T10:00:00\">\
         <Документ><Ид>{number}</Ид><Номер>{number}</Номер><Дата>2026-11-26</Дата><ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль>\
         <Валюта>руб</Валюта><Сумма>0</Сумма><ЗначенияРеквизитов>{values}</ЗначенияРеквизитов></Документ>\
         <Документ><Ид>X</Ид><Номер>NOT-OURS-1</Номер><Дата>2026-11-26</Дата><ХозОперация>Заказ товара</ХозОперация></Документ>\
         </КоммерческаяИнформация>"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn erp_status_documents_move_orders_through_the_state_machine() {
    let app = spawn_app().await;
    let buyer = app.token("buyer@demo.example", "demo-buyer").await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100)]).await;
    let number = order["number"].as_str().expect("number").to_string();
    let id = order["id"].as_i64().expect("id");

    let doc = status_document(
        &number,
        &[
            ("Проведен", "true"),
            ("Номер по 1С", "УТ-000451"),
            ("Дата по 1С", "2026-11-26T10:00:00"),
            ("Номер оплаты по 1С", "ПП-77"),
            ("Дата оплаты по 1С", "2026-11-26T11:00:00"),
            ("Номер отгрузки по 1С", "РН-12"),
            ("Дата отгрузки по 1С", "T"),
        ],
    );
    let db = app.db.clone();
    let (first, again) = tokio::task::spawn_blocking(move || {
        let first = connector::import::apply_documents(&db, doc.as_bytes()).expect("documents");
        let again = connector::import::apply_documents(&db, doc.as_bytes()).expect("documents");
        (first, again)
    })
    .await
    .expect("join");
    assert_eq!(first.entities["documents"].updated, 1, "{}", first.summary());
    assert_eq!(first.entities["documents"].rejected, 1, "the unknown order is reported, not fatal");
    assert!(first.problems[0].contains("NOT-OURS-1"));
    assert_eq!(again.entities["documents"].unchanged, 1, "applying the same document twice changes nothing");

    let (_, order) = app.api_get(&buyer, &format!("/api/v1/orders/{id}")).await;
    assert_eq!(order["status"], "shipped");
    assert_eq!(order["erp_number"], "УТ-000451");
    assert_eq!(order["sync_state"], "acknowledged");
    let kinds: Vec<(&str, &str)> = order["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["kind"].as_str().expect("kind"), e["actor"].as_str().expect("actor")))
        .collect();
    assert_eq!(
        kinds,
        [
            ("placed", "buyer"),
            ("erp_acknowledged", "erp"),
            ("status_changed", "erp"),
            ("payment", "erp"),
            ("shipment", "erp")
        ]
    );

    // The real 1C sample applies without error; its orders are not ours.
    let db = app.db.clone();
    let sample_counts = tokio::task::spawn_blocking(move || {
        connector::import::apply_documents(&db, &sample("argentcrusade__documents-example.xml")[..]).expect("sample")
    })
    .await
    .expect("join");
    assert_eq!(sample_counts.entities["documents"].rejected, 2, "{}", sample_counts.summary());
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_go_to_the_erp_as_commerceml_and_read_back() {
    use connector::commerceml::writer::{write_orders, OutputEncoding};
    let app = spawn_app().await;
    let buyer = app.token("buyer@demo.example", "demo-buyer").await;
    let cart = crate::ordering::current_cart(&app, &buyer).await;
    for sku in ["BLT-933-8X20", "GVZ-4028-40"] {
        crate::ordering::send(
            &app,
            &buyer,
            "POST",
            &format!("/api/v1/carts/{cart}/lines"),
            json!({"sku": sku, "quantity": 50}),
        )
        .await;
    }
    let (_, order) = crate::ordering::send(
        &app,
        &buyer,
        "POST",
        &format!("/api/v1/carts/{cart}/checkout"),
        json!({"delivery_address": "Склад", "po_number": "PO-«77»", "comment": "Позвонить & уточнить"}),
    )
    .await;
    let number = order["number"].as_str().expect("number").to_string();
    let folder = portal::ordering::channels::Channel::Folder;
    let pending = app.with_db(move |conn| portal::ordering::export::pending(conn, folder, 100)).await;
    assert_eq!(pending.len(), 1);
    let now = chrono::Utc::now().naive_utc();
    for encoding in [OutputEncoding::Windows1251, OutputEncoding::Utf8Bom] {
        let bytes = write_orders(&pending, encoding, now, chrono_tz::Europe::Moscow).expect("write");
        if encoding == OutputEncoding::Windows1251 {
            assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>"));
        } else {
            assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        }
        let (items, _) = read_to_vec(&bytes[..]).expect("our own reader reads it");
        let docs: Vec<_> =
            items.into_iter().filter_map(|i| if let Item::Document(d) = i { Some(d) } else { None }).collect();
        assert_eq!(docs.len(), 1);
        let doc = &docs[0];
        assert_eq!(doc.number.as_deref(), Some(number.as_str()));
        assert_eq!(doc.operation.as_deref(), Some("Заказ товара"));
        assert_eq!(doc.lines.len(), 2);
        assert_eq!(doc.counterparties[0].inn.as_deref(), Some("7701234564"));
        assert_eq!(doc.counterparties[0].role.as_deref(), Some("Покупатель"));
        assert_eq!(doc.requisite("Номер заказа покупателя"), Some("PO-«77»"));
        assert_eq!(doc.requisite("Статус заказа"), Some("new"));
        assert!(doc.requisite("Резерв до").is_some_and(|d| !d.is_empty()));
        let total: i64 = order["total_minor"].as_i64().expect("total");
        assert_eq!(doc.total.as_deref(), Some(format!("{}.{:02}", total / 100, total % 100).as_str()));
    }
    let ids = vec![pending[0].order.id];
    let sent = app
        .with_db(move |conn| {
            portal::ordering::export::mark_sent(conn, folder, &ids, now, portal::journal::Trigger::Cli)
        })
        .await;
    assert_eq!(sent.len(), 1);
    assert!(app.with_db(move |conn| portal::ordering::export::pending(conn, folder, 100)).await.is_empty());
    let (_, after) = app.api_get(&buyer, &format!("/api/v1/orders/{}", order["id"])).await;
    assert_eq!(after["sync_state"], "sent");
}
