//! CommerceML imports against a real database: the sample files from 1C and
//! site modules, counts, idempotency, all-or-nothing on a broken file, full
//! catalogs deactivating what they no longer list, `#` offers.

use connector::commerceml::{read_to_vec, Item};
use connector::import::import;

use crate::support::spawn_app;

pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/commerceml/{name}", env!("CARGO_MANIFEST_DIR"))).expect("sample")
}

fn count_items(bytes: &[u8], f: impl Fn(&Item) -> bool) -> usize {
    read_to_vec(bytes).expect("readable").0.into_iter().filter(|i| f(i)).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn catalog_and_offers_import_once_and_change_nothing_twice() {
    let app = spawn_app().await;
    let catalog = sample("dobromyslov__import0_1.xml");
    let offers = sample("dobromyslov__offers0_1.xml");
    // Distinct `Ид` not marked deleted: a file may list a product twice.
    let products = read_to_vec(&catalog[..])
        .expect("readable")
        .0
        .into_iter()
        .filter_map(|i| if let Item::Product(p) = i { (!p.deleted).then_some(p.id) } else { None })
        .collect::<std::collections::HashSet<_>>()
        .len();
    let offer_items = count_items(&offers, |i| matches!(i, Item::Offer(_)));
    assert!(products > 30 && offer_items > 40);
    let db = app.db.clone();
    let (first, second, offers_first, offers_second) = tokio::task::spawn_blocking(move || {
        let first = import(&db, &catalog[..]).expect("catalog");
        let second = import(&db, &catalog[..]).expect("catalog again");
        let offers_first = import(&db, &offers[..]).expect("offers");
        let offers_second = import(&db, &offers[..]).expect("offers again");
        (first, second, offers_first, offers_second)
    })
    .await
    .expect("join");
    assert_eq!(first.entities["products"].created, products, "{}", first.summary());
    assert!(first.entities["products"].deactivated >= 700, "a full catalog retires the demo products");
    assert_eq!(second.changes(), 0, "the same file twice changes nothing: {}", second.summary());
    assert!(second.entities["products"].unchanged >= products);
    assert!(
        offers_first.entities["prices"].created > 0 && offers_first.entities["stock"].created > 0,
        "{}",
        offers_first.summary()
    );
    assert_eq!(offers_second.changes(), 0, "{}", offers_second.summary());

    // The imported goods are searchable with their stock.
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let (status, page) = app.api_get(&admin, "/api/v1/catalog/products?in_stock=true").await;
    assert_eq!(status, 200);
    assert!(page["total"].as_i64().expect("total") > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_file_changes_nothing_and_says_where() {
    let app = spawn_app().await;
    let catalog = sample("dobromyslov__import0_1.xml");
    let cut = catalog[..catalog.len() * 9 / 10].to_vec();
    let db = app.db.clone();
    let before = app.with_db(portal::demo::is_empty).await;
    assert!(!before);
    let error = tokio::task::spawn_blocking(move || import(&db, &cut[..]).expect_err("broken")).await.expect("join");
    let message = error.to_string();
    assert!(message.contains("КоммерческаяИнформация/"), "the place is named: {message}");
    let active: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::products;
            Ok(products::table.filter(products::active.eq(true)).count().get_result(conn)?)
        })
        .await;
    assert_eq!(active, 756, "the demo catalog is untouched");
}

#[tokio::test(flavor = "multi_thread")]
async fn offers_of_unknown_products_are_rejected_not_invented() {
    let app = spawn_app().await;
    let db = app.db.clone();
    let counts = tokio::task::spawn_blocking(move || {
        import(&db, &sample("carono-php-commerceml__offers.xml")[..]).expect("offers")
    })
    .await
    .expect("join");
    assert_eq!(counts.entities["offers"].rejected, 5, "{}", counts.summary());
    assert!(counts.problems[0].contains('#'), "{:?}", counts.problems);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_classifier_only_file_with_a_bom_reads() {
    let app = spawn_app().await;
    let db = app.db.clone();
    let counts = tokio::task::spawn_blocking(move || {
        import(&db, &sample("gillbeits__import___b815e2db-7a65-4265-9241-5f0c4f0565a7.xml")[..]).expect("classifier")
    })
    .await
    .expect("join");
    assert_eq!(counts.entities["categories"].created, 97, "{}", counts.summary());
    assert!(counts.entities.contains_key("price_types") && counts.entities.contains_key("warehouses"));
}

#[tokio::test(flavor = "multi_thread")]
async fn counterparties_become_companies_once() {
    let app = spawn_app().await;
    let file = sample("argentcrusade__contractors-example.xml");
    let parties = count_items(&file, |i| matches!(i, Item::Counterparty(_)));
    let db = app.db.clone();
    let (first, second) = tokio::task::spawn_blocking(move || {
        (import(&db, &file[..]).expect("contractors"), import(&db, &file[..]).expect("again"))
    })
    .await
    .expect("join");
    let t = first.entities["companies"];
    assert_eq!(t.created + t.rejected, parties, "{}", first.summary());
    assert!(t.created > 0);
    assert_eq!(second.changes(), 0, "{}", second.summary());
}

#[test]
fn the_import_command_prints_counts_and_fails_on_a_broken_file() {
    let dir = std::env::temp_dir().join(format!("optovik-cli-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join("cli.db");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_optovik"))
            .args(args)
            .env("DATABASE_URL", &db)
            .env("RUST_LOG", "warn")
            .output()
            .expect("optovik runs")
    };
    let fixture = |name: &str| format!("{}/fixtures/commerceml/{name}", env!("CARGO_MANIFEST_DIR"));
    let ok = run(&["import", &fixture("dobromyslov__import0_1.xml"), &fixture("dobromyslov__offers0_1.xml")]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(out.contains("products: 35 created") && out.contains("prices: 35 created"), "{out}");

    let cut = dir.join("cut.xml");
    let bytes = std::fs::read(fixture("dobromyslov__import0_1.xml")).expect("sample");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let broken = run(&["import", cut.to_str().expect("path")]);
    assert!(!broken.status.success());
    assert!(String::from_utf8_lossy(&broken.stderr).contains("nothing changed"));

    let export = run(&["export", "orders", "--out", dir.join("out").to_str().expect("path")]);
    assert!(export.status.success());
    let jobs = run(&["job", "list"]);
    assert!(String::from_utf8_lossy(&jobs.stdout).contains("reservation-expiry"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn imports_over_the_api_with_a_dry_run_first() {
    use reqwest::multipart::{Form, Part};
    let app = spawn_app().await;
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let buyer = app.token("buyer@demo.example", "demo-buyer").await;
    let send = |token: &str, dry: bool, name: &str, bytes: Vec<u8>| {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/admin/imports?dry_run={dry}")))
            .bearer_auth(token.to_string())
            .multipart(form)
            .send()
    };
    let catalog = sample("dobromyslov__import0_1.xml");
    assert_eq!(send(&buyer, true, "import.xml", catalog.clone()).await.expect("post").status(), 403);

    let dry = send(&admin, true, "import0_1.xml", catalog.clone()).await.expect("post");
    assert_eq!(dry.status(), 200);
    let dry: serde_json::Value = dry.json().await.expect("json");
    assert_eq!(dry["job"], "import (dry run)");
    assert_eq!(dry["counts"]["products"]["created"], 35);
    assert_eq!(dry["files"][0]["bytes"].as_u64(), Some(catalog.len() as u64));
    assert_eq!(dry["files"][0]["sha256"].as_str().map(str::len), Some(64));
    let active: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::products;
            Ok(products::table.filter(products::active.eq(true)).count().get_result(conn)?)
        })
        .await;
    assert_eq!(active, 756, "a dry run changes nothing");

    let real = send(&admin, false, "import0_1.xml", catalog.clone()).await.expect("post");
    assert_eq!(real.status(), 200);
    let real: serde_json::Value = real.json().await.expect("json");
    assert_eq!(real["counts"]["products"]["created"], 35);
    let broken = send(&admin, false, "cut.xml", catalog[..catalog.len() / 3].to_vec()).await.expect("post");
    assert_eq!(broken.status(), 422);
    let broken: serde_json::Value = broken.json().await.expect("json");
    assert_eq!(broken["status"], "failure");
    assert!(broken["errors"][0]["message"].as_str().expect("message").contains("КоммерческаяИнформация/"));
    let (_, runs) = app.api_get(&admin, "/api/v1/admin/sync-runs").await;
    assert_eq!(runs.as_array().expect("runs").len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_exchange_folder_imports_archives_and_writes_orders() {
    let app = spawn_app().await;
    app.with_db(|conn| portal::settings::set(conn, portal::ordering::channels::SETTING, "1c,folder")).await;
    let buyer = app.token("buyer@demo.example", "demo-buyer").await;
    crate::ordering::place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;

    let dir = std::env::temp_dir().join(format!("optovik-exchange-{}", rand::random::<u32>()));
    std::fs::create_dir_all(dir.join("inbox")).expect("inbox");
    // Names as 1C writes them; offers must go after the catalog whatever the listing order.
    std::fs::write(dir.join("inbox/offers0_1.xml"), sample("dobromyslov__offers0_1.xml")).expect("offers");
    std::fs::write(dir.join("inbox/import0_1.xml"), sample("dobromyslov__import0_1.xml")).expect("import");
    let broken = sample("dobromyslov__import0_1.xml");
    std::fs::write(dir.join("inbox/import_broken.xml"), &broken[..broken.len() / 2]).expect("broken");
    std::fs::write(dir.join("inbox/prices.zip"), b"PK\x03\x04").expect("zip");
    let db = app.db.clone();
    let target = dir.clone();
    let report = tokio::task::spawn_blocking(move || {
        connector::jobs::folder_exchange::run_in(&db, &target, portal::journal::Trigger::Cli).expect("run")
    })
    .await
    .expect("join");
    assert_eq!(report.summary, "2 files imported, 2 failed, 1 orders written");
    let names = |sub: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir.join(sub))
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert!(names("inbox").is_empty());
    assert_eq!(names("archive").len(), 2);
    let failed = names("failed");
    assert_eq!(failed.len(), 4, "two files and their reports: {failed:?}");
    let report_file =
        failed.iter().find(|n| n.contains("import_broken") && n.ends_with(".report.txt")).expect("report");
    assert!(std::fs::read_to_string(dir.join("failed").join(report_file)).expect("report").contains("nothing changed"));
    let outbox = names("outbox");
    assert_eq!(outbox.len(), 1);
    let written = std::fs::read(dir.join("outbox").join(&outbox[0])).expect("orders");
    assert!(written.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>"));
    let (_, page) = app.api_get(&buyer, "/api/v1/catalog/products?in_stock=true").await;
    assert!(page["total"].as_i64().expect("total") > 0, "offers were imported after the catalog");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn characteristic_offers_are_orderable_and_reimports_change_nothing() {
    use serde_json::json;
    let app = spawn_app().await;
    let catalog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><КоммерческаяИнформация ВерсияСхемы=\"2.09\"><Каталог СодержитТолькоИзменения=\"true\"><Товары>\
        <Товар><Ид>glove</Ид><Артикул>GLV-1</Артикул><Наименование>Перчатки рабочие</Наименование><БазоваяЕдиница>пара</БазоваяЕдиница>\
        <СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>20</Ставка></СтавкаНалога></СтавкиНалогов></Товар>\
        </Товары></Каталог></КоммерческаяИнформация>";
    let offers = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><КоммерческаяИнформация ВерсияСхемы=\"2.09\"><ПакетПредложений СодержитТолькоИзменения=\"true\">\
        <ТипыЦен><ТипЦены><Ид>pt-wholesale</Ид><Наименование>Оптовая</Наименование></ТипЦены></ТипыЦен><Предложения>\
        <Предложение><Ид>glove#m</Ид><Артикул>GLV-1-M</Артикул><Наименование>Перчатки рабочие (M)</Наименование><ХарактеристикиТовара><ХарактеристикаТовара><Наименование>Размер</Наименование><Значение>M</Значение></ХарактеристикаТовара></ХарактеристикиТовара>\
        <Цены><Цена><ИдТипаЦены>pt-wholesale</ИдТипаЦены><ЦенаЗаЕдиницу>55.5</ЦенаЗаЕдиницу></Цена></Цены><Количество>100</Количество></Предложение>\
        <Предложение><Ид>glove#l</Ид><Артикул>GLV-1-L</Артикул><Наименование>Перчатки рабочие (L)</Наименование>\
        <Цены><Цена><ИдТипаЦены>pt-wholesale</ИдТипаЦены><ЦенаЗаЕдиницу>56</ЦенаЗаЕдиницу></Цена></Цены><Количество>0</Количество></Предложение>\
        </Предложения></ПакетПредложений></КоммерческаяИнформация>";
    let db = app.db.clone();
    let (first, second) = tokio::task::spawn_blocking(move || {
        let a = import(&db, catalog.as_bytes()).expect("catalog");
        let b = import(&db, offers.as_bytes()).expect("offers");
        let c = import(&db, catalog.as_bytes()).expect("catalog again");
        let d = import(&db, offers.as_bytes()).expect("offers again");
        (a.changes() + b.changes(), c.changes() + d.changes())
    })
    .await
    .expect("join");
    assert!(first > 0);
    assert_eq!(second, 0, "the pair of files again changes nothing");
    let buyer = app.token("buyer@demo.example", "demo-buyer").await;
    let (_, found) = app.api_get(&buyer, "/api/v1/catalog/products?q=GLV-1").await;
    let skus: Vec<&str> =
        found["items"].as_array().expect("items").iter().map(|i| i["sku"].as_str().expect("sku")).collect();
    assert_eq!(skus.len(), 2, "the product itself is not sold, its sizes are: {skus:?}");
    assert!(skus.contains(&"GLV-1-M") && skus.contains(&"GLV-1-L"));
    let cart = crate::ordering::current_cart(&app, &buyer).await;
    let (_, verdict) = crate::ordering::send(
        &app,
        &buyer,
        "POST",
        &format!("/api/v1/carts/{cart}/lines"),
        json!({"sku": "GLV-1-M", "quantity": 10}),
    )
    .await;
    assert_eq!(verdict["verdict"], "added");
    let (_, detail) = app.api_get(&buyer, &format!("/api/v1/carts/{cart}")).await;
    // 55.50 wholesale, 3 % contract discount, VAT included: 53.835 → 53.84.
    assert_eq!(detail["lines"][0]["unit_price_minor"], 5384);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_catalog_can_be_told_not_to_retire_goods() {
    let app = spawn_app().await;
    app.with_db(|conn| portal::settings::set(conn, portal::settings::FULL_CATALOG_DEACTIVATES, "false")).await;
    let db = app.db.clone();
    let counts =
        tokio::task::spawn_blocking(move || import(&db, &sample("dobromyslov__import0_1.xml")[..]).expect("catalog"))
            .await
            .expect("join");
    assert_eq!(counts.entities["products"].deactivated, 0, "{}", counts.summary());
    let active: i64 = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::products;
            Ok(products::table.filter(products::active.eq(true)).count().get_result(conn)?)
        })
        .await;
    assert_eq!(active, 756 + 35);
}

/// A generated catalog and offers file of `n` products (two characteristic
/// offers each), listing product 0 and one offer twice with later values.
fn generated(n: usize, price: u32) -> (String, String) {
    let mut catalog = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><КоммерческаяИнформация ВерсияСхемы=\"2.10\"><Каталог СодержитТолькоИзменения=\"true\"><Товары>",
    );
    for p in 0..n {
        catalog.push_str(&format!(
            "<Товар><Ид>gen-{p}</Ид><Артикул>GEN-{p}</Артикул><Наименование>Товар {p}</Наименование></Товар>"
        ));
    }
    catalog.push_str(
        "<Товар><Ид>gen-0</Ид><Артикул>GEN-0</Артикул><Наименование>Товар 0, уточнённый</Наименование></Товар>",
    );
    catalog.push_str("</Товары></Каталог></КоммерческаяИнформация>");
    let mut offers = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><КоммерческаяИнформация ВерсияСхемы=\"2.10\"><ПакетПредложений СодержитТолькоИзменения=\"true\">\
         <ТипыЦен><ТипЦены><Ид>gen-price</Ид><Наименование>Опт</Наименование></ТипЦены></ТипыЦен>\
         <Склады><Склад><Ид>gen-store</Ид><Наименование>Склад</Наименование></Склад></Склады><Предложения>",
    );
    let offer = |id: String, price: u32, quantity: u32| {
        format!(
            "<Предложение><Ид>{id}</Ид><Цены><Цена><ИдТипаЦены>gen-price</ИдТипаЦены><ЦенаЗаЕдиницу>{price}</ЦенаЗаЕдиницу></Цена></Цены>\
             <Склад ИдСклада=\"gen-store\" КоличествоНаСкладе=\"{quantity}\"/></Предложение>"
        )
    };
    for p in 0..n {
        for c in 0..2 {
            offers.push_str(&offer(format!("gen-{p}#c{c}"), price, 5));
        }
    }
    offers.push_str(&offer("gen-1#c0".into(), price + 1, 7));
    offers.push_str("</Предложения></ПакетПредложений></КоммерческаяИнформация>");
    (catalog, offers)
}

#[tokio::test(flavor = "multi_thread")]
async fn large_files_apply_in_batches_with_exact_counts() {
    let app = spawn_app().await;
    let n = 1_234; // more than two batches, and not a multiple of one
    let (catalog, offers) = generated(n, 100);
    let db = app.db.clone();
    let (first, offers_first, again, offers_again) = tokio::task::spawn_blocking(move || {
        let first = import(&db, catalog.as_bytes()).expect("catalog");
        let offers_first = import(&db, offers.as_bytes()).expect("offers");
        let again = import(&db, catalog.as_bytes()).expect("catalog again");
        let offers_again = import(&db, offers.as_bytes()).expect("offers again");
        (first, offers_first, again, offers_again)
    })
    .await
    .expect("join");
    let products = &first.entities["products"];
    assert_eq!(
        (products.created, products.updated),
        (n, 1),
        "the repeated product updates itself: {}",
        first.summary()
    );
    let offers = &offers_first.entities["offers"];
    assert_eq!(offers.created, 2 * n, "{}", offers_first.summary());
    assert_eq!(offers.deactivated, n, "products sold by characteristics are not sold as themselves");
    let prices = &offers_first.entities["prices"];
    assert_eq!((prices.created, prices.updated), (2 * n, 1), "{}", offers_first.summary());
    // The files contradict themselves on gen-0 and gen-1#c0 (listed twice, different values): the
    // later row wins each time, so exactly those read as updates again; all the rest is unchanged.
    let products = &again.entities["products"];
    assert_eq!((products.unchanged, products.updated), (n - 1, 2), "{}", again.summary());
    assert_eq!(offers_again.entities["prices"].updated, 2, "{}", offers_again.summary());
    let (price, stock, total): (i64, i64, i64) = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::{offers, prices, stock};
            let id: i64 = offers::table.filter(offers::external_id.eq("gen-1#c0")).select(offers::id).first(conn)?;
            let price = prices::table.filter(prices::offer_id.eq(id)).select(prices::price_minor).first(conn)?;
            let quantity = stock::table.filter(stock::offer_id.eq(id)).select(stock::quantity).first(conn)?;
            let total = offers::table.find(id).select(offers::stock_total).first(conn)?;
            Ok((price, quantity, total))
        })
        .await;
    assert_eq!((price, stock, total), (10_100, 7_000, 7_000), "the later row wins and the total follows");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_product_retired_then_listed_again_comes_back() {
    let app = spawn_app().await;
    let file = |deleted: bool| {
        let mark = if deleted { "<ПометкаУдаления>true</ПометкаУдаления>" } else { "" };
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><КоммерческаяИнформация ВерсияСхемы=\"2.10\"><Каталог СодержитТолькоИзменения=\"true\"><Товары>\
             <Товар><Ид>back-1</Ид><Артикул>BACK-1</Артикул><Наименование>Возвращённый товар</Наименование>{mark}</Товар></Товары></Каталог></КоммерческаяИнформация>"
        )
    };
    let db = app.db.clone();
    let (listed, retired, again, twice) = tokio::task::spawn_blocking(move || {
        let listed = import(&db, file(false).as_bytes()).expect("listed");
        let retired = import(&db, file(true).as_bytes()).expect("retired");
        let again = import(&db, file(false).as_bytes()).expect("again");
        let twice = import(&db, file(false).as_bytes()).expect("twice");
        (listed, retired, again, twice)
    })
    .await
    .expect("join");
    assert_eq!(listed.entities["products"].created, 1);
    assert_eq!(retired.entities["products"].deactivated, 1);
    assert_eq!(again.entities["products"].updated, 1, "listed again, it is active again: {}", again.summary());
    assert_eq!(twice.changes(), 0, "{}", twice.summary());
    let active: bool = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use portal::db::schema::products;
            Ok(products::table.filter(products::external_id.eq("back-1")).select(products::active).first(conn)?)
        })
        .await;
    assert!(active);
}
