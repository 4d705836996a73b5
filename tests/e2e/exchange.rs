//! A client playing 1C's side of the "exchange with site" protocol against
//! the running server: catalog upload in chunks and import, sale query →
//! success → status file, and the failure paths.

use serde_json::json;

use crate::support::{spawn_app, TestApp};

fn decode(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned()
}

pub(crate) async fn call(app: &TestApp, query: &str, cookie: Option<&str>, body: Vec<u8>) -> String {
    let mut request = reqwest::Client::new().post(app.url(&format!("/exchange/1c?{query}"))).body(body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("optovik_exchange={cookie}"));
    }
    let response = request.send().await.expect("exchange");
    assert_eq!(response.status(), 200, "{query}");
    let content_type = response.headers()["content-type"].to_str().expect("type").to_string();
    assert!(content_type.contains("windows-1251"), "{content_type}");
    decode(&response.bytes().await.expect("body"))
}

pub(crate) async fn checkauth(app: &TestApp, kind: &str, login: &str, password: &str) -> String {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/exchange/1c?type={kind}&mode=checkauth")))
        .basic_auth(login, Some(password))
        .send()
        .await
        .expect("checkauth");
    decode(&response.bytes().await.expect("body"))
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/commerceml/{name}", env!("CARGO_MANIFEST_DIR"))).expect("sample")
}

