//! The "Взаиморасчёты" page: each contract's balance, credit limit,
//! available credit and overdue debt, and one contract's documents in a
//! period with due dates, days overdue and what is paid, and its closing
//! documents (УПД, счёт-фактура …) to download. A buyer sees their
//! company's contracts; staff see their companies' (`?company=`). Another
//! company's contract is 404.

use chrono::NaiveDate;
use poem::web::{Data, Html, Query};
use poem::{handler, Request};
use serde::{Deserialize, Serialize};

use crate::accounts::CompanyId;
use crate::error::Error;
use crate::finance::closing;
use crate::finance::position::{self, Document, Position};
use crate::finance::today;
use crate::i18n;
use crate::money::Money;
use crate::ordering::orders::Scope;
use crate::web::session::{layout, Authed};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct FinanceQuery {
    company: Option<String>,
    contract: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A contract's position as the page shows it.
#[derive(Serialize)]
struct PositionView {
    contract_id: i64,
    number: String,
    company_id: i64,
    balance: String,
    /// The ledger's own sum, when the ERP's balance differs from it.
    ledger_differs: Option<String>,
    erp_as_of: Option<String>,
    prepayment: bool,
    limit: String,
    available: String,
    overdue: String,
    overdue_days: i64,
    has_overdue: bool,
    deferral_days: i32,
    selected: bool,
}

#[derive(Serialize)]
struct DocumentView {
    kind: String,
    number: String,
    date: String,
    debit: String,
    credit: String,
    due: String,
    paid: String,
    open: String,
    days_overdue: i64,
    order_id: Option<i64>,
}

#[derive(Serialize)]
struct FinancePage {
    positions: Vec<PositionView>,
    contract: Option<i64>,
    company: Option<i64>,
    from: String,
    to: String,
    documents: Vec<DocumentView>,
    debit_total: String,
    credit_total: String,
    /// The contract's closing documents dated within the period.
    closing: Vec<super::closing_documents::ClosingView>,
}

fn position_view(p: &Position, selected: Option<i64>, lang: &str) -> PositionView {
    let money = |m: i64| Money(m).format(lang);
    PositionView {
        contract_id: p.contract.id,
        number: p.contract.number.clone(),
        company_id: p.contract.company_id,
        balance: money(p.balance_minor),
        ledger_differs: p
            .erp_balance
            .filter(|_| p.ledger_balance_minor != p.balance_minor)
            .map(|_| money(p.ledger_balance_minor)),
        erp_as_of: p.erp_balance.map(|e| e.as_of.format("%d.%m.%Y").to_string()),
        prepayment: p.prepayment(),
        limit: money(p.contract.credit_limit_minor),
        available: money(p.available_minor),
        overdue: money(p.overdue_minor),
        overdue_days: p.overdue_days,
        has_overdue: p.overdue_minor > 0,
        deferral_days: p.contract.deferral_days,
        selected: selected == Some(p.contract.id),
    }
}

fn document_view(d: &Document, lang: &str) -> DocumentView {
    let money = |m: i64| if m == 0 { String::new() } else { Money(m).format(lang) };
    let debt = d.entry.debit_minor > 0;
    DocumentView {
        kind: i18n::text(lang, &format!("ledger.{}", d.entry.kind), &[]),
        number: d.entry.number.clone(),
        date: d.entry.entry_date.format("%d.%m.%Y").to_string(),
        debit: money(d.entry.debit_minor),
        credit: money(d.entry.credit_minor),
        due: d.entry.due_date.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default(),
        paid: if debt { money(d.paid_minor) } else { String::new() },
        open: if debt { money(d.open_minor) } else { String::new() },
        days_overdue: d.days_overdue,
        order_id: d.entry.order_id.map(|id| id.0),
    }
}

fn date(text: &Option<String>) -> Option<NaiveDate> {
    text.as_deref().and_then(|t| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<FinanceQuery>,
) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "finance").await?;
    let lang = layout.lang;
    let scope = Scope::of(&session.user);
    let company = query.company.as_deref().and_then(|c| c.parse::<i64>().ok());
    let asked = query.contract.as_deref().and_then(|c| c.parse::<i64>().ok());
    let (from, to) = (date(&query.from), date(&query.to));
    let view = state
        .db
        .run(move |conn| {
            let today = today(conn)?;
            let positions = position::positions(conn, scope, company.map(CompanyId), today)?;
            let contract = match asked {
                // An id outside the scope is "not found", never shown.
                Some(id) => Some(position::contract_in(conn, scope, id)?.id),
                None => positions.first().map(|p| p.contract.id),
            };
            let documents = match contract {
                Some(id) => position::documents(conn, id, from, to, today)?,
                None => Vec::new(),
            };
            let closing = match contract {
                Some(id) => closing::list(
                    conn,
                    scope,
                    closing::Filter { contract_id: Some(id), from, to, ..Default::default() },
                )?,
                None => Vec::new(),
            };
            let debit: i64 = documents.iter().map(|d| d.entry.debit_minor).sum();
            let credit: i64 = documents.iter().map(|d| d.entry.credit_minor).sum();
            Ok(FinancePage {
                positions: positions.iter().map(|p| position_view(p, contract, lang)).collect(),
                contract,
                company,
                from: from.map(|d| d.to_string()).unwrap_or_default(),
                to: to.map(|d| d.to_string()).unwrap_or_default(),
                documents: documents.iter().map(|d| document_view(d, lang)).collect(),
                debit_total: Money(debit).format(lang),
                credit_total: Money(credit).format(lang),
                closing: super::closing_documents::views(&closing, lang),
            })
        })
        .await;
    let view = match view {
        Err(Error::NotFound) => return Err(Error::NotFound.into()),
        other => other?,
    };
    Ok(state.templates.render("finance.html", &layout, &view)?)
}

#[derive(Deserialize, Default)]
pub struct StatementQuery {
    contract: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// The reconciliation statement of a contract as PDF or XLSX (`format=xlsx`).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn statement(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<StatementQuery>,
) -> poem::Result<poem::Response> {
    use poem::http::header;
    let contract = query.contract.as_deref().and_then(|c| c.parse::<i64>().ok()).ok_or(Error::NotFound)?;
    let scope = Scope::of(&session.user);
    let lang = i18n::locale(&session.user.locale);
    let pdf = query.format.as_deref() != Some("xlsx");
    let period = (date(&query.from), date(&query.to));
    let (name, bytes) = state
        .db
        .run(move |conn| crate::web::api::finance::statement_file(conn, scope, contract, period, pdf, lang))
        .await?;
    let content_type =
        if pdf { "application/pdf" } else { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };
    Ok(poem::Response::builder()
        .content_type(content_type)
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .body(bytes))
}
