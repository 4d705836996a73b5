//! Closing documents (УПД, счёт-фактура, ТОРГ-12, acts): the list a user
//! may see, each file for download (another company's is 404), and the
//! ERP's upload of one with the order or shipment it belongs to.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi, ResponseContent};

use super::finance::ApiTags;
use super::{api_error, ApiError, BearerAuth, ExchangeAuth};
use crate::catalog::write::Change;
use crate::error::Error;
use crate::finance::closing::{self, ClosingDocument, ClosingKind, FileFormat, Filter, Incoming};
use crate::finance::closing_file::{given_date, given_kind, MAX_BYTES};
use crate::ids::OrderId;
use crate::ordering::orders::Scope;
use crate::web::AppState;

pub struct ClosingDocumentsApi;

/// A closing document the ERP sent.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ClosingDocumentOut {
    id: i64,
    kind: ClosingKind,
    number: String,
    date: NaiveDate,
    format: FileFormat,
    company_id: i64,
    contract_id: Option<i64>,
    order_id: Option<i64>,
    /// The order's or the ledger document's number it was matched by.
    reference: String,
    file_name: String,
    size_bytes: i64,
    /// Where to download the file (with the same token).
    url: String,
}

impl From<ClosingDocument> for ClosingDocumentOut {
    fn from(d: ClosingDocument) -> ClosingDocumentOut {
        ClosingDocumentOut {
            url: format!("/api/v1/finance/closing-documents/{}/file", d.id),
            id: d.id,
            kind: d.kind,
            number: d.number,
            date: d.document_date,
            format: d.format,
            company_id: d.company_id.0,
            contract_id: d.contract_id,
            order_id: d.order_id.map(|o| o.0),
            reference: d.reference,
            file_name: d.file_name,
            size_bytes: d.size_bytes,
        }
    }
}

#[derive(ResponseContent)]
enum ClosingFile {
    #[oai(content_type = "application/pdf")]
    Pdf(Attachment<Vec<u8>>),
    #[oai(content_type = "application/xml")]
    Xml(Attachment<Vec<u8>>),
}

#[derive(ApiResponse)]
enum FileOutcome {
    #[oai(status = 200)]
    File(ClosingFile),
    /// No such document, or not one of the user's company.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

#[derive(Multipart)]
struct ClosingUpload {
    /// The document: a PDF, or an ЭДО XML file.
    file: Upload,
    /// The order's number (the portal's or the ERP's) or the shipment's or
    /// invoice's number on the ledger; read from the file when absent.
    reference: Option<String>,
    /// upd, invoice_facture, torg12, act, other (Russian names are read too).
    kind: Option<String>,
    /// The document's own number; the reference when absent.
    number: Option<String>,
    /// The document's date (YYYY-MM-DD or DD.MM.YYYY).
    date: Option<String>,
}

#[derive(Object)]
struct ReceivedOut {
    /// created, updated or unchanged.
    change: String,
    document: ClosingDocumentOut,
}

#[derive(ApiResponse)]
enum ReceiveOutcome {
    /// A new document.
    #[oai(status = 201)]
    Created(Json<ReceivedOut>),
    /// A document sent before: replaced, or the same.
    #[oai(status = 200)]
    Stored(Json<ReceivedOut>),
    /// The file is not a document, or belongs to no order or shipment; nothing was stored.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
    /// The file is over 20 MiB.
    #[oai(status = 413)]
    TooLarge(Json<ApiError>),
}

/// Journals a document received over the API.
fn journal_received(
    conn: &mut crate::db::DbConn,
    outcome: &Result<(Change, ClosingDocument), String>,
) -> crate::Result<()> {
    use crate::journal::{self, Outcome, Trigger};
    let run = journal::start(conn, "closing document (api)", Trigger::Erp)?;
    let outcome = match outcome {
        Ok((change, d)) => {
            let change = change_name(*change);
            Outcome {
                success: true,
                summary: format!("{} {} № {} ({}): {change}", d.file_name, d.kind, d.number, d.reference),
                counts: serde_json::json!({ "closing_documents": { change: 1 } }),
                files: vec![serde_json::json!({ "name": d.file_name, "bytes": d.size_bytes, "sha256": d.sha256 })],
                ..Default::default()
            }
        }
        Err(problem) => Outcome {
            success: false,
            summary: format!("nothing changed: {problem}"),
            errors: vec![serde_json::json!({ "message": problem })],
            ..Default::default()
        },
    };
    journal::finish(conn, run, &outcome)
}

fn change_name(change: Change) -> &'static str {
    match change {
        Change::Created => "created",
        Change::Updated => "updated",
        Change::Unchanged => "unchanged",
    }
}

