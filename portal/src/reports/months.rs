//! The monthly sums beside the sales facts: `sales_month_offer_facts` (per
//! month, company and offer) and `sales_month_category_facts` (per month,
//! company and category, with the number of orders that had lines in it —
//! an order has one company and one month, so these counts add up across
//! both). A report over a year reads its whole months from here, a few sums
//! per company instead of every line. `facts::refresh` notes the company
//! months its changed orders touch (before and after) and `redo` sums those
//! again from the facts.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::period::{month_key, month_start, next_month};
use crate::db::schema::{
    orders, sales_category_facts, sales_facts, sales_month_category_facts, sales_month_offer_facts,
};
use crate::db::DbConn;
use crate::error::Result;
use crate::per_backend;

/// Companies touched per month (`yyyymm`).
#[derive(Debug, Default)]
pub struct Touched(BTreeMap<i64, BTreeSet<i64>>);

/// Companies per statement: well within SQLite's bound on variables.
const COMPANIES_AT_ONCE: usize = 500;
/// Rows per insert (six columns each).
const ROWS_AT_ONCE: usize = 2_000;

impl Touched {
    /// Notes the company months of the facts now held for the orders
    /// changed since `since`.
    pub fn note_facts_of_orders_since(&mut self, conn: &mut DbConn, since: NaiveDateTime) -> Result<()> {
        let changed = orders::table.filter(orders::updated_at.ge(since)).select(orders::id);
        let held: Vec<(i64, NaiveDateTime)> = sales_category_facts::table
            .filter(sales_category_facts::order_id.eq_any(changed))
            .select((sales_category_facts::company_id, sales_category_facts::placed_at))
            .distinct()
            .load(conn)?;
        for (company, placed_at) in held {
            self.0.entry(month_key(placed_at.date())).or_default().insert(company);
        }
        Ok(())
    }

    /// Sums the touched company months again from the facts; returns how
    /// many company months were redone.
    pub fn redo(self, conn: &mut DbConn) -> Result<usize> {
        let mut redone = 0;
        for (month, companies) in self.0 {
            let start = month_start(month).and_hms_opt(0, 0, 0).unwrap_or_default();
            let end = next_month(month_start(month)).and_hms_opt(0, 0, 0).unwrap_or_default();
            let companies: Vec<i64> = companies.into_iter().collect();
            for chunk in companies.chunks(COMPANIES_AT_ONCE) {
                redo_offers(conn, month, (start, end), chunk)?;
                redo_categories(conn, month, (start, end), chunk)?;
                redone += chunk.len();
            }
        }
        Ok(redone)
    }
}

fn redo_offers(
    conn: &mut DbConn,
    month: i64,
    (start, end): (NaiveDateTime, NaiveDateTime),
    companies: &[i64],
) -> Result<()> {
    diesel::delete(
        sales_month_offer_facts::table
            .filter(sales_month_offer_facts::month.eq(month))
            .filter(sales_month_offer_facts::company_id.eq_any(companies)),
    )
    .execute(conn)?;
    let lines: Vec<(i64, i64, i64, i64)> = sales_facts::table
        .filter(sales_facts::placed_at.ge(start))
        .filter(sales_facts::placed_at.lt(end))
        .filter(sales_facts::company_id.eq_any(companies))
        .select((sales_facts::company_id, sales_facts::offer_id, sales_facts::quantity, sales_facts::amount_minor))
        .load(conn)?;
    let mut sums: HashMap<(i64, i64), (i64, i64)> = HashMap::new();
    for (company, offer, quantity, amount) in lines {
        let sum = sums.entry((company, offer)).or_default();
        sum.0 += quantity;
        sum.1 += amount;
    }
    let rows: Vec<_> = sums
        .into_iter()
        .map(|((company, offer), (quantity, amount))| {
            (
                sales_month_offer_facts::month.eq(month),
                sales_month_offer_facts::company_id.eq(company),
                sales_month_offer_facts::offer_id.eq(offer),
                sales_month_offer_facts::quantity.eq(quantity),
                sales_month_offer_facts::amount_minor.eq(amount),
            )
        })
        .collect();
    for chunk in rows.chunks(ROWS_AT_ONCE) {
        per_backend!(conn, |c| diesel::insert_into(sales_month_offer_facts::table).values(chunk).execute(c))?;
    }
    Ok(())
}

fn redo_categories(
    conn: &mut DbConn,
    month: i64,
    (start, end): (NaiveDateTime, NaiveDateTime),
    companies: &[i64],
) -> Result<()> {
    diesel::delete(
        sales_month_category_facts::table
            .filter(sales_month_category_facts::month.eq(month))
            .filter(sales_month_category_facts::company_id.eq_any(companies)),
    )
    .execute(conn)?;
    // One row per order and category: counting rows counts orders.
    let per_order: Vec<(i64, i64, i64, i64)> = sales_category_facts::table
        .filter(sales_category_facts::placed_at.ge(start))
        .filter(sales_category_facts::placed_at.lt(end))
        .filter(sales_category_facts::company_id.eq_any(companies))
        .select((
            sales_category_facts::company_id,
            sales_category_facts::category_id,
            sales_category_facts::quantity,
            sales_category_facts::amount_minor,
        ))
        .load(conn)?;
    let mut sums: HashMap<(i64, i64), (i64, i64, i64)> = HashMap::new();
    for (company, category, quantity, amount) in per_order {
        let sum = sums.entry((company, category)).or_default();
        sum.0 += 1;
        sum.1 += quantity;
        sum.2 += amount;
    }
    let rows: Vec<_> = sums
        .into_iter()
        .map(|((company, category), (orders, quantity, amount))| {
            (
                sales_month_category_facts::month.eq(month),
                sales_month_category_facts::company_id.eq(company),
                sales_month_category_facts::category_id.eq(category),
                sales_month_category_facts::orders.eq(orders),
                sales_month_category_facts::quantity.eq(quantity),
                sales_month_category_facts::amount_minor.eq(amount),
            )
        })
        .collect();
    for chunk in rows.chunks(ROWS_AT_ONCE) {
        per_backend!(conn, |c| diesel::insert_into(sales_month_category_facts::table).values(chunk).execute(c))?;
    }
    Ok(())
}
