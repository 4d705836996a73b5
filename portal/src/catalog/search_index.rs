//! The in-memory search index behind catalog search and browsing.
//!
//! Each instance keeps one, built from the database: every active offer's
//! words (for prefix search), exact keys (SKU, barcode), category, name and
//! SKU order, list prices and availability. Searching, filtering, sorting
//! and paging happen here in microseconds; the rows of the page are then read
//! from the database, so what a buyer sees (price, stock) is always live.
//!
//! It is a cache, never the truth: it rebuilds when the catalog version in
//! the database changes (`catalog::write::catalog_changed`) and at least
//! every `MAX_AGE`, so several instances converge without talking.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use super::facets::{Facet, FacetIndex, PropertyFilter};
use super::search_words::{index_words, normalize, sku_key, words};
use crate::db::schema::{offers, prices, products};
use crate::db::DbConn;
use crate::error::Result;
use crate::settings;
use crate::terms::assortment::Assortment;

/// The longest an index is used before it is rebuilt anyway (stock moves
/// without a catalog version change).
pub const MAX_AGE: Duration = Duration::from_secs(30);

/// One indexed offer.
struct Entry {
    offer_id: i64,
    product_id: i64,
    sku: Box<str>,
    category_id: Option<i64>,
    available: i64,
    name_rank: u32,
    sku_rank: u32,
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Name,
    Sku,
    PriceAsc(i64),
    PriceDesc(i64),
}

/// A search over the index.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    pub text: &'a str,
    pub categories: Option<&'a [i64]>,
    pub in_stock: bool,
    /// What the buyer may see.
    pub assortment: &'a Assortment,
    /// Property values chosen (facets).
    pub filters: &'a [PropertyFilter],
    /// Offers that lead like an exact SKU match (the buyer's own code).
    pub pinned: &'a [i64],
}

/// The most assortment masks an index keeps (one per distinct assortment).
const MAX_MASKS: usize = 256;

pub struct SearchIndex {
    version: Option<String>,
    built: Instant,
    entries: Vec<Entry>,
    /// (word, entry) sorted by word then entry: a prefix is a contiguous range.
    words: Vec<(Box<str>, u32)>,
    exact: HashMap<String, Vec<u32>>,
    /// Entries in name order.
    by_name: Vec<u32>,
    /// (folded SKU, entry) sorted, for "did you mean" suggestions.
    folded_skus: Vec<(Box<str>, u32)>,
    /// List prices per price type, by entry.
    prices: HashMap<i64, Vec<Option<i64>>>,
    /// Per assortment key, which entries it allows (built on first use).
    masks: Mutex<HashMap<u64, Arc<Vec<bool>>>>,
    /// Each entry's property values, for filters and facet counts.
    facets: FacetIndex,
    /// Entry of each offer id.
    by_offer: HashMap<i64, u32>,
    /// Entries of each category (its own goods, not its subcategories').
    by_category: HashMap<i64, Vec<u32>>,
}

/// At most this many query words narrow a search.
const MAX_WORDS: usize = 8;

