//! Ordering by file: upload (size-capped while reading), the per-row report
//! with the columns shown and changeable, the annotated file back, the
//! template, and applying the accepted rows to the cart.

use poem::http::{header, StatusCode};
use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Multipart, Path, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::{Deserialize, Serialize};

use super::report_view::{report_rows, tally, ReportRowView};
use crate::error::Error;
use crate::i18n;
use crate::ordering::upload::{template_xlsx, Columns, Limits, UploadError};
use crate::ordering::{carts, uploads};
use crate::web::session::{check_csrf, layout, set_flash, Authed, ButtonForm, CsrfForm};
use crate::web::AppState;

#[derive(Serialize, Default)]
struct UploadPage {
    error: Option<String>,
    max_mib: usize,
    max_rows: usize,
}

fn limits_view(error: Option<String>) -> UploadPage {
    let limits = Limits::default();
    UploadPage { error, max_mib: limits.max_bytes / (1024 * 1024), max_rows: limits.max_rows }
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(req: &Request, Data(state): Data<&AppState>, Authed(session): Authed) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "upload").await?;
    Ok(state.templates.render("upload.html", &layout, &limits_view(None))?)
}

/// Receives the file. The body is read up to the size cap and no further.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn submit(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    multipart: Multipart,
) -> poem::Result<Response> {
    let limits = Limits::default();
    let lang = i18n::locale(&session.user.locale);
    let mut form = super::upload_form::read(multipart, limits.max_bytes as u64, "order.xlsx").await?;
    check_csrf(&session, form.field("csrf"))?;
    let file = form.file();
    let refuse_session = session.clone();
    let refuse = |message: String| async move {
        let layout = layout(state, req, &refuse_session, "upload").await?;
        let html: Html<String> = state.templates.render("upload.html", &layout, &limits_view(Some(message)))?;
        Ok::<Response, poem::Error>((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse(i18n::text(lang, "upload.choose_file", &[])).await;
    };
    if bytes.len() > limits.max_bytes {
        let error = uploads::explain(&UploadError::TooLarge { max_bytes: limits.max_bytes }, lang, &limits);
        return refuse(error.to_string()).await;
    }
    let user = session.user.clone();
    let stored = state
        .db
        .run(move |conn| {
            let cart = carts::current(conn, &user)?;
            uploads::store(conn, &user, &cart, &name, &bytes, &limits)
        })
        .await;
    match stored {
        Ok(id) => Ok(Redirect::see_other(format!("/upload/{id}")).into_response()),
        Err(Error::Invalid(message)) => refuse(message).await,
        Err(other) => Err(other.into()),
    }
}

#[derive(Serialize)]
struct ReportPage {
    id: String,
    file_name: String,
    applied: bool,
    rows: Vec<ReportRowView>,
    ok: usize,
    adjusted: usize,
    problems: usize,
    header_row: Option<usize>,
    sku_column: usize,
    quantity_column: usize,
    confident: bool,
    columns: Vec<ColumnChoice>,
    error: Option<String>,
}

/// A column the buyer can pick: its index and a label such as "A: Артикул".
#[derive(Serialize)]
struct ColumnChoice {
    index: usize,
    label: String,
}

fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = String::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    out
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn report_page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Response> {
    let layout = layout(state, req, &session, "upload").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let search = state.search.clone();
    let result = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            uploads::report(conn, &index, &user, &id, &Limits::default())
        })
        .await;
    let report = match result {
        Ok(report) => report,
        Err(Error::Invalid(message)) => {
            let html: Html<String> = state.templates.render("upload.html", &layout, &limits_view(Some(message)))?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
        }
        Err(other) => return Err(other.into()),
    };
    let width = report.sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    let heading = report.columns.header_row.and_then(|r| report.sheet.rows.get(r));
    let columns = (0..width)
        .map(|i| {
            let title = heading.and_then(|h| h.get(i)).map(|t| format!(": {t}")).unwrap_or_default();
            ColumnChoice { index: i, label: format!("{}{title}", column_letter(i)) }
        })
        .collect();
    let rows = report_rows(&report.rows, lang);
    let (ok, adjusted, problems) = tally(&rows);
    let view = ReportPage {
        id: report.upload.id.clone(),
        file_name: report.upload.file_name.clone(),
        applied: report.upload.applied_at.is_some(),
        rows,
        ok,
        adjusted,
        problems,
        header_row: report.columns.header_row.map(|r| r + 1),
        sku_column: report.columns.sku,
        quantity_column: report.columns.quantity,
        confident: report.columns.confident,
        columns,
        error: None,
    };
    Ok(state.templates.render("upload_report.html", &layout, &view)?.into_response())
}

#[derive(Deserialize)]
pub struct ColumnsForm {
    sku_column: usize,
    quantity_column: usize,
    #[serde(default)]
    header_row: String,
}

/// The buyer's own choice of columns (and header row) for an upload.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn choose_columns(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ColumnsForm>,
) -> poem::Result<Redirect> {
    let header_row = form.header_row.trim().parse::<usize>().ok().filter(|r| *r >= 1).map(|r| r - 1);
    let columns =
        Columns { header_row, sku: form.sku_column, quantity: form.quantity_column, name: None, confident: true };
    let user = session.user.clone();
    let target = id.clone();
    state.db.run(move |conn| uploads::choose_columns(conn, &user, &id, &columns)).await?;
    Ok(Redirect::see_other(format!("/upload/{target}")))
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn apply(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<ButtonForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    let search = state.search.clone();
    let (applied, cart_id) = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            uploads::apply(conn, &index, &user, &id)
        })
        .await?;
    let message = i18n::text(
        lang,
        "upload.applied",
        &[("added", applied.lines_added.to_string()), ("skipped", applied.rows_skipped.to_string())],
    );
    set_flash(state, jar, &message);
    Ok(Redirect::see_other(format!("/cart?id={cart_id}")))
}

fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    Response::builder()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .body(bytes)
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn annotated(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Response> {
    let user = session.user.clone();
    let search = state.search.clone();
    let bytes = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            uploads::annotated(conn, &index, &user, &id)
        })
        .await?;
    Ok(xlsx_response("order-checked.xlsx", bytes))
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn template(Authed(session): Authed) -> poem::Result<Response> {
    let bytes = template_xlsx(&session.user.locale).map_err(|e| Error::Internal(format!("template: {e}")))?;
    Ok(xlsx_response("order-template.xlsx", bytes))
}
