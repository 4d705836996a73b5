//! Reports for the supplier's staff, each over the orders in the reader's
//! `Scope` (a manager sees only the companies they manage): sales by month,
//! customer, manager or category, the top products, the customers who
//! bought a category, lapsed reservations and backorders (`sales`, reading
//! `facts` for lines, their monthly sums in `months` and both through
//! `sums`, over a `period`), customers who stopped buying (`lapsed`), and
//! their spreadsheet (`xlsx`).

pub mod facts;
pub mod lapsed;
pub mod months;
pub mod period;
pub mod sales;
pub mod sums;
pub mod tables;
pub mod xlsx;
