//! Demo data: a wholesale catalog expanded from `fixtures/demo/catalog.json`,
//! three customer companies with contracts on different price types, and the
//! demo logins printed by `optovik serve`. Loading is idempotent: a second run
//! changes nothing.

mod catalog_fixture;
mod people;

pub use people::DEMO_LOGINS;

use diesel::Connection;

use crate::db::DbConn;
use crate::error::{Error, Result};

/// What a demo load did.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoSummary {
    pub products: usize,
    pub offers: usize,
    pub created: usize,
    pub updated: usize,
}

/// Loads (or refreshes) the whole demo data set in one transaction.
pub fn load(conn: &mut DbConn) -> Result<DemoSummary> {
    conn.transaction::<_, Error, _>(|conn| {
        let mut summary = catalog_fixture::load(conn)?;
        people::load(conn, &mut summary)?;
        crate::catalog::write::catalog_changed(conn)?;
        Ok(summary)
    })
}

/// Whether the database has no catalog yet (first start).
pub fn is_empty(conn: &mut DbConn) -> Result<bool> {
    use crate::db::schema::products;
    use diesel::prelude::*;
    let any = products::table.select(products::id).first::<i64>(conn).optional()?;
    Ok(any.is_none())
}
