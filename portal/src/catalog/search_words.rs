//! How text becomes search words, for both indexing and querying: lower case
//! (Cyrillic included), "ё" read as "е", split at anything that is not a letter
//! or digit. A query word matches an indexed word it is a prefix of.

/// The normalized words of `text`, in order, without repeats.
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        let word = normalize(raw);
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Lower case with "ё" folded to "е".
pub fn normalize(text: &str) -> String {
    text.trim().to_lowercase().replace('ё', "е")
}

/// The key an exact SKU match is looked up by.
pub fn sku_key(sku: &str) -> String {
    normalize(sku)
}

/// Every word an offer is found by: the words of its name and characteristics,
/// of its SKU, the whole SKU, and the barcode.
pub fn index_words(sku: &str, name: &str, characteristics: &str, barcode: Option<&str>) -> Vec<String> {
    let mut all = words(name);
    for extra in words(characteristics).into_iter().chain(words(sku)) {
        if !all.contains(&extra) {
            all.push(extra);
        }
    }
    for whole in [Some(sku_key(sku)), barcode.map(normalize)].into_iter().flatten() {
        if !whole.is_empty() && !all.contains(&whole) {
            all.push(whole);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_is_lowered_and_split() {
        assert_eq!(words("Болт М8х40, DIN-933"), vec!["болт", "м8х40", "din", "933"]);
        assert_eq!(words("Ёрш ЁМКОСТИ"), vec!["ерш", "емкости"]);
    }

    #[test]
    fn index_has_whole_sku_and_barcode() {
        let w = index_words("BLT-933-8x40", "Болт М8", "", Some("4601234567890"));
        assert!(w.contains(&"blt-933-8x40".to_string()));
        assert!(w.contains(&"blt".to_string()));
        assert!(w.contains(&"4601234567890".to_string()));
        assert!(w.contains(&"болт".to_string()));
    }
}
