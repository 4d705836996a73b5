//! Which discount rules apply to a cart and what each takes off, as a pure
//! function of the rules, the buyer and the lines (priced at the contract,
//! breaks included). Two stacking policies, chosen by the administrator:
//! `best` gives the single rule worth most to the buyer, `cumulative` gives
//! every rule that applies, each on the contract amount, with the rules'
//! total on a line capped at a share of it. Gift rules are not discounts:
//! each one whose conditions hold adds its line under either policy.

use chrono::NaiveDate;

use super::discounts::{AppliesTo, EffectKind, Rule};
use crate::ids::OfferId;
use crate::pricing::{Adjustment, AdjustmentSource};

/// One cart line as the rules see it.
#[derive(Debug, Clone)]
pub struct BasketLine {
    pub offer_id: OfferId,
    pub product_id: i64,
    /// The product's category and all its ancestors.
    pub categories: Vec<i64>,
    /// Thousandths.
    pub quantity: i64,
    /// The line's amount at the contract price, VAT included.
    pub amount: i64,
}

/// What the rules' conditions ask about the buyer.
#[derive(Debug, Clone, Default)]
pub struct Buyer {
    pub today: Option<NaiveDate>,
    pub groups: Vec<i64>,
    pub contract_id: Option<i64>,
    /// Local dates of the company's earlier orders (cancelled ones excluded).
    pub earlier_orders: Vec<NaiveDate>,
}

/// How rules combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stacking {
    /// Only the rule worth most to the buyer.
    Best,
    /// Every rule, the rules' total on a line at most `cap_bp` of its amount.
    Cumulative { cap_bp: i64 },
}

/// A free line a gift rule adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gift {
    pub rule_id: i64,
    pub offer_id: OfferId,
    pub quantity: i64,
    pub name: String,
    pub promo: bool,
}

/// What the rules did to a cart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Per line, in the lines' order: the rules' adjustments.
    pub lines: Vec<Vec<Adjustment>>,
    pub gifts: Vec<Gift>,
    /// Whether the promo code's rule gave something (only then is a use counted).
    pub promo_used: bool,
}

/// A promo code the buyer entered that is valid and within its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnteredPromo {
    pub code: String,
    pub rule_id: i64,
}

/// Applies `rules` to `lines`, with the rule of the promo code entered.
pub fn apply(
    rules: &[Rule],
    promo: Option<&EnteredPromo>,
    buyer: &Buyer,
    lines: &[BasketLine],
    stacking: Stacking,
    lang: &str,
) -> Outcome {
    let promo_rule = promo.map(|p| p.rule_id);
    let name_of = |rule: &Rule| match promo {
        Some(p) if p.rule_id == rule.id => p.code.clone(),
        _ => rule.name(lang).to_string(),
    };
    let mut outcome = Outcome { lines: vec![Vec::new(); lines.len()], ..Outcome::default() };
    let applicable: Vec<&Rule> = rules.iter().filter(|r| conditions_hold(r, promo_rule, buyer, lines)).collect();
    for rule in applicable.iter().filter(|r| r.effect == EffectKind::Gift) {
        let promo = Some(rule.id) == promo_rule;
        outcome.promo_used |= promo;
        outcome.gifts.push(Gift {
            rule_id: rule.id,
            offer_id: rule.gift_offer_id.unwrap_or(OfferId(0)),
            quantity: rule.gift_quantity,
            name: name_of(rule),
            promo,
        });
    }
    let mut discounts: Vec<(&Rule, Vec<i64>)> = applicable
        .iter()
        .filter(|r| r.effect != EffectKind::Gift)
        .map(|r| (*r, takes_off(r, lines)))
        .filter(|(_, off)| off.iter().any(|a| *a > 0))
        .collect();
    if stacking == Stacking::Best {
        let best = discounts
            .iter()
            .enumerate()
            .max_by_key(|(i, (rule, off))| (off.iter().sum::<i64>(), Some(rule.id) == promo_rule, usize::MAX - i))
            .map(|(i, _)| i);
        discounts = best.map(|i| vec![discounts.swap_remove(i)]).unwrap_or_default();
    }
    let cap = match stacking {
        Stacking::Best => 10_000,
        Stacking::Cumulative { cap_bp } => cap_bp.clamp(0, 10_000),
    };
    let mut given = vec![0i64; lines.len()];
    for (rule, off) in discounts {
        let promo = Some(rule.id) == promo_rule;
        for (index, line) in lines.iter().enumerate() {
            let room = (line.amount * cap / 10_000 - given[index]).max(0);
            let amount = off[index].min(room);
            if amount <= 0 {
                continue;
            }
            given[index] += amount;
            outcome.promo_used |= promo;
            outcome.lines[index].push(Adjustment {
                source: if promo { AdjustmentSource::Promo } else { AdjustmentSource::Rule },
                value: if rule.effect == EffectKind::Percent { rule.value } else { 0 },
                amount_minor: -amount,
                name: Some(name_of(rule)),
            });
        }
    }
    outcome
}

