//! The monthly sums beside the sales facts: `sales_month_offer_facts` (per
//! offer, month and company, kept in that order so a report sums each
//! offer's months without sorting) and `sales_month_category_facts` (per
//! month, company and category, with the number of orders that had lines in
//! it — an order has one company and one month, so these counts add up
//! across both). A report over a year reads its whole months from here.
//! `facts::refresh` notes the facts of its changed orders before and after
//! it redoes them (`Touched`), and `redo` sums each company month they
//! touch again from the facts.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::period::{month_key, month_start, next_month};
use crate::db::schema::{
    orders, sales_category_facts, sales_facts, sales_month_category_facts, sales_month_offer_facts,
};
use crate::db::DbConn;
use crate::error::Result;
use crate::per_backend;

/// The company months touched by changed orders (`yyyymm` → company → the
/// offers of those orders' facts, before and after): only those offers'
/// sums can have moved, so only their rows are deleted and written again.
#[derive(Debug, Default)]
pub struct Touched {
    months: BTreeMap<i64, BTreeMap<i64, BTreeSet<i64>>>,
    /// The sums were emptied: every company month is written whole.
    whole: bool,
}

/// Companies per statement: well within SQLite's bound on variables.
const COMPANIES_AT_ONCE: usize = 500;
/// Offers per delete statement.
const OFFERS_AT_ONCE: usize = 1_000;
/// Rows per insert (six columns at most).
const ROWS_AT_ONCE: usize = 2_000;

/// Per company and offer: quantity and amount.
type OfferSums = HashMap<(i64, i64), (i64, i64)>;
/// Per company and category: orders, quantity and amount.
type CategorySums = HashMap<(i64, i64), (i64, i64, i64)>;

impl Touched {
    /// Empties the sums and notes every company month that has facts, to be
    /// summed whole (the first fill: no per-offer notes held in memory).
    pub fn everything(conn: &mut DbConn) -> Result<Touched> {
        diesel::delete(sales_month_offer_facts::table).execute(conn)?;
        diesel::delete(sales_month_category_facts::table).execute(conn)?;
        let held: Vec<(i64, NaiveDateTime)> = sales_category_facts::table
            .select((sales_category_facts::company_id, sales_category_facts::placed_at))
            .distinct()
            .load(conn)?;
        let mut touched = Touched { whole: true, ..Touched::default() };
        for (company, placed_at) in held {
            touched.months.entry(month_key(placed_at.date())).or_default().entry(company).or_default();
        }
        Ok(touched)
    }

    /// Notes the facts now held for the orders changed since `since`.
    pub fn note_facts_of_orders_since(&mut self, conn: &mut DbConn, since: NaiveDateTime) -> Result<()> {
        let changed = orders::table.filter(orders::updated_at.ge(since)).select(orders::id);
        let held: Vec<(i64, NaiveDateTime, i64)> = sales_facts::table
            .filter(sales_facts::order_id.eq_any(changed))
            .select((sales_facts::company_id, sales_facts::placed_at, sales_facts::offer_id))
            .load(conn)?;
        for (company, placed_at, offer) in held {
            self.months.entry(month_key(placed_at.date())).or_default().entry(company).or_default().insert(offer);
        }
        Ok(())
    }

    /// Sums the touched company months again from the facts; returns how
    /// many company months were redone.
    pub fn redo(self, conn: &mut DbConn) -> Result<usize> {
        let mut redone = 0;
        for (month, companies) in self.months {
            let start = month_start(month).and_hms_opt(0, 0, 0).unwrap_or_default();
            let end = next_month(month_start(month)).and_hms_opt(0, 0, 0).unwrap_or_default();
            let companies: Vec<(i64, BTreeSet<i64>)> = companies.into_iter().collect();
            for chunk in companies.chunks(COMPANIES_AT_ONCE) {
                let ids: Vec<i64> = chunk.iter().map(|(company, _)| *company).collect();
                let (offers, categories) = sum_lines(conn, (start, end), &ids)?;
                write_offer_sums(conn, month, chunk, offers, self.whole)?;
                write_category_sums(conn, month, &ids, categories)?;
                redone += chunk.len();
            }
        }
        Ok(redone)
    }
}

/// The facts of `companies` in `[start, end)` summed per offer and per
/// category (orders counted once per category).
fn sum_lines(
    conn: &mut DbConn,
    (start, end): (NaiveDateTime, NaiveDateTime),
    companies: &[i64],
) -> Result<(OfferSums, CategorySums)> {
    let lines: Vec<(i64, i64, Option<i64>, i64, i64, i64)> = sales_facts::table
        .filter(sales_facts::company_id.eq_any(companies))
        .filter(sales_facts::placed_at.ge(start))
        .filter(sales_facts::placed_at.lt(end))
        .select((
            sales_facts::company_id,
            sales_facts::offer_id,
            sales_facts::category_id,
            sales_facts::order_id,
            sales_facts::quantity,
            sales_facts::amount_minor,
        ))
        .load(conn)?;
    let mut offers = OfferSums::new();
    let mut categories = CategorySums::new();
    let mut counted: HashSet<(i64, i64, i64)> = HashSet::new();
    for (company, offer, category, order, quantity, amount) in lines {
        let sum = offers.entry((company, offer)).or_default();
        sum.0 += quantity;
        sum.1 += amount;
        let category = category.unwrap_or(0);
        let sum = categories.entry((company, category)).or_default();
        sum.0 += i64::from(counted.insert((company, category, order)));
        sum.1 += quantity;
        sum.2 += amount;
    }
    Ok((offers, categories))
}

/// Replaces the offer sums of the company months for the offers their
/// changed orders held before or hold now (no other offer's sum moved):
/// those rows are deleted by key and their new sums written.
/// Written `whole`, every sum is new and nothing is deleted.
fn write_offer_sums(
    conn: &mut DbConn,
    month: i64,
    touched: &[(i64, BTreeSet<i64>)],
    sums: OfferSums,
    whole: bool,
) -> Result<()> {
    for (company, offers) in touched.iter().filter(|_| !whole) {
        let offers: Vec<i64> = offers.iter().copied().collect();
        for chunk in offers.chunks(OFFERS_AT_ONCE) {
            diesel::delete(
                sales_month_offer_facts::table
                    .filter(sales_month_offer_facts::offer_id.eq_any(chunk))
                    .filter(sales_month_offer_facts::month.eq(month))
                    .filter(sales_month_offer_facts::company_id.eq(*company)),
            )
            .execute(conn)?;
        }
    }
    let moved: HashMap<i64, &BTreeSet<i64>> = touched.iter().map(|(company, offers)| (*company, offers)).collect();
    let sums =
        sums.into_iter().filter(|((company, offer), _)| whole || moved.get(company).is_some_and(|o| o.contains(offer)));
    let rows: Vec<_> = sums
        .map(|((company, offer), (quantity, amount))| {
            (
                sales_month_offer_facts::offer_id.eq(offer),
                sales_month_offer_facts::month.eq(month),
                sales_month_offer_facts::company_id.eq(company),
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

/// Replaces the category sums of the company months.
fn write_category_sums(conn: &mut DbConn, month: i64, companies: &[i64], sums: CategorySums) -> Result<()> {
    diesel::delete(
        sales_month_category_facts::table
            .filter(sales_month_category_facts::month.eq(month))
            .filter(sales_month_category_facts::company_id.eq_any(companies)),
    )
    .execute(conn)?;
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
