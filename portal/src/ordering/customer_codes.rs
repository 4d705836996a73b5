//! A buyer company's own item codes: "our code → the supplier's offer".
//! Buyers keep them on a page, import them from a spreadsheet, set them
//! through the API (`GET/PUT /api/v1/customer-codes`), or teach one by
//! choosing a suggestion for an unknown row of an upload. Quick order,
//! uploads and search then accept either code (`offer_facts::resolve` looks
//! the company's codes up first), and the order shows both.
//!
//! A code is folded as SKUs are (`sku_key`: case, spaces) and unique per
//! company; it names an offer by the supplier's SKU when it is set.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;

use crate::catalog::search_words::sku_key;
use crate::db::schema::{customer_codes, offers};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::{CompanyId, OfferId};
use crate::per_backend;

/// The longest code kept.
pub const MAX_CODE: usize = 100;

/// The most codes one company keeps (and one request or file sets).
pub const MAX_CODES: usize = 20_000;

/// One code as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerCode {
    pub code: String,
    pub offer_id: OfferId,
    pub sku: String,
    pub name: String,
}

/// The company's codes, by code.
pub fn list(conn: &mut DbConn, company: CompanyId) -> Result<Vec<CustomerCode>> {
    let rows: Vec<(String, OfferId, String, String)> = customer_codes::table
        .inner_join(offers::table)
        .filter(customer_codes::company_id.eq(company))
        .order(customer_codes::code_key)
        .select((customer_codes::code, offers::id, offers::sku, offers::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(code, offer_id, sku, name)| CustomerCode { code, offer_id, sku, name }).collect())
}

/// The offers the company's codes among `typed` name: (typed text, offer).
pub fn resolve(conn: &mut DbConn, company: CompanyId, typed: &[String]) -> Result<HashMap<String, OfferId>> {
    let mut by_key: HashMap<String, Vec<&String>> = HashMap::new();
    for text in typed {
        by_key.entry(sku_key(text)).or_default().push(text);
    }
    let keys: Vec<&String> = by_key.keys().collect();
    let mut found = HashMap::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<(String, OfferId)> = customer_codes::table
            .filter(customer_codes::company_id.eq(company))
            .filter(customer_codes::code_key.eq_any(chunk))
            .select((customer_codes::code_key, customer_codes::offer_id))
            .load(conn)?;
        for (key, offer) in rows {
            for text in by_key.get(&key).into_iter().flatten() {
                found.insert((*text).clone(), offer);
            }
        }
    }
    Ok(found)
}

/// The offer a search text names as one of the company's codes (it then
/// leads the results like an exact SKU match); empty for staff.
pub fn pinned_by(conn: &mut DbConn, company: Option<CompanyId>, text: &str) -> Result<Vec<i64>> {
    let Some(company) = company.filter(|_| !text.trim().is_empty()) else { return Ok(Vec::new()) };
    Ok(resolve(conn, company, &[text.trim().to_string()])?.into_values().map(|o| o.0).collect())
}

/// The company's code for each of `offers` that has one.
pub fn of_offers(conn: &mut DbConn, company: CompanyId, offers: &[OfferId]) -> Result<HashMap<OfferId, String>> {
    let mut out = HashMap::new();
    for chunk in offers.chunks(500) {
        let rows: Vec<(OfferId, String)> = customer_codes::table
            .filter(customer_codes::company_id.eq(company))
            .filter(customer_codes::offer_id.eq_any(chunk))
            .order(customer_codes::code_key)
            .select((customer_codes::offer_id, customer_codes::code))
            .load(conn)?;
        for (offer, code) in rows {
            out.entry(offer).or_insert(code);
        }
    }
    Ok(out)
}

/// A code checked: trimmed, not empty, not too long.
fn checked(code: &str) -> std::result::Result<String, String> {
    let code = code.trim();
    if code.is_empty() {
        return Err("the code is empty".into());
    }
    if code.chars().count() > MAX_CODE {
        return Err(format!(
            "the code {:?}… is longer than {MAX_CODE} characters",
            code.chars().take(20).collect::<String>()
        ));
    }
    Ok(code.to_string())
}

/// The active offer a supplier SKU names (exact SKU, case-insensitive).
fn offer_by_sku(conn: &mut DbConn, sku: &str) -> Result<Option<OfferId>> {
    Ok(offers::table
        .filter(offers::sku_key.eq(sku_key(sku)))
        .order((offers::active.desc(), offers::id))
        .select(offers::id)
        .first(conn)
        .optional()?)
}

