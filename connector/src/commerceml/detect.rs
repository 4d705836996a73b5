//! File-kind detection from the first bytes of a file (never from its name).
//!
//! Looks only at the root's direct children that fit in the given prefix, so a few kilobytes are
//! enough for real exports. Never reads past the prefix and never fails: unknown means None.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::decode::decode_prefix;
use super::model::FileKind;

/// What a file is, from its first bytes (pass e.g. the first 64 KiB): the root must be
/// `КоммерческаяИнформация`; its first children decide. A classifier followed by an offers package
/// is [`FileKind::Offers`] (1C repeats the classifier there); a classifier alone, or with a catalog,
/// is [`FileKind::Catalog`]. Two different kinds give [`FileKind::Mixed`]. None when the prefix
/// shows no known section (not CommerceML, or cut before the first section).
pub fn detect_kind(bytes_prefix: &[u8]) -> Option<FileKind> {
    let text = decode_prefix(bytes_prefix);
    let mut xml = Reader::from_str(&text);
    xml.config_mut().allow_dangling_amp = true;
    let (mut depth, mut seen) = (0usize, [false; 5]);
    let (classifier, catalog, offers, documents, counterparties) = (0, 1, 2, 3, 4);
    loop {
        let (name, opens) = match xml.read_event() {
            Ok(Event::Start(e)) => (e.local_name().as_ref().to_string(), true),
            Ok(Event::Empty(e)) => (e.local_name().as_ref().to_string(), false),
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        if depth == 0 && name != "КоммерческаяИнформация" {
            return None;
        }
        if depth == 1 {
            let slot = match name.as_str() {
                "Классификатор" => Some(classifier),
                "Каталог" => Some(catalog),
                "ПакетПредложений" | "ИзмененияПакетаПредложений" => {
                    Some(offers)
                }
                "Документ" | "Контейнер" => Some(documents),
                "Контрагенты" => Some(counterparties),
                _ => None,
            };
            if let Some(slot) = slot {
                seen[slot] = true;
            }
        }
        if opens {
            depth += 1;
        }
    }
    let kinds = [
        (seen[catalog] || (seen[classifier] && !seen[offers]), FileKind::Catalog),
        (seen[offers], FileKind::Offers),
        (seen[documents], FileKind::Documents),
        (seen[counterparties], FileKind::Counterparties),
    ];
    let mut found = kinds.iter().filter(|(yes, _)| *yes).map(|(_, k)| *k);
    match (found.next(), found.next()) {
        (Some(kind), None) => Some(kind),
        (Some(_), Some(_)) => Some(FileKind::Mixed),
        _ => None,
    }
}
