//! Closing documents from the ERP — УПД, счёт-фактура, ТОРГ-12, acts — as
//! the files it sends (PDF to print, XML for ЭДО). A file finds its place
//! by a number: the order's (the portal's or the ERP's), or the shipment's
//! or invoice's on a contract's ledger; the number comes from a manifest or
//! the API when the ERP says it, otherwise from the ЭДО file itself or the
//! file name ([`super::closing_file`]). Each document belongs to a company
//! and is listed and served to that company and the supplier's staff only.
//!
//! `(company, kind, number, format)` is a document's identity: the same
//! file sent again changes nothing, a new version replaces the old.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::closing_file::{format_of, recognize, MAX_BYTES};
use super::EntryKind;
use crate::catalog::write::Change;
use crate::db::schema::{closing_documents, contracts, ledger_entries, orders};
use crate::db::stored_text::stored_text_enum;
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::{CompanyId, OrderId};
use crate::ordering::orders::{companies_in, Scope};

stored_text_enum! {
    /// The kind of a closing document (label `closing.{kind}`).
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum ClosingKind {
        /// Универсальный передаточный документ.
        Upd = "upd",
        /// Счёт-фактура.
        InvoiceFacture = "invoice_facture",
        /// Товарная накладная ТОРГ-12.
        Torg12 = "torg12",
        /// An act of services rendered.
        Act = "act",
        /// Any other document the ERP attached.
        Other = "other",
    }
}

stored_text_enum! {
    /// The file format of a closing document.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "lowercase")]
    pub enum FileFormat {
        /// A printable PDF.
        Pdf = "pdf",
        /// An ЭДО XML file in the tax service's format.
        Xml = "xml",
    }
}

impl FileFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Pdf => "application/pdf",
            FileFormat::Xml => "application/xml",
        }
    }
}

/// A stored closing document, without its content.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = closing_documents)]
pub struct ClosingDocument {
    pub id: i64,
    pub company_id: CompanyId,
    pub contract_id: Option<i64>,
    pub order_id: Option<OrderId>,
    pub kind: ClosingKind,
    pub number: String,
    pub document_date: NaiveDate,
    pub reference: String,
    pub file_name: String,
    pub format: FileFormat,
    pub size_bytes: i64,
    pub sha256: String,
    pub received_at: NaiveDateTime,
}

/// A file the ERP sent, with what it said about it (a manifest row or an
/// API call); what it left out is read from the file.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The order's or ledger document's number it belongs to.
    pub reference: Option<String>,
    pub kind: Option<ClosingKind>,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
}

impl Incoming {
    /// A file with nothing said about it: everything comes from the file.
    pub fn file(file_name: &str, bytes: Vec<u8>) -> Incoming {
        Incoming { file_name: file_name.to_string(), bytes, ..Default::default() }
    }
}

/// Where a document belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    company_id: CompanyId,
    contract_id: Option<i64>,
    order_id: Option<OrderId>,
    reference: String,
    /// The ledger document's date, when found through the ledger.
    date: Option<NaiveDate>,
}

/// The places a number names: orders by the portal's or the ERP's number,
/// else shipments and invoices on the ledger.
fn targets_of(conn: &mut DbConn, reference: &str) -> Result<Vec<Target>> {
    let found: Vec<(OrderId, CompanyId, i64)> = orders::table
        .filter(orders::number.eq(reference).or(orders::erp_number.eq(reference)))
        .select((orders::id, orders::company_id, orders::contract_id))
        .load(conn)?;
    if !found.is_empty() {
        return Ok(found
            .into_iter()
            .map(|(order, company, contract)| Target {
                company_id: company,
                contract_id: Some(contract),
                order_id: Some(order),
                reference: reference.to_string(),
                date: None,
            })
            .collect());
    }
    let entries: Vec<(i64, i64, Option<OrderId>, NaiveDate)> = ledger_entries::table
        .inner_join(contracts::table)
        .filter(ledger_entries::number.eq(reference))
        .filter(ledger_entries::kind.eq_any([EntryKind::Shipment, EntryKind::Invoice]))
        .select((
            ledger_entries::contract_id,
            contracts::company_id,
            ledger_entries::order_id,
            ledger_entries::entry_date,
        ))
        .load(conn)?;
    let mut targets: Vec<Target> = entries
        .into_iter()
        .map(|(contract, company, order, date)| Target {
            company_id: CompanyId(company),
            contract_id: Some(contract),
            order_id: order,
            reference: reference.to_string(),
            date: Some(date),
        })
        .collect();
    targets.dedup_by(|a, b| a.contract_id == b.contract_id);
    Ok(targets)
}

