//! Who is asking: the session cookie → `Session`, as request extractors, so
//! that getting the session *is* the check. `MaybeSession` for pages anyone
//! may see, `Authed` for pages that need a login (anonymous visitors are sent
//! to the login page), `Staff` and `Admin` for the supplier's pages (403 to
//! others), `WithRight<N>` for what needs a granted right, `CsrfForm<T>` for
//! every posted form. Also the cookies themselves.

use std::marker::PhantomData;
use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem::web::Redirect;
use poem::{Endpoint, FromRequest, IntoResponse, Request, RequestBody, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::render::{Layout, LayoutUser};
use super::AppState;
use crate::accounts::sessions::{self, Session};
use crate::accounts::{Company, Granted, Right, Role};
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

/// The request's session, read from the database at most once per request
/// however many extractors ask (`remember_session` puts the cell in place).
#[derive(Clone, Default)]
struct SessionCell(Arc<tokio::sync::OnceCell<Option<Session>>>);

/// Middleware for the pages: a place to keep the request's session once read.
pub async fn remember_session<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    req.extensions_mut().insert(SessionCell::default());
    next.call(req).await.map(IntoResponse::into_response)
}

async fn session_of(req: &Request) -> poem::Result<Option<Session>> {
    let read = || async {
        let Some(token) = req.cookie().get(SESSION_COOKIE).map(|c| c.value_str().to_string()) else {
            return Ok::<_, poem::Error>(None);
        };
        let state = state(req)?;
        let policy = state.config.sessions;
        Ok(state.db.run(move |conn| sessions::lookup(conn, &token, policy)).await?)
    };
    match req.extensions().get::<SessionCell>().cloned() {
        Some(cell) => Ok(cell.0.get_or_try_init(read).await?.clone()),
        None => read().await,
    }
}

/// The session, if the request carries a valid one.
pub struct MaybeSession(pub Option<Session>);

impl<'a> FromRequest<'a> for MaybeSession {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(MaybeSession(session_of(req).await?))
    }
}

/// A logged-in user's session; anonymous requests are redirected to login.
pub struct Authed(pub Session);

impl<'a> FromRequest<'a> for Authed {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        match session_of(req).await? {
            Some(session) => Ok(Authed(session)),
            None => {
                let next = req.original_uri().path_and_query().map(|p| p.as_str()).unwrap_or("/catalog");
                let target = format!("/login?next={}", urlencoding::encode(next));
                Err(poem::Error::from_response(Redirect::see_other(target).into_response()))
            }
        }
    }
}

/// A session of the supplier's staff (manager, admin); others get 403
/// (see "Guards" in ARCHITECTURE.md).
pub struct Staff(pub Session);

impl<'a> FromRequest<'a> for Staff {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let Authed(session) = Authed::from_request(req, body).await?;
        if !session.user.role.is_staff() {
            return Err(Error::Forbidden.into());
        }
        Ok(Staff(session))
    }
}

/// An administrator's session; others get 403.
pub struct Admin(pub Session);

impl<'a> FromRequest<'a> for Admin {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let Authed(session) = Authed::from_request(req, body).await?;
        if session.user.role != Role::Admin {
            return Err(Error::Forbidden.into());
        }
        Ok(Admin(session))
    }
}

/// Names the right a page handler needs: `WithRight<ExtendReservations>`.
pub trait NeedsRight {
    const RIGHT: Right;
}

/// The marker types for `WithRight`, one per right.
pub mod needs {
    macro_rules! markers {
        ($($name:ident),+) => {$(
            #[doc = concat!("The right `", stringify!($name), "`.")]
            pub struct $name;
            impl super::NeedsRight for $name {
                const RIGHT: crate::accounts::Right = crate::accounts::Right::$name;
            }
        )+};
    }
    markers!(CancelOrders, ManualDiscounts, ExtendReservations, RecordPayments, ManageUsers);
}

/// A session of someone holding the right `N` names (see
/// `accounts::rights`), with the proof the domain operation takes; others
/// get 403.
pub struct WithRight<N>(pub Session, pub Granted, pub PhantomData<N>);

impl<'a, N: NeedsRight> FromRequest<'a> for WithRight<N> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let Staff(session) = Staff::from_request(req, body).await?;
        let granted = session.user.grant(N::RIGHT)?;
        Ok(WithRight(session, granted, PhantomData))
    }
}

/// A posted form (`application/x-www-form-urlencoded`) whose `csrf` field
/// matches the session's token; the check runs before `T` is parsed, so an
/// expired form answers 403 whatever else it holds. Anonymous posts are sent
/// to the login page. `T` does not declare the `csrf` field.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<'a, T: DeserializeOwned> FromRequest<'a> for CsrfForm<T> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let Authed(session) = Authed::from_request(req, body).await?;
        let is_form = req.content_type().is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(poem::Error::from_string("expected a form", StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = body.take()?.into_bytes().await?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).map_err(unreadable_form)?;
        check_csrf(&session, &field.csrf)?;
        Ok(CsrfForm(serde_urlencoded::from_bytes(&bytes).map_err(unreadable_form)?))
    }
}

/// A form with nothing but its CSRF token: a button.
#[derive(Deserialize)]
pub struct ButtonForm {}

fn unreadable_form(error: serde_urlencoded::de::Error) -> poem::Error {
    poem::Error::from_string(format!("the form cannot be read: {error}"), StatusCode::BAD_REQUEST)
}

/// Refuses a form whose CSRF token does not match the session's (for forms
/// `CsrfForm` cannot read: multipart uploads).
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
            let lines = if role == Role::Buyer {
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
            company: company.map(|c| c.name),
            is_buyer: user.role == Role::Buyer,
            is_staff: user.role.is_staff(),
            is_admin: user.role == Role::Admin,
        }),
        csrf: session.csrf_token.clone(),
        here: req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
        nav,
    })
}
