//! The 1C "exchange with site" endpoint, `/exchange/1c`: the address an
//! administrator types into 1C. `checkauth` (Basic auth of an ERP user) opens
//! an exchange session (a token in a cookie or `sessid`); `init` clears the
//! session's upload area; `file` appends a chunk; `import` starts the import
//! in the background and answers `progress` until it is done; sale `query`
//! hands out new orders, `success` marks them sent. Every answer is plain text
//! in windows-1251, and every error is `failure\n<reason>` — never HTML, and
//! never a database's or the server's own message (those are logged).
//!
//! `checkauth` goes through the same throttle as every password check and
//! opens an exchange session (`accounts::exchange_sessions`): hours long,
//! valid only here.

use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{handler, Body, IntoResponse, Request, Response};
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use super::AppState;
use crate::accounts::exchange_sessions::{self, may_exchange};
use crate::accounts::login::LoginOutcome;
use crate::exchange_store as store;
use crate::journal::{RunStatus, Trigger};
use crate::ordering::channels::Channel;
use crate::ordering::export::mark_sent;

pub const COOKIE: &str = "optovik_exchange";
/// The largest chunk 1C may send in one request (its `file_limit`).
pub const CHUNK_LIMIT: usize = 100 * 1024 * 1024;
/// The largest file, all its chunks together.
pub const FILE_LIMIT: u64 = 4 * 1024 * 1024 * 1024;

#[derive(Deserialize, Default)]
pub struct ExchangeQuery {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    filename: String,
    #[serde(default)]
    sessid: String,
}

fn text(status: StatusCode, body: &str) -> Response {
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(body);
    Response::builder().status(status).content_type("text/plain; charset=windows-1251").body(bytes.into_owned())
}

fn failure(reason: &str) -> Response {
    text(StatusCode::OK, &format!("failure\n{reason}"))
}

/// A safe relative file name: no `..`, no absolute paths, no odd characters.
fn safe_name(name: &str) -> Option<String> {
    let name = name.trim().replace('\\', "/");
    let ok = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('/')
        && !name.split('/').any(|part| part.is_empty() || part == "." || part == "..")
        && !name.chars().any(|c| c.is_control() || c == ':');
    ok.then_some(name)
}

fn basic_credentials(req: &Request) -> Option<(String, String)> {
    use base64::Engine;
    let header = req.header("authorization")?;
    let encoded = header.strip_prefix("Basic ").or_else(|| header.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// Why an exchange request failed: a reason 1C may be told, or an internal
/// error that is logged and answered briefly.
enum Failure {
    Reason(String),
    Internal(crate::Error),
}

impl From<String> for Failure {
    fn from(reason: String) -> Failure {
        Failure::Reason(reason)
    }
}

impl From<&str> for Failure {
    fn from(reason: &str) -> Failure {
        Failure::Reason(reason.to_string())
    }
}

impl From<crate::Error> for Failure {
    fn from(error: crate::Error) -> Failure {
        if error.is_internal() {
            Failure::Internal(error)
        } else {
            Failure::Reason(error.to_string())
        }
    }
}

impl Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Reason(reason) => failure(&reason),
            Failure::Internal(error) => {
                tracing::error!(error = %error, "1C exchange request failed");
                failure("internal error; the portal's log has the details")
            }
        }
    }
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn exchange(
    req: &Request,
    Data(state): Data<&AppState>,
    Query(q): Query<ExchangeQuery>,
    body: Body,
) -> Response {
    match answer(req, state, q, body).await {
        Ok(response) => response,
        Err(failure) => failure.into_response(),
    }
}

