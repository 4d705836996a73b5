//! The manager's workspace pages and order actions: the dashboard, status
//! moves, reservation (extend, release a line, reserve again), shipments and
//! payments from the order page, and the notification feed for everyone.
//! Every action goes through the same domain operations as the API; problems
//! come back as a message on the order page.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Path, Redirect};
use poem::{handler, Request};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::i18n;
use crate::ids::OrderId;
use crate::money::{Money, Qty};
use crate::notifications;
use crate::ordering::actions::{self, Moved};
use crate::ordering::events::ActedBy;
use crate::ordering::orders::Scope;
use crate::ordering::status::OrderStatus;
use crate::ordering::status_names::StatusNames;
use crate::ordering::{dashboard, fulfilment, on_behalf};
use crate::web::session::{layout, needs, set_flash, Authed, ButtonForm, CsrfForm, Staff, WithRight};
use crate::web::AppState;

#[derive(Serialize)]
struct BucketView {
    key: &'static str,
    title: String,
    count: i64,
    rows: Vec<BucketRow>,
}

/// An order in a dashboard bucket.
#[derive(Serialize)]
struct BucketRow {
    id: i64,
    number: String,
    company: String,
    status: String,
    total: String,
    deadline: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn dashboard_page(
    req: &Request,
    Data(state): Data<&AppState>,
    Staff(session): Staff,
) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "manager").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let (board, zone, names) = state
        .db
        .run(move |conn| {
            Ok((
                dashboard::build(conn, Scope::of(&user), Utc::now().naive_utc())?,
                crate::settings::timezone(conn)?,
                StatusNames::load(conn)?,
            ))
        })
        .await?;
    let when = |t: NaiveDateTime| zone.from_utc_datetime(&t).format("%d.%m %H:%M").to_string();
    let buckets: Vec<BucketView> = board
        .buckets
        .into_iter()
        .map(|b| BucketView {
            key: b.key,
            title: i18n::text(lang, &format!("manager.{}", b.key), &[]),
            count: b.count,
            rows: b
                .orders
                .into_iter()
                .map(|s| BucketRow {
                    id: s.order.id.0,
                    number: s.order.number,
                    company: s.company_name,
                    status: names.label(lang, s.order.status),
                    total: Money(s.order.total_minor).format(lang),
                    deadline: s.order.reservation_deadline.map(when).unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let staff = session.user.clone();
    let (buyers, overdue) = state
        .db
        .run(move |conn| Ok((on_behalf::buyers_for(conn, &staff)?, overdue_customers(conn, Scope::of(&staff), lang)?)))
        .await?;
    #[derive(Serialize)]
    struct Page {
        buckets: Vec<BucketView>,
        buyers: Vec<on_behalf::BuyerChoice>,
        overdue: Vec<OverdueRow>,
    }
    Ok(state.templates.render("manager.html", &layout, &Page { buckets, buyers, overdue })?)
}

/// A contract with debt past due, on the manager's board.
#[derive(Serialize)]
struct OverdueRow {
    company_id: i64,
    company: String,
    contract_id: i64,
    contract: String,
    overdue: String,
    days: i64,
    balance: String,
}

/// The contracts in scope with overdue debt, most overdue first (ten).
fn overdue_customers(conn: &mut crate::db::DbConn, scope: Scope, lang: &str) -> crate::Result<Vec<OverdueRow>> {
    let today = crate::finance::today(conn)?;
    let mut late: Vec<_> = crate::finance::position::positions(conn, scope, None, today)?
        .into_iter()
        .filter(|p| p.overdue_minor > 0)
        .collect();
    late.sort_by_key(|p| std::cmp::Reverse(p.overdue_minor));
    late.truncate(10);
    let names: std::collections::HashMap<i64, String> =
        crate::ordering::orders::companies_in(conn, scope)?.into_iter().collect();
    Ok(late
        .into_iter()
        .map(|p| OverdueRow {
            company_id: p.contract.company_id,
            company: names.get(&p.contract.company_id).cloned().unwrap_or_default(),
            contract_id: p.contract.id,
            contract: p.contract.number.clone(),
            overdue: Money(p.overdue_minor).format(lang),
            days: p.overdue_days,
            balance: Money(p.balance_minor).format(lang),
        })
        .collect())
}

fn back_to(id: i64) -> Redirect {
    Redirect::see_other(format!("/orders/{id}"))
}

/// Runs an order action and turns its outcome into a flash message.
async fn act<F>(
    state: &AppState,
    jar: &CookieJar,
    lang: &str,
    id: i64,
    done_key: &str,
    work: F,
) -> poem::Result<Redirect>
where
    F: FnOnce(&mut crate::db::DbConn) -> crate::Result<Option<String>> + Send + 'static,
{
    match state.db.run(work).await {
        Ok(None) => set_flash(state, jar, &i18n::text(lang, done_key, &[])),
        Ok(Some(problem)) => set_flash(state, jar, &problem),
        Err(Error::Invalid(m) | Error::Conflict(m)) => set_flash(state, jar, &m),
        Err(Error::Forbidden) => set_flash(state, jar, &i18n::text(lang, "manager.forbidden", &[])),
        Err(other) => return Err(other.into()),
    }
    Ok(back_to(id))
}

#[derive(Deserialize)]
pub struct TransitionForm {
    to: String,
    #[serde(default)]
    comment: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn transition(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<TransitionForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    let to = OrderStatus::parse(&form.to).ok_or(Error::NotFound)?;
    act(state, jar, lang, id, "manager.moved", move |conn| {
        match actions::transition(conn, Scope::of(&user), OrderId(id), ActedBy::moving(&user, to), to, &form.comment) {
            // The one invalid move: rejecting an order awaiting approval without a reason.
            Err(Error::Invalid(_)) => Ok(Some(i18n::text(lang, "manager.reason_needed", &[]))),
            Err(other) => Err(other),
            Ok(Moved::Done(_)) => Ok(None),
            Ok(Moved::Refused(r)) => {
                Ok(Some(i18n::text(lang, "manager.refused", &[("from", StatusNames::load(conn)?.label(lang, r.from))])))
            }
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct ExtendForm {
    /// `YYYY-MM-DDTHH:MM` in the supplier's time zone (an <input type=datetime-local>).
    deadline: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn extend(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, granted, _): WithRight<needs::ExtendReservations>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ExtendForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    let local = NaiveDateTime::parse_from_str(&form.deadline, "%Y-%m-%dT%H:%M")
        .map_err(|_| Error::Invalid(i18n::text(lang, "manager.bad_deadline", &[])));
    act(state, jar, lang, id, "manager.extended", move |conn| {
        let zone = crate::settings::timezone(conn)?;
        let local = local?;
        let deadline = zone.from_local_datetime(&local).earliest().map(|t| t.naive_utc()).unwrap_or(local);
        actions::extend_deadline(conn, Scope::of(&user), OrderId(id), ActedBy::granted(&granted), deadline)
            .map(|_| None)
    })
    .await
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn renew(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<ButtonForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    act(state, jar, lang, id, "manager.renewed", move |conn| {
        actions::reserve_again(conn, Scope::of(&user), OrderId(id), ActedBy::user(&user)).map(|_| None)
    })
    .await
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn release(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Staff(session): Staff,
    Path((id, line)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<ButtonForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    act(state, jar, lang, id, "manager.released", move |conn| {
        actions::release(conn, Scope::of(&user), OrderId(id), line, ActedBy::user(&user)).map(|_| None)
    })
    .await
}

#[derive(Deserialize)]
pub struct DiscountForm {
    #[serde(default)]
    percent: String,
}

/// A manual discount on a line, in percent ("3", "2,5"; empty or 0 removes it).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn line_discount(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, granted, _): WithRight<needs::ManualDiscounts>,
    Path((id, line)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<DiscountForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    let text = form.percent.trim();
    // Percent with up to two decimals → basis points, through the quantity parser (thousandths).
    let bp = if text.is_empty() { Some(0) } else { Qty::parse(text).map(|q| q.milli() / 10) };
    let Some(bp) = bp.filter(|bp| (0..=10_000).contains(bp)) else {
        set_flash(state, jar, &i18n::text(lang, "manager.bad_discount", &[]));
        return Ok(back_to(id));
    };
    act(state, jar, lang, id, "manager.discount_given", move |conn| {
        match crate::ordering::manual_discount::give(conn, Scope::of(&user), OrderId(id), line, bp, &granted) {
            Err(Error::Forbidden) => {
                let limit = match granted.discount_limit_bp() {
                    Some(own) => own,
                    None => crate::settings::manual_discount_limit_bp(conn)? as i32,
                };
                let limit = crate::money::percent_from_bp(limit);
                Ok(Some(i18n::text(lang, "manager.over_discount_limit", &[("limit", limit)])))
            }
            other => other.map(|_| None),
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct DocumentForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    amount: String,
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

fn parse_date(text: &str, lang: &str) -> crate::Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Invalid(i18n::text(lang, "checkout.bad_date", &[])))
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn shipment(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DocumentForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    let mut lines = Vec::new();
    for (name, value) in &form.fields {
        let Some(line) = name.strip_prefix("ship_").and_then(|l| l.parse::<i64>().ok()) else { continue };
        if value.trim().is_empty() {
            continue;
        }
        match Qty::parse(value) {
            Some(q) if q.milli() == 0 => {}
            Some(q) => lines.push((line, q)),
            None => {
                set_flash(state, jar, &i18n::text(lang, "verdict.unreadable", &[]));
                return Ok(back_to(id));
            }
        }
    }
    let (number, date) = (form.number.clone(), form.date.clone());
    act(state, jar, lang, id, "manager.shipped", move |conn| {
        let date = parse_date(&date, lang)?;
        fulfilment::record_shipment(conn, Scope::of(&user), OrderId(id), ActedBy::user(&user), &number, date, &lines)
            .map(|_| None)
    })
    .await
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn payment(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, granted, _): WithRight<needs::RecordPayments>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DocumentForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    // Roubles with up to two decimals, read exactly via the quantity parser (thousandths).
    let amount = Qty::parse(&form.amount).filter(|q| q.milli() % 10 == 0).map(|q| Money(q.milli() / 10));
    let (number, date) = (form.number.clone(), form.date.clone());
    act(state, jar, lang, id, "manager.paid", move |conn| {
        let amount = amount.ok_or_else(|| Error::Invalid(i18n::text(lang, "manager.bad_amount", &[])))?;
        let date = parse_date(&date, lang)?;
        fulfilment::record_payment(
            conn,
            Scope::of(&user),
            OrderId(id),
            ActedBy::granted(&granted),
            amount,
            date,
            &number,
        )
        .map(|_| None)
    })
    .await
}

#[derive(Serialize)]
struct FeedPage {
    items: Vec<FeedItem>,
}

/// A notification as the feed shows it.
#[derive(Serialize)]
struct FeedItem {
    order_id: Option<i64>,
    at: String,
    title: String,
    body: String,
    unread: bool,
}

/// The notification feed; opening it marks everything read.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn feed(req: &Request, Data(state): Data<&AppState>, Authed(session): Authed) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "notifications").await?;
    let user = session.user.id;
    let (items, zone) = state
        .db
        .run(move |conn| {
            let items = notifications::latest(conn, user, 200)?;
            for n in items.iter().filter(|n| n.read_at.is_none()) {
                notifications::mark_read(conn, user, n.id)?;
            }
            Ok((items, crate::settings::timezone(conn)?))
        })
        .await?;
    let page = FeedPage {
        items: items
            .into_iter()
            .map(|n| FeedItem {
                order_id: n.order_id.map(|id| id.0),
                at: zone.from_utc_datetime(&n.created_at).format("%d.%m.%Y %H:%M").to_string(),
                title: n.title,
                body: n.body,
                unread: n.read_at.is_none(),
            })
            .collect(),
    };
    Ok(state.templates.render("notifications.html", &layout, &page)?)
}

#[derive(Deserialize)]
pub struct OnBehalfForm {
    buyer_id: i64,
    #[serde(default)]
    lines: String,
    #[serde(default)]
    delivery_address: String,
    #[serde(default)]
    po_number: String,
    #[serde(default)]
    comment: String,
}

/// A manager places an order for a buyer of one of their companies.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn order_for_buyer(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Staff(session): Staff,
    CsrfForm(form): CsrfForm<OnBehalfForm>,
) -> poem::Result<Redirect> {
    let staff = session.user.clone();
    let lang = i18n::locale(&staff.locale);
    let search = state.search.clone();
    let request = crate::ordering::checkout::CheckoutRequest {
        contract_id: None,
        delivery_address: form.delivery_address,
        desired_date: None,
        po_number: form.po_number,
        comment: form.comment,
        ..Default::default()
    };
    let (buyer, lines) = (form.buyer_id, form.lines);
    let result = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            crate::ordering::on_behalf::place(conn, &index, &staff, buyer, &lines, request)
        })
        .await;
    match result {
        Ok((placed, rows)) => {
            let skipped = rows.iter().filter(|r| !r.accepted()).count();
            let message = i18n::text(
                lang,
                "manager.placed_for_buyer",
                &[("number", placed.number.clone()), ("skipped", skipped.to_string())],
            );
            set_flash(state, jar, &message);
            Ok(Redirect::see_other(format!("/orders/{}", placed.id)))
        }
        Err(Error::Invalid(m) | Error::Conflict(m)) => {
            set_flash(state, jar, &m);
            Ok(Redirect::see_other("/manager"))
        }
        Err(other) => Err(other.into()),
    }
}
