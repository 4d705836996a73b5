//! Faults leave nothing half-done: an import killed with SIGKILL changes
//! nothing and its journal run ends as interrupted once the portal starts
//! again; a 1C import cut short by a restart answers `failure` and then runs
//! cleanly when 1C sends the file again; PostgreSQL going away under the
//! running portal gives 503s for as long as it is gone, then service resumes
//! without a restart of ours.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::process::Portal;
use crate::support::fresh_database_url;

/// A full catalog of `products` goods (a few KiB each), as 1C writes one.
fn big_catalog(products: usize) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация ВерсияСхемы=\"2.09\">\
         <Классификатор><Ид>cls</Ид><Наименование>К</Наименование><Группы><Группа><Ид>fault-g</Ид>\
         <Наименование>Группа</Наименование></Группа></Группы></Классификатор>\
         <Каталог СодержитТолькоИзменения=\"true\"><Ид>cat</Ид><ИдКлассификатора>cls</ИдКлассификатора>\
         <Наименование>Каталог</Наименование><Товары>\n",
    );
    let description = "Описание товара для проверки прерванного импорта. ".repeat(40);
    for p in 0..products {
        let _ = writeln!(
            s,
            "<Товар><Ид>fault-{p:07}</Ид><Артикул>FLT-{p:07}</Артикул><Наименование>Болт {p}</Наименование>\
             <БазоваяЕдиница Код=\"796\" НаименованиеПолное=\"Штука\">шт</БазоваяЕдиница>\
             <Группы><Ид>fault-g</Ид></Группы><Описание>{description}</Описание></Товар>"
        );
    }
    s.push_str("</Товары></Каталог></КоммерческаяИнформация>\n");
    s.into_bytes()
}

async fn db_of(url: &str) -> portal::db::Db {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || portal::db::Db::connect(&url, 2)).await.expect("join").expect("connect")
}

/// Imported goods of `big_catalog` in the database.
async fn fault_products(db: &portal::db::Db) -> i64 {
    db.run(|conn| {
        use diesel::prelude::*;
        use portal::db::schema::products;
        Ok(products::table.filter(products::external_id.like("fault-%")).count().get_result::<i64>(conn)?)
    })
    .await
    .expect("count")
}