#[OpenApi]
impl ClosingDocumentsApi {
    /// The closing documents the user may see — a buyer's company's, a
    /// manager's companies', all for an administrator — newest first;
    /// optionally one contract's, one order's, or dated within a period.
    #[oai(path = "/v1/finance/closing-documents", method = "get", tag = "ApiTags::Finance")]
    #[tracing::instrument(skip_all)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        contract_id: Query<Option<i64>>,
        order_id: Query<Option<i64>>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> poem::Result<Json<Vec<ClosingDocumentOut>>> {
        let scope = Scope::of(&auth.0);
        let filter = Filter { contract_id: contract_id.0, order_id: order_id.0.map(OrderId), from: from.0, to: to.0 };
        let list = state.db.run(move |conn| closing::list(conn, scope, filter)).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// A closing document's file, PDF or XML.
    #[oai(path = "/v1/finance/closing-documents/:id/file", method = "get", tag = "ApiTags::Finance")]
    #[tracing::instrument(skip_all)]
    async fn file(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<FileOutcome> {
        let scope = Scope::of(&auth.0);
        let found = state.db.run(move |conn| closing::file(conn, scope, id.0)).await;
        let (document, content) = match found {
            Ok(found) => found,
            Err(Error::NotFound) => return Ok(FileOutcome::NotFound(api_error("not found"))),
            Err(other) => return Err(other.into()),
        };
        let file = Attachment::new(content).attachment_type(AttachmentType::Attachment).filename(document.file_name);
        Ok(FileOutcome::File(match document.format {
            FileFormat::Pdf => ClosingFile::Pdf(file),
            FileFormat::Xml => ClosingFile::Xml(file),
        }))
    }

    /// Receives a closing document from the ERP (multipart: `file`, and
    /// optionally `reference`, `kind`, `number`, `date`). The same document
    /// sent again replaces its file.
    #[oai(path = "/v1/erp/closing-documents", method = "post", tag = "ApiTags::Finance")]
    #[tracing::instrument(skip_all)]
    async fn receive(
        &self,
        state: Data<&AppState>,
        _auth: ExchangeAuth,
        form: ClosingUpload,
    ) -> poem::Result<ReceiveOutcome> {
        use tokio::io::AsyncReadExt;
        let name = form.file.file_name().unwrap_or("document.pdf").to_string();
        let mut bytes = Vec::new();
        form.file.into_async_read().take(MAX_BYTES as u64 + 1).read_to_end(&mut bytes).await.map_err(|e| {
            poem::Error::from_string(format!("upload interrupted: {e}"), poem::http::StatusCode::BAD_REQUEST)
        })?;
        if bytes.len() > MAX_BYTES {
            return Ok(ReceiveOutcome::TooLarge(api_error(format!(
                "a document may weigh {} MiB at most",
                MAX_BYTES >> 20
            ))));
        }
        let (kind, date) = match (given_kind(form.kind.as_deref()), given_date(form.date.as_deref())) {
            (Ok(kind), Ok(date)) => (kind, date),
            (Err(problem), _) | (_, Err(problem)) => return Ok(ReceiveOutcome::Invalid(api_error(problem))),
        };
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let incoming = Incoming {
            file_name: name,
            bytes,
            reference: clean(form.reference),
            kind,
            number: clean(form.number),
            date,
        };
        let received = state
            .db
            .run(move |conn| {
                let outcome = match closing::receive(conn, std::slice::from_ref(&incoming)) {
                    Ok(mut list) => Ok(list.remove(0)),
                    Err(Error::Invalid(problem)) => Err(problem),
                    Err(other) => return Err(other),
                };
                journal_received(conn, &outcome)?;
                Ok(outcome)
            })
            .await?;
        Ok(match received {
            Ok((change, document)) => {
                let out = ReceivedOut { change: change_name(change).into(), document: document.into() };
                match change {
                    Change::Created => ReceiveOutcome::Created(Json(out)),
                    _ => ReceiveOutcome::Stored(Json(out)),
                }
            }
            Err(problem) => ReceiveOutcome::Invalid(api_error(problem)),
        })
    }
}
