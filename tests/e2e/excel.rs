//! Excel exchange: price and stock lists (by header names and by a column
//! mapping) and order-status sheets, imported from real .xlsx files over the
//! admin API, the exchange folder and the connector's runner.

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::ordering::{place, send};
use crate::support::{spawn_app, TestApp, BUYER};

/// An .xlsx with the given rows (first row = header); numbers stay numbers.
pub fn workbook(rows: &[Vec<Value>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Value::Number(n) => sheet.write_number(r, c, n.as_f64().expect("number")).map(|_| ()),
                Value::String(s) => sheet.write_string(r, c, s).map(|_| ()),
                _ => Ok(()),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// (price in kopecks in `pt-wholesale`, stock in `wh-spb` in thousandths) of a SKU.
async fn figures(app: &TestApp, sku: &'static str) -> (Option<i64>, Option<i64>) {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::{offers, price_types, prices, stock, warehouses};
        let offer: i64 = offers::table.filter(offers::sku.eq(sku)).select(offers::id).first(conn)?;
        let price = prices::table
            .inner_join(price_types::table)
            .filter(prices::offer_id.eq(offer))
            .filter(price_types::external_id.eq("pt-wholesale"))
            .select(prices::price_minor)
            .first(conn)
            .optional()?;
        let quantity = stock::table
            .inner_join(warehouses::table)
            .filter(stock::offer_id.eq(offer))
            .filter(warehouses::external_id.eq("wh-spb"))
            .select(stock::quantity)
            .first(conn)
            .optional()?;
        Ok((price, quantity))
    })
    .await
}

