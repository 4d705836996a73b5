//! Closing documents from the ERP: through the exchange folder (by file
//! name and by manifest, a stray file failing alone), the API (with and
//! without a reference, an ЭДО XML read by its own number), the admin's
//! import and the 1C exchange; listed and served to the buyer's company
//! only, on pages and over the API; the same file twice changes nothing.

use serde_json::Value;

use crate::finance::ADMIN;
use crate::support::{browser, spawn_app, TestApp, BUYER, BUYER2};

/// A small PDF file: what matters is that it is one, byte for byte.
fn pdf(marker: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {marker}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n").into_bytes()
}

/// A УПД in the ЭДО format (5.01), windows-1251, numbered `number`.
fn edo_upd(number: &str) -> Vec<u8> {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<Файл ИдФайл=\"ON_NSCHFDOPPR_1_2_20261201_1\" ВерсФорм=\"5.01\">\
         <Документ КНД=\"1115131\" Функция=\"СЧФДОП\"><СвСчФакт НомерСчФ=\"{number}\" ДатаСчФ=\"01.12.2026\" КодОКВ=\"643\"/>\
         </Документ></Файл>"
    );
    encoding_rs::WINDOWS_1251.encode(&xml).0.into_owned()
}

async fn documents(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (status, list) = app.api_get(token, &format!("/api/v1/finance/closing-documents{query}")).await;
    assert_eq!(status, 200, "{list}");
    list.as_array().expect("list").clone()
}

async fn download(app: &TestApp, token: &str, id: i64) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/finance/closing-documents/{id}/file")))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    (response.status().as_u16(), response.bytes().await.expect("body").to_vec())
}

