//! Leases for scheduled jobs: with several portal instances on one database,
//! each schedule tick of a job runs on exactly one of them. A lease expires,
//! so a crashed instance cannot hold a job forever. The scheduler lives in
//! the connector crate; this is only the shared lock.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::job_leases;
use crate::db::DbConn;
use crate::error::Result;
use crate::per_backend;

/// Takes the lease on `job` for the run of `tick` (the scheduled time,
/// truncated to the second), if no one holds it and that tick has not run
/// yet. Returns whether `holder` may run the job now.
pub fn try_acquire(conn: &mut DbConn, job: &str, holder: &str, tick: NaiveDateTime, ttl: Duration) -> Result<bool> {
    let now = Utc::now().naive_utc();
    let expires_at = now + ttl;
    let taken = diesel::update(
        job_leases::table
            .filter(job_leases::name.eq(job))
            .filter(job_leases::expires_at.lt(now))
            .filter(job_leases::last_tick.lt(tick)),
    )
    .set((job_leases::holder.eq(holder), job_leases::expires_at.eq(expires_at), job_leases::last_tick.eq(tick)))
    .execute(conn)?;
    if taken == 1 {
        return Ok(true);
    }
    let row = (
        job_leases::name.eq(job),
        job_leases::holder.eq(holder),
        job_leases::expires_at.eq(expires_at),
        job_leases::last_tick.eq(tick),
    );
    let inserted =
        per_backend!(conn, |c| diesel::insert_into(job_leases::table).values(row).on_conflict_do_nothing().execute(c))?;
    Ok(inserted == 1)
}

/// Ends `holder`'s lease (the run finished); the tick stays recorded.
pub fn release(conn: &mut DbConn, job: &str, holder: &str) -> Result<()> {
    let past = Utc::now().naive_utc() - Duration::seconds(1);
    diesel::update(job_leases::table.filter(job_leases::name.eq(job)).filter(job_leases::holder.eq(holder)))
        .set(job_leases::expires_at.eq(past))
        .execute(conn)?;
    Ok(())
}

/// Runs scheduled jobs on request (the admin's "run now"). The connector
/// implements it; the portal only knows this interface, so the dependency
/// stays connector → portal.
pub trait JobRunner: Send + Sync {
    /// The jobs there are.
    fn names(&self) -> Vec<&'static str>;
    /// Runs `name` now (blocking); the journal run's id, or `None` when
    /// another instance is running it.
    fn run_now(&self, name: &str, trigger: crate::journal::Trigger) -> std::result::Result<Option<i64>, String>;
    /// Imports (or, with `dry_run`, only measures) one exchange file of
    /// `size` bytes read from `input` (an upload in memory, a stored 1C
    /// upload), finding the pictures and documents a catalog names in
    /// `files`; the journal run's id either way — its status tells success
    /// or failure.
    fn import_file(
        &self,
        name: &str,
        size: u64,
        input: &mut (dyn std::io::Read + Send),
        files: &dyn crate::media::FileSource,
        dry_run: bool,
        trigger: crate::journal::Trigger,
    ) -> std::result::Result<i64, String>;
    /// New and changed orders as a CommerceML file for the ERP, with their ids
    /// and the moment they were read.
    fn orders_xml(&self) -> std::result::Result<(Vec<u8>, Vec<crate::ids::OrderId>, chrono::NaiveDateTime), String>;
}