impl SearchIndex {
    /// Reads every active offer of an active product and indexes it.
    pub fn build(conn: &mut DbConn) -> Result<SearchIndex> {
        let version = settings::get(conn, settings::CATALOG_VERSION)?;
        let built = Instant::now();
        let rows = offers::table
            .inner_join(products::table)
            .filter(offers::active.eq(true))
            .filter(products::active.eq(true))
            .select((
                offers::id,
                products::id,
                products::category_id,
                offers::sku,
                offers::name,
                offers::characteristics,
                offers::barcode,
                offers::stock_total - offers::reserved,
                products::properties,
            ))
            .load::<(i64, i64, Option<i64>, String, String, String, Option<String>, i64, String)>(conn)?;

        let mut entries = Vec::with_capacity(rows.len());
        let mut words_list: Vec<(Box<str>, u32)> = Vec::with_capacity(rows.len() * 10);
        let mut exact: HashMap<String, Vec<u32>> = HashMap::with_capacity(rows.len() * 2);
        let mut names: Vec<(String, u32)> = Vec::with_capacity(rows.len());
        let mut skus: Vec<(String, u32)> = Vec::with_capacity(rows.len());
        let mut position: HashMap<i64, u32> = HashMap::with_capacity(rows.len());
        let mut facets = FacetIndex::default();
        for (i, (offer_id, product_id, category_id, sku, name, characteristics, barcode, available, properties)) in
            rows.into_iter().enumerate()
        {
            facets.push(product_id, &properties);
            let index = i as u32;
            for word in index_words(&sku, &name, &characteristics, barcode.as_deref()) {
                words_list.push((word.into_boxed_str(), index));
            }
            exact.entry(sku_key(&sku)).or_default().push(index);
            if let Some(code) = barcode.as_deref().map(normalize).filter(|c| !c.is_empty()) {
                exact.entry(code).or_default().push(index);
            }
            names.push((name.to_lowercase(), index));
            skus.push((sku_key(&sku), index));
            position.insert(offer_id, index);
            entries.push(Entry {
                offer_id,
                product_id,
                sku: sku.into_boxed_str(),
                category_id,
                available,
                name_rank: 0,
                sku_rank: 0,
            });
        }
        facets.finish();
        words_list.sort_unstable();
        words_list.dedup();
        names.sort_unstable();
        skus.sort_unstable();
        for (rank, (_, index)) in names.iter().enumerate() {
            entries[*index as usize].name_rank = rank as u32;
        }
        for (rank, (_, index)) in skus.iter().enumerate() {
            entries[*index as usize].sku_rank = rank as u32;
        }

        let mut price_map: HashMap<i64, Vec<Option<i64>>> = HashMap::new();
        let all_prices =
            prices::table
                .select((prices::offer_id, prices::price_type_id, prices::price_minor))
                .load::<(i64, i64, i64)>(conn)?;
        for (offer_id, price_type, price) in all_prices {
            if let Some(&index) = position.get(&offer_id) {
                price_map.entry(price_type).or_insert_with(|| vec![None; entries.len()])[index as usize] = Some(price);
            }
        }
        let mut by_category: HashMap<i64, Vec<u32>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            if let Some(category) = entry.category_id {
                by_category.entry(category).or_default().push(i as u32);
            }
        }
        let mut folded_skus: Vec<(Box<str>, u32)> =
            entries.iter().enumerate().map(|(i, e)| (fold(&e.sku).into_boxed_str(), i as u32)).collect();
        folded_skus.sort_unstable();
        let index = SearchIndex {
            version,
            built,
            folded_skus,
            by_name: names.into_iter().map(|(_, i)| i).collect(),
            entries,
            words: words_list,
            exact,
            prices: price_map,
            masks: Mutex::new(HashMap::new()),
            facets,
            by_offer: position,
            by_category,
        };
        tracing::debug!(offers = index.entries.len(), took = ?built.elapsed(), "search index built");
        Ok(index)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries whose words start with `prefix`, as a range of `words`.
    fn prefix_range(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = self.words.partition_point(|(w, _)| w.as_ref() < prefix);
        let len = self.words[start..].partition_point(|(w, _)| w.starts_with(prefix));
        start..start + len
    }

    /// Which entries `assortment` allows; `None` when it allows all.
    /// Computed once per distinct assortment and index.
    fn mask(&self, assortment: &Assortment) -> Option<Arc<Vec<bool>>> {
        if assortment.is_everything() {
            return None;
        }
        let mut masks = self.masks.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(mask) = masks.get(&assortment.key()) {
            return Some(mask.clone());
        }
        let mask: Arc<Vec<bool>> =
            Arc::new(self.entries.iter().map(|e| assortment.allows(e.product_id, e.category_id)).collect());
        if masks.len() >= MAX_MASKS {
            masks.clear();
        }
        masks.insert(assortment.key(), mask.clone());
        Some(mask)
    }