/// Posts a document to the ERP endpoint with the given form fields.
async fn send_document(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    app.post_file(token, "/api/v1/erp/closing-documents", name, bytes, fields).await
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn run_folder(app: &TestApp, dir: &std::path::Path) -> tokio::task::JoinHandle<String> {
    let (db, dir) = (app.db.clone(), dir.to_path_buf());
    tokio::task::spawn_blocking(move || {
        connector::jobs::folder_exchange::import_in(
            &db,
            &dir,
            connector::jobs::folder_exchange::Files::All,
            portal::journal::Trigger::Cli,
        )
        .expect("run")
        .summary
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_folder_places_documents_by_file_name_and_manifest_for_their_company_only() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let other = app.token(BUYER2.0, BUYER2.1).await;
    let order = crate::ordering::place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let (order_id, number) = (order["id"].as_i64().expect("id"), order["number"].as_str().expect("number").to_string());
    let demo = documents(&app, &buyer, "").await;
    assert_eq!(demo.len(), 1, "the demo УПД of the latest shipment: {demo:?}");
    assert_eq!((demo[0]["kind"].as_str(), demo[0]["format"].as_str()), (Some("upd"), Some("xml")));

    let dir = std::env::temp_dir().join(format!("optovik-closing-{}", rand::random::<u32>()));
    std::fs::create_dir_all(dir.join("inbox")).expect("inbox");
    let named = format!("УПД {number} от 01.12.2026.pdf");
    std::fs::write(dir.join("inbox").join(&named), pdf("by name")).expect("named");
    std::fs::write(dir.join("inbox/scan-0001.pdf"), pdf("by manifest")).expect("scan");
    std::fs::write(
        dir.join("inbox/manifest.csv"),
        "Файл;Основание;Вид;Номер;Дата\nscan-0001.pdf;РН-2026-0533;ТОРГ-12;0533;30.10.2026\n",
    )
    .expect("manifest");
    std::fs::write(dir.join("inbox/УПД 999999.pdf"), pdf("stray")).expect("stray");
    assert_eq!(run_folder(&app, &dir).await.expect("join"), "3 files imported, 1 failed");
    assert!(names(&dir.join("inbox")).is_empty());
    let failed = names(&dir.join("failed"));
    assert_eq!(failed.len(), 2, "{failed:?}");
    let report = failed.iter().find(|n| n.ends_with(".report.txt")).expect("report");
    let report = std::fs::read_to_string(dir.join("failed").join(report)).expect("read");
    assert!(report.contains("no order or shipment is numbered \"999999\""), "{report}");

    let for_order = documents(&app, &buyer, &format!("?order_id={order_id}")).await;
    assert_eq!(for_order.len(), 1, "{for_order:?}");
    assert_eq!(for_order[0]["kind"], "upd");
    assert_eq!(for_order[0]["number"], number.as_str());
    assert_eq!(for_order[0]["date"], "2026-12-01");
    let torg = documents(&app, &buyer, "").await.into_iter().find(|d| d["kind"] == "torg12").expect("ТОРГ-12");
    assert_eq!((torg["number"].as_str(), torg["reference"].as_str()), (Some("0533"), Some("РН-2026-0533")));
    assert_eq!(torg["date"], "2026-10-30");
    assert!(torg["order_id"].is_null(), "an ERP shipment without a portal order");

    let id = for_order[0]["id"].as_i64().expect("id");
    assert_eq!(download(&app, &buyer, id).await, (200, pdf("by name")));
    assert_eq!(download(&app, &other, id).await.0, 404, "another company's document");
    assert!(documents(&app, &other, "").await.iter().all(|d| d["id"] != id));

    let page = app.login(BUYER.0, BUYER.1).await;
    let html =
        page.get(app.url(&format!("/orders/{order_id}"))).send().await.expect("page").text().await.expect("html");
    assert!(html.contains(&format!("href=\"/finance/closing/{id}\"")), "listed on the order page");
    let finance = page.get(app.url("/finance")).send().await.expect("page").text().await.expect("html");
    assert!(finance.contains("0533") && finance.contains(&format!("/finance/closing/{id}")), "and on the finance page");
    let file = page.get(app.url(&format!("/finance/closing/{id}"))).send().await.expect("file");
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert!(file.headers()["content-disposition"].to_str().expect("ascii").contains("filename*=UTF-8''"));
    assert_eq!(file.bytes().await.expect("bytes").to_vec(), pdf("by name"));
    let stranger = app.login(BUYER2.0, BUYER2.1).await;
    let refused = stranger.get(app.url(&format!("/finance/closing/{id}"))).send().await.expect("file");
    assert_eq!(refused.status(), 404);
    assert_eq!(browser().get(app.url(&format!("/finance/closing/{id}"))).send().await.expect("anon").status(), 303);

    // The same file again changes nothing; a new version replaces the old.
    std::fs::write(dir.join("inbox").join(&named), pdf("by name")).expect("again");
    assert_eq!(run_folder(&app, &dir).await.expect("join"), "1 files imported, 0 failed");
    let (_, runs) = app.api_get(&app.token(ADMIN.0, ADMIN.1).await, "/api/v1/admin/sync-runs").await;
    let last = &runs.as_array().expect("runs")[0];
    assert_eq!(last["counts"]["closing_documents"]["unchanged"], 1, "{last}");
    std::fs::write(dir.join("inbox").join(&named), pdf("corrected")).expect("new version");
    run_folder(&app, &dir).await.expect("join");
    assert_eq!(documents(&app, &buyer, "").await.len(), 3);
    assert_eq!(download(&app, &buyer, id).await, (200, pdf("corrected")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_manifest_stores_none_of_its_files() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let dir = std::env::temp_dir().join(format!("optovik-closing-{}", rand::random::<u32>()));
    std::fs::create_dir_all(dir.join("inbox")).expect("inbox");
    std::fs::write(dir.join("inbox/a.pdf"), pdf("a")).expect("a");
    std::fs::write(dir.join("inbox/b.pdf"), pdf("b")).expect("b");
    std::fs::write(dir.join("inbox/manifest-1.csv"), "file,reference\na.pdf,РН-2026-0533\nb.pdf,НЕТ-ТАКОГО\n")
        .expect("manifest");
    assert_eq!(run_folder(&app, &dir).await.expect("join"), "0 files imported, 3 failed");
    assert_eq!(documents(&app, &buyer, "").await.len(), 1, "only the demo document");
    let failed = names(&dir.join("failed"));
    let report = failed.iter().find(|n| n.contains("manifest-1.csv.report")).expect("report");
    let report = std::fs::read_to_string(dir.join("failed").join(report)).expect("read");
    assert!(report.contains("b.pdf: no order or shipment is numbered \"НЕТ-ТАКОГО\""), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_erp_sends_documents_over_the_api_the_admin_import_and_1c() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let erp = app.token("erp@demo.example", "demo-erp").await;
    let order = crate::ordering::place(&app, &buyer, &[("BLT-933-8X20", 50)]).await;
    let (order_id, number) = (order["id"].as_i64().expect("id"), order["number"].as_str().expect("number").to_string());

    // An ЭДО УПД says its own number.
    let (status, body) = send_document(&app, &erp, "ON_NSCHFDOPPR_x.xml", edo_upd(&number), &[]).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["change"], "created");
    assert_eq!(
        (body["document"]["order_id"].as_i64(), body["document"]["format"].as_str()),
        (Some(order_id), Some("xml"))
    );
    let (status, body) = send_document(&app, &erp, "ON_NSCHFDOPPR_x.xml", edo_upd(&number), &[]).await;
    assert_eq!((status, body["change"].as_str()), (200, Some("unchanged")));
    let id = body["document"]["id"].as_i64().expect("id");
    assert_eq!(download(&app, &buyer, id).await, (200, edo_upd(&number)));

    // A PDF with everything said in the form.
    let fields =
        [("reference", number.as_str()), ("kind", "счёт-фактура"), ("number", "СФ-77"), ("date", "2026-12-02")];
    let (status, body) = send_document(&app, &erp, "scan.pdf", pdf("sf"), &fields).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["document"]["kind"].as_str(), body["document"]["number"].as_str()),
        (Some("invoice_facture"), Some("СФ-77"))
    );

    // Refusals store nothing.
    let before = documents(&app, &buyer, "").await.len();
    let (status, body) = send_document(&app, &erp, "scan.pdf", pdf("x"), &[("reference", "НЕТ-1")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().expect("error").contains("НЕТ-1"));
    let (status, _) = send_document(&app, &erp, "notes.txt", b"just text".to_vec(), &[("reference", &number)]).await;
    assert_eq!(status, 422);
    let (status, _) =
        send_document(&app, &erp, "a.pdf", pdf("x"), &[("reference", &number), ("kind", "квитанция")]).await;
    assert_eq!(status, 422);
    let (status, _) = send_document(&app, &buyer, "a.pdf", pdf("x"), &[("reference", &number)]).await;
    assert_eq!(status, 403, "buyers do not send closing documents");
    assert_eq!(documents(&app, &buyer, "").await.len(), before);

    // The admin's import takes a PDF named after the order: a dry run
    // says what it would store and stores nothing.
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let torg_name = format!("ТОРГ-12 {number}.pdf");
    let (status, run) = app.post_file(&admin, "/api/v1/admin/imports?dry_run=true", &torg_name, pdf("torg"), &[]).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["closing_documents"]["created"], 1, "{run}");
    assert_eq!(documents(&app, &buyer, "").await.len(), before, "a dry run stores nothing");
    let (status, run) = app.post_file(&admin, "/api/v1/admin/imports", &torg_name, pdf("torg"), &[]).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["closing_documents"]["created"], 1, "{run}");

    // 1C sends a file in the sale exchange and asks to import it.
    let sale = crate::exchange::checkauth(&app, "sale", "erp@demo.example", "demo-erp").await;
    let cookie = sale.lines().nth(2).expect("cookie").to_string();
    let name = format!("act_{number}.pdf");
    let sent =
        crate::exchange::call(&app, &format!("type=sale&mode=file&filename={name}"), Some(&cookie), pdf("act")).await;
    assert_eq!(sent, "success");
    assert_eq!(crate::exchange::import_until_done(&app, "sale", &cookie, &name).await, "success");
    let kinds: Vec<String> = documents(&app, &buyer, &format!("?order_id={order_id}"))
        .await
        .iter()
        .map(|d| d["kind"].as_str().expect("kind").to_string())
        .collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    for kind in ["upd", "invoice_facture", "torg12", "act"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}
