//! Whole-file behaviour on samples: kind detection and truncated files.

use super::*;

#[test]
fn detects_kind_from_the_first_bytes() {
    let expected = [
        (CONTRACTORS, FileKind::Counterparties),
        (DOCUMENTS, FileKind::Documents),
        (REMAINDERS, FileKind::Offers),
        (CARONO_OFFERS, FileKind::Offers),
        (CARONO_ORDERS, FileKind::Documents),
        (BITRIX_ORDERS, FileKind::Documents),
        (IMPORT, FileKind::Catalog),
        (OFFERS, FileKind::Offers),
        (UT_IMPORT, FileKind::Catalog),
        (UT_PRICES, FileKind::Offers),
        (UT_RESTS, FileKind::Offers),
    ];
    for (file, kind) in expected {
        let data = bytes(file);
        assert_eq!(detect_kind(&data[..data.len().min(8192)]), Some(kind), "{file}");
    }
    assert_eq!(detect_kind(b"<html><body/></html>"), None);
    assert_eq!(detect_kind(b"<?xml version=\"1.0\"?><\xD0\x9A"), None);
    let mixed = "<КоммерческаяИнформация ВерсияСхемы=\"2.08\"><Каталог/><ПакетПредложений/></КоммерческаяИнформация>";
    assert_eq!(detect_kind(mixed.as_bytes()), Some(FileKind::Mixed));
}

#[test]
fn truncated_samples_fail_with_a_path() {
    let data = bytes(UT_IMPORT);
    // Between two properties: the path ends at the list.
    let at = |from: usize, what: &str| {
        from + data[from..].windows(what.len()).position(|w| w == what.as_bytes()).expect("present")
    };
    let between = at(data.len() / 2, "</Свойство>") + "</Свойство>".len();
    let err = read(&data[..between], |_| Ok::<_, Infallible>(())).expect_err("must fail");
    assert!(matches!(err.kind, ErrorKind::Malformed), "{err}");
    assert_eq!(err.path, "КоммерческаяИнформация/Классификатор/Свойства");
    // Inside a tag of a property: the path names the property by its index (counted with windows()).
    let inside = at(data.len() / 2, "<ТипЗначений>") + 4;
    let index = data[..inside].windows("<Свойство>".len()).filter(|w| *w == "<Свойство>".as_bytes()).count();
    let err = read(&data[..inside], |_| Ok::<_, Infallible>(())).expect_err("must fail");
    assert!(matches!(err.kind, ErrorKind::Malformed), "{err}");
    assert_eq!(err.path, format!("КоммерческаяИнформация/Классификатор/Свойства/Свойство[{index}]"), "{err}");
    assert!(err.position <= inside as u64 && err.position + 20 > inside as u64, "{err}");

    let data = bytes(IMPORT);
    for cut in [data.len() / 2, data.len() / 3 + 7, data.len() - 300] {
        let mut items = 0;
        let err = read(&data[..cut], |_| {
            items += 1;
            Ok::<_, Infallible>(())
        })
        .expect_err("must fail");
        assert!(matches!(err.kind, ErrorKind::Malformed), "{err}");
        assert!(err.path.contains("/Каталог/Товары/Товар["), "{}", err.path);
        assert!(items > 1, "items before the cut were delivered");
        assert!(err.to_string().contains(&err.path));
    }
    let data = bytes(CARONO_ORDERS);
    let err = read(&data[..data.len() / 2], |_| Ok::<_, Infallible>(())).expect_err("must fail");
    assert!(err.path.starts_with("КоммерческаяИнформация/Документ[1]"), "{err:?}");
}
