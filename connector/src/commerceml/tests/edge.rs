//! Edge cases on small inline documents: forms and spellings not present in the samples.

use super::*;

fn items(xml: &str) -> Vec<Item> {
    read_to_vec(xml.as_bytes()).expect("present").0
}

fn cml(version: &str, body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"{version}\" ДатаФормирования=\"2024-01-02T03:04:05\">{body}</КоммерческаяИнформация>")
}

#[test]
fn header_and_element_form_of_only_changes() {
    let xml =
        cml("2.10", "<Каталог><Ид>c</Ид><СодержитТолькоИзменения>true</СодержитТолькоИзменения><Товары/></Каталог>");
    let got = items(&xml);
    assert_eq!(
        got[0],
        Item::Header { version: Some(SchemaVersion::new(2, 10)), generated: Some("2024-01-02T03:04:05".into()) }
    );
    assert_eq!(
        got[1],
        Item::CatalogStart { only_changes: true, id: Some("c".into()), classifier_id: None, name: None }
    );
    // A section without lists still announces itself, at its end.
    let got = items(&cml("2.08", "<ПакетПредложений СодержитТолькоИзменения=\"false\"/>"));
    assert!(matches!(got[1], Item::OffersStart { only_changes: false, .. }));
    let got = items(&cml("2.08", "<ИзмененияПакетаПредложений><Ид>p</Ид></ИзмененияПакетаПредложений>"));
    assert!(matches!(&got[1], Item::OffersStart { only_changes: true, id: Some(id), .. } if id == "p"));
}

#[test]
fn deletion_marks_in_every_form() {
    let body = r#"<Каталог><Товары>
        <Товар><Ид>1</Ид><ПометкаУдаления>true</ПометкаУдаления></Товар>
        <Товар ПометкаУдаления="true"><Ид>2</Ид></Товар>
        <Товар Статус="Удален"><Ид>3</Ид></Товар>
        <Товар><Статус>Удален</Статус><Ид>4</Ид></Товар>
        <Товар><Ид>5</Ид><ПометкаУдаления>false</ПометкаУдаления><Статус>Новый</Статус></Товар>
    </Товары></Каталог><ПакетПредложений><Предложения>
        <Предложение Статус="Удален"><Ид>6</Ид></Предложение>
        <Предложение><Ид>7</Ид></Предложение>
    </Предложения></ПакетПредложений>"#;
    let got = items(&cml("2.05", body));
    let deleted: Vec<_> = got
        .iter()
        .filter_map(|i| match i {
            Item::Product(p) => Some((p.id.as_str(), p.deleted)),
            Item::Offer(o) => Some((o.id.as_str(), o.deleted)),
            _ => None,
        })
        .collect();
    assert_eq!(deleted, [("1", true), ("2", true), ("3", true), ("4", true), ("5", false), ("6", true), ("7", false)]);
}

#[test]
fn order_prefixes_unknown_elements_and_text_forms() {
    let body = r#"<cml:Каталог xmlns:cml="urn:1C.ru:commerceml_2"><cml:Товары><cml:Неизвестно><a><b/></a></cml:Неизвестно>
        <cml:Товар><cml:Наименование>  Чай &amp; кофе &#x41;&#66; &lt;1&gt; &nbsp;<![CDATA[ <сырой> ]]></cml:Наименование>
        <cml:БазоваяЕдиница>шт</cml:БазоваяЕдиница><cml:Ид>x</cml:Ид><cml:Описание><p>ignored child</p>Текст</cml:Описание>
        <cml:Картинка>import_files/a.jpg</cml:Картинка><cml:Картинка>import_files/b.jpg</cml:Картинка></cml:Товар>
    </cml:Товары></cml:Каталог><Неизвестное><Товар><Ид>skip</Ид></Товар></Неизвестное>"#;
    let got = items(&cml("2.04", body));
    let products = pick!(got, Product);
    assert_eq!(products.len(), 1);
    let p = products[0];
    assert_eq!(p.id, "x");
    assert_eq!(p.name, "Чай & кофе AB <1> &nbsp; <сырой>");
    assert_eq!(p.unit.as_ref().expect("present").name.as_deref(), Some("шт"));
    assert_eq!(p.description.as_deref(), Some("Текст"));
    assert_eq!(p.images, ["import_files/a.jpg", "import_files/b.jpg"]);
}

#[test]
fn offer_forms_absent_empty_and_31_quantity_without_warehouse() {
    let body = r#"<ИзмененияПакетаПредложений><Предложения>
        <Предложение><Ид>a</Ид><ИдХарактеристики>ch</ИдХарактеристики><Цены/>
            <Склады ИдСклада="w1" КоличествоНаСкладе="2.500"/></Предложение>
        <Предложение><Ид>b#</Ид><Остатки><Остаток><Количество>7</Количество></Остаток></Остатки></Предложение>
        <Предложение><Ид>c</Ид><Остатки/></Предложение>
        <Предложение><Ид>d#e</Ид><Количество>0</Количество></Предложение>
        <Предложение><Ид>f</Ид><Склад><Ид>w2</Ид><Количество>3</Количество></Склад></Предложение>
    </Предложения></ИзмененияПакетаПредложений>"#;
    let got = items(&cml("3.1", body));
    let o = pick!(got, Offer);
    assert_eq!((o[0].prices.clone(), o[0].characteristic_id()), (Some(vec![]), Some("ch")));
    assert_eq!(o[0].stock, Some(vec![("w1".into(), "2.500".into())]));
    assert_eq!((o[1].product_id(), o[1].characteristic_id()), ("b", None));
    assert_eq!((o[1].stock.clone(), o[1].prices.clone()), (Some(vec![(String::new(), "7".into())]), None));
    assert_eq!(o[2].stock, Some(vec![]));
    assert_eq!(
        (o[3].stock.clone(), o[3].total_quantity.as_deref(), o[3].characteristic_id()),
        (None, Some("0"), Some("e"))
    );
    assert_eq!(o[4].stock, Some(vec![("w2".into(), "3".into())]));
}

