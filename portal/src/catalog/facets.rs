//! Property filters (facets) over the search index: each indexed offer
//! carries its product's property values as interned ids, so a search's
//! facets — every property of the goods found, each value with its count —
//! are counted in memory in one pass, never a query per facet.
//!
//! Counting is disjunctive, as shoppers expect: values of one property are
//! alternatives (OR), properties narrow each other (AND), and a property's
//! counts are taken with every *other* property's choice applied. So the
//! count beside a value is exactly the length of the list that choosing it
//! gives.

use std::collections::HashMap;

/// Properties with more distinct values than this (codes, descriptions)
/// are not offered as a list of values; numeric ones become a range.
pub const MAX_VALUES: usize = 100;

/// At most this many filters narrow one search.
pub const MAX_FILTERS: usize = 20;

/// A choice on one property, as given in the URL: `filter=Name:value`
/// (repeatable; values of one property are alternatives) or
/// `filter=Name:from..to` for a numeric range (either end may be left out).
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyFilter {
    pub property: String,
    pub wanted: Wanted,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    Values(Vec<String>),
    Range(Option<f64>, Option<f64>),
}

/// Reads `Name:value` pairs, grouping the values of one property; the
/// reason when one is not of that form.
pub fn parse_filters(raw: &[String]) -> Result<Vec<PropertyFilter>, String> {
    let mut filters: Vec<PropertyFilter> = Vec::new();
    for item in raw.iter().filter(|r| !r.trim().is_empty()) {
        let Some((property, value)) = item.split_once(':') else {
            return Err(format!("filter {item:?} is not \"property:value\""));
        };
        let (property, value) = (property.trim().to_string(), value.trim().to_string());
        if property.is_empty() || value.is_empty() {
            return Err(format!("filter {item:?} is not \"property:value\""));
        }
        let wanted = match range_of(&value) {
            Some((from, to)) => Wanted::Range(from, to),
            None => Wanted::Values(vec![value]),
        };
        match (filters.iter_mut().find(|f| f.property == property), wanted) {
            (Some(PropertyFilter { wanted: Wanted::Values(values), .. }), Wanted::Values(more)) => values.extend(more),
            (Some(existing), wanted) => existing.wanted = wanted,
            (None, wanted) => filters.push(PropertyFilter { property, wanted }),
        }
    }
    if filters.len() > MAX_FILTERS {
        return Err(format!("at most {MAX_FILTERS} properties may be filtered at once"));
    }
    Ok(filters)
}

/// `from..to`, `from..` or `..to` with numbers (a decimal comma allowed).
fn range_of(value: &str) -> Option<(Option<f64>, Option<f64>)> {
    let (from, to) = value.split_once("..")?;
    let end = |text: &str| -> Option<Option<f64>> {
        let text = text.trim();
        if text.is_empty() {
            Some(None)
        } else {
            number(text).map(Some)
        }
    };
    let (from, to) = (end(from)?, end(to)?);
    (from.is_some() || to.is_some()).then_some((from, to))
}

/// A property value read as a number: "8.8", "10,9", or a number and its
/// unit, "120 мм" (not "М10", "3,5х25 мм").
pub fn number(text: &str) -> Option<f64> {
    let text = text.trim();
    let (figure, unit) = text.split_once(' ').unwrap_or((text, ""));
    let unit_ok = unit.chars().all(|c| c.is_alphabetic() || matches!(c, '°' | '%' | '.' | ' ' | '/'));
    let figure = figure.replace(',', ".");
    let valid = unit_ok && !figure.is_empty() && figure.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    valid.then(|| figure.parse::<f64>().ok()).flatten().filter(|n| n.is_finite())
}

/// One property of the goods found.
#[derive(Debug, Clone, PartialEq)]
pub struct Facet {
    pub property: String,
    /// All its values are numbers (sorted as numbers; a range may be asked).
    pub numeric: bool,
    /// (value, how many goods found have it); empty for a numeric
    /// property with too many values to list (then only the range).
    pub values: Vec<(String, usize)>,
    /// The smallest and largest number among the goods found (numeric only).
    pub range: Option<(f64, f64)>,
}

