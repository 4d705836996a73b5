//! A product card: the product with every offer at the buyer's price, its
//! availability policy, stock per warehouse where the policy shows it
//! exactly, the category path, its pictures and documents. The product page and the API's product
//! both read it, so they answer the same: a product without offers on sale
//! is not in the catalog (404), as in search.

use super::tree::CategoryTree;
use super::{prices_of, stock_by_warehouse, Offer, Product, ProductId, WarehouseStock};
use crate::accounts::User;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::OfferId;
use crate::pricing::PriceContext;
use crate::settings::{stock_policy, StockDisplay, StockPolicy};

/// One offer of the card.
#[derive(Debug, Clone)]
pub struct CardOffer {
    pub offer: Offer,
    /// The list price of the buyer's price type, if it has one.
    pub list_price_minor: Option<i64>,
    /// Quantity price breaks of the buyer's price type, ascending.
    pub breaks: Vec<crate::terms::price_breaks::PriceBreak>,
    /// Per warehouse; empty unless the policy shows exact stock.
    pub stock: Vec<WarehouseStock>,
}

#[derive(Debug, Clone)]
pub struct ProductCard {
    pub product: Product,
    pub offers: Vec<CardOffer>,
    pub pricing: PriceContext,
    pub policy: StockPolicy,
    /// (id, name) from the top category down to the product's.
    pub breadcrumbs: Vec<(i64, String)>,
    /// Its pictures and documents, in the ERP's order.
    pub media: crate::media::ProductMedia,
}

/// The card of product `id` as `user` sees it; `NotFound` when there is no
/// such product or none of its offers is on sale.
pub fn product_card(conn: &mut DbConn, user: &User, id: ProductId) -> Result<ProductCard> {
    let product = Product::find(conn, id)?;
    let offers = Offer::of_product(conn, id)?;
    if offers.is_empty() {
        return Err(Error::NotFound);
    }
    let pricing = PriceContext::for_user(conn, user)?;
    if !pricing.assortment.allows(product.id, product.category_id) {
        return Err(Error::NotFound);
    }
    let policy = stock_policy(conn)?;
    let ids: Vec<OfferId> = offers.iter().map(|o| o.id).collect();
    let prices = prices_of(conn, &ids, pricing.price_type_id)?;
    let mut breaks = crate::terms::price_breaks::of_offers(conn, pricing.price_type_id, &ids)?;
    let stock = if policy.display == StockDisplay::Exact { stock_by_warehouse(conn, &ids)? } else { Vec::new() };
    let breadcrumbs = match product.category_id {
        Some(category) => {
            CategoryTree::load(conn)?.path_to(category).into_iter().map(|c| (c.id, c.name.clone())).collect()
        }
        None => Vec::new(),
    };
    let media = crate::media::of_product(conn, product.id)?;
    let offers = offers
        .into_iter()
        .map(|offer| CardOffer {
            list_price_minor: prices.iter().find(|(o, _)| *o == offer.id).map(|(_, p)| *p),
            breaks: breaks.remove(&offer.id).unwrap_or_default(),
            stock: stock.iter().filter(|s| s.offer_id == offer.id).cloned().collect(),
            offer,
        })
        .collect();
    Ok(ProductCard { product, offers, pricing, policy, breadcrumbs, media })
}
