//! In-cabinet notifications: a feed per user with unread marks. Written in
//! the same transaction as the change they announce, in the recipient's
//! language.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::UserId;
use crate::db::schema::{notifications, users};
use crate::db::stored_text::stored_text_enum;
use crate::db::DbConn;
use crate::error::Result;
use crate::i18n;
use crate::ids::OrderId;
use crate::mail::EmailKind;
use crate::ordering::status::OrderStatus;
use crate::ordering::status_names::StatusNames;

stored_text_enum! {
    /// What a notification announces: its title and body are the catalog
    /// keys `notify.{kind}_title` and `notify.{kind}_body`.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum NotificationKind {
        OrderPlaced = "order_placed",
        StatusChanged = "status_changed",
        OrderCancelled = "order_cancelled",
        ReservationLapsing = "reservation_lapsing",
        ReservationLapsed = "reservation_lapsed",
        DeadlineExtended = "deadline_extended",
        Shipment = "shipment",
        Payment = "payment",
        /// An order over the credit waits for the manager's approval.
        AwaitingApproval = "awaiting_approval",
        /// A debt falls due within the next days.
        PaymentDue = "payment_due",
        /// A debt is past its due date.
        PaymentOverdue = "payment_overdue",
        /// An offer the buyer waited for is back in stock.
        BackInStock = "back_in_stock",
        /// A watched offer fell below its threshold (staff).
        LowStock = "low_stock",
        /// A message from the other side, on an order or the company's thread.
        Message = "message",
    }
}

impl NotificationKind {
    /// The email that goes out with the notification, if any.
    pub fn email(self) -> Option<EmailKind> {
        match self {
            NotificationKind::OrderPlaced => Some(EmailKind::OrderPlaced),
            NotificationKind::StatusChanged => Some(EmailKind::StatusChanged),
            NotificationKind::OrderCancelled => Some(EmailKind::OrderCancelled),
            NotificationKind::ReservationLapsing => Some(EmailKind::ReservationLapsing),
            NotificationKind::ReservationLapsed => Some(EmailKind::ReservationLapsed),
            NotificationKind::DeadlineExtended => None,
            NotificationKind::Shipment => Some(EmailKind::Shipment),
            NotificationKind::Payment => Some(EmailKind::Payment),
            NotificationKind::AwaitingApproval => Some(EmailKind::AwaitingApproval),
            NotificationKind::PaymentDue => Some(EmailKind::PaymentDue),
            NotificationKind::PaymentOverdue => Some(EmailKind::PaymentOverdue),
            NotificationKind::BackInStock => Some(EmailKind::BackInStock),
            NotificationKind::LowStock => Some(EmailKind::LowStock),
            NotificationKind::Message => Some(EmailKind::Message),
        }
    }

    fn title(self, locale: &str, args: &[(&str, String)]) -> String {
        i18n::text(locale, &format!("notify.{self}_title"), args)
    }

