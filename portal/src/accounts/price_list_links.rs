//! A buyer's permanent, revocable link to their price list, for their own
//! systems to fetch nightly without signing in. One per user: a new link
//! replaces the old. Only the token's SHA-256 is stored; the link is shown
//! once, when made. It works while its user may sign in.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Role, User, UserId};
use crate::db::schema::price_list_links;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::{hash_token, random_token};

/// When the user's link was made and last fetched.
#[derive(Debug, Clone, Copy)]
pub struct LinkState {
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
}

/// Makes a new link for a buyer (replacing theirs); returns its token.
pub fn create(conn: &mut DbConn, user: &User) -> Result<String> {
    if user.role != Role::Buyer {
        return Err(Error::Forbidden);
    }
    let token = random_token();
    crate::db::write_transaction(conn, |conn| {
        diesel::delete(price_list_links::table.filter(price_list_links::user_id.eq(user.id.0))).execute(conn)?;
        diesel::insert_into(price_list_links::table)
            .values((
                price_list_links::token_hash.eq(hash_token(&token)),
                price_list_links::user_id.eq(user.id.0),
                price_list_links::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    Ok(token)
}

/// The address a link's token is served at (the .xlsx; `.csv` for CSV).
pub fn url(conn: &mut DbConn, token: &str) -> Result<String> {
    Ok(format!("{}/price-list/{token}/price-list.xlsx", crate::settings::public_url(conn)?))
}

/// Revokes the user's link (nothing when there is none).
pub fn revoke(conn: &mut DbConn, user: UserId) -> Result<()> {
    diesel::delete(price_list_links::table.filter(price_list_links::user_id.eq(user.0))).execute(conn)?;
    Ok(())
}

/// The user's link, if they have one.
pub fn state(conn: &mut DbConn, user: UserId) -> Result<Option<LinkState>> {
    Ok(price_list_links::table
        .filter(price_list_links::user_id.eq(user.0))
        .select((price_list_links::created_at, price_list_links::last_used_at))
        .first::<(NaiveDateTime, Option<NaiveDateTime>)>(conn)
        .optional()?
        .map(|(created_at, last_used_at)| LinkState { created_at, last_used_at }))
}

/// The user a link's token belongs to (while they may sign in); notes the use.
pub fn user_for(conn: &mut DbConn, token: &str) -> Result<Option<User>> {
    let hash = hash_token(token);
    let Some(user_id) =
        price_list_links::table.find(&hash).select(price_list_links::user_id).first::<i64>(conn).optional()?
    else {
        return Ok(None);
    };
    diesel::update(price_list_links::table.find(&hash))
        .set(price_list_links::last_used_at.eq(Some(Utc::now().naive_utc())))
        .execute(conn)?;
    User::find_allowed(conn, UserId(user_id))
}
