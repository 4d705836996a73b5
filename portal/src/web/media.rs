//! Serving the catalog's pictures and documents (`/media/<sha256>`, the
//! thumbnail at `/media/<sha256>/thumb`). A file's address is its content's
//! hash, so it never changes meaning: a year's cache, the hash as ETag, 304
//! on a match. They are served without signing in, like a public object
//! store: the hash cannot be guessed, and the buyer's own systems (the price
//! list's picture links) fetch them without a session.

use poem::http::{header, HeaderMap, StatusCode};
use poem::web::{Data, Path, Query};
use poem::{get, handler, IntoResponse, Response, Route};
use serde::Deserialize;

use super::AppState;

pub fn routes() -> Route {
    Route::new().at("/:hash", get(original_file)).at("/:hash/thumb", get(thumbnail))
}

#[derive(Deserialize)]
struct Named {
    /// The document's name, for the browser's "save as".
    name: Option<String>,
}

#[handler]
async fn original_file(
    Path(hash): Path<String>,
    Query(named): Query<Named>,
    headers: &HeaderMap,
    Data(state): Data<&AppState>,
) -> Response {
    serve(state, hash, false, named.name, headers).await
}

#[handler]
async fn thumbnail(Path(hash): Path<String>, headers: &HeaderMap, Data(state): Data<&AppState>) -> Response {
    serve(state, hash, true, None, headers).await
}

async fn serve(state: &AppState, hash: String, thumb: bool, name: Option<String>, headers: &HeaderMap) -> Response {
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let etag = if thumb { format!("\"{hash}-thumb\"") } else { format!("\"{hash}\"") };
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag));
    if cached {
        return cache_headers(StatusCode::NOT_MODIFIED.into_response(), &etag);
    }
    let found = state.db.run(move |conn| crate::media::served(conn, &hash, thumb)).await;
    let (content_type, bytes) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "reading a stored file");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let shown_inline = content_type.starts_with("image/") || content_type.starts_with("application/pdf");
    let mut response =
        Response::builder().content_type(content_type).header(header::X_CONTENT_TYPE_OPTIONS, "nosniff").body(bytes);
    if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
        let kind = if shown_inline { "inline" } else { "attachment" };
        let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
        if let Ok(value) = format!("{kind}; filename*=UTF-8''{encoded}").parse() {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
        }
    } else if !shown_inline {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, header::HeaderValue::from_static("attachment"));
    }
    cache_headers(response, &etag)
}

fn cache_headers(mut response: Response, etag: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("public, max-age=31536000, immutable"));
    if let Ok(value) = etag.parse() {
        headers.insert(header::ETAG, value);
    }
    response
}
