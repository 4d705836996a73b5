//! The catalog list a buyer browses and searches: filters, word-prefix search,
//! exact-SKU-first ranking, sorting and pagination, at one price type.
//!
//! Finding and ordering happen in the in-memory `SearchIndex` (fast on large
//! catalogs, the same Cyrillic handling on both backends); the rows shown are
//! read from the database, so prices and stock are always live.

use diesel::prelude::*;
use serde::Serialize;

use super::facets::{Facet, PropertyFilter};
use super::search_index::{Order, Search, SearchIndex};
use crate::db::schema::{offers, prices, products};
use crate::db::DbConn;
use crate::error::Result;
use crate::pricing::PriceContext;

/// The most a single page may hold.
pub const MAX_PER_PAGE: u32 = 200;

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
    /// Property values chosen (`filter=Name:value`).
    pub filters: Vec<PropertyFilter>,
    /// Offers that lead the list (the one the buyer's own code names).
    pub pinned: Vec<i64>,
}

impl ListQuery {
    /// The index search this query asks for, within `assortment`.
    fn search<'a>(&'a self, assortment: &'a crate::terms::assortment::Assortment) -> Search<'a> {
        Search {
            text: &self.text,
            categories: self.categories.as_deref(),
            in_stock: self.in_stock,
            assortment,
            filters: &self.filters,
            pinned: &self.pinned,
        }
    }
}

/// The facets of what the query finds (each property of the goods found,
/// its values with counts), from the index alone.
pub fn facets(index: &SearchIndex, query: &ListQuery, pricing: &PriceContext) -> Vec<Facet> {
    index.facets(&query.search(&pricing.assortment))
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
    /// The hash of the product's first picture (`media::thumb_url`).
    pub picture: Option<String>,
    /// When it is expected, if out of stock and the supplier said.
    pub expected_at: Option<chrono::NaiveDate>,
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
        u32::try_from((self.total + per - 1) / per).unwrap_or(u32::MAX).max(1)
    }
}

/// Runs the listing at the buyer's price type within their assortment: the
/// index finds, filters, orders and pages; the page's rows are then read
/// live from the database.
pub fn list(
    conn: &mut DbConn,
    index: &SearchIndex,
    query: &ListQuery,
    pricing: &PriceContext,
) -> Result<Page<ListItem>> {
    let price_type = pricing.price_type_id;
    let per_page = query.per_page.clamp(1, MAX_PER_PAGE);
    let page = query.page.max(1);
    let order = match query.sort {
        Sort::Relevance | Sort::Name => Order::Name,
        Sort::Sku => Order::Sku,
        Sort::PriceAsc => Order::PriceAsc(price_type),
        Sort::PriceDesc => Order::PriceDesc(price_type),
    };
    let search = query.search(&pricing.assortment);
    let offset = (page as usize - 1).saturating_mul(per_page as usize);
    let (total, ids) = index.search(&search, order, offset, per_page as usize);
    let total = i64::try_from(total).unwrap_or(i64::MAX);
    if ids.is_empty() {
        return Ok(Page { items: Vec::new(), total, page, per_page });
    }
    let mut rows = priced(price_type).filter(offers::id.eq_any(&ids)).select(list_columns()).load::<ListItem>(conn)?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.offer_id));
    Ok(Page { items: rows, total, page, per_page })
}

/// The rows of `ids` at `price_type`, in the order of `ids` (read 500 at a time).
pub fn rows_of(conn: &mut DbConn, price_type: i64, ids: &[i64]) -> Result<Vec<ListItem>> {
    let position: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        rows.extend(priced(price_type).filter(offers::id.eq_any(chunk)).select(list_columns()).load::<ListItem>(conn)?);
    }
    rows.sort_by_key(|row| position.get(&row.offer_id).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// offers ⋈ products ⟕ prices of one price type.
#[allow(clippy::type_complexity)]
fn priced(
    price_type: i64,
) -> diesel::dsl::LeftJoinOn<
    diesel::dsl::InnerJoin<offers::table, products::table>,
    prices::table,
    diesel::dsl::And<diesel::dsl::Eq<prices::offer_id, offers::id>, diesel::dsl::Eq<prices::price_type_id, i64>>,
> {
    offers::table
        .inner_join(products::table)
        .left_join(prices::table.on(prices::offer_id.eq(offers::id).and(prices::price_type_id.eq(price_type))))
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
    diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Text>>,
    offers::expected_at,
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
        crate::media::first_picture(),
        offers::expected_at,
    )
}
