//! The product page: description, properties, and every offer (variant) with
//! the buyer's price and availability, per warehouse where stock is shown
//! exactly.

use poem::web::{Data, Html, Path};
use poem::{handler, Request};
use serde::Serialize;

use super::view::{offer_row, stock_cell, OfferFacts, OfferRow};
use crate::catalog::tree::CategoryTree;
use crate::catalog::{prices_of, stock_by_warehouse, Offer, Product, ProductId};
use crate::error::Error;
use crate::pricing::PriceContext;
use crate::settings::{stock_policy, StockDisplay};
use crate::web::session::{layout, Authed};
use crate::web::AppState;

#[derive(Serialize)]
struct ProductPage {
    product: ProductView,
    offers: Vec<OfferView>,
    breadcrumbs: Vec<(i64, String)>,
    show_warehouses: bool,
}

#[derive(Serialize)]
struct ProductView {
    id: i64,
    sku: String,
    name: String,
    description: String,
    unit: String,
    properties: Vec<(String, String)>,
}

#[derive(Serialize)]
struct OfferView {
    row: OfferRow,
    characteristics: String,
    barcode: Option<String>,
    warehouses: Vec<(String, String)>,
}

#[handler]
pub async fn page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Html<String>> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let layout = layout(state, req, &session, "catalog").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let view = state
        .db
        .run(move |conn| {
            let product = Product::find(conn, ProductId(id))?;
            let offers = Offer::of_product(conn, ProductId(id))?;
            if offers.is_empty() {
                return Err(Error::NotFound);
            }
            let pricing = PriceContext::for_user(conn, &user)?;
            let policy = stock_policy(conn)?;
            let ids: Vec<i64> = offers.iter().map(|o| o.id).collect();
            let prices = prices_of(conn, &ids, pricing.price_type_id)?;
            let stock = stock_by_warehouse(conn, &ids)?;
            let tree = CategoryTree::load(conn)?;
            let breadcrumbs = product
                .category_id
                .map(|c| tree.path_to(c).into_iter().map(|c| (c.id, c.name.clone())).collect())
                .unwrap_or_default();
            let offer_views = offers
                .iter()
                .map(|offer| {
                    let list_price = prices.iter().find(|(o, _)| *o == offer.id).map(|(_, p)| *p);
                    let warehouses = stock
                        .iter()
                        .filter(|s| s.offer_id == offer.id)
                        .map(|s| (s.warehouse.clone(), stock_cell(s.quantity, &product.unit, policy, lang).label))
                        .collect();
                    OfferView {
                        row: offer_row(
                            OfferFacts {
                                offer_id: offer.id,
                                product_id: product.id,
                                sku: &offer.sku,
                                name: &offer.name,
                                unit: &product.unit,
                                vat_rate: product.vat_rate,
                                list_price_minor: list_price,
                                available: offer.available(),
                                pack_multiple: product.pack_multiple,
                                min_order: product.min_order,
                            },
                            &pricing,
                            policy,
                            lang,
                        ),
                        characteristics: offer.characteristics.clone(),
                        barcode: offer.barcode.clone(),
                        warehouses,
                    }
                })
                .collect();
            Ok(ProductPage {
                product: ProductView {
                    id: product.id,
                    sku: product.sku.clone(),
                    name: product.name.clone(),
                    description: product.description.clone(),
                    unit: product.unit.clone(),
                    properties: product.property_pairs(),
                },
                offers: offer_views,
                breadcrumbs,
                show_warehouses: policy.display == StockDisplay::Exact,
            })
        })
        .await?;
    Ok(state.templates.render("product.html", &layout, &view)?)
}
