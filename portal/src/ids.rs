//! The ids the domain passes around, each its own type (see
//! `db::stored_id`): an order's id cannot be handed where a cart's is wanted,
//! and `Scope` says whose orders by company and user id, not by bare numbers.

use crate::db::stored_id::stored_id;

stored_id! {
    /// A user (buyer, manager, admin or the ERP's machine user).
    pub struct UserId;
}

stored_id! {
    /// A customer company.
    pub struct CompanyId;
}

stored_id! {
    /// An order (its number is `Order::number`).
    pub struct OrderId;
}

stored_id! {
    /// One of a user's carts.
    pub struct CartId;
}

stored_id! {
    /// An offer: a product's sellable variant with its price and stock.
    pub struct OfferId;
}
