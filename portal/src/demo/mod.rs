//! Demo data: a wholesale catalog expanded from `fixtures/demo/catalog.json`,
//! three customer companies with contracts on different price types (two on
//! credit with a ledger that has something overdue and a closing document, one on prepayment), and the
//! demo logins printed by `optovik serve`, and drawn pictures for the
//! fasteners and drill bits. Loading is idempotent: a second run
//! changes nothing. The demo logins have published passwords, so they are
//! created only where asked for (the README's first command on the embedded
//! SQLite default, `optovik demo`, `serve --demo`); while any of them can sign
//! in, every page shows a ribbon, and `optovik demo --remove` ends them.

mod catalog_fixture;
mod closing;
mod ledger;
mod people;
mod pictures;
pub mod terms;

pub use people::{DEMO_EMAILS, DEMO_LOGINS};

use crate::db::DbConn;
use crate::error::Result;

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
    crate::db::write_transaction(conn, |conn| {
        let mut summary = catalog_fixture::load(conn)?;
        people::load(conn, &mut summary)?;
        let today = crate::finance::today(conn)?;
        ledger::load(conn, today)?;
        closing::load(conn)?;
        terms::load(conn)?;
        pictures::load(conn)?;
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

/// Whether any demo login can still sign in (an active account with a
/// published password).
pub fn accounts_present(conn: &mut DbConn) -> Result<bool> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    let any = users::table
        .filter(users::email.eq_any(DEMO_EMAILS))
        .filter(users::active.eq(true))
        .filter(users::password_hash.ne(crate::accounts::password::UNUSABLE))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?;
    Ok(any.is_some())
}

/// Ends the demo logins for good: their passwords are erased, the accounts
/// disabled and every session and token of theirs ends. Nothing else is
/// touched — the supplier's own users, companies, catalog and orders (and
/// the history of anything the demo accounts did) stay as they are.
/// Returns how many accounts were ended.
pub fn remove_accounts(conn: &mut DbConn) -> Result<usize> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    crate::db::write_transaction(conn, |conn| {
        let ids = users::table
            .filter(users::email.eq_any(DEMO_EMAILS))
            .filter(users::active.eq(true).or(users::password_hash.ne(crate::accounts::password::UNUSABLE)))
            .select(users::id)
            .load::<i64>(conn)?;
        for id in &ids {
            diesel::update(users::table.find(id))
                .set((users::active.eq(false), users::password_hash.eq(crate::accounts::password::UNUSABLE)))
                .execute(conn)?;
            crate::accounts::sessions::end_all(conn, crate::accounts::UserId(*id))?;
        }
        Ok(ids.len())
    })
}
