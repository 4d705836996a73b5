//! Where a contract stands: the balance (the ERP's when it sent one, else
//! the ledger's sum), the credit limit and what is left of it, overdue debt,
//! and each debt document with what of it is paid. Payments are applied to
//! the oldest debts first, as accountants reconcile them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::ledger::{entries, Entry};
use crate::accounts::{CompanyId, Contract};
use crate::db::schema::{contract_balances, contracts};
use crate::db::DbConn;
use crate::error::Result;
use crate::ordering::orders::{scoped_contracts, Scope};

/// The ERP's balance of a contract.
#[derive(Debug, Clone, Copy, Queryable, Serialize)]
pub struct ErpBalance {
    pub balance_minor: i64,
    pub as_of: NaiveDate,
    pub received_at: NaiveDateTime,
}

/// One contract's position.
#[derive(Debug, Clone, Serialize)]
pub struct Position {
    pub contract: Contract,
    /// Owed to the supplier (negative: the buyer has paid in advance).
    pub balance_minor: i64,
    /// The ledger's own sum (debits − credits), shown beside the ERP's figure.
    pub ledger_balance_minor: i64,
    pub erp_balance: Option<ErpBalance>,
    /// What may still be ordered on credit (0 on prepayment contracts).
    pub available_minor: i64,
    /// Debt past its due date.
    pub overdue_minor: i64,
    /// Days the oldest unpaid overdue document is past due (0 when none).
    pub overdue_days: i64,
}

impl Position {
    /// Whether the contract is prepayment only.
    pub fn prepayment(&self) -> bool {
        self.contract.credit_limit_minor <= 0
    }
}

/// A debt or credit document with what of it is settled.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub entry: Entry,
    /// For a debt: what the credits cover of it (oldest debts first).
    pub paid_minor: i64,
    /// For a debt: what is still owed.
    pub open_minor: i64,
    /// For an open debt past due: how many days.
    pub days_overdue: i64,
}

/// Applies the credits to the debits, oldest debt first.
pub fn settle(entries: Vec<Entry>, today: NaiveDate) -> Vec<Document> {
    let mut credit: i64 = entries.iter().map(|e| e.credit_minor).sum();
    entries
        .into_iter()
        .map(|entry| {
            let paid = entry.debit_minor.min(credit.max(0));
            credit -= paid;
            let open = entry.debit_minor - paid;
            let days_overdue = match entry.due_date {
                Some(due) if open > 0 && due < today => (today - due).num_days(),
                _ => 0,
            };
            Document { entry, paid_minor: paid, open_minor: open, days_overdue }
        })
        .collect()
}

fn erp_balances(conn: &mut DbConn, ids: &[i64]) -> Result<HashMap<i64, ErpBalance>> {
    Ok(contract_balances::table
        .filter(contract_balances::contract_id.eq_any(ids))
        .select((
            contract_balances::contract_id,
            (contract_balances::balance_minor, contract_balances::as_of, contract_balances::received_at),
        ))
        .load::<(i64, ErpBalance)>(conn)?
        .into_iter()
        .collect())
}

/// What the ledger alone says of a contract: its sum, and the overdue
/// amount and days of the debts still open.
struct LedgerFigures {
    balance: i64,
    overdue: i64,
    overdue_days: i64,
}

