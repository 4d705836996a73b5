//! `TestApp`: a portal on a random port over a fresh database, and helpers
//! to log in through the real forms or get an API token.

use std::path::PathBuf;
use std::sync::OnceLock;

use portal::db::Db;
use portal::web::{AppState, WebConfig};
use std::sync::Arc;

use reqwest::cookie::Jar;
use reqwest::redirect::Policy;
use reqwest::Client;

/// Which database the suite runs on.
#[derive(Clone)]
enum Target {
    Sqlite { template: PathBuf },
    Postgres { server: String, template: String },
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{:08x}", std::process::id(), rand::random::<u32>())
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("optovik-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Builds the demo database once per test run; tests copy it.
fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| match std::env::var("OPTOVIK_TEST_POSTGRES").ok().filter(|v| !v.is_empty()) {
        Some(server) => {
            let server = server.trim_end_matches('/').to_string();
            drop_stale_databases(&server);
            let template = unique("optovik_tpl");
            admin(&server, &format!("CREATE DATABASE {template}"));
            {
                let db = Db::connect(&format!("{server}/{template}"), 2).expect("connect template");
                portal::demo::load(&mut db.conn().expect("conn")).expect("demo data");
            }
            Target::Postgres { server, template }
        }
        None => {
            let template = scratch_dir().join(format!("{}.db", unique("template")));
            {
                let db = Db::connect(template.to_str().expect("path"), 2).expect("connect template");
                let mut conn = db.conn().expect("conn");
                portal::demo::load(&mut conn).expect("demo data");
                diesel::connection::SimpleConnection::batch_execute(&mut *conn, "PRAGMA wal_checkpoint(TRUNCATE);")
                    .expect("checkpoint");
            }
            Target::Sqlite { template }
        }
    })
}

/// Drops test databases left by earlier runs whose process is gone (their
/// names carry the pid that made them).
fn drop_stale_databases(server: &str) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let mut conn = diesel::PgConnection::establish(&format!("{server}/postgres")).expect("connect to postgres");
    let names: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'optovik\\_tpl\\_%' OR datname LIKE 'optovik\\_test\\_%'",
    )
    .load(&mut conn)
    .expect("list databases");
    for Name { datname } in names {
        let pid = datname.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            admin(server, &format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"));
        }
    }
}