/// Sets one code (a new one, or a new offer for an existing one).
pub fn set(conn: &mut DbConn, company: CompanyId, code: &str, sku: &str) -> Result<CustomerCode> {
    let code = checked(code).map_err(Error::Invalid)?;
    write_transaction(conn, |conn| {
        let offer = offer_by_sku(conn, sku)?
            .ok_or_else(|| Error::Invalid(format!("no SKU {:?} in the catalog", sku.trim())))?;
        upsert(conn, company, &code, offer)?;
        let (sku, name): (String, String) =
            offers::table.find(offer).select((offers::sku, offers::name)).first(conn)?;
        Ok(CustomerCode { code, offer_id: offer, sku, name })
    })
}

fn upsert(conn: &mut DbConn, company: CompanyId, code: &str, offer: OfferId) -> Result<()> {
    let row = (
        customer_codes::company_id.eq(company),
        customer_codes::code_key.eq(sku_key(code)),
        customer_codes::code.eq(code),
        customer_codes::offer_id.eq(offer),
        customer_codes::created_at.eq(Utc::now().naive_utc()),
    );
    per_backend!(conn, |c| diesel::insert_into(customer_codes::table)
        .values(row)
        .on_conflict((customer_codes::company_id, customer_codes::code_key))
        .do_update()
        .set((customer_codes::code.eq(code), customer_codes::offer_id.eq(offer)))
        .execute(c))?;
    Ok(())
}

/// Removes one code; whether it was there.
pub fn remove(conn: &mut DbConn, company: CompanyId, code: &str) -> Result<bool> {
    let gone = diesel::delete(
        customer_codes::table
            .filter(customer_codes::company_id.eq(company))
            .filter(customer_codes::code_key.eq(sku_key(code))),
    )
    .execute(conn)?;
    Ok(gone > 0)
}

/// A row that could not be taken: where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based position in the list or the sheet row.
    pub row: usize,
    pub message: String,
}

/// Sets many codes at once, all or nothing: (code, supplier SKU, row).
/// With `replace`, the company's list becomes exactly these. Returns how
/// many were set, or every problem found (nothing changed).
pub fn set_all(
    conn: &mut DbConn,
    company: CompanyId,
    entries: &[(String, String, usize)],
    replace: bool,
) -> Result<std::result::Result<usize, Vec<Problem>>> {
    if entries.len() > MAX_CODES {
        let message = format!("at most {MAX_CODES} codes at once");
        return Ok(Err(vec![Problem { row: MAX_CODES + 1, message }]));
    }
    write_transaction(conn, |conn| {
        let mut problems = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut resolved = Vec::with_capacity(entries.len());
        for (code, sku, row) in entries {
            let code = match checked(code) {
                Ok(code) => code,
                Err(message) => {
                    problems.push(Problem { row: *row, message });
                    continue;
                }
            };
            if let Some(first) = seen.insert(sku_key(&code), *row) {
                problems.push(Problem { row: *row, message: format!("the code {code:?} is also on row {first}") });
                continue;
            }
            match offer_by_sku(conn, sku)? {
                Some(offer) => resolved.push((code, offer)),
                None => {
                    problems.push(Problem { row: *row, message: format!("no SKU {:?} in the catalog", sku.trim()) })
                }
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        if replace {
            diesel::delete(customer_codes::table.filter(customer_codes::company_id.eq(company))).execute(conn)?;
        }
        for (code, offer) in &resolved {
            upsert(conn, company, code, *offer)?;
        }
        Ok(Ok(resolved.len()))
    })
}

/// (code, SKU, sheet row) from a spreadsheet's first two columns; a first
/// row that names the columns ("код", "артикул", "code", "SKU") is skipped,
/// as are empty rows.
pub fn rows_of_sheet(sheet: &super::upload::Sheet) -> Vec<(String, String, usize)> {
    let header = |text: &str| {
        let lower = text.to_lowercase();
        ["код", "артикул", "code", "sku"].iter().any(|w| lower.contains(w))
    };
    sheet
        .rows
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let cell = |c: usize| cells.get(c).map(|t| t.trim().to_string()).unwrap_or_default();
            (cell(0), cell(1), i + 1)
        })
        .filter(|(code, sku, row)| {
            let empty = code.is_empty() && sku.is_empty();
            let heading = *row == 1 && header(code) && header(sku);
            !empty && !heading
        })
        .collect()
}
