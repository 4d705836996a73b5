//! The administrator's operations on accounts: invite users (a one-time link
//! to set a password is emailed), disable and enable them, send a password
//! reset, and set a password from such a link. Disabling a user ends their
//! sessions and API tokens at once.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{CompanyId, NewUser, Role, User, UserId};
use crate::db::schema::{companies, password_tokens, users};
use crate::db::stored_text::stored_text_enum;
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::mail::EmailKind;
use crate::{hash_token, random_token, settings};

stored_text_enum! {
    /// Why a password link was sent (and which email carried it).
    pub enum LinkPurpose {
        Invite = "invite",
        PasswordReset = "password_reset",
    }
}

impl LinkPurpose {
    fn email(self) -> EmailKind {
        match self {
            LinkPurpose::Invite => EmailKind::Invite,
            LinkPurpose::PasswordReset => EmailKind::PasswordReset,
        }
    }
}

/// How long an invitation or reset link works.
pub const LINK_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub company_id: Option<i64>,
    pub company: Option<String>,
    pub active: bool,
    /// What a member of staff may do beyond their role (none for buyers).
    #[diesel(deserialize_as = String)]
    pub rights: super::Rights,
    /// Their own manual discount limit (basis points), if set.
    pub discount_limit_bp: Option<i32>,
}

/// The columns of a `UserRow`, with the company's name.
macro_rules! user_rows {
    () => {
        users::table.left_join(companies::table).select((
            users::id,
            users::email,
            users::name,
            users::role,
            users::company_id,
            companies::name.nullable(),
            users::active,
            users::rights,
            users::discount_limit_bp,
        ))
    };
}

pub fn list_users(conn: &mut DbConn) -> Result<Vec<UserRow>> {
    Ok(user_rows!().order((users::role, users::email)).load(conn)?)
}

/// One user as the admin lists them.
pub fn user_row(conn: &mut DbConn, id: UserId) -> Result<UserRow> {
    user_rows!().filter(users::id.eq(id.0)).first(conn).map_err(Error::from_lookup)
}

/// Creates the user with no usable password and emails the link to set one;
/// returns the user and the link.
#[tracing::instrument(skip_all)]
pub fn invite(
    conn: &mut DbConn,
    email: &str,
    name: &str,
    role: Role,
    company: Option<CompanyId>,
    locale: &str,
) -> Result<(UserId, String)> {
    let email = email.trim().to_lowercase();
    if users::table.filter(users::email.eq(&email)).select(users::id).first::<i64>(conn).optional()?.is_some() {
        return Err(Error::Conflict(format!("{email} already has an account")));
    }
    if name.trim().is_empty() {
        return Err(Error::Invalid("enter the person's name".into()));
    }
    write_transaction(conn, |conn| {
        // No usable password until the link sets one.
        let id =
            NewUser { email: &email, password: "", name: name.trim(), role, company, locale }.insert_or_find(conn)?;
        let link = send_link(conn, id, LinkPurpose::Invite)?;
        Ok((id, link))
    })
}

/// Emails a fresh password link (`invite` or `password_reset`); returns the
/// link (the command line prints it for the first administrator).
#[tracing::instrument(skip_all, fields(user = %user, purpose = %purpose))]
pub fn send_link(conn: &mut DbConn, user: UserId, purpose: LinkPurpose) -> Result<String> {
    let token = random_token();
    let now = Utc::now().naive_utc();
    let expires = now + Duration::days(LINK_DAYS);
    diesel::insert_into(password_tokens::table)
        .values((
            password_tokens::token_hash.eq(hash_token(&token)),
            password_tokens::user_id.eq(user.0),
            password_tokens::purpose.eq(purpose),
            password_tokens::created_at.eq(now),
            password_tokens::expires_at.eq(expires),
        ))
        .execute(conn)?;
    let (email, name, locale): (String, String, String) =
        users::table.find(user.0).select((users::email, users::name, users::locale)).first(conn)?;
    let link = format!("{}/password/{token}", settings::public_url(conn)?);
    let args = [
        ("name", name),
        ("email", email.clone()),
        ("url", link.clone()),
        ("deadline", expires.format("%d.%m.%Y").to_string()),
    ];
    crate::mail::outbox::enqueue(conn, &email, purpose.email(), &locale, &args)?;
    Ok(link)
}

/// A password reset by an administrator: every session, API token and
/// exchange session of the user ends now (the account may be in the wrong
/// hands), and a link to set a new password is emailed.
pub fn reset(conn: &mut DbConn, user: UserId) -> Result<String> {
    write_transaction(conn, |conn| {
        User::find(conn, user)?;
        super::sessions::end_all(conn, user)?;
        send_link(conn, user, LinkPurpose::PasswordReset)
    })
}

/// Whether any administrator can sign in (a fresh production database has none).
pub fn has_admin(conn: &mut DbConn) -> Result<bool> {
    let any = users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::active.eq(true))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?;
    Ok(any.is_some())
}

#[tracing::instrument(skip_all, fields(user = %user, active = active))]
pub fn set_active(conn: &mut DbConn, user: UserId, active: bool) -> Result<()> {
    write_transaction(conn, |conn| {
        let updated = diesel::update(users::table.find(user.0)).set(users::active.eq(active)).execute(conn)?;
        if updated == 0 {
            return Err(Error::NotFound);
        }
        if !active {
            super::sessions::end_all(conn, user)?;
        }
        Ok(())
    })
}

/// The user a password link belongs to, if it is unused and unexpired.
pub fn link_user(conn: &mut DbConn, token: &str) -> Result<Option<User>> {
    let row = password_tokens::table
        .find(hash_token(token))
        .select((password_tokens::user_id, password_tokens::expires_at, password_tokens::used_at))
        .first::<(i64, NaiveDateTime, Option<NaiveDateTime>)>(conn)
        .optional()?;
    match row {
        Some((user, expires, None)) if expires > Utc::now().naive_utc() => Ok(Some(User::find(conn, UserId(user))?)),
        _ => Ok(None),
    }
}

/// Sets the password through a link, given its hash (computed beforehand,
/// off the database connection, by `password::PasswordGate::hash`). The link
/// then stops working, and every session, API token and exchange session of
/// the user ends: whoever held them before the reset holds nothing now.
pub fn set_password(conn: &mut DbConn, token: &str, new_hash: &str) -> Result<User> {
    write_transaction(conn, |conn| {
        let user = link_user(conn, token)?.ok_or(Error::NotFound)?;
        diesel::update(users::table.find(user.id.0)).set(users::password_hash.eq(new_hash)).execute(conn)?;
        diesel::update(password_tokens::table.find(hash_token(token)))
            .set(password_tokens::used_at.eq(Some(Utc::now().naive_utc())))
            .execute(conn)?;
        super::sessions::end_all(conn, user.id)?;
        Ok(user)
    })
}
