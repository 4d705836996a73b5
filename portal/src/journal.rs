//! The journal of runs: every scheduled job, import or exchange records what
//! started it, what it read, what it changed, its errors with their place and
//! how long it took. Admins read it on `/admin/journal` and through the API.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::sync_runs;
use crate::db::stored_text::stored_text_enum;
use crate::db::DbConn;
use crate::error::{Error, Result};

stored_text_enum! {
    /// What started a run.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum Trigger {
        Schedule = "schedule",
        Cli = "cli",
        Admin = "admin",
        Erp = "erp",
    }
}

stored_text_enum! {
    /// Where a run is, or how it ended.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum RunStatus {
        Running = "running",
        Success = "success",
        /// It succeeded with nothing to do; left out of default views.
        Idle = "idle",
        Failure = "failure",
        /// Its process stopped during the run.
        Interrupted = "interrupted",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = sync_runs)]
pub struct Run {
    pub id: i64,
    pub job: String,
    pub triggered_by: Trigger,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub status: RunStatus,
    pub summary: String,
    /// JSON object of counts (created, updated, unchanged, …).
    pub counts: String,
    /// JSON list of errors, each with its place.
    pub errors: String,
    /// JSON list of files read, with sizes and hashes.
    pub files: String,
    pub duration_ms: Option<i64>,
}

/// How a run ended.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub success: bool,
    /// It succeeded with nothing to do (status `idle`).
    pub idle: bool,
    pub summary: String,
    pub counts: serde_json::Value,
    pub errors: Vec<serde_json::Value>,
    pub files: Vec<serde_json::Value>,
}

/// Records that `job` started; returns the run's id.
pub fn start(conn: &mut DbConn, job: &str, trigger: Trigger) -> Result<i64> {
    Ok(diesel::insert_into(sync_runs::table)
        .values((
            sync_runs::job.eq(job),
            sync_runs::triggered_by.eq(trigger),
            sync_runs::started_at.eq(Utc::now().naive_utc()),
            sync_runs::status.eq(RunStatus::Running),
            sync_runs::holder.eq(Some(crate::process::identity())),
        ))
        .returning(sync_runs::id)
        .get_result(conn)?)
}

/// Records how run `id` ended.
pub fn finish(conn: &mut DbConn, id: i64, outcome: &Outcome) -> Result<()> {
    let started: NaiveDateTime = sync_runs::table.find(id).select(sync_runs::started_at).first(conn)?;
    let now = Utc::now().naive_utc();
    diesel::update(sync_runs::table.find(id))
        .set((
            sync_runs::finished_at.eq(Some(now)),
            sync_runs::status.eq(match (outcome.success, outcome.idle) {
                (false, _) => RunStatus::Failure,
                (true, true) => RunStatus::Idle,
                (true, false) => RunStatus::Success,
            }),
            sync_runs::summary.eq(&outcome.summary),
            sync_runs::counts.eq(if outcome.counts.is_null() { "{}".to_string() } else { outcome.counts.to_string() }),
            sync_runs::errors.eq(serde_json::Value::from(outcome.errors.clone()).to_string()),
            sync_runs::files.eq(serde_json::Value::from(outcome.files.clone()).to_string()),
            sync_runs::duration_ms.eq(Some((now - started).num_milliseconds())),
        ))
        .execute(conn)?;
    Ok(())
}

/// A run still "running" after this long is taken to be interrupted even
/// when its process cannot be checked (another host).
const STALE_HOURS: i64 = 24;

