//! The REST API (poem-openapi): one `#[OpenApi]` struct per resource, an
//! `ApiResponse` enum per endpoint for the outcomes a client must handle, and
//! bearer-token auth as a security scheme, so that getting the user *is* the
//! check. Served under `/api`, described at `/api/openapi.json`.

mod admin;
mod auth;
mod carts;
mod catalog;
mod lifecycle;
mod me;
mod orders;
mod verdicts;

use poem::http::StatusCode;
use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApiService, SecurityScheme};

use super::AppState;
use crate::accounts::{tokens, User};

/// The API with all its resources.
pub type Apis = (
    auth::AuthApi,
    catalog::CatalogApi,
    me::MeApi,
    carts::CartsApi,
    orders::OrdersApi,
    lifecycle::LifecycleApi,
    admin::AdminApi,
);

pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            auth::AuthApi,
            catalog::CatalogApi,
            me::MeApi,
            carts::CartsApi,
            orders::OrdersApi,
            lifecycle::LifecycleApi,
            admin::AdminApi,
        ),
        "Optovik API",
        env!("CARGO_PKG_VERSION"),
    )
        .description(
            "B2B ordering portal API: catalog at contract prices, carts, quick order and ordering by file, \
             checkout with reservations and invoices, order history. Obtain a token with `POST /api/v1/auth/token` and send it as `Authorization: Bearer …`.",
        )
        .server("/api")
}

/// A bearer token issued by `POST /api/v1/auth/token`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_token")]
pub struct BearerAuth(pub User);

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<User> {
    let state = req.data::<AppState>().ok_or_else(|| poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR))?;
    let token = bearer.token;
    if token.len() > 200 {
        return Err(unauthorized());
    }
    let user = state.db.run(move |conn| tokens::lookup(conn, &token)).await?;
    user.ok_or_else(unauthorized)
}

fn unauthorized() -> poem::Error {
    poem::Error::from_string("missing, unknown or expired token", StatusCode::UNAUTHORIZED)
}

/// An error a client can show: what went wrong, in words.
#[derive(Object)]
pub struct ApiError {
    pub error: String,
}

pub fn api_error(message: impl Into<String>) -> Json<ApiError> {
    Json(ApiError { error: message.into() })
}
