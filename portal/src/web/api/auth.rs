//! `POST /api/v1/auth/token`: exchange an email and password for a bearer token.

use poem::web::Data;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::{api_error, ApiError};
use crate::accounts::login::LoginOutcome;
use crate::accounts::tokens;
use crate::web::client::client_ip;
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Obtaining API tokens
    Auth,
}

pub struct AuthApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct TokenRequest {
    #[oai(validator(max_length = 320))]
    email: String,
    #[oai(validator(max_length = 1024))]
    password: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    token_type: String,
    /// When the token stops working (UTC).
    expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(ApiResponse)]
enum TokenOutcome {
    #[oai(status = 200)]
    Issued(Json<TokenResponse>),
    /// Wrong email or password, or a disabled account.
    #[oai(status = 401)]
    Refused(Json<ApiError>),
    /// Too many failed attempts for this login or address: wait `Retry-After` seconds.
    #[oai(status = 429)]
    Throttled(Json<ApiError>, #[oai(header = "Retry-After")] u64),
    /// The server is at its limit of password checks: retry after `Retry-After` seconds.
    #[oai(status = 503)]
    Busy(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// Issue an API token for a user.
    #[oai(path = "/v1/auth/token", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn token(
        &self,
        req: &Request,
        state: Data<&AppState>,
        body: Json<TokenRequest>,
    ) -> poem::Result<TokenOutcome> {
        let Json(TokenRequest { email, password }) = body;
        let client = client_ip(req, &state.config);
        let user = match state.logins.check(&state.db, &email, &password, client).await? {
            LoginOutcome::Accepted(user) => user,
            LoginOutcome::Refused => return Ok(TokenOutcome::Refused(api_error("wrong email or password"))),
            LoginOutcome::Throttled(wait) => {
                let seconds = wait.as_secs().max(1);
                return Ok(TokenOutcome::Throttled(
                    api_error(format!("too many failed attempts; try again in {seconds} s")),
                    seconds,
                ));
            }
            LoginOutcome::Busy => {
                return Ok(TokenOutcome::Busy(api_error("the server is busy checking passwords; retry in a second"), 1))
            }
        };
        let id = user.id;
        let issued = state.db.run(move |conn| tokens::issue(conn, id)).await?;
        Ok(TokenOutcome::Issued(Json(TokenResponse {
            token: issued.token,
            token_type: "Bearer".into(),
            expires_at: issued.expires_at.and_utc(),
        })))
    }
}
