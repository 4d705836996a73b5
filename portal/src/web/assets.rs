//! The style sheet and the little JavaScript the pages use, compiled into the
//! binary (no CDN, nothing to deploy beside it).

use poem::http::header;
use poem::{get, handler, IntoResponse, Response, Route};

const STYLE: &str = include_str!("../../../templates/static/style.css");
const SCRIPT: &str = include_str!("../../../templates/static/app.js");

pub fn routes() -> Route {
    Route::new().at("/style.css", get(style)).at("/app.js", get(script))
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    body.with_header(header::CONTENT_TYPE, content_type)
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
        .into_response()
}

#[handler]
fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

#[handler]
fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}