/// (status, summary) of the latest journal run of `job`.
async fn latest_run(db: &portal::db::Db, job: &'static str) -> Option<(String, String)> {
    db.run(move |conn| Ok(portal::journal::latest(conn, Some(job), 1)?.into_iter().next()))
        .await
        .expect("journal")
        .map(|r| (r.status.to_string(), r.summary))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_import_changes_nothing_and_is_shown_interrupted() {
    let (url, _cleanup) = tokio::task::spawn_blocking(fresh_database_url).await.expect("database");
    let db = db_of(&url).await;
    let file = std::env::temp_dir().join(format!("optovik-fault-{}.xml", rand::random::<u32>()));
    std::fs::write(&file, big_catalog(30_000)).expect("catalog file");

    let mut import = std::process::Command::new(env!("CARGO_BIN_EXE_optovik"))
        .arg("import")
        .arg(&file)
        .env("DATABASE_URL", &url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("optovik import");
    let started = Instant::now();
    loop {
        if latest_run(&db, "import").await.is_some_and(|(status, _)| status == "running") {
            break;
        }
        assert!(import.try_wait().expect("wait").is_none(), "the import ended before it could be killed");
        assert!(started.elapsed() < Duration::from_secs(60), "the import never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    import.kill().expect("SIGKILL");
    import.wait().expect("reaped");
    let _ = std::fs::remove_file(&file);

    assert_eq!(fault_products(&db).await, 0, "nothing of the killed import was applied");
    assert_eq!(latest_run(&db, "import").await.map(|r| r.0).as_deref(), Some("running"), "as the kill left it");
    let portal = Portal::start(&url, &[], &[]).await;
    let (status, summary) = latest_run(&db, "import").await.expect("run");
    assert_eq!(status, "interrupted", "{summary}");
    assert!(portal.output().contains("interrupted"), "the start says so in the log");
}

async fn exchange(portal: &Portal, cookie: &str, query: &str, body: Vec<u8>) -> String {
    let response = reqwest::Client::new()
        .post(portal.url(&format!("/exchange/1c?{query}")))
        .header("cookie", format!("optovik_exchange={cookie}"))
        .body(body)
        .send()
        .await
        .expect("exchange");
    encoding_rs::WINDOWS_1251.decode(&response.bytes().await.expect("body")).0.into_owned()
}

async fn upload(portal: &Portal, cookie: &str, catalog: &[u8]) {
    assert!(exchange(portal, cookie, "type=catalog&mode=init", Vec::new()).await.starts_with("zip=yes"));
    for chunk in catalog.chunks(8 << 20) {
        let answer = exchange(portal, cookie, "type=catalog&mode=file&filename=import.xml", chunk.to_vec()).await;
        assert_eq!(answer, "success");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_1c_import_cut_short_by_a_restart_fails_then_runs_again() {
    let (url, _cleanup) = tokio::task::spawn_blocking(fresh_database_url).await.expect("database");
    let db = db_of(&url).await;
    let catalog = big_catalog(30_000);
    let portal = Portal::start(&url, &[], &[]).await;
    let auth = reqwest::Client::new()
        .get(portal.url("/exchange/1c?type=catalog&mode=checkauth"))
        .basic_auth("erp@demo.example", Some("demo-erp"))
        .send()
        .await
        .expect("checkauth")
        .text()
        .await
        .expect("body");
    let cookie = auth.lines().nth(2).expect("session").to_string();
    upload(&portal, &cookie, &catalog).await;
    // 1C's first `import` call starts the work; the kill comes once the
    // journal shows it running (not after a guessed delay, which a fast
    // machine outruns).
    let first = {
        let (url, cookie) = (portal.url("/exchange/1c?type=catalog&mode=import&filename=import.xml"), cookie.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            client.post(url).header("cookie", format!("optovik_exchange={cookie}")).send().await.map(|_| ())
        })
    };
    let started = Instant::now();
    while latest_run(&db, "import").await.is_none_or(|(status, _)| status != "running") {
        assert!(started.elapsed() < Duration::from_secs(60), "the import never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(portal); // SIGKILL in the middle of the import
    let _ = first.await;
    assert_eq!(latest_run(&db, "import").await.map(|r| r.0).as_deref(), Some("running"), "killed mid-import");

    let portal = Portal::start(&url, &[], &[]).await;
    let answer = exchange(&portal, &cookie, "type=catalog&mode=import&filename=import.xml", Vec::new()).await;
    assert!(answer.starts_with("failure\n") && answer.contains("interrupted"), "{answer}");
    assert_eq!(fault_products(&db).await, 0, "nothing half-applied");
    assert_eq!(latest_run(&db, "import").await.map(|r| r.0).as_deref(), Some("interrupted"));

    // 1C sends the file again: the import runs to its end.
    upload(&portal, &cookie, &catalog).await;
    let started = Instant::now();
    let outcome = loop {
        let answer = exchange(&portal, &cookie, "type=catalog&mode=import&filename=import.xml", Vec::new()).await;
        if answer != "progress" {
            break answer;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "the import never finished");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(outcome, "success");
    assert_eq!(fault_products(&db).await, 30_000);
}

/// A TCP relay to PostgreSQL that can be cut (as a restart does) and restored.
struct Relay {
    address: std::net::SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Relay {
    async fn start(address: Option<std::net::SocketAddr>) -> Relay {
        let listener = tokio::net::TcpListener::bind(address.unwrap_or_else(|| ([127, 0, 0, 1], 0).into()))
            .await
            .expect("bind relay");
        let address = listener.local_addr().expect("address");
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((mut client, _)) = listener.accept().await else { break };
                connections.spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect("127.0.0.1:5432").await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Relay { address, task: Some(task) }
    }

    /// Cuts every connection and refuses new ones.
    fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgresql_going_away_gives_503_then_service_resumes() {
    let (url, _cleanup) = tokio::task::spawn_blocking(fresh_database_url).await.expect("database");
    if !url.starts_with("postgres") {
        eprintln!("PostgreSQL only (OPTOVIK_TEST_POSTGRES)");
        return;
    }
    let mut relay = Relay::start(None).await;
    let relayed = url.replacen("127.0.0.1:5432", &relay.address.to_string(), 1);
    assert_ne!(relayed, url, "the test database is on 127.0.0.1:5432");
    let portal = Portal::start(&relayed, &[], &[]).await;
    let client = reqwest::Client::new();
    let token = client
        .post(portal.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "email": "buyer@demo.example", "password": "demo-buyer" }))
        .send()
        .await
        .expect("token")
        .json::<serde_json::Value>()
        .await
        .expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let get = |path: &'static str| client.get(portal.url(path)).bearer_auth(&token).send();
    assert_eq!(get("/api/v1/orders").await.expect("orders").status(), 200);

    relay.cut();
    let response = get("/api/v1/orders").await.expect("orders");
    assert_eq!(response.status(), 503, "the database is gone: 503, not 500");
    assert!(response.headers().contains_key("retry-after"));
    let page = client.get(portal.url("/api/v1/me")).bearer_auth(&token).send().await.expect("me");
    assert_eq!(page.status(), 503);

    let _relay = Relay::start(Some(relay.address)).await;
    let started = Instant::now();
    loop {
        let status = get("/api/v1/orders").await.expect("orders").status();
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "only 503 while reconnecting");
        assert!(started.elapsed() < Duration::from_secs(30), "service did not resume");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