    /// The entries matching every word's prefix (rarest word first, then
    /// what the others match too); without words, the entries of the
    /// categories asked for; `None` when there are neither (all).
    fn candidates(&self, text: &str, categories: Option<&[i64]>) -> Option<Vec<u32>> {
        let mut query_words = words(text);
        query_words.truncate(MAX_WORDS);
        if query_words.is_empty() {
            let categories = categories?;
            let mut list: Vec<u32> =
                categories.iter().filter_map(|c| self.by_category.get(c)).flatten().copied().collect();
            list.sort_unstable();
            return Some(list);
        }
        let mut ranges: Vec<_> = query_words.iter().map(|w| self.prefix_range(w)).collect();
        ranges.sort_by_key(|r| r.len());
        let mut list: Vec<u32> = self.words[ranges[0].clone()].iter().map(|(_, i)| *i).collect();
        list.sort_unstable();
        list.dedup();
        for range in &ranges[1..] {
            if list.is_empty() {
                break;
            }
            let mut mask = vec![false; self.entries.len()];
            for (_, index) in &self.words[range.clone()] {
                mask[*index as usize] = true;
            }
            list.retain(|i| mask[*i as usize]);
        }
        Some(list)
    }

    /// Whether an entry passes the search's assortment, stock and category
    /// conditions (everything but words and property filters).
    fn within(&self, mask: Option<&[bool]>, search: &Search, index: usize) -> bool {
        let entry = &self.entries[index];
        if mask.is_some_and(|m| !m[index]) {
            return false;
        }
        if search.in_stock && entry.available <= 0 {
            return false;
        }
        if let Some(categories) = search.categories {
            if !entry.category_id.is_some_and(|c| categories.contains(&c)) {
                return false;
            }
        }
        true
    }

    /// The properties of the goods a search finds, each value with the
    /// count its choice would give (see `catalog::facets`).
    pub fn facets(&self, search: &Search) -> Vec<Facet> {
        let mask = self.mask(search.assortment);
        let mask = mask.as_deref().map(Vec::as_slice);
        let within = |i: &usize| self.within(mask, search, *i);
        match self.candidates(search.text, search.categories) {
            Some(list) => self.facets.count(list.iter().map(|i| *i as usize).filter(within), search.filters),
            None => self.facets.count((0..self.entries.len()).filter(within), search.filters),
        }
    }

    /// Finds, filters and orders; returns the total and one page of offer ids.
    /// Exact SKU / barcode matches lead whatever the order.
    pub fn search(&self, search: &Search, order: Order, offset: usize, limit: usize) -> (usize, Vec<i64>) {
        let n = self.entries.len();
        let mask = self.mask(search.assortment);
        let mask = mask.as_deref().map(Vec::as_slice);
        let candidates = self.candidates(search.text, search.categories);
        let properties = self.facets.matcher(search.filters);
        let passes = |index: usize| -> bool {
            self.within(mask, search, index) && (properties.is_empty() || properties.passes(index))
        };

        let key = normalize(search.text);
        let mut exact: Vec<u32> = search.pinned.iter().filter_map(|o| self.by_offer.get(o).copied()).collect();
        exact.extend(self.exact.get(&key).into_iter().flatten().copied());
        exact.retain(|i| passes(*i as usize));
        let mut seen = std::collections::HashSet::new();
        exact.retain(|i| seen.insert(*i));

        let mut matches: Vec<u32> = match (&candidates, order) {
            // Browsing by name: walk the name order, no sort needed.
            (None, Order::Name) => self.by_name.iter().copied().filter(|i| passes(*i as usize)).collect(),
            (None, _) => (0..n as u32).filter(|i| passes(*i as usize)).collect(),
            (Some(list), _) => list.iter().copied().filter(|i| passes(*i as usize)).collect(),
        };
        matches.retain(|i| !exact.contains(i));
        let total = exact.len() + matches.len();

        let wanted = (offset + limit).saturating_sub(exact.len()).min(matches.len());
        let sort_needed = !(candidates.is_none() && order == Order::Name);
        if sort_needed && wanted > 0 {
            let price_list = match order {
                Order::PriceAsc(pt) | Order::PriceDesc(pt) => self.prices.get(&pt).map(Vec::as_slice),
                _ => None,
            };
            let key = |i: &u32| self.sort_key(*i as usize, order, price_list);
            if wanted < matches.len() {
                matches.select_nth_unstable_by_key(wanted - 1, key);
                matches.truncate(wanted);
            }
            matches.sort_unstable_by_key(key);
        }
        let page = exact
            .iter()
            .chain(matches.iter())
            .skip(offset)
            .take(limit)
            .map(|i| self.entries[*i as usize].offer_id)
            .collect();
        (total, page)
    }

