//! Payment reminders, run daily by a job: each debt still open is announced
//! to the buyers of its company (cabinet and email, in each one's language)
//! once when it falls due within the next days, and once when it is
//! overdue; the contract's manager gets the overdue one in the cabinet.
//! Debts are settled oldest first, as on the balances page, so a debt the
//! payments cover is never reminded of.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::ledger::entries;
use super::position::settle;
use crate::accounts::{Contract, Role, UserId};
use crate::db::schema::{contracts, ledger_entries, users};
use crate::db::{write_transaction, DbConn};
use crate::error::Result;
use crate::money::Money;
use crate::notifications::{notify, NotificationKind};
use crate::settings;

/// Days before the due date a reminder goes out (setting, default 3).
pub const REMINDER_DAYS: &str = "payment_reminder_days";

/// What a run sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reminded {
    pub due_soon: usize,
    pub overdue: usize,
}

/// Sends the reminders due `today`.
pub fn run(conn: &mut DbConn, today: NaiveDate) -> Result<Reminded> {
    let days = settings::get(conn, REMINDER_DAYS)?.and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(3);
    let base = settings::public_url(conn)?;
    write_transaction(conn, |conn| {
        // Contracts with a debt not yet reminded of as overdue.
        let pending: Vec<i64> = ledger_entries::table
            .filter(ledger_entries::debit_minor.gt(0))
            .filter(ledger_entries::due_date.is_not_null())
            .filter(ledger_entries::reminded.ne("overdue"))
            .select(ledger_entries::contract_id)
            .distinct()
            .load(conn)?;
        let mut sent = Reminded::default();
        for contract_id in pending {
            let contract: Contract = contracts::table.find(contract_id).select(Contract::as_select()).first(conn)?;
            let reminded: std::collections::HashMap<i64, String> = ledger_entries::table
                .filter(ledger_entries::contract_id.eq(contract_id))
                .select((ledger_entries::id, ledger_entries::reminded))
                .load::<(i64, String)>(conn)?
                .into_iter()
                .collect();
            for document in settle(entries(conn, contract_id)?, today) {
                let Some(due) = document.entry.due_date.filter(|_| document.open_minor > 0) else { continue };
                let before = reminded.get(&document.entry.id).map(String::as_str).unwrap_or("");
                let (kind, mark) = if due < today && before != "overdue" {
                    (NotificationKind::PaymentOverdue, "overdue")
                } else if due >= today && due <= today + Duration::days(days) && before.is_empty() {
                    (NotificationKind::PaymentDue, "due")
                } else {
                    continue;
                };
                // Amounts as each recipient writes them.
                let args = |locale: &str| {
                    [
                        ("number", document.entry.number.clone()),
                        ("contract", contract.number.clone()),
                        ("amount", Money(document.open_minor).format(locale)),
                        ("due", due.format("%d.%m.%Y").to_string()),
                        ("url", format!("{base}/finance?contract={}", contract.id)),
                    ]
                };
                for (buyer, locale) in buyers_of(conn, contract.company_id)? {
                    notify(conn, buyer, None, kind, &args(&locale))?;
                }
                if let (Some(manager), NotificationKind::PaymentOverdue) = (contract.manager_id, kind) {
                    let locale: String = users::table.find(manager).select(users::locale).first(conn)?;
                    crate::notifications::notify_cabinet(conn, UserId(manager), None, kind, &args(&locale))?;
                }
                diesel::update(ledger_entries::table.find(document.entry.id))
                    .set(ledger_entries::reminded.eq(mark))
                    .execute(conn)?;
                match kind {
                    NotificationKind::PaymentOverdue => sent.overdue += 1,
                    _ => sent.due_soon += 1,
                }
            }
        }
        Ok(sent)
    })
}

/// The company's active buyers, with their language.
fn buyers_of(conn: &mut DbConn, company_id: i64) -> Result<Vec<(UserId, String)>> {
    Ok(users::table
        .filter(users::company_id.eq(company_id))
        .filter(users::role.eq(Role::Buyer))
        .filter(users::active.eq(true))
        .select((users::id, users::locale))
        .load::<(UserId, String)>(conn)?)
}
