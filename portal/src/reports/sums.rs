//! Sales summed per category and per offer over a period, within a set of
//! companies (`None`: all): the whole months inside the period from the
//! monthly sums (`months`), the days around them from the facts by date.
//! The caller refreshes the facts first.

use std::collections::HashMap;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::period::Period;
use crate::db::schema::{sales_category_facts, sales_facts, sales_month_category_facts, sales_month_offer_facts};
use crate::db::DbConn;
use crate::error::Result;

/// Two figures per key, added up across the parts of a period.
pub type Sums = HashMap<i64, (i64, i64)>;

fn add(sums: &mut Sums, part: Vec<(i64, i64, i64)>) {
    for (key, a, b) in part {
        let sum = sums.entry(key).or_default();
        sum.0 += a;
        sum.1 += b;
    }
}

/// Per category (0: none): the orders with lines in it and their amount.
pub fn per_category(conn: &mut DbConn, period: Period, within: Option<&[i64]>) -> Result<Sums> {
    let cut = period.cut_at_months();
    let mut sums = Sums::new();
    if let Some((first, last)) = cut.months {
        let mut query = sales_month_category_facts::table
            .filter(sales_month_category_facts::month.ge(first))
            .filter(sales_month_category_facts::month.le(last))
            .group_by(sales_month_category_facts::category_id)
            .select((
                sales_month_category_facts::category_id,
                sql::<BigInt>("CAST(COALESCE(SUM(sales_month_category_facts.orders), 0) AS BIGINT)"),
                sql::<BigInt>("CAST(COALESCE(SUM(sales_month_category_facts.amount_minor), 0) AS BIGINT)"),
            ))
            .into_boxed();
        if let Some(ids) = within {
            query = query.filter(sales_month_category_facts::company_id.eq_any(ids));
        }
        add(&mut sums, query.load(conn)?);
    }
    for (start, end) in cut.edges {
        let mut query = sales_category_facts::table
            .filter(sales_category_facts::placed_at.ge(start))
            .filter(sales_category_facts::placed_at.lt(end))
            .group_by(sales_category_facts::category_id)
            .select((
                sales_category_facts::category_id,
                diesel::dsl::count_star(),
                sql::<BigInt>("CAST(COALESCE(SUM(sales_category_facts.amount_minor), 0) AS BIGINT)"),
            ))
            .into_boxed();
        if let Some(ids) = within {
            query = query.filter(sales_category_facts::company_id.eq_any(ids));
        }
        add(&mut sums, query.load(conn)?);
    }
    Ok(sums)
}

/// Per offer: the quantity sold and its amount.
pub fn per_offer(conn: &mut DbConn, period: Period, within: Option<&[i64]>) -> Result<Sums> {
    let cut = period.cut_at_months();
    let mut sums = Sums::new();
    if let Some((first, last)) = cut.months {
        let mut query = sales_month_offer_facts::table
            .filter(sales_month_offer_facts::month.ge(first))
            .filter(sales_month_offer_facts::month.le(last))
            .group_by(sales_month_offer_facts::offer_id)
            .select((
                sales_month_offer_facts::offer_id,
                sql::<BigInt>("CAST(COALESCE(SUM(sales_month_offer_facts.quantity), 0) AS BIGINT)"),
                sql::<BigInt>("CAST(COALESCE(SUM(sales_month_offer_facts.amount_minor), 0) AS BIGINT)"),
            ))
            .into_boxed();
        if let Some(ids) = within {
            query = query.filter(sales_month_offer_facts::company_id.eq_any(ids));
        }
        add(&mut sums, query.load(conn)?);
    }
    for (start, end) in cut.edges {
        let mut query = sales_facts::table
            .filter(sales_facts::placed_at.ge(start))
            .filter(sales_facts::placed_at.lt(end))
            .group_by(sales_facts::offer_id)
            .select((
                sales_facts::offer_id,
                sql::<BigInt>("CAST(COALESCE(SUM(sales_facts.quantity), 0) AS BIGINT)"),
                sql::<BigInt>("CAST(COALESCE(SUM(sales_facts.amount_minor), 0) AS BIGINT)"),
            ))
            .into_boxed();
        if let Some(ids) = within {
            query = query.filter(sales_facts::company_id.eq_any(ids));
        }
        add(&mut sums, query.load(conn)?);
    }
    Ok(sums)
}