/// Marks as interrupted the runs left "running" by a process that is gone
/// (killed, crashed) or that have run implausibly long. Each import is one
/// transaction, so an interrupted import changed nothing. Returns how many.
pub fn sweep_interrupted(conn: &mut DbConn) -> Result<usize> {
    let running: Vec<(i64, Option<String>, NaiveDateTime)> = sync_runs::table
        .filter(sync_runs::status.eq(RunStatus::Running))
        .select((sync_runs::id, sync_runs::holder, sync_runs::started_at))
        .load(conn)?;
    let now = Utc::now().naive_utc();
    let mut swept = 0;
    for (id, holder, started_at) in running {
        let gone = holder.as_deref().is_none_or(crate::process::is_gone);
        if !gone && now - started_at < chrono::Duration::hours(STALE_HOURS) {
            continue;
        }
        swept += diesel::update(sync_runs::table.find(id).filter(sync_runs::status.eq(RunStatus::Running)))
            .set((
                sync_runs::status.eq(RunStatus::Interrupted),
                sync_runs::finished_at.eq(Some(now)),
                sync_runs::summary.eq(
                    "interrupted: the process stopped during the run; an import changes nothing unless it completes",
                ),
            ))
            .execute(conn)?;
    }
    Ok(swept)
}

/// Records that an order channel took orders (`orders-1c`, `orders-folder`,
/// `orders-api` in the journal), with their numbers. Nothing is written
/// when it took none.
pub fn record_delivery(
    conn: &mut DbConn,
    channel: &str,
    trigger: Trigger,
    orders: &[crate::ids::OrderId],
) -> Result<()> {
    if orders.is_empty() {
        return Ok(());
    }
    use crate::db::schema::orders as order_table;
    let numbers: Vec<String> = order_table::table
        .filter(order_table::id.eq_any(orders))
        .order(order_table::id)
        .select(order_table::number)
        .load(conn)?;
    let run = start(conn, &format!("orders-{channel}"), trigger)?;
    let shown: Vec<&str> = numbers.iter().take(20).map(String::as_str).collect();
    let more = numbers.len().saturating_sub(shown.len());
    let summary = format!(
        "{} orders taken through {channel}: {}{}",
        numbers.len(),
        shown.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() }
    );
    finish(
        conn,
        run,
        &Outcome {
            success: true,
            summary,
            counts: serde_json::json!({ "orders": numbers.len() }),
            ..Outcome::default()
        },
    )
}

/// The latest runs, newest first, optionally of one job. Runs that found
/// nothing to do (`idle`) are left out.
pub fn latest(conn: &mut DbConn, job: Option<&str>, limit: i64) -> Result<Vec<Run>> {
    latest_with(conn, job, limit, false)
}

/// The latest runs, newest first, optionally of one job, idle ones too when asked.
pub fn latest_with(conn: &mut DbConn, job: Option<&str>, limit: i64, include_idle: bool) -> Result<Vec<Run>> {
    let mut query = sync_runs::table.order(sync_runs::id.desc()).limit(limit).select(Run::as_select()).into_boxed();
    if let Some(job) = job {
        query = query.filter(sync_runs::job.eq(job.to_string()));
    }
    if !include_idle {
        query = query.filter(sync_runs::status.ne(RunStatus::Idle));
    }
    Ok(query.load(conn)?)
}

/// How many idle runs there were since `since` (folded into one line on the admin page).
pub fn idle_since(conn: &mut DbConn, since: NaiveDateTime) -> Result<i64> {
    Ok(sync_runs::table
        .filter(sync_runs::status.eq(RunStatus::Idle))
        .filter(sync_runs::started_at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Idle runs are kept a day; every other finished run `RETENTION_DAYS`
/// (the setting `journal_retention_days`, default 180).
pub const RETENTION_DAYS: &str = "journal_retention_days";

/// Removes runs past their retention; returns how many.
pub fn apply_retention(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize> {
    let days = crate::settings::get(conn, RETENTION_DAYS)?.and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(180);
    let idle = diesel::delete(
        sync_runs::table
            .filter(sync_runs::status.eq(RunStatus::Idle))
            .filter(sync_runs::started_at.lt(now - chrono::Duration::days(1))),
    )
    .execute(conn)?;
    let old = diesel::delete(
        sync_runs::table
            .filter(sync_runs::status.ne(RunStatus::Running))
            .filter(sync_runs::started_at.lt(now - chrono::Duration::days(days.max(1)))),
    )
    .execute(conn)?;
    Ok(idle + old)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Run> {
    sync_runs::table.find(id).select(Run::as_select()).first(conn).map_err(Error::from_lookup)
}
