//! The web layer: HTML pages, the REST API and static assets. Handlers call
//! domain operations through `Db::run`; they never build SQL themselves.

pub mod api;
mod assets;
mod errors;
mod exchange;
mod health;
mod pages;
mod render;
pub mod session;

use std::sync::Arc;

use poem::middleware::{CookieJarManager, NormalizePath, Tracing, TrailingSlash};
use poem::{get, Endpoint, EndpointExt, IntoEndpoint, Route};

use crate::catalog::search_index::SharedIndex;
use crate::db::Db;

pub use render::Templates;

/// Settings of the web layer that come from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
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
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState {
            db,
            search: Arc::new(SharedIndex::new()),
            templates: Arc::new(Templates::new()),
            config: Arc::new(config),
            jobs: None,
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
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    Route::new()
        .at("/health", get(health::health))
        .at("/exchange/1c", get(exchange::exchange).post(exchange::exchange))
        .nest("/assets", assets::routes())
        .nest("/api/docs", docs)
        .at("/api/openapi.json", spec)
        .nest("/api", api.into_endpoint().catch_all_error(errors::json_error))
        .nest("/", pages::routes().catch_all_error(errors::html_error))
        .with(NormalizePath::new(TrailingSlash::Trim))
        .with(CookieJarManager::new())
        .with(Tracing)
        .data(state)
}
