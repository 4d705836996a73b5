//! The buyer's own item codes (`/codes`): the list with the supplier's SKU
//! and name beside each, a form to add or change one, removal, and import
//! from a spreadsheet (first column: our code, second: the supplier's SKU;
//! all or nothing). `POST /upload/:id/learn` teaches a code from an
//! upload's unknown row when the buyer picks one of its suggestions.

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Multipart, Path, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::sessions::Session;
use crate::error::Error;
use crate::i18n;
use crate::ids::CompanyId;
use crate::ordering::customer_codes::{self, CustomerCode, Problem};
use crate::ordering::upload::{read_order_file, Limits};
use crate::web::session::{check_csrf, layout, set_flash, Authed, CsrfForm};
use crate::web::AppState;

#[derive(Serialize)]
struct CodesPage {
    codes: Vec<CustomerCode>,
    problems: Vec<Problem>,
    error: Option<String>,
}

fn company_of(session: &Session) -> poem::Result<CompanyId> {
    session.user.company_id.ok_or_else(|| Error::Forbidden.into())
}

async fn render(
    state: &AppState,
    req: &Request,
    session: &Session,
    company: CompanyId,
    (problems, error): (Vec<Problem>, Option<String>),
) -> poem::Result<Response> {
    let layout = layout(state, req, session, "codes").await?;
    let codes = state.db.run(move |conn| customer_codes::list(conn, company)).await?;
    let refused = !problems.is_empty() || error.is_some();
    let html: Html<String> =
        state.templates.render("customer_codes.html", &layout, &CodesPage { codes, problems, error })?;
    let status = if refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, html).into_response())
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(req: &Request, Data(state): Data<&AppState>, Authed(session): Authed) -> poem::Result<Response> {
    let company = company_of(&session)?;
    render(state, req, &session, company, (Vec::new(), None)).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    sku: String,
}

/// Adds (or changes) or removes one code.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn change(
    req: &Request,
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> poem::Result<Response> {
    let company = company_of(&session)?;
    let lang = i18n::locale(&session.user.locale);
    let outcome = state
        .db
        .run(move |conn| match form.action.as_str() {
            "remove" => customer_codes::remove(conn, company, &form.code)
                .map(|_| i18n::text(lang, "codes.removed", &[("code", form.code.trim().to_string())])),
            _ => customer_codes::set(conn, company, &form.code, &form.sku)
                .map(|c| i18n::text(lang, "codes.saved", &[("code", c.code), ("sku", c.sku)])),
        })
        .await;
    match outcome {
        Ok(message) => {
            set_flash(state, jar, &message);
            Ok(Redirect::see_other("/codes").into_response())
        }
        Err(Error::Invalid(message)) => render(state, req, &session, company, (Vec::new(), Some(message))).await,
        Err(other) => Err(other.into()),
    }
}

/// Imports codes from a spreadsheet (added to the list; all or nothing).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn import(
    req: &Request,
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    multipart: Multipart,
) -> poem::Result<Response> {
    let company = company_of(&session)?;
    let lang = i18n::locale(&session.user.locale);
    let limits = Limits::default();
    let mut form = super::upload_form::read(multipart, limits.max_bytes as u64, "codes.xlsx").await?;
    check_csrf(&session, form.field("csrf"))?;
    let Some((name, bytes)) = form.file().filter(|(_, b)| !b.is_empty()) else {
        let message = i18n::text(lang, "upload.choose_file", &[]);
        return render(state, req, &session, company, (Vec::new(), Some(message))).await;
    };
    let sheet = match read_order_file(&name, &bytes, &limits) {
        Ok(sheet) => sheet,
        Err(error) => {
            let message = crate::ordering::uploads::explain(&error, lang, &limits).to_string();
            return render(state, req, &session, company, (Vec::new(), Some(message))).await;
        }
    };
    let entries = customer_codes::rows_of_sheet(&sheet);
    let outcome = state.db.run(move |conn| customer_codes::set_all(conn, company, &entries, false)).await?;
    match outcome {
        Ok(count) => {
            set_flash(state, jar, &i18n::text(lang, "codes.imported", &[("count", count.to_string())]));
            Ok(Redirect::see_other("/codes").into_response())
        }
        Err(problems) => {
            let message = i18n::text(lang, "codes.refused", &[("count", problems.len().to_string())]);
            render(state, req, &session, company, (problems, Some(message))).await
        }
    }
}

#[derive(Deserialize)]
pub struct LearnForm {
    code: String,
    sku: String,
}

/// Teaches the company a code from an upload's unknown row (the buyer
/// chose one of its suggestions), then shows the upload again: the row now
/// finds the offer by the buyer's code.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn learn(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<LearnForm>,
) -> poem::Result<Response> {
    let company = company_of(&session)?;
    let lang = i18n::locale(&session.user.locale);
    let user = session.user.clone();
    let upload = id.clone();
    let learned = state
        .db
        .run(move |conn| {
            // The upload must be the buyer's own.
            crate::ordering::uploads::find(conn, &user, &upload)?;
            customer_codes::set(conn, company, &form.code, &form.sku)
        })
        .await?;
    set_flash(state, jar, &i18n::text(lang, "codes.learned", &[("code", learned.code), ("sku", learned.sku)]));
    Ok(Redirect::see_other(format!("/upload/{}", urlencoding::encode(&id))).into_response())
}