/// Reads a contract's figures with a few small queries instead of the
/// whole ledger: the sums, then only the debts still open — the newest
/// ones, since payments settle the oldest first (as `settle` does) — newest
/// to oldest until the open amount is accounted for.
fn ledger_figures(conn: &mut DbConn, contract_id: i64, today: NaiveDate) -> Result<LedgerFigures> {
    use crate::db::schema::ledger_entries;
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let (debits, credits): (i64, i64) = ledger_entries::table
        .filter(ledger_entries::contract_id.eq(contract_id))
        .select((
            sql::<BigInt>("CAST(COALESCE(SUM(debit_minor), 0) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(credit_minor), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    let mut figures = LedgerFigures { balance: debits - credits, overdue: 0, overdue_days: 0 };
    let mut unaccounted = figures.balance;
    // Pages newest to oldest by key (never OFFSET), growing: most contracts
    // are settled within the first page, a ledger with thousands of open
    // debts is read in a few.
    let mut after: Option<(NaiveDate, i64)> = None;
    let mut size = 256;
    while unaccounted > 0 {
        let mut query = ledger_entries::table
            .filter(ledger_entries::contract_id.eq(contract_id))
            .filter(ledger_entries::debit_minor.gt(0))
            .into_boxed();
        if let Some((date, id)) = after {
            query = query.filter(
                ledger_entries::entry_date
                    .lt(date)
                    .or(ledger_entries::entry_date.eq(date).and(ledger_entries::id.lt(id))),
            );
        }
        let page: Vec<(i64, NaiveDate, i64, Option<NaiveDate>)> = query
            .order((ledger_entries::entry_date.desc(), ledger_entries::id.desc()))
            .select((
                ledger_entries::id,
                ledger_entries::entry_date,
                ledger_entries::debit_minor,
                ledger_entries::due_date,
            ))
            .limit(size)
            .load(conn)?;
        let Some(&(last_id, last_date, _, _)) = page.last() else { break };
        after = Some((last_date, last_id));
        size = (size * 4).min(16_384);
        for (_, _, debit, due) in page {
            let open = debit.min(unaccounted);
            unaccounted -= open;
            if let Some(due) = due.filter(|d| *d < today) {
                figures.overdue += open;
                figures.overdue_days = figures.overdue_days.max((today - due).num_days());
            }
            if unaccounted <= 0 {
                break;
            }
        }
    }
    Ok(figures)
}

fn position(contract: Contract, figures: LedgerFigures, erp: Option<ErpBalance>) -> Position {
    let balance = erp.map_or(figures.balance, |e| e.balance_minor);
    let available = (contract.credit_limit_minor - balance.max(0)).max(0);
    Position {
        contract,
        balance_minor: balance,
        ledger_balance_minor: figures.balance,
        erp_balance: erp,
        available_minor: available,
        overdue_minor: figures.overdue,
        overdue_days: figures.overdue_days,
    }
}

/// The position of one contract (the checkout's credit check).
pub fn summary_of(conn: &mut DbConn, contract: Contract, today: NaiveDate) -> Result<Position> {
    let figures = ledger_figures(conn, contract.id, today)?;
    let erp = erp_balances(conn, &[contract.id])?.remove(&contract.id);
    Ok(position(contract, figures, erp))
}

/// The positions of the contracts a scope covers (optionally one company's),
/// active contracts only, by company and number.
pub fn positions(
    conn: &mut DbConn,
    scope: Scope,
    company: Option<CompanyId>,
    today: NaiveDate,
) -> Result<Vec<Position>> {
    let mut query = scoped_contracts(scope).filter(contracts::active.eq(true));
    if let Some(company) = company {
        query = query.filter(contracts::company_id.eq(company.0));
    }
    let list: Vec<Contract> =
        query.order((contracts::company_id, contracts::number)).select(Contract::as_select()).load(conn)?;
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let mut erp = erp_balances(conn, &ids)?;
    let mut out = Vec::with_capacity(list.len());
    for contract in list {
        let figures = ledger_figures(conn, contract.id, today)?;
        let erp = erp.remove(&contract.id);
        out.push(position(contract, figures, erp));
    }
    Ok(out)
}

/// One contract the scope covers, or "not found".
pub fn contract_in(conn: &mut DbConn, scope: Scope, contract_id: i64) -> Result<Contract> {
    scoped_contracts(scope)
        .filter(contracts::id.eq(contract_id))
        .select(Contract::as_select())
        .first(conn)
        .map_err(crate::error::Error::from_lookup)
}

/// A contract's documents dated within `from..=to` (either end open), with
/// their settlement computed over the whole ledger.
pub fn documents(
    conn: &mut DbConn,
    contract_id: i64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Vec<Document>> {
    Ok(settle(entries(conn, contract_id)?, today)
        .into_iter()
        .filter(|d| from.is_none_or(|f| d.entry.entry_date >= f) && to.is_none_or(|t| d.entry.entry_date <= t))
        .collect())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::finance::{EntryKind, EntrySource};

    fn entry(kind: EntryKind, date: (u32, u32), debit: i64, credit: i64, due: Option<(u32, u32)>) -> Entry {
        let day = |(m, d)| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        Entry {
            id: 0,
            contract_id: 1,
            kind,
            number: String::new(),
            entry_date: day(date),
            debit_minor: debit,
            credit_minor: credit,
            due_date: due.map(day),
            order_id: None,
            source: EntrySource::Portal,
            updated_at: Utc::now().naive_utc(),
        }
    }

    #[test]
    fn payments_settle_the_oldest_debts_first() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).expect("date");
        let docs = settle(
            vec![
                entry(EntryKind::Shipment, (10, 1), 10_000, 0, Some((10, 31))),
                entry(EntryKind::Shipment, (11, 1), 5_000, 0, Some((12, 1))),
                entry(EntryKind::Payment, (11, 15), 0, 12_000, None),
                entry(EntryKind::Shipment, (12, 1), 7_000, 0, Some((12, 31))),
            ],
            today,
        );
        let open: Vec<i64> = docs.iter().map(|d| d.open_minor).collect();
        assert_eq!(open, [0, 3_000, 0, 7_000]);
        let overdue: Vec<i64> = docs.iter().map(|d| d.days_overdue).collect();
        assert_eq!(overdue, [0, 4, 0, 0], "only the partly paid debt is past due");
    }
}
