//! Request logging with secrets taken out: the token of a password link
//! (`/password/<token>`, `/price-list/<token>/…`) and credentials in the query (`sessid`, `token`,
//! `key`, `password`) never reach the log, at any level. Each request gets a
//! span (method, redacted path) that the handlers' own events inherit;
//! its outcome is logged at debug level, server errors at error level.

use std::time::Instant;

use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

/// Query parameters whose values are credentials.
const SECRET_PARAMETERS: [&str; 5] = ["sessid", "token", "key", "password", "secret"];
/// Path prefixes whose next segment is a credential.
const SECRET_SEGMENTS: [&str; 2] = ["/password/", "/price-list/"];

/// The path and query of a request as it may be logged.
pub fn redact(path_and_query: &str) -> String {
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let mut out = path.to_string();
    for prefix in SECRET_SEGMENTS {
        if let Some(start) = out.find(prefix) {
            let secret_start = start + prefix.len();
            let secret_end = out[secret_start..].find('/').map_or(out.len(), |i| secret_start + i);
            out.replace_range(secret_start..secret_end, "***");
        }
    }
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| {
                let name = pair.split('=').next().unwrap_or("");
                if SECRET_PARAMETERS.iter().any(|secret| name.eq_ignore_ascii_case(secret)) {
                    format!("{name}=***")
                } else {
                    pair.to_string()
                }
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Middleware: a span per request and a line per outcome, secrets redacted.
pub async fn log_request<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let path = redact(req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/"));
    let span = tracing::info_span!("request", method = %req.method(), path = %path);
    async move {
        let started = Instant::now();
        let outcome = next.call(req).await.map(IntoResponse::into_response);
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &outcome {
            Ok(response) if response.status().is_server_error() => {
                tracing::error!(status = response.status().as_u16(), elapsed_ms, "response");
            }
            Ok(response) => tracing::debug!(status = response.status().as_u16(), elapsed_ms, "response"),
            Err(error) => tracing::debug!(status = error.status().as_u16(), elapsed_ms, "response"),
        }
        outcome
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact("/password/abcdef123"), "/password/***");
        assert_eq!(redact("/password/abcdef123?x=1"), "/password/***?x=1");
        assert_eq!(redact("/price-list/abcdef123/price-list.xlsx"), "/price-list/***/price-list.xlsx");
        assert_eq!(redact("/catalog/price-list.xlsx?q=x"), "/catalog/price-list.xlsx?q=x");
        assert_eq!(
            redact("/exchange/1c?type=sale&mode=query&sessid=s3cr3t"),
            "/exchange/1c?type=sale&mode=query&sessid=***"
        );
        assert_eq!(redact("/catalog?q=bolt&page=2"), "/catalog?q=bolt&page=2");
        assert_eq!(redact("/x?TOKEN=abc&key=k"), "/x?TOKEN=***&key=***");
    }
}