    /// SKUs close to one that matched nothing: neighbours in folded order
    /// (typos at the end, Cyrillic look-alikes, missing dashes) ranked by
    /// edit distance. At most `limit`, best first.
    pub fn suggest(&self, typed: &str, limit: usize, assortment: &Assortment) -> Vec<String> {
        let mask = self.mask(assortment);
        let folded = fold(typed);
        if folded.is_empty() {
            return Vec::new();
        }
        let at = self.folded_skus.partition_point(|(k, _)| k.as_ref() < folded.as_str());
        let from = at.saturating_sub(12);
        let to = (at + 12).min(self.folded_skus.len());
        let mut scored: Vec<(f64, &str)> = self.folded_skus[from..to]
            .iter()
            .filter(|(_, i)| mask.as_ref().is_none_or(|m| m[*i as usize]))
            .map(|(key, i)| {
                (strsim::normalized_damerau_levenshtein(key, &folded), self.entries[*i as usize].sku.as_ref())
            })
            .filter(|(score, _)| *score >= 0.6)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, sku) in scored {
            if !out.iter().any(|s| s == sku) {
                out.push(sku.to_string());
            }
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// Sort key: the order's value first, then the name order to break ties.
    fn sort_key(&self, index: usize, order: Order, prices: Option<&[Option<i64>]>) -> (i64, u32) {
        let entry = &self.entries[index];
        let price = prices.and_then(|p| p[index]);
        match order {
            Order::Name => (0, entry.name_rank),
            Order::Sku => (i64::from(entry.sku_rank), entry.name_rank),
            // Offers without a price go last either way.
            Order::PriceAsc(_) => (price.unwrap_or(i64::MAX), entry.name_rank),
            Order::PriceDesc(_) => (price.map(|p| -p).unwrap_or(i64::MAX), entry.name_rank),
        }
    }
}

/// A SKU reduced for similarity: lower case, Cyrillic look-alikes read as
/// Latin ("Х" = "X"), only letters and digits.
fn fold(sku: &str) -> String {
    sku.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| match c {
            'а' => 'a',
            'в' => 'b',
            'е' | 'ё' => 'e',
            'к' => 'k',
            'м' => 'm',
            'н' => 'h',
            'о' => 'o',
            'р' => 'p',
            'с' => 'c',
            'т' => 't',
            'у' => 'y',
            'х' => 'x',
            other => other,
        })
        .collect()
}

/// The index an instance shares between requests, rebuilt when stale.
pub struct SharedIndex {
    current: RwLock<Option<Arc<SearchIndex>>>,
    rebuilding: Mutex<()>,
}

impl Default for SharedIndex {
    fn default() -> Self {
        SharedIndex::new()
    }
}

impl SharedIndex {
    pub fn new() -> SharedIndex {
        SharedIndex { current: RwLock::new(None), rebuilding: Mutex::new(()) }
    }

    fn snapshot(&self) -> Option<Arc<SearchIndex>> {
        self.current.read().map(|g| g.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The index, rebuilt first if the catalog version moved. When it is
    /// only old, one caller rebuilds while the others keep using it.
    pub fn get(&self, conn: &mut DbConn) -> Result<Arc<SearchIndex>> {
        let version = settings::get(conn, settings::CATALOG_VERSION)?;
        if let Some(index) = self.snapshot() {
            if index.version == version {
                if index.built.elapsed() < MAX_AGE {
                    return Ok(index);
                }
                return match self.rebuilding.try_lock() {
                    Ok(_guard) => self.rebuild(conn),
                    Err(_) => Ok(index),
                };
            }
        }
        let _guard = self.rebuilding.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(index) = self.snapshot() {
            if index.version == version {
                return Ok(index); // someone else rebuilt while we waited
            }
        }
        self.rebuild(conn)
    }

    fn rebuild(&self, conn: &mut DbConn) -> Result<Arc<SearchIndex>> {
        let index = Arc::new(SearchIndex::build(conn)?);
        let mut slot = self.current.write().unwrap_or_else(|p| p.into_inner());
        *slot = Some(index.clone());
        Ok(index)
    }
}
