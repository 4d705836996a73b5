//! 1C exchange sessions: what `checkauth` on `/exchange/1c` opens. Unlike API
//! tokens they last hours, not days, and work only on the exchange endpoint.
//! Only the SHA-256 of the token is stored; expired ones are purged by the
//! `purge-credentials` job.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Role, User, UserId};
use crate::db::schema::exchange_sessions;
use crate::db::DbConn;
use crate::error::Result;
use crate::{hash_token, random_token};

/// How long an exchange session works by default.
pub const DEFAULT_HOURS: i64 = 4;

/// Whether a user may exchange data with the ERP: the ERP's machine user,
/// and administrators (who set the exchange up and test it).
pub fn may_exchange(user: &User) -> bool {
    matches!(user.role, Role::Erp | Role::Admin)
}

/// Opens an exchange session for `user`; returns its token.
pub fn open(conn: &mut DbConn, user: UserId, lifetime: Duration) -> Result<String> {
    let token = random_token();
    let now = Utc::now().naive_utc();
    diesel::insert_into(exchange_sessions::table)
        .values((
            exchange_sessions::token_hash.eq(hash_token(&token)),
            exchange_sessions::user_id.eq(user.0),
            exchange_sessions::created_at.eq(now),
            exchange_sessions::expires_at.eq(now + lifetime),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The exchange user behind a session token, if the session is unexpired and
/// the user may still exchange.
pub fn lookup(conn: &mut DbConn, token: &str) -> Result<Option<User>> {
    let row = exchange_sessions::table
        .find(hash_token(token))
        .select((exchange_sessions::user_id, exchange_sessions::expires_at))
        .first::<(i64, NaiveDateTime)>(conn)
        .optional()?;
    let Some((user_id, expires_at)) = row else {
        return Ok(None);
    };
    if expires_at <= Utc::now().naive_utc() {
        return Ok(None);
    }
    let user = User::find(conn, UserId(user_id))?;
    Ok((user.active && may_exchange(&user)).then_some(user))
}

/// Sets a session's expiry (tests use it to make one that has lapsed).
pub fn set_expiry(conn: &mut DbConn, token: &str, expires_at: NaiveDateTime) -> Result<usize> {
    Ok(diesel::update(exchange_sessions::table.find(hash_token(token)))
        .set(exchange_sessions::expires_at.eq(expires_at))
        .execute(conn)?)
}

/// Removes expired exchange sessions; returns how many.
pub fn purge_expired(conn: &mut DbConn) -> Result<usize> {
    let now = Utc::now().naive_utc();
    Ok(diesel::delete(exchange_sessions::table.filter(exchange_sessions::expires_at.le(now))).execute(conn)?)
}
