//! Messages through the API: an order's thread
//! (`GET/POST /api/v1/orders/{id}/messages`), the company's own thread
//! (`GET/POST /api/v1/messages`, staff name the company) and attachments
//! (`GET /api/v1/messages/attachments/{id}`). Posting is multipart: the text
//! and up to five files. Another company's order or thread is 404.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi, Tags};
use tokio::io::AsyncReadExt;

use super::{api_error, ApiError, BearerAuth};
use crate::accounts::User;
use crate::error::Error;
use crate::ids::OrderId;
use crate::messages::{self, Message, NewAttachment, Thread};
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Messages between a buyer's company and the supplier
    Messages,
}

pub struct MessagesApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AttachmentOut {
    id: i64,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    /// Where to download it (with the same token).
    url: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MessageOut {
    id: i64,
    author: String,
    /// Written by the supplier's side (else by the buyer's company).
    from_supplier: bool,
    body: String,
    created_at: DateTime<Utc>,
    /// When the other side first read it.
    read_at: Option<DateTime<Utc>>,
    attachments: Vec<AttachmentOut>,
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> MessageOut {
        MessageOut {
            id: m.id,
            author: m.author,
            from_supplier: m.from_supplier,
            body: m.body,
            created_at: m.created_at.and_utc(),
            read_at: m.read_at.map(|t| t.and_utc()),
            attachments: m
                .attachments
                .into_iter()
                .map(|a| AttachmentOut {
                    url: format!("/api/v1/messages/attachments/{}", a.id),
                    id: a.id,
                    file_name: a.file_name,
                    content_type: a.content_type,
                    size_bytes: a.size_bytes,
                })
                .collect(),
        }
    }
}

#[derive(Multipart)]
struct MessageIn {
    /// The text (up to 5,000 characters); may be empty when files are sent.
    body: Option<String>,
    /// For staff on `/api/v1/messages`: whose company thread.
    company_id: Option<i64>,
    /// Up to 5 files of up to 10 MiB: PDF, PNG, JPEG, Excel, Word,
    /// OpenDocument, CSV or text (the type is read from the content).
    #[oai(rename = "file")]
    files: Vec<Upload>,
}

#[derive(ApiResponse)]
enum Posted {
    /// The thread with the new message last.
    #[oai(status = 201)]
    Thread(Json<Vec<MessageOut>>),
    /// No such order or company in your scope.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// Nothing to send, too long, too many or too large files, a type not accepted.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(ApiResponse)]
enum File {
    #[oai(status = 200, content_type = "application/octet-stream")]
    Ok(Attachment<Vec<u8>>),
}

/// Reads the posted files, each no further than its limit plus a byte (a
/// file over it is refused by `messages::post` with its name).
async fn files_of(form: MessageIn) -> poem::Result<(String, Option<i64>, Vec<NewAttachment>)> {
    let mut files = Vec::new();
    for upload in form.files {
        let file_name = upload.file_name().unwrap_or("file").to_string();
        let mut bytes = Vec::new();
        upload
            .into_async_read()
            .take(messages::MAX_ATTACHMENT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| {
                poem::Error::from_string(format!("upload interrupted: {e}"), poem::http::StatusCode::BAD_REQUEST)
            })?;
        files.push(NewAttachment { file_name, bytes });
    }
    Ok((form.body.unwrap_or_default(), form.company_id, files))
}

async fn read(state: &AppState, user: User, thread: crate::Result<Thread>) -> poem::Result<Json<Vec<MessageOut>>> {
    let thread = thread?;
    let messages = state.db.run(move |conn| messages::thread(conn, &user, thread)).await?;
    Ok(Json(messages.into_iter().map(Into::into).collect()))
}

async fn post(
    state: &AppState,
    user: User,
    thread: Thread,
    body: String,
    files: Vec<NewAttachment>,
) -> poem::Result<Posted> {
    let result = state
        .db
        .run(move |conn| {
            messages::post(conn, &user, thread, &body, &files)?;
            messages::thread(conn, &user, thread)
        })
        .await;
    Ok(match result {
        Ok(thread) => Posted::Thread(Json(thread.into_iter().map(Into::into).collect())),
        Err(Error::NotFound) => Posted::NotFound(api_error("no such order or company")),
        Err(Error::Invalid(message)) => Posted::Invalid(api_error(message)),
        Err(other) => return Err(other.into()),
    })
}

#[OpenApi(tag = "ApiTags::Messages")]
impl MessagesApi {
    /// The order's messages, oldest first; the other side's are marked read.
    #[oai(path = "/v1/orders/:id/messages", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn order_thread(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<MessageOut>>> {
        read(&state, auth.0, Ok(Thread::Order(OrderId(id.0)))).await
    }

    /// Writes on the order's thread (multipart: `body` and `file` parts); the
    /// other side is notified in the cabinet and by email.
    #[oai(path = "/v1/orders/:id/messages", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn order_post(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        form: MessageIn,
    ) -> poem::Result<Posted> {
        let (body, _, files) = files_of(form).await?;
        post(&state, auth.0, Thread::Order(OrderId(id.0)), body, files).await
    }

    /// The company's own thread with the supplier (buyers: their company;
    /// staff: `company_id`).
    #[oai(path = "/v1/messages", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn company_thread(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        company_id: Query<Option<i64>>,
    ) -> poem::Result<Json<Vec<MessageOut>>> {
        let thread = Thread::of_company(&auth.0, company_id.0);
        read(&state, auth.0, thread).await
    }

    /// Writes on the company's thread (multipart as for an order).
    #[oai(path = "/v1/messages", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn company_post(&self, state: Data<&AppState>, auth: BearerAuth, form: MessageIn) -> poem::Result<Posted> {
        let (body, company, files) = files_of(form).await?;
        let thread = match Thread::of_company(&auth.0, company) {
            Ok(thread) => thread,
            Err(Error::Invalid(message)) => return Ok(Posted::Invalid(api_error(message))),
            Err(_) => return Ok(Posted::NotFound(api_error("no such company"))),
        };
        post(&state, auth.0, thread, body, files).await
    }

    /// An attachment, to the two sides of its thread only.
    #[oai(path = "/v1/messages/attachments/:id", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn attachment(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<File> {
        let user = auth.0;
        let (name, _, bytes) = state.db.run(move |conn| messages::attachment(conn, &user, id.0)).await?;
        Ok(File::Ok(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name)))
    }
}
