//! Scheduled jobs, one idempotent function each, looked up by name (the
//! scheduler, `optovik job run NAME` and the admin's "run now" share this).

mod email_outbox;
mod finance_reminders;
pub mod folder_exchange;
mod purge_credentials;
mod reservation_expiry;
mod stock_alerts;

use portal::db::Db;
use portal::journal::Trigger;

/// What a job run did, for the log and the CLI.
#[derive(Debug, Clone, Default)]
pub struct JobReport {
    pub summary: String,
    /// The run found nothing to do: journaled as `idle`, which the journal's
    /// default views leave out and retention removes after a day.
    pub idle: bool,
}

/// A named job.
#[derive(Debug, Clone, Copy)]
pub struct JobSpec {
    pub name: &'static str,
    /// Default schedule: six-field cron, seconds first.
    pub default_cron: &'static str,
    pub description: &'static str,
}

/// Every job the scheduler knows.
pub const JOBS: &[JobSpec] = &[
    JobSpec {
        name: purge_credentials::NAME,
        default_cron: "0 17 * * * *",
        description: "remove expired sessions, API tokens and 1C exchange sessions",
    },
    JobSpec {
        name: email_outbox::NAME,
        default_cron: "*/20 * * * * *",
        description: "send queued emails (retries with backoff)",
    },
    JobSpec {
        name: reservation_expiry::NAME,
        default_cron: "0 * * * * *",
        description: "warn before reservations lapse; release lapsed ones",
    },
    JobSpec {
        name: stock_alerts::NAME,
        default_cron: "15 */5 * * * *",
        description: "tell buyers what is back in stock and staff what runs low",
    },
    JobSpec {
        name: finance_reminders::NAME,
        default_cron: "0 0 7 * * *",
        description: "remind buyers of payments falling due and overdue",
    },
    JobSpec {
        name: folder_exchange::FULL_IMPORT,
        default_cron: "0 30 2 * * *",
        description: "import every file in the exchange inbox, catalogs included (nightly)",
    },
    JobSpec {
        name: folder_exchange::STOCK_IMPORT,
        default_cron: "0 */5 * * * *",
        description: "import stock, prices, price lists and status files from the exchange inbox",
    },
    JobSpec {
        name: folder_exchange::ORDER_EXPORT,
        default_cron: "30 */5 * * * *",
        description: "write new and changed orders to the exchange outbox",
    },
    JobSpec {
        name: folder_exchange::NAME,
        default_cron: "",
        description: "the whole folder exchange in one pass (for run now; not scheduled by default)",
    },
];

/// Runs one job by name on the calling (blocking) thread; what it journals
/// of its own (imports, deliveries) carries `trigger`, like its run.
pub fn run_blocking(db: &Db, name: &str, trigger: Trigger) -> anyhow::Result<JobReport> {
    match name {
        purge_credentials::NAME => purge_credentials::run(db),
        reservation_expiry::NAME => reservation_expiry::run(db),
        email_outbox::NAME => email_outbox::run(db),
        finance_reminders::NAME => finance_reminders::run(db),
        stock_alerts::NAME => stock_alerts::run(db),
        folder_exchange::NAME
        | folder_exchange::FULL_IMPORT
        | folder_exchange::STOCK_IMPORT
        | folder_exchange::ORDER_EXPORT => folder_exchange::run(db, name, trigger),
        other => anyhow::bail!("unknown job {other:?}; known: {}", names().join(", ")),
    }
}

pub fn names() -> Vec<&'static str> {
    JOBS.iter().map(|j| j.name).collect()
}