/// Runs one statement on the PostgreSQL server's maintenance database.
fn admin(server: &str, sql: &str) {
    use diesel::Connection;
    let mut conn = diesel::PgConnection::establish(&format!("{server}/postgres")).expect("connect to postgres");
    diesel::connection::SimpleConnection::batch_execute(&mut conn, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A fresh copy of the demo database; returns its URL.
pub fn fresh_database_url() -> (String, Cleanup) {
    match target() {
        Target::Sqlite { template } => {
            let path = scratch_dir().join(format!("{}.db", unique("test")));
            std::fs::copy(template, &path).expect("copy template");
            (path.to_string_lossy().into_owned(), Cleanup::File(path))
        }
        Target::Postgres { server, template } => {
            let name = unique("optovik_test");
            admin(server, &format!("CREATE DATABASE {name} TEMPLATE {template}"));
            (format!("{server}/{name}"), Cleanup::Database { server: server.clone(), name })
        }
    }
}

/// A new, empty database (no tables, no demo data); returns its URL.
pub fn empty_database_url() -> (String, Cleanup) {
    match target() {
        Target::Sqlite { .. } => {
            let path = scratch_dir().join(format!("{}.db", unique("empty")));
            (path.to_string_lossy().into_owned(), Cleanup::File(path))
        }
        Target::Postgres { server, .. } => {
            let name = unique("optovik_test");
            admin(server, &format!("CREATE DATABASE {name}"));
            (format!("{server}/{name}"), Cleanup::Database { server: server.clone(), name })
        }
    }
}

/// Removes a test database when the test ends.
pub enum Cleanup {
    File(PathBuf),
    Database { server: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Database { server, name } => {
                admin(server, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub db: Db,
    /// The database's URL, for a second instance's own pool.
    pub url: String,
    server: tokio::task::JoinHandle<()>,
    _cleanup: Cleanup,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Starts the portal on 127.0.0.1 with a random port over a fresh database.
pub async fn spawn_app() -> TestApp {
    let (url, cleanup) = tokio::task::spawn_blocking(fresh_database_url).await.expect("database");
    let db = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || Db::connect(&url, 8)).await.expect("join").expect("connect")
    };
    let (address, server) = serve(db.clone()).await;
    TestApp { address, db, url, server, _cleanup: cleanup }
}

async fn serve(db: Db) -> (String, tokio::task::JoinHandle<()>) {
    let state = AppState::new(db.clone(), WebConfig::default())
        .with_jobs(connector::runner::Runner::shared(db, "test-instance".into()));
    let listener = poem::listener::TcpListener::bind("127.0.0.1:0");
    let acceptor = poem::listener::Listener::into_acceptor(listener).await.expect("bind");
    let port = poem::listener::Acceptor::local_addr(&acceptor)
        .first()
        .and_then(|a| a.as_socket_addr().map(|s| s.port()))
        .expect("local port");
    let server = tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor).run(portal::web::app(state)).await;
    });
    (format!("http://127.0.0.1:{port}"), server)
}

/// A second portal instance over the same database (runs until the test ends).
pub async fn spawn_instance(db: Db) -> String {
    serve(db).await.0
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client")
}

/// The value of the first `name="csrf"` hidden field in a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a csrf field") + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_string()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Logs in through the login form; returns the client and its response status.
    pub async fn login_status(&self, email: &str, password: &str) -> (Client, reqwest::StatusCode, String) {
        let client = browser();
        let page = client.get(self.url("/login")).send().await.expect("login page").text().await.expect("body");
        let response = client
            .post(self.url("/login"))
            .form(&[("email", email), ("password", password), ("csrf", &csrf_of(&page)), ("next", "/catalog")])
            .send()
            .await
            .expect("login post");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        (client, status, body)
    }

    /// A logged-in browser client.
    pub async fn login(&self, email: &str, password: &str) -> Client {
        let (client, status, _) = self.login_status(email, password).await;
        assert_eq!(status, reqwest::StatusCode::SEE_OTHER, "login of {email} failed");
        client
    }

    /// A logged-in client together with its cookie jar.
    pub async fn login_with_jar(&self, email: &str, password: &str) -> (Client, Arc<Jar>) {
        let jar = Arc::new(Jar::default());
        let client = Client::builder().cookie_provider(jar.clone()).redirect(Policy::none()).build().expect("client");
        let page = client.get(self.url("/login")).send().await.expect("login").text().await.expect("body");
        let response = client
            .post(self.url("/login"))
            .form(&[("email", email), ("password", password), ("csrf", &csrf_of(&page)), ("next", "/catalog")])
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 303, "login of {email} failed");
        (client, jar)
    }

    /// An API token for the user.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("token request");
        assert_eq!(response.status(), 200, "token for {email}");
        let body: serde_json::Value = response.json().await.expect("json");
        body["token"].as_str().expect("token").to_string()
    }

    /// Posts `bytes` as the multipart field `file` named `name`, with
    /// text `fields` beside it, under a bearer token.
    pub async fn post_file(
        &self,
        token: &str,
        path: &str,
        name: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        use reqwest::multipart::{Form, Part};
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
        for (key, value) in fields {
            form = form.text(key.to_string(), value.to_string());
        }
        let response =
            Client::new().post(self.url(path)).bearer_auth(token).multipart(form).send().await.expect("post");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// GET an API path with a bearer token; returns status and JSON (Null if none).
    pub async fn api_get(&self, token: &str, path: &str) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new().get(self.url(path)).bearer_auth(token).send().await.expect("api request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    /// Runs blocking database work against this app's database.
    pub async fn with_db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut portal::db::DbConn) -> portal::Result<T> + Send + 'static,
    ) -> T {
        let done = self.db.run(work).await.expect("database work");
        // Writes made here are the process's own: answers kept from before go.
        self.db.note_write();
        done
    }
}

pub const BUYER: (&str, &str) = ("buyer@demo.example", "demo-buyer");
pub const BUYER2: (&str, &str) = ("buyer2@demo.example", "demo-buyer");
pub const MANAGER: (&str, &str) = ("manager@demo.example", "demo-manager");
