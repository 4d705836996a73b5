//! The ERP's ledger ("взаиморасчёты") as rows: each names a contract (its
//! number, and/or the company's ИНН/КПП), a document kind, number and date,
//! a debit or credit and a due date — or, as kind "сальдо"/"balance", the
//! ERP's balance of the contract as of the date. A spreadsheet (through the
//! connector) and the JSON API both arrive here. Every row is checked before
//! anything is written: one bad row and the file changes nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::ledger::{due_date, put_erp_many, NewEntry};
use super::EntryKind;
use crate::accounts::Contract;
use crate::db::schema::{companies, contract_balances, contracts};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::money::Money;

/// What a row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Entry(EntryKind),
    /// The ERP's balance of the contract (debit − credit of the row).
    Balance,
}

/// Reads a document kind as ERPs name it, in Russian or English.
pub fn parse_kind(text: &str) -> Option<RowKind> {
    let t = text.trim().to_lowercase().replace('ё', "е");
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| t.starts_with(p));
    Some(if starts(&["сальдо", "остаток", "balance"]) {
        RowKind::Balance
    } else if starts(&["счет", "invoice"]) {
        RowKind::Entry(EntryKind::Invoice)
    } else if starts(&["реализац", "отгрузк", "упд", "торг", "акт", "shipment", "sale"]) {
        RowKind::Entry(EntryKind::Shipment)
    } else if starts(&["оплат", "платеж", "поступлен", "payment"]) {
        RowKind::Entry(EntryKind::Payment)
    } else if starts(&["возврат", "return"]) {
        RowKind::Entry(EntryKind::Return)
    } else if starts(&["корректир", "adjustment"]) {
        RowKind::Entry(EntryKind::Adjustment)
    } else {
        return None;
    })
}

/// One row as read (all checks but the contract's existence done).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// The row's number in the file (or position in the JSON list), for messages.
    pub row: usize,
    pub contract_number: String,
    pub inn: String,
    pub kpp: String,
    pub kind: RowKind,
    pub number: String,
    pub date: NaiveDate,
    pub debit: Money,
    pub credit: Money,
    pub due: Option<NaiveDate>,
}

/// What applying the rows did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Applied {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Balances set from the ERP.
    pub balances: usize,
    /// Contracts whose balance from the ERP differs from the ledger's sum:
    /// (contract number, ERP's balance, ledger's balance).
    pub differences: Vec<(String, i64, i64)>,
}

impl Applied {
    pub fn summary(&self) -> String {
        format!(
            "ledger: {} created, {} updated, {} unchanged, {} balances",
            self.created, self.updated, self.unchanged, self.balances
        )
    }
}

/// Checks a row's own fields; `Err` says what is wrong with it.
pub fn check_row(row: &LedgerRow) -> std::result::Result<(), String> {
    if row.contract_number.trim().is_empty() && row.inn.trim().is_empty() {
        return Err("names neither a contract nor an ИНН".into());
    }
    if row.kind != RowKind::Balance && row.number.trim().is_empty() {
        return Err("has no document number".into());
    }
    if row.number.chars().count() > 100 {
        return Err("has a document number longer than 100 characters".into());
    }
    if row.kind != RowKind::Balance {
        if row.debit.minor() < 0 || row.credit.minor() < 0 {
            return Err("has a negative amount".into());
        }
        if (row.debit.minor() > 0) == (row.credit.minor() > 0) {
            return Err("needs either a debit or a credit".into());
        }
    }
    Ok(())
}

/// Finds each row's contract: by number (within the ИНН's company when one
/// is given), or by ИНН (and КПП) alone when the company has one active
/// contract.
fn resolve(conn: &mut DbConn, rows: &[LedgerRow]) -> Result<std::result::Result<Vec<Contract>, Vec<String>>> {
    let all: Vec<(Contract, String, String)> = contracts::table
        .inner_join(companies::table)
        .select((Contract::as_select(), companies::inn, companies::kpp))
        .load(conn)?;
    // By contract number and by ИНН, so a row is matched without a scan.
    let mut by_number: HashMap<&str, Vec<&(Contract, String, String)>> = HashMap::new();
    let mut by_inn: HashMap<&str, Vec<&(Contract, String, String)>> = HashMap::new();
    for party in &all {
        by_number.entry(party.0.number.as_str()).or_default().push(party);
        by_inn.entry(party.1.as_str()).or_default().push(party);
    }
    let mut found = Vec::with_capacity(rows.len());
    let mut problems = Vec::new();
    for row in rows {
        let (number, inn, kpp) = (row.contract_number.trim(), row.inn.trim(), row.kpp.trim());
        let pool = if number.is_empty() { by_inn.get(inn) } else { by_number.get(number) };
        let candidates: Vec<&Contract> = pool
            .into_iter()
            .flatten()
            .filter(|(c, i, k)| {
                (inn.is_empty() || (i == inn && (kpp.is_empty() || k == kpp))) && (!number.is_empty() || c.active)
            })
            .map(|(c, _, _)| c)
            .collect();
        match candidates.as_slice() {
            [one] => found.push((*one).clone()),
            [] => problems.push(format!("row {}: no contract {} {}", row.row, number, inn).trim().to_string()),
            _ => problems.push(format!("row {}: several contracts match; give the contract's number", row.row)),
        }
    }
    Ok(if problems.is_empty() { Ok(found) } else { Err(problems) })
}

