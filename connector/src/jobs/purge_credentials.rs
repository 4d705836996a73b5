//! Housekeeping: deletes expired browser sessions, API tokens and 1C
//! exchange sessions, and marks journal runs whose process is gone as
//! interrupted.

use portal::accounts::{exchange_sessions, sessions, tokens};
use portal::db::Db;

use super::JobReport;

pub const NAME: &str = "purge-credentials";

pub fn run(db: &Db) -> anyhow::Result<JobReport> {
    let mut conn = db.conn()?;
    let sessions = sessions::purge_expired(&mut conn)?;
    let tokens = tokens::purge_expired(&mut conn)?;
    let exchange = exchange_sessions::purge_expired(&mut conn)?;
    let interrupted = portal::journal::sweep_interrupted(&mut conn)?;
    let retired = portal::journal::apply_retention(&mut conn, chrono::Utc::now().naive_utc())?;
    Ok(JobReport {
        summary: format!(
            "removed {sessions} expired sessions, {tokens} expired tokens and {exchange} expired exchange sessions; \
             {interrupted} interrupted runs; {retired} old journal runs removed"
        ),
        idle: sessions + tokens + exchange + interrupted + retired == 0,
    })
}
