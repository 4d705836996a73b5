//! The catalog page: category tree, search, filters, sorting, pagination, at
//! the buyer's contract prices. Malformed query values fall back to defaults
//! here (the API answers them with 400 instead).

use poem::web::{Data, Html, Query};
use poem::{handler, Request};
use serde::{Deserialize, Serialize};

use super::view::{offer_row, OfferFacts, OfferRow};
use crate::catalog::listing::{list, ListQuery, Sort};
use crate::catalog::tree::{CategoryNode, CategoryTree};
use crate::pricing::PriceContext;
use crate::settings::stock_policy;
use crate::web::session::{layout, Authed};
use crate::web::AppState;

pub const DEFAULT_PER_PAGE: u32 = 50;

#[derive(Deserialize, Default)]
pub struct CatalogQuery {
    q: Option<String>,
    category: Option<String>,
    in_stock: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

#[derive(Serialize)]
struct CatalogPage {
    q: String,
    category: Option<i64>,
    category_name: Option<String>,
    in_stock: bool,
    sort: Sort,
    per_page: u32,
    page: u32,
    pages: u32,
    total: i64,
    rows: Vec<OfferRow>,
    tree: Vec<CategoryNode>,
    price_type: String,
    contract: Option<String>,
    discount: String,
    /// Query string of the current filters without `page`, for pager links.
    base_query: String,
}

#[handler]
pub async fn page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<CatalogQuery>,
) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "catalog").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let text = query.q.clone().unwrap_or_default().chars().take(200).collect::<String>();
    let category = query.category.as_deref().and_then(|c| c.parse::<i64>().ok());
    let in_stock = matches!(query.in_stock.as_deref(), Some("1" | "on" | "true"));
    let sort = query.sort.as_deref().and_then(Sort::parse).unwrap_or_default();
    let page = query.page.as_deref().and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).clamp(1, 100_000);
    let per_page = query
        .per_page
        .as_deref()
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|p| [25, 50, 100, 200].contains(p))
        .unwrap_or(DEFAULT_PER_PAGE);

    let search = state.search.clone();
    let view = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            let pricing = PriceContext::for_user(conn, &user)?;
            let policy = stock_policy(conn)?;
            let tree = CategoryTree::load(conn)?;
            let category = category.filter(|c| tree.get(*c).is_some());
            let listing = ListQuery {
                text: text.clone(),
                categories: category.map(|c| tree.subtree_ids(c)),
                in_stock,
                sort,
                page,
                per_page,
            };
            let result = list(conn, &index, &listing, pricing.price_type_id)?;
            let pages = result.pages();
            let rows = result
                .items
                .iter()
                .map(|item| {
                    offer_row(
                        OfferFacts {
                            offer_id: item.offer_id,
                            product_id: item.product_id,
                            sku: &item.sku,
                            name: &item.name,
                            unit: &item.unit,
                            vat_rate: item.vat_rate,
                            list_price_minor: item.list_price_minor,
                            available: item.available(),
                            pack_multiple: item.pack_multiple,
                            min_order: item.min_order,
                        },
                        &pricing,
                        policy,
                        lang,
                    )
                })
                .collect();
            let mut base = form_urlencoded(&[("q", text.as_str())]);
            if let Some(c) = category {
                base.push_str(&format!("&category={c}"));
            }
            if in_stock {
                base.push_str("&in_stock=1");
            }
            base.push_str(&format!("&sort={}&per_page={per_page}", sort_name(sort)));
            Ok(CatalogPage {
                q: text,
                category,
                category_name: category.and_then(|c| tree.get(c)).map(|c| c.name.clone()),
                in_stock,
                sort,
                per_page,
                page,
                pages,
                total: result.total,
                rows,
                tree: tree.nodes(category),
                price_type: pricing.price_type_name.clone(),
                contract: pricing.contract_number.clone(),
                discount: crate::money::percent_from_bp(pricing.discount_bp),
                base_query: base,
            })
        })
        .await?;
    Ok(state.templates.render("catalog.html", &layout, &view)?)
}

fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Relevance => "relevance",
        Sort::Name => "name",
        Sort::Sku => "sku",
        Sort::PriceAsc => "price_asc",
        Sort::PriceDesc => "price_desc",
    }
}

fn form_urlencoded(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect::<Vec<_>>().join("&")
}
