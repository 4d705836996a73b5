//! Payment reminders: before a debt falls due and once it is overdue (see
//! `portal::finance::reminders`).

use portal::db::Db;

use super::JobReport;

pub const NAME: &str = "finance-reminders";

pub fn run(db: &Db) -> anyhow::Result<JobReport> {
    let mut conn = db.conn()?;
    let today = portal::finance::today(&mut conn)?;
    let sent = portal::finance::reminders::run(&mut conn, today)?;
    Ok(JobReport {
        summary: format!("reminded of {} payments falling due, {} overdue", sent.due_soon, sent.overdue),
        idle: sent.due_soon + sent.overdue == 0,
    })
}
