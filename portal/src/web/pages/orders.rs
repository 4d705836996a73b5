//! The order history and the order page (lines with reserve and backorder,
//! events, invoice download), and reorder into the current cart.

use poem::http::header;
use poem::web::{Data, Html, Path, Query};
use poem::{handler, Request, Response};
use serde::{Deserialize, Serialize};

use super::report_view::{report_rows, ReportRowView};
use super::view::Choice;
use crate::error::Error;
use crate::i18n;
use crate::ids::OrderId;
use crate::money::Money;
use crate::ordering::orders::{self, OrderFilter, OrderSort, Scope};
use crate::ordering::status::OrderStatus;
use crate::ordering::status_names::StatusNames;
use crate::ordering::{carts, reorder};
use crate::pricing::PriceContext;
use crate::web::session::{layout, Authed, ButtonForm, CsrfForm};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct OrdersQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    company: Option<String>,
    group: Option<String>,
    manager: Option<String>,
    sort: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
struct OrderRow {
    id: i64,
    company_id: i64,
    number: String,
    status: OrderStatus,
    status_label: String,
    company: String,
    /// The company's customer groups, each with its colour.
    groups: Vec<GroupChip>,
    placed_at: String,
    po_number: String,
    total: String,
    deadline: Option<String>,
}

#[derive(Serialize)]
struct OrdersPage {
    rows: Vec<OrderRow>,
    statuses: Vec<Choice>,
    status: String,
    q: String,
    page: u32,
    pages: u32,
    total: i64,
    show_company: bool,
    companies: Vec<Choice>,
    groups: Vec<GroupChip>,
    managers: Vec<Choice>,
    company: String,
    group: String,
    manager: String,
    sort: String,
    from: String,
    to: String,
    sorts: Vec<Choice>,
}

/// A customer group as staff see it beside a company: its name and colour.
#[derive(Serialize, Clone)]
pub(super) struct GroupChip {
    pub id: i64,
    pub name: String,
    pub colour: String,
}

impl From<crate::terms::groups::CustomerGroup> for GroupChip {
    fn from(g: crate::terms::groups::CustomerGroup) -> GroupChip {
        GroupChip { id: g.id, name: g.name, colour: g.colour }
    }
}

/// A stored UTC time as the supplier's local time.
pub(super) fn when(zone: chrono_tz::Tz, t: chrono::NaiveDateTime) -> String {
    crate::settings::local_time(zone, t)
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn list(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<OrdersQuery>,
) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "orders").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let status = query.status.as_deref().and_then(OrderStatus::parse);
    let date = |v: &Option<String>| v.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let sort = query.sort.as_deref().and_then(OrderSort::parse).unwrap_or_default();
    let filter = OrderFilter {
        status,
        company: query.company.as_deref().and_then(|c| c.parse().ok()),
        group: query.group.as_deref().and_then(|g| g.parse().ok()),
        manager: query.manager.as_deref().and_then(|m| m.parse().ok()),
        sort,
        from: date(&query.from),
        to: date(&query.to),
        text: query.q.clone().unwrap_or_default().chars().take(100).collect(),
        page: query.page.as_deref().and_then(|p| p.parse().ok()).unwrap_or(1).clamp(1, 100_000),
        per_page: 50,
    };
    let staff = session.user.role != crate::accounts::Role::Buyer;
    let (found, zone, companies, managers, (groups, groups_of), names) = state
        .db
        .run(move |conn| {
            let scope = Scope::of(&user);
            let found = orders::list(conn, scope, &filter)?;
            let groups = if staff {
                let ids: Vec<_> = found.items.iter().map(|s| s.order.company_id).collect();
                (crate::terms::groups::list(conn)?, crate::terms::groups::of_companies(conn, &ids)?)
            } else {
                Default::default()
            };
            Ok((
                found,
                crate::settings::timezone(conn)?,
                orders::companies_in(conn, scope)?,
                if user.role == crate::accounts::Role::Admin { orders::managers(conn)? } else { Vec::new() },
                groups,
                StatusNames::load(conn)?,
            ))
        })
        .await?;
    let view = OrdersPage {
        pages: found.pages(),
        total: found.total,
        page: found.page,
        rows: found
            .items
            .into_iter()
            .map(|s| {
                let status = s.order.status;
                OrderRow {
                    id: s.order.id.0,
                    company_id: s.order.company_id.0,
                    number: s.order.number,
                    status,
                    status_label: names.label(lang, status),
                    company: s.company_name,
                    groups: groups_of
                        .get(&s.order.company_id)
                        .map(|g| g.iter().cloned().map(GroupChip::from).collect())
                        .unwrap_or_default(),
                    placed_at: when(zone, s.order.placed_at),
                    po_number: s.order.po_number,
                    total: Money(s.order.total_minor).format(lang),
                    deadline: s.order.reservation_deadline.map(|t| when(zone, t)),
                }
            })
            .collect(),
        statuses: OrderStatus::ALL.iter().map(|s| Choice::new(s.as_str(), names.label(lang, *s))).collect(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        q: query.q.clone().unwrap_or_default(),
        show_company: session.user.role != crate::accounts::Role::Buyer,
        companies: Choice::from_pairs(companies),
        groups: groups.into_iter().map(|g| GroupChip::from(g.group)).collect(),
        managers: Choice::from_pairs(managers),
        company: query.company.clone().unwrap_or_default(),
        group: query.group.clone().unwrap_or_default(),
        manager: query.manager.clone().unwrap_or_default(),
        sort: query.sort.clone().unwrap_or_default(),
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        sorts: ["newest", "oldest", "total_desc", "total_asc", "deadline"]
            .into_iter()
            .map(|s| Choice::new(s, i18n::text(lang, &format!("orders.sort_{s}"), &[])))
            .collect(),
    };
    Ok(state.templates.render("orders.html", &layout, &view)?)
}