/// The first of `candidates` that names exactly one place.
fn resolve(conn: &mut DbConn, candidates: &[String]) -> Result<std::result::Result<Target, String>> {
    if candidates.is_empty() {
        return Ok(Err("no order or shipment number in the file name or content".into()));
    }
    for candidate in candidates {
        let mut targets = targets_of(conn, candidate)?;
        match targets.len() {
            0 => continue,
            1 => return Ok(Ok(targets.remove(0))),
            n => return Ok(Err(format!("{candidate:?} names documents of {n} contracts; send it with the contract"))),
        }
    }
    let tried: Vec<String> = candidates.iter().map(|c| format!("{c:?}")).collect();
    Ok(Err(format!("no order or shipment is numbered {}", tried.join(" or "))))
}

/// A document checked and placed, ready to store.
struct Placed {
    target: Target,
    kind: ClosingKind,
    number: String,
    date: NaiveDate,
    format: FileFormat,
    file_name: String,
}

fn place(conn: &mut DbConn, item: &Incoming, today: NaiveDate) -> Result<std::result::Result<Placed, String>> {
    if item.bytes.len() > MAX_BYTES {
        return Ok(Err(format!("larger than {} MiB", MAX_BYTES >> 20)));
    }
    let Some(format) = format_of(&item.bytes) else {
        return Ok(Err("not a PDF or an ЭДО XML document".into()));
    };
    let recognized = match recognize(&item.file_name, &item.bytes, format) {
        Ok(r) => r,
        Err(problem) => return Ok(Err(problem)),
    };
    let candidates = match &item.reference {
        Some(reference) => vec![reference.trim().to_string()],
        None => recognized.references.clone(),
    };
    let target = match resolve(conn, &candidates)? {
        Ok(target) => target,
        Err(problem) => return Ok(Err(problem)),
    };
    let number = item.number.clone().or(recognized.number).unwrap_or_else(|| target.reference.clone());
    Ok(Ok(Placed {
        kind: item.kind.or(recognized.kind).unwrap_or(ClosingKind::Other),
        date: item.date.or(recognized.date).or(target.date).unwrap_or(today),
        number: number.chars().take(100).collect(),
        format,
        file_name: base_name(&item.file_name),
        target,
    }))
}

/// The file's own name, without the folders it came in.
fn base_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if base.is_empty() {
        "document".into()
    } else {
        base
    }
}

/// Checks and places every file; `Invalid` says which cannot be placed and why.
fn place_all<'a>(conn: &mut DbConn, items: &'a [Incoming]) -> Result<Vec<(Placed, &'a Incoming)>> {
    let today = super::today(conn)?;
    let mut placed = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for item in items {
        match place(conn, item, today)? {
            Ok(p) => placed.push((p, item)),
            Err(problem) => problems.push(format!("{}: {problem}", base_name(&item.file_name))),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems.join("; ")));
    }
    Ok(placed)
}

/// What receiving the documents would change, each in order, writing
/// nothing; `Invalid` as [`receive`] would say it.
pub fn check(conn: &mut DbConn, items: &[Incoming]) -> Result<Vec<Change>> {
    let placed = place_all(conn, items)?;
    placed.iter().map(|(p, item)| Ok(compare(conn, p, &crate::hash_bytes(&item.bytes))?.0)).collect()
}

/// Stores the documents in one transaction — all or none: a file that
/// cannot be placed leaves everything as it was and `Invalid` says which
/// and why. Returns each file's change, in order.
pub fn receive(conn: &mut DbConn, items: &[Incoming]) -> Result<Vec<(Change, ClosingDocument)>> {
    let placed = place_all(conn, items)?;
    write_transaction(conn, |conn| placed.iter().map(|(p, item)| store(conn, p, &item.bytes)).collect())
}

/// The stored document with `p`'s identity (company, kind, number, format).
fn stored_as(conn: &mut DbConn, p: &Placed) -> Result<Option<ClosingDocument>> {
    Ok(closing_documents::table
        .filter(closing_documents::company_id.eq(p.target.company_id))
        .filter(closing_documents::kind.eq(p.kind))
        .filter(closing_documents::number.eq(&p.number))
        .filter(closing_documents::format.eq(p.format))
        .select(ClosingDocument::as_select())
        .first(conn)
        .optional()?)
}

