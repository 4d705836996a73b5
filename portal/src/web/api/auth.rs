//! `POST /api/v1/auth/token`: exchange an email and password for a bearer token.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::{api_error, ApiError};
use crate::accounts::{tokens, User};
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Obtaining API tokens
    Auth,
}

pub struct AuthApi;

#[derive(Object)]
struct TokenRequest {
    #[oai(validator(max_length = 320))]
    email: String,
    #[oai(validator(max_length = 1024))]
    password: String,
}

#[derive(Object)]
struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    token_type: String,
    /// When the token stops working (UTC).
    expires_at: chrono::NaiveDateTime,
}

#[derive(ApiResponse)]
enum TokenOutcome {
    #[oai(status = 200)]
    Issued(Json<TokenResponse>),
    /// Wrong email or password, or a disabled account.
    #[oai(status = 401)]
    Refused(Json<ApiError>),
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// Issue an API token for a user.
    #[oai(path = "/v1/auth/token", method = "post")]
    async fn token(&self, state: Data<&AppState>, body: Json<TokenRequest>) -> poem::Result<TokenOutcome> {
        let Json(TokenRequest { email, password }) = body;
        let issued = state
            .db
            .run(move |conn| match User::authenticate(conn, &email, &password)? {
                Some(user) => tokens::issue(conn, user.id).map(Some),
                None => Ok(None),
            })
            .await?;
        Ok(match issued {
            Some(t) => TokenOutcome::Issued(Json(TokenResponse {
                token: t.token,
                token_type: "Bearer".into(),
                expires_at: t.expires_at,
            })),
            None => TokenOutcome::Refused(api_error("wrong email or password")),
        })
    }
}
