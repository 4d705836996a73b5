//! Catalog samples: classifier groups (nested), properties, price types, units, products.

use super::*;

#[test]
fn catalog_with_bom_reads_products_fully() {
    assert_eq!(&bytes(IMPORT)[..3], b"\xEF\xBB\xBF");
    let (items, _) = load(IMPORT);
    assert!(items.iter().any(|i| matches!(i, Item::ClassifierStart { only_changes: false, .. })));
    let start = items.iter().position(|i| matches!(i, Item::CatalogStart { .. })).expect("present");
    assert_eq!(
        items[start],
        Item::CatalogStart {
            only_changes: false,
            id: Some("b21db898-7f82-46d8-a5ca-7c4f1d200a13".into()),
            classifier_id: Some("b21db898-7f82-46d8-a5ca-7c4f1d200a13".into()),
            name: Some("Каталог".into()),
        }
    );
    let first_product = items.iter().position(|i| matches!(i, Item::Product(_))).expect("present");
    assert!(start < first_product);
    let products = pick!(items, Product);
    let p = products[0];
    assert_eq!(p.id, "bd8c4e15-18f9-11e7-80c2-0cc47ab29cd1");
    assert_eq!(p.barcode.as_deref(), Some("8809288404089"));
    assert_eq!(p.sku.as_deref(), Some("PM-421-WP"));
    assert_eq!(p.name, "Портативный коврик Portable 140x200x1 см, Деревянные лошадки");
    let unit = p.unit.as_ref().expect("present");
    assert_eq!((unit.code.as_deref(), unit.full_name.as_deref()), (Some("796"), Some("Штука")));
    assert_eq!((unit.intl_abbr.as_deref(), unit.name.as_deref()), (Some("PCE"), None));
    assert_eq!(unit.conversions, [("796".to_string(), "1".to_string())]);
    assert_eq!(p.group_ids, ["82cfb8dc-18f9-11e7-80c2-0cc47ab29cd1"]);
    assert_eq!(p.description, None);
    assert_eq!(p.properties.len(), 12);
    assert!(p.properties.contains(&("38409b0c-29da-11e9-80c9-0cc47ab29cd1".into(), "1,4".into())));
    assert!(p
        .properties
        .contains(&("3268183f-18fa-11e7-80c2-0cc47ab29cd1".into(), "af848a7e-18fa-11e7-80c2-0cc47ab29cd1".into())));
    assert_eq!(p.tax_rates, [("НДС".to_string(), "20".to_string())]);
    assert_eq!(p.requisites[0], ("ВидНоменклатуры".into(), "Коврики для дома".into()));
    assert_eq!(p.requisites.len(), 3);
    assert!(!p.deleted);
    // Counted with grep: 22 Штрихкод, 415 ЗначенияСвойства, 36 СтавкаНалога, 108 ЗначениеРеквизита.
    assert_eq!(products.iter().filter(|p| p.barcode.is_some()).count(), 22);
    assert_eq!(products.iter().map(|p| p.properties.len()).sum::<usize>(), 415);
    assert_eq!(products.iter().map(|p| p.tax_rates.len()).sum::<usize>(), 36);
    assert_eq!(products.iter().map(|p| p.requisites.len()).sum::<usize>(), 108);
    let props = pick!(items, Property);
    let country = props.iter().find(|p| p.name == "Страна производства").expect("present");
    assert_eq!(country.value_type.as_deref(), Some("Справочник"));
    assert_eq!(country.values, [("af848a7e-18fa-11e7-80c2-0cc47ab29cd1".into(), "КОРЕЯ, РЕСПУБЛИКА".into())]);
    assert_eq!(props.iter().find(|p| p.name == "Линейка").expect("present").values.len(), 7);
}

#[test]
fn ut11_classifier_nested_groups_and_deletions() {
    let (items, _) = load(UT_IMPORT);
    assert!(items.iter().any(|i| matches!(i, Item::ClassifierStart { only_changes: true, .. })));
    assert!(items.iter().any(|i| matches!(i, Item::CatalogStart { only_changes: true, .. })));
    let groups = pick!(items, Group);
    assert_eq!(groups[0].name, "Косметика и гигиена");
    assert_eq!(groups[0].parent_id, None);
    assert_eq!(groups[1].name, "Бритвенные принадлежности");
    assert_eq!(groups[1].parent_id.as_deref(), Some("28c7d774-26cf-11e4-a628-003048c64779"));
    assert_eq!(groups[2].parent_id.as_deref(), Some("dadf39b8-00f8-11e4-81ce-00155d003d0f"));
    // Parents come first, every parent exists, and the tree is 4 levels deep (1 + 9 + 82 + 5).
    let mut seen = std::collections::HashMap::new();
    for g in &groups {
        let depth = g.parent_id.as_ref().map_or(0, |p| seen[p] + 1);
        seen.insert(g.id.clone(), depth);
    }
    let per_depth = (0..4).map(|d| seen.values().filter(|v| **v == d).count()).collect::<Vec<_>>();
    assert_eq!(per_depth, [1, 9, 82, 5]);
    assert!(groups.iter().all(|g| !g.deleted));
    let props = pick!(items, Property);
    assert_eq!(props.iter().filter(|p| p.deleted).count(), 12);
    assert!(props.iter().find(|p| p.name == "Тряпки").expect("present").deleted);
    assert_eq!(props.iter().map(|p| p.values.len()).sum::<usize>(), 1811);
    assert_eq!(props.iter().filter(|p| p.value_type.as_deref() == Some("Справочник")).count(), 1715);
    let pt = pick!(items, PriceType)[0];
    assert_eq!(pt.name, "Типовое соглашение Интернет-МХТ");
    assert_eq!((pt.currency.as_deref(), pt.vat_included), (Some("RUB"), Some(true)));
    assert_eq!(pick!(items, Warehouse)[0].name, "Оптовый");
    let units = pick!(items, Unit);
    assert_eq!(units[0].code.as_deref(), Some("778"));
    assert_eq!((units[0].short_name.as_deref(), units[0].full_name.as_deref()), (Some("упа"), Some("Упаковка")));
    assert_eq!(units[0].intl_abbr, None);
}
