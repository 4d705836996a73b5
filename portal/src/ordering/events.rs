//! The order's history: every change is an appended event with who, when,
//! from/to status, a comment and before/after details. Events are never
//! updated or deleted.

use chrono::Utc;
use diesel::prelude::*;

use super::lifecycle::Actor;
use super::status::OrderStatus;
use crate::accounts::UserId;
use crate::db::schema::order_events;
use crate::db::DbConn;
use crate::error::Result;

/// Who did something, for events and permissions.
#[derive(Debug, Clone, Copy)]
pub struct ActedBy {
    pub actor: Actor,
    pub user: Option<UserId>,
}

impl ActedBy {
    pub fn system() -> ActedBy {
        ActedBy { actor: Actor::System, user: None }
    }

    pub fn user(user: &crate::accounts::User) -> ActedBy {
        ActedBy { actor: Actor::of(user.role), user: Some(user.id) }
    }
}

/// Appends one event to an order's history.
pub fn record(
    conn: &mut DbConn,
    order_id: i64,
    by: ActedBy,
    kind: &str,
    status: (Option<OrderStatus>, Option<OrderStatus>),
    comment: &str,
    details: serde_json::Value,
) -> Result<()> {
    diesel::insert_into(order_events::table)
        .values((
            order_events::order_id.eq(order_id),
            order_events::at.eq(Utc::now().naive_utc()),
            order_events::actor.eq(by.actor.as_str()),
            order_events::actor_user_id.eq(by.user.map(|u| u.0)),
            order_events::kind.eq(kind),
            order_events::from_status.eq(status.0.map(|s| s.as_str())),
            order_events::to_status.eq(status.1.map(|s| s.as_str())),
            order_events::comment.eq(comment.trim()),
            order_events::details.eq(details.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}