    fn body(self, locale: &str, args: &[(&str, String)]) -> String {
        i18n::text(locale, &format!("notify.{self}_body"), args)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub order_id: Option<OrderId>,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// Queues a notification for `user`: title and body from the message catalog
/// keys `notify.{kind}_title` / `notify.{kind}_body`, in the user's language.
pub fn notify(
    conn: &mut DbConn,
    user: UserId,
    order_id: Option<OrderId>,
    kind: NotificationKind,
    args: &[(&str, String)],
) -> Result<()> {
    let (locale, email): (String, String) =
        users::table.find(user.0).select((users::locale, users::email)).first(conn)?;
    let base = crate::settings::public_url(conn)?;
    let names = StatusNames::load(conn)?;
    let args = &with_order_link(localize(&names, &locale, args), &base, order_id);
    if let Some(email_kind) = kind.email() {
        crate::mail::outbox::enqueue(conn, &email, email_kind, &locale, args)?;
    }
    diesel::insert_into(notifications::table)
        .values((
            notifications::user_id.eq(user.0),
            notifications::order_id.eq(order_id),
            notifications::kind.eq(kind),
            notifications::title.eq(kind.title(&locale, args)),
            notifications::body.eq(kind.body(&locale, args)),
            notifications::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A cabinet notification without its email (for staff who follow many
/// customers: the feed and the board are enough).
pub fn notify_cabinet(
    conn: &mut DbConn,
    user: UserId,
    order_id: Option<OrderId>,
    kind: NotificationKind,
    args: &[(&'static str, String)],
) -> Result<()> {
    notify_many(conn, &[Pending { user, order_id, kind, args: args.to_vec(), email: false }])
}

/// A notification to queue in bulk.
#[derive(Debug, Clone)]
pub struct Pending {
    pub user: UserId,
    pub order_id: Option<OrderId>,
    pub kind: NotificationKind,
    pub args: Vec<(&'static str, String)>,
    /// Whether an email goes out as well as the cabinet notification.
    pub email: bool,
}

/// Queues many notifications with a few statements (the expiry job).
pub fn notify_many(conn: &mut DbConn, pending: &[Pending]) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let mut user_ids: Vec<UserId> = pending.iter().map(|p| p.user).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let people: std::collections::HashMap<UserId, (String, String)> = users::table
        .filter(users::id.eq_any(&user_ids))
        .select((users::id, (users::locale, users::email)))
        .load(conn)?
        .into_iter()
        .collect();
    let now = Utc::now().naive_utc();
    let base = crate::settings::public_url(conn)?;
    let names = StatusNames::load(conn)?;
    let rows: Vec<_> = pending
        .iter()
        .map(|p| {
            let locale = people.get(&p.user).map(|(l, _)| l.as_str()).unwrap_or("ru");
            let args = with_order_link(localize(&names, locale, &p.args), &base, p.order_id);
            (
                notifications::user_id.eq(p.user),
                notifications::order_id.eq(p.order_id),
                notifications::kind.eq(p.kind),
                notifications::title.eq(p.kind.title(locale, &args)),
                notifications::body.eq(p.kind.body(locale, &args)),
                notifications::created_at.eq(now),
            )
        })
        .collect();
    for chunk in rows.chunks(2000) {
        crate::per_backend!(conn, |c| diesel::insert_into(notifications::table).values(chunk).execute(c))?;
    }

    let emails: Vec<_> = pending
        .iter()
        .filter(|p| p.email)
        .filter_map(|p| {
            let kind = p.kind.email()?;
            people.get(&p.user).map(|(locale, email)| {
                (
                    email.clone(),
                    kind,
                    locale.clone(),
                    with_order_link(localize(&names, locale, &p.args), &base, p.order_id),
                )
            })
        })
        .collect();
    crate::mail::outbox::enqueue_many(conn, &emails)?;
    Ok(())
}

/// Completes an order's arguments with the link to its page (`url`) and an
/// empty `comment` where none was given, so no email shows a bare `{url}`.
fn with_order_link<'a>(
    mut args: Vec<(&'a str, String)>,
    base: &str,
    order_id: Option<OrderId>,
) -> Vec<(&'a str, String)> {
    let Some(order_id) = order_id else { return args };
    if !args.iter().any(|(name, _)| *name == "url") {
        args.push(("url", format!("{base}/orders/{order_id}")));
    }
    if !args.iter().any(|(name, _)| *name == "comment") {
        args.push(("comment", String::new()));
    }
    args
}

/// Arguments as the recipient reads them: a status code becomes its name
/// (the administrator's, else the catalog's).
fn localize<'a>(names: &StatusNames, locale: &str, args: &[(&'a str, String)]) -> Vec<(&'a str, String)> {
    args.iter()
        .map(|(name, value)| match (*name, OrderStatus::parse(value)) {
            ("status", Some(status)) => (*name, names.label(locale, status)),
            _ => (*name, value.clone()),
        })
        .collect()
}

/// Marks one of the user's notifications read; another user's is "not found".
pub fn mark_read(conn: &mut DbConn, user: UserId, id: i64) -> Result<()> {
    let updated =
        diesel::update(notifications::table.filter(notifications::id.eq(id)).filter(notifications::user_id.eq(user.0)))
            .set(notifications::read_at.eq(Some(Utc::now().naive_utc())))
            .execute(conn)?;
    if updated == 0 {
        return Err(crate::error::Error::NotFound);
    }
    Ok(())
}

/// The user's latest notifications, newest first.
pub fn latest(conn: &mut DbConn, user: UserId, limit: i64) -> Result<Vec<Notification>> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user.0))
        .order(notifications::id.desc())
        .limit(limit)
        .select(Notification::as_select())
        .load(conn)?)
}

pub fn unread_count(conn: &mut DbConn, user: UserId) -> Result<i64> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user.0))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}
