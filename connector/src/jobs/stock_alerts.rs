//! Back-in-stock and low-stock alerts (see `portal::stock_alerts`): also run
//! after every import that changed something; on a schedule because stock
//! moves with reservations too.

use portal::db::Db;

use super::JobReport;

pub const NAME: &str = "stock-alerts";

pub fn run(db: &Db) -> anyhow::Result<JobReport> {
    let told = portal::stock_alerts::check(&mut *db.conn()?)?;
    Ok(JobReport {
        summary: format!("{} back in stock told, {} low-stock alerts", told.back_in_stock, told.low_stock),
        idle: told.back_in_stock + told.low_stock == 0,
    })
}
