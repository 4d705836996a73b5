//! Catalog endpoints: the category tree, the product list with search and
//! filters, and one product with its offers — all at the caller's prices.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};

use super::{api_error, ApiError, BearerAuth};
use crate::catalog::card::{product_card, CardOffer, ProductCard};
use crate::catalog::facets::{parse_filters, PropertyFilter};
use crate::catalog::listing::{list, ListQuery, Sort, MAX_PER_PAGE};
use crate::catalog::tree::CategoryTree;
use crate::catalog::ProductId;
use crate::error::Error;
use crate::ids::OfferId;
use crate::money::Money;
use crate::pricing::PriceContext;
use crate::settings::StockPolicy;
use crate::stock::Availability;
use crate::terms::price_breaks::{self, PriceBreak};
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Categories, products, prices and availability
    Catalog,
}

pub struct CatalogApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CategoryOut {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    external_id: String,
}

#[derive(Enum, Clone, Copy)]
#[oai(rename_all = "snake_case")]
enum SortParam {
    Relevance,
    Name,
    Sku,
    PriceAsc,
    PriceDesc,
}

impl From<SortParam> for Sort {
    fn from(s: SortParam) -> Sort {
        match s {
            SortParam::Relevance => Sort::Relevance,
            SortParam::Name => Sort::Name,
            SortParam::Sku => Sort::Sku,
            SortParam::PriceAsc => Sort::PriceAsc,
            SortParam::PriceDesc => Sort::PriceDesc,
        }
    }
}

/// The caller's price for one unit.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PriceOut {
    /// Price per unit including VAT, in minor units (kopecks).
    amount_minor: i64,
    /// The VAT part of `amount_minor`.
    vat_minor: i64,
    /// VAT rate in percent; absent means no VAT.
    vat_rate: Option<i32>,
    currency: String,
    /// Quantity price breaks: from a quantity on, the caller's unit price.
    breaks: Vec<PriceBreakOut>,
}

/// From `min_quantity` on, one unit costs the caller `amount_minor` (VAT included).
#[derive(Object)]
struct PriceBreakOut {
    /// Decimal string, in the product's unit.
    min_quantity: String,
    amount_minor: i64,
}

/// Availability under the supplier's display setting.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AvailabilityOut {
    /// exact, in_stock, few, none or hidden.
    kind: String,
    /// Available quantity, only when the supplier shows exact stock.
    quantity: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProductListItem {
    /// The product id (for `GET /api/v1/catalog/products/{id}`).
    id: i64,
    offer_id: i64,
    sku: String,
    name: String,
    unit: String,
    pack_multiple: String,
    min_order: String,
    price: Option<PriceOut>,
    availability: AvailabilityOut,
    /// The product's first picture, small (absent when it has none).
    thumb_url: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProductPage {
    items: Vec<ProductListItem>,
    total: i64,
    page: u32,
    per_page: u32,
    pages: u32,
    /// With `facets=true`: the properties of the goods found.
    facets: Option<Vec<FacetOut>>,
}

/// A property of the goods found, with its values and counts.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct FacetOut {
    property: String,
    /// All its values are numbers: `filter=Name:from..to` selects a range.
    numeric: bool,
    /// Each value with how many goods it lists under the other choices
    /// (empty for a numeric property with too many values to list).
    values: Vec<FacetValueOut>,
    /// The smallest number among the goods found (numeric only).
    min: Option<f64>,
    /// The largest (numeric only).
    max: Option<f64>,
}

#[derive(Object)]
struct FacetValueOut {
    value: String,
    count: i64,
}

