//! Browser sessions stored in the database, so they survive a restart and work
//! across instances. The cookie holds a random token; only its SHA-256 is
//! stored. Each session carries its own CSRF token for forms.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{User, UserId};
use crate::db::schema::sessions;
use crate::db::DbConn;
use crate::error::Result;
use crate::{hash_token, random_token};

/// How long a session lasts after login.
pub const SESSION_DAYS: i64 = 14;

/// A live session: its user and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

/// Starts a session for `user`; returns the token for the cookie.
pub fn create(conn: &mut DbConn, user: UserId) -> Result<String> {
    let token = random_token();
    let now = Utc::now().naive_utc();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(hash_token(&token)),
            sessions::user_id.eq(user.0),
            sessions::csrf_token.eq(random_token()),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + Duration::days(SESSION_DAYS)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The session behind a cookie token, if it exists, has not expired and its
/// user is still active.
pub fn lookup(conn: &mut DbConn, token: &str) -> Result<Option<Session>> {
    let row = sessions::table
        .find(hash_token(token))
        .select((sessions::user_id, sessions::csrf_token, sessions::expires_at))
        .first::<(i64, String, NaiveDateTime)>(conn)
        .optional()?;
    let Some((user_id, csrf_token, expires_at)) = row else {
        return Ok(None);
    };
    if expires_at <= Utc::now().naive_utc() {
        return Ok(None);
    }
    let user = User::find(conn, UserId(user_id))?;
    Ok(user.active.then_some(Session { user, csrf_token }))
}

/// Ends a session (logout).
pub fn delete(conn: &mut DbConn, token: &str) -> Result<()> {
    diesel::delete(sessions::table.find(hash_token(token))).execute(conn)?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub fn purge_expired(conn: &mut DbConn) -> Result<usize> {
    let now = Utc::now().naive_utc();
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?)
}
