//! The order's history: every change is an appended event with who, when,
//! from/to status, a comment and before/after details. Events are never
//! updated or deleted.

use chrono::Utc;
use diesel::prelude::*;

use super::lifecycle::Actor;
use super::status::OrderStatus;
use crate::accounts::{Granted, Right, Role, UserId};
use crate::db::schema::order_events;
use crate::db::stored_text::stored_text_enum;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::OrderId;

stored_text_enum! {
    /// What happened to an order (the label is `event.{kind}` in the catalogs).
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum EventKind {
        Placed = "placed",
        StatusChanged = "status_changed",
        ReservationLapsing = "reservation_lapsing",
        ReservationExpired = "reservation_expired",
        DeadlineExtended = "deadline_extended",
        LineReleased = "line_released",
        ReReserved = "re_reserved",
        Shipment = "shipment",
        Payment = "payment",
        /// An order channel took the order's current version.
        Delivered = "delivered",
        /// The ERP took the order under its own number.
        ErpAcknowledged = "erp_acknowledged",
        /// A manager gave a discount on a line (within their limit).
        ManualDiscount = "manual_discount",
    }
}

/// Who did something, for events and permissions, and the right they used
/// (which only a `Granted` puts here).
#[derive(Debug, Clone, Copy)]
pub struct ActedBy {
    pub actor: Actor,
    pub user: Option<UserId>,
    right: Option<Right>,
}

impl ActedBy {
    pub const fn system() -> ActedBy {
        ActedBy { actor: Actor::System, user: None, right: None }
    }

    /// The ERP, reporting through an exchange file or its channel.
    pub const fn erp() -> ActedBy {
        ActedBy { actor: Actor::Erp, user: None, right: None }
    }

    pub fn user(user: &crate::accounts::User) -> ActedBy {
        ActedBy { actor: Actor::of(user.role), user: Some(user.id), right: None }
    }

    /// A person using a right they were granted.
    pub fn granted(granted: &Granted) -> ActedBy {
        ActedBy { actor: Actor::of(granted.role()), user: Some(granted.user()), right: Some(granted.right()) }
    }

    /// Who moves an order to `to`: a manager or administrator cancelling
    /// brings their right to, if they hold it (`actions::transition` refuses
    /// a cancellation without it, a rejection over the credit limit aside);
    /// any other move is the role's, as the state machine says.
    pub fn moving(user: &crate::accounts::User, to: OrderStatus) -> ActedBy {
        let person = matches!(user.role, Role::Manager | Role::Admin);
        match user.grant(Right::CancelOrders) {
            Ok(granted) if person && to == OrderStatus::Cancelled => ActedBy::granted(&granted),
            _ => ActedBy::user(user),
        }
    }

    /// The same actor, not using a right (a move the right is not needed for).
    pub fn without_right(self) -> ActedBy {
        ActedBy { right: None, ..self }
    }

    pub fn right(&self) -> Option<Right> {
        self.right
    }

    /// Whether this actor may do what needs `right`: a manager or
    /// administrator must have used it; the ERP and the system act on the
    /// supplier's behalf; a buyer never may.
    pub fn require(&self, right: Right) -> Result<()> {
        match self.actor {
            Actor::System | Actor::Erp => Ok(()),
            Actor::Manager | Actor::Admin if self.right == Some(right) => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }
}

/// Appends one event to an order's history.
pub fn record(
    conn: &mut DbConn,
    order_id: OrderId,
    by: ActedBy,
    kind: EventKind,
    status: (Option<OrderStatus>, Option<OrderStatus>),
    comment: &str,
    details: serde_json::Value,
) -> Result<()> {
    diesel::insert_into(order_events::table)
        .values((
            order_events::order_id.eq(order_id),
            order_events::at.eq(Utc::now().naive_utc()),
            order_events::actor.eq(by.actor),
            order_events::actor_user_id.eq(by.user.map(|u| u.0)),
            order_events::kind.eq(kind),
            order_events::from_status.eq(status.0),
            order_events::to_status.eq(status.1),
            order_events::comment.eq(comment.trim()),
            order_events::details.eq(details.to_string()),
            order_events::right_used.eq(by.right),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::EventKind;

    #[test]
    fn api_names_are_the_stored_texts() {
        crate::db::stored_text::assert_api_names_match(EventKind::ALL, |k| k.as_str());
    }
}
