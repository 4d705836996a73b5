//! The scheduler: runs each configured job on its cron schedule (in the
//! configured time zone). A job never overlaps itself on one instance (a
//! local guard), and across instances only the holder of its database lease
//! runs it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono_tz::Tz;
use portal::db::Db;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::jobs;
use crate::runner::{current_tick, run_leased};

/// Which jobs run when, from the configuration.
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    pub timezone: Tz,
    /// Job name → six-field cron expression (seconds first). Jobs not listed
    /// run on their default schedule; an empty expression disables a job.
    pub overrides: HashMap<String, String>,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig { timezone: chrono_tz::Europe::Moscow, overrides: HashMap::new() }
    }
}

/// Starts the scheduler with every enabled job; keep the handle alive.
pub async fn start(db: Db, config: &ScheduleConfig, instance: String) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    for spec in jobs::JOBS {
        let cron = config.overrides.get(spec.name).map(String::as_str).unwrap_or(spec.default_cron);
        if cron.trim().is_empty() {
            tracing::info!(job = spec.name, "job not scheduled (no cron expression; run it by name)");
            continue;
        }
        let running = Arc::new(AtomicBool::new(false));
        let (db, instance, name) = (db.clone(), instance.clone(), spec.name);
        let job = Job::new_async_tz(cron, config.timezone, move |_id, _scheduler| {
            let (db, instance, running) = (db.clone(), instance.clone(), running.clone());
            Box::pin(async move {
                let tick = current_tick();
                if running.swap(true, Ordering::SeqCst) {
                    tracing::warn!(job = name, "previous run still going; skipping this tick");
                    return;
                }
                let outcome = tokio::task::spawn_blocking(move || {
                    run_leased(&db, name, &instance, tick, portal::journal::Trigger::Schedule)
                })
                .await;
                running.store(false, Ordering::SeqCst);
                match outcome {
                    Ok(Ok(Some((_, report)))) => tracing::info!(job = name, "{}", report.summary),
                    Ok(Ok(None)) => tracing::debug!(job = name, "another instance holds the lease"),
                    Ok(Err(e)) => tracing::error!(job = name, error = %e, "job failed"),
                    Err(e) => tracing::error!(job = name, error = %e, "job panicked"),
                }
            })
        })
        .map_err(|e| anyhow::anyhow!("job {}: bad cron expression {cron:?}: {e}", spec.name))?;
        scheduler.add(job).await?;
        tracing::info!(job = spec.name, cron, "job scheduled");
    }
    scheduler.start().await?;
    Ok(scheduler)
}
