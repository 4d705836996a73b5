//! Ledger sheets ("взаиморасчёты"): one row per document the ERP booked on
//! a contract — contract number and/or the company's ИНН/КПП, document kind,
//! number, date, debit, credit, due date — or a balance row ("Сальдо") with
//! the ERP's own balance. Read into `finance::ledger_file` rows and applied
//! all or nothing: one unreadable row and the file changes nothing.

use chrono::NaiveDate;
use portal::db::Db;
use portal::finance::ledger_file::{self, parse_kind, LedgerRow};
use portal::money::Money;
use portal::ordering::upload::Sheet;

use super::header_row;
use crate::import::{Counts, ImportError};

const KIND: [&str; 5] = ["вид документа", "документ", "тип документа", "kind", "document kind"];
const DEBIT: [&str; 4] = ["дебет", "debit", "начислено", "сумма долга"];
const CREDIT: [&str; 4] = ["кредит", "credit", "оплачено", "поступило"];
const CONTRACT: [&str; 4] = ["договор", "номер договора", "contract", "contract number"];
const INN: [&str; 2] = ["инн", "inn"];
const KPP: [&str; 2] = ["кпп", "kpp"];
const NUMBER: [&str; 5] = ["номер", "номер документа", "number", "document number", "№"];
const DATE: [&str; 4] = ["дата", "дата документа", "date", "document date"];
const DUE: [&str; 5] = ["срок оплаты", "оплатить до", "due", "due date", "срок"];

/// Where a ledger sheet's columns are.
pub struct Columns {
    header: usize,
    kind: usize,
    debit: usize,
    credit: usize,
    date: usize,
    number: Option<usize>,
    contract: Option<usize>,
    inn: Option<usize>,
    kpp: Option<usize>,
    due: Option<usize>,
}

/// The ledger sheet's columns; None when the sheet is not a ledger (it needs
/// a document kind, a date, a debit and a credit, and a contract or ИНН).
pub fn columns(sheet: &Sheet) -> Option<Columns> {
    let (header, cells) = header_row(sheet, &KIND)?;
    let find = |names: &[&str]| cells.iter().position(|c| names.contains(&c.as_str()));
    let columns = Columns {
        header,
        kind: find(&KIND)?,
        debit: find(&DEBIT)?,
        credit: find(&CREDIT)?,
        date: find(&DATE)?,
        number: find(&NUMBER),
        contract: find(&CONTRACT),
        inn: find(&INN),
        kpp: find(&KPP),
        due: find(&DUE),
    };
    (columns.contract.is_some() || columns.inn.is_some()).then_some(columns)
}

/// A date as spreadsheets and ERPs write it: 2026-11-26, 26.11.2026 or
/// 26.11.26 (a time after it is ignored).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let day = text.trim().split([' ', 'T']).next()?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(day, "%d.%m.%Y"))
        .or_else(|_| NaiveDate::parse_from_str(day, "%d.%m.%y"))
        .ok()
}

fn amount(text: &str) -> Option<Money> {
    if text.trim().is_empty() {
        return Some(Money(0));
    }
    Money::parse_decimal(text)
}

/// Reads every row; `Err` lists the rows that cannot be read.
pub fn rows(sheet: &Sheet, columns: &Columns) -> Result<Vec<LedgerRow>, Vec<String>> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (index, cells) in sheet.rows.iter().enumerate().skip(columns.header + 1) {
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| c.trim()).unwrap_or_default().to_string();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = index + 1;
        let kind_text = cell(Some(columns.kind));
        let Some(kind) = parse_kind(&kind_text) else {
            problems.push(format!("row {row}: unknown document kind {kind_text:?}"));
            continue;
        };
        let Some(date) = parse_date(&cell(Some(columns.date))) else {
            problems.push(format!("row {row}: unreadable date {:?}", cell(Some(columns.date))));
            continue;
        };
        let (Some(debit), Some(credit)) = (amount(&cell(Some(columns.debit))), amount(&cell(Some(columns.credit))))
        else {
            problems.push(format!("row {row}: unreadable amount"));
            continue;
        };
        let due_text = cell(columns.due);
        let due = match due_text.as_str() {
            "" => None,
            text => match parse_date(text) {
                Some(due) => Some(due),
                None => {
                    problems.push(format!("row {row}: unreadable due date {text:?}"));
                    continue;
                }
            },
        };
        rows.push(LedgerRow {
            row,
            contract_number: cell(columns.contract),
            inn: cell(columns.inn),
            kpp: cell(columns.kpp),
            kind,
            number: cell(columns.number),
            date,
            debit,
            credit,
            due,
        });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        problems.truncate(50);
        Err(problems)
    }
}

/// Applies a ledger sheet (or, dry run, counts what it would change).
pub fn import(db: &Db, sheet: &Sheet, columns: &Columns, dry_run: bool) -> Result<Counts, ImportError> {
    let rows = rows(sheet, columns).map_err(|p| ImportError::Read(format!("nothing changed: {}", p.join("; "))))?;
    let applied = ledger_file::apply(&mut *db.conn()?, &rows, dry_run).map_err(|e| match e {
        portal::Error::Invalid(message) => ImportError::Read(message),
        other => ImportError::Portal(other),
    })?;
    let mut counts = Counts::default();
    let tally = counts.entities.entry("ledger").or_default();
    tally.created = applied.created;
    tally.updated = applied.updated;
    tally.unchanged = applied.unchanged;
    if applied.balances > 0 {
        counts.entities.entry("balances").or_default().updated = applied.balances;
    }
    for (contract, erp, ledger) in &applied.differences {
        counts.problems.push(format!(
            "contract {contract}: the ERP's balance {} differs from the ledger's {}; the ERP's stands",
            Money(*erp).format("en"),
            Money(*ledger).format("en")
        ));
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            kind: portal::ordering::upload::FileKind::Csv,
            rows: rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect(),
        }
    }

    #[test]
    fn a_ledger_sheet_is_told_from_its_headers() {
        let ledger = sheet(&[
            &["Договор", "ИНН", "Вид документа", "Номер", "Дата", "Дебет", "Кредит", "Срок оплаты"],
            &["ОПТ-1", "7701234564", "Реализация", "РН-1", "01.11.2026", "1 200,50", "", "01.12.2026"],
            &["ОПТ-1", "7701234564", "Оплата", "ПП-7", "2026-11-15", "", "1000", ""],
        ]);
        let found = columns(&ledger).expect("a ledger");
        let rows = rows(&ledger, &found).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].debit, Money(120_050));
        assert_eq!(rows[0].due, NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(rows[1].credit, Money(100_000));
        let prices = sheet(&[&["Артикул", "Цена"], &["A-1", "10"]]);
        assert!(columns(&prices).is_none());
    }

    #[test]
    fn an_unreadable_row_is_named() {
        let ledger = sheet(&[
            &["Договор", "Вид документа", "Номер", "Дата", "Дебет", "Кредит"],
            &["ОПТ-1", "Реализация", "РН-1", "вчера", "10", ""],
        ]);
        let problems = rows(&ledger, &columns(&ledger).expect("ledger")).expect_err("bad date");
        assert_eq!(problems, ["row 2: unreadable date \"вчера\""]);
    }
}
