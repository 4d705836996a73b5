//! API bearer tokens for machine users and integrations. Like sessions, only
//! the SHA-256 of a token is stored; the token itself is shown once.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{User, UserId};
use crate::db::schema::api_tokens;
use crate::db::DbConn;
use crate::error::Result;
use crate::{hash_token, random_token};

/// How long an API token is valid.
pub const TOKEN_DAYS: i64 = 30;

/// A freshly issued token and when it expires.
pub struct IssuedToken {
    pub token: String,
    pub expires_at: NaiveDateTime,
}

pub fn issue(conn: &mut DbConn, user: UserId) -> Result<IssuedToken> {
    issue_with_lifetime(conn, user, Duration::days(TOKEN_DAYS))
}

/// Issues a token valid for `lifetime` (tests use a negative one to make an
/// expired token).
pub fn issue_with_lifetime(conn: &mut DbConn, user: UserId, lifetime: Duration) -> Result<IssuedToken> {
    let token = random_token();
    let now = Utc::now().naive_utc();
    let expires_at = now + lifetime;
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_hash.eq(hash_token(&token)),
            api_tokens::user_id.eq(user.0),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(IssuedToken { token, expires_at })
}

/// The active user a token belongs to, if the token is known and unexpired.
pub fn lookup(conn: &mut DbConn, token: &str) -> Result<Option<User>> {
    Ok(lookup_with_expiry(conn, token)?.map(|(user, _)| user))
}

/// The active user a token belongs to and when the token expires, if it is
/// known and unexpired.
pub fn lookup_with_expiry(conn: &mut DbConn, token: &str) -> Result<Option<(User, NaiveDateTime)>> {
    let row = api_tokens::table
        .find(hash_token(token))
        .select((api_tokens::user_id, api_tokens::expires_at))
        .first::<(i64, NaiveDateTime)>(conn)
        .optional()?;
    let Some((user_id, expires_at)) = row else {
        return Ok(None);
    };
    if expires_at <= Utc::now().naive_utc() {
        return Ok(None);
    }
    Ok(User::find_allowed(conn, UserId(user_id))?.map(|user| (user, expires_at)))
}

/// Removes expired tokens; returns how many.
pub fn purge_expired(conn: &mut DbConn) -> Result<usize> {
    let now = Utc::now().naive_utc();
    Ok(diesel::delete(api_tokens::table.filter(api_tokens::expires_at.le(now))).execute(conn)?)
}
