//! The users section of the administrator's page (for administrators who
//! manage users): invite, disable and enable, reset a password, the rights
//! of staff. Plus the public page that sets a password from an emailed
//! invitation or reset link.

use std::collections::HashMap;

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::web::{Data, Form, Html, Path, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::done;
use crate::accounts::admin as accounts_admin;
use crate::accounts::rights::{self, RightsChange};
use crate::accounts::{CompanyId, Right, Role, UserId};
use crate::error::Error;
use crate::i18n;
use crate::money::Qty;
use crate::web::render::Layout;
use crate::web::session::{needs, CsrfForm, WithRight};
use crate::web::AppState;

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    name: String,
    role: String,
    #[serde(default)]
    company_id: String,
    #[serde(default)]
    locale: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn invite(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, _, _): WithRight<needs::ManageUsers>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let result = state
        .db
        .run(move |conn| {
            let role = Role::parse(&form.role).ok_or_else(|| Error::Invalid("unknown role".into()))?;
            let company = form.company_id.parse::<i64>().ok().map(CompanyId);
            accounts_admin::invite(conn, &form.email, &form.name, role, company, i18n::locale(&form.locale))?;
            Ok(i18n::text(lang, "admin.invited", &[("email", form.email.trim().to_lowercase())]))
        })
        .await;
    done(state, jar, result).await
}

#[derive(Deserialize)]
pub struct UserAction {
    action: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn user_action(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, _, _): WithRight<needs::ManageUsers>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<UserAction>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    if id == session.user.id.0 && form.action == "disable" {
        return done(state, jar, Err(Error::Invalid(i18n::text(lang, "admin.not_yourself", &[])))).await;
    }
    let result = state
        .db
        .run(move |conn| match form.action.as_str() {
            "disable" => {
                accounts_admin::set_active(conn, UserId(id), false).map(|_| i18n::text(lang, "admin.disabled", &[]))
            }
            "enable" => {
                accounts_admin::set_active(conn, UserId(id), true).map(|_| i18n::text(lang, "admin.enabled", &[]))
            }
            "reset" => accounts_admin::reset(conn, UserId(id)).map(|_| i18n::text(lang, "admin.reset_sent", &[])),
            _ => Err(Error::NotFound),
        })
        .await;
    done(state, jar, result).await
}

/// A staff member's rights: a checkbox per right (named by the right) and
/// the discount limit in percent (empty: the setting's).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn user_rights(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, granted, _): WithRight<needs::ManageUsers>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let rights = Right::ALL.iter().copied().filter(|r| form.contains_key(r.as_str())).collect();
    let limit = form.get("discount_limit").map(|t| t.trim()).unwrap_or("");
    // Percent with up to two decimals → basis points, through the quantity parser (thousandths).
    let discount_limit_bp = match limit {
        "" => Ok(None),
        text => Qty::parse(text)
            .map(|q| q.milli() / 10)
            .filter(|bp| (0..=10_000).contains(bp))
            .map(|bp| Some(bp as i32))
            .ok_or_else(|| Error::Invalid(i18n::text(lang, "manager.bad_discount", &[]))),
    };
    let result = match discount_limit_bp {
        Err(error) => Err(error),
        Ok(discount_limit_bp) => {
            let change = RightsChange { rights, discount_limit_bp };
            state
                .db
                .run(move |conn| rights::set(conn, &granted, UserId(id), &change))
                .await
                .map(|_| i18n::text(lang, "admin.rights_saved", &[]))
        }
    };
    done(state, jar, result).await
}

#[derive(Serialize)]
struct PasswordPage {
    email: String,
    error: Option<String>,
}

/// The page behind an invitation or reset link. The link's token is the
/// form's proof (it is single-use and only its hash is stored).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn password_page(Data(state): Data<&AppState>, Path(token): Path<String>) -> poem::Result<Response> {
    let lookup = token.clone();
    let user = state.db.run(move |conn| accounts_admin::link_user(conn, &lookup)).await?;
    let Some(user) = user else { return Err(Error::NotFound.into()) };
    let lang = i18n::locale(&user.locale);
    let html: Html<String> = state.templates.render(
        "password.html",
        &Layout::for_link(lang, &token, "/password"),
        &PasswordPage { email: user.email, error: None },
    )?;
    Ok(html.into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn password_submit(
    Data(state): Data<&AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> poem::Result<Response> {
    let lookup = token.clone();
    let user = state.db.run(move |conn| accounts_admin::link_user(conn, &lookup)).await?;
    let Some(user) = user else { return Err(Error::NotFound.into()) };
    let lang = i18n::locale(&user.locale);
    let error = if form.password != form.repeat {
        Some(i18n::text(lang, "admin.passwords_differ", &[]))
    } else {
        match state.logins.gate.hash(form.password.clone()).await {
            Err(crate::accounts::password::Busy) => Some(i18n::text(lang, "login.busy", &[])),
            Ok(Err(Error::Invalid(_))) => Some(i18n::text(lang, "admin.password_short", &[])),
            Ok(Err(other)) => return Err(other.into()),
            Ok(Ok(hash)) => {
                let token = token.clone();
                state.db.run(move |conn| accounts_admin::set_password(conn, &token, &hash)).await?;
                return Ok(Redirect::see_other("/login").into_response());
            }
        }
    };
    let html: Html<String> = state.templates.render(
        "password.html",
        &Layout::for_link(lang, &token, "/password"),
        &PasswordPage { email: user.email, error },
    )?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}
