//! A manager placing an order for one of their customers' buyers: the lines
//! (typed like a quick order) go through the same rule engine into a draft
//! cart of the buyer, priced at the buyer's contract, and checkout runs as
//! for the buyer — with the manager recorded as who placed it.

use super::checkout::{place_order_as, CheckoutRequest, PlacedOrder};
use super::events::ActedBy;
use super::report::{self, ReportRow};
use super::upload::parse_pasted;
use super::{carts, orders::Scope};
use crate::accounts::{Company, Role, User, UserId};
use crate::catalog::search_index::SearchIndex;
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::i18n;
use crate::pricing::PriceContext;
use diesel::Queryable;
use serde::Serialize;

/// A buyer a staff member may order for.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct BuyerChoice {
    pub user_id: i64,
    pub name: String,
    pub company: String,
}

/// Buyers a manager may order for (an admin: every active buyer), by
/// company and name.
pub fn buyers_for(conn: &mut DbConn, staff: &User) -> Result<Vec<BuyerChoice>> {
    use crate::db::schema::{companies, contracts, users};
    use diesel::prelude::*;
    let mut query = users::table
        .inner_join(companies::table)
        .filter(users::role.eq(Role::Buyer))
        .filter(users::active.eq(true))
        .filter(companies::active.eq(true))
        .into_boxed();
    if staff.role == Role::Manager {
        let managed = contracts::table
            .filter(contracts::manager_id.eq(staff.id.0))
            .filter(contracts::active.eq(true))
            .select(contracts::company_id.nullable());
        query = query.filter(users::company_id.eq_any(managed));
    }
    Ok(query.order((companies::name, users::name)).select((users::id, users::name, companies::name)).load(conn)?)
}

/// Places the order; rows that cannot be accepted are reported, not ordered.
#[tracing::instrument(skip_all, fields(staff = %staff.id, buyer = buyer_id))]
pub fn place(
    conn: &mut DbConn,
    index: &SearchIndex,
    staff: &User,
    buyer_id: i64,
    lines: &str,
    mut request: CheckoutRequest,
) -> Result<(PlacedOrder, Vec<ReportRow>)> {
    if !matches!(staff.role, Role::Manager | Role::Admin) {
        return Err(Error::Forbidden);
    }
    let allowed = buyers_for(conn, staff)?;
    if !allowed.iter().any(|b| b.user_id == buyer_id) {
        return Err(Error::NotFound);
    }
    let buyer = User::find(conn, UserId(buyer_id))?;
    let lang = staff.locale.clone();
    let inputs = parse_pasted(lines);
    if inputs.is_empty() {
        return Err(Error::Invalid(i18n::text(&lang, "quick.nothing", &[])));
    }
    if request.delivery_address.trim().is_empty() {
        if let Some(company) = buyer.company_id {
            request.delivery_address = Company::find(conn, company)?.delivery_address;
        }
    }
    let assortment = crate::terms::assortment::Assortment::for_user(conn, &buyer)?;
    let rows = report::build(conn, index, (&assortment, buyer.company_id), &inputs)?;
    if !rows.iter().any(|r| r.accepted()) {
        return Err(Error::Invalid(i18n::text(&lang, "checkout.empty", &[])));
    }
    write_transaction(conn, |conn| {
        let name = i18n::text(&buyer.locale, "cart.on_behalf", &[("manager", staff.name.clone())]);
        let cart = carts::create_draft(conn, &buyer, &name)?;
        let pricing = PriceContext::for_user(conn, &buyer)?;
        report::apply(conn, &cart, &pricing, &rows)?;
        let placed = place_order_as(conn, &buyer, cart.id, &request, ActedBy::user(staff))?;
        carts::delete(conn, &buyer, cart.id)?;
        // The manager must be able to see what they placed.
        super::orders::find(conn, Scope::of(staff), placed.id)?;
        Ok((placed, rows))
    })
}