struct Property {
    name: Box<str>,
    numeric: bool,
    /// Offered as a list of values (few enough distinct values).
    listed: bool,
}

struct Value {
    property: u32,
    text: Box<str>,
    number: Option<f64>,
}

/// Property values per indexed offer, interned.
#[derive(Default)]
pub struct FacetIndex {
    properties: Vec<Property>,
    values: Vec<Value>,
    property_ids: HashMap<Box<str>, u32>,
    value_ids: HashMap<(u32, Box<str>), u32>,
    /// Per entry, its value ids (sorted).
    of_entry: Vec<Box<[u32]>>,
    /// Parsed once per product (its offers share the list).
    of_product: HashMap<i64, Box<[u32]>>,
}

/// A filter resolved to value ids: an entry passes when it has one of `allowed`.
struct Resolved {
    property: u32,
    allowed: Vec<u32>,
}

impl FacetIndex {
    /// Adds the next entry, with its product's properties (the stored JSON
    /// list of `[name, value]` pairs).
    pub fn push(&mut self, product_id: i64, properties_json: &str) {
        let values = match self.of_product.get(&product_id) {
            Some(values) => values.clone(),
            None => {
                let pairs: Vec<(String, String)> = serde_json::from_str(properties_json).unwrap_or_default();
                let mut ids: Vec<u32> = pairs
                    .iter()
                    .filter(|(name, value)| !name.trim().is_empty() && !value.trim().is_empty())
                    .map(|(name, value)| self.intern(name.trim(), value.trim()))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                let ids: Box<[u32]> = ids.into();
                self.of_product.insert(product_id, ids.clone());
                ids
            }
        };
        self.of_entry.push(values);
    }

    fn intern(&mut self, name: &str, value: &str) -> u32 {
        let property = match self.property_ids.get(name) {
            Some(id) => *id,
            None => {
                let id = self.properties.len() as u32;
                self.properties.push(Property { name: name.into(), numeric: true, listed: true });
                self.property_ids.insert(name.into(), id);
                id
            }
        };
        if let Some(id) = self.value_ids.get(&(property, Box::from(value))) {
            return *id;
        }
        let id = self.values.len() as u32;
        let number = number(value);
        self.values.push(Value { property, text: value.into(), number });
        self.value_ids.insert((property, value.into()), id);
        id
    }

    /// Settles which properties are numeric and which are listed; frees
    /// what was only needed while building.
    pub fn finish(&mut self) {
        let mut distinct = vec![0usize; self.properties.len()];
        for value in &self.values {
            distinct[value.property as usize] += 1;
            if value.number.is_none() {
                self.properties[value.property as usize].numeric = false;
            }
        }
        for (property, count) in self.properties.iter_mut().zip(distinct) {
            property.listed = count <= MAX_VALUES;
        }
        self.of_product = HashMap::new();
    }

    fn resolve(&self, filters: &[PropertyFilter]) -> Vec<Resolved> {
        filters
            .iter()
            .map(|filter| {
                let Some(&property) = self.property_ids.get(filter.property.as_str()) else {
                    return Resolved { property: u32::MAX, allowed: Vec::new() };
                };
                let mut allowed: Vec<u32> = match &filter.wanted {
                    Wanted::Values(texts) => texts
                        .iter()
                        .filter_map(|t| self.value_ids.get(&(property, Box::from(t.as_str()))).copied())
                        .collect(),
                    Wanted::Range(from, to) => (0..self.values.len() as u32)
                        .filter(|id| {
                            let value = &self.values[*id as usize];
                            value.property == property
                                && value.number.is_some_and(|n| {
                                    from.is_none_or(|f| n >= f - 1e-9) && to.is_none_or(|t| n <= t + 1e-9)
                                })
                        })
                        .collect(),
                };
                allowed.sort_unstable();
                Resolved { property, allowed }
            })
            .collect()
    }

    fn has_one_of(&self, entry: usize, allowed: &[u32]) -> bool {
        self.of_entry[entry].iter().any(|v| allowed.binary_search(v).is_ok())
    }

