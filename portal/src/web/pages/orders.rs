//! The order history and the order page (lines with reserve and backorder,
//! events, invoice download), and reorder into the current cart.

use poem::http::header;
use poem::web::{Data, Form, Html, Path, Query};
use poem::{handler, Request, Response};
use serde::{Deserialize, Serialize};

use super::report_view::{report_rows, ReportRowView};
use super::view::vat_label;
use crate::error::Error;
use crate::i18n;
use crate::money::{Money, Qty};
use crate::ordering::orders::{self, OrderFilter, OrderSort, Scope};
use crate::ordering::status::OrderStatus;
use crate::ordering::{carts, reorder};
use crate::pricing::PriceContext;
use crate::web::session::{check_csrf, layout, Authed};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct OrdersQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    company: Option<String>,
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
    status: &'static str,
    status_label: String,
    company: String,
    placed_at: String,
    po_number: String,
    total: String,
    deadline: Option<String>,
}

#[derive(Serialize)]
struct OrdersPage {
    rows: Vec<OrderRow>,
    statuses: Vec<(&'static str, String)>,
    status: String,
    q: String,
    page: u32,
    pages: u32,
    total: i64,
    show_company: bool,
    companies: Vec<(i64, String)>,
    managers: Vec<(i64, String)>,
    company: String,
    manager: String,
    sort: String,
    from: String,
    to: String,
    sorts: Vec<(&'static str, String)>,
}

fn status_label(lang: &str, status: &str) -> String {
    i18n::text(lang, &format!("status.{status}"), &[])
}

/// A stored UTC time as the supplier's local time.
fn when(zone: chrono_tz::Tz, t: chrono::NaiveDateTime) -> String {
    use chrono::TimeZone;
    zone.from_utc_datetime(&t).format("%d.%m.%Y %H:%M").to_string()
}

#[handler]
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
        manager: query.manager.as_deref().and_then(|m| m.parse().ok()),
        sort,
        from: date(&query.from),
        to: date(&query.to),
        text: query.q.clone().unwrap_or_default().chars().take(100).collect(),
        page: query.page.as_deref().and_then(|p| p.parse().ok()).unwrap_or(1).clamp(1, 100_000),
        per_page: 50,
    };
    let (found, zone, companies, managers) = state
        .db
        .run(move |conn| {
            let scope = Scope::of(&user);
            Ok((
                orders::list(conn, scope, &filter)?,
                crate::settings::timezone(conn)?,
                orders::companies_in(conn, scope)?,
                if user.role == crate::accounts::Role::Admin { orders::managers(conn)? } else { Vec::new() },
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
                let status = OrderStatus::parse(&s.order.status).map(|s| s.as_str()).unwrap_or("new");
                OrderRow {
                    id: s.order.id,
                    company_id: s.order.company_id,
                    number: s.order.number,
                    status,
                    status_label: status_label(lang, status),
                    company: s.company_name,
                    placed_at: when(zone, s.order.placed_at),
                    po_number: s.order.po_number,
                    total: Money(s.order.total_minor).format(lang),
                    deadline: s.order.reservation_deadline.map(|t| when(zone, t)),
                }
            })
            .collect(),
        statuses: OrderStatus::ALL.iter().map(|s| (s.as_str(), status_label(lang, s.as_str()))).collect(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        q: query.q.clone().unwrap_or_default(),
        show_company: session.user.role != crate::accounts::Role::Buyer,
        companies,
        managers,
        company: query.company.clone().unwrap_or_default(),
        manager: query.manager.clone().unwrap_or_default(),
        sort: query.sort.clone().unwrap_or_default(),
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        sorts: ["newest", "oldest", "total_desc", "total_asc", "deadline"]
            .into_iter()
            .map(|s| (s, i18n::text(lang, &format!("orders.sort_{s}"), &[])))
            .collect(),
    };
    Ok(state.templates.render("orders.html", &layout, &view)?)
}

#[derive(Serialize)]
struct LineView {
    id: i64,
    left_to_ship: String,
    has_reserve: bool,
    line_no: i32,
    sku: String,
    name: String,
    unit: String,
    quantity: String,
    reserved: String,
    backordered: String,
    shipped: String,
    price: String,
    amount: String,
    vat: String,
}

#[derive(Serialize)]
struct EventView {
    at: String,
    actor: String,
    text: String,
    comment: String,
}

#[derive(Serialize)]
struct OrderPage {
    id: i64,
    company_id: i64,
    number: String,
    status: String,
    status_label: String,
    company: String,
    contract: String,
    placed_at: String,
    delivery_address: String,
    desired_date: Option<String>,
    po_number: String,
    comment: String,
    total: String,
    vat: String,
    deadline: Option<String>,
    lines: Vec<LineView>,
    events: Vec<EventView>,
    invoice: Option<(i64, String)>,
    can_reorder: bool,
    staff: bool,
    moves: Vec<(&'static str, String)>,
    paid: String,
    outstanding: String,
    shipments: Vec<(String, String, String)>,
    payments: Vec<(String, String, String)>,
    deadline_input: String,
    today: String,
    /// The ERP's number and where the order stands with it.
    erp_number: Option<String>,
    sync_state: String,
    /// Each order channel in use or that took it: name, when, and whether
    /// it has the current version ("" when it has not taken it yet).
    channels: Vec<(String, String, bool)>,
}

#[handler]
pub async fn detail(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Html<String>> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let layout = layout(state, req, &session, "orders").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let (d, zone) = state
        .db
        .run(move |conn| Ok((orders::detail(conn, Scope::of(&user), id)?, crate::settings::timezone(conn)?)))
        .await?;
    let order_id = d.order.id;
    let (in_use, deliveries) = state
        .db
        .run(move |conn| {
            use crate::ordering::channels;
            Ok((channels::configured(conn)?, channels::deliveries(conn, order_id)?))
        })
        .await?;
    let mut channels: Vec<(String, String, bool)> = deliveries
        .iter()
        .map(|d| {
            (i18n::text(lang, &format!("channel.{}", d.channel.as_str()), &[]), when(zone, d.delivered_at), d.current)
        })
        .collect();
    for channel in in_use {
        if !deliveries.iter().any(|d| d.channel == channel) {
            channels.push((i18n::text(lang, &format!("channel.{}", channel.as_str()), &[]), String::new(), false));
        }
    }
    let q = |v: i64| Qty(v).format(lang);
    let view = OrderPage {
        id: d.order.id,
        company_id: d.order.company_id,
        number: d.order.number.clone(),
        status_label: status_label(lang, &d.order.status),
        status: d.order.status.clone(),
        company: d.company_name.clone(),
        contract: d.contract_number.clone(),
        placed_at: when(zone, d.order.placed_at),
        delivery_address: d.order.delivery_address.clone(),
        desired_date: d.order.desired_date.map(|d| d.format("%d.%m.%Y").to_string()),
        po_number: d.order.po_number.clone(),
        comment: d.order.comment.clone(),
        total: Money(d.order.total_minor).format(lang),
        vat: Money(d.order.vat_minor).format(lang),
        deadline: d.order.reservation_deadline.map(|t| when(zone, t)),
        erp_number: d.order.erp_number.clone(),
        sync_state: i18n::text(lang, &format!("sync.{}", d.order.sync_state), &[]),
        channels,
        lines: d
            .lines
            .iter()
            .map(|l| LineView {
                id: l.id,
                left_to_ship: Qty(l.quantity - l.shipped).plain(),
                has_reserve: l.reserved > 0,
                line_no: l.line_no,
                sku: l.sku.clone(),
                name: l.name.clone(),
                unit: l.unit.clone(),
                quantity: q(l.quantity),
                reserved: q(l.reserved),
                backordered: q(l.backordered),
                shipped: q(l.shipped),
                price: Money(l.price_minor).format(lang),
                amount: Money(l.amount_minor).format(lang),
                vat: vat_label(l.vat_rate, lang),
            })
            .collect(),
        events: d
            .events
            .iter()
            .map(|e| EventView {
                at: when(zone, e.at),
                actor: i18n::text(lang, &format!("actor.{}", e.actor), &[]),
                text: match (&e.from_status, &e.to_status) {
                    (Some(from), Some(to)) => format!("{} → {}", status_label(lang, from), status_label(lang, to)),
                    (None, Some(to)) => {
                        format!("{} · {}", i18n::text(lang, &format!("event.{}", e.kind), &[]), status_label(lang, to))
                    }
                    _ => i18n::text(lang, &format!("event.{}", e.kind), &[]),
                },
                comment: e.comment.clone(),
            })
            .collect(),
        invoice: d.invoices.last().map(|i| (i.number, i.valid_until.format("%d.%m.%Y").to_string())),
        can_reorder: session.user.role == crate::accounts::Role::Buyer,
        staff: session.user.role != crate::accounts::Role::Buyer,
        moves: OrderStatus::parse(&d.order.status)
            .map(|from| {
                crate::ordering::lifecycle::allowed(crate::ordering::lifecycle::Actor::of(session.user.role), from)
            })
            .unwrap_or_default()
            .into_iter()
            .map(|to| (to.as_str(), status_label(lang, to.as_str())))
            .collect(),
        paid: Money(d.order.paid_minor).format(lang),
        outstanding: crate::ordering::actions::outstanding(&d.order).format(lang),
        shipments: d
            .shipments
            .iter()
            .map(|s| {
                let lines = i18n::text(lang, "cart.lines", &[("count", s.value.to_string())]);
                (s.number.clone(), s.date.format("%d.%m.%Y").to_string(), lines)
            })
            .collect(),
        payments: d
            .payments
            .iter()
            .map(|p| (p.number.clone(), p.date.format("%d.%m.%Y").to_string(), Money(p.value).format(lang)))
            .collect(),
        deadline_input: d
            .order
            .reservation_deadline
            .map(|t| {
                use chrono::TimeZone;
                (zone.from_utc_datetime(&t) + chrono::Duration::days(2)).format("%Y-%m-%dT%H:%M").to_string()
            })
            .unwrap_or_default(),
        today: chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string(),
    };
    Ok(state.templates.render("order.html", &layout, &view)?)
}

#[handler]
pub async fn invoice(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Response> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let user = session.user.clone();
    let (number, pdf) = state.db.run(move |conn| orders::invoice_pdf(conn, Scope::of(&user), id)).await?;
    Ok(Response::builder()
        .content_type("application/pdf")
        .header(header::CONTENT_DISPOSITION, format!("inline; filename=\"invoice-{number}.pdf\""))
        .body(pdf))
}

#[derive(Deserialize)]
pub struct ReorderForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Serialize)]
struct ReorderPage {
    number: String,
    rows: Vec<(ReportRowView, Option<String>, bool, bool)>,
    added: usize,
}

#[handler]
pub async fn reorder_submit(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Form(form): Form<ReorderForm>,
) -> poem::Result<Html<String>> {
    check_csrf(&session, &form.csrf)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let layout = layout(state, req, &session, "orders").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let (number, result) = state
        .db
        .run(move |conn| {
            let order = orders::find(conn, Scope::of(&user), id)?;
            let cart = carts::current(conn, &user)?;
            let pricing = PriceContext::for_user(conn, &user)?;
            Ok((order.number, reorder::reorder(conn, Scope::of(&user), id, &cart, &pricing)?))
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
            (view, change, r.discontinued, r.report.verdict.kind == crate::ordering::rules::VerdictKind::Backorder)
        })
        .collect();
    let view = ReorderPage { number, rows, added: result.applied.lines_added };
    Ok(state.templates.render("reorder.html", &layout, &view)?)
}