/// What storing `p` would change, with the document it would replace.
fn compare(conn: &mut DbConn, p: &Placed, sha256: &str) -> Result<(Change, Option<ClosingDocument>)> {
    let existing = stored_as(conn, p)?;
    let change = match &existing {
        None => Change::Created,
        Some(old)
            if old.sha256 == sha256
                && old.order_id == p.target.order_id
                && old.contract_id == p.target.contract_id
                && old.document_date == p.date
                && old.file_name == p.file_name =>
        {
            Change::Unchanged
        }
        Some(_) => Change::Updated,
    };
    Ok((change, existing))
}

fn store(conn: &mut DbConn, p: &Placed, bytes: &[u8]) -> Result<(Change, ClosingDocument)> {
    let sha256 = crate::hash_bytes(bytes);
    let (change, existing) = compare(conn, p, &sha256)?;
    let values = (
        closing_documents::contract_id.eq(p.target.contract_id),
        closing_documents::order_id.eq(p.target.order_id),
        closing_documents::document_date.eq(p.date),
        closing_documents::reference.eq(&p.target.reference),
        closing_documents::file_name.eq(&p.file_name),
        closing_documents::size_bytes.eq(bytes.len() as i64),
        closing_documents::sha256.eq(&sha256),
        closing_documents::content.eq(bytes),
        closing_documents::received_at.eq(Utc::now().naive_utc()),
    );
    match (change, existing) {
        (Change::Unchanged, Some(old)) => return Ok((change, old)),
        (_, Some(old)) => {
            diesel::update(closing_documents::table.find(old.id)).set(values).execute(conn)?;
        }
        (_, None) => {
            diesel::insert_into(closing_documents::table)
                .values((
                    closing_documents::company_id.eq(p.target.company_id),
                    closing_documents::kind.eq(p.kind),
                    closing_documents::number.eq(&p.number),
                    closing_documents::format.eq(p.format),
                    values,
                ))
                .execute(conn)?;
        }
    }
    let stored = stored_as(conn, p)?.ok_or_else(|| Error::Internal("a stored closing document vanished".into()))?;
    Ok((change, stored))
}

/// Which closing documents to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub contract_id: Option<i64>,
    pub order_id: Option<OrderId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The closing documents a scope covers, newest first.
pub fn list(conn: &mut DbConn, scope: Scope, filter: Filter) -> Result<Vec<ClosingDocument>> {
    let mut query = closing_documents::table.select(ClosingDocument::as_select()).into_boxed();
    match scope {
        Scope::All => {}
        Scope::Company(company) => query = query.filter(closing_documents::company_id.eq(company)),
        other => {
            let ids: Vec<i64> = companies_in(conn, other)?.into_iter().map(|(id, _)| id).collect();
            query = query.filter(closing_documents::company_id.eq_any(ids));
        }
    }
    if let Some(contract) = filter.contract_id {
        query = query.filter(closing_documents::contract_id.eq(contract));
    }
    if let Some(order) = filter.order_id {
        query = query.filter(closing_documents::order_id.eq(order));
    }
    if let Some(from) = filter.from {
        query = query.filter(closing_documents::document_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(closing_documents::document_date.le(to));
    }
    Ok(query.order((closing_documents::document_date.desc(), closing_documents::id.desc())).limit(1000).load(conn)?)
}

/// A document the scope covers, with its content; "not found" otherwise.
pub fn file(conn: &mut DbConn, scope: Scope, id: i64) -> Result<(ClosingDocument, Vec<u8>)> {
    let (document, content): (ClosingDocument, Vec<u8>) = closing_documents::table
        .find(id)
        .select((ClosingDocument::as_select(), closing_documents::content))
        .first(conn)
        .map_err(Error::from_lookup)?;
    let visible = match scope {
        Scope::All => true,
        Scope::Company(company) => document.company_id == company,
        Scope::Nothing => false,
        managed => companies_in(conn, managed)?.iter().any(|(c, _)| *c == document.company_id.0),
    };
    if !visible {
        return Err(Error::NotFound);
    }
    Ok((document, content))
}
