//! Messages between a buyer's company and the supplier over HTTP: a thread
//! on an order with an attachment, from the buyer to the manager and back,
//! each side told by email; read marks; another company sees nothing (404),
//! attachments included; files are type- and count-checked; the company's
//! own thread ("ask your manager").

use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::ordering::place;
use crate::support::{spawn_app, TestApp, BUYER, BUYER2, MANAGER};

const SCAN: &[u8] = b"%PDF-1.4\n% a scanned delivery note\n";

async fn post(app: &TestApp, token: &str, path: &str, body: &str, files: &[(&str, &[u8])]) -> (u16, Value) {
    let mut form = Form::new().text("body", body.to_string());
    for (name, bytes) in files {
        form = form.part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    }
    let response =
        reqwest::Client::new().post(app.url(path)).bearer_auth(token).multipart(form).send().await.expect("post");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn emails_to(app: &TestApp, address: &'static str) -> Vec<(String, String)> {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use portal::db::schema::email_outbox;
        Ok(email_outbox::table
            .filter(email_outbox::to_address.eq(address))
            .filter(email_outbox::kind.eq("message"))
            .order(email_outbox::id)
            .select((email_outbox::subject, email_outbox::body))
            .load(conn)?)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_goes_from_buyer_to_manager_and_back_with_an_attachment() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let stranger = app.token(BUYER2.0, BUYER2.1).await;
    let order = place(&app, &buyer, &[("BLT-933-8X20", 100)]).await;
    let (id, number) = (order["id"].as_i64().expect("id"), order["number"].as_str().expect("number").to_string());
    let path = format!("/api/v1/orders/{id}/messages");

    let (status, thread) =
        post(&app, &buyer, &path, "Когда отгрузка? Накладная во вложении.", &[("накладная.pdf", SCAN)]).await;
    assert_eq!(status, 201, "{thread}");
    let sent = thread[0].clone();
    assert_eq!(
        (sent["from_supplier"].as_bool(), sent["attachments"][0]["content_type"].as_str()),
        (Some(false), Some("application/pdf"))
    );
    assert!(sent.get("read_at").is_none(), "not read yet");
    let attachment = sent["attachments"][0]["url"].as_str().expect("url").to_string();

    // The manager is told by email, reads the thread (which marks it read) and the file.
    let mail = emails_to(&app, MANAGER.0).await;
    let (subject, text) = mail.last().expect("an email to the manager");
    assert!(subject.contains(&number) && text.contains("Когда отгрузка?"), "{subject}\n{text}");
    let (status, seen) = app.api_get(&manager, &path).await;
    assert_eq!((status, seen.as_array().map(Vec::len)), (200, Some(1)), "{seen}");
    let file = reqwest::Client::new().get(app.url(&attachment)).bearer_auth(&manager).send().await.expect("file");
    assert_eq!(file.status().as_u16(), 200);
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), SCAN);

    let (status, thread) = post(&app, &manager, &path, "Отгрузим в среду.", &[]).await;
    assert_eq!((status, thread.as_array().map(Vec::len)), (201, Some(2)), "{thread}");
    let (_, mine) = app.api_get(&buyer, &path).await;
    assert!(mine[0]["read_at"].is_string(), "the buyer sees the manager read it: {mine}");
    assert_eq!((mine[1]["from_supplier"].as_bool(), mine[1]["body"].as_str()), (Some(true), Some("Отгрузим в среду.")));
    let mail = emails_to(&app, BUYER.0).await;
    assert!(mail.last().is_some_and(|(_, text)| text.contains("Отгрузим в среду.")), "{mail:?}");
    let (_, feed) = app.api_get(&buyer, "/api/v1/notifications").await;
    assert!(feed.to_string().contains("Отгрузим в среду."), "a cabinet notification: {feed}");

    // Another company: the thread, posting and the attachment are all "not found".
    assert_eq!(app.api_get(&stranger, &path).await.0, 404);
    assert_eq!(post(&app, &stranger, &path, "чужой заказ", &[]).await.0, 404);
    let file = reqwest::Client::new().get(app.url(&attachment)).bearer_auth(&stranger).send().await.expect("file");
    assert_eq!(file.status().as_u16(), 404);
    let stranger_browser = app.login(BUYER2.0, BUYER2.1).await;
    let page_file = format!("/messages/attachments/{}", sent["attachments"][0]["id"]);
    assert_eq!(stranger_browser.get(app.url(&page_file)).send().await.expect("file").status().as_u16(), 404);

    // Files are checked by their content, their number and size; nothing is kept of a refused message.
    let (status, refused) = post(&app, &buyer, &path, "вирус", &[("счёт.pdf", b"MZ\x90\x00\x03")]).await;
    assert_eq!(status, 422, "{refused}");
    let six: Vec<(&str, &[u8])> = (0..6).map(|_| ("a.pdf", SCAN)).collect();
    assert_eq!(post(&app, &buyer, &path, "много", &six).await.0, 422);
    let big = [b"%PDF-".as_slice(), &vec![b' '; 10 * 1024 * 1024]].concat();
    assert_eq!(post(&app, &buyer, &path, "большой", &[("big.pdf", &big)]).await.0, 422);
    assert_eq!(post(&app, &buyer, &path, "  ", &[]).await.0, 422, "nothing to send");
    assert_eq!(app.api_get(&buyer, &path).await.1.as_array().map(Vec::len), Some(2), "nothing was added");

    // The order page shows the thread with the file.
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = browser.get(app.url(&format!("/orders/{id}"))).send().await.expect("page").text().await.expect("html");
    assert!(
        page.contains("Отгрузим в среду.") && page.contains(&page_file) && page.contains("накладная.pdf"),
        "the page's thread"
    );
    let own = browser.get(app.url(&page_file)).send().await.expect("file");
    assert_eq!(own.status().as_u16(), 200);
    assert_eq!(own.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_company_thread_reaches_its_manager_and_no_other_company() {
    let app = spawn_app().await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let manager = app.token(MANAGER.0, MANAGER.1).await;
    let stranger = app.token(BUYER2.0, BUYER2.1).await;
    let (_, me) = app.api_get(&buyer, "/api/v1/me").await;
    let company = me["company"]["id"].as_i64().expect("company id");

    let (status, thread) = post(&app, &buyer, "/api/v1/messages", "Пришлите акт сверки за ноябрь", &[]).await;
    assert_eq!((status, thread.as_array().map(Vec::len)), (201, Some(1)), "{thread}");
    assert!(emails_to(&app, MANAGER.0).await.iter().any(|(_, t)| t.contains("акт сверки")), "the manager is emailed");

    let (status, seen) = app.api_get(&manager, &format!("/api/v1/messages?company_id={company}")).await;
    assert_eq!((status, seen[0]["body"].as_str()), (200, Some("Пришлите акт сверки за ноябрь")), "{seen}");
    assert_eq!(app.api_get(&manager, "/api/v1/messages").await.0, 422, "staff name the company");
    let (_, other) = app.api_get(&stranger, "/api/v1/messages").await;
    assert_eq!(other.as_array().map(Vec::len), Some(0), "another company's own thread is its own: {other}");

    // The manager answers from the page; the buyer reads it on /messages.
    let manager_browser = app.login(MANAGER.0, MANAGER.1).await;
    let other = app.login(crate::finance::ADMIN.0, crate::finance::ADMIN.1).await;
    let inbox = other.get(app.url("/messages")).send().await.expect("inbox").text().await.expect("html");
    assert!(inbox.contains(&format!("/messages?company={company}")), "the staff's inbox lists the thread");
    assert!(inbox.contains("Пришлите акт сверки"), "with its last message");
    let page = manager_browser
        .get(app.url(&format!("/messages?company={company}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("акт сверки"), "the manager's page shows the thread");
    let csrf = crate::support::csrf_of(&page);
    let form =
        Form::new().text("csrf", csrf).text("company", company.to_string()).text("body", "Акт отправлен на почту.");
    let answered = manager_browser.post(app.url("/messages")).multipart(form).send().await.expect("answer");
    assert!(answered.status().is_redirection() || answered.status().is_success(), "{}", answered.status());
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = browser.get(app.url("/messages")).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("Акт отправлен на почту."), "the buyer reads the answer");
}
