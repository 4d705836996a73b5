//! The assortment a company sees: rules aimed at the company or at one of
//! its groups hide a category (with everything below it) or a product, or
//! allow only the categories and products listed. Hiding wins over
//! allowing; the rules of a company and of its groups add up.
//!
//! [`Assortment`] is the resolved answer for one company: the search index,
//! the product card, the offer lookups of every ordering route and the
//! category tree all ask it, so a hidden product does not exist for that
//! buyer anywhere.
//!
//! Resolving reads the company's groups, the rules and the category tree;
//! `shared_for_company` keeps the answer per company while the catalog
//! version it was resolved at holds (every write to rules, memberships or
//! the catalog changes that version), so a search request pays one small
//! query instead.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;

use crate::catalog::tree::CategoryTree;
use crate::db::schema::{assortment_rules, categories, companies, company_groups, customer_groups, products};
use crate::db::stored_text::stored_text_enum;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::CompanyId;

stored_text_enum! {
    /// What an assortment rule does with what it names.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum Effect {
        /// The category (and below) or product does not exist for the target.
        Hide = "hide",
        /// The target sees only what its allow rules name.
        Allow = "allow",
    }
}

/// One stored rule.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = assortment_rules)]
pub struct Rule {
    pub id: i64,
    pub company_id: Option<CompanyId>,
    pub group_id: Option<i64>,
    pub effect: Effect,
    pub category_id: Option<i64>,
    pub product_id: Option<i64>,
}

/// A rule to create: exactly one target and exactly one subject.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub company_id: Option<CompanyId>,
    pub group_id: Option<i64>,
    pub effect: Effect,
    pub category_id: Option<i64>,
    pub product_id: Option<i64>,
}

fn exists<T>(found: QueryResult<Option<T>>, what: &str) -> Result<()> {
    match found? {
        Some(_) => Ok(()),
        None => Err(Error::Invalid(format!("no such {what}"))),
    }
}

