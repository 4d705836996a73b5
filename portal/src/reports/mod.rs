//! Reports for the supplier's staff, each over the orders in the reader's
//! `Scope` (a manager sees only the companies they manage): customers who
//! stopped buying (`lapsed`).

pub mod lapsed;