/// The printable documents of an order a page serves as PDF.
#[derive(Clone, Copy)]
enum Printable {
    Invoice,
    /// The order card, in the user's language.
    Card,
    /// The warehouse pick list, in the user's language; staff only.
    PickList,
}

async fn printable(
    state: &AppState,
    user: crate::accounts::User,
    id: &str,
    which: Printable,
) -> poem::Result<Response> {
    let id = OrderId(id.parse().map_err(|_| Error::NotFound)?);
    let (number, pdf) = state
        .db
        .run(move |conn| {
            let lang = user.locale.clone();
            match which {
                Printable::Invoice => {
                    orders::invoice_pdf(conn, Scope::of(&user), id).map(|(number, pdf)| (number.to_string(), pdf))
                }
                Printable::Card => crate::ordering::order_card::pdf(conn, Scope::of(&user), id, &lang),
                Printable::PickList => crate::ordering::pick_list::pdf(conn, &user, id, &lang),
            }
        })
        .await?;
    let name = match which {
        Printable::Invoice => "invoice",
        Printable::Card => "order",
        Printable::PickList => "pick-list",
    };
    Ok(Response::builder()
        .content_type("application/pdf")
        .header(header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}-{number}.pdf\""))
        .body(pdf))
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn invoice(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Response> {
    printable(state, session.user, &id, Printable::Invoice).await
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn card(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Response> {
    printable(state, session.user, &id, Printable::Card).await
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn pick_list(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Response> {
    printable(state, session.user, &id, Printable::PickList).await
}

#[derive(Serialize)]
struct ReorderPage {
    number: String,
    rows: Vec<ReorderRow>,
    added: usize,
}

/// A line of the earlier order as it went into the cart again.
#[derive(Serialize)]
struct ReorderRow {
    report: ReportRowView,
    /// "The price was … and is now …", when it changed.
    price_change: Option<String>,
    discontinued: bool,
    backordered: bool,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn reorder_submit(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<ButtonForm>,
) -> poem::Result<Html<String>> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let layout = layout(state, req, &session, "orders").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let (number, result) = state
        .db
        .run(move |conn| {
            let order = orders::find(conn, Scope::of(&user), OrderId(id))?;
            let cart = carts::current(conn, &user)?;
            let pricing = PriceContext::for_user(conn, &user)?;
            Ok((order.number, reorder::reorder(conn, Scope::of(&user), OrderId(id), &cart, &pricing)?))
        })
        .await?;
    let reports: Vec<_> = result.rows.iter().map(|r| r.report.clone()).collect();
    let views = report_rows(&reports, lang);
    let rows = views
        .into_iter()
        .zip(result.rows.iter())
        .map(|(view, r)| {
            let change = r.price_changed.then(|| {
                i18n::text(
                    lang,
                    "reorder.price_changed",
                    &[("old", r.old_price.format(lang)), ("new", r.new_price.unwrap_or_default().format(lang))],
                )
            });
            ReorderRow {
                report: view,
                price_change: change,
                discontinued: r.discontinued,
                backordered: r.report.verdict.kind == crate::ordering::rules::VerdictKind::Backorder,
            }
        })
        .collect();
    let view = ReorderPage { number, rows, added: result.applied.lines_added };
    Ok(state.templates.render("reorder.html", &layout, &view)?)
}