#[test]
fn status_container_with_t_dates_and_1c_requisites() {
    let req = |k: &str, v: &str| {
        format!("<ЗначениеРеквизита><Наименование>{k}</Наименование><Значение>{v}</Значение></ЗначениеРеквизита>")
    };
    let reqs = [
        req("Номер по 1С", "УТ-000123"),
        req("Дата по 1С", "2023-05-01T10:00:00"),
        req("Проведен", "true"),
        req("ПометкаУдаления", "false"),
        req("Отменен", "false"),
        req("Оплачен", "false"),
        req("Дата оплаты по 1С", "T"),
        req("Отгружен", "true"),
        req("Номер отгрузки по 1С", "УТ-7"),
        req("Дата отгрузки по 1С", "0001-01-01T00:00:00"),
        req("Статус заказа", "Открыт"),
    ]
    .concat();
    let doc = format!(
        "<Документ><Ид>7</Ид><Номер>7</Номер><Дата>T</Дата><ЗначенияРеквизитов>{reqs}</ЗначенияРеквизитов></Документ>"
    );
    let got = items(&cml("3.1", &format!("<Контейнер>{doc}</Контейнер><Контейнер>{doc}</Контейнер>")));
    let docs = pick!(got, Document);
    assert_eq!(docs.len(), 2);
    let d = docs[0];
    assert_eq!(
        (d.number_1c(), d.date_1c(), d.posted(), d.deletion_mark()),
        (Some("УТ-000123"), Some("2023-05-01T10:00:00"), Some(true), Some(false))
    );
    assert_eq!(
        (d.cancelled(), d.paid(), d.shipped(), d.status()),
        (Some(false), Some(false), Some(true), Some("Открыт"))
    );
    assert_eq!((d.payment_date_1c(), d.shipment_date_1c(), d.order_date()), (None, None, None));
    assert_eq!(d.requisite("Дата оплаты по 1С"), Some("T"));
    assert_eq!(d.date.as_deref(), Some("T"));
    assert_eq!((non_empty_date(" T "), non_empty_date("2024-01-01")), (None, Some("2024-01-01")));
}

#[test]
fn errors_not_commerceml_bad_xml_and_sink() {
    let err = read_to_vec(&b"<html/>"[..]).expect_err("must fail");
    assert!(matches!(err.kind, ErrorKind::NotCommerceMl));
    let err = read_to_vec(&b""[..]).expect_err("must fail");
    assert!(matches!(err.kind, ErrorKind::NotCommerceMl));
    let bad = cml("2.08", "<Каталог><Товары><Товар><Ид>1</Ид></Товары></Каталог>");
    let err = read_to_vec(bad.as_bytes()).expect_err("must fail");
    assert!(matches!(err.kind, ErrorKind::Malformed));
    assert_eq!(err.path, "КоммерческаяИнформация/Каталог/Товары/Товар[1]");
    let mut bad_utf8 = cml("2.08", "<Каталог><Ид>?</Ид></Каталог>").into_bytes();
    let at = bad_utf8.iter().position(|&b| b == b'?').expect("present");
    bad_utf8[at] = 0xFF;
    assert!(matches!(read_to_vec(&bad_utf8[..]).expect_err("must fail").kind, ErrorKind::Encoding));

    let two = cml("2.08", "<Каталог><Товары><Товар><Ид>1</Ид></Товар><Товар><Ид>2</Ид></Товар></Товары></Каталог>");
    let mut seen = Vec::new();
    let err = read(two.as_bytes(), |item| {
        if let Item::Product(p) = item {
            seen.push(p.id);
            return Err("stop");
        }
        Ok(())
    })
    .expect_err("must fail");
    assert_eq!(seen, ["1"]);
    assert_eq!(err.path, "КоммерческаяИнформация/Каталог/Товары/Товар[1]");
    assert_eq!(err.into_sink_error(), Some("stop"));
}

#[test]
fn missing_version_is_none_and_windows_1251_without_bom() {
    let xml = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><КоммерческаяИнформация><Контрагенты><Контрагент><Ид>1</Ид><Наименование>ООО Ромашка</Наименование><РеквизитыЮрЛица><ОфициальноеНаименование>ООО \"Ромашка\"</ОфициальноеНаименование><ИНН>7701</ИНН><ЮридическийАдрес><Представление>Москва</Представление></ЮридическийАдрес></РеквизитыЮрЛица></Контрагент></Контрагенты></КоммерческаяИнформация>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(xml);
    let (got, summary) = read_to_vec(&bytes[..]).expect("present");
    assert_eq!((summary.version, summary.counterparties), (None, 1));
    let c = pick!(got, Counterparty)[0];
    assert_eq!((c.name.as_str(), c.full_name.as_deref()), ("ООО Ромашка", Some("ООО \"Ромашка\"")));
    assert_eq!((c.inn.as_deref(), c.address.as_deref()), (Some("7701"), Some("Москва")));
}
