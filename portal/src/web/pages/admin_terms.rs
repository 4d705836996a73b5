//! The administrator's commercial terms page (`/admin/terms`): customer
//! groups and their assortment rules, delivery and payment methods,
//! discount rules and promo codes — listed, created and withdrawn through
//! the same domain operations as the admin API.

use std::collections::HashMap;

use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Path, Redirect};
use poem::{handler, Request};
use serde::{Deserialize, Serialize};

use super::orders::GroupChip;
use super::view::Choice;
use crate::error::Error;
use crate::i18n;
use crate::ids::{CompanyId, OfferId};
use crate::money::{percent_from_bp, Money, Qty};
use crate::terms::assortment::{self, Effect};
use crate::terms::delivery::{self, DeliveryInput, DeliveryKind};
use crate::terms::discounts::{self, AppliesTo, EffectKind, Rule, RuleInput};
use crate::terms::groups::{self, GroupInput};
use crate::terms::payment::{self, PaymentInput};
use crate::terms::promo::{self, PromoInput};
use crate::web::session::{layout, set_flash, Admin, ButtonForm, CsrfForm};
use crate::web::AppState;

#[derive(Serialize)]
struct GroupRow {
    group: GroupChip,
    members: Vec<String>,
    /// "hides «Спецодежда и СИЗ»" per assortment rule, with its id.
    rules: Vec<(i64, String)>,
}

#[derive(Serialize)]
struct MethodRow {
    id: i64,
    code: String,
    name: String,
    terms: String,
    active: bool,
}

#[derive(Serialize)]
struct RuleRow {
    id: i64,
    name: String,
    conditions: String,
    effect: String,
    active: bool,
}

#[derive(Serialize)]
struct PromoRow {
    id: i64,
    code: String,
    rule: String,
    uses: String,
    period: String,
    active: bool,
}

#[derive(Serialize)]
struct TermsPage {
    groups: Vec<GroupRow>,
    deliveries: Vec<MethodRow>,
    payments: Vec<MethodRow>,
    payment_choices: Vec<Choice>,
    rules: Vec<RuleRow>,
    rule_choices: Vec<Choice>,
    promos: Vec<PromoRow>,
    companies: Vec<Choice>,
    group_choices: Vec<Choice>,
    categories: Vec<Choice>,
    stacking: String,
}

fn money(minor: i64, lang: &str) -> String {
    format!("{} ₽", Money(minor).format(lang))
}

/// What a rule asks, in words.
fn conditions(rule: &Rule, names: &Names, lang: &str) -> String {
    let t = |key: &str, args: &[(&str, String)]| i18n::text(lang, &format!("terms.{key}"), args);
    let mut out = Vec::new();
    if let Some(min) = rule.min_order_minor {
        out.push(t("cond_amount", &[("amount", money(min, lang))]));
    }
    if let Some(product) = rule.product_id {
        out.push(t("cond_product", &[("id", product.to_string())]));
    }
    if let Some(category) = rule.category_id {
        out.push(t("cond_category", &[("name", names.category(category))]));
    }
    if let Some(quantity) = rule.min_quantity {
        out.push(t("cond_quantity", &[("quantity", Qty(quantity).format(lang))]));
    }
    if let Some(group) = rule.group_id {
        out.push(t("cond_group", &[("name", names.group(group))]));
    }
    if let Some(contract) = rule.contract_id {
        out.push(t("cond_contract", &[("id", contract.to_string())]));
    }
    match (rule.nth_order, rule.within_days) {
        (Some(n), Some(days)) => out.push(t("cond_nth_within", &[("n", n.to_string()), ("days", days.to_string())])),
        (Some(n), None) => out.push(t("cond_nth", &[("n", n.to_string())])),
        _ => {}
    }
    if rule.valid_from.is_some() || rule.valid_to.is_some() {
        out.push(period(rule.valid_from, rule.valid_to));
    }
    if rule.promo_only {
        out.push(t("cond_promo", &[]));
    }
    if out.is_empty() {
        out.push(t("cond_always", &[]));
    }
    out.join("; ")
}

fn period(from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) -> String {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default();
    format!("{} – {}", day(from), day(to))
}

fn effect(rule: &Rule, lang: &str) -> String {
    let on = i18n::text(lang, &format!("terms.on_{}", rule.applies_to.as_str()), &[]);
    match rule.effect {
        EffectKind::Percent => format!("−{} % {on}", percent_from_bp(rule.value as i32)),
        EffectKind::Fixed => format!("−{} {on}", money(rule.value, lang)),
        EffectKind::Gift => i18n::text(
            lang,
            "terms.gift",
            &[
                ("quantity", Qty(rule.gift_quantity).format(lang)),
                ("offer", rule.gift_offer_id.map(|o| o.0.to_string()).unwrap_or_default()),
            ],
        ),
    }
}