/// Whether the line is one the rule's product or category names (every
/// line when it names neither).
fn matches(rule: &Rule, line: &BasketLine) -> bool {
    match (rule.product_id, rule.category_id) {
        (Some(product), _) => line.product_id == product,
        (None, Some(category)) => line.categories.contains(&category),
        (None, None) => true,
    }
}

fn conditions_hold(rule: &Rule, promo_rule: Option<i64>, buyer: &Buyer, lines: &[BasketLine]) -> bool {
    if rule.promo_only && promo_rule != Some(rule.id) {
        return false;
    }
    if buyer.today.is_some_and(|today| !rule.valid_on(today)) || !rule.active {
        return false;
    }
    if rule.group_id.is_some_and(|g| !buyer.groups.contains(&g)) {
        return false;
    }
    if rule.contract_id.is_some() && rule.contract_id != buyer.contract_id {
        return false;
    }
    if let Some(nth) = rule.nth_order {
        let earlier = match (rule.within_days, buyer.today) {
            (Some(days), Some(today)) => {
                let since = today - chrono::Duration::days(i64::from(days));
                buyer.earlier_orders.iter().filter(|d| **d > since).count()
            }
            _ => buyer.earlier_orders.len(),
        };
        if earlier + 1 != nth as usize {
            return false;
        }
    }
    let total: i64 = lines.iter().map(|l| l.amount).sum();
    if rule.min_order_minor.is_some_and(|min| total < min) {
        return false;
    }
    let matching: Vec<&BasketLine> = lines.iter().filter(|l| matches(rule, l)).collect();
    if matching.is_empty() {
        return false;
    }
    let quantity: i64 = matching.iter().map(|l| l.quantity).sum();
    rule.min_quantity.is_none_or(|min| quantity >= min)
}

/// What a discount rule takes off each line (kopecks, not negative), on
/// the lines' contract amounts.
fn takes_off(rule: &Rule, lines: &[BasketLine]) -> Vec<i64> {
    let targets: Vec<bool> = lines.iter().map(|l| rule.applies_to == AppliesTo::Order || matches(rule, l)).collect();
    match (rule.effect, rule.applies_to) {
        (EffectKind::Percent, _) => lines
            .iter()
            .zip(&targets)
            .map(|(l, on)| if *on { ratio(l.amount, rule.value, 10_000) } else { 0 })
            .collect(),
        (EffectKind::Fixed, AppliesTo::Lines) => lines
            .iter()
            .zip(&targets)
            .map(|(l, on)| if *on { ratio(rule.value, l.quantity, 1_000).min(l.amount) } else { 0 })
            .collect(),
        (EffectKind::Fixed, AppliesTo::Order) => share(rule.value, lines),
        (EffectKind::Gift, _) => vec![0; lines.len()],
    }
}

/// `value × num / den`, rounded half up (all positive).
fn ratio(value: i64, num: i64, den: i64) -> i64 {
    ((i128::from(value) * i128::from(num) + i128::from(den) / 2) / i128::from(den)) as i64
}

