//! Tests of the CommerceML reader on the real sample files in `fixtures/commerceml/` (provenance in its SOURCES.md),
//! and of the order writer (`writer`, snapshots in `snapshots/`).
//!
//! Expected counts were taken independently of this code (Python ElementTree and grep over the
//! files). Tests only read the fixtures; they never write next to them.

use std::convert::Infallible;
use std::fs::File;
use std::io::BufReader;

use super::*;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/commerceml/");
const IMPORT: &str = "dobromyslov__import0_1.xml";
const OFFERS: &str = "dobromyslov__offers0_1.xml";
const UT_IMPORT: &str = "gillbeits__import___b815e2db-7a65-4265-9241-5f0c4f0565a7.xml";
const UT_PRICES: &str = "gillbeits__prices___d66a6b51-ce9c-4e7a-8c7c-25079721107f.xml";
const UT_RESTS: &str = "gillbeits__rests___1af6e7b8-a026-4690-9752-1c9d64cb914d.xml";
const CARONO_OFFERS: &str = "carono-php-commerceml__offers.xml";
const CARONO_ORDERS: &str = "carono-php-commerceml__orders.xml";
const BITRIX_ORDERS: &str = "dobromyslov__bitrix-query-response-full.xml";
const DOCUMENTS: &str = "argentcrusade__documents-example.xml";
const CONTRACTORS: &str = "argentcrusade__contractors-example.xml";
const REMAINDERS: &str = "argentcrusade__remainders-example.xml";

pub(super) fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).expect("read fixture")
}

pub(super) fn load(name: &str) -> (Vec<Item>, Summary) {
    read_to_vec(BufReader::new(File::open(format!("{DIR}{name}")).expect("present"))).expect("present")
}

macro_rules! pick {
    ($items:expr, $variant:ident) => {
        $items.iter().filter_map(|i| if let Item::$variant(x) = i { Some(x) } else { None }).collect::<Vec<_>>()
    };
}

fn sum(values: impl Iterator<Item = String>) -> i64 {
    values.map(|v| v.parse::<i64>().expect("present")).sum()
}

#[test]
fn counts_match_every_sample() {
    // file, version, groups, properties, price types, warehouses, units, products, offers, documents, counterparties
    let expected: [(&str, &str, [usize; 9]); 11] = [
        (CONTRACTORS, "2.09", [0, 0, 0, 0, 0, 0, 0, 0, 4]),
        (DOCUMENTS, "2.09", [0, 0, 0, 0, 0, 0, 0, 2, 0]),
        (REMAINDERS, "3.1", [0, 0, 0, 0, 0, 0, 2, 0, 0]),
        (CARONO_OFFERS, "2.07", [0, 0, 1, 5, 0, 0, 5, 0, 0]),
        (CARONO_ORDERS, "2.03", [0, 0, 0, 0, 0, 0, 0, 1, 0]),
        (BITRIX_ORDERS, "2.05", [0, 0, 0, 0, 0, 0, 0, 2, 0]),
        (IMPORT, "2.07", [1, 12, 0, 0, 0, 36, 0, 0, 0]),
        (OFFERS, "2.07", [0, 0, 1, 3, 0, 0, 44, 0, 0]),
        (UT_IMPORT, "2.09", [97, 1908, 1, 1, 2, 0, 0, 0, 0]),
        (UT_PRICES, "2.09", [0, 0, 0, 0, 0, 0, 978, 0, 0]),
        (UT_RESTS, "2.09", [0, 0, 0, 0, 0, 0, 978, 0, 0]),
    ];
    let on_disk = std::fs::read_dir(DIR)
        .expect("present")
        .filter(|e| e.as_ref().expect("present").path().extension().expect("present") == "xml");
    assert_eq!(on_disk.count(), expected.len(), "every sample has expected counts");
    for (file, version, counts) in expected {
        let (items, s) = load(file);
        let got = [s.groups, s.properties, s.price_types, s.warehouses, s.units, s.products, s.offers];
        let got = [got.as_slice(), &[s.documents, s.counterparties]].concat();
        assert_eq!(got, counts, "{file}");
        assert_eq!(s.version, Some(version.parse().expect("present")), "{file}");
        assert!(matches!(items.first(), Some(Item::Header { .. })), "{file}");
        // The summary counts what the sink got.
        assert_eq!(pick!(items, Product).len(), s.products);
        assert_eq!(pick!(items, Offer).len(), s.offers);
        assert_eq!(pick!(items, Group).len(), s.groups);
        assert_eq!(pick!(items, Document).len(), s.documents);
    }
}

mod catalog;
mod documents;
mod edge;
mod files;
mod large;
mod offers;
mod writer;
