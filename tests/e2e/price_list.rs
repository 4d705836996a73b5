//! The buyer's personal price list: their contract prices (equal to the
//! catalog's, for two companies on different terms), only their assortment,
//! grouped by category, as .xlsx and .csv from the API and the catalog page,
//! and — filled with quantities — uploaded back as an order.

use serde_json::Value;

use crate::support::{spawn_app, TestApp, BUYER, BUYER2};

async fn download(app: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let response = reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.expect("download");
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (status, kind, response.bytes().await.expect("body").to_vec())
}

/// The sheet's rows as text cells (numbers as written by calamine).
fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    sheet.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
}

/// The outline levels the sheet's rows carry (`<row … outlineLevel="n">`).
fn outline_levels(bytes: &[u8]) -> std::collections::BTreeSet<u32> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut xml = String::new();
    archive.by_name("xl/worksheets/sheet1.xml").expect("sheet").read_to_string(&mut xml).expect("xml");
    xml.split("outlineLevel=\"").skip(1).filter_map(|rest| rest.split('"').next()?.parse().ok()).collect()
}

/// The catalog API's unit price (kopecks) of a SKU for the token's owner.
async fn catalog_price(app: &TestApp, token: &str, sku: &str) -> Option<i64> {
    let (_, found) = app.api_get(token, &format!("/api/v1/catalog/products?q={sku}")).await;
    found["items"].as_array()?.iter().find(|i| i["sku"] == sku)?["price"]["amount_minor"].as_i64()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_price_list_carries_each_buyers_own_prices_and_assortment_and_uploads_back() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;

    let mut prices_seen = Vec::new();
    for token in [&buyer, &dealer] {
        let (status, kind, bytes) = download(&app, token, "/api/v1/catalog/price-list.xlsx").await;
        assert_eq!(status, 200);
        assert!(kind.contains("spreadsheetml"), "{kind}");
        let rows = sheet_rows(&bytes);
        let header = rows.iter().position(|r| r.first().map(String::as_str) == Some("Артикул")).expect("header");
        assert!(rows[header].iter().any(|c| c == "Количество"), "a column to fill in: {:?}", rows[header]);
        let items: Vec<&Vec<String>> = rows[header + 1..].iter().filter(|r| !r[0].is_empty()).collect();
        assert!(items.len() > 100, "the whole catalog the buyer sees");
        for sku in ["NUT-934-M10", "BLT-933-8X20", "GVZ-4028-40"] {
            let row = items.iter().find(|r| r[0] == sku).expect(sku);
            let in_file = (row[3].parse::<f64>().expect("a number") * 100.0).round() as i64;
            assert_eq!(
                Some(in_file),
                catalog_price(&app, token, sku).await,
                "{sku}: the file's price is the catalog's"
            );
            prices_seen.push(in_file);
        }
        let headings: Vec<&String> = rows[header + 1..].iter().filter(|r| r[0].is_empty()).map(|r| &r[1]).collect();
        assert!(headings.iter().any(|h| h.contains("Крепёж")), "grouped by category: {headings:?}");
        let nut = items.iter().find(|r| r[0] == "NUT-934-M10").expect("nut");
        assert!(nut[8].starts_with("от 1"), "the price break is in the file: {nut:?}");
        assert!(nut[10].contains("/media/"), "the demo nut has a picture link: {nut:?}");
        assert!(outline_levels(&bytes).contains(&2), "goods sit in outline levels under their category");
    }
    assert_ne!(prices_seen[..3], prices_seen[3..], "two companies, two sets of prices");

    // The dealers' hidden category is not in their file.
    let (_, _, mine) = download(&app, &buyer, "/api/v1/catalog/price-list.csv").await;
    let (_, _, theirs) = download(&app, &dealer, "/api/v1/catalog/price-list.csv").await;
    assert!(mine.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark for Excel");
    let (mine, theirs) = (String::from_utf8(mine).expect("utf-8"), String::from_utf8(theirs).expect("utf-8"));
    assert!(mine.contains("Спецодежда и СИЗ") && !theirs.contains("Спецодежда и СИЗ"));
    assert!(mine.lines().next().expect("header").contains("Артикул;Наименование"));

    // One category; one that is not theirs is 404.
    let (_, categories) = app.api_get(&dealer, "/api/v1/catalog/categories").await;
    let fasteners =
        categories.as_array().expect("list").iter().find(|c| c["name"] == "Крепёж").expect("fasteners")["id"].clone();
    let (status, _, part) =
        download(&app, &dealer, &format!("/api/v1/catalog/price-list.csv?category={fasteners}")).await;
    assert_eq!(status, 200);
    let part = String::from_utf8(part).expect("utf-8");
    assert!(
        part.contains("NUT-934-M10") && part.contains("Крепёж") && !part.contains("Электротовары"),
        "only fasteners"
    );
    let (_, all) = app.api_get(&buyer, "/api/v1/catalog/categories").await;
    let ppe = all.as_array().expect("list").iter().find(|c| c["external_id"] == "ppe").expect("ppe")["id"].clone();
    let (status, _, _) = download(&app, &dealer, &format!("/api/v1/catalog/price-list.xlsx?category={ppe}")).await;
    assert_eq!(status, 404);

    // Filled with quantities, the file is an order.
    let (_, _, bytes) = download(&app, &buyer, "/api/v1/catalog/price-list.xlsx").await;
    let rows = sheet_rows(&bytes);
    let quantity_column = rows.iter().find_map(|r| r.iter().position(|c| c == "Количество")).expect("column");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, cell).expect("cell");
            }
        }
        if matches!(row.first().map(String::as_str), Some("NUT-934-M10" | "BLT-933-8X20")) {
            sheet.write_number(r as u32, quantity_column as u16, 200.0).expect("quantity");
        }
    }
    let filled = book.save_to_buffer().expect("xlsx");
    let cart = crate::ordering::current_cart(&app, &buyer).await;
    let (status, report) =
        app.post_file(&buyer, &format!("/api/v1/carts/{cart}/upload"), "price-list.xlsx", filled, &[]).await;
    assert_eq!(status, 200, "{report}");
    let accepted: Vec<&Value> =
        report["rows"].as_array().expect("rows").iter().filter(|r| r["accepted"] == true).collect();
    let skus: Vec<&str> = accepted.iter().map(|r| r["sku"].as_str().expect("sku")).collect();
    assert_eq!(skus.len(), 2, "the two filled rows, nothing else: {report}");
    assert!(skus.contains(&"NUT-934-M10") && skus.contains(&"BLT-933-8X20"));

    // The catalog page offers the same files for its current filter.
    let page = app.login(BUYER.0, BUYER.1).await;
    let html = page.get(app.url("/catalog")).send().await.expect("catalog").text().await.expect("body");
    assert!(html.contains("/catalog/price-list.xlsx?"), "a download link");
    let csv = page.get(app.url("/catalog/price-list.csv?q=NUT-934")).send().await.expect("csv");
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.expect("body");
    assert!(text.contains("NUT-934-M10") && !text.contains("BLT-933-8X20"), "the page's search narrows the file");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_link_serves_the_price_list_without_a_token_until_revoked() {
    let app = spawn_app().await;
    let dealer = app.token(BUYER2.0, BUYER2.1).await;
    let (status, made) =
        crate::ordering::send(&app, &dealer, "POST", "/api/v1/catalog/price-list/link", Value::Null).await;
    assert_eq!(status, 201, "{made}");
    let url = made["url"].as_str().expect("url").to_string();
    let path = url.split_once("/price-list/").map(|(_, rest)| format!("/price-list/{rest}")).expect("a link path");
    let anonymous = reqwest::Client::new();
    let fetched = anonymous.get(app.url(&path)).send().await.expect("fetch");
    assert_eq!(fetched.status(), 200);
    let rows = sheet_rows(&fetched.bytes().await.expect("body"));
    let nut = rows.iter().find(|r| r.first().map(String::as_str) == Some("NUT-934-M10")).expect("nut row");
    let in_file = (nut[3].parse::<f64>().expect("price") * 100.0).round() as i64;
    assert_eq!(Some(in_file), catalog_price(&app, &dealer, "NUT-934-M10").await, "the dealer's own prices");
    let csv = anonymous.get(app.url(&path.replace(".xlsx", ".csv"))).send().await.expect("csv");
    assert_eq!(csv.status(), 200);
    assert!(!csv.text().await.expect("body").contains("Спецодежда и СИЗ"), "the dealer's assortment");

    // The page tells when it was made and last fetched; a new link retires the old one.
    let page = app.login(BUYER2.0, BUYER2.1).await;
    let html = page.get(app.url("/catalog")).send().await.expect("catalog").text().await.expect("body");
    assert!(html.contains("постоянная ссылка создана"), "the link's state on the catalog page");
    let (_, again) = crate::ordering::send(&app, &dealer, "POST", "/api/v1/catalog/price-list/link", Value::Null).await;
    assert_ne!(again["url"], made["url"]);
    assert_eq!(anonymous.get(app.url(&path)).send().await.expect("old").status(), 404, "the old link is dead");
    let new_path =
        again["url"].as_str().expect("url").split_once("/price-list/").map(|(_, r)| format!("/price-list/{r}"));
    let new_path = new_path.expect("path");
    assert_eq!(anonymous.get(app.url(&new_path)).send().await.expect("new").status(), 200);
    let (status, _) =
        crate::ordering::send(&app, &dealer, "DELETE", "/api/v1/catalog/price-list/link", Value::Null).await;
    assert_eq!(status, 204);
    assert_eq!(anonymous.get(app.url(&new_path)).send().await.expect("revoked").status(), 404);
    assert_eq!(anonymous.get(app.url("/price-list/nonsense/price-list.xlsx")).send().await.expect("x").status(), 404);
}
