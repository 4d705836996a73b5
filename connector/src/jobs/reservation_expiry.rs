//! The reservation clock: warns before reservations lapse and releases the
//! stock of those that did (see `portal::ordering::expiry`).

use chrono::{Duration, Utc};
use portal::db::Db;
use portal::settings;

use super::JobReport;

pub const NAME: &str = "reservation-expiry";

pub fn run(db: &Db) -> anyhow::Result<JobReport> {
    let mut conn = db.conn()?;
    let hours = settings::get(&mut conn, settings::RESERVATION_WARNING_HOURS)?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(24);
    let report = portal::ordering::expiry::run(&mut conn, Utc::now().naive_utc(), Duration::hours(hours))?;
    Ok(JobReport {
        summary: format!(
            "warned {} orders, expired {} ({} lines released)",
            report.warned, report.expired, report.released_lines
        ),
        idle: report.warned + report.expired == 0,
    })
}
