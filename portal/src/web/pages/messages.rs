//! Messages on the pages: the thread on the order page (its view is built
//! here), the company's own thread at `/messages` ("ask your manager"; staff
//! open a company's with `?company=`), posting with attachments, and serving
//! an attachment to the two sides only.

use poem::http::{header, StatusCode};
use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Multipart, Path, Query, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::{Deserialize, Serialize};

use super::orders::when;
use crate::accounts::Role;
use crate::error::Error;
use crate::i18n;
use crate::ids::OrderId;
use crate::messages::{self, Message, NewAttachment, Thread};
use crate::web::session::{check_csrf, layout, set_flash, Authed};
use crate::web::AppState;

/// A message as a thread shows it.
#[derive(Serialize)]
pub(super) struct MessageView {
    author: String,
    /// Written by the viewer's side (shown on the right).
    ours: bool,
    body: String,
    at: String,
    /// "read 12.12 10:04" once the other side opened the thread.
    read: String,
    attachments: Vec<AttachmentView>,
}

#[derive(Serialize)]
struct AttachmentView {
    id: i64,
    name: String,
    size: String,
}

/// The thread as the viewer reads it (their side's messages are "ours").
pub(super) fn views(thread: &[Message], staff: bool, zone: chrono_tz::Tz, lang: &str) -> Vec<MessageView> {
    thread
        .iter()
        .map(|m| MessageView {
            author: m.author.clone(),
            ours: m.from_supplier == staff,
            body: m.body.clone(),
            at: when(zone, m.created_at),
            read: m.read_at.map(|t| i18n::text(lang, "messages.read_at", &[("at", when(zone, t))])).unwrap_or_default(),
            attachments: m
                .attachments
                .iter()
                .map(|a| AttachmentView { id: a.id, name: a.file_name.clone(), size: size(a.size_bytes) })
                .collect(),
        })
        .collect()
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KiB", b / 1024),
        b => format!("{b} B"),
    }
}

/// Reads a message form (text and files), checks its CSRF field and posts it.
async fn post_from(
    state: &AppState,
    jar: &CookieJar,
    session: &crate::accounts::sessions::Session,
    multipart: Multipart,
    thread_of: impl FnOnce(&str) -> poem::Result<Thread>,
) -> poem::Result<()> {
    let mut form = super::upload_form::read(multipart, messages::MAX_ATTACHMENT_BYTES as u64, "file").await?;
    check_csrf(session, form.field("csrf"))?;
    let thread = thread_of(form.field("company"))?;
    let body = form.field("body").to_string();
    let files: Vec<NewAttachment> =
        form.files.drain(..).map(|(file_name, bytes)| NewAttachment { file_name, bytes }).collect();
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    match state.db.run(move |conn| messages::post(conn, &user, thread, &body, &files)).await {
        Ok(_) => set_flash(state, jar, &i18n::text(lang, "messages.sent", &[])),
        Err(Error::Invalid(message)) => set_flash(state, jar, &message),
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

/// A message on an order.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn post_on_order(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> poem::Result<Redirect> {
    post_from(state, jar, &session, multipart, |_| Ok(Thread::Order(OrderId(id)))).await?;
    Ok(Redirect::see_other(format!("/orders/{id}#messages")))
}

#[derive(Deserialize)]
pub struct CompanyQuery {
    company: Option<i64>,
}

#[derive(Serialize)]
struct ThreadPage {
    company: String,
    /// The company's id for staff (the form names it), none for buyers.
    company_id: Option<i64>,
    messages: Vec<MessageView>,
    max_files: usize,
    max_mib: usize,
}

#[derive(Serialize)]
struct InboxRow {
    company_id: i64,
    order_id: Option<i64>,
    company: String,
    order_number: Option<String>,
    last_at: String,
    last_body: String,
    unread: i64,
}

#[derive(Serialize)]
struct InboxPage {
    threads: Vec<InboxRow>,
}

/// The company's own thread with the supplier; for staff without a company
/// named, the inbox of their companies' threads, latest first.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn company_page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<CompanyQuery>,
) -> poem::Result<Html<String>> {
    if query.company.is_none() && matches!(session.user.role, Role::Manager | Role::Admin) {
        let layout = layout(state, req, &session, "messages").await?;
        let user = session.user.clone();
        let page = state
            .db
            .run(move |conn| {
                let zone = crate::settings::timezone(conn)?;
                let threads = messages::inbox(conn, &user)?
                    .into_iter()
                    .map(|t| InboxRow {
                        company_id: t.company_id,
                        order_id: t.order_id,
                        company: t.company,
                        order_number: t.order_number,
                        last_at: when(zone, t.last_at),
                        last_body: t.last_body,
                        unread: t.unread,
                    })
                    .collect();
                Ok(InboxPage { threads })
            })
            .await?;
        return Ok(state.templates.render("inbox.html", &layout, &page)?);
    }
    let thread = Thread::of_company(&session.user, query.company)?;
    let layout = layout(state, req, &session, "messages").await?;
    let (user, lang, staff) = (session.user.clone(), layout.lang, session.user.role.is_staff());
    let page = state
        .db
        .run(move |conn| {
            let thread_messages = messages::thread(conn, &user, thread)?;
            let Thread::Company(company) = thread else { return Err(Error::NotFound) };
            Ok(ThreadPage {
                company: crate::accounts::Company::find(conn, company)?.name,
                company_id: staff.then_some(company.0),
                messages: views(&thread_messages, staff, crate::settings::timezone(conn)?, lang),
                max_files: messages::MAX_ATTACHMENTS,
                max_mib: messages::MAX_ATTACHMENT_BYTES / (1024 * 1024),
            })
        })
        .await?;
    Ok(state.templates.render("messages.html", &layout, &page)?)
}

/// A message on the company's thread.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn post_on_company(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    multipart: Multipart,
) -> poem::Result<Redirect> {
    let mut target = "/messages".to_string();
    post_from(state, jar, &session, multipart, |company| {
        let thread = Thread::of_company(&session.user, company.parse().ok())?;
        if let (Thread::Company(id), true) = (thread, session.user.role.is_staff()) {
            target = format!("/messages?company={id}");
        }
        Ok(thread)
    })
    .await?;
    Ok(Redirect::see_other(target))
}

/// An attachment, to the two sides of its thread only (404 to anyone else).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn attachment(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<i64>,
) -> poem::Result<Response> {
    let user = session.user.clone();
    let (name, content_type, bytes) = state.db.run(move |conn| messages::attachment(conn, &user, id)).await?;
    Ok(attachment_response(&name, &content_type, bytes))
}

/// The file as a download with its own type, never sniffed by the browser.
fn attachment_response(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, super::closing_documents::disposition(name))
        .header("x-content-type-options", "nosniff")
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(bytes)
        .into_response()
}
