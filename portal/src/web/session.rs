//! Who is asking: the session cookie → `Session`, as request extractors.
//! `MaybeSession` for pages anyone may see, `Authed` for pages that need a
//! login (anonymous visitors are sent to the login page). Also the CSRF
//! check every form handler calls, and the cookies themselves.

use poem::http::StatusCode;
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem::web::Redirect;
use poem::{FromRequest, IntoResponse, Request, RequestBody};

use super::render::{Layout, LayoutUser};
use super::AppState;
use crate::accounts::sessions::{self, Session};
use crate::accounts::Company;
use crate::error::Error;
use crate::i18n;

pub const SESSION_COOKIE: &str = "optovik_session";
/// The pre-login CSRF cookie (double submit) and the anonymous language.
pub const LOGIN_CSRF_COOKIE: &str = "optovik_login_csrf";
pub const LANG_COOKIE: &str = "optovik_lang";
/// A one-time message for the next page ("3 lines added to the cart").
pub const FLASH_COOKIE: &str = "optovik_flash";

/// Leaves a message for the next page the user sees.
pub fn set_flash(state: &AppState, jar: &CookieJar, message: &str) {
    let text: String = message.chars().take(300).collect();
    jar.add(cookie(state, FLASH_COOKIE, urlencoding::encode(&text).into_owned(), 1));
}

fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>()
        .ok_or_else(|| poem::Error::from_string("application state missing", StatusCode::INTERNAL_SERVER_ERROR))
}

/// The session, if the request carries a valid one.
pub struct MaybeSession(pub Option<Session>);

impl<'a> FromRequest<'a> for MaybeSession {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let Some(token) = req.cookie().get(SESSION_COOKIE).map(|c| c.value_str().to_string()) else {
            return Ok(MaybeSession(None));
        };
        let state = state(req)?;
        let policy = state.config.sessions;
        let session = state.db.run(move |conn| sessions::lookup(conn, &token, policy)).await?;
        Ok(MaybeSession(session))
    }
}

/// A logged-in user's session; anonymous requests are redirected to login.
pub struct Authed(pub Session);

impl<'a> FromRequest<'a> for Authed {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        match MaybeSession::from_request(req, body).await?.0 {
            Some(session) => Ok(Authed(session)),
            None => {
                let next = req.original_uri().path_and_query().map(|p| p.as_str()).unwrap_or("/catalog");
                let target = format!("/login?next={}", urlencoding::encode(next));
                Err(poem::Error::from_response(Redirect::see_other(target).into_response()))
            }
        }
    }
}

/// Refuses a form whose CSRF token does not match the session's.
pub fn check_csrf(session: &Session, submitted: &str) -> poem::Result<()> {
    if !submitted.is_empty() && constant_time_eq(submitted.as_bytes(), session.csrf_token.as_bytes()) {
        Ok(())
    } else {
        Err(poem::Error::from_string("the form has expired; reload the page and try again", StatusCode::FORBIDDEN))
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie with the attributes all of ours share.
pub fn cookie(state: &AppState, name: &str, value: String, max_age_days: i64) -> Cookie {
    cookie_for(state, name, value, chrono::Duration::days(max_age_days))
}

/// A cookie kept for `max_age`.
pub fn cookie_for(state: &AppState, name: &str, value: String, max_age: chrono::Duration) -> Cookie {
    let mut cookie = Cookie::new_with_str(name, value);
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(state.config.secure_cookies);
    cookie.set_max_age(std::time::Duration::from_secs(u64::try_from(max_age.num_seconds()).unwrap_or(0)));
    cookie
}

/// Tells the browser to drop a cookie (same name and path, expired).
pub fn forget_cookie(state: &AppState, jar: &CookieJar, name: &str) {
    jar.add(cookie(state, name, String::new(), 0));
}

/// The language for an anonymous visitor: cookie, then Accept-Language.
pub fn anonymous_lang(req: &Request, jar: &CookieJar) -> &'static str {
    if let Some(c) = jar.get(LANG_COOKIE) {
        return i18n::locale(c.value_str());
    }
    let accept = req.header("accept-language").unwrap_or("");
    i18n::locale(accept)
}

/// Layout data for a logged-in page.
pub async fn layout(state: &AppState, req: &Request, session: &Session, nav: &'static str) -> poem::Result<Layout> {
    let user = session.user.clone();
    let user_for_counts = session.user.clone();
    let company = match user.company_id {
        Some(id) => Some(state.db.run(move |conn| Company::find(conn, id)).await.map_err(|e| match e {
            Error::NotFound => Error::Internal("user's company is missing".into()),
            other => other,
        })?),
        None => None,
    };
    let flash = req.cookie().get(FLASH_COOKIE).and_then(|c| {
        forget_cookie(state, req.cookie(), FLASH_COOKIE);
        urlencoding::decode(c.value_str()).ok().map(|t| t.into_owned()).filter(|t| !t.is_empty())
    });
    let role = user.role;
    let demo = state.demo_banner.shown(&state.db).await?;
    let (cart_lines, unread, status_css) = state
        .db
        .run(move |conn| {
            let lines = if role == crate::accounts::Role::Buyer {
                let cart = crate::ordering::carts::current(conn, &user_for_counts)?;
                crate::ordering::carts::lines(conn, cart.id)?.len()
            } else {
                0
            };
            Ok((
                lines,
                crate::notifications::unread_count(conn, user_for_counts.id)?,
                super::render::status_css(&crate::settings::status_colours(conn)?),
            ))
        })
        .await?;
    Ok(Layout {
        lang: i18n::locale(&user.locale),
        flash,
        cart_lines,
        unread,
        status_css,
        demo,
        user: Some(LayoutUser {
            name: user.name,
            email: user.email,
            role: user.role.as_str(),
            company: company.map(|c| c.name),
        }),
        csrf: session.csrf_token.clone(),
        here: req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
        nav,
    })
}
