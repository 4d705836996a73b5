//! The catalog page: category tree, search, filters, sorting, pagination, at
//! the buyer's contract prices. Malformed query values fall back to defaults
//! here (the API answers them with 400 instead).

use poem::web::{Data, Html, Query};
use poem::{handler, Request};
use serde::{Deserialize, Serialize};

use super::view::{break_lines, offer_row, OfferFacts, OfferRow};
use crate::catalog::facets::{parse_filters, PropertyFilter};
use crate::catalog::listing::{facets, list, ListItem, ListQuery, Sort};
use crate::catalog::tree::{CategoryNode, CategoryTree};
use crate::ids::OfferId;
use crate::pricing::PriceContext;
use crate::settings::{stock_policy, StockPolicy};
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
    /// `filter=Name:value` (repeatable) and the range inputs
    /// `from:Name` / `to:Name`, read from the raw query (serde keeps one
    /// value per key).
    #[serde(skip)]
    properties: Vec<String>,
}

impl CatalogQuery {
    /// Adds the property choices of the request's query string.
    fn with_properties(mut self, req: &Request) -> CatalogQuery {
        let mut ranges: Vec<(String, String, String)> = Vec::new();
        for (key, value) in url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
            let value = value.trim().to_string();
            if key == "filter" && !value.is_empty() {
                self.properties.push(value);
            } else if let Some((end, name)) = key.split_once(':').filter(|(end, _)| ["from", "to"].contains(end)) {
                if value.is_empty() || crate::catalog::facets::number(&value).is_none() {
                    continue;
                }
                let at = match ranges.iter().position(|(n, ..)| n == name) {
                    Some(at) => at,
                    None => {
                        ranges.push((name.to_string(), String::new(), String::new()));
                        ranges.len() - 1
                    }
                };
                if end == "from" {
                    ranges[at].1 = value;
                } else {
                    ranges[at].2 = value;
                }
            }
        }
        self.properties.extend(ranges.into_iter().map(|(name, from, to)| format!("{name}:{from}..{to}")));
        self.properties.truncate(crate::catalog::facets::MAX_FILTERS);
        self
    }
}

#[derive(Serialize)]
struct CatalogPage {
    /// Pinned announcements meant for the reader, current today.
    pinned: Vec<crate::announcements::Announcement>,
    /// The buyer's permanent price-list link, described ("made …, fetched …").
    price_list_link: Option<String>,
    q: String,
    category: Option<i64>,
    category_name: Option<String>,
    in_stock: bool,
    sort: Sort,
    per_page: u32,
    page: u32,
    pages: u32,
    total: i64,
    rows: Vec<CatalogRow>,
    tree: Vec<CategoryNode>,
    price_type: String,
    contract: Option<String>,
    discount: String,
    /// Query string of the current filters without `page`, for pager links.
    base_query: String,
    /// Property filters of what is found (on a category or a search).
    facets: Vec<FacetView>,
    /// The property choices in force, for the facet form's hidden fields.
    chosen: Vec<String>,
}

/// The page's filters as read from the URL; a malformed value falls back to
/// its default.
struct Filters {
    text: String,
    category: Option<i64>,
    in_stock: bool,
    sort: Sort,
    page: u32,
    per_page: u32,
    /// Property choices as written (`Name:value`), and as read.
    raw_properties: Vec<String>,
    properties: Vec<PropertyFilter>,
}

