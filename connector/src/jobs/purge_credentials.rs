//! Housekeeping: deletes expired browser sessions and API tokens.

use portal::accounts::{sessions, tokens};
use portal::db::Db;

use super::JobReport;

pub const NAME: &str = "purge-credentials";

pub fn run(db: &Db) -> anyhow::Result<JobReport> {
    let mut conn = db.conn()?;
    let sessions = sessions::purge_expired(&mut conn)?;
    let tokens = tokens::purge_expired(&mut conn)?;
    Ok(JobReport { summary: format!("removed {sessions} expired sessions and {tokens} expired tokens") })
}