/// `checkauth`: the password check (throttled like every other) opens an
/// exchange session.
async fn check_auth(req: &Request, state: &AppState) -> Result<Response, Failure> {
    let (login, password) = basic_credentials(req).ok_or("no credentials (Basic auth)")?;
    let client = super::client::client_ip(req, &state.config);
    let user = match state.logins.check(&state.db, &login, &password, client).await? {
        LoginOutcome::Accepted(user) if may_exchange(&user) => user,
        LoginOutcome::Accepted(_) | LoginOutcome::Refused => {
            return Err("wrong login or password, or not an exchange user".into())
        }
        LoginOutcome::Throttled(wait) => {
            let seconds = wait.as_secs().max(1);
            let mut response = text(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("failure\ntoo many failed attempts; try again in {seconds} s"),
            );
            response.headers_mut().insert("retry-after", poem::http::HeaderValue::from(seconds));
            return Ok(response);
        }
        LoginOutcome::Busy => {
            let mut response = text(StatusCode::SERVICE_UNAVAILABLE, "failure\nthe server is busy; try again");
            response.headers_mut().insert("retry-after", poem::http::HeaderValue::from_static("1"));
            return Ok(response);
        }
    };
    let (id, lifetime) = (user.id, state.config.exchange_session);
    let token = state.db.run(move |conn| exchange_sessions::open(conn, id, lifetime)).await?;
    Ok(text(StatusCode::OK, &format!("success\n{COOKIE}\n{token}")))
}

async fn answer(req: &Request, state: &AppState, q: ExchangeQuery, body: Body) -> Result<Response, Failure> {
    if !matches!(q.kind.as_str(), "catalog" | "sale") {
        return Err(format!("unknown type {:?}", q.kind).into());
    }
    if q.mode == "checkauth" {
        return check_auth(req, state).await;
    }
    let token = req
        .cookie()
        .get(COOKIE)
        .map(|c| c.value_str().to_string())
        .or_else(|| (!q.sessid.is_empty()).then(|| q.sessid.clone()))
        .ok_or("no exchange session: call mode=checkauth first")?;
    let lookup = token.clone();
    let user = state.db.run(move |conn| exchange_sessions::lookup(conn, &lookup)).await?;
    if user.is_none() {
        return Err("the exchange session is unknown or expired: call mode=checkauth".into());
    }
    let session = crate::hash_token(&token)[..32].to_string();
    let jobs = state.jobs.clone().ok_or("this server runs no exchange")?;
    match q.mode.as_str() {
        "init" => {
            state.db.run(move |conn| store::reset(conn, &session)).await?;
            Ok(text(StatusCode::OK, &format!("zip=yes\nfile_limit={CHUNK_LIMIT}")))
        }
        "file" => {
            let name = safe_name(&q.filename).ok_or("a file name must be a relative path without ..")?;
            let mut chunk = Vec::new();
            body.into_async_read()
                .take(CHUNK_LIMIT as u64 + 1)
                .read_to_end(&mut chunk)
                .await
                .map_err(|e| format!("upload interrupted: {e}"))?;
            if chunk.len() > CHUNK_LIMIT {
                return Err(format!("a chunk may hold at most {CHUNK_LIMIT} bytes (file_limit)").into());
            }
            state.db.run(move |conn| store::append(conn, &session, &name, &chunk, FILE_LIMIT)).await?;
            Ok(text(StatusCode::OK, "success"))
        }
        "import" => import(state, session, &q.filename, jobs).await,
        "query" if q.kind == "sale" => {
            let (xml, ids, as_of) = tokio::task::spawn_blocking(move || jobs.orders_xml())
                .await
                .map_err(|e| Failure::Internal(crate::Error::Internal(format!("order query task: {e}"))))?
                .map_err(|e| Failure::Internal(crate::Error::Internal(e)))?;
            state.db.run(move |conn| store::remember_query(conn, &session, &ids, as_of)).await?;
            Ok(Response::builder().content_type("application/xml; charset=windows-1251").body(xml))
        }
        "success" if q.kind == "sale" => {
            state
                .db
                .run(move |conn| {
                    if let Some((ids, as_of)) = store::take_query(conn, &session)? {
                        mark_sent(conn, Channel::OneC, &ids, as_of, Trigger::Erp)?;
                    }
                    Ok(())
                })
                .await?;
            Ok(text(StatusCode::OK, "success"))
        }
        "deactivate" | "complete" => Ok(text(StatusCode::OK, "success")),
        other => Err(format!("unknown mode {other:?}").into()),
    }
    .map(|r| r.into_response())
}

