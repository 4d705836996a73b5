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
use crate::ids::OfferId;
use crate::settings::StockDisplay;
use crate::web::session::{layout, Authed};
use crate::web::AppState;

#[derive(Serialize)]
struct ProductPage {
    product: ProductView,
    offers: Vec<OfferView>,
    breadcrumbs: Vec<Crumb>,
    show_warehouses: bool,
    images: Vec<crate::media::ImageLink>,
    files: Vec<crate::media::FileLink>,
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
    /// Out of stock: a buyer may ask to be told when it is back.
    out_of_stock: bool,
    /// "15.12.2026": when it is expected, if out of stock and known.
    expected: Option<String>,
    /// The buyer waits for it.
    subscribed: bool,
    /// Staff: the low-stock threshold watched, if any.
    watched: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct SubscriptionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    offer_id: Option<i64>,
}

/// A buyer asks to be told when an offer (or every offer of the product
/// that is out of stock) is back, or stops waiting.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn subscription(
    jar: &poem::web::cookie::CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    crate::web::session::CsrfForm(form): crate::web::session::CsrfForm<SubscriptionForm>,
) -> poem::Result<poem::web::Redirect> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let user = session.user.clone();
    let lang = crate::i18n::locale(&user.locale);
    let outcome = state
        .db
        .run(move |conn| match form.action.as_str() {
            "unsubscribe" => crate::stock_alerts::unsubscribe(conn, user.id, id).map(|_| "stock_alerts.unsubscribed"),
            _ => match crate::stock_alerts::subscribe(conn, &user, id, form.offer_id.map(OfferId)) {
                Ok(_) => Ok("stock_alerts.subscribed"),
                Err(Error::Conflict(_)) => Ok("stock_alerts.in_stock_now"),
                Err(other) => Err(other),
            },
        })
        .await?;
    crate::web::session::set_flash(state, jar, &crate::i18n::text(lang, outcome, &[]));
    Ok(poem::web::Redirect::see_other(format!("/catalog/products/{id}")))
}

#[derive(serde::Deserialize)]
pub struct WatchForm {
    offer_id: i64,
    #[serde(default)]
    threshold: String,
}

/// Staff watch an offer's stock (an empty threshold stops watching).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn watch(
    jar: &poem::web::cookie::CookieJar,
    Data(state): Data<&AppState>,
    crate::web::session::Staff(session): crate::web::session::Staff,
    Path(id): Path<String>,
    crate::web::session::CsrfForm(form): crate::web::session::CsrfForm<WatchForm>,
) -> poem::Result<poem::web::Redirect> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let staff = session.user.id;
    let lang = crate::i18n::locale(&session.user.locale);
    let offer = OfferId(form.offer_id);
    let threshold = form.threshold.trim().to_string();
    let message = state
        .db
        .run(move |conn| {
            if threshold.is_empty() {
                crate::stock_alerts::unwatch(conn, offer)?;
                return Ok(crate::i18n::text(lang, "stock_alerts.unwatched", &[]));
            }
            let Some(milli) = crate::money::Qty::parse(&threshold).map(|q| q.milli()) else {
                return Ok(crate::i18n::text(lang, "stock_alerts.bad_threshold", &[("threshold", threshold)]));
            };
            match crate::stock_alerts::watch(conn, staff, offer, milli) {
                Ok(()) => Ok(crate::i18n::text(lang, "stock_alerts.watched", &[("threshold", threshold)])),
                Err(Error::Invalid(_)) => {
                    Ok(crate::i18n::text(lang, "stock_alerts.bad_threshold", &[("threshold", threshold)]))
                }
                Err(other) => Err(other),
            }
        })
        .await?;
    crate::web::session::set_flash(state, jar, &message);
    Ok(poem::web::Redirect::see_other(format!("/catalog/products/{id}")))
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
    let (card, subscribed, watched) = state
        .db
        .run(move |conn| {
            let card = product_card(conn, &user, ProductId(id))?;
            let ids: Vec<OfferId> = card.offers.iter().map(|o| o.offer.id).collect();
            let subscribed = crate::stock_alerts::subscribed(conn, user.id, &ids)?;
            let watched = if user.role.is_staff() {
                crate::stock_alerts::watches(conn)?
                    .into_iter()
                    .filter(|w| ids.contains(&w.offer_id))
                    .map(|w| (w.offer_id, w.threshold))
                    .collect()
            } else {
                Vec::new()
            };
            Ok((card, subscribed, watched))
        })
        .await?;
    let view = page_view(card, (&subscribed, &watched), layout.lang);
    Ok(state.templates.render("product.html", &layout, &view)?)
}

fn page_view(
    card: ProductCard,
    (subscribed, watched): (&[OfferId], &[(OfferId, i64)]),
    lang: &'static str,
) -> ProductPage {
    let ProductCard { product, offers, pricing, policy, breadcrumbs, media } = card;
    let offers = offers
        .into_iter()
        .map(|CardOffer { offer, list_price_minor, breaks, stock }| OfferView {
            out_of_stock: offer.available() <= 0,
            expected: offer.expected_at.filter(|_| offer.available() <= 0).map(|d| d.format("%d.%m.%Y").to_string()),
            subscribed: subscribed.contains(&offer.id),
            watched: watched.iter().find(|(o, _)| *o == offer.id).map(|(_, t)| crate::money::Qty(*t).plain()),
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
    let (images, files) = media.links();
    ProductPage {
        images,
        files,
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
