//! Browser sessions stored in the database, so they survive a restart and work
//! across instances. The cookie holds a random token; only its SHA-256 is
//! stored. Each session carries its own CSRF token for forms. A session ends
//! at its absolute expiry or after a period without use, whichever is first.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{User, UserId};
use crate::db::schema::{api_tokens, exchange_sessions, sessions};
use crate::db::DbConn;
use crate::error::Result;
use crate::{hash_token, random_token};

/// How long sessions last: in all, and without use.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// From login to the absolute end.
    pub lifetime: Duration,
    /// Without a request, the session ends after this long.
    pub idle: Duration,
}

impl Default for SessionPolicy {
    fn default() -> SessionPolicy {
        SessionPolicy { lifetime: Duration::days(14), idle: Duration::hours(12) }
    }
}

/// `last_seen_at` is written at most this often, not on every request.
const SEEN_RESOLUTION_SECONDS: i64 = 60;

/// A live session: its user and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

/// Starts a session for `user`; returns the token for the cookie.
pub fn create(conn: &mut DbConn, user: UserId, policy: SessionPolicy) -> Result<String> {
    let token = random_token();
    let now = Utc::now().naive_utc();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(hash_token(&token)),
            sessions::user_id.eq(user.0),
            sessions::csrf_token.eq(random_token()),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + policy.lifetime),
            sessions::last_seen_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The session behind a cookie token, if it exists, has neither expired nor
/// been idle too long, and its user may still sign in. Refreshes the
/// session's last use.
pub fn lookup(conn: &mut DbConn, token: &str, policy: SessionPolicy) -> Result<Option<Session>> {
    let hash = hash_token(token);
    let row = sessions::table
        .find(&hash)
        .select((
            sessions::user_id,
            sessions::csrf_token,
            sessions::created_at,
            sessions::expires_at,
            sessions::last_seen_at,
        ))
        .first::<(i64, String, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>)>(conn)
        .optional()?;
    let Some((user_id, csrf_token, created_at, expires_at, last_seen_at)) = row else {
        return Ok(None);
    };
    let now = Utc::now().naive_utc();
    let last_seen = last_seen_at.unwrap_or(created_at);
    if expires_at <= now || last_seen + policy.idle <= now {
        diesel::delete(sessions::table.find(&hash)).execute(conn)?;
        return Ok(None);
    }
    let Some(user) = User::find_allowed(conn, UserId(user_id))? else {
        return Ok(None);
    };
    if (now - last_seen).num_seconds() >= SEEN_RESOLUTION_SECONDS {
        diesel::update(sessions::table.find(&hash)).set(sessions::last_seen_at.eq(Some(now))).execute(conn)?;
    }
    Ok(Some(Session { user, csrf_token }))
}

/// Ends a session (logout).
pub fn delete(conn: &mut DbConn, token: &str) -> Result<()> {
    diesel::delete(sessions::table.find(hash_token(token))).execute(conn)?;
    Ok(())
}

/// Ends every credential of a user at once: browser sessions, API tokens and
/// 1C exchange sessions (on a password change or reset, and on disabling).
pub fn end_all(conn: &mut DbConn, user: UserId) -> Result<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user.0))).execute(conn)?
        + diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(user.0))).execute(conn)?
        + diesel::delete(exchange_sessions::table.filter(exchange_sessions::user_id.eq(user.0))).execute(conn)?)
}

/// Removes sessions past their absolute expiry; returns how many. (Idle
/// ones are refused and removed when next presented, and are gone by their
/// absolute expiry at the latest.)
pub fn purge_expired(conn: &mut DbConn) -> Result<usize> {
    let now = Utc::now().naive_utc();
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?)
}