/// Shares `amount` (at most the lines' total) among the lines in proportion
/// to their amounts; the kopecks left by rounding go to the largest lines.
fn share(amount: i64, lines: &[BasketLine]) -> Vec<i64> {
    let total: i64 = lines.iter().map(|l| l.amount).sum();
    if total <= 0 {
        return vec![0; lines.len()];
    }
    let amount = amount.min(total);
    let mut parts: Vec<i64> =
        lines.iter().map(|l| (i128::from(amount) * i128::from(l.amount) / i128::from(total)) as i64).collect();
    let mut left = amount - parts.iter().sum::<i64>();
    let mut by_size: Vec<usize> = (0..lines.len()).collect();
    by_size.sort_by_key(|i| std::cmp::Reverse(lines[*i].amount));
    for i in by_size.into_iter().cycle().take(lines.len() * 2) {
        if left == 0 {
            break;
        }
        if parts[i] < lines[i].amount {
            parts[i] += 1;
            left -= 1;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, effect: EffectKind, value: i64) -> Rule {
        Rule {
            id,
            name_ru: format!("Правило {id}"),
            name_en: format!("Rule {id}"),
            active: true,
            valid_from: None,
            valid_to: None,
            min_order_minor: None,
            product_id: None,
            category_id: None,
            min_quantity: None,
            group_id: None,
            contract_id: None,
            nth_order: None,
            within_days: None,
            effect,
            applies_to: AppliesTo::Lines,
            value,
            gift_offer_id: None,
            gift_quantity: 0,
            promo_only: false,
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    fn line(product_id: i64, categories: &[i64], quantity: i64, amount: i64) -> BasketLine {
        BasketLine { offer_id: OfferId(product_id), product_id, categories: categories.to_vec(), quantity, amount }
    }

    fn offs(outcome: &Outcome) -> Vec<i64> {
        outcome.lines.iter().map(|a| a.iter().map(|x| -x.amount_minor).sum()).collect()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("date")
    }

    #[test]
    fn percent_on_a_category_and_its_subcategories_only() {
        let mut r = rule(1, EffectKind::Percent, 500);
        r.category_id = Some(10);
        let lines = [line(1, &[11, 10], 1_000, 10_000), line(2, &[20], 1_000, 10_000)];
        let out = apply(&[r], None, &Buyer::default(), &lines, Stacking::Best, "ru");
        assert_eq!(offs(&out), [500, 0]);
        assert_eq!(out.lines[0][0].source, AdjustmentSource::Rule);
        assert_eq!(out.lines[0][0].value, 500);
    }

    #[test]
    fn order_amount_and_quantity_thresholds() {
        let mut by_amount = rule(1, EffectKind::Percent, 300);
        by_amount.min_order_minor = Some(20_000);
        let mut by_quantity = rule(2, EffectKind::Fixed, 100);
        by_quantity.product_id = Some(1);
        by_quantity.min_quantity = Some(10_000);
        let small = [line(1, &[], 9_000, 9_000), line(2, &[], 1_000, 10_000)];
        let rules = [by_amount, by_quantity];
        let stack = Stacking::Cumulative { cap_bp: 10_000 };
        assert_eq!(offs(&apply(&rules, None, &Buyer::default(), &small, stack, "ru")), [0, 0]);
        let big = [line(1, &[], 10_000, 10_000), line(2, &[], 1_000, 10_000)];
        // 3 % of both lines, and 1.00 per unit on the 10 units of product 1.
        assert_eq!(offs(&apply(&rules, None, &Buyer::default(), &big, stack, "ru")), [300 + 1_000, 300]);
    }

    #[test]
    fn best_gives_the_larger_rule_and_cumulative_both_within_the_cap() {
        let rules = [rule(1, EffectKind::Percent, 300), rule(2, EffectKind::Percent, 500)];
        let lines = [line(1, &[], 1_000, 10_000)];
        let best = apply(&rules, None, &Buyer::default(), &lines, Stacking::Best, "en");
        assert_eq!(offs(&best), [500]);
        assert_eq!(best.lines[0][0].name.as_deref(), Some("Rule 2"));
        let both = apply(&rules, None, &Buyer::default(), &lines, Stacking::Cumulative { cap_bp: 10_000 }, "en");
        assert_eq!(offs(&both), [800]);
        let capped = apply(&rules, None, &Buyer::default(), &lines, Stacking::Cumulative { cap_bp: 600 }, "en");
        assert_eq!(offs(&capped), [600]);
        assert_eq!(capped.lines[0].len(), 2, "the second rule is cut to what the cap leaves");
    }

    #[test]
    fn a_fixed_order_discount_is_shared_by_amount_to_the_kopeck() {
        let mut r = rule(1, EffectKind::Fixed, 1_000);
        r.applies_to = AppliesTo::Order;
        let lines = [line(1, &[], 1_000, 3_333), line(2, &[], 1_000, 6_667), line(3, &[], 1_000, 1)];
        let out = apply(&[r], None, &Buyer::default(), &lines, Stacking::Best, "ru");
        assert_eq!(offs(&out).iter().sum::<i64>(), 1_000);
        assert!(offs(&out)[1] > offs(&out)[0]);
    }

    #[test]
    fn group_contract_and_promo_only_conditions() {
        let mut for_group = rule(1, EffectKind::Percent, 100);
        for_group.group_id = Some(7);
        let mut for_contract = rule(2, EffectKind::Percent, 200);
        for_contract.contract_id = Some(3);
        let mut promo = rule(3, EffectKind::Percent, 400);
        promo.promo_only = true;
        let rules = [for_group, for_contract, promo];
        let lines = [line(1, &[], 1_000, 10_000)];
        let stack = Stacking::Cumulative { cap_bp: 10_000 };
        let stranger = Buyer::default();
        assert_eq!(offs(&apply(&rules, None, &stranger, &lines, stack, "ru")), [0]);
        let member = Buyer { groups: vec![7], contract_id: Some(3), ..Buyer::default() };
        assert_eq!(offs(&apply(&rules, None, &member, &lines, stack, "ru")), [300]);
        let code = EnteredPromo { code: "WELCOME5".into(), rule_id: 3 };
        let with_code = apply(&rules, Some(&code), &member, &lines, stack, "ru");
        assert_eq!(offs(&with_code), [700]);
        assert!(with_code.promo_used);
        let promo = with_code.lines[0].iter().find(|a| a.source == AdjustmentSource::Promo).expect("promo");
        assert_eq!(promo.name.as_deref(), Some("WELCOME5"));
    }

    #[test]
    fn first_order_and_nth_order_within_a_window() {
        let mut first = rule(1, EffectKind::Percent, 500);
        first.nth_order = Some(1);
        let mut third_in_30 = rule(2, EffectKind::Percent, 1_000);
        third_in_30.nth_order = Some(3);
        third_in_30.within_days = Some(30);
        let lines = [line(1, &[], 1_000, 10_000)];
        let stack = Stacking::Cumulative { cap_bp: 10_000 };
        let rules = [first, third_in_30];
        let new_buyer = Buyer { today: Some(day(20)), ..Buyer::default() };
        assert_eq!(offs(&apply(&rules, None, &new_buyer, &lines, stack, "ru")), [500]);
        let regular = Buyer { today: Some(day(20)), earlier_orders: vec![day(1), day(10)], ..Buyer::default() };
        assert_eq!(offs(&apply(&rules, None, &regular, &lines, stack, "ru")), [1_000]);
        let old = NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
        let lapsed = Buyer { today: Some(day(20)), earlier_orders: vec![old, day(10)], ..Buyer::default() };
        assert_eq!(offs(&apply(&rules, None, &lapsed, &lines, stack, "ru")), [0]);
    }

    #[test]
    fn validity_period_and_gifts() {
        let mut expired = rule(1, EffectKind::Percent, 500);
        expired.valid_to = Some(day(3));
        let mut gift = rule(2, EffectKind::Gift, 0);
        gift.gift_offer_id = Some(OfferId(99));
        gift.gift_quantity = 1_000;
        gift.min_order_minor = Some(5_000);
        let buyer = Buyer { today: Some(day(4)), ..Buyer::default() };
        let out = apply(&[expired, gift], None, &buyer, &[line(1, &[], 1_000, 10_000)], Stacking::Best, "ru");
        assert_eq!(offs(&out), [0]);
        assert_eq!(out.gifts.len(), 1);
        assert_eq!((out.gifts[0].offer_id, out.gifts[0].quantity), (OfferId(99), 1_000));
    }
}
