//! Delivers queued emails: over SMTP when `SMTP_URL` is set, otherwise as
//! `.eml` files in `OPTOVIK_MAIL_DIR` (default `./data/mail`). The sender is
//! `OPTOVIK_MAIL_FROM`.

use std::path::PathBuf;

use chrono::Utc;
use portal::db::Db;
use portal::mail::outbox::deliver_due;
use portal::mail::Transport;

use super::JobReport;

pub const NAME: &str = "email-outbox";

pub fn run(db: &Db) -> anyhow::Result<JobReport> {
    let smtp = std::env::var("SMTP_URL").ok().filter(|v| !v.trim().is_empty());
    let dir = PathBuf::from(std::env::var("OPTOVIK_MAIL_DIR").unwrap_or_else(|_| "./data/mail".into()));
    let from = std::env::var("OPTOVIK_MAIL_FROM").unwrap_or_else(|_| "Оптовик <noreply@optovik.local>".into());
    let transport = Transport::from_url(smtp.as_deref(), &dir).map_err(|e| anyhow::anyhow!("mail transport: {e}"))?;
    let delivery = deliver_due(&mut *db.conn()?, &transport, &from, Utc::now().naive_utc())?;
    Ok(JobReport {
        summary: format!("sent {}, retrying {}, failed {}", delivery.sent, delivery.retrying, delivery.failed),
        idle: delivery.sent + delivery.retrying + delivery.failed == 0,
    })
}