async fn upload(app: &TestApp, token: &str, dry: bool, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    app.post_file(token, &format!("/api/v1/admin/imports?dry_run={dry}"), name, bytes, &[]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_list_matched_by_header_names_updates_prices_and_stock() {
    let app = spawn_app().await;
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let list = workbook(&[
        vec![json!("Прайс-лист на 26.11.2026")],
        vec![],
        vec![json!("Артикул"), json!("Наименование"), json!("Оптовая"), json!("Санкт-Петербург")],
        vec![json!("BLT-933-8X20"), json!("Болт"), json!(123.45), json!(17)],
        vec![json!(" blt-933-8x30 "), json!("Болт"), json!("99,90"), json!("")],
        vec![json!("NO-SUCH-SKU"), json!("?"), json!(1), json!(1)],
        vec![json!("BLT-933-8X40"), json!("Болт"), json!("дорого"), json!(-5)],
    ]);

    let (status, dry) = upload(&app, &admin, true, "price.xlsx", list.clone()).await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["counts"]["prices"]["updated"], 2, "{dry}");
    let before = figures(&app, "BLT-933-8X20").await;
    assert_ne!(before.0, Some(12_345), "a dry run changes nothing");

    let (status, run) = upload(&app, &admin, false, "price.xlsx", list.clone()).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["prices"]["updated"], 2, "{run}");
    assert_eq!(run["counts"]["prices"]["rejected"], 1, "{run}");
    assert_eq!(run["counts"]["stock"]["rejected"], 1, "a negative quantity is refused: {run}");
    assert_eq!(run["counts"]["offers"]["rejected"], 1, "{run}");
    let messages: Vec<&str> =
        run["errors"].as_array().expect("errors").iter().filter_map(|e| e["message"].as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("row 6") && m.contains("NO-SUCH-SKU")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("row 7") && m.contains("Оптовая")), "{messages:?}");
    assert_eq!(figures(&app, "BLT-933-8X20").await, (Some(12_345), Some(17_000)));
    assert_eq!(figures(&app, "BLT-933-8X30").await.0, Some(9_990), "SKUs match whatever their case and spacing");

    let (_, again) = upload(&app, &admin, false, "price.xlsx", list).await;
    assert_eq!(again["counts"]["prices"]["unchanged"], 2, "the same list twice changes nothing: {again}");
    assert!(again["counts"]["prices"]["updated"].as_i64().unwrap_or(0) == 0, "{again}");

    // No column the portal can place: refused as a whole, with the reason.
    let unknown =
        workbook(&[vec![json!("Артикул"), json!("Цена прошлого века")], vec![json!("BLT-933-8X20"), json!(1)]]);
    let (status, refused) = upload(&app, &admin, false, "odd.xlsx", unknown).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"][0]["message"].as_str().expect("message").contains("no price or stock column"));
    // Not a spreadsheet at all, whatever its name says.
    let (status, _) = upload(&app, &admin, false, "price.xlsx", b"%PDF-1.7 not a sheet".to_vec()).await;
    assert_eq!(status, 422);
    assert_eq!(figures(&app, "BLT-933-8X20").await, (Some(12_345), Some(17_000)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_column_mapping_names_the_price_types_and_warehouses() {
    let app = spawn_app().await;
    let mapping: connector::excel::Mapping = toml::from_str(
        "key_column = \"Код\"\nkey = \"id\"\n[prices]\n\"Цена опт.\" = \"pt-wholesale\"\n[stock]\n\"Остаток СПб\" = \"wh-spb\"\n",
    )
    .expect("mapping");
    let external: String = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::offers;
            Ok(offers::table.filter(offers::sku.eq("BLT-933-8X20")).select(offers::external_id).first(conn)?)
        })
        .await;
    let list = workbook(&[
        vec![json!("Код"), json!("Цена опт."), json!("Остаток СПб"), json!("Оптовая")],
        vec![json!(external), json!(55.5), json!("3,5000"), json!(1)],
    ]);
    let db = app.db.clone();
    let counts = tokio::task::spawn_blocking(move || {
        let (sheet, kind) = connector::excel::read("list.xlsx", &list).expect("read");
        assert_eq!(kind, connector::excel::SheetKind::PriceList);
        connector::excel::prices::import(&db, &sheet, &mapping, false).expect("import")
    })
    .await
    .expect("join");
    assert_eq!(counts.entities["prices"].updated, 1, "only the mapped column counts: {}", counts.summary());
    assert_eq!(figures(&app, "BLT-933-8X20").await, (Some(5_550), Some(3_500)));

    let wrong: connector::excel::Mapping =
        toml::from_str("[prices]\n\"Цена\" = \"pt-nonexistent\"\n").expect("mapping");
    let list = workbook(&[vec![json!("Артикул"), json!("Цена")], vec![json!("BLT-933-8X20"), json!(1)]]);
    let db = app.db.clone();
    let error = tokio::task::spawn_blocking(move || {
        let (sheet, _) = connector::excel::read("list.xlsx", &list).expect("read");
        connector::excel::prices::import(&db, &sheet, &wrong, false).expect_err("unknown price type")
    })
    .await
    .expect("join");
    assert!(error.to_string().contains("pt-nonexistent"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_status_sheet_drives_orders_and_reports_unknown_rows() {
    let app = spawn_app().await;
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 10)]).await;
    let (id, number) = (order["id"].as_i64().expect("id"), order["number"].as_str().expect("number").to_string());

    let sheet = workbook(&[
        vec![json!("Номер заказа"), json!("Номер в 1С"), json!("Статус"), json!("Оплачен"), json!("Отгружен")],
        vec![json!(number), json!("УТ-77"), json!("В обработке"), json!("да"), json!("да")],
        vec![json!("NOT-OURS-9"), json!(""), json!(""), json!("да"), json!("")],
        vec![json!(number), json!(""), json!("Летит на Луну"), json!(""), json!("")],
    ]);
    let (status, run) = upload(&app, &admin, false, "statuses.xlsx", sheet.clone()).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["documents"]["updated"], 1, "{run}");
    assert_eq!(run["counts"]["documents"]["rejected"], 2, "{run}");
    let (_, order) = app.api_get(&buyer, &format!("/api/v1/orders/{id}")).await;
    assert_eq!(order["status"], "shipped");
    assert_eq!(order["erp_number"], "УТ-77");
    assert_eq!(order["paid_minor"], order["total_minor"]);
    let actors: Vec<&str> =
        order["events"].as_array().expect("events").iter().filter_map(|e| e["actor"].as_str()).collect();
    assert!(actors.iter().skip(1).all(|a| *a == "erp"), "{actors:?}");

    let (_, again) = upload(&app, &admin, false, "statuses.xlsx", sheet).await;
    assert_eq!(again["counts"]["documents"]["unchanged"], 1, "the same sheet twice changes nothing: {again}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_status_sheet_may_name_a_status_as_the_administrator_renamed_it() {
    let app = spawn_app().await;
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let renamed = json!({"name_ru": "Собирается на складе", "name_en": "Being picked"});
    assert_eq!(send(&app, &admin, "PUT", "/api/v1/admin/statuses/processing", renamed).await.0, 200);
    let first = place(&app, &buyer, &[("BLT-933-8X20", 10)]).await;
    let second = place(&app, &buyer, &[("BLT-933-8X20", 10)]).await;
    let number = |order: &Value| json!(order["number"].as_str().expect("number"));

    let sheet = workbook(&[
        vec![json!("Номер заказа"), json!("Статус")],
        vec![number(&first), json!("  собирается на складе ")],
        vec![number(&second), json!("Being picked")],
    ]);
    let (status, run) = upload(&app, &admin, false, "statuses.xlsx", sheet).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["documents"]["updated"], 2, "{run}");
    for order in [&first, &second] {
        let (_, now) = app.api_get(&buyer, &format!("/api/v1/orders/{}", order["id"])).await;
        assert_eq!(now["status"], "processing", "{now}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_folder_takes_price_lists_and_zipped_exchange_files() {
    let app = spawn_app().await;
    let dir = std::env::temp_dir().join(format!("optovik-excel-{}", rand::random::<u32>()));
    std::fs::create_dir_all(dir.join("inbox")).expect("inbox");
    let list = workbook(&[
        vec![json!("Артикул"), json!("Оптовая"), json!("Санкт-Петербург")],
        vec![json!("BLT-933-8X20"), json!(77), json!(8)],
    ]);
    std::fs::write(dir.join("inbox/price-list.xlsx"), list).expect("list");
    let sample = |name: &str| {
        std::fs::read(format!("{}/fixtures/commerceml/{name}", env!("CARGO_MANIFEST_DIR"))).expect("sample")
    };
    let zip = {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in [
            ("offers0_1.xml", sample("dobromyslov__offers0_1.xml")),
            ("import0_1.xml", sample("dobromyslov__import0_1.xml")),
            ("import_files/ab/picture.jpg", b"\xFF\xD8\xFF".to_vec()),
        ] {
            writer.start_file(name, zip::write::SimpleFileOptions::default()).expect("entry");
            writer.write_all(&bytes).expect("write");
        }
        writer.finish().expect("zip").into_inner()
    };
    std::fs::write(dir.join("inbox/exchange.zip"), zip).expect("zip");

    // The frequent job leaves catalogs and archives for the night.
    let (db, target) = (app.db.clone(), dir.clone());
    let stock = tokio::task::spawn_blocking(move || {
        use connector::jobs::folder_exchange::{import_in, Files};
        import_in(&db, &target, Files::StockAndPrices, portal::journal::Trigger::Cli).expect("run")
    })
    .await
    .expect("join");
    assert_eq!(stock.summary, "1 files imported, 0 failed");
    assert_eq!(figures(&app, "BLT-933-8X20").await, (Some(7_700), Some(8_000)));
    assert!(dir.join("inbox/exchange.zip").exists());

    let (db, target) = (app.db.clone(), dir.clone());
    let nightly = tokio::task::spawn_blocking(move || {
        use connector::jobs::folder_exchange::{import_in, Files};
        import_in(&db, &target, Files::All, portal::journal::Trigger::Cli).expect("run")
    })
    .await
    .expect("join");
    assert_eq!(nightly.summary, "3 files imported, 0 failed", "the zip, then its catalog and offers");
    let imported: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::products;
            let zipped = "bd8c4e15-18f9-11e7-80c2-0cc47ab29cd1";
            Ok(products::table.filter(products::external_id.eq(zipped)).count().get_result(conn)?)
        })
        .await;
    assert_eq!(imported, 1, "the zipped catalog was imported");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_check_and_import_a_file_from_the_journal_page() {
    use crate::support::csrf_of;
    let app = spawn_app().await;
    let admin = app.login("admin@demo.example", "demo-admin").await;
    let page = admin.get(app.url("/admin")).send().await.expect("admin").text().await.expect("html");
    let csrf = csrf_of(&page);
    let list = workbook(&[
        vec![json!("Артикул"), json!("Оптовая")],
        vec![json!("BLT-933-8X20"), json!(321)],
        vec![json!("NOPE"), json!(1)],
    ]);
    let post = |dry: &str, bytes: Vec<u8>| {
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("dry_run", dry.to_string())
            .part("file", Part::bytes(bytes).file_name("prices.xlsx"));
        admin.post(app.url("/admin/imports")).multipart(form).send()
    };
    let checked = post("true", list.clone()).await.expect("post");
    assert_eq!(checked.status(), 303);
    let run_page = checked.headers()["location"].to_str().expect("location").to_string();
    assert!(run_page.starts_with("/admin/runs/"), "{run_page}");
    let html = admin.get(app.url(&run_page)).send().await.expect("run").text().await.expect("html");
    assert!(
        html.contains("import (dry run)") && html.contains("prices.xlsx"),
        "the run page names the job and file: {html}"
    );
    assert!(html.contains("NOPE") && html.contains("row 3"), "and every error with its place");
    assert_ne!(figures(&app, "BLT-933-8X20").await.0, Some(32_100), "checking changes nothing");

    let imported = post("false", list).await.expect("post");
    assert_eq!(imported.status(), 303);
    assert_eq!(figures(&app, "BLT-933-8X20").await.0, Some(32_100));

    let buyer = app.login(BUYER.0, BUYER.1).await;
    let refused = buyer.get(app.url(&run_page)).send().await.expect("run");
    assert!(matches!(refused.status().as_u16(), 403 | 404), "{}", refused.status());
    let no_token = crate::support::browser()
        .post(app.url("/admin/imports"))
        .multipart(Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("a.xml")))
        .send()
        .await
        .expect("post");
    let location = no_token.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
    assert!(location.starts_with("/login"), "no session, no import: {} {location}", no_token.status());
}