/// Names of categories and groups by id, for the summaries.
struct Names {
    categories: HashMap<i64, String>,
    groups: HashMap<i64, String>,
}

impl Names {
    fn category(&self, id: i64) -> String {
        self.categories.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
    }
    fn group(&self, id: i64) -> String {
        self.groups.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
    }
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(req: &Request, Data(state): Data<&AppState>, Admin(session): Admin) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "admin").await?;
    let lang = layout.lang;
    let view = state
        .db
        .run(move |conn| {
            use diesel::prelude::*;
            let categories: Vec<(i64, String)> = {
                use crate::db::schema::categories;
                categories::table
                    .filter(categories::active.eq(true))
                    .order(categories::name)
                    .select((categories::id, categories::name))
                    .load(conn)?
            };
            let companies = crate::accounts::write::companies_with_contracts(conn)?;
            let company_names: HashMap<i64, String> = companies.iter().map(|(c, _)| (c.id, c.name.clone())).collect();
            let group_list = groups::list(conn)?;
            let names = Names {
                categories: categories.iter().cloned().collect(),
                groups: group_list.iter().map(|g| (g.group.id, g.group.name.clone())).collect(),
            };
            let rules = assortment::list(conn, None, None)?;
            let describe = |r: &assortment::Rule| {
                let what = match (r.category_id, r.product_id) {
                    (Some(c), _) => format!("«{}»", names.category(c)),
                    (None, Some(p)) => format!("#{p}"),
                    _ => String::new(),
                };
                i18n::text(lang, &format!("terms.assortment_{}", r.effect.as_str()), &[("what", what)])
            };
            let payments = payment::list(conn, true)?;
            let payment_name: HashMap<i64, String> =
                payments.iter().map(|p| (p.id, p.name(lang).to_string())).collect();
            let rule_list = discounts::list(conn)?;
            let rule_name: HashMap<i64, String> = rule_list.iter().map(|r| (r.id, r.name(lang).to_string())).collect();
            Ok(TermsPage {
                groups: group_list
                    .iter()
                    .map(|g| GroupRow {
                        group: g.group.clone().into(),
                        members: g.company_ids.iter().filter_map(|c| company_names.get(&c.0).cloned()).collect(),
                        rules: rules
                            .iter()
                            .filter(|r| r.group_id == Some(g.group.id))
                            .map(|r| (r.id, describe(r)))
                            .collect(),
                    })
                    .collect(),
                deliveries: delivery::list(conn, true)?
                    .into_iter()
                    .map(|d| {
                        let m = &d.method;
                        let mut terms = vec![money(m.fixed_minor, lang)];
                        if m.per_kg_minor > 0 {
                            terms.push(i18n::text(lang, "terms.per_kg", &[("amount", money(m.per_kg_minor, lang))]));
                        }
                        if let Some(from) = m.free_from_minor {
                            terms.push(i18n::text(lang, "terms.free_from", &[("amount", money(from, lang))]));
                        }
                        terms.push(i18n::text(lang, "terms.lead_days", &[("days", m.lead_days.to_string())]));
                        let allowed: Vec<String> =
                            d.payment_method_ids.iter().filter_map(|p| payment_name.get(p).cloned()).collect();
                        if !allowed.is_empty() {
                            terms.push(allowed.join(", "));
                        }
                        MethodRow {
                            id: m.id,
                            code: m.code.clone(),
                            name: m.name(lang).to_string(),
                            terms: terms.join(" · "),
                            active: m.active,
                        }
                    })
                    .collect(),
                payments: payments
                    .iter()
                    .map(|p| MethodRow {
                        id: p.id,
                        code: p.code.clone(),
                        name: p.name(lang).to_string(),
                        terms: i18n::text(lang, "terms.prepayment", &[("percent", percent_from_bp(p.prepayment_bp))]),
                        active: p.active,
                    })
                    .collect(),
                payment_choices: payments
                    .iter()
                    .filter(|p| p.active)
                    .map(|p| Choice::new(p.id, p.name(lang)))
                    .collect(),
                rules: rule_list
                    .iter()
                    .map(|r| RuleRow {
                        id: r.id,
                        name: r.name(lang).to_string(),
                        conditions: conditions(r, &names, lang),
                        effect: effect(r, lang),
                        active: r.active,
                    })
                    .collect(),
                rule_choices: rule_list.iter().map(|r| Choice::new(r.id, r.name(lang))).collect(),
                promos: promo::list(conn)?
                    .into_iter()
                    .map(|p| PromoRow {
                        id: p.id,
                        rule: rule_name.get(&p.rule_id).cloned().unwrap_or_default(),
                        uses: format!(
                            "{} / {} · {}",
                            p.uses,
                            p.max_uses.map(|m| m.to_string()).unwrap_or_else(|| "∞".into()),
                            i18n::text(
                                lang,
                                "terms.per_company",
                                &[("max", p.max_uses_per_company.map(|m| m.to_string()).unwrap_or_else(|| "∞".into()))]
                            )
                        ),
                        period: period(p.valid_from, p.valid_to),
                        code: p.code,
                        active: p.active,
                    })
                    .collect(),
                companies: companies.iter().map(|(c, _)| Choice::new(c.id, c.name.clone())).collect(),
                group_choices: group_list.iter().map(|g| Choice::new(g.group.id, g.group.name.clone())).collect(),
                categories: categories.into_iter().map(|(id, name)| Choice::new(id, name)).collect(),
                stacking: crate::settings::editable_values(conn)?
                    .into_iter()
                    .filter(|(k, _)| k.starts_with("discount_"))
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .await?;
    Ok(state.templates.render("admin_terms.html", &layout, &view)?)
}

/// Flashes the outcome and goes back to the terms page.
async fn done(state: &AppState, jar: &CookieJar, lang: &str, result: crate::Result<()>) -> poem::Result<Redirect> {
    match result {
        Ok(()) => set_flash(state, jar, &i18n::text(lang, "admin.saved", &[])),
        Err(Error::Invalid(m) | Error::Conflict(m)) => set_flash(state, jar, &m),
        Err(Error::NotFound) => set_flash(state, jar, &i18n::text(lang, "terms.not_found", &[])),
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::see_other("/admin/terms"))
}

/// A form's fields by name (checkbox lists come as `name_<id>`).
#[derive(Deserialize)]
pub struct Fields {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

impl Fields {
    fn text(&self, name: &str) -> String {
        self.fields.get(name).map(|v| v.trim().to_string()).unwrap_or_default()
    }
    fn checked(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
    /// The ids of the checked boxes named `prefix<id>`.
    fn ids(&self, prefix: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = self.fields.keys().filter_map(|k| k.strip_prefix(prefix)?.parse().ok()).collect();
        ids.sort_unstable();
        ids
    }
    fn id(&self, name: &str) -> Option<i64> {
        self.text(name).parse().ok()
    }
    fn money(&self, name: &str, lang: &str) -> crate::Result<Option<i64>> {
        let text = self.text(name);
        if text.is_empty() {
            return Ok(None);
        }
        Money::parse_decimal(&text)
            .filter(|m| m.minor() >= 0)
            .map(|m| Some(m.minor()))
            .ok_or_else(|| Error::Invalid(i18n::text(lang, "terms.bad_amount", &[("value", text)])))
    }
    /// A percent with up to two decimals, as basis points.
    fn percent(&self, name: &str, lang: &str) -> crate::Result<i64> {
        let text = self.text(name);
        Qty::parse(&text)
            .map(|q| q.milli() / 10)
            .filter(|bp| (0..=10_000).contains(bp))
            .ok_or_else(|| Error::Invalid(i18n::text(lang, "manager.bad_discount", &[])))
    }
    fn quantity(&self, name: &str, lang: &str) -> crate::Result<Option<i64>> {
        let text = self.text(name);
        if text.is_empty() {
            return Ok(None);
        }
        Qty::parse(&text)
            .map(|q| Some(q.milli()))
            .ok_or_else(|| Error::Invalid(i18n::text(lang, "verdict.unreadable", &[])))
    }
    fn date(&self, name: &str, lang: &str) -> crate::Result<Option<chrono::NaiveDate>> {
        let text = self.text(name);
        if text.is_empty() {
            return Ok(None);
        }
        chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::Invalid(i18n::text(lang, "checkout.bad_date", &[])))
    }
}

macro_rules! admin_action {
    ($name:ident, |$conn:ident, $form:ident, $lang:ident| $body:block) => {
        #[handler]
        #[tracing::instrument(skip_all)]
        pub async fn $name(
            jar: &CookieJar,
            Data(state): Data<&AppState>,
            Admin(session): Admin,
            CsrfForm($form): CsrfForm<Fields>,
        ) -> poem::Result<Redirect> {
            let $lang = i18n::locale(&session.user.locale);
            let result = state.db.run(move |$conn| $body).await;
            done(state, jar, $lang, result).await
        }
    };
}

admin_action!(create_group, |conn, form, lang| {
    let _ = lang;
    let company_ids = Some(form.ids("company_").into_iter().map(CompanyId).collect());
    let colour = Some(form.text("colour")).filter(|c| !c.is_empty());
    groups::create(conn, &GroupInput { name: form.text("name"), colour, company_ids }).map(|_| ())
});

admin_action!(create_assortment, |conn, form, lang| {
    let _ = lang;
    let effect = if form.text("effect") == "allow" { Effect::Allow } else { Effect::Hide };
    let input = assortment::RuleInput {
        company_id: form.id("company_id").map(CompanyId),
        group_id: form.id("group_id"),
        effect,
        category_id: form.id("category_id"),
        product_id: form.id("product_id"),
    };
    assortment::create(conn, &input).map(|_| ())
});

admin_action!(create_payment, |conn, form, lang| {
    let input = PaymentInput {
        code: form.text("code"),
        name_ru: form.text("name_ru"),
        name_en: form.text("name_en"),
        prepayment_bp: form.percent("prepayment", lang)? as i32,
        active: true,
        sort_order: 0,
    };
    payment::save(conn, None, &input).map(|_| ())
});

admin_action!(create_delivery, |conn, form, lang| {
    let kind = DeliveryKind::parse(&form.text("kind")).unwrap_or(DeliveryKind::Own);
    let input = DeliveryInput {
        code: form.text("code"),
        kind,
        name_ru: form.text("name_ru"),
        name_en: form.text("name_en"),
        fixed_minor: form.money("fixed", lang)?.unwrap_or(0),
        per_kg_minor: form.money("per_kg", lang)?.unwrap_or(0),
        free_from_minor: form.money("free_from", lang)?,
        lead_days: form.text("lead_days").parse().unwrap_or(0),
        vat_rate: form.text("vat_rate").parse().ok(),
        active: true,
        sort_order: 0,
        payment_method_ids: form.ids("pay_"),
    };
    delivery::save(conn, None, &input).map(|_| ())
});

admin_action!(create_rule, |conn, form, lang| {
    let effect = EffectKind::parse(&form.text("effect")).unwrap_or(EffectKind::Percent);
    let value = match effect {
        EffectKind::Percent => form.percent("value", lang)?,
        EffectKind::Fixed => form.money("value", lang)?.unwrap_or(0),
        EffectKind::Gift => 0,
    };
    let gift_offer_id = match form.text("gift_sku") {
        sku if sku.is_empty() => None,
        sku => Some(offer_by_sku(conn, &sku, lang)?),
    };
    let input = RuleInput {
        active: true,
        valid_from: form.date("valid_from", lang)?,
        valid_to: form.date("valid_to", lang)?,
        min_order_minor: form.money("min_order", lang)?,
        category_id: form.id("category_id"),
        min_quantity: form.quantity("min_quantity", lang)?,
        group_id: form.id("group_id"),
        nth_order: form.id("nth_order").map(|n| n as i32),
        within_days: form.id("within_days").map(|n| n as i32),
        applies_to: if form.text("applies_to") == "order" { AppliesTo::Order } else { AppliesTo::Lines },
        gift_offer_id,
        gift_quantity: form.quantity("gift_quantity", lang)?.unwrap_or(0),
        promo_only: form.checked("promo_only"),
        ..RuleInput::new(&form.text("name_ru"), &form.text("name_en"), effect, value)
    };
    discounts::create(conn, &input).map(|_| ())
});

admin_action!(create_promo, |conn, form, lang| {
    let input = PromoInput {
        code: form.text("code"),
        rule_id: form.id("rule_id").unwrap_or_default(),
        valid_from: form.date("valid_from", lang)?,
        valid_to: form.date("valid_to", lang)?,
        max_uses: form.id("max_uses").map(|n| n as i32),
        max_uses_per_company: form.id("max_uses_per_company").map(|n| n as i32),
        active: true,
    };
    promo::create(conn, &input).map(|_| ())
});

fn offer_by_sku(conn: &mut crate::db::DbConn, sku: &str, lang: &str) -> crate::Result<OfferId> {
    use crate::db::schema::offers;
    use diesel::prelude::*;
    offers::table
        .filter(offers::sku.eq(sku))
        .select(offers::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::Invalid(i18n::text(lang, "terms.unknown_sku", &[("sku", sku.to_string())])))
}

/// Deletes (or, for delivery and payment methods, withdraws) one item.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn remove(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    Path((kind, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<ButtonForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let result = state
        .db
        .run(move |conn| match kind.as_str() {
            "groups" => groups::delete(conn, id),
            "assortments" => assortment::delete(conn, id),
            "payment-methods" => payment::deactivate(conn, id),
            "delivery-methods" => delivery::deactivate(conn, id),
            "discount-rules" => discounts::delete(conn, id),
            "promo-codes" => promo::delete(conn, id),
            _ => Err(Error::NotFound),
        })
        .await;
    done(state, jar, lang, result).await
}
