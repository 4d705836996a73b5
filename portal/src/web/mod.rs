//! The web layer: HTML pages, the REST API and static assets. Handlers call
//! domain operations through `Db::run`; they never build SQL themselves.

pub mod answers;
pub mod api;
mod assets;
pub mod client;
mod demo_banner;
mod errors;
mod exchange;
mod health;
pub mod limits;
mod media;
pub(crate) mod pages;
pub use pages::price_list;
pub mod redirect;
mod render;
pub mod request_log;
pub mod session;

use std::sync::Arc;

use poem::middleware::{CookieJarManager, NormalizePath, TrailingSlash};
use poem::{get, Endpoint, EndpointExt, IntoEndpoint, Route};

use crate::catalog::search_index::SharedIndex;
use crate::db::Db;

pub use render::Templates;

/// Settings of the web layer that come from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// The header a trusted reverse proxy puts the client's address in
    /// (`X-Forwarded-For`, `X-Real-IP`); unset: the connection's address.
    pub trusted_proxy_header: Option<String>,
    /// How long browser sessions last, in all and without use.
    pub sessions: crate::accounts::sessions::SessionPolicy,
    /// How long a 1C exchange session opened by `checkauth` works.
    pub exchange_session: chrono::Duration,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            secure_cookies: false,
            trusted_proxy_header: None,
            sessions: crate::accounts::sessions::SessionPolicy::default(),
            exchange_session: chrono::Duration::hours(crate::accounts::exchange_sessions::DEFAULT_HOURS),
        }
    }
}

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// This instance's catalog search index (a cache of the database).
    pub search: Arc<SharedIndex>,
    pub templates: Arc<Templates>,
    pub config: Arc<WebConfig>,
    /// Runs jobs on an admin's request (absent in tools that serve no jobs).
    pub jobs: Option<Arc<dyn crate::jobs::JobRunner>>,
    /// Password checks: throttling and the bound on concurrent hashing.
    pub logins: Arc<crate::accounts::login::Logins>,
    /// Whether pages show the demo ribbon (cached).
    pub demo_banner: Arc<demo_banner::DemoBanner>,
    /// What the API reads on every request, kept briefly.
    pub answers: Arc<answers::Answers>,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState {
            db,
            search: Arc::new(SharedIndex::new()),
            templates: Arc::new(Templates::new()),
            config: Arc::new(config),
            jobs: None,
            logins: Arc::new(crate::accounts::login::Logins::default()),
            demo_banner: Arc::default(),
            answers: Arc::default(),
        }
    }

    /// The same state, able to run jobs on request.
    pub fn with_jobs(mut self, jobs: Arc<dyn crate::jobs::JobRunner>) -> AppState {
        self.jobs = Some(jobs);
        self
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> impl Endpoint {
    let api = api::service();
    let docs_html = api::document::swagger_html();
    let spec = poem::endpoint::make_sync(|_| {
        poem::Response::builder().content_type("application/json; charset=utf-8").body(api::document::document())
    });
    let docs = poem::endpoint::make_sync(move |_| poem::web::Html(docs_html.clone()));
    Route::new()
        .at("/health", get(health::health))
        .at("/exchange/1c", get(exchange::exchange).post(exchange::exchange))
        .nest("/assets", assets::routes())
        .nest("/media", media::routes())
        .at("/api/docs", docs)
        .at("/api/openapi.json", spec)
        .nest("/api", api.into_endpoint().catch_all_error(errors::json_error))
        .nest("/", pages::routes().around(session::remember_session).catch_all_error(errors::html_error))
        .with(NormalizePath::new(TrailingSlash::Trim))
        .with(CookieJarManager::new())
        .around(limits::limit_body)
        .around(note_writes)
        .around(request_log::log_request)
        .data(state)
}

/// Middleware: after a request that may have written (any method but GET,
/// HEAD and OPTIONS, and every 1C exchange call, whose imports are GETs),
/// answers kept in memory from before are dropped (`Db::note_write`).
async fn note_writes<E: Endpoint>(next: E, req: poem::Request) -> poem::Result<poem::Response> {
    let writes =
        !matches!(*req.method(), poem::http::Method::GET | poem::http::Method::HEAD | poem::http::Method::OPTIONS)
            || req.uri().path().starts_with("/exchange");
    let db = writes.then(|| req.data::<AppState>().map(|state| state.db.clone())).flatten();
    let outcome = next.call(req).await.map(poem::IntoResponse::into_response);
    if let Some(db) = db {
        db.note_write();
    }
    outcome
}
