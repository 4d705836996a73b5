//! A customer company's page for its manager (and admins; a buyer sees their
//! own): requisites, contracts with price type, discount, deferral and
//! manager, and the latest orders. Companies outside the scope are 404.

use poem::web::{Data, Html, Path};
use poem::{handler, Request};
use serde::Serialize;

use crate::accounts::{Company, CompanyId};
use crate::error::Error;
use crate::i18n;
use crate::money::{percent_from_bp, Money};
use crate::ordering::orders::{self, OrderFilter, Scope};
use crate::web::session::{layout, Authed};
use crate::web::AppState;

#[derive(Serialize)]
struct CompanyPage {
    company: Company,
    contracts: Vec<(String, String, String, i32, String)>,
    orders: Vec<(i64, String, String, String, String)>,
    total_orders: i64,
}

#[handler]
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
                .map(|(k, price_type, manager)| {
                    (k.number, price_type, percent_from_bp(k.discount_bp), k.deferral_days, manager.unwrap_or_default())
                })
                .collect();
            let filter = OrderFilter { company: Some(id), page: 1, per_page: 20, ..Default::default() };
            let found = orders::list(conn, scope, &filter)?;
            Ok(CompanyPage {
                company,
                contracts,
                total_orders: found.total,
                orders: found
                    .items
                    .into_iter()
                    .map(|s| {
                        (
                            s.order.id,
                            s.order.number,
                            s.order.placed_at.format("%d.%m.%Y").to_string(),
                            i18n::text(lang, &format!("status.{}", s.order.status), &[]),
                            Money(s.order.total_minor).format(lang),
                        )
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(state.templates.render("company.html", &layout, &view)?)
}
