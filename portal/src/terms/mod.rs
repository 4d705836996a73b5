//! Commercial terms beyond the contract: customer groups, the assortment a
//! company or group may see, quantity price breaks, delivery and payment
//! methods, discount rules and promo codes. Pricing reads them through
//! `pricing::PriceContext` and `cart_discounts`, so every route applies the
//! same terms.

pub mod assortment;
pub mod cart_discounts;
pub mod delivery;
pub mod discount_engine;
pub mod discounts;
pub mod groups;
pub mod payment;
pub mod price_breaks;
pub mod promo;
