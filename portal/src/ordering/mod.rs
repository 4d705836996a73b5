//! Ordering: the quantity-rule engine, carts, the multi-line report behind
//! quick order / file upload / reorder, checkout with reservations, and
//! reading orders back. Everything a buyer puts into a cart passes `rules`.

pub mod actions;
pub mod cart_edits;
pub mod cart_view;
pub mod carts;
pub mod channels;
pub mod checkout;
pub mod customer_codes;
pub mod dashboard;
pub mod events;
pub mod expiry;
pub mod export;
pub mod fulfilment;
pub mod lifecycle;
pub mod manual_discount;
pub mod offer_facts;
pub mod on_behalf;
pub mod order_card;
pub mod orders;
pub mod pick_list;
pub mod reorder;
pub mod report;
pub mod reservations;
pub mod rules;
pub mod status;
pub mod status_names;
pub mod upload;
pub mod uploads;
