//! Closing documents on pages: the short view of one (kind, number, date,
//! format) that the "Взаиморасчёты" page and the order page list, and the
//! download at `/finance/closing/:id`, served to the document's company and
//! the staff who may see that company only (404 to anyone else).

use poem::http::header;
use poem::web::{Data, Path};
use poem::{handler, Response};
use serde::Serialize;

use crate::error::Error;
use crate::finance::closing::{self, ClosingDocument};
use crate::i18n;
use crate::ordering::orders::Scope;
use crate::web::session::Authed;
use crate::web::AppState;

/// A closing document as pages list it.
#[derive(Serialize)]
pub struct ClosingView {
    id: i64,
    kind: String,
    number: String,
    date: String,
    format: String,
    size: String,
    order_id: Option<i64>,
    reference: String,
}

pub fn views(documents: &[ClosingDocument], lang: &str) -> Vec<ClosingView> {
    documents
        .iter()
        .map(|d| ClosingView {
            id: d.id,
            kind: i18n::text(lang, &format!("closing.{}", d.kind), &[]),
            number: d.number.clone(),
            date: d.document_date.format("%d.%m.%Y").to_string(),
            format: d.format.as_str().to_uppercase(),
            size: size(d.size_bytes),
            order_id: d.order_id.map(|o| o.0),
            reference: d.reference.clone(),
        })
        .collect()
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b => format!("{} KB", (b + 1023) / 1024),
    }
}

/// `attachment` with the file's name, plain ASCII for old clients and
/// UTF-8 (RFC 6266) for the rest.
pub(super) fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn download(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Response> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let scope = Scope::of(&session.user);
    let (document, content) = state.db.run(move |conn| closing::file(conn, scope, id)).await?;
    Ok(Response::builder()
        .content_type(document.format.content_type())
        .header(header::CONTENT_DISPOSITION, disposition(&document.file_name))
        .header(header::CACHE_CONTROL, "private, max-age=3600")
        .body(content))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_russian_file_name_is_sent_both_ways() {
        assert_eq!(
            super::disposition("УПД 1.pdf"),
            "attachment; filename=\"___ 1.pdf\"; filename*=UTF-8''%D0%A3%D0%9F%D0%94%201.pdf"
        );
    }
}
