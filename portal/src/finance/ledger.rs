//! A contract's ledger: one row per document (invoice, shipment, payment,
//! return, adjustment) with its debit or credit and, for a debt, its due
//! date. `(contract, kind, number)` is a document's identity. The portal
//! posts what it records itself ([`post_own`]); the ERP's version of a
//! document ([`put_erp`]) replaces it and is never overwritten by the
//! portal again.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{DebitOn, EntryKind, EntrySource};
use crate::accounts::Contract;
use crate::catalog::write::Change;
use crate::db::schema::{contracts, ledger_entries};
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::OrderId;
use crate::money::Money;

/// A ledger row as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ledger_entries)]
pub struct Entry {
    pub id: i64,
    pub contract_id: i64,
    pub kind: EntryKind,
    pub number: String,
    pub entry_date: NaiveDate,
    pub debit_minor: i64,
    pub credit_minor: i64,
    pub due_date: Option<NaiveDate>,
    pub order_id: Option<OrderId>,
    pub source: EntrySource,
    pub updated_at: NaiveDateTime,
}

/// A document to write on a contract's ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub contract_id: i64,
    pub kind: EntryKind,
    pub number: String,
    pub date: NaiveDate,
    pub debit: Money,
    pub credit: Money,
    /// When a debt falls due; `None` on a debit means the contract's
    /// deferral counted from `date`.
    pub due: Option<NaiveDate>,
    pub order_id: Option<OrderId>,
}

/// The due date of a debt dated `date` under `contract`.
pub fn due_date(contract: &Contract, date: NaiveDate) -> NaiveDate {
    date + Duration::days(i64::from(contract.deferral_days))
}

/// The stored row of a document, if any.
fn existing(conn: &mut DbConn, entry: &NewEntry) -> Result<Option<Entry>> {
    Ok(ledger_entries::table
        .filter(ledger_entries::contract_id.eq(entry.contract_id))
        .filter(ledger_entries::kind.eq(entry.kind))
        .filter(ledger_entries::number.eq(&entry.number))
        .select(Entry::as_select())
        .first(conn)
        .optional()?)
}

fn same(stored: &Entry, entry: &NewEntry, source: EntrySource) -> bool {
    stored.entry_date == entry.date
        && stored.debit_minor == entry.debit.minor()
        && stored.credit_minor == entry.credit.minor()
        && stored.due_date == entry.due
        && stored.order_id == entry.order_id
        && stored.source == source
}

/// The columns of a new ledger row for `$entry` written by `$source` at `$now`.
macro_rules! entry_values {
    ($entry:expr, $source:expr, $now:expr) => {
        (
            ledger_entries::contract_id.eq($entry.contract_id),
            ledger_entries::kind.eq($entry.kind),
            ledger_entries::number.eq(&$entry.number),
            ledger_entries::entry_date.eq($entry.date),
            ledger_entries::debit_minor.eq($entry.debit.minor()),
            ledger_entries::credit_minor.eq($entry.credit.minor()),
            ledger_entries::due_date.eq($entry.due),
            ledger_entries::order_id.eq($entry.order_id),
            ledger_entries::source.eq($source),
            ledger_entries::updated_at.eq($now),
        )
    };
}

