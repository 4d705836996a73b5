//! Document and counterparty samples: 1C status files, Bitrix orders in windows-1251.

use super::*;

#[test]
fn status_documents_with_element_forms_and_requisites() {
    let (items, _) = load(DOCUMENTS);
    let docs = pick!(items, Document);
    let d = docs[0];
    assert_eq!((d.id.as_str(), d.number.as_deref(), d.date.as_deref()), ("142", Some("142"), Some("2015-06-29")));
    assert_eq!((d.operation.as_deref(), d.role.as_deref()), (Some("Заказ товара"), Some("Продавец")));
    assert_eq!(
        (d.currency.as_deref(), d.total.as_deref(), d.time.as_deref()),
        (Some("RUB"), Some("8186.84"), Some("15:39:10"))
    );
    assert_eq!(
        (d.number_1c(), d.date_1c(), d.posted(), d.deletion_mark()),
        (Some("ТДЦУ-000001"), Some("2015-06-29"), Some(true), Some(false))
    );
    assert_eq!((d.payment_number_1c(), d.payment_date_1c()), (Some("ТДЦУ-000001"), Some("2015-06-29T15:39:10")));
    assert_eq!((d.shipment_number_1c(), d.shipment_date_1c()), (Some("ТДЦУ-000003"), Some("2015-06-29T17:32:27")));
    assert_eq!(d.status_id(), Some("P"));
    assert!(d.extra.contains(&("НомерВерсии".into(), "AAAAEAAAAAA=".into())));
    assert!(d.extra.contains(&("Номер1С".into(), "ТДЦУ-000001".into())));
    assert_eq!(d.requisites.len(), 6);
    let cp = &d.counterparties[0];
    assert_eq!((cp.name.as_str(), cp.address.as_deref(), cp.inn.as_deref()), ("Kikinda (Сербия)", Some("Адрес"), None));
    assert_eq!(d.lines.len(), 2);
    let l = &d.lines[1];
    assert_eq!(l.product_id(), "bd72d913-55bc-11d9-848a-00112f43529a");
    assert_eq!(l.characteristic_id(), Some("b02e2814-720f-11df-b436-0015e92f2802"));
    assert_eq!(
        (l.price.as_deref(), l.quantity.as_deref(), l.total.as_deref()),
        (Some("3600"), Some("1"), Some("3600"))
    );
    let unit = l.unit.as_ref().expect("present");
    assert_eq!(
        (unit.name.as_deref(), unit.code.as_deref(), unit.id.as_deref()),
        (Some("пар"), Some("715"), Some("715"))
    );
    assert_eq!((docs[1].shipment_number_1c(), docs[1].shipment_date_1c()), (None, None));
    assert_eq!(docs[1].lines[1].requisites[1], ("ТипНоменклатуры".into(), "Услуга".into()));
}

#[test]
fn windows_1251_orders_decode() {
    assert!(bytes(CARONO_ORDERS).starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>"));
    let (items, _) = load(CARONO_ORDERS);
    let d = pick!(items, Document)[0];
    assert_eq!((d.id.as_str(), d.total.as_deref()), ("20", Some("9683.42")));
    let cp = &d.counterparties[0];
    assert_eq!((cp.id.as_str(), cp.name.as_str()), ("1#admin#Петров Петр", "Петр Петров"));
    assert_eq!(
        (cp.full_name.as_deref(), cp.address.as_deref(), cp.role.as_deref()),
        (Some("Петр Петров"), Some("87698"), Some("Покупатель"))
    );
    assert_eq!(d.status(), Some("[F] Доставлен"));
    assert_eq!((d.paid(), d.cancelled(), d.comment.as_deref()), (Some(true), Some(false), None));
    let l = &d.lines[1];
    assert_eq!(
        (l.name.as_str(), l.price.as_deref(), l.quantity.as_deref()),
        ("Комбайн MOULINEX A77 4C", Some("9335.42"), Some("1.00"))
    );
    let unit = l.unit.as_ref().expect("present");
    assert_eq!(
        (unit.name.as_deref(), unit.code.as_deref(), unit.intl_abbr.as_deref()),
        (Some("шт"), Some("796"), Some("PCE"))
    );
    assert_eq!(d.lines[0].id, "ORDER_DELIVERY");

    let (items, _) = load(BITRIX_ORDERS);
    let docs = pick!(items, Document);
    assert_eq!((docs[0].status(), docs[0].status_id()), (Some("[N] Принят, ожидается оплата"), Some("N")));
    assert_eq!((docs[0].total.as_deref(), docs[0].currency.as_deref()), (Some("231.7400"), Some("руб")));
    assert_eq!(docs[1].counterparties[0].id, "5#content-manager# Контент менджер");
    assert_eq!(docs[1].counterparties[0].name, "");
    assert_eq!(docs.iter().map(|d| d.lines.len()).sum::<usize>(), 8);
    // `&quot;` arrives as separate events: joined, spaces around it kept, ends trimmed.
    let line = docs[1].lines.iter().find(|l| l.name.contains("Mama Lemon")).expect("present");
    assert!(line.name.starts_with("Средство для мытья посуды \"Mama Lemon\" с ароматом лимона"), "{}", line.name);
    assert!(line.name.ends_with("Большой) 2150 мл"));
    let name = line.requisites.iter().find(|(k, _)| k == "СвойствоКорзины#NAME").expect("present");
    assert!(name.1.starts_with("Средство для мытья посуды &quot;Mama Lemon&quot; с"));
}

#[test]
fn root_level_counterparties() {
    let (items, _) = load(CONTRACTORS);
    let cps = pick!(items, Counterparty);
    assert_eq!(cps[0].name, "Удаленный отдел \"Уют\"");
    assert_eq!((cps[0].inn.as_deref(), cps[0].kpp.as_deref(), cps[0].address.as_deref()), (None, None, None));
    assert_eq!(cps[1].inn.as_deref(), Some("181310839110"));
    assert_eq!(cps[2].full_name.as_deref(), Some("ТОО \"ТД Уют\""));
    // The registration address, not the bank's.
    assert_eq!(
        cps[2].address.as_deref(),
        Some("005897, Города Республиканского значения: Алматы, Тохтарова, дом № 18")
    );
    assert!(cps.iter().all(|c| !c.deleted && c.role.as_deref() == Some("Покупатель")));
}