#[tokio::test(flavor = "multi_thread")]
async fn break_columns_of_a_price_list_set_quantity_price_breaks() {
    let app = spawn_app().await;
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let list = workbook(&[
        vec![json!("Артикул"), json!("Оптовая"), json!("Оптовая от 100"), json!("Оптовая от 500 шт.")],
        vec![json!("BLT-933-8X20"), json!(10), json!("9,50"), json!(9)],
        vec![json!("BLT-933-8X30"), json!(11), json!(""), json!("")],
        vec![json!("BLT-933-8X40"), json!(12), json!("дёшево"), json!(10)],
    ]);
    let (status, run) = upload(&app, &admin, false, "breaks.xlsx", list.clone()).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["breaks"]["created"], 2, "{run}");
    assert_eq!(run["counts"]["breaks"]["rejected"], 1, "an unreadable break is refused with its place: {run}");
    let (offer, price_type) = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::{offers, price_types};
            let offer: i64 = offers::table.filter(offers::sku.eq("BLT-933-8X20")).select(offers::id).first(conn)?;
            let pt: i64 = price_types::table
                .filter(price_types::external_id.eq("pt-wholesale"))
                .select(price_types::id)
                .first(conn)?;
            Ok((offer, pt))
        })
        .await;
    let (status, breaks) =
        app.api_get(&admin, &format!("/api/v1/admin/price-breaks?offer_id={offer}&price_type_id={price_type}")).await;
    assert_eq!(status, 200, "{breaks}");
    assert_eq!(
        breaks["breaks"],
        json!([{"min_quantity": "100", "price_minor": 950}, {"min_quantity": "500", "price_minor": 900}]),
        "{breaks}"
    );
    let (_, again) = upload(&app, &admin, false, "breaks.xlsx", list).await;
    assert_eq!(again["counts"]["breaks"]["unchanged"], 2, "the same list twice changes nothing: {again}");
}
