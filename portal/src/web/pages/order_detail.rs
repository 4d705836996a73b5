//! The order page: facts, lines with reserve and backorder, shipments and
//! payments, the order's history, where each order channel stands, and for
//! staff the moves the state machine allows them. Read in one database
//! call; each part of the page is built by a function of its own.

use chrono::TimeZone;
use poem::web::{Data, Html, Path};
use poem::{handler, Request};
use serde::Serialize;

use super::orders::when;
use super::view::vat_label;
use crate::accounts::{Right, Rights, Role};
use crate::error::Error;
use crate::i18n;
use crate::ids::OrderId;
use crate::money::{Money, Qty};
use crate::ordering::channels::{self, Channel, Delivery};
use crate::ordering::lifecycle::{allowed, Actor};
use crate::ordering::orders::{self, DocumentInfo, OrderDetail, OrderEvent, OrderLine, Scope};
use crate::ordering::status::OrderStatus;
use crate::ordering::status_names::StatusNames;
use crate::web::session::{layout, Authed};
use crate::web::AppState;

#[derive(Serialize)]
struct LineView {
    id: i64,
    left_to_ship: String,
    has_reserve: bool,
    line_no: i32,
    sku: String,
    /// The buyer company's own code for the offer, if it keeps one.
    customer_code: Option<String>,
    /// "15.12.2026": when a backordered line's goods are expected.
    expected: Option<String>,
    name: String,
    unit: String,
    quantity: String,
    reserved: String,
    backordered: String,
    shipped: String,
    price: String,
    amount: String,
    vat: String,
    /// "contract −3 %, WELCOME5 −5 %": where the price came from.
    adjustments: String,
    /// The manual discount now on the line, in percent ("" when none).
    manual_percent: String,
    /// Nothing shipped yet: a manual discount may still be given.
    discountable: bool,
}

#[derive(Serialize)]
struct EventView {
    at: String,
    actor: String,
    /// "Ivan Petrov" when a person acted.
    actor_name: String,
    text: String,
    comment: String,
    /// "right: cancel orders" when the person used a granted right.
    right: String,
}

/// An order channel in use or that took the order.
#[derive(Serialize)]
struct ChannelView {
    name: String,
    /// When it took the order; empty when it has not yet.
    taken_at: String,
    /// Whether it has the order's current version.
    current: bool,
}

/// A shipment or payment: its document number, date and what it came to.
#[derive(Serialize)]
struct DocumentView {
    number: String,
    date: String,
    value: String,
}

/// The rights the order page's forms need, as the viewer holds them.
#[derive(Serialize)]
struct May {
    discount: bool,
    extend: bool,
    record_payments: bool,
}

/// A status staff may move the order to.
#[derive(Serialize)]
struct MoveView {
    to: OrderStatus,
    label: String,
    /// Undoes the order (cancel, return): shown as a dangerous button.
    danger: bool,
}

#[derive(Serialize)]
struct InvoiceView {
    number: i64,
    valid_until: String,
}

#[derive(Serialize)]
struct OrderPage {
    id: i64,
    company_id: i64,
    number: String,
    status: OrderStatus,
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
    invoice: Option<InvoiceView>,
    can_reorder: bool,
    staff: bool,
    /// The order is open: staff may still give manual discounts.
    open: bool,
    moves: Vec<MoveView>,
    /// What the viewer has been given the right to do here.
    may: May,
    /// The order's thread between the buyer's company and the supplier.
    messages: Vec<super::messages::MessageView>,
    paid: String,
    outstanding: String,
    shipments: Vec<DocumentView>,
    payments: Vec<DocumentView>,
    deadline_input: String,
    today: String,
    /// The ERP's number and where the order stands with it.
    erp_number: Option<String>,
    sync_state: String,
    channels: Vec<ChannelView>,
    /// The closing documents the ERP sent for the order.
    closing: Vec<super::closing_documents::ClosingView>,
}

