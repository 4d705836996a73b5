//! What a member of the supplier's staff may do beyond their role: cancel
//! orders, give manual discounts (up to their own limit), extend
//! reservations, record payments, manage users. An administrator grants them
//! per person (`users.rights`); the state machine's transitions stay the
//! role's.
//!
//! A right is used through a `Granted`, which only `User::grant` makes: the
//! web layer's guard types (`web::session::WithRight`, the API's `May…`
//! schemes) ask for one before the handler runs, and the domain operations
//! that need a right take it (through `ActedBy::granted`), so the order's
//! history records which right was used. The ERP's machine account holds a
//! fixed set (it reports cancellations and payments); buyers hold none.

use diesel::prelude::*;

use super::{Role, User, UserId};
use crate::db::schema::users;
use crate::db::stored_text::stored_text_enum;
use crate::db::DbConn;
use crate::error::{Error, Result};

stored_text_enum! {
    /// One thing a member of staff may be allowed to do.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum Right {
        /// Cancel an order (a rejection over the credit limit is the approval's, not this).
        CancelOrders = "cancel_orders",
        /// Give a manual discount on an order line, up to the person's limit.
        ManualDiscounts = "manual_discounts",
        /// Move a reservation's deadline.
        ExtendReservations = "extend_reservations",
        /// Record a payment against an order.
        RecordPayments = "record_payments",
        /// Invite, disable and reset users and grant rights (administrators only).
        ManageUsers = "manage_users",
    }
}

/// The rights a manager is given when invited (and had before rights were
/// set per person); an administrator also manages users.
pub const MANAGER_DEFAULT: &[Right] =
    &[Right::CancelOrders, Right::ManualDiscounts, Right::ExtendReservations, Right::RecordPayments];

/// What the ERP's account may always do: report cancellations and payments.
const ERP_FIXED: &[Right] = &[Right::CancelOrders, Right::RecordPayments];

/// A set of rights, stored as their texts separated by spaces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(into = "Vec<Right>")]
pub struct Rights(u8);

impl Rights {
    fn bit(right: Right) -> u8 {
        1 << Right::ALL.iter().position(|r| *r == right).unwrap_or(0)
    }

    pub fn of(rights: &[Right]) -> Rights {
        Rights(rights.iter().fold(0, |set, r| set | Rights::bit(*r)))
    }

    /// What a newly invited user of this role holds.
    pub fn default_for(role: Role) -> Rights {
        match role {
            Role::Admin => Rights::of(Right::ALL),
            Role::Manager => Rights::of(MANAGER_DEFAULT),
            Role::Buyer | Role::Erp => Rights::default(),
        }
    }

    /// Reads the stored text; names it does not know are skipped (a right
    /// removed from the product is simply no longer held).
    pub fn parse(stored: &str) -> Rights {
        Rights::of(&stored.split_whitespace().filter_map(Right::parse).collect::<Vec<_>>())
    }

    pub fn stored(self) -> String {
        self.list().iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")
    }

    pub fn has(self, right: Right) -> bool {
        self.0 & Rights::bit(right) != 0
    }

    /// The rights held, in the enum's order.
    pub fn list(self) -> Vec<Right> {
        Right::ALL.iter().copied().filter(|r| self.has(*r)).collect()
    }
}

impl From<String> for Rights {
    fn from(stored: String) -> Rights {
        Rights::parse(&stored)
    }
}

impl From<Rights> for Vec<Right> {
    fn from(rights: Rights) -> Vec<Right> {
        rights.list()
    }
}

/// Proof that a user holds a right, made only by `User::grant`; the
/// operations that need a right take it.
#[derive(Debug, Clone, Copy)]
pub struct Granted {
    right: Right,
    user: UserId,
    role: Role,
    discount_limit_bp: Option<i32>,
}

impl Granted {
    pub fn right(&self) -> Right {
        self.right
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The person's own manual discount limit, if the administrator set one.
    pub fn discount_limit_bp(&self) -> Option<i32> {
        self.discount_limit_bp
    }
}

impl User {
    /// The rights this user holds now.
    pub fn rights(&self) -> Rights {
        match self.role {
            Role::Erp => Rights::of(ERP_FIXED),
            Role::Buyer => Rights::default(),
            Role::Manager | Role::Admin => self.rights,
        }
    }

