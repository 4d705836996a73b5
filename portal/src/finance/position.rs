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

/// Reads a contract's figures with two aggregate queries instead of the
/// whole ledger: the sums, then over only the debts still open — the newest
/// ones, since payments settle the oldest first (as `settle` does) — what
/// is past due and since when.
fn ledger_figures(conn: &mut DbConn, contract_id: i64, today: NaiveDate) -> Result<LedgerFigures> {
    use crate::db::schema::ledger_entries;
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let (debits, credits, debts): (i64, i64, i64) = ledger_entries::table
        .filter(ledger_entries::contract_id.eq(contract_id))
        .select((
            sql::<BigInt>("CAST(COALESCE(SUM(debit_minor), 0) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(credit_minor), 0) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(CASE WHEN debit_minor > 0 THEN 1 ELSE 0 END), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    let mut figures = LedgerFigures { balance: debits - credits, overdue: 0, overdue_days: 0 };
    if figures.balance <= 0 {
        return Ok(figures);
    }
    // About as many of the newest debts as the balance needs, by the average
    // debt (a little more, so that one read usually covers it).
    let average = (debits / debts.max(1)).max(1);
    let mut newest = (figures.balance / average + figures.balance / average / 8 + 16).clamp(16, 1 << 20);
    loop {
        let open = open_debts(conn, contract_id, figures.balance, newest, today)?;
        if open.open_minor >= figures.balance || newest >= debts {
            figures.overdue = open.overdue_minor;
            figures.overdue_days = open.earliest_due.map_or(0, |due| (today - due).num_days());
            return Ok(figures);
        }
        newest *= 4;
    }
}

/// What the newest `newest` debts of a contract leave open of `balance`
/// (payments settle the oldest first), and how much of that is past due.
#[derive(diesel::QueryableByName)]
struct OpenDebts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    open_minor: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    overdue_minor: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
    earliest_due: Option<NaiveDate>,
}

/// One statement on either database: each of the newest debts with the sum
/// of those newer than it (a window), so each one's open part is
/// `min(debit, balance − newer)` while `newer < balance`. The values are
/// typed integers and a date, written into the text (no placeholders,
/// whose syntax differs between the backends).
fn open_debts(conn: &mut DbConn, contract_id: i64, balance: i64, newest: i64, today: NaiveDate) -> Result<OpenDebts> {
    let today = today.format("%Y-%m-%d");
    let open = format!("(CASE WHEN newer + debit_minor <= {balance} THEN debit_minor ELSE {balance} - newer END)");
    let sql = format!(
        "SELECT CAST(COALESCE(SUM({open}), 0) AS BIGINT) AS open_minor, \
         CAST(COALESCE(SUM(CASE WHEN due_date < '{today}' THEN {open} ELSE 0 END), 0) AS BIGINT) AS overdue_minor, \
         MIN(CASE WHEN due_date < '{today}' THEN due_date END) AS earliest_due \
         FROM (SELECT debit_minor, due_date, COALESCE(SUM(debit_minor) OVER (ORDER BY entry_date DESC, id DESC \
         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer \
         FROM (SELECT id, entry_date, debit_minor, due_date FROM ledger_entries \
         WHERE contract_id = {contract_id} AND debit_minor > 0 ORDER BY entry_date DESC, id DESC LIMIT {newest}) latest) debts \
         WHERE newer < {balance}"
    );
    Ok(crate::per_backend!(conn, |c| diesel::sql_query(&sql).get_result::<OpenDebts>(c))?)
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
