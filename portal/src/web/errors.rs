//! Turning errors into responses. Domain errors map to 4xx with their
//! message; internal ones are logged once here with their cause and answered
//! with a generic 500. HTML clients get a page, API clients JSON.

use poem::http::StatusCode;
use poem::web::Json;
use poem::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

impl From<Error> for poem::Error {
    fn from(error: Error) -> poem::Error {
        let status = status_of(&error);
        if error.is_unavailable() {
            tracing::warn!(error = %error, "database unavailable");
            let response = poem::Response::builder()
                .status(status)
                .header("retry-after", "5")
                .body("the service is briefly unavailable; try again in a few seconds");
            return poem::Error::from_response(response);
        }
        if error.is_internal() {
            tracing::error!(error = %error, "request failed");
            return poem::Error::from_string("internal error", status);
        }
        poem::Error::from_string(error.to_string(), status)
    }
}

pub fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Forbidden => StatusCode::FORBIDDEN,
        Error::Conflict(_) => StatusCode::CONFLICT,
        e if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn client_message(error: &poem::Error) -> String {
    if error.status() == StatusCode::SERVICE_UNAVAILABLE {
        "the service is briefly unavailable; try again in a few seconds".to_string()
    } else if error.status().is_server_error() {
        "internal error".to_string()
    } else {
        error.to_string()
    }
}

/// A 503 tells the client when to come back.
fn with_retry_after(status: StatusCode, mut response: Response) -> Response {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert("retry-after", poem::http::HeaderValue::from_static("5"));
    }
    response
}

/// The last stop for errors under `/api`: JSON `{"error": …}` with the status.
pub async fn json_error(error: poem::Error) -> Response {
    let status = error.status();
    let response =
        (status, Json(json!({ "error": client_message(&error), "status": status.as_u16() }))).into_response();
    with_retry_after(status, response)
}

/// The last stop for errors on pages: a small HTML page.
pub async fn html_error(error: poem::Error) -> Response {
    let status = error.status();
    if status.is_redirection() {
        // Redirects (to the login page) carry their own response.
        return error.into_response();
    }
    if status == StatusCode::NOT_FOUND {
        return page(status, "404", "Not found · Не найдено");
    }
    with_retry_after(status, page(status, status.as_str(), &client_message(&error)))
}

pub(super) fn page(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{code}</title>\
         <link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body class=\"error-page\">\
         <main class=\"narrow\"><h1>{code}</h1><p>{}</p><p><a href=\"/catalog\">Optovik</a></p></main></body></html>",
        minijinja::HtmlEscape(message)
    );
    (status, poem::web::Html(body)).into_response()
}