/// Writes the document as `source`; `Unchanged` when it already says that.
fn write(conn: &mut DbConn, entry: &NewEntry, source: EntrySource, stored: Option<Entry>) -> Result<Change> {
    let now = Utc::now().naive_utc();
    match stored {
        Some(stored) if same(&stored, entry, source) => Ok(Change::Unchanged),
        Some(stored) => {
            diesel::update(ledger_entries::table.find(stored.id))
                .set((
                    ledger_entries::entry_date.eq(entry.date),
                    ledger_entries::debit_minor.eq(entry.debit.minor()),
                    ledger_entries::credit_minor.eq(entry.credit.minor()),
                    ledger_entries::due_date.eq(entry.due),
                    ledger_entries::order_id.eq(entry.order_id),
                    ledger_entries::source.eq(source),
                    ledger_entries::updated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(Change::Updated)
        }
        None => {
            diesel::insert_into(ledger_entries::table).values(entry_values!(entry, source, now)).execute(conn)?;
            Ok(Change::Created)
        }
    }
}

/// Posts a document the portal recorded, unless the ERP already sent its
/// own version of it (the ERP's figures stand).
pub fn post_own(conn: &mut DbConn, entry: &NewEntry) -> Result<Change> {
    match existing(conn, entry)? {
        Some(stored) if stored.source == EntrySource::Erp => Ok(Change::Unchanged),
        stored => write(conn, entry, EntrySource::Portal, stored),
    }
}

/// Writes the ERP's version of a document: created, or replacing whatever
/// was recorded under its number. With `dry_run` nothing is written; the
/// answer says what would change.
pub fn put_erp(conn: &mut DbConn, entry: &NewEntry, dry_run: bool) -> Result<Change> {
    let stored = existing(conn, entry)?;
    if dry_run {
        return Ok(match stored {
            Some(stored) if same(&stored, entry, EntrySource::Erp) => Change::Unchanged,
            Some(_) => Change::Updated,
            None => Change::Created,
        });
    }
    write(conn, entry, EntrySource::Erp, stored)
}

/// Writes many ERP documents at once (a ledger file): the contracts' stored
/// entries read in one query, new documents inserted 500 to a statement,
/// changed ones updated, the same ones left alone. Within `entries` a
/// document named twice counts as its last version. With `dry_run` nothing
/// is written. Returns (created, updated, unchanged).
pub fn put_erp_many(conn: &mut DbConn, entries: &[NewEntry], dry_run: bool) -> Result<(usize, usize, usize)> {
    use std::collections::HashMap;
    let mut contract_ids: Vec<i64> = entries.iter().map(|e| e.contract_id).collect();
    contract_ids.sort_unstable();
    contract_ids.dedup();
    let mut stored: HashMap<(i64, EntryKind, String), Entry> = HashMap::new();
    for chunk in contract_ids.chunks(500) {
        let rows: Vec<Entry> = ledger_entries::table
            .filter(ledger_entries::contract_id.eq_any(chunk))
            .select(Entry::as_select())
            .load(conn)?;
        stored.extend(rows.into_iter().map(|e| ((e.contract_id, e.kind, e.number.clone()), e)));
    }
    // The last version of each document in the file.
    let mut last: HashMap<(i64, EntryKind, &str), &NewEntry> = HashMap::new();
    let mut order = Vec::new();
    for entry in entries {
        let key = (entry.contract_id, entry.kind, entry.number.as_str());
        if last.insert(key, entry).is_none() {
            order.push(key);
        }
    }
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    let mut inserts = Vec::new();
    for key in order {
        let entry = last[&key];
        match stored.remove(&(key.0, key.1, key.2.to_string())) {
            Some(old) if same(&old, entry, EntrySource::Erp) => unchanged += 1,
            Some(old) => {
                updated += 1;
                if !dry_run {
                    write(conn, entry, EntrySource::Erp, Some(old))?;
                }
            }
            None => {
                created += 1;
                inserts.push(entry);
            }
        }
    }
    if !dry_run {
        let now = Utc::now().naive_utc();
        for chunk in inserts.chunks(500) {
            let rows: Vec<_> = chunk.iter().map(|e| entry_values!(e, EntrySource::Erp, now)).collect();
            crate::per_backend!(conn, |c| diesel::insert_into(ledger_entries::table).values(&rows).execute(c))?;
        }
    }
    Ok((created, updated, unchanged))
}

fn contract(conn: &mut DbConn, id: i64) -> Result<Contract> {
    Ok(contracts::table.find(id).select(Contract::as_select()).first(conn)?)
}

/// A debt of an order: its shipment (contracts debited on shipment, at the
/// value shipped) or its invoice (contracts billed on order), due after the
/// contract's deferral. Contracts debited the other way are left alone.
pub fn post_debt(
    conn: &mut DbConn,
    contract_id: i64,
    order_id: OrderId,
    on: DebitOn,
    (number, date): (&str, NaiveDate),
    amount: Money,
) -> Result<()> {
    let contract = contract(conn, contract_id)?;
    if contract.debit_on != on || amount.minor() <= 0 {
        return Ok(());
    }
    let entry = NewEntry {
        contract_id,
        kind: match on {
            DebitOn::Shipment => EntryKind::Shipment,
            DebitOn::Invoice => EntryKind::Invoice,
        },
        number: number.to_string(),
        date,
        debit: amount,
        credit: Money(0),
        due: Some(due_date(&contract, date)),
        order_id: Some(order_id),
    };
    post_own(conn, &entry).map(|_| ())
}

/// A payment received for an order is a credit on its contract. One bank
/// document may pay several orders: each order's part is its own entry.
pub fn post_payment(
    conn: &mut DbConn,
    contract_id: i64,
    order_id: OrderId,
    number: &str,
    date: NaiveDate,
    amount: Money,
) -> Result<()> {
    let mut entry = NewEntry {
        contract_id,
        kind: EntryKind::Payment,
        number: number.to_string(),
        date,
        debit: Money(0),
        credit: amount,
        due: None,
        order_id: Some(order_id),
    };
    if existing(conn, &entry)?.is_some_and(|e| e.source == EntrySource::Portal && e.order_id != Some(order_id)) {
        entry.number = format!("{number} ({})", order_number(conn, order_id)?);
    }
    post_own(conn, &entry).map(|_| ())
}

fn order_number(conn: &mut DbConn, order_id: OrderId) -> Result<String> {
    use crate::db::schema::orders;
    Ok(orders::table.find(order_id).select(orders::number).first(conn)?)
}

/// Every entry of a contract, oldest first (by date, then as written).
pub fn entries(conn: &mut DbConn, contract_id: i64) -> Result<Vec<Entry>> {
    Ok(ledger_entries::table
        .filter(ledger_entries::contract_id.eq(contract_id))
        .order((ledger_entries::entry_date, ledger_entries::id))
        .select(Entry::as_select())
        .load(conn)?)
}
