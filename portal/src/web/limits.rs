//! Request body limits, applied before a handler reads a byte. Every route
//! has a ceiling: forms and login 64 KiB, JSON 1 MiB, order uploads 10 MiB,
//! exchange-file uploads 200 MiB, 1C `file` chunks their announced
//! `file_limit`. A declared `Content-Length` over the ceiling is answered 413
//! without keeping a byte; a body without one (chunked) is cut off at the
//! ceiling and answered 413 the same way. The answer speaks the route's
//! language: `failure\n…` to 1C, JSON to the API, a page otherwise.
//!
//! Like nginx's lingering close, the refused rest of a body is read and
//! thrown away for up to `LINGER` before answering (memory stays flat): a
//! client still sending would otherwise get a connection reset instead of
//! the answer. A client that waits for `100 Continue` is answered at once.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use poem::http::{Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Request, Response};
use tokio::io::{AsyncRead, ReadBuf};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// Forms, login, and anything not listed below.
pub const FORM_LIMIT: u64 = 64 * KIB;
/// JSON bodies of the API.
pub const JSON_LIMIT: u64 = MIB;
/// Order uploads: the file itself is limited to 10 MiB by `ordering::upload`,
/// which refuses a larger one with a message in the buyer's language; bodies
/// past twice that are refused here.
pub const ORDER_UPLOAD_LIMIT: u64 = 20 * MIB + 64 * KIB;
/// How long the refused rest of a body is read and discarded.
const LINGER: std::time::Duration = std::time::Duration::from_secs(10);
/// An exchange file uploaded by an administrator (200 MiB) with its envelope.
pub const EXCHANGE_UPLOAD_LIMIT: u64 = 200 * MIB + 64 * KIB;
/// A closing document from the ERP (20 MiB, `finance::closing_file::MAX_BYTES`) with its envelope.
pub const CLOSING_UPLOAD_LIMIT: u64 = 20 * MIB + 64 * KIB;
/// A message with its attachments (`messages::MAX_ATTACHMENTS` of
/// `MAX_ATTACHMENT_BYTES`, 5 × 10 MiB) and its envelope; each file is also
/// read no further than its own limit.
pub const MESSAGE_LIMIT: u64 = 50 * MIB + 64 * KIB;
/// The ERP's ledger as JSON (up to 200,000 rows).
pub const LEDGER_JSON_LIMIT: u64 = 64 * MIB;

/// How the refusal is worded for a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    OneC,
    Json,
    Html,
}

/// The ceiling of a request's body and how a refusal is worded.
fn limit_for(method: &Method, path: &str) -> (u64, Dialect) {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let dialect = match segments.first() {
        Some(&"api") => Dialect::Json,
        Some(&"exchange") => Dialect::OneC,
        _ => Dialect::Html,
    };
    if method == Method::GET || method == Method::HEAD {
        return (FORM_LIMIT, dialect);
    }
    let limit = match segments.as_slice() {
        ["exchange", "1c"] => super::exchange::CHUNK_LIMIT as u64,
        ["upload"] | ["api", "v1", "carts", _, "upload"] => ORDER_UPLOAD_LIMIT,
        ["admin", "imports"] | ["api", "v1", "admin", "imports"] => EXCHANGE_UPLOAD_LIMIT,
        ["api", "v1", "erp", "closing-documents"] => CLOSING_UPLOAD_LIMIT,
        ["api", "v1", "erp", "ledger"] => LEDGER_JSON_LIMIT,
        ["orders", _, "messages"]
        | ["messages"]
        | ["api", "v1", "orders", _, "messages"]
        | ["api", "v1", "messages"] => MESSAGE_LIMIT,
        ["api", ..] => JSON_LIMIT,
        _ => FORM_LIMIT,
    };
    (limit, dialect)
}

/// The refusal of a body over `limit` bytes.
fn too_large(dialect: Dialect, limit: u64) -> Response {
    let size = if limit >= MIB { format!("{} MiB", limit / MIB) } else { format!("{} KiB", limit / KIB) };
    match dialect {
        Dialect::OneC => {
            let text = format!("failure\nthe request is larger than {limit} bytes (file_limit)");
            let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
            Response::builder()
                .status(StatusCode::PAYLOAD_TOO_LARGE)
                .content_type("text/plain; charset=windows-1251")
                .body(bytes.into_owned())
        }
        Dialect::Json => (
            StatusCode::PAYLOAD_TOO_LARGE,
            poem::web::Json(serde_json::json!({
                "error": format!("the request body is larger than {size}"),
                "status": 413,
            })),
        )
            .into_response(),
        Dialect::Html => super::errors::page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "413",
            &format!("Слишком большой запрос (больше {size}) · The request is larger than {size}"),
        ),
    }
}

