//! Demo commercial terms: the customer group «Дилеры» holding ООО «ТехноСнаб»,
//! whose assortment hides «Спецодежда и СИЗ», and a quantity price break on
//! one nut (from 1,000 pcs, 8 % below the list price, at every price type).

use diesel::prelude::*;

use crate::db::schema::{categories, companies, offers, prices};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::{CompanyId, OfferId};
use crate::terms::assortment::{self, Effect, RuleInput};
use crate::terms::groups::{self, GroupInput};
use crate::terms::price_breaks::{self, PriceBreak};

/// The dealers' group.
pub const DEALERS: &str = "Дилеры";
/// The company in it.
pub const DEALER_COMPANY: &str = "ООО «ТехноСнаб»";
/// The category hidden from the dealers (the fixture's external id).
pub const HIDDEN_CATEGORY: &str = "ppe";
/// The offer with a price break, and where the break starts.
pub const BREAK_SKU: &str = "NUT-934-M10";
pub const BREAK_FROM: i64 = 1_000_000;

pub fn load(conn: &mut DbConn) -> Result<()> {
    let company: CompanyId = companies::table
        .filter(companies::name.eq(DEALER_COMPANY))
        .select(companies::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::Internal(format!("demo company {DEALER_COMPANY} missing")))?;
    let group = groups::create(
        conn,
        &GroupInput { name: DEALERS.into(), colour: Some("#d97706".into()), company_ids: Some(vec![company]) },
    )?;
    let category: i64 =
        categories::table.filter(categories::external_id.eq(HIDDEN_CATEGORY)).select(categories::id).first(conn)?;
    assortment::create(
        conn,
        &RuleInput {
            company_id: None,
            group_id: Some(group.group.id),
            effect: Effect::Hide,
            category_id: Some(category),
            product_id: None,
        },
    )?;
    let offer: OfferId = offers::table.filter(offers::sku.eq(BREAK_SKU)).select(offers::id).first(conn)?;
    let list: Vec<(i64, i64)> = prices::table
        .filter(prices::offer_id.eq(offer))
        .select((prices::price_type_id, prices::price_minor))
        .load(conn)?;
    for (price_type, price) in list {
        let price_minor = price * 92 / 100;
        price_breaks::replace(conn, offer, price_type, &[PriceBreak { min_quantity: BREAK_FROM, price_minor }])?;
    }
    Ok(())
}
