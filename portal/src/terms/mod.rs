//! Commercial terms beyond the contract: customer groups, the assortment a
//! company or group may see, and quantity price breaks. Pricing reads them
//! through `pricing::PriceContext`, so every route applies the same terms.

pub mod assortment;
pub mod delivery;
pub mod groups;
pub mod payment;
pub mod price_breaks;