    /// The proof that this user may use `right`, or `Forbidden`.
    pub fn grant(&self, right: Right) -> Result<Granted> {
        let staff_only = right == Right::ManageUsers && self.role != Role::Admin;
        if !self.rights().has(right) || staff_only {
            return Err(Error::Forbidden);
        }
        Ok(Granted { right, user: self.id, role: self.role, discount_limit_bp: self.discount_limit_bp })
    }
}

/// What an administrator sets for one member of staff.
#[derive(Debug, Clone)]
pub struct RightsChange {
    pub rights: Vec<Right>,
    /// Basis points (1500 = 15 %); `None` = the setting's limit for managers,
    /// none for administrators.
    pub discount_limit_bp: Option<i32>,
}

/// Sets a staff member's rights. Refused (`Invalid`): a buyer or the ERP's
/// account, managing users given to a manager (who could then make
/// administrators), an administrator taking it from themselves (the portal
/// would be left with nobody to manage users), a limit outside 0–100 %.
pub fn set(conn: &mut DbConn, by: &Granted, user: UserId, change: &RightsChange) -> Result<()> {
    debug_assert_eq!(by.right, Right::ManageUsers);
    if let Some(limit) = change.discount_limit_bp {
        if !(0..=10_000).contains(&limit) {
            return Err(Error::Invalid("a discount limit is between 0 and 100 %".into()));
        }
    }
    let role = users::table.find(user.0).select(users::role).first::<Role>(conn).map_err(Error::from_lookup)?;
    let rights = Rights::of(&change.rights);
    match role {
        Role::Buyer | Role::Erp => {
            return Err(Error::Invalid("rights are given to managers and administrators only".into()))
        }
        Role::Manager if rights.has(Right::ManageUsers) => {
            return Err(Error::Invalid("only administrators may manage users".into()))
        }
        _ => {}
    }
    if user == by.user && !rights.has(Right::ManageUsers) {
        return Err(Error::Invalid("you cannot take managing users from yourself".into()));
    }
    diesel::update(users::table.find(user.0))
        .set((users::rights.eq(rights.stored()), users::discount_limit_bp.eq(change.discount_limit_bp)))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_are_the_stored_texts() {
        crate::db::stored_text::assert_api_names_match(Right::ALL, |r| r.as_str());
    }

    #[test]
    fn rights_round_trip_through_their_stored_text() {
        let rights = Rights::of(&[Right::RecordPayments, Right::CancelOrders]);
        assert_eq!(rights.stored(), "cancel_orders record_payments");
        assert_eq!(Rights::parse(&rights.stored()), rights);
        assert_eq!(Rights::parse("  cancel_orders  retired_right "), Rights::of(&[Right::CancelOrders]));
        assert!(Rights::default_for(Role::Admin).has(Right::ManageUsers));
        assert!(!Rights::default_for(Role::Manager).has(Right::ManageUsers));
        assert_eq!(Rights::default_for(Role::Buyer).list(), vec![]);
    }

    #[test]
    fn only_a_right_held_is_granted() {
        let mut user = User {
            id: UserId(7),
            email: "m@x".into(),
            name: "M".into(),
            role: Role::Manager,
            company_id: None,
            locale: "ru".into(),
            active: true,
            rights: Rights::of(&[Right::ExtendReservations]),
            discount_limit_bp: Some(500),
        };
        assert!(user.grant(Right::ExtendReservations).is_ok());
        assert!(matches!(user.grant(Right::CancelOrders), Err(Error::Forbidden)));
        user.role = Role::Buyer;
        assert!(matches!(user.grant(Right::ExtendReservations), Err(Error::Forbidden)), "buyers hold no rights");
        user.role = Role::Erp;
        assert!(user.grant(Right::RecordPayments).is_ok(), "the ERP reports payments");
        assert!(matches!(user.grant(Right::ManualDiscounts), Err(Error::Forbidden)));
    }
}