    /// A predicate: whether an entry passes every filter.
    pub fn matcher(&self, filters: &[PropertyFilter]) -> Matcher<'_> {
        Matcher { index: self, resolved: self.resolve(filters) }
    }

    /// The facets of `entries` (the search's matches before property
    /// filters), counted under `filters` as the module explains.
    pub fn count(&self, entries: impl Iterator<Item = usize>, filters: &[PropertyFilter]) -> Vec<Facet> {
        let resolved = self.resolve(filters);
        let mut counts = vec![0u32; self.values.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut carriers = vec![0usize; self.properties.len()];
        // The last entry counted as carrying each property (an entry may
        // have several values of one property, in any order).
        let mut counted_for = vec![usize::MAX; self.properties.len()];
        for entry in entries {
            // Which filters this entry fails: none → all its values count;
            // one → only that property's values count.
            let mut failing = None;
            let mut failures = 0;
            for (i, filter) in resolved.iter().enumerate() {
                if !self.has_one_of(entry, &filter.allowed) {
                    failures += 1;
                    failing = Some(i);
                    if failures > 1 {
                        break;
                    }
                }
            }
            if failures > 1 {
                continue;
            }
            let only = failing.map(|i| resolved[i].property);
            for &value in self.of_entry[entry].iter() {
                let property = self.values[value as usize].property;
                if only.is_some_and(|p| p != property) {
                    continue;
                }
                if counted_for[property as usize] != entry {
                    carriers[property as usize] += 1;
                    counted_for[property as usize] = entry;
                }
                if counts[value as usize] == 0 {
                    touched.push(value);
                }
                counts[value as usize] += 1;
            }
        }
        let mut by_property: HashMap<u32, Vec<u32>> = HashMap::new();
        for value in touched {
            by_property.entry(self.values[value as usize].property).or_default().push(value);
        }
        let mut facets: Vec<(usize, Facet)> = by_property
            .into_iter()
            .filter_map(|(property, mut values)| {
                let info = &self.properties[property as usize];
                if !info.listed && !info.numeric {
                    return None;
                }
                let range = info.numeric.then(|| {
                    values
                        .iter()
                        .filter_map(|v| self.values[*v as usize].number)
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), n| (lo.min(n), hi.max(n)))
                });
                if info.numeric {
                    values.sort_by(|a, b| {
                        let (a, b) = (&self.values[*a as usize], &self.values[*b as usize]);
                        a.number.unwrap_or(0.0).total_cmp(&b.number.unwrap_or(0.0))
                    });
                } else {
                    values.sort_by(|a, b| {
                        counts[*b as usize]
                            .cmp(&counts[*a as usize])
                            .then_with(|| self.values[*a as usize].text.cmp(&self.values[*b as usize].text))
                    });
                }
                let listed = if info.listed {
                    values
                        .iter()
                        .map(|v| (self.values[*v as usize].text.to_string(), counts[*v as usize] as usize))
                        .collect()
                } else {
                    Vec::new()
                };
                let facet = Facet { property: info.name.to_string(), numeric: info.numeric, values: listed, range };
                Some((carriers[property as usize], facet))
            })
            .collect();
        // The properties most of the goods have first, then by name.
        facets.sort_by(|(a, fa), (b, fb)| b.cmp(a).then_with(|| fa.property.cmp(&fb.property)));
        facets.into_iter().map(|(_, facet)| facet).collect()
    }
}

/// Filters resolved against an index, ready to test entries.
pub struct Matcher<'a> {
    index: &'a FacetIndex,
    resolved: Vec<Resolved>,
}