pub(crate) async fn import_until_done(app: &TestApp, kind: &str, cookie: &str, name: &str) -> String {
    for _ in 0..100 {
        let answer = call(app, &format!("type={kind}&mode=import&filename={name}"), Some(cookie), Vec::new()).await;
        if answer != "progress" {
            return answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import of {name} never finished");
}

#[tokio::test(flavor = "multi_thread")]
async fn catalog_exchange_in_chunks_then_sale_query_and_status_file() {
    let app = spawn_app().await;
    assert!(checkauth(&app, "catalog", "erp@demo.example", "wrong-password").await.starts_with("failure\n"));
    assert!(
        checkauth(&app, "catalog", "buyer@demo.example", "demo-buyer").await.starts_with("failure\n"),
        "buyers cannot exchange"
    );
    let auth = checkauth(&app, "catalog", "erp@demo.example", "demo-erp").await;
    let lines: Vec<&str> = auth.lines().collect();
    assert_eq!((lines[0], lines[1]), ("success", "optovik_exchange"));
    let cookie = lines[2].to_string();

    let init = call(&app, "type=catalog&mode=init", Some(&cookie), Vec::new()).await;
    assert!(init.starts_with("zip=yes\nfile_limit="), "{init}");
    let catalog = sample("dobromyslov__import0_1.xml");
    let (first, second) = catalog.split_at(catalog.len() / 2);
    for chunk in [first, second] {
        let answer = call(&app, "type=catalog&mode=file&filename=import0_1.xml", Some(&cookie), chunk.to_vec()).await;
        assert_eq!(answer, "success");
    }
    // `sessid` instead of the cookie works too.
    let answer = reqwest::Client::new()
        .post(app.url(&format!("/exchange/1c?type=catalog&mode=file&filename=offers0_1.xml&sessid={cookie}")))
        .body(sample("dobromyslov__offers0_1.xml"))
        .send()
        .await
        .expect("file");
    assert_eq!(decode(&answer.bytes().await.expect("body")), "success");
    assert_eq!(import_until_done(&app, "catalog", &cookie, "import0_1.xml").await, "success");
    assert_eq!(import_until_done(&app, "catalog", &cookie, "offers0_1.xml").await, "success");
    assert_eq!(call(&app, "type=catalog&mode=complete", Some(&cookie), Vec::new()).await, "success");
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let (_, runs) = app.api_get(&admin, "/api/v1/admin/sync-runs").await;
    assert!(runs.as_array().expect("runs").iter().all(|r| r["trigger"] == "erp" && r["status"] == "success"));
    assert_eq!(runs.as_array().expect("runs").len(), 2);

    // Sale: a new order goes to 1C, is marked sent on success, and comes back with 1C's number.
    // The buyer's contract now uses the price type 1C sent.
    app.with_db(|conn| {
        use diesel::prelude::*;
        use portal::db::schema::{contracts, price_types};
        let imported: i64 =
            price_types::table.filter(price_types::external_id.not_like("pt-%")).select(price_types::id).first(conn)?;
        diesel::update(contracts::table).set(contracts::price_type_id.eq(imported)).execute(conn)?;
        Ok(())
    })
    .await;
    let buyer = app.token("buyer@demo.example", "demo-buyer").await;
    let cart = crate::ordering::current_cart(&app, &buyer).await;
    let (_, products) = app.api_get(&buyer, "/api/v1/catalog/products?in_stock=true&per_page=1").await;
    let offer = products["items"][0]["offer_id"].as_i64().expect("an imported offer");
    crate::ordering::send(
        &app,
        &buyer,
        "POST",
        &format!("/api/v1/carts/{cart}/lines"),
        json!({"offer_id": offer, "quantity": 1}),
    )
    .await;
    let (status, order) = crate::ordering::send(
        &app,
        &buyer,
        "POST",
        &format!("/api/v1/carts/{cart}/checkout"),
        json!({"delivery_address": "Склад"}),
    )
    .await;
    assert_eq!(status, 201, "{order}");
    let number = order["number"].as_str().expect("number").to_string();
    let sale = checkauth(&app, "sale", "erp@demo.example", "demo-erp").await;
    let sale_cookie = sale.lines().nth(2).expect("cookie").to_string();
    let orders_xml = call(&app, "type=sale&mode=query", Some(&sale_cookie), Vec::new()).await;
    assert!(orders_xml.contains(&format!("<Номер>{number}</Номер>")), "{orders_xml}");
    let (_, before) = app.api_get(&buyer, &format!("/api/v1/orders/{}", order["id"])).await;
    assert_eq!(before["sync_state"], "pending", "not sent until 1C says success");
    assert_eq!(call(&app, "type=sale&mode=success", Some(&sale_cookie), Vec::new()).await, "success");
    let (_, after) = app.api_get(&buyer, &format!("/api/v1/orders/{}", order["id"])).await;
    assert_eq!(after["sync_state"], "sent");
    let again = call(&app, "type=sale&mode=query", Some(&sale_cookie), Vec::new()).await;
    assert!(!again.contains("<Документ>"), "sent orders are not sent again");

    let status_file = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><КоммерческаяИнформация ВерсияСхемы=\"2.09\"><Документ><Ид>1</Ид><Номер>{number}</Номер>\
         <ХозОперация>Заказ товара</ХозОперация><ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Номер по 1С</Наименование>\
         <Значение>УТ-000777</Значение></ЗначениеРеквизита><ЗначениеРеквизита><Наименование>Проведен</Наименование><Значение>true</Значение>\
         </ЗначениеРеквизита></ЗначенияРеквизитов></Документ></КоммерческаяИнформация>"
    );
    assert_eq!(
        call(&app, "type=sale&mode=file&filename=documents.xml", Some(&sale_cookie), status_file.into_bytes()).await,
        "success"
    );
    assert_eq!(import_until_done(&app, "sale", &sale_cookie, "documents.xml").await, "success");
    let (_, acknowledged) = app.api_get(&buyer, &format!("/api/v1/orders/{}", order["id"])).await;
    assert_eq!(
        (acknowledged["erp_number"].as_str(), acknowledged["status"].as_str()),
        (Some("УТ-000777"), Some("processing"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exchange_failures_are_plain_text() {
    let app = spawn_app().await;
    let no_session = call(&app, "type=catalog&mode=init", None, Vec::new()).await;
    assert!(no_session.starts_with("failure\n"), "{no_session}");
    let forged = call(&app, "type=catalog&mode=init", Some("forged"), Vec::new()).await;
    assert!(forged.starts_with("failure\n"));
    let auth = checkauth(&app, "catalog", "erp@demo.example", "demo-erp").await;
    let cookie = auth.lines().nth(2).expect("cookie").to_string();
    call(&app, "type=catalog&mode=init", Some(&cookie), Vec::new()).await;
    let never = call(&app, "type=catalog&mode=import&filename=never.xml", Some(&cookie), Vec::new()).await;
    assert!(never.starts_with("failure\n") && never.contains("never.xml"), "{never}");
    for name in ["../etc/passwd", "/abs.xml", "a/../../b.xml", "..\\win.xml"] {
        let answer = call(
            &app,
            &format!("type=catalog&mode=file&filename={}", urlencoding::encode(name)),
            Some(&cookie),
            b"x".to_vec(),
        )
        .await;
        assert!(answer.starts_with("failure\n"), "{name}: {answer}");
    }
    let unknown = call(&app, "type=catalog&mode=dance", Some(&cookie), Vec::new()).await;
    assert!(unknown.starts_with("failure\n"));
    let huge = vec![b' '; portal_file_limit() + 1];
    let too_big = reqwest::Client::new()
        .post(app.url("/exchange/1c?type=catalog&mode=file&filename=big.xml"))
        .header("cookie", format!("optovik_exchange={cookie}"))
        .body(huge)
        .send()
        .await
        .expect("too big");
    assert_eq!(too_big.status(), 413, "a chunk over file_limit is refused before it is kept");
    let too_big = decode(&too_big.bytes().await.expect("body"));
    assert!(too_big.starts_with("failure\n") && too_big.contains("file_limit"), "{too_big}");
    // A broken file fails its import with the place, and changes nothing.
    let catalog =
        std::fs::read(format!("{}/fixtures/commerceml/dobromyslov__import0_1.xml", env!("CARGO_MANIFEST_DIR")))
            .expect("sample");
    call(&app, "type=catalog&mode=file&filename=import.xml", Some(&cookie), catalog[..catalog.len() / 2].to_vec())
        .await;
    let broken = import_until_done(&app, "catalog", &cookie, "import.xml").await;
    assert!(broken.starts_with("failure\n") && broken.contains("КоммерческаяИнформация/"), "{broken}");
}

fn portal_file_limit() -> usize {
    100 * 1024 * 1024
}

fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_zipped_catalog_in_chunks_and_a_zip_that_escapes() {
    let app = spawn_app().await;
    let auth = checkauth(&app, "catalog", "erp@demo.example", "demo-erp").await;
    let cookie = auth.lines().nth(2).expect("cookie").to_string();
    call(&app, "type=catalog&mode=init", Some(&cookie), Vec::new()).await;
    let archive = zip_of(&[
        ("import0_1.xml", sample("dobromyslov__import0_1.xml")),
        ("offers0_1.xml", sample("dobromyslov__offers0_1.xml")),
    ]);
    for chunk in archive.chunks(archive.len() / 3 + 1) {
        assert_eq!(
            call(&app, "type=catalog&mode=file&filename=catalog.zip", Some(&cookie), chunk.to_vec()).await,
            "success"
        );
    }
    assert_eq!(import_until_done(&app, "catalog", &cookie, "import0_1.xml").await, "success");
    assert_eq!(import_until_done(&app, "catalog", &cookie, "offers0_1.xml").await, "success");
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let (_, found) = app.api_get(&admin, "/api/v1/catalog/products?in_stock=true").await;
    assert!(found["total"].as_i64().expect("total") > 0);

    call(&app, "type=catalog&mode=init", Some(&cookie), Vec::new()).await;
    let evil = zip_of(&[("../evil.xml", b"<x/>".to_vec())]);
    call(&app, "type=catalog&mode=file&filename=evil.zip", Some(&cookie), evil).await;
    // Archives are unpacked by the background import: it fails, naming why.
    let refused = import_until_done(&app, "catalog", &cookie, "evil.xml").await;
    assert!(refused.starts_with("failure\n") && refused.contains("outside"), "{refused}");
}