/// `import`: starts the background import of an uploaded file on the first
/// call, then answers `progress` until it is done, then its outcome.
async fn import(
    state: &AppState,
    session: String,
    filename: &str,
    jobs: std::sync::Arc<dyn crate::jobs::JobRunner>,
) -> Result<Response, Failure> {
    let name = safe_name(filename).ok_or("a file name must be a relative path without ..")?;
    let (s, n) = (session.clone(), name.clone());
    match state.db.run(move |conn| store::import_state(conn, &s, &n)).await? {
        Some((RunStatus::Running, _)) => return Ok(text(StatusCode::OK, "progress")),
        Some((RunStatus::Success, _)) => return Ok(text(StatusCode::OK, "success")),
        Some((_, message)) => return Err(message.into()),
        None => {}
    }
    let (s, n) = (session.clone(), name.clone());
    // A zip sent with `zip=yes` is unpacked on the first import (in the background).
    let known =
        state.db.run(move |conn| Ok(store::size(conn, &s, &n)?.is_some() || store::has_zips(conn, &s)?)).await?;
    if !known {
        return Err(format!("no file {name} was uploaded in this session").into());
    }
    let (s, n) = (session.clone(), name.clone());
    state.db.run(move |conn| store::set_import_state(conn, &s, &n, RunStatus::Running, "", None)).await?;
    let db = state.db.clone();
    let task = tokio::task::spawn_blocking(move || background_import(&db, &*jobs, &session, &name));
    // Small files finish at once; larger ones answer `progress` and 1C asks again.
    let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
    Ok(text(StatusCode::OK, "progress"))
}

/// The background part of `import`: unpacks zips, imports the file, and
/// records the outcome for 1C's next call. A panic ends it as a failure
/// (never `progress` forever); so does the process stopping (see
/// `exchange_store::import_state`).
fn background_import(db: &crate::db::Db, jobs: &dyn crate::jobs::JobRunner, session: &str, name: &str) {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| import_stored(db, jobs, session, name)))
        .unwrap_or_else(|_| Err(Failure::Internal(crate::Error::Internal("the import task panicked".into()))));
    let (status, message, run) = match outcome {
        Ok(run) => {
            let entry = db.conn().ok().and_then(|mut c| crate::journal::find(&mut c, run).ok());
            match entry {
                Some(e) if e.status == RunStatus::Success => (RunStatus::Success, String::new(), Some(run)),
                Some(e) => (RunStatus::Failure, e.summary, Some(run)),
                None => (RunStatus::Failure, "the import left no journal entry".to_string(), Some(run)),
            }
        }
        Err(Failure::Reason(reason)) => (RunStatus::Failure, reason, None),
        Err(Failure::Internal(error)) => {
            tracing::error!(error = %error, "1C exchange import could not run");
            (RunStatus::Failure, "internal error; the portal's log has the details".to_string(), None)
        }
    };
    let saved = db.conn().and_then(|mut conn| store::set_import_state(&mut conn, session, name, status, &message, run));
    if let Err(e) = saved {
        tracing::error!(error = %e, "exchange import state not saved");
    }
}

/// Unpacks the session's zips and imports the stored file; the journal run.
fn import_stored(
    db: &crate::db::Db,
    jobs: &dyn crate::jobs::JobRunner,
    session: &str,
    name: &str,
) -> Result<i64, Failure> {
    store::unpack_zips(db, session, FILE_LIMIT)?;
    let (size, mut input) =
        store::open(db, session, name)?.ok_or_else(|| format!("no file {name} was uploaded in this session"))?;
    let files = store::SessionFiles { db: db.clone(), session: session.to_string() };
    jobs.import_file(name, size, &mut input, &files, false, Trigger::Erp)
        .map_err(|e| Failure::Internal(crate::Error::Internal(e)))
}