fn facets_of(
    index: &crate::catalog::search_index::SearchIndex,
    query: &ListQuery,
    pricing: &PriceContext,
) -> Vec<FacetOut> {
    crate::catalog::listing::facets(index, query, pricing)
        .into_iter()
        .map(|facet| FacetOut {
            values: facet
                .values
                .into_iter()
                .map(|(value, count)| FacetValueOut { value, count: count as i64 })
                .collect(),
            min: facet.range.map(|(min, _)| min),
            max: facet.range.map(|(_, max)| max),
            property: facet.property,
            numeric: facet.numeric,
        })
        .collect()
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct OfferOut {
    id: i64,
    external_id: String,
    sku: String,
    name: String,
    characteristics: String,
    barcode: Option<String>,
    price: Option<PriceOut>,
    availability: AvailabilityOut,
    /// Per warehouse, only when the supplier shows exact stock.
    warehouses: Vec<WarehouseStockOut>,
    /// When it is expected, if it is out of stock and the supplier said.
    expected_at: Option<chrono::NaiveDate>,
    /// The caller waits to be told when it is back in stock.
    subscribed: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct WarehouseStockOut {
    warehouse: String,
    quantity: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProductDetail {
    id: i64,
    external_id: String,
    sku: String,
    name: String,
    description: String,
    unit: String,
    category_id: Option<i64>,
    vat_rate: Option<i32>,
    pack_multiple: String,
    min_order: String,
    properties: Vec<PropertyOut>,
    /// Pictures in the ERP's order (the first is the main one).
    images: Vec<ImageOut>,
    /// Documents: certificates, passports, drawings.
    files: Vec<FileOut>,
    offers: Vec<OfferOut>,
}

/// A product picture: the original and its thumbnail. Both addresses are
/// the content's hash, cached for a year.
#[derive(Object)]
struct ImageOut {
    url: String,
    thumb_url: String,
    /// Its description, or the file name.
    name: String,
}

/// A product document.
#[derive(Object)]
struct FileOut {
    name: String,
    url: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PropertyOut {
    name: String,
    value: String,
}

#[derive(ApiResponse)]
enum ListOutcome {
    #[oai(status = 200)]
    Ok(Json<ProductPage>),
    /// The category does not exist.
    #[oai(status = 404)]
    UnknownCategory(Json<ApiError>),
}

#[derive(ApiResponse)]
enum ProductOutcome {
    #[oai(status = 200)]
    Ok(Json<Box<ProductDetail>>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

fn price_out(
    pricing: &PriceContext,
    list_price: Option<i64>,
    breaks: &[PriceBreak],
    vat_rate: Option<i32>,
) -> Option<PriceOut> {
    list_price.map(|p| {
        let unit = pricing.unit_price(Money(p), vat_rate);
        PriceOut {
            amount_minor: unit.gross.minor(),
            vat_minor: unit.vat.minor(),
            vat_rate: unit.vat_rate,
            currency: "RUB".into(),
            breaks: breaks
                .iter()
                .map(|b| PriceBreakOut {
                    min_quantity: qty(b.min_quantity),
                    amount_minor: pricing.price_from(Money(p), breaks, b.min_quantity, vat_rate).unit.gross.minor(),
                })
                .collect(),
        }
    })
}

fn availability_out(available: i64, policy: StockPolicy) -> AvailabilityOut {
    let a = Availability::of(available, policy);
    let kind = match a {
        Availability::Exact(_) => "exact",
        Availability::InStock => "in_stock",
        Availability::Few => "few",
        Availability::None => "none",
        Availability::Hidden => "hidden",
    };
    AvailabilityOut { kind: kind.into(), quantity: a.quantity().map(|q| crate::money::Qty(q).plain()) }
}

fn qty(milli: i64) -> String {
    crate::money::Qty(milli).plain()
}

/// The buyer's price list as a spreadsheet.
#[derive(ApiResponse)]
enum PriceListXlsx {
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    File(poem_openapi::payload::Attachment<Vec<u8>>),
    /// No such category in the buyer's assortment.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

/// The buyer's price list as CSV (semicolons, UTF-8 with a byte-order mark).
#[derive(ApiResponse)]
enum PriceListCsv {
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    File(poem_openapi::payload::Attachment<Vec<u8>>),
    /// No such category in the buyer's assortment.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

/// A permanent price-list link, shown once.
#[derive(Object)]
struct PriceListLinkOut {
    /// The .xlsx; the same with `.csv` at the end gives the CSV.
    url: String,
}

#[derive(ApiResponse)]
enum LinkMade {
    /// A new link; the previous one (if any) no longer works.
    #[oai(status = 201)]
    Made(Json<PriceListLinkOut>),
}

#[derive(ApiResponse)]
enum LinkRevoked {
    #[oai(status = 204)]
    Revoked,
}

/// Builds the token owner's price list as an attachment; `None` when the
/// category is not in their assortment.
async fn price_list_file(
    state: &AppState,
    user: crate::accounts::User,
    (q, category, in_stock, filters): (Option<String>, Option<i64>, Option<bool>, Vec<String>),
    format: crate::web::pages::price_list::FileFormat,
) -> Result<Option<poem_openapi::payload::Attachment<Vec<u8>>>, poem::Error> {
    use crate::web::pages::price_list::PriceListFilter;
    let filter = PriceListFilter {
        text: q.unwrap_or_default(),
        category,
        in_stock: in_stock.unwrap_or(false),
        properties: property_filters(&filters)?,
    };
    let search = state.search.clone();
    let built = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            crate::web::pages::price_list::for_user(conn, &index, &user, &filter, format)
        })
        .await;
    match built {
        Ok(bytes) => Ok(Some(poem_openapi::payload::Attachment::new(bytes).filename(format.file_name()))),
        Err(Error::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// `filter=Name:value` parameters read, or a 400 saying which is wrong.
fn property_filters(raw: &[String]) -> poem::Result<Vec<PropertyFilter>> {
    if let Some(long) = raw.iter().find(|f| f.chars().count() > 200) {
        let message = format!("filter {:?}… is longer than 200 characters", long.chars().take(20).collect::<String>());
        return Err(poem::Error::from_string(message, poem::http::StatusCode::BAD_REQUEST));
    }
    parse_filters(raw).map_err(|message| poem::Error::from_string(message, poem::http::StatusCode::BAD_REQUEST))
}

#[OpenApi(tag = "ApiTags::Catalog")]
impl CatalogApi {
    /// All active categories the user's assortment shows (a flat list;
    /// `parent_id` makes the tree).
    #[oai(path = "/v1/catalog/categories", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn categories(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<Json<Vec<CategoryOut>>> {
        let user = auth.0;
        let tree = state
            .db
            .run(move |conn| {
                let assortment = crate::terms::assortment::Assortment::for_user(conn, &user)?;
                Ok(CategoryTree::load(conn)?.visible_to(&assortment))
            })
            .await?;
        Ok(Json(
            tree.categories()
                .iter()
                .map(|c| CategoryOut {
                    id: c.id,
                    parent_id: c.parent_id,
                    name: c.name.clone(),
                    external_id: c.external_id.clone(),
                })
                .collect(),
        ))
    }

    /// Search and browse products at the caller's prices. An exact SKU or
    /// barcode match comes first; then word-prefix matches on SKU and name.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/v1/catalog/products", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn products(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Words to search for (prefixes of words in the SKU or name).
        #[oai(validator(max_length = 200))]
        q: Query<Option<String>>,
        /// A category id; its subcategories are included.
        #[oai(validator(minimum(value = "1")))]
        category: Query<Option<i64>>,
        /// Only what can be ordered from stock now.
        in_stock: Query<Option<bool>>,
        sort: Query<Option<SortParam>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] per_page: Query<Option<u32>>,
        /// Also the properties of the goods found, each value with the
        /// number of goods choosing it would list.
        facets: Query<Option<bool>>,
        /// A property value, `Name:value`, or a numeric range
        /// `Name:from..to` (an end may be left out). Repeatable: values of
        /// one property are alternatives, properties narrow each other.
        #[oai(validator(max_items = 20))]
        filter: Query<Vec<String>>,
    ) -> poem::Result<ListOutcome> {
        let user = auth.0;
        let filters = property_filters(&filter.0)?;
        let with_facets = facets.0.unwrap_or(false);
        let text = q.0.unwrap_or_default();
        let category = category.0;
        let listing_sort: Sort = sort.0.map(Sort::from).unwrap_or_default();
        let page = page.0.unwrap_or(1);
        let per_page = per_page.0.unwrap_or(50).min(MAX_PER_PAGE);
        let in_stock = in_stock.0.unwrap_or(false);
        let search = state.search.clone();
        let answers = state.answers.clone();
        let generation = state.db.generation();
        let result = state
            .db
            .run(move |conn| {
                let pricing = answers.pricing(conn, generation, &user)?;
                let policy = answers.stock_policy(conn, generation)?;
                let categories = match category {
                    Some(c) => {
                        let tree = CategoryTree::cached(conn)?.visible_to(&pricing.assortment);
                        if tree.get(c).is_none() {
                            return Ok(None);
                        }
                        Some(tree.subtree_ids(c))
                    }
                    None => None,
                };
                let pinned = crate::ordering::customer_codes::pinned_by(conn, pricing.company_id, &text)?;
                let query =
                    ListQuery { text, categories, in_stock, sort: listing_sort, page, per_page, filters, pinned };
                let index = search.get(conn)?;
                let found = list(conn, &index, &query, &pricing)?;
                let facets = with_facets.then(|| facets_of(&index, &query, &pricing));
                let ids: Vec<OfferId> = found.items.iter().map(|i| OfferId(i.offer_id)).collect();
                let breaks = price_breaks::of_offers(conn, pricing.price_type_id, &ids)?;
                let pages = found.pages();
                let items = found
                    .items
                    .into_iter()
                    .map(|i| ProductListItem {
                        id: i.product_id,
                        offer_id: i.offer_id,
                        price: price_out(
                            &pricing,
                            i.list_price_minor,
                            breaks.get(&OfferId(i.offer_id)).map(Vec::as_slice).unwrap_or_default(),
                            i.vat_rate,
                        ),
                        availability: availability_out(i.available(), policy),
                        sku: i.sku,
                        name: i.name,
                        unit: i.unit,
                        pack_multiple: qty(i.pack_multiple),
                        min_order: qty(i.min_order),
                        thumb_url: i.picture.as_deref().map(crate::media::thumb_url),
                    })
                    .collect();
                Ok(Some(ProductPage {
                    items,
                    total: found.total,
                    page: found.page,
                    per_page: found.per_page,
                    pages,
                    facets,
                }))
            })
            .await?;
        Ok(match result {
            Some(page) => ListOutcome::Ok(Json(page)),
            None => ListOutcome::UnknownCategory(api_error("unknown category")),
        })
    }

    /// The buyer's price list (.xlsx): their contract prices, VAT,
    /// availability, pack, minimum and price breaks, grouped by category,
    /// with an empty quantity column — filled in, it uploads back as an
    /// order. The same filters as the product list.
    #[oai(path = "/v1/catalog/price-list.xlsx", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn price_list_xlsx(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 200))] q: Query<Option<String>>,
        #[oai(validator(minimum(value = "1")))] category: Query<Option<i64>>,
        in_stock: Query<Option<bool>>,
        /// Property values, as on the product list (`Name:value`, repeatable).
        #[oai(validator(max_items = 20))]
        filter: Query<Vec<String>>,
    ) -> poem::Result<PriceListXlsx> {
        let format = crate::web::pages::price_list::FileFormat::Xlsx;
        Ok(match price_list_file(&state, auth.0, (q.0, category.0, in_stock.0, filter.0), format).await? {
            Some(file) => PriceListXlsx::File(file),
            None => PriceListXlsx::NotFound(api_error("no such category")),
        })
    }

    /// Makes a permanent link to the buyer's price list for their own
    /// systems to fetch without a token (replacing an earlier one).
    #[oai(path = "/v1/catalog/price-list/link", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn make_price_list_link(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<LinkMade> {
        let user = auth.0;
        let url = state
            .db
            .run(move |conn| {
                let token = crate::accounts::price_list_links::create(conn, &user)?;
                crate::accounts::price_list_links::url(conn, &token)
            })
            .await?;
        Ok(LinkMade::Made(Json(PriceListLinkOut { url })))
    }

    /// Revokes the buyer's permanent price-list link.
    #[oai(path = "/v1/catalog/price-list/link", method = "delete")]
    #[tracing::instrument(skip_all)]
    async fn revoke_price_list_link(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<LinkRevoked> {
        let user = auth.0.id;
        state.db.run(move |conn| crate::accounts::price_list_links::revoke(conn, user)).await?;
        Ok(LinkRevoked::Revoked)
    }

    /// The buyer's price list as CSV (the same rows as the .xlsx).
    #[oai(path = "/v1/catalog/price-list.csv", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn price_list_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 200))] q: Query<Option<String>>,
        #[oai(validator(minimum(value = "1")))] category: Query<Option<i64>>,
        in_stock: Query<Option<bool>>,
        /// Property values, as on the product list (`Name:value`, repeatable).
        #[oai(validator(max_items = 20))]
        filter: Query<Vec<String>>,
    ) -> poem::Result<PriceListCsv> {
        let format = crate::web::pages::price_list::FileFormat::Csv;
        Ok(match price_list_file(&state, auth.0, (q.0, category.0, in_stock.0, filter.0), format).await? {
            Some(file) => PriceListCsv::File(file),
            None => PriceListCsv::NotFound(api_error("no such category")),
        })
    }

    /// One product with all its offers (variants), prices and availability.
    #[oai(path = "/v1/catalog/products/:id", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn product(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<ProductOutcome> {
        let user = auth.0;
        let id = id.0;
        let found = state
            .db
            .run(move |conn| {
                let card = product_card(conn, &user, ProductId(id))?;
                let ids: Vec<OfferId> = card.offers.iter().map(|o| o.offer.id).collect();
                let subscribed = crate::stock_alerts::subscribed(conn, user.id, &ids)?;
                Ok((card, subscribed))
            })
            .await;
        match found {
            Ok((card, subscribed)) => Ok(ProductOutcome::Ok(Json(Box::new(product_detail(card, &subscribed))))),
            Err(Error::NotFound) => Ok(ProductOutcome::NotFound(api_error("no such product"))),
            Err(e) => Err(e.into()),
        }
    }
}

fn product_detail(card: ProductCard, subscribed: &[OfferId]) -> ProductDetail {
    let ProductCard { product, offers, pricing, policy, media, .. } = card;
    let offers = offers
        .into_iter()
        .map(|CardOffer { offer, list_price_minor, breaks, stock }| OfferOut {
            price: price_out(&pricing, list_price_minor, &breaks, product.vat_rate),
            availability: availability_out(offer.available(), policy),
            warehouses: stock
                .into_iter()
                .map(|s| WarehouseStockOut { warehouse: s.warehouse, quantity: qty(s.quantity) })
                .collect(),
            subscribed: subscribed.contains(&offer.id),
            expected_at: offer.expected_at.filter(|_| offer.available() <= 0),
            id: offer.id.0,
            external_id: offer.external_id,
            sku: offer.sku,
            name: offer.name,
            characteristics: offer.characteristics,
            barcode: offer.barcode,
        })
        .collect();
    let (images, files) = media.links();
    ProductDetail {
        properties: product.property_pairs().into_iter().map(|(name, value)| PropertyOut { name, value }).collect(),
        images: images.into_iter().map(|i| ImageOut { url: i.url, thumb_url: i.thumb_url, name: i.name }).collect(),
        files: files.into_iter().map(|f| FileOut { name: f.name, url: f.url }).collect(),
        id: product.id,
        external_id: product.external_id,
        sku: product.sku,
        name: product.name,
        description: product.description,
        unit: product.unit,
        category_id: product.category_id,
        vat_rate: product.vat_rate,
        pack_multiple: qty(product.pack_multiple),
        min_order: qty(product.min_order),
        offers,
    }
}
