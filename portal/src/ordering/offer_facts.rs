//! Looking up what the rule engine needs about offers: by id, or by what a
//! buyer typed — exact SKU first, then barcode, then the offer's external id
//! (`product#characteristic`). Batched, so a 10,000-row file is a handful of
//! queries.

use std::collections::HashMap;

use diesel::prelude::*;

use super::rules::OfferFacts;
use crate::catalog::search_words::sku_key;
use crate::db::schema::{offers, products};
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::{CompanyId, OfferId};
use crate::terms::assortment::Assortment;

/// Bind parameters per query: well under SQLite's and PostgreSQL's limits.
const CHUNK: usize = 500;

type FactsRow = (OfferId, String, String, String, bool, i64, i64, i64, i64, bool, bool, i64, Option<i64>);

fn to_facts(row: FactsRow, assortment: &Assortment) -> OfferFacts {
    let (
        offer_id,
        sku,
        name,
        unit,
        fractional,
        pack_multiple,
        min_order,
        stock_total,
        reserved,
        offer_active,
        product_active,
        product_id,
        category_id,
    ) = row;
    OfferFacts {
        offer_id,
        sku,
        name,
        unit,
        fractional,
        pack_multiple,
        min_order,
        available: (stock_total - reserved).max(0),
        active: offer_active && product_active,
        in_assortment: assortment.allows(product_id, category_id),
    }
}

/// The facts columns, optionally preceded by the column a lookup matched on.
macro_rules! facts_query {
    () => {
        offers::table.inner_join(products::table).select(facts_columns!())
    };
    ($key:expr) => {
        offers::table.inner_join(products::table).select(($key, facts_columns!()))
    };
}

macro_rules! facts_columns {
    () => {
        (
            offers::id,
            offers::sku,
            offers::name,
            products::unit,
            products::fractional,
            products::pack_multiple,
            products::min_order,
            offers::stock_total,
            offers::reserved,
            offers::active,
            products::active,
            products::id,
            products::category_id,
        )
    };
}

/// Facts for offers by id (missing ids are absent from the map), judged
/// against the buyer's assortment.
pub fn by_ids(conn: &mut DbConn, ids: &[OfferId], assortment: &Assortment) -> Result<HashMap<OfferId, OfferFacts>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows = facts_query!().filter(offers::id.eq_any(chunk)).load::<FactsRow>(conn)?;
        out.extend(rows.into_iter().map(|r| (r.0, to_facts(r, assortment))));
    }
    Ok(out)
}

/// Resolves what buyers typed. The key of the result is the typed text,
/// trimmed. The company's own codes come first (`customer_codes`); then
/// active offers win over inactive ones with the same SKU; each is judged
/// against the buyer's assortment.
pub fn resolve(
    conn: &mut DbConn,
    typed: &[String],
    assortment: &Assortment,
    company: Option<CompanyId>,
) -> Result<HashMap<String, OfferFacts>> {
    let mut wanted: Vec<String> = typed.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    wanted.sort();
    wanted.dedup();
    let mut found: HashMap<String, OfferFacts> = HashMap::with_capacity(wanted.len());

    // 0. The buyer's own codes.
    if let Some(company) = company {
        let coded = super::customer_codes::resolve(conn, company, &wanted)?;
        if !coded.is_empty() {
            let ids: Vec<OfferId> = coded.values().copied().collect();
            let facts = by_ids(conn, &ids, assortment)?;
            for (text, offer) in coded {
                if let Some(facts) = facts.get(&offer) {
                    found.insert(text, facts.clone());
                }
            }
            wanted.retain(|t| !found.contains_key(t));
        }
    }

    // 1. Exact SKU (case-insensitive).
    let by_key: HashMap<String, Vec<&String>> = wanted.iter().fold(HashMap::new(), |mut map, t| {
        map.entry(sku_key(t)).or_insert_with(Vec::new).push(t);
        map
    });
    let keys: Vec<String> = by_key.keys().cloned().collect();
    for chunk in keys.chunks(CHUNK) {
        let rows =
            facts_query!(offers::sku_key).filter(offers::sku_key.eq_any(chunk)).load::<(String, FactsRow)>(conn)?;
        for (key, row) in rows {
            let facts = to_facts(row, assortment);
            for typed in by_key.get(&key).into_iter().flatten() {
                keep_better(&mut found, (*typed).clone(), facts.clone());
            }
        }
    }

    // 2. Barcode, 3. external id — for what is still unknown.
    for column in [Lookup::Barcode, Lookup::ExternalId] {
        let rest: Vec<String> = wanted.iter().filter(|t| !found.contains_key(*t)).cloned().collect();
        for chunk in rest.chunks(CHUNK) {
            let rows = match column {
                Lookup::Barcode => facts_query!(offers::barcode.assume_not_null())
                    .filter(offers::barcode.eq_any(chunk))
                    .load::<(String, FactsRow)>(conn)?,
                Lookup::ExternalId => facts_query!(offers::external_id)
                    .filter(offers::external_id.eq_any(chunk))
                    .load::<(String, FactsRow)>(conn)?,
            };
            for (key, row) in rows {
                keep_better(&mut found, key, to_facts(row, assortment));
            }
        }
    }
    Ok(found)
}

enum Lookup {
    Barcode,
    ExternalId,
}

fn keep_better(found: &mut HashMap<String, OfferFacts>, key: String, facts: OfferFacts) {
    match found.get(&key) {
        Some(existing) if existing.active || !facts.active => {}
        _ => {
            found.insert(key, facts);
        }
    }
}