impl Matcher<'_> {
    pub fn is_empty(&self) -> bool {
        self.resolved.is_empty()
    }

    pub fn passes(&self, entry: usize) -> bool {
        self.resolved.iter().all(|f| self.index.has_one_of(entry, &f.allowed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> FacetIndex {
        let mut index = FacetIndex::default();
        let goods = [
            r#"[["Класс прочности","8.8"],["Покрытие","цинк"],["Диаметр","10"]]"#,
            r#"[["Класс прочности","8.8"],["Покрытие","без покрытия"],["Диаметр","12"]]"#,
            r#"[["Класс прочности","10.9"],["Покрытие","цинк"],["Диаметр","12"]]"#,
            r#"[["Класс прочности","10.9"],["Покрытие","цинк"],["Диаметр","16"]]"#,
            r#"[["Покрытие","цинк"]]"#,
        ];
        for (product, json) in goods.iter().enumerate() {
            index.push(product as i64, json);
        }
        index.finish();
        index
    }

    fn filters(raw: &[&str]) -> Vec<PropertyFilter> {
        parse_filters(&raw.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("filters")
    }

    fn values<'a>(facets: &'a [Facet], property: &str) -> &'a [(String, usize)] {
        &facets.iter().find(|f| f.property == property).expect("facet").values
    }

    #[test]
    fn counts_without_filters_are_the_goods_with_each_value() {
        let index = index();
        let facets = index.count(0..5, &[]);
        assert_eq!(facets[0].property, "Покрытие", "carried by all five");
        assert_eq!(values(&facets, "Покрытие"), [("цинк".to_string(), 4), ("без покрытия".to_string(), 1)]);
        let class = facets.iter().find(|f| f.property == "Класс прочности").expect("class");
        assert!(class.numeric);
        assert_eq!(class.values, [("8.8".to_string(), 2), ("10.9".to_string(), 2)], "numeric values sort as numbers");
        assert_eq!(class.range, Some((8.8, 10.9)));
    }

    #[test]
    fn a_property_counts_under_the_other_properties_choices_only() {
        let index = index();
        let chosen = filters(&["Покрытие:цинк", "Класс прочности:10.9"]);
        let facets = index.count(0..5, &chosen);
        // Under "10.9": цинк 2, без покрытия 0 (not shown).
        assert_eq!(values(&facets, "Покрытие"), [("цинк".to_string(), 2)]);
        // Under "цинк": 8.8 → 1, 10.9 → 2 — each the length of the list it would give.
        assert_eq!(values(&facets, "Класс прочности"), [("8.8".to_string(), 1), ("10.9".to_string(), 2)]);
        let matcher = index.matcher(&filters(&["Покрытие:цинк", "Класс прочности:8.8"]));
        assert_eq!((0..5).filter(|e| matcher.passes(*e)).count(), 1);
        let either = index.matcher(&filters(&["Класс прочности:8.8", "Класс прочности:10.9"]));
        assert_eq!((0..5).filter(|e| either.passes(*e)).count(), 4, "values of one property are alternatives");
    }

    #[test]
    fn properties_are_ordered_by_how_many_goods_carry_them() {
        let mut index = FacetIndex::default();
        // One product with two versions (values interleaved with another
        // property's), two products with a material: material leads.
        index.push(1, r#"[["Исполнение","красный"],["Материал","сталь"],["Исполнение","синий"]]"#);
        index.push(2, r#"[["Материал","латунь"]]"#);
        index.finish();
        let facets = index.count(0..2, &[]);
        let order: Vec<&str> = facets.iter().map(|f| f.property.as_str()).collect();
        assert_eq!(order, ["Материал", "Исполнение"]);
    }

    #[test]
    fn ranges_and_malformed_filters() {
        let index = index();
        let range = index.matcher(&filters(&["Диаметр:11..16"]));
        assert_eq!((0..5).filter(|e| range.passes(*e)).collect::<Vec<_>>(), [1, 2, 3]);
        let open = index.matcher(&filters(&["Диаметр:..10"]));
        assert_eq!((0..5).filter(|e| open.passes(*e)).collect::<Vec<_>>(), [0]);
        let unknown = index.matcher(&filters(&["Цвет:красный"]));
        assert_eq!((0..5).filter(|e| unknown.passes(*e)).count(), 0, "an unknown property matches nothing");
        assert!(parse_filters(&["no colon".to_string()]).is_err());
        assert!(parse_filters(&[":x".to_string()]).is_err());
        assert_eq!(number("10,5"), Some(10.5));
        assert_eq!(number("120 мм"), Some(120.0));
        assert_eq!(number("M10"), None);
        assert_eq!(number("3,5х25 мм"), None);
        assert_eq!(number("1/2\""), None);
    }
}
