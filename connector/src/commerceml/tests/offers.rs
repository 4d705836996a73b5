//! Offer samples: `#` ids, the three stock forms, split prices/rests files, CML 3.1 rests.

use super::*;

#[test]
fn characteristic_offers_split_ids_and_read_attribute_stock() {
    let (items, _) = load(CARONO_OFFERS);
    assert!(items.iter().any(|i| matches!(i, Item::OffersStart { only_changes: false, .. })));
    let offers = pick!(items, Offer);
    assert!(offers.iter().all(|o| o.characteristic_id().is_some()));
    let o = offers[0];
    assert_eq!(o.product_id(), "bd72d910-55bc-11d9-848a-00112f43529a");
    assert_eq!(o.characteristic_id(), Some("90c55447-d3a8-11e4-9423-e0cb4ed5eed4"));
    assert_eq!(o.sku.as_deref(), Some("Б-130001"));
    let ch: Vec<_> = o.characteristics.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(ch, ["Размер=40", "Тип кожи=натуральная кожа", "Цвет=Коричневый"]);
    let price = Price {
        price_type_id: "bb14a3a4-6b17-11e0-9819-e0cb4ed5eed4".into(),
        per_unit: "1719".into(),
        currency: Some("RUB".into()),
        unit: None,
        factor: Some("1".into()),
    };
    assert_eq!(o.prices, Some(vec![price]));
    assert_eq!(o.total_quantity.as_deref(), Some("20"));
    assert_eq!(o.stock, Some(vec![("b6112590-41ba-11dd-ac9d-0015e9b8c48d".into(), "20".into())]));
    let unit = o.unit.as_ref().expect("present");
    assert_eq!((unit.name.as_deref(), unit.code.as_deref()), (None, Some("715")));
    assert_eq!(unit.full_name.as_deref(), Some("Пара (2 шт.)"));
    assert_eq!(pick!(items, PriceType)[0].vat_included, Some(true));
    assert_eq!(pick!(items, Warehouse)[0].name, "Магазин \"Обувь\"");
    assert_eq!(pick!(items, Warehouse)[0].address.as_deref(), Some("РОССИЯ ,Москва г ,Москва г ,34 ,1 ,"));
}

#[test]
fn offers_with_bom_read_prices_totals_and_stock() {
    let (items, _) = load(OFFERS);
    let offers = pick!(items, Offer);
    assert!(offers.iter().all(|o| o.characteristic_id().is_none() && o.stock.as_ref().expect("present").len() == 3));
    // Sums computed with Python over the raw file.
    assert_eq!(sum(offers.iter().flat_map(|o| o.stock.clone().expect("present")).map(|(_, q)| q)), 2815);
    assert_eq!(sum(offers.iter().map(|o| o.total_quantity.clone().expect("present"))), 2815);
    assert_eq!(sum(offers.iter().flat_map(|o| o.prices.clone().expect("present")).map(|p| p.per_unit)), 4400);
    assert_eq!(offers[0].prices.as_ref().expect("present")[0].unit.as_deref(), Some("PCE"));
    assert_eq!(
        offers[0].stock.as_ref().expect("present")[2],
        ("dd306af1-19c9-11e7-80c2-0cc47ab29cd1".into(), "376".into())
    );
}

#[test]
fn split_prices_and_rests_files_leave_the_other_part_none() {
    let (items, _) = load(UT_PRICES);
    assert!(items.iter().any(|i| matches!(i, Item::OffersStart { only_changes: true, .. })));
    let offers = pick!(items, Offer);
    assert!(offers.iter().all(|o| o.stock.is_none() && o.total_quantity.is_none() && o.name.is_none()));
    assert!(offers.iter().all(|o| o.prices.as_ref().expect("present").len() == 1));
    assert_eq!(sum(offers.iter().flat_map(|o| o.prices.clone().expect("present")).map(|p| p.per_unit)), 366_563);
    let (items, _) = load(UT_RESTS);
    let offers = pick!(items, Offer);
    assert!(offers.iter().all(|o| o.prices.is_none() && o.total_quantity.is_none()));
    assert!(offers.iter().all(|o| o.stock.as_ref().expect("present").len() == 1));
    assert_eq!(sum(offers.iter().flat_map(|o| o.stock.clone().expect("present")).map(|(_, q)| q)), 1924);
    assert_eq!(offers[0].stock.as_ref().expect("present")[0].1, "1");
}

#[test]
fn cml31_remainders_file() {
    let (items, summary) = load(REMAINDERS);
    assert_eq!(summary.version, Some(SchemaVersion::new(3, 1)));
    assert!(items.iter().any(|i| matches!(
        i,
        Item::OffersStart { only_changes: true, catalog_id: Some(c), .. } if c == "974d4cbd-af91-4a0f-a7e1-fcdc69492dd9"
    )));
    let offers = pick!(items, Offer);
    let totals: Vec<i64> =
        offers.iter().map(|o| sum(o.stock.clone().expect("present").into_iter().map(|(_, q)| q))).collect();
    assert_eq!(totals, [13, 57]);
    assert!(offers.iter().all(|o| o.stock.as_ref().expect("present").len() == 7 && o.prices.is_none()));
    assert_eq!(
        offers[1].stock.as_ref().expect("present")[4],
        ("a3d8885d-d931-11e6-a8e7-38d547224d22".into(), "29".into())
    );
}