impl CatalogQuery {
    fn filters(&self) -> Filters {
        let number = |v: &Option<String>| v.as_deref().and_then(|p| p.parse::<u32>().ok());
        Filters {
            text: self.q.clone().unwrap_or_default().chars().take(200).collect(),
            category: self.category.as_deref().and_then(|c| c.parse::<i64>().ok()),
            in_stock: matches!(self.in_stock.as_deref(), Some("1" | "on" | "true")),
            sort: self.sort.as_deref().and_then(Sort::parse).unwrap_or_default(),
            page: number(&self.page).unwrap_or(1).clamp(1, 100_000),
            per_page: number(&self.per_page).filter(|p| [25, 50, 100, 200].contains(p)).unwrap_or(DEFAULT_PER_PAGE),
            // Malformed choices are dropped one by one, the rest kept.
            raw_properties: self
                .properties
                .iter()
                .filter(|p| parse_filters(&[p.to_string()]).is_ok())
                .cloned()
                .collect(),
            properties: parse_filters(
                &self
                    .properties
                    .iter()
                    .filter(|p| parse_filters(&[p.to_string()]).is_ok())
                    .cloned()
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default(),
        }
    }
}

impl Filters {
    /// The filters as a query string without `page`, for pager links.
    fn base_query(&self) -> String {
        let mut base = form_urlencoded(&[("q", self.text.as_str())]);
        if let Some(c) = self.category {
            base.push_str(&format!("&category={c}"));
        }
        if self.in_stock {
            base.push_str("&in_stock=1");
        }
        base.push_str(&format!("&sort={}&per_page={}", sort_name(self.sort), self.per_page));
        for property in &self.raw_properties {
            base.push_str(&format!("&filter={}", urlencoding::encode(property)));
        }
        base
    }
}

/// A facet as the page shows it: checkboxes for values, inputs for a range.
#[derive(Serialize)]
struct FacetView {
    property: String,
    values: Vec<FacetValueView>,
    /// For numeric properties: the range found and the range asked.
    range: Option<RangeView>,
}

#[derive(Serialize)]
struct FacetValueView {
    value: String,
    count: usize,
    /// `Name:value`, the checkbox's value.
    param: String,
    checked: bool,
}

#[derive(Serialize)]
struct RangeView {
    min: String,
    max: String,
    from: String,
    to: String,
}

fn facet_views(facets: Vec<crate::catalog::facets::Facet>, chosen: &[PropertyFilter]) -> Vec<FacetView> {
    use crate::catalog::facets::Wanted;
    let plain = |n: f64| format!("{n}");
    facets
        .into_iter()
        .map(|facet| {
            let choice = chosen.iter().find(|c| c.property == facet.property).map(|c| &c.wanted);
            let values = facet
                .values
                .into_iter()
                .map(|(value, count)| FacetValueView {
                    param: format!("{}:{value}", facet.property),
                    checked: matches!(choice, Some(Wanted::Values(v)) if v.contains(&value)),
                    value,
                    count,
                })
                .collect();
            let range = facet.range.filter(|_| facet.numeric).map(|(min, max)| {
                let (from, to) = match choice {
                    Some(Wanted::Range(from, to)) => (from.map(plain), to.map(plain)),
                    _ => (None, None),
                };
                RangeView {
                    min: plain(min),
                    max: plain(max),
                    from: from.unwrap_or_default(),
                    to: to.unwrap_or_default(),
                }
            });
            FacetView { property: facet.property, values, range }
        })
        .collect()
}

/// A catalog row with its price breaks at the buyer's price.
#[derive(Serialize)]
struct CatalogRow {
    #[serde(flatten)]
    row: OfferRow,
    breaks: Vec<String>,
    /// The product's first picture, small.
    thumb: Option<String>,
    /// "15.12.2026" when out of stock and expected.
    expected: Option<String>,
}

/// A listed offer as a table row at the buyer's price.
fn row(item: &ListItem, pricing: &PriceContext, policy: StockPolicy, lang: &str) -> OfferRow {
    let facts = OfferFacts {
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
    };
    offer_row(facts, pricing, policy, lang)
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<CatalogQuery>,
) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "catalog").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let mut filters = query.with_properties(req).filters();
    let search = state.search.clone();
    let view = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            let pricing = PriceContext::for_user(conn, &user)?;
            let policy = stock_policy(conn)?;
            let tree = CategoryTree::cached(conn)?.visible_to(&pricing.assortment);
            filters.category = filters.category.filter(|c| tree.get(*c).is_some());
            let listing = ListQuery {
                text: filters.text.clone(),
                categories: filters.category.map(|c| tree.subtree_ids(c)),
                in_stock: filters.in_stock,
                sort: filters.sort,
                page: filters.page,
                per_page: filters.per_page,
                filters: filters.properties.clone(),
                pinned: crate::ordering::customer_codes::pinned_by(conn, pricing.company_id, &filters.text)?,
            };
            let result = list(conn, &index, &listing, &pricing)?;
            // Facets where they narrow something: on a category or a search.
            let facets = if listing.categories.is_some() || !listing.text.trim().is_empty() {
                facet_views(facets(&index, &listing, &pricing), &filters.properties)
            } else {
                Vec::new()
            };
            let zone = crate::settings::timezone(conn)?;
            let when = |t: chrono::NaiveDateTime| super::orders::when(zone, t);
            let link_state = crate::accounts::price_list_links::state(conn, user.id)?.map(|link| {
                let fetched = link.last_used_at.map(when).unwrap_or_else(|| "—".into());
                crate::i18n::text(
                    lang,
                    "price_list.link_state",
                    &[("made", when(link.created_at)), ("fetched", fetched)],
                )
            });
            let ids: Vec<OfferId> = result.items.iter().map(|i| OfferId(i.offer_id)).collect();
            let breaks = crate::terms::price_breaks::of_offers(conn, pricing.price_type_id, &ids)?;
            let rows = result
                .items
                .iter()
                .map(|item| {
                    let of_offer = breaks.get(&OfferId(item.offer_id)).map(Vec::as_slice).unwrap_or_default();
                    let unit = (&*item.unit, item.vat_rate);
                    let breaks = break_lines(&pricing, item.list_price_minor, of_offer, unit, lang);
                    CatalogRow {
                        row: row(item, &pricing, policy, lang),
                        breaks,
                        thumb: item.picture.as_deref().map(crate::media::thumb_url),
                        expected: item
                            .expected_at
                            .filter(|_| item.available() <= 0)
                            .map(|d| d.format("%d.%m.%Y").to_string()),
                    }
                })
                .collect();
            let today = crate::finance::today(conn)?;
            let pinned = crate::announcements::visible(conn, &user, today, lang)?
                .into_iter()
                .filter(|a| a.pinned && a.current)
                .collect();
            Ok(CatalogPage {
                pinned,
                price_list_link: link_state,
                category_name: filters.category.and_then(|c| tree.get(c)).map(|c| c.name.clone()),
                tree: tree.nodes(filters.category),
                pages: result.pages(),
                total: result.total,
                rows,
                price_type: pricing.price_type_name.clone(),
                contract: pricing.contract_number.clone(),
                discount: crate::money::percent_from_bp(pricing.discount_bp),
                base_query: filters.base_query(),
                facets,
                chosen: filters.raw_properties.clone(),
                q: filters.text,
                category: filters.category,
                in_stock: filters.in_stock,
                sort: filters.sort,
                per_page: filters.per_page,
                page: filters.page,
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

/// The buyer's price list of what the catalog page shows (category, search,
/// in stock) as .xlsx or .csv.
async fn price_list(
    state: &AppState,
    user: crate::accounts::User,
    query: &CatalogQuery,
    format: super::price_list::FileFormat,
) -> poem::Result<poem::Response> {
    use poem::IntoResponse;
    let filters = query.filters();
    let filter = super::price_list::PriceListFilter {
        text: filters.text,
        category: filters.category,
        in_stock: filters.in_stock,
        properties: filters.properties,
    };
    let search = state.search.clone();
    let bytes = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            super::price_list::for_user(conn, &index, &user, &filter, format)
        })
        .await?;
    Ok(bytes
        .with_content_type(format.content_type())
        .with_header("content-disposition", format!("attachment; filename=\"{}\"", format.file_name()))
        .into_response())
}

