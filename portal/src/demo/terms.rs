//! Demo commercial terms: the customer group «Дилеры» holding ООО «ТехноСнаб»,
//! whose assortment hides «Спецодежда и СИЗ»; a quantity price break on one
//! nut (from 1,000 pcs, 8 % below the list price, at every price type); two
//! delivery methods — pickup, free, paid by invoice or in cash, and own
//! delivery at 1 200 ₽ + 15 ₽ per kilogram (free from 150 000 ₽), paid by
//! invoice only — and a weight on every product; a volume discount of 3 %
//! on orders from 300 000 ₽ and the promo code `WELCOME5` (5 % off, once
//! per company). Stacking stays "best": the larger of the two applies.

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

/// The demo delivery methods' codes.
pub const PICKUP: &str = "pickup";
pub const OWN_DELIVERY: &str = "own";
/// The payment method only pickup allows.
pub const CASH: &str = "cash";

/// The demo promo code and the volume rule's threshold (kopecks).
pub const WELCOME_CODE: &str = "WELCOME5";
pub const VOLUME_FROM_MINOR: i64 = 30_000_000;

pub fn load(conn: &mut DbConn) -> Result<()> {
    groups_and_breaks(conn)?;
    delivery_and_payment(conn)?;
    discounts(conn)
}

fn discounts(conn: &mut DbConn) -> Result<()> {
    use crate::terms::discounts::{self, EffectKind, RuleInput};
    use crate::terms::promo::{self, PromoInput};
    let rule = |name_ru: &str, name_en: &str, value: i64| RuleInput::new(name_ru, name_en, EffectKind::Percent, value);
    let volume = RuleInput { min_order_minor: Some(VOLUME_FROM_MINOR), ..rule("объём", "volume", 300) };
    discounts::create(conn, &volume)?;
    let welcome = RuleInput { promo_only: true, ..rule("Добро пожаловать", "Welcome", 500) };
    let welcome = discounts::create(conn, &welcome)?;
    promo::create(
        conn,
        &PromoInput {
            code: WELCOME_CODE.into(),
            rule_id: welcome.id,
            valid_from: None,
            valid_to: None,
            max_uses: None,
            max_uses_per_company: Some(1),
            active: true,
        },
    )?;
    Ok(())
}

fn delivery_and_payment(conn: &mut DbConn) -> Result<()> {
    use crate::db::schema::products;
    use crate::terms::delivery::{self, DeliveryInput, DeliveryKind};
    use crate::terms::payment::{self, PaymentInput};
    // Goods sold by weight weigh their unit; pieces 50 g each.
    diesel::update(products::table.filter(products::unit.eq("кг")))
        .set(products::weight_grams.eq(1000))
        .execute(conn)?;
    diesel::update(products::table.filter(products::weight_grams.is_null()))
        .set(products::weight_grams.eq(50))
        .execute(conn)?;
    let invoice = payment::list(conn, true)?
        .into_iter()
        .find(|p| p.code == "invoice")
        .ok_or_else(|| Error::Internal("the default payment method is missing".into()))?;
    let cash = payment::save(
        conn,
        None,
        &PaymentInput {
            code: CASH.into(),
            name_ru: "Наличными или картой при получении".into(),
            name_en: "Cash or card on pickup".into(),
            prepayment_bp: 0,
            active: true,
            sort_order: 1,
        },
    )?;
    let method =
        |code: &str, kind, names: (&str, &str), cost: (i64, i64, Option<i64>), lead_days, payments| DeliveryInput {
            code: code.into(),
            kind,
            name_ru: names.0.into(),
            name_en: names.1.into(),
            fixed_minor: cost.0,
            per_kg_minor: cost.1,
            free_from_minor: cost.2,
            lead_days,
            vat_rate: Some(20),
            active: true,
            sort_order: lead_days,
            payment_method_ids: payments,
        };
    delivery::save(
        conn,
        None,
        &method(
            PICKUP,
            DeliveryKind::Pickup,
            ("Самовывоз со склада в Москве", "Pickup at the Moscow warehouse"),
            (0, 0, None),
            0,
            vec![invoice.id, cash.id],
        ),
    )?;
    delivery::save(
        conn,
        None,
        &method(
            OWN_DELIVERY,
            DeliveryKind::Own,
            ("Доставка нашим транспортом", "Our own delivery"),
            (120_000, 1_500, Some(15_000_000)),
            1,
            vec![invoice.id],
        ),
    )?;
    Ok(())
}

fn groups_and_breaks(conn: &mut DbConn) -> Result<()> {
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
