//! Users through the API: list, invite, disable or enable, reset.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{Changed, Created, Done};
use crate::accounts::admin::{self as accounts_admin, UserRow};
use crate::accounts::{Company, CompanyId, Role, UserId};
use crate::error::Error;
use crate::web::api::{api_error, AdminAuth};
use crate::web::AppState;

pub struct AdminUsersApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct UserOut {
    id: i64,
    email: String,
    name: String,
    role: Role,
    company_id: Option<i64>,
    company: Option<String>,
    active: bool,
}

impl From<UserRow> for UserOut {
    fn from(u: UserRow) -> UserOut {
        UserOut {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            company_id: u.company_id,
            company: u.company,
            active: u.active,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct InviteIn {
    #[oai(validator(min_length = 3, max_length = 320))]
    email: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    name: String,
    role: Role,
    /// Required for buyers.
    company_id: Option<i64>,
    /// ru (default) or en: the language of the invitation and the cabinet.
    #[oai(validator(pattern = "^(ru|en)$"))]
    locale: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct UserPatch {
    /// false disables the user (every session and token ends); true enables.
    active: Option<bool>,
}

#[OpenApi(tag = "super::ApiTags::AdminAccounts")]
impl AdminUsersApi {
    /// Every user, by role and email.
    #[oai(path = "/v1/admin/users", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn users(&self, state: Data<&AppState>, _auth: AdminAuth) -> poem::Result<Json<Vec<UserOut>>> {
        let users = state.db.run(accounts_admin::list_users).await?;
        Ok(Json(users.into_iter().map(Into::into).collect()))
    }

    /// Invite a user: the account is created without a password and the link
    /// to set one is emailed (valid 7 days).
    #[oai(path = "/v1/admin/users", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn invite(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<InviteIn>,
    ) -> poem::Result<Created<UserOut>> {
        let Json(invite) = body;
        let result = state
            .db
            .run(move |conn| {
                let role = invite.role;
                let company = invite.company_id.map(CompanyId);
                if let Some(company) = company {
                    Company::find(conn, company).map_err(|_| Error::Invalid("there is no such company".into()))?;
                }
                let locale = crate::i18n::locale(invite.locale.as_deref().unwrap_or("ru"));
                let (id, _) = accounts_admin::invite(conn, &invite.email, &invite.name, role, company, locale)?;
                accounts_admin::user_row(conn, id).map(UserOut::from)
            })
            .await;
        Created::from_result(result)
    }

    /// Disable or enable a user.
    #[oai(path = "/v1/admin/users/:id", method = "patch")]
    #[tracing::instrument(skip_all)]
    async fn update_user(
        &self,
        state: Data<&AppState>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Json<UserPatch>,
    ) -> poem::Result<Changed<UserOut>> {
        let (me, id) = (auth.0.id, UserId(id.0));
        let result = state
            .db
            .run(move |conn| {
                accounts_admin::user_row(conn, id)?;
                if let Some(active) = body.0.active {
                    if !active && id == me {
                        return Err(Error::Invalid("you cannot disable yourself".into()));
                    }
                    accounts_admin::set_active(conn, id, active)?;
                }
                accounts_admin::user_row(conn, id).map(UserOut::from)
            })
            .await;
        Changed::from_result(result)
    }

    /// Reset a user's password: every session and token of theirs ends now,
    /// and a link to set a new password is emailed.
    #[oai(path = "/v1/admin/users/:id/reset", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn reset(&self, state: Data<&AppState>, _auth: AdminAuth, id: Path<i64>) -> poem::Result<Done> {
        let id = UserId(id.0);
        match state.db.run(move |conn| accounts_admin::reset(conn, id)).await {
            Ok(_) => Ok(Done::Ok),
            Err(Error::NotFound) => Ok(Done::NotFound(api_error("no such user"))),
            Err(other) => Err(other.into()),
        }
    }
}