/// The price list of what the page shows, as the path's file name asks
/// (`/catalog/price-list.xlsx` or `.csv`).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn price_list_file(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<CatalogQuery>,
) -> poem::Result<poem::Response> {
    let name = req.uri().path().rsplit('/').next().unwrap_or_default();
    let format = super::price_list::FileFormat::of_file_name(name).ok_or(crate::error::Error::NotFound)?;
    let query = query.with_properties(req);
    price_list(state, session.user.clone(), &query, format).await
}

/// The price list behind a buyer's permanent link (no session): the link's
/// owner's prices and assortment; an unknown or revoked token is 404.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn shared_price_list(
    Data(state): Data<&AppState>,
    poem::web::Path((token, file)): poem::web::Path<(String, String)>,
) -> poem::Result<poem::Response> {
    let format = super::price_list::FileFormat::of_file_name(&file).ok_or(crate::error::Error::NotFound)?;
    let owner = state.db.run(move |conn| crate::accounts::price_list_links::user_for(conn, &token)).await?;
    let user = owner.ok_or(crate::error::Error::NotFound)?;
    price_list(state, user, &CatalogQuery::default(), format).await
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    action: String,
}

/// Makes (or replaces) or revokes the buyer's permanent price-list link;
/// a new link is shown once, in the message.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn price_list_link(
    jar: &poem::web::cookie::CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    crate::web::session::CsrfForm(form): crate::web::session::CsrfForm<LinkForm>,
) -> poem::Result<poem::web::Redirect> {
    use crate::accounts::price_list_links;
    let user = session.user.clone();
    let lang = crate::i18n::locale(&user.locale);
    let message = state
        .db
        .run(move |conn| match form.action.as_str() {
            "revoke" => {
                price_list_links::revoke(conn, user.id)?;
                Ok(crate::i18n::text(lang, "price_list.link_revoked", &[]))
            }
            _ => {
                let token = price_list_links::create(conn, &user)?;
                let url = price_list_links::url(conn, &token)?;
                Ok(crate::i18n::text(lang, "price_list.link_made", &[("url", url)]))
            }
        })
        .await?;
    crate::web::session::set_flash(state, jar, &message);
    Ok(poem::web::Redirect::see_other("/catalog"))
}
