//! The order state machine, in one place: which actor may move an order from
//! which status to which. Pure; the effects of a move (releasing stock,
//! events, notifications) live in `actions`.

use super::status::OrderStatus::{self, *};
use crate::accounts::Role;
use crate::db::stored_text::stored_text_enum;

stored_text_enum! {
    /// Who acts on an order.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum Actor {
        Buyer = "buyer",
        Manager = "manager",
        Admin = "admin",
        Erp = "erp",
        /// The portal itself (reservation expiry).
        System = "system",
    }
}

impl Actor {
    pub fn of(role: Role) -> Actor {
        match role {
            Role::Buyer => Actor::Buyer,
            Role::Manager => Actor::Manager,
            Role::Admin => Actor::Admin,
            Role::Erp => Actor::Erp,
        }
    }
}

const STAFF: &[Actor] = &[Actor::Manager, Actor::Admin, Actor::Erp];
const MANAGERS: &[Actor] = &[Actor::Manager, Actor::Admin];

/// (from, to, who may) — every allowed move.
const TRANSITIONS: &[(OrderStatus, OrderStatus, &[Actor])] = &[
    // Approval of an order over the credit: it proceeds as placed (reserve,
    // invoice) or is rejected; the buyer may withdraw it.
    (AwaitingApproval, New, MANAGERS),
    (AwaitingApproval, Cancelled, &[Actor::Buyer, Actor::Manager, Actor::Admin]),
    (New, Processing, STAFF),
    (New, Reserved, STAFF),
    (New, Paid, STAFF),
    (New, Cancelled, &[Actor::Buyer, Actor::Manager, Actor::Admin, Actor::Erp]),
    (New, ReserveExpired, &[Actor::System]),
    (Processing, Reserved, STAFF),
    (Processing, Paid, STAFF),
    // Contracts with payment deferral ship before payment.
    (Processing, PartiallyShipped, STAFF),
    (Processing, Shipped, STAFF),
    (Processing, Cancelled, STAFF),
    (Processing, ReserveExpired, &[Actor::System]),
    (Reserved, Paid, STAFF),
    (Reserved, PartiallyShipped, STAFF),
    (Reserved, Shipped, STAFF),
    (Reserved, Cancelled, STAFF),
    (Reserved, ReserveExpired, &[Actor::System]),
    (ReserveExpired, Processing, STAFF),
    (ReserveExpired, Paid, STAFF),
    (ReserveExpired, Cancelled, STAFF),
    (Paid, PartiallyShipped, STAFF),
    (Paid, Shipped, STAFF),
    (Paid, Cancelled, MANAGERS),
    (PartiallyShipped, Shipped, STAFF),
    (PartiallyShipped, Cancelled, MANAGERS),
    (Shipped, Closed, &[Actor::Manager, Actor::Admin, Actor::Erp, Actor::System]),
    (Shipped, Returned, MANAGERS),
    (Closed, Returned, MANAGERS),
];

/// Whether `actor` may move an order from `from` to `to`.
pub fn can(actor: Actor, from: OrderStatus, to: OrderStatus) -> bool {
    TRANSITIONS.iter().any(|(f, t, who)| *f == from && *t == to && who.contains(&actor))
}

/// Where `actor` may move an order that is in `from`.
pub fn allowed(actor: Actor, from: OrderStatus) -> Vec<OrderStatus> {
    TRANSITIONS.iter().filter(|(f, _, who)| *f == from && who.contains(&actor)).map(|(_, t, _)| *t).collect()
}

/// Statuses in which the order holds a reservation that can lapse.
pub fn reservation_runs(status: OrderStatus) -> bool {
    matches!(status, New | Processing | Reserved)
}

/// Statuses in which an order is still being worked on.
pub fn is_open(status: OrderStatus) -> bool {
    !matches!(status, Shipped | Closed | Cancelled | Returned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_ACTORS: [Actor; 5] = [Actor::Buyer, Actor::Manager, Actor::Admin, Actor::Erp, Actor::System];

    /// The whole table, spelled out: (from, to, actors allowed).
    #[test]
    fn every_allowed_transition() {
        let expected: &[(OrderStatus, OrderStatus, &str)] = &[
            (AwaitingApproval, New, "manager admin"),
            (AwaitingApproval, Cancelled, "buyer manager admin"),
            (New, Processing, "manager admin erp"),
            (New, Reserved, "manager admin erp"),
            (New, Paid, "manager admin erp"),
            (New, Cancelled, "buyer manager admin erp"),
            (New, ReserveExpired, "system"),
            (Processing, Reserved, "manager admin erp"),
            (Processing, Paid, "manager admin erp"),
            (Processing, PartiallyShipped, "manager admin erp"),
            (Processing, Shipped, "manager admin erp"),
            (Processing, Cancelled, "manager admin erp"),
            (Processing, ReserveExpired, "system"),
            (Reserved, Paid, "manager admin erp"),
            (Reserved, PartiallyShipped, "manager admin erp"),
            (Reserved, Shipped, "manager admin erp"),
            (Reserved, Cancelled, "manager admin erp"),
            (Reserved, ReserveExpired, "system"),
            (ReserveExpired, Processing, "manager admin erp"),
            (ReserveExpired, Paid, "manager admin erp"),
            (ReserveExpired, Cancelled, "manager admin erp"),
            (Paid, PartiallyShipped, "manager admin erp"),
            (Paid, Shipped, "manager admin erp"),
            (Paid, Cancelled, "manager admin"),
            (PartiallyShipped, Shipped, "manager admin erp"),
            (PartiallyShipped, Cancelled, "manager admin"),
            (Shipped, Closed, "manager admin erp system"),
            (Shipped, Returned, "manager admin"),
            (Closed, Returned, "manager admin"),
        ];
        for &from in OrderStatus::ALL {
            for &to in OrderStatus::ALL {
                for actor in ALL_ACTORS {
                    let listed = expected
                        .iter()
                        .any(|(f, t, who)| *f == from && *t == to && who.split(' ').any(|w| w == actor.as_str()));
                    assert_eq!(can(actor, from, to), listed, "{actor:?}: {from:?} → {to:?}");
                }
            }
        }
    }

    #[test]
    fn forbidden_samples() {
        assert!(!can(Actor::Buyer, Reserved, Cancelled), "a buyer cancels only new orders");
        assert!(!can(Actor::Buyer, New, Paid));
        assert!(!can(Actor::Manager, New, ReserveExpired), "only the expiry job lapses a reserve");
        assert!(!can(Actor::Erp, Paid, Cancelled));
        assert!(!can(Actor::Admin, Cancelled, New), "cancelled is final");
        assert!(!can(Actor::Manager, Returned, Closed));
        assert!(allowed(Actor::Buyer, Paid).is_empty());
        assert_eq!(allowed(Actor::Buyer, New), vec![Cancelled]);
        assert!(!can(Actor::Buyer, AwaitingApproval, New), "a buyer cannot approve their own order");
        assert!(!can(Actor::Erp, AwaitingApproval, New), "approval is a manager's");
    }
}
