//! The catalog list a buyer browses and searches: filters, word-prefix search,
//! exact-SKU-first ranking, sorting and pagination, at one price type.
//!
//! Search runs on the `offer_words` index (range scans, byte order), never on
//! `LIKE '%…%'`, so it stays fast on large catalogs and handles Cyrillic case
//! the same on both backends.

use diesel::prelude::*;
use serde::Serialize;

use super::search_words::{normalize, prefix_upper_bound, words};
use crate::db::schema::{offer_words, offers, prices, products};
use crate::db::DbConn;
use crate::error::Result;

/// The most a single page may hold.
pub const MAX_PER_PAGE: u32 = 200;
/// At most this many query words are used (the rest narrow nothing useful).
const MAX_WORDS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Exact SKU or barcode first, then by name.
    #[default]
    Relevance,
    Name,
    Sku,
    PriceAsc,
    PriceDesc,
}

impl Sort {
    pub fn parse(text: &str) -> Option<Sort> {
        match text {
            "" | "relevance" => Some(Sort::Relevance),
            "name" => Some(Sort::Name),
            "sku" => Some(Sort::Sku),
            "price_asc" => Some(Sort::PriceAsc),
            "price_desc" => Some(Sort::PriceDesc),
            _ => None,
        }
    }
}

/// What the buyer asked for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub text: String,
    /// The selected category and everything below it.
    pub categories: Option<Vec<i64>>,
    pub in_stock: bool,
    pub sort: Sort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// One row of the list, with the raw list price of the requested price type.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct ListItem {
    pub offer_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub fractional: bool,
    pub vat_rate: Option<i32>,
    pub stock_total: i64,
    pub reserved: i64,
    pub list_price_minor: Option<i64>,
    pub pack_multiple: i64,
    pub min_order: i64,
}

impl ListItem {
    pub fn available(&self) -> i64 {
        (self.stock_total - self.reserved).max(0)
    }
}

/// One page of results and where it sits.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per - 1) / per)
            .unwrap_or(u32::MAX)
            .max(1)
    }
}

struct Filters {
    words: Vec<String>,
    categories: Option<Vec<i64>>,
    in_stock: bool,
}

/// Applies the shared filters to an offers ⋈ products query and boxes it.
macro_rules! filtered {
    ($query:expr, $filters:expr) => {{
        let filters: &Filters = $filters;
        let mut query = $query
            .filter(offers::active.eq(true))
            .filter(products::active.eq(true))
            .into_boxed();
        for word in &filters.words {
            let matching = offer_words::table
                .select(offer_words::offer_id)
                .filter(offer_words::word.ge(word.clone()))
                .filter(offer_words::word.lt(prefix_upper_bound(word)));
            query = query.filter(offers::id.eq_any(matching));
        }
        if let Some(ids) = &filters.categories {
            query = query.filter(products::category_id.eq_any(ids.clone()));
        }
        if filters.in_stock {
            query = query.filter(offers::stock_total.gt(offers::reserved));
        }
        query
    }};
}

/// Runs the listing at `price_type` prices.
pub fn list(conn: &mut DbConn, query: &ListQuery, price_type: i64) -> Result<Page<ListItem>> {
    let per_page = query.per_page.clamp(1, MAX_PER_PAGE);
    let page = query.page.max(1);
    let mut query_words = words(&query.text);
    query_words.truncate(MAX_WORDS);
    let filters = Filters {
        words: query_words,
        categories: query.categories.clone(),
        in_stock: query.in_stock,
    };

    let total: i64 = filtered!(offers::table.inner_join(products::table), &filters)
        .count()
        .get_result(conn)?;
    let offset = i64::from(page - 1) * i64::from(per_page);
    if total == 0 || offset >= total {
        return Ok(Page {
            items: Vec::new(),
            total,
            page,
            per_page,
        });
    }

    // Exact SKU / barcode matches lead the results, whatever the sort.
    let key = normalize(&query.text);
    let exact: Vec<ListItem> = if key.is_empty() {
        Vec::new()
    } else {
        let rows = filtered!(priced(price_type), &filters)
            .filter(
                offers::sku_key
                    .eq(key.clone())
                    .or(offers::barcode.eq(key.clone())),
            )
            .order(offers::sku)
            .limit(i64::from(MAX_PER_PAGE))
            .select(list_columns())
            .load::<ListItem>(conn)?;
        rows
    };
    let exact_ids: Vec<i64> = exact.iter().map(|i| i.offer_id).collect();
    let exact_len = exact.len() as i64;

    let mut items: Vec<ListItem> = exact
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .collect();
    items.truncate(per_page as usize);
    let rest_offset = (offset - exact_len).max(0);
    let rest_limit = i64::from(per_page) - items.len() as i64;
    if rest_limit > 0 {
        let mut rest = filtered!(priced(price_type), &filters).filter(offers::id.ne_all(exact_ids));
        rest = match query.sort {
            Sort::Relevance | Sort::Name => rest.order((offers::name.asc(), offers::id.asc())),
            Sort::Sku => rest.order((offers::sku.asc(), offers::id.asc())),
            Sort::PriceAsc => rest.order((prices::price_minor.asc(), offers::id.asc())),
            Sort::PriceDesc => rest.order((prices::price_minor.desc(), offers::id.asc())),
        };
        let more = rest
            .limit(rest_limit)
            .offset(rest_offset)
            .select(list_columns())
            .load::<ListItem>(conn)?;
        items.extend(more);
    }
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// offers ⋈ products ⟕ prices of one price type.
#[allow(clippy::type_complexity)]
fn priced(
    price_type: i64,
) -> diesel::dsl::LeftJoinOn<
    diesel::dsl::InnerJoin<offers::table, products::table>,
    prices::table,
    diesel::dsl::And<
        diesel::dsl::Eq<prices::offer_id, offers::id>,
        diesel::dsl::Eq<prices::price_type_id, i64>,
    >,
> {
    offers::table.inner_join(products::table).left_join(
        prices::table.on(prices::offer_id
            .eq(offers::id)
            .and(prices::price_type_id.eq(price_type))),
    )
}

/// The columns of a `ListItem`, in order.
#[allow(clippy::type_complexity)]
fn list_columns() -> (
    offers::id,
    offers::product_id,
    offers::sku,
    offers::name,
    products::unit,
    products::fractional,
    products::vat_rate,
    offers::stock_total,
    offers::reserved,
    diesel::dsl::Nullable<prices::price_minor>,
    products::pack_multiple,
    products::min_order,
) {
    (
        offers::id,
        offers::product_id,
        offers::sku,
        offers::name,
        products::unit,
        products::fractional,
        products::vat_rate,
        offers::stock_total,
        offers::reserved,
        prices::price_minor.nullable(),
        products::pack_multiple,
        products::min_order,
    )
}
