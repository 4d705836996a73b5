//! A customer company's page for its manager (and admins; a buyer sees their
//! own): requisites, contracts with price type, discount, deferral and
//! manager, and the latest orders. Companies outside the scope are 404.

use poem::web::{Data, Html, Path};
use poem::{handler, Request};
use serde::Serialize;

use crate::accounts::{Company, CompanyId};
use crate::error::Error;
use crate::money::{percent_from_bp, Money};
use crate::ordering::orders::{self, OrderFilter, Scope};
use crate::web::session::{layout, Authed};
use crate::web::AppState;

#[derive(Serialize)]
struct CompanyPage {
    company: Company,
    /// Its customer groups with their colours.
    groups: Vec<super::orders::GroupChip>,
    contracts: Vec<ContractRow>,
    orders: Vec<RecentOrder>,
    total_orders: i64,
    balances: Vec<BalanceRow>,
}

/// A contract's balance and overdue debt.
#[derive(Serialize)]
struct BalanceRow {
    contract_id: i64,
    number: String,
    balance: String,
    limit: String,
    prepayment: bool,
    overdue: String,
    overdue_days: i64,
}

#[derive(Serialize)]
struct ContractRow {
    number: String,
    price_type: String,
    /// Percent, formatted.
    discount: String,
    deferral_days: i32,
    manager: String,
}

#[derive(Serialize)]
struct RecentOrder {
    id: i64,
    number: String,
    placed: String,
    status: String,
    total: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<i64>,
) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "orders").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let view = state
        .db
        .run(move |conn| {
            let scope = Scope::of(&user);
            if !orders::companies_in(conn, scope)?.iter().any(|(c, _)| *c == id) {
                return Err(Error::NotFound);
            }
            let company = Company::find(conn, CompanyId(id))?;
            let contracts = crate::accounts::write::companies_with_contracts(conn)?
                .into_iter()
                .find(|(c, _)| c.id == id)
                .map(|(_, k)| k)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, price_type, manager)| ContractRow {
                    number: k.number,
                    price_type,
                    discount: percent_from_bp(k.discount_bp),
                    deferral_days: k.deferral_days,
                    manager: manager.unwrap_or_default(),
                })
                .collect();
            let today = crate::finance::today(conn)?;
            let balances = crate::finance::position::positions(conn, scope, Some(CompanyId(id)), today)?
                .into_iter()
                .map(|p| BalanceRow {
                    contract_id: p.contract.id,
                    number: p.contract.number.clone(),
                    balance: Money(p.balance_minor).format(lang),
                    limit: Money(p.contract.credit_limit_minor).format(lang),
                    prepayment: p.prepayment(),
                    overdue: Money(p.overdue_minor).format(lang),
                    overdue_days: p.overdue_days,
                })
                .collect();
            let filter = OrderFilter { company: Some(id), page: 1, per_page: 20, ..Default::default() };
            let found = orders::list(conn, scope, &filter)?;
            let names = crate::ordering::status_names::StatusNames::load(conn)?;
            let groups = crate::terms::groups::of_company(conn, CompanyId(id))?.into_iter().map(Into::into).collect();
            Ok(CompanyPage {
                company,
                groups,
                contracts,
                balances,
                total_orders: found.total,
                orders: found
                    .items
                    .into_iter()
                    .map(|s| RecentOrder {
                        id: s.order.id.0,
                        number: s.order.number,
                        placed: s.order.placed_at.format("%d.%m.%Y").to_string(),
                        status: names.label(lang, s.order.status),
                        total: Money(s.order.total_minor).format(lang),
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(state.templates.render("company.html", &layout, &view)?)
}
