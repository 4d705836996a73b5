//! Users through the API: list, invite, disable or enable, reset, and the
//! rights of the supplier's staff. Administrators given the right
//! `manage_users` only.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{Changed, Created, Done};
use crate::accounts::admin::{self as accounts_admin, UserRow};
use crate::accounts::rights::{self, RightsChange};
use crate::accounts::{Company, CompanyId, Right, Role, UserId};
use crate::error::Error;
use crate::web::api::{api_error, MayManageUsers};
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
    /// What a member of staff may do beyond their role (empty for buyers).
    rights: Vec<Right>,
    /// Their own manual discount limit in basis points (1500 = 15 %); absent:
    /// `manual_discount_limit_percent` for managers, none for administrators.
    discount_limit_bp: Option<i32>,
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
            rights: u.rights.list(),
            discount_limit_bp: u.discount_limit_bp,
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

/// What a member of staff may do: the whole list replaces the one before.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RightsIn {
    rights: Vec<Right>,
    /// Basis points, 0–10000; absent: the setting's limit for managers, none
    /// for administrators.
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    discount_limit_bp: Option<i32>,
}

#[OpenApi(tag = "super::ApiTags::AdminAccounts")]
impl AdminUsersApi {
    /// Every user, by role and email.
    #[oai(path = "/v1/admin/users", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn users(&self, state: Data<&AppState>, _auth: MayManageUsers) -> poem::Result<Json<Vec<UserOut>>> {
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
        _auth: MayManageUsers,
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
        auth: MayManageUsers,
        id: Path<i64>,
        body: Json<UserPatch>,
    ) -> poem::Result<Changed<UserOut>> {
        let (me, id) = (auth.0.user.id, UserId(id.0));
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
    async fn reset(&self, state: Data<&AppState>, _auth: MayManageUsers, id: Path<i64>) -> poem::Result<Done> {
        let id = UserId(id.0);
        match state.db.run(move |conn| accounts_admin::reset(conn, id)).await {
            Ok(_) => Ok(Done::Ok),
            Err(Error::NotFound) => Ok(Done::NotFound(api_error("no such user"))),
            Err(other) => Err(other.into()),
        }
    }

    /// Set what a manager or administrator may do (cancel orders, manual
    /// discounts up to a limit, extend reservations, record payments, manage
    /// users — the last for administrators only). The change holds from the
    /// user's next request.
    #[oai(path = "/v1/admin/users/:id/rights", method = "put")]
    #[tracing::instrument(skip_all)]
    async fn set_rights(
        &self,
        state: Data<&AppState>,
        auth: MayManageUsers,
        id: Path<i64>,
        body: Json<RightsIn>,
    ) -> poem::Result<Changed<UserOut>> {
        let (granted, id, Json(change)) = (auth.0.granted, UserId(id.0), body);
        let change = RightsChange { rights: change.rights, discount_limit_bp: change.discount_limit_bp };
        let result = state
            .db
            .run(move |conn| {
                rights::set(conn, &granted, id, &change)?;
                accounts_admin::user_row(conn, id).map(UserOut::from)
            })
            .await;
        Changed::from_result(result)
    }
}