/// What the page is built from, read in one database call.
struct PageData {
    detail: OrderDetail,
    zone: chrono_tz::Tz,
    channels_in_use: Vec<Channel>,
    deliveries: Vec<Delivery>,
    closing: Vec<crate::finance::closing::ClosingDocument>,
    /// The buyer company's own codes of the order's offers.
    codes: std::collections::HashMap<crate::ids::OfferId, String>,
    /// When the order's offers are expected (those the ERP gave a date).
    expected: std::collections::HashMap<crate::ids::OfferId, chrono::NaiveDate>,
    names: StatusNames,
    messages: Vec<crate::messages::Message>,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn detail(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Html<String>> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let layout = layout(state, req, &session, "orders").await?;
    let user = session.user.clone();
    let data = state
        .db
        .run(move |conn| {
            let scope = Scope::of(&user);
            let detail = orders::detail(conn, scope, OrderId(id))?;
            let filter = crate::finance::closing::Filter { order_id: Some(detail.order.id), ..Default::default() };
            let offers: Vec<_> = detail.lines.iter().map(|l| l.offer_id).collect();
            Ok(PageData {
                expected: expected_dates(conn, &offers)?,
                codes: crate::ordering::customer_codes::of_offers(conn, detail.order.company_id, &offers)?,
                closing: crate::finance::closing::list(conn, scope, filter)?,
                zone: crate::settings::timezone(conn)?,
                channels_in_use: channels::configured(conn)?,
                deliveries: channels::deliveries(conn, detail.order.id)?,
                names: StatusNames::load(conn)?,
                messages: crate::messages::thread(conn, &user, crate::messages::Thread::Order(detail.order.id))?,
                detail,
            })
        })
        .await?;
    let view = build(data, session.user.role, session.user.rights(), layout.lang);
    Ok(state.templates.render("order.html", &layout, &view)?)
}

fn build(data: PageData, role: Role, rights: Rights, lang: &'static str) -> OrderPage {
    let PageData { detail: d, zone, channels_in_use, deliveries, closing, codes, expected, names, messages } = data;
    let order = &d.order;
    let staff = role.is_staff();
    OrderPage {
        id: order.id.0,
        company_id: order.company_id.0,
        number: order.number.clone(),
        status: order.status,
        status_label: names.label(lang, order.status),
        company: d.company_name.clone(),
        contract: d.contract_number.clone(),
        placed_at: when(zone, order.placed_at),
        delivery_address: order.delivery_address.clone(),
        desired_date: order.desired_date.map(|d| d.format("%d.%m.%Y").to_string()),
        po_number: order.po_number.clone(),
        comment: order.comment.clone(),
        total: Money(order.total_minor).format(lang),
        vat: Money(order.vat_minor).format(lang),
        deadline: order.reservation_deadline.map(|t| when(zone, t)),
        erp_number: order.erp_number.clone(),
        sync_state: i18n::text(lang, &format!("sync.{}", order.sync_state), &[]),
        channels: channel_views(&channels_in_use, &deliveries, zone, lang),
        closing: super::closing_documents::views(&closing, lang),
        lines: d
            .lines
            .iter()
            .map(|l| {
                let mut view = line_view(l, codes.get(&l.offer_id).cloned(), lang);
                if l.backordered > 0 {
                    view.expected = expected.get(&l.offer_id).map(|d| d.format("%d.%m.%Y").to_string());
                }
                view
            })
            .collect(),
        events: d.events.iter().map(|e| event_view(e, zone, &names, lang)).collect(),
        invoice: d
            .invoices
            .last()
            .map(|i| InvoiceView { number: i.number, valid_until: i.valid_until.format("%d.%m.%Y").to_string() }),
        can_reorder: role == Role::Buyer,
        staff,
        open: crate::ordering::lifecycle::is_open(order.status),
        moves: if staff { move_views(Actor::of(role), rights, order.status, &names, lang) } else { Vec::new() },
        messages: super::messages::views(&messages, staff, zone, lang),
        may: May {
            discount: rights.has(Right::ManualDiscounts),
            extend: rights.has(Right::ExtendReservations),
            record_payments: rights.has(Right::RecordPayments),
        },
        paid: Money(order.paid_minor).format(lang),
        outstanding: crate::ordering::actions::outstanding(order).format(lang),
        shipments: d.shipments.iter().map(|s| shipment_view(s, lang)).collect(),
        payments: d.payments.iter().map(|p| payment_view(p, lang)).collect(),
        deadline_input: order
            .reservation_deadline
            .map(|t| (zone.from_utc_datetime(&t) + chrono::Duration::days(2)).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        today: chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string(),
    }
}

/// Every channel that took the order, then those in use that have not yet.
fn channel_views(in_use: &[Channel], deliveries: &[Delivery], zone: chrono_tz::Tz, lang: &str) -> Vec<ChannelView> {
    let name = |channel: Channel| i18n::text(lang, &format!("channel.{channel}"), &[]);
    let taken = deliveries.iter().map(|d| ChannelView {
        name: name(d.channel),
        taken_at: when(zone, d.delivered_at),
        current: d.current,
    });
    let waiting = in_use.iter().filter(|c| !deliveries.iter().any(|d| d.channel == **c)).map(|c| ChannelView {
        name: name(*c),
        taken_at: String::new(),
        current: false,
    });
    taken.chain(waiting).collect()
}

/// When each of `offers` is expected, for those with a date.
fn expected_dates(
    conn: &mut crate::db::DbConn,
    offers: &[crate::ids::OfferId],
) -> crate::Result<std::collections::HashMap<crate::ids::OfferId, chrono::NaiveDate>> {
    use crate::db::schema::offers as table;
    use diesel::prelude::*;
    let rows: Vec<(crate::ids::OfferId, Option<chrono::NaiveDate>)> =
        table::table.filter(table::id.eq_any(offers)).select((table::id, table::expected_at)).load(conn)?;
    Ok(rows.into_iter().filter_map(|(o, d)| Some((o, d?))).collect())
}

fn line_view(l: &OrderLine, customer_code: Option<String>, lang: &str) -> LineView {
    let q = |v: i64| Qty(v).format(lang);
    let adjustments = l.price_adjustments();
    LineView {
        id: l.id,
        left_to_ship: Qty(l.quantity - l.shipped).plain(),
        has_reserve: l.reserved > 0,
        line_no: l.line_no,
        sku: l.sku.clone(),
        customer_code,
        expected: None,
        name: l.name.clone(),
        unit: l.unit.clone(),
        quantity: q(l.quantity),
        reserved: q(l.reserved),
        backordered: q(l.backordered),
        shipped: q(l.shipped),
        price: Money(l.price_minor).format(lang),
        amount: Money(l.amount_minor).format(lang),
        vat: vat_label(l.vat_rate, lang),
        adjustments: crate::pricing::LinePrice::explained(&adjustments, lang, &l.unit),
        manual_percent: adjustments
            .iter()
            .find(|a| a.source == crate::pricing::AdjustmentSource::Manual)
            .map(|a| crate::money::percent_from_bp(a.value as i32))
            .unwrap_or_default(),
        discountable: l.shipped == 0,
    }
}

fn event_view(e: &OrderEvent, zone: chrono_tz::Tz, names: &StatusNames, lang: &str) -> EventView {
    let kind = i18n::text(lang, &format!("event.{}", e.kind), &[]);
    EventView {
        at: when(zone, e.at),
        actor: i18n::text(lang, &format!("actor.{}", e.actor), &[]),
        actor_name: e.actor_name.clone().unwrap_or_default(),
        right: e
            .right_used
            .map(|r| {
                i18n::text(lang, "manager.right_used", &[("right", i18n::text(lang, &format!("rights.{r}"), &[]))])
            })
            .unwrap_or_default(),
        text: match (e.from_status, e.to_status) {
            (Some(from), Some(to)) => format!("{} → {}", names.label(lang, from), names.label(lang, to)),
            (None, Some(to)) => format!("{kind} · {}", names.label(lang, to)),
            _ => kind,
        },
        comment: e.comment.clone(),
    }
}

/// The moves the state machine allows this actor, less cancelling for staff
/// not given the right (a rejection over the credit limit stays).
fn move_views(actor: Actor, rights: Rights, from: OrderStatus, names: &StatusNames, lang: &str) -> Vec<MoveView> {
    let rejection = from == OrderStatus::AwaitingApproval;
    allowed(actor, from)
        .into_iter()
        .filter(|to| *to != OrderStatus::Cancelled || rejection || rights.has(Right::CancelOrders))
        .map(|to| MoveView {
            to,
            label: match (from, to) {
                (OrderStatus::AwaitingApproval, OrderStatus::New) => i18n::text(lang, "manager.approve", &[]),
                (OrderStatus::AwaitingApproval, OrderStatus::Cancelled) => i18n::text(lang, "manager.reject", &[]),
                _ => names.label(lang, to),
            },
            danger: matches!(to, OrderStatus::Cancelled | OrderStatus::Returned),
        })
        .collect()
}

fn shipment_view(s: &DocumentInfo, lang: &str) -> DocumentView {
    DocumentView {
        number: s.number.clone(),
        date: s.date.format("%d.%m.%Y").to_string(),
        value: i18n::text(lang, "cart.lines", &[("count", s.value.to_string())]),
    }
}

fn payment_view(p: &DocumentInfo, lang: &str) -> DocumentView {
    DocumentView {
        number: p.number.clone(),
        date: p.date.format("%d.%m.%Y").to_string(),
        value: Money(p.value).format(lang),
    }
}
