//! The email outbox: notifications queue rendered emails here, in the same
//! transaction as the change they announce; a scheduled sender delivers what
//! is due and retries temporary failures with growing backoff. A message is
//! only ever marked sent after the transport accepted it, so an SMTP outage
//! loses nothing; only a permanent rejection marks it failed.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{render, EmailKind, Envelope, Transport};
use crate::db::schema::email_outbox;
use crate::db::DbConn;
use crate::error::Result;

/// A unique Message-ID that grows over time (cheap to index): time, this
/// process's random tag, a counter.
fn message_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static TAG: OnceLock<String> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let tag = TAG.get_or_init(|| crate::random_token()[..12].to_string());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("<{}.{tag}.{n}@optovik.local>", Utc::now().timestamp_micros())
}

/// Messages per sender run.
const BATCH: i64 = 100;

/// Queues `kind` rendered in `lang` for `to` (skipped when `to` is no address).
pub fn enqueue(conn: &mut DbConn, to: &str, kind: EmailKind, lang: &str, args: &[(&str, String)]) -> Result<bool> {
    if !to.contains('@') {
        return Ok(false);
    }
    let email =
        render(kind.as_str(), lang, args).map_err(|e| crate::error::Error::Internal(format!("email {kind}: {e}")))?;
    let now = Utc::now().naive_utc();
    diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::to_address.eq(to),
            email_outbox::kind.eq(kind),
            email_outbox::subject.eq(&email.subject),
            email_outbox::body.eq(&email.body),
            email_outbox::message_id.eq(message_id()),
            email_outbox::created_at.eq(now),
            email_outbox::attempts.eq(0),
            email_outbox::next_attempt_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// An email to queue: recipient, kind, language, template arguments.
pub type QueuedEmail<'a> = (String, EmailKind, String, Vec<(&'a str, String)>);

/// Queues many emails with a few statements.
pub fn enqueue_many(conn: &mut DbConn, emails: &[QueuedEmail]) -> Result<usize> {
    let now = Utc::now().naive_utc();
    let mut rows = Vec::with_capacity(emails.len());
    for (to, kind, lang, args) in emails {
        if !to.contains('@') {
            continue;
        }
        let email = render(kind.as_str(), lang, args)
            .map_err(|e| crate::error::Error::Internal(format!("email {kind}: {e}")))?;
        rows.push((
            email_outbox::to_address.eq(to.clone()),
            email_outbox::kind.eq(*kind),
            email_outbox::subject.eq(email.subject),
            email_outbox::body.eq(email.body),
            email_outbox::message_id.eq(message_id()),
            email_outbox::created_at.eq(now),
            email_outbox::attempts.eq(0),
            email_outbox::next_attempt_at.eq(now),
        ));
    }
    for chunk in rows.chunks(2000) {
        crate::per_backend!(conn, |c| diesel::insert_into(email_outbox::table).values(chunk).execute(c))?;
    }
    Ok(rows.len())
}

/// How long to wait before the next attempt after `attempts` failures:
/// 1 min, 5 min, 15 min, 1 h, then every 3 h — never giving up.
pub fn backoff(attempts: i32) -> Duration {
    match attempts {
        ..=1 => Duration::minutes(1),
        2 => Duration::minutes(5),
        3 => Duration::minutes(15),
        4 => Duration::hours(1),
        _ => Duration::hours(3),
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Delivery {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

type Due = (i64, String, String, String, String, i32);

/// Sends what is due at `now` through `transport` (blocking).
pub fn deliver_due(conn: &mut DbConn, transport: &Transport, from: &str, now: NaiveDateTime) -> Result<Delivery> {
    let due: Vec<Due> = email_outbox::table
        .filter(email_outbox::sent_at.is_null())
        .filter(email_outbox::failed_at.is_null())
        .filter(email_outbox::next_attempt_at.le(now))
        .order(email_outbox::id)
        .limit(BATCH)
        .select((
            email_outbox::id,
            email_outbox::to_address,
            email_outbox::subject,
            email_outbox::body,
            email_outbox::message_id,
            email_outbox::attempts,
        ))
        .load(conn)?;
    let mut delivery = Delivery::default();
    for (id, to, subject, body, message_id, attempts) in due {
        let envelope = Envelope { from: from.to_string(), to, subject, body, message_id };
        let row = email_outbox::table.find(id);
        match transport.send(&envelope) {
            Ok(()) => {
                diesel::update(row)
                    .set((email_outbox::sent_at.eq(Some(now)), email_outbox::attempts.eq(attempts + 1)))
                    .execute(conn)?;
                delivery.sent += 1;
            }
            Err(e) if e.is_temporary() || matches!(e, super::MailError::Config(_)) => {
                tracing::warn!(email = id, error = %e, "email not sent; will retry");
                diesel::update(row)
                    .set((
                        email_outbox::attempts.eq(attempts + 1),
                        email_outbox::next_attempt_at.eq(now + backoff(attempts + 1)),
                        email_outbox::last_error.eq(Some(e.to_string())),
                    ))
                    .execute(conn)?;
                delivery.retrying += 1;
            }
            Err(e) => {
                tracing::error!(email = id, error = %e, "email refused for good");
                diesel::update(row)
                    .set((
                        email_outbox::attempts.eq(attempts + 1),
                        email_outbox::failed_at.eq(Some(now)),
                        email_outbox::last_error.eq(Some(e.to_string())),
                    ))
                    .execute(conn)?;
                delivery.failed += 1;
            }
        }
    }
    Ok(delivery)
}
