//! Login and logout. The login form is protected by a double-submit CSRF
//! cookie (there is no session yet); logout by the session's token.

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::web::{Data, Form, Html, Query, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::login::LoginOutcome;
use crate::accounts::{sessions, Role};
use crate::i18n;
use crate::random_token;
use crate::web::client::client_ip;
use crate::web::redirect::local_path_or;
use crate::web::render::Layout;
use crate::web::session::{
    anonymous_lang, constant_time_eq, cookie, cookie_for, forget_cookie, ButtonForm, CsrfForm, MaybeSession,
    LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::web::AppState;

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

#[derive(Serialize)]
struct LoginPage<'a> {
    email: &'a str,
    next: &'a str,
    error: Option<String>,
}

/// Only local paths are followed after login, never another site.
fn safe_next(next: &str) -> String {
    local_path_or(next, "/catalog")
}

async fn render(
    state: &AppState,
    lang: &'static str,
    csrf: String,
    view: &LoginPage<'_>,
    status: StatusCode,
) -> poem::Result<Response> {
    let demo = state.demo_banner.shown(&state.db).await?;
    let layout = Layout {
        lang,
        user: None,
        csrf,
        here: "/login".into(),
        nav: "login",
        flash: None,
        cart_lines: 0,
        unread: 0,
        status_css: String::new(),
        demo,
    };
    let html: Html<String> = state.templates.render("login.html", &layout, view)?;
    Ok((status, html).into_response())
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(
    req: &Request,
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Query(query): Query<LoginQuery>,
    MaybeSession(session): MaybeSession,
) -> poem::Result<Response> {
    let next = safe_next(query.next.as_deref().unwrap_or("/catalog"));
    if session.is_some() {
        return Ok(Redirect::see_other(next).into_response());
    }
    let lang = match query.lang.as_deref() {
        Some(l) => {
            let lang = i18n::locale(l);
            jar.add(cookie(state, LANG_COOKIE, lang.to_string(), 365));
            lang
        }
        None => anonymous_lang(req, jar),
    };
    let csrf = random_token();
    jar.add(cookie(state, LOGIN_CSRF_COOKIE, csrf.clone(), 1));
    render(state, lang, csrf, &LoginPage { email: "", next: &next, error: None }, StatusCode::OK).await
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn submit(
    req: &Request,
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Form(form): Form<LoginForm>,
) -> poem::Result<Response> {
    let lang = anonymous_lang(req, jar);
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value_str().to_string()).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(poem::Error::from_string(i18n::text(lang, "login.expired", &[]), StatusCode::FORBIDDEN));
    }
    let next = safe_next(&form.next);
    let client = client_ip(req, &state.config);
    let outcome = state.logins.check(&state.db, &form.email, &form.password, client).await?;
    let refuse = |message: String, status: StatusCode| {
        let (csrf, email, next) = (expected.clone(), form.email.clone(), next.clone());
        async move {
            let view = LoginPage { email: &email, next: &next, error: Some(message) };
            render(state, lang, csrf, &view, status).await
        }
    };
    let user = match outcome {
        LoginOutcome::Accepted(user) => user,
        LoginOutcome::Refused => {
            return refuse(i18n::text(lang, "login.failed", &[]), StatusCode::UNAUTHORIZED).await;
        }
        LoginOutcome::Throttled(wait) => {
            let seconds = wait.as_secs().max(1);
            let message = i18n::text(lang, "login.throttled", &[("seconds", seconds.to_string())]);
            let mut response = refuse(message, StatusCode::TOO_MANY_REQUESTS).await?;
            response.headers_mut().insert("retry-after", poem::http::HeaderValue::from(seconds));
            return Ok(response);
        }
        LoginOutcome::Busy => {
            let mut response = refuse(i18n::text(lang, "login.busy", &[]), StatusCode::SERVICE_UNAVAILABLE).await?;
            response.headers_mut().insert("retry-after", poem::http::HeaderValue::from_static("1"));
            return Ok(response);
        }
    };
    if user.role == Role::Erp {
        return refuse(i18n::text(lang, "login.exchange_only", &[]), StatusCode::FORBIDDEN).await;
    }
    let (user_id, policy) = (user.id, state.config.sessions);
    let token = state.db.run(move |conn| sessions::create(conn, user_id, policy)).await?;
    jar.add(cookie_for(state, SESSION_COOKIE, token, policy.lifetime));
    forget_cookie(state, jar, LOGIN_CSRF_COOKIE);
    tracing::info!(user = user.id.0, role = user.role.as_str(), "logged in");
    Ok(Redirect::see_other(next).into_response())
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn logout(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    CsrfForm(_): CsrfForm<ButtonForm>,
) -> poem::Result<Redirect> {
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value_str().to_string()) {
        state.db.run(move |conn| sessions::delete(conn, &token)).await?;
    }
    forget_cookie(state, jar, SESSION_COOKIE);
    Ok(Redirect::see_other("/login"))
}
