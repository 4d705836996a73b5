//! The product page: its pictures (a gallery) and documents, description,
//! properties, and every offer (variant) with
//! the buyer's price and availability, per warehouse where stock is shown
//! exactly; rendered from `catalog::card`, as the API's product is.

use poem::web::{Data, Html, Path};
use poem::{handler, Request};
use serde::Serialize;

use super::view::{break_lines, offer_row, stock_cell, OfferFacts, OfferRow};
use crate::catalog::card::{product_card, CardOffer, ProductCard};
use crate::catalog::ProductId;
use crate::error::Error;
use crate::settings::StockDisplay;
use crate::web::session::{layout, Authed};
use crate::web::AppState;

#[derive(Serialize)]
struct ProductPage {
    product: ProductView,
    offers: Vec<OfferView>,
    breadcrumbs: Vec<Crumb>,
    show_warehouses: bool,
    images: Vec<ImageView>,
    files: Vec<FileView>,
}

/// A picture of the gallery.
#[derive(Serialize)]
struct ImageView {
    url: String,
    thumb_url: String,
    name: String,
}

/// A document to download.
#[derive(Serialize)]
struct FileView {
    url: String,
    name: String,
}

/// A category on the way to the product.
#[derive(Serialize)]
struct Crumb {
    id: i64,
    name: String,
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct WarehouseView {
    warehouse: String,
    stock: String,
}

#[derive(Serialize)]
struct ProductView {
    id: i64,
    sku: String,
    name: String,
    description: String,
    unit: String,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct OfferView {
    row: OfferRow,
    characteristics: String,
    barcode: Option<String>,
    warehouses: Vec<WarehouseView>,
    /// "from 100 pcs: 8.15" for each quantity price break.
    breaks: Vec<String>,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> poem::Result<Html<String>> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let layout = layout(state, req, &session, "catalog").await?;
    let user = session.user.clone();
    let card = state.db.run(move |conn| product_card(conn, &user, ProductId(id))).await?;
    let view = page_view(card, layout.lang);
    Ok(state.templates.render("product.html", &layout, &view)?)
}

fn page_view(card: ProductCard, lang: &'static str) -> ProductPage {
    let ProductCard { product, offers, pricing, policy, breadcrumbs, media } = card;
    let offers = offers
        .into_iter()
        .map(|CardOffer { offer, list_price_minor, breaks, stock }| OfferView {
            breaks: break_lines(&pricing, list_price_minor, &breaks, (&product.unit, product.vat_rate), lang),
            row: offer_row(
                OfferFacts {
                    offer_id: offer.id.0,
                    product_id: product.id,
                    sku: &offer.sku,
                    name: &offer.name,
                    unit: &product.unit,
                    vat_rate: product.vat_rate,
                    list_price_minor,
                    available: offer.available(),
                    pack_multiple: product.pack_multiple,
                    min_order: product.min_order,
                },
                &pricing,
                policy,
                lang,
            ),
            warehouses: stock
                .iter()
                .map(|s| WarehouseView {
                    warehouse: s.warehouse.clone(),
                    stock: stock_cell(s.quantity, &product.unit, policy, lang).label,
                })
                .collect(),
            characteristics: offer.characteristics,
            barcode: offer.barcode,
        })
        .collect();
    ProductPage {
        images: media
            .images
            .into_iter()
            .map(|i| ImageView {
                url: crate::media::url(&i.hash),
                thumb_url: crate::media::thumb_url(&i.hash),
                name: i.name,
            })
            .collect(),
        files: media
            .files
            .into_iter()
            .map(|f| FileView { url: crate::media::file_url(&f.hash, &f.name), name: f.name })
            .collect(),
        offers,
        breadcrumbs: breadcrumbs.into_iter().map(|(id, name)| Crumb { id, name }).collect(),
        show_warehouses: policy.display == StockDisplay::Exact,
        product: ProductView {
            properties: product.property_pairs().into_iter().map(|(name, value)| Property { name, value }).collect(),
            id: product.id,
            sku: product.sku,
            name: product.name,
            description: product.description,
            unit: product.unit,
        },
    }
}