/// Middleware: refuses bodies over the route's ceiling before they are read.
pub async fn limit_body<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let (limit, dialect) = limit_for(req.method(), req.uri().path());
    let declared = req.header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        let waits_for_continue = req.header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        if !waits_for_continue {
            discard(req.take_body().into_async_read(), Instant::now() + LINGER).await;
        }
        return Ok(too_large(dialect, limit));
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let body = req.take_body();
    req.set_body(Body::from_async_read(Capped {
        inner: body.into_async_read(),
        left: limit,
        exceeded: exceeded.clone(),
        linger_until: None,
    }));
    let outcome = next.call(req).await.map(IntoResponse::into_response);
    if exceeded.load(Ordering::Acquire) {
        return Ok(too_large(dialect, limit));
    }
    outcome
}

/// Reads and throws away what is left of a refused body, until it ends or
/// `until` passes.
async fn discard(mut body: impl AsyncRead + Unpin, until: Instant) {
    use tokio::io::AsyncReadExt;
    let mut scratch = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout_at(until.into(), body.read(&mut scratch)).await {
            Ok(Ok(read)) if read > 0 => {}
            _ => return,
        }
    }
}

/// A body reader that fails once more than its ceiling has been read (after
/// reading and discarding the rest, for up to `LINGER`).
struct Capped<R> {
    inner: R,
    left: u64,
    exceeded: Arc<AtomicBool>,
    linger_until: Option<Instant>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Capped<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if let Some(until) = self.linger_until {
            let mut scratch = [0u8; 16 * 1024];
            loop {
                let mut sink = ReadBuf::new(&mut scratch);
                match Pin::new(&mut self.inner).poll_read(cx, &mut sink) {
                    Poll::Ready(Ok(())) if !sink.filled().is_empty() && Instant::now() < until => {}
                    Poll::Pending if Instant::now() < until => return Poll::Pending,
                    _ => return Poll::Ready(Err(std::io::Error::other("the request body is over its limit"))),
                }
            }
        }
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = poll {
            let read = (buf.filled().len() - before) as u64;
            if read > self.left {
                self.exceeded.store(true, Ordering::Release);
                buf.set_filled(before);
                self.linger_until = Some(Instant::now() + LINGER);
                return self.poll_read(cx, buf);
            }
            self.left -= read;
        }
        poll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_has_its_ceiling() {
        assert_eq!(limit_for(&Method::POST, "/login"), (FORM_LIMIT, Dialect::Html));
        assert_eq!(limit_for(&Method::POST, "/cart/update"), (FORM_LIMIT, Dialect::Html));
        assert_eq!(limit_for(&Method::POST, "/upload"), (ORDER_UPLOAD_LIMIT, Dialect::Html));
        let closing = limit_for(&Method::POST, "/api/v1/erp/closing-documents");
        assert_eq!(closing, (CLOSING_UPLOAD_LIMIT, Dialect::Json));
        assert_eq!(limit_for(&Method::POST, "/api/v1/erp/ledger"), (LEDGER_JSON_LIMIT, Dialect::Json));
        assert_eq!(limit_for(&Method::POST, "/admin/imports"), (EXCHANGE_UPLOAD_LIMIT, Dialect::Html));
        assert_eq!(limit_for(&Method::POST, "/api/v1/auth/token"), (JSON_LIMIT, Dialect::Json));
        assert_eq!(limit_for(&Method::POST, "/api/v1/carts/3/upload"), (ORDER_UPLOAD_LIMIT, Dialect::Json));
        assert_eq!(limit_for(&Method::POST, "/api/v1/admin/imports"), (EXCHANGE_UPLOAD_LIMIT, Dialect::Json));
        assert_eq!(
            limit_for(&Method::POST, "/exchange/1c"),
            (super::super::exchange::CHUNK_LIMIT as u64, Dialect::OneC)
        );
        assert_eq!(limit_for(&Method::GET, "/exchange/1c"), (FORM_LIMIT, Dialect::OneC));
    }
}