/// Applies the rows in one transaction, or (dry run) says what they would
/// change. Any row in error: nothing is written and `Invalid` lists them.
pub fn apply(conn: &mut DbConn, rows: &[LedgerRow], dry_run: bool) -> Result<Applied> {
    let mut problems: Vec<String> =
        rows.iter().filter_map(|r| check_row(r).err().map(|e| format!("row {}: {e}", r.row))).collect();
    let contracts = match resolve(conn, rows)? {
        Ok(found) => found,
        Err(more) => {
            problems.extend(more);
            Vec::new()
        }
    };
    if !problems.is_empty() {
        problems.truncate(50);
        return Err(Error::Invalid(format!("nothing changed: {}", problems.join("; "))));
    }
    write_transaction(conn, |conn| {
        let mut applied = Applied::default();
        let mut balances: HashMap<i64, (String, i64)> = HashMap::new();
        let mut documents = Vec::with_capacity(rows.len());
        for (row, contract) in rows.iter().zip(&contracts) {
            let RowKind::Entry(kind) = row.kind else {
                balances.insert(contract.id, (contract.number.clone(), row.debit.minor() - row.credit.minor()));
                if !dry_run {
                    set_balance(conn, contract.id, row.debit.minor() - row.credit.minor(), row.date)?;
                }
                applied.balances += 1;
                continue;
            };
            let debt = row.debit.minor() > 0;
            documents.push(NewEntry {
                contract_id: contract.id,
                kind,
                number: row.number.trim().to_string(),
                date: row.date,
                debit: row.debit,
                credit: row.credit,
                due: if debt { Some(row.due.unwrap_or_else(|| due_date(contract, row.date))) } else { row.due },
                order_id: None,
            });
        }
        (applied.created, applied.updated, applied.unchanged) = put_erp_many(conn, &documents, dry_run)?;
        for (contract_id, (number, erp)) in balances {
            let ledger = ledger_sum(conn, contract_id)?;
            if ledger != erp {
                applied.differences.push((number, erp, ledger));
            }
        }
        applied.differences.sort();
        Ok(applied)
    })
}

fn ledger_sum(conn: &mut DbConn, contract_id: i64) -> Result<i64> {
    use crate::db::schema::ledger_entries;
    let rows: Vec<(i64, i64)> = ledger_entries::table
        .filter(ledger_entries::contract_id.eq(contract_id))
        .select((ledger_entries::debit_minor, ledger_entries::credit_minor))
        .load(conn)?;
    Ok(rows.iter().map(|(d, c)| d - c).sum())
}

fn set_balance(conn: &mut DbConn, contract_id: i64, balance: i64, as_of: NaiveDate) -> Result<()> {
    let now = Utc::now().naive_utc();
    diesel::delete(contract_balances::table.find(contract_id)).execute(conn)?;
    diesel::insert_into(contract_balances::table)
        .values((
            contract_balances::contract_id.eq(contract_id),
            contract_balances::balance_minor.eq(balance),
            contract_balances::as_of.eq(as_of),
            contract_balances::received_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_as_erps_name_them() {
        assert_eq!(parse_kind("Реализация товаров и услуг"), Some(RowKind::Entry(EntryKind::Shipment)));
        assert_eq!(parse_kind("УПД"), Some(RowKind::Entry(EntryKind::Shipment)));
        assert_eq!(parse_kind("Поступление на расчетный счет"), Some(RowKind::Entry(EntryKind::Payment)));
        assert_eq!(parse_kind("Платёжное поручение"), Some(RowKind::Entry(EntryKind::Payment)));
        assert_eq!(parse_kind("Счёт на оплату"), Some(RowKind::Entry(EntryKind::Invoice)));
        assert_eq!(parse_kind("Сальдо"), Some(RowKind::Balance));
        assert_eq!(parse_kind("return"), Some(RowKind::Entry(EntryKind::Return)));
        assert_eq!(parse_kind("что-то"), None);
    }
}
