//! Every email template rendered in both languages with fixed, realistic
//! arguments, as insta snapshots in `snapshots/` (`<kind>.<lang>`): a change
//! to a template, or to how templates are filled, shows in review as a diff
//! of the message a person receives. Accept a reviewed change with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test -p portal email_snapshots`).
//!
//! The kinds are taken from the templates directory, so a template added there
//! without being known to `render`, or without its two snapshots, fails here;
//! a snapshot left behind by a removed kind fails too.

use std::collections::BTreeSet;
use std::path::Path;

use super::render::{kinds, placeholders, render};

const LANGS: [&str; 2] = ["ru", "en"];
const TEMPLATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../templates/email");
const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/mail/snapshots");
const SNAPSHOT_PREFIX: &str = "portal__mail__email_snapshots__";

/// The values a kind's placeholders get, as the portal formats them for `lang`
/// (money and statuses localized, dates as `dd.mm.yyyy`).
fn value(kind: &str, name: &str, lang: &str) -> String {
    let en = lang == "en";
    match name {
        "number" => "2026-000123".into(),
        // Quotes and an ampersand: plain-text mail inserts them as they are.
        "company" => "ООО «Ромашка & Ко»".into(),
        "total" => if en { "12,345.60" } else { "12\u{a0}345,60" }.into(),
        "amount" => if en { "5,000.00" } else { "5\u{a0}000,00" }.into(),
        "status" => crate::i18n::text(lang, "status.shipped", &[]),
        "shipment_number" => "2".into(),
        "deadline" => match kind {
            "reservation_lapsing" => "04.12.2026 23:59".into(),
            _ => "04.12.2026".into(),
        },
        "comment" => "Доставка во вторник, с 10 до 14; въезд со двора".into(),
        "reason" => if en {
            "The balance of 480,000.00 RUB and this order of 12,345.60 RUB would pass the credit limit of 450,000.00 RUB."
        } else {
            "Задолженность 480\u{a0}000,00 ₽ и этот заказ на 12\u{a0}345,60 ₽ превысят кредитный лимит 450\u{a0}000,00 ₽."
        }
        .into(),
        "contract" => "ОПТ-2026/014".into(),
        "due" => "15.12.2026".into(),
        "name" => match kind {
            "back_in_stock" | "low_stock" => if en { "Hex nut DIN 934 M10" } else { "Гайка DIN 934 М10" }.into(),
            _ => "Иван Петров".into(),
        },
        "sku" => "NUT-934-M10".into(),
        "title" => if en { "New: anchor bolts in stock" } else { "Новинка: анкерные болты в наличии" }.into(),
        "unsubscribe" => "https://portal.example.com/unsubscribe/Zx8-Qm2LpR7tV".into(),
        "thread" => if en { "order 2026-000123" } else { "заказ № 2026-000123" }.into(),
        "text" => match kind {
            "announcement" => if en {
                "Anchor bolts M10–M16 are back in stock; orders placed by Friday ship next week."
            } else {
                "Анкерные болты М10–М16 снова на складе; заказы до пятницы отгрузим на следующей неделе."
            }
            .into(),
            _ => "Можно ли отгрузить болты М8 в среду? Счёт оплатим сегодня.".into(),
        },
        "available" => if en { "500 pcs" } else { "500 шт" }.into(),
        "threshold" => if en { "1,000 pcs" } else { "1\u{a0}000 шт" }.into(),
        "email" => "ivan.petrov@romashka.example".into(),
        "url" => match kind {
            "announcement" => "https://portal.example.com/announcements".into(),
            "invite" | "password_reset" => "https://portal.example.com/password/3q2-Xf9kLmN0pQrS".into(),
            "back_in_stock" | "low_stock" => "https://portal.example.com/catalog/products/42".into(),
            _ => "https://portal.example.com/orders/123".into(),
        },
        other => panic!("no example value for placeholder {{{other}}}: add one here"),
    }
}

/// `(kind, lang)` of every file in `templates/email` (`<kind>.<lang>.txt`).
fn templates_on_disk() -> BTreeSet<(String, String)> {
    std::fs::read_dir(TEMPLATES)
        .expect("templates/email")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .map(|name| {
            let stem = name.strip_suffix(".txt").unwrap_or_else(|| panic!("{name}: not a .txt template"));
            let (kind, lang) = stem.rsplit_once('.').unwrap_or_else(|| panic!("{name}: not <kind>.<lang>.txt"));
            (kind.to_string(), lang.to_string())
        })
        .collect()
}

fn expected() -> BTreeSet<(String, String)> {
    kinds().iter().flat_map(|kind| LANGS.map(|lang| (kind.to_string(), lang.to_string()))).collect()
}

#[test]
fn the_templates_directory_holds_exactly_the_known_kinds_in_both_languages() {
    assert_eq!(templates_on_disk(), expected());
}

/// Each kind in each language against its snapshot; then the snapshots
/// folder must hold exactly those (none missing, none outliving its template).
#[test]
fn every_email_in_both_languages_matches_its_snapshot() {
    for (kind, lang) in templates_on_disk() {
        let args: Vec<(&str, String)> = placeholders(&kind)
            .unwrap_or_else(|| panic!("templates/email/{kind}.{lang}.txt is not a kind `render` knows"))
            .iter()
            .map(|name| (*name, value(&kind, name, &lang)))
            .collect();
        let email = render(&kind, &lang, &args).expect("renders");
        let message = format!("Subject: {}\n\n{}", email.subject, email.body);
        insta::assert_snapshot!(format!("{kind}.{lang}"), message);
    }

    let snapshots: BTreeSet<(String, String)> = std::fs::read_dir(Path::new(SNAPSHOTS))
        .expect("src/mail/snapshots")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter_map(|name| {
            let stem = name.strip_prefix(SNAPSHOT_PREFIX)?.strip_suffix(".snap")?;
            let (kind, lang) = stem.rsplit_once('.')?;
            Some((kind.to_string(), lang.to_string()))
        })
        .collect();
    assert_eq!(snapshots, expected(), "accept missing snapshots (`cargo insta review`); delete stale ones");
}
