//! In-cabinet notifications: a feed per user with unread marks. Written in
//! the same transaction as the change they announce, in the recipient's
//! language.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::UserId;
use crate::db::schema::{notifications, users};
use crate::db::DbConn;
use crate::error::Result;
use crate::i18n;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub order_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// Queues a notification for `user`: title and body from the message catalog
/// keys `notify.{kind}_title` / `notify.{kind}_body`, in the user's language.
pub fn notify(
    conn: &mut DbConn,
    user: UserId,
    order_id: Option<i64>,
    kind: &str,
    args: &[(&str, String)],
) -> Result<()> {
    let locale: String = users::table.find(user.0).select(users::locale).first(conn)?;
    diesel::insert_into(notifications::table)
        .values((
            notifications::user_id.eq(user.0),
            notifications::order_id.eq(order_id),
            notifications::kind.eq(kind),
            notifications::title.eq(i18n::text(&locale, &format!("notify.{kind}_title"), args)),
            notifications::body.eq(i18n::text(&locale, &format!("notify.{kind}_body"), args)),
            notifications::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user's latest notifications, newest first.
pub fn latest(conn: &mut DbConn, user: UserId, limit: i64) -> Result<Vec<Notification>> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user.0))
        .order(notifications::id.desc())
        .limit(limit)
        .select(Notification::as_select())
        .load(conn)?)
}

pub fn unread_count(conn: &mut DbConn, user: UserId) -> Result<i64> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user.0))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}
