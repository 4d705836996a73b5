//! Gap-free sequential numbers (orders, invoices), allocated inside the
//! caller's transaction: a rolled-back number was never issued, and an
//! issued one is never reused.

use diesel::prelude::*;

use crate::db::schema::counters;
use crate::db::DbConn;
use crate::error::Result;

/// The next value of counter `name` (the row is locked until commit).
pub fn next(conn: &mut DbConn, name: &str) -> Result<i64> {
    let updated =
        diesel::update(counters::table.find(name)).set(counters::value.eq(counters::value + 1)).execute(conn)?;
    if updated == 0 {
        diesel::insert_into(counters::table).values((counters::name.eq(name), counters::value.eq(1))).execute(conn)?;
    }
    Ok(counters::table.find(name).select(counters::value).first(conn)?)
}