/// Creates a rule after checking that what it names exists.
pub fn create(conn: &mut DbConn, input: &RuleInput) -> Result<Rule> {
    match (input.company_id, input.group_id) {
        (Some(company), None) => {
            exists(companies::table.find(company).select(companies::id).first::<i64>(conn).optional(), "company")?
        }
        (None, Some(group)) => exists(
            customer_groups::table.find(group).select(customer_groups::id).first::<i64>(conn).optional(),
            "customer group",
        )?,
        _ => return Err(Error::Invalid("a rule targets exactly one of company_id and group_id".into())),
    }
    match (input.category_id, input.product_id) {
        (Some(category), None) => {
            exists(categories::table.find(category).select(categories::id).first::<i64>(conn).optional(), "category")?
        }
        (None, Some(product)) => {
            exists(products::table.find(product).select(products::id).first::<i64>(conn).optional(), "product")?
        }
        _ => return Err(Error::Invalid("a rule names exactly one of category_id and product_id".into())),
    }
    let same = list(conn, input.company_id, input.group_id)?
        .into_iter()
        .find(|r| r.effect == input.effect && r.category_id == input.category_id && r.product_id == input.product_id);
    if let Some(rule) = same {
        return Ok(rule);
    }
    diesel::insert_into(assortment_rules::table)
        .values((
            assortment_rules::company_id.eq(input.company_id),
            assortment_rules::group_id.eq(input.group_id),
            assortment_rules::effect.eq(input.effect),
            assortment_rules::category_id.eq(input.category_id),
            assortment_rules::product_id.eq(input.product_id),
            assortment_rules::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    crate::catalog::write::catalog_changed(conn)?;
    list(conn, input.company_id, input.group_id)?
        .into_iter()
        .rev()
        .find(|r| r.effect == input.effect && r.category_id == input.category_id && r.product_id == input.product_id)
        .ok_or_else(|| Error::Internal("a created assortment rule vanished".into()))
}

pub fn delete(conn: &mut DbConn, id: i64) -> Result<()> {
    match diesel::delete(assortment_rules::table.find(id)).execute(conn)? {
        0 => Err(Error::NotFound),
        _ => crate::catalog::write::catalog_changed(conn),
    }
}

/// Resolved assortments by company, each with the catalog version it was
/// resolved at.
type Resolved = std::collections::HashMap<CompanyId, (String, std::sync::Arc<Assortment>)>;

static RESOLVED: std::sync::LazyLock<std::sync::RwLock<Resolved>> = std::sync::LazyLock::new(Default::default);

/// Most companies kept at once; beyond it the cache starts afresh.
const RESOLVED_MAX: usize = 20_000;

/// The rules, all or those aimed at one company or group, oldest first.
pub fn list(conn: &mut DbConn, company: Option<CompanyId>, group: Option<i64>) -> Result<Vec<Rule>> {
    let mut query = assortment_rules::table.select(Rule::as_select()).order(assortment_rules::id).into_boxed();
    if let Some(company) = company {
        query = query.filter(assortment_rules::company_id.eq(company));
    }
    if let Some(group) = group {
        query = query.filter(assortment_rules::group_id.eq(group));
    }
    Ok(query.load(conn)?)
}

/// What one company may see, resolved from its and its groups' rules.
#[derive(Debug, Clone, Default)]
pub struct Assortment {
    /// `None`: everything not hidden; otherwise only these.
    allowed: Option<Allowed>,
    hidden_categories: HashSet<i64>,
    hidden_products: HashSet<i64>,
    /// Ancestors of what is allowed, shown in the tree to reach it.
    allowed_ancestors: HashSet<i64>,
    /// Equal for equal assortments: a key for caches.
    key: u64,
}

#[derive(Debug, Clone, Default)]
struct Allowed {
    categories: HashSet<i64>,
    products: HashSet<i64>,
}

impl Assortment {
    /// No restriction (staff, or a company without rules).
    pub fn everything() -> Assortment {
        Assortment::default()
    }

    /// What `user` may see: their company's assortment for a buyer,
    /// everything for staff.
    pub fn for_user(conn: &mut DbConn, user: &crate::accounts::User) -> Result<Assortment> {
        match (user.role, user.company_id) {
            (crate::accounts::Role::Buyer, Some(company)) => Assortment::for_company(conn, company),
            _ => Ok(Assortment::everything()),
        }
    }

    /// The assortment of `company`, resolved once per catalog version.
    pub fn shared_for_company(conn: &mut DbConn, company: CompanyId) -> Result<std::sync::Arc<Assortment>> {
        let Some(version) = crate::settings::get(conn, crate::settings::CATALOG_VERSION)? else {
            return Ok(std::sync::Arc::new(Assortment::for_company(conn, company)?));
        };
        if let Some((at, resolved)) = RESOLVED.read().unwrap_or_else(|p| p.into_inner()).get(&company) {
            if *at == version {
                return Ok(resolved.clone());
            }
        }
        let resolved = std::sync::Arc::new(Assortment::for_company(conn, company)?);
        let mut cache = RESOLVED.write().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= RESOLVED_MAX {
            cache.clear();
        }
        cache.insert(company, (version, resolved.clone()));
        Ok(resolved)
    }

    /// The assortment of `company`: its rules and its groups' rules.
    pub fn for_company(conn: &mut DbConn, company: CompanyId) -> Result<Assortment> {
        let groups: Vec<i64> = company_groups::table
            .filter(company_groups::company_id.eq(company))
            .select(company_groups::group_id)
            .load(conn)?;
        let rules: Vec<Rule> = assortment_rules::table
            .filter(assortment_rules::company_id.eq(company).or(assortment_rules::group_id.eq_any(groups)))
            .select(Rule::as_select())
            .load(conn)?;
        if rules.is_empty() {
            return Ok(Assortment::everything());
        }
        let tree = if rules.iter().any(|r| r.category_id.is_some()) { Some(CategoryTree::load(conn)?) } else { None };
        let allowed_product_categories: Vec<i64> = {
            let ids: Vec<i64> =
                rules.iter().filter(|r| r.effect == Effect::Allow).filter_map(|r| r.product_id).collect();
            if ids.is_empty() {
                Vec::new()
            } else {
                products::table
                    .filter(products::id.eq_any(ids))
                    .select(products::category_id)
                    .load::<Option<i64>>(conn)?
                    .into_iter()
                    .flatten()
                    .collect()
            }
        };
        Ok(Assortment::resolve(&rules, tree.as_ref(), &allowed_product_categories))
    }

    /// Resolves rules over the category tree (needed when rules name
    /// categories); `allowed_product_categories` are the categories of the
    /// products allowed by name, kept visible in the tree.
    pub fn resolve(rules: &[Rule], tree: Option<&CategoryTree>, allowed_product_categories: &[i64]) -> Assortment {
        let subtree = |id: i64| tree.map(|t| t.subtree_ids(id)).unwrap_or_else(|| vec![id]);
        let ancestors = |id: i64| -> Vec<i64> {
            tree.map(|t| t.path_to(id).iter().map(|c| c.id).collect()).unwrap_or_else(|| vec![id])
        };
        let mut out = Assortment::default();
        let mut allowed: Option<Allowed> = None;
        for rule in rules {
            match (rule.effect, rule.category_id, rule.product_id) {
                (Effect::Hide, Some(category), _) => out.hidden_categories.extend(subtree(category)),
                (Effect::Hide, None, Some(product)) => {
                    out.hidden_products.insert(product);
                }
                (Effect::Allow, Some(category), _) => {
                    allowed.get_or_insert_with(Allowed::default).categories.extend(subtree(category));
                    out.allowed_ancestors.extend(ancestors(category));
                }
                (Effect::Allow, None, Some(product)) => {
                    allowed.get_or_insert_with(Allowed::default).products.insert(product);
                }
                _ => {}
            }
        }
        for category in allowed_product_categories {
            out.allowed_ancestors.extend(ancestors(*category));
        }
        out.allowed = allowed;
        out.key = out.fingerprint();
        out
    }

    fn fingerprint(&self) -> u64 {
        if self.is_everything() {
            return 0;
        }
        let sorted = |set: &HashSet<i64>| {
            let mut v: Vec<i64> = set.iter().copied().collect();
            v.sort_unstable();
            v
        };
        let mut hasher = DefaultHasher::new();
        sorted(&self.hidden_categories).hash(&mut hasher);
        sorted(&self.hidden_products).hash(&mut hasher);
        if let Some(allowed) = &self.allowed {
            1u8.hash(&mut hasher);
            sorted(&allowed.categories).hash(&mut hasher);
            sorted(&allowed.products).hash(&mut hasher);
        }
        hasher.finish().max(1)
    }

    /// Whether nothing is restricted.
    pub fn is_everything(&self) -> bool {
        self.allowed.is_none() && self.hidden_categories.is_empty() && self.hidden_products.is_empty()
    }

    /// A key equal for equal assortments (0 for everything), for caches.
    pub fn key(&self) -> u64 {
        self.key
    }

    /// Whether a product of `category` may be seen.
    pub fn allows(&self, product: i64, category: Option<i64>) -> bool {
        if self.hidden_products.contains(&product) || category.is_some_and(|c| self.hidden_categories.contains(&c)) {
            return false;
        }
        match &self.allowed {
            None => true,
            Some(allowed) => {
                allowed.products.contains(&product) || category.is_some_and(|c| allowed.categories.contains(&c))
            }
        }
    }

    /// Whether a category shows in the tree: not hidden, and when only a
    /// list is allowed, inside it or on the way to it.
    pub fn shows_category(&self, category: i64) -> bool {
        if self.hidden_categories.contains(&category) {
            return false;
        }
        match &self.allowed {
            None => true,
            Some(allowed) => allowed.categories.contains(&category) || self.allowed_ancestors.contains(&category),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(effect: Effect, category: Option<i64>, product: Option<i64>) -> Rule {
        Rule {
            id: 1,
            company_id: Some(CompanyId(1)),
            group_id: None,
            effect,
            category_id: category,
            product_id: product,
        }
    }

    #[test]
    fn hiding_removes_a_category_and_a_product() {
        let a = Assortment::resolve(&[rule(Effect::Hide, Some(5), None), rule(Effect::Hide, None, Some(9))], None, &[]);
        assert!(!a.allows(1, Some(5)));
        assert!(!a.allows(9, Some(2)));
        assert!(a.allows(1, Some(2)));
        assert!(a.allows(1, None));
        assert!(!a.shows_category(5));
        assert!(a.shows_category(2));
        assert_ne!(a.key(), 0);
    }

    #[test]
    fn allowing_keeps_only_the_list_and_hiding_wins() {
        let a = Assortment::resolve(
            &[
                rule(Effect::Allow, Some(5), None),
                rule(Effect::Allow, None, Some(9)),
                rule(Effect::Hide, None, Some(10)),
            ],
            None,
            &[7],
        );
        assert!(a.allows(1, Some(5)));
        assert!(a.allows(9, Some(2)), "a product allowed by name, outside the allowed categories");
        assert!(!a.allows(10, Some(5)), "hidden inside an allowed category");
        assert!(!a.allows(1, Some(2)));
        assert!(!a.allows(1, None));
        assert!(a.shows_category(5) && a.shows_category(7));
        assert!(!a.shows_category(2));
    }

    #[test]
    fn equal_rules_give_equal_keys() {
        let one =
            Assortment::resolve(&[rule(Effect::Hide, Some(5), None), rule(Effect::Hide, Some(6), None)], None, &[]);
        let two =
            Assortment::resolve(&[rule(Effect::Hide, Some(6), None), rule(Effect::Hide, Some(5), None)], None, &[]);
        assert_eq!(one.key(), two.key());
        assert_eq!(Assortment::everything().key(), 0);
        assert!(Assortment::everything().allows(1, None));
    }
}
