//! The quantity-rule engine every ordering route shares (catalog, quick
//! order, upload, reorder, API): one requested line in, one verdict out —
//! never a silent drop. Pure: no database, no I/O.

use serde::Serialize;

use crate::i18n;
use crate::ids::OfferId;
use crate::money::{Qty, QTY_SCALE};

/// What the engine needs to know about an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferFacts {
    pub offer_id: OfferId,
    pub sku: String,
    pub name: String,
    pub unit: String,
    /// Whether the unit allows fractions (kg, m); otherwise whole units only.
    pub fractional: bool,
    pub pack_multiple: i64,
    pub min_order: i64,
    /// What may still be reserved (stock minus open reservations).
    pub available: i64,
    pub active: bool,
    /// Whether the buyer's assortment holds it (otherwise it is "not
    /// available under your contract", distinct from unknown).
    pub in_assortment: bool,
}

/// The outcome class of a line, most significant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// Accepted as asked.
    Added,
    /// Accepted after rounding up to the pack multiple or whole units.
    Rounded,
    /// Accepted after raising to the minimum order quantity.
    BelowMinimum,
    /// Accepted; part is reserved, the rest becomes a backorder.
    Backorder,
    /// Rows for the same offer were merged into another row.
    Merged,
    Unknown,
    /// The buyer's assortment does not hold it.
    NotAvailable,
    Inactive,
    Unreadable,
    NonPositive,
}

impl VerdictKind {
    pub fn is_accepted(self) -> bool {
        matches!(self, VerdictKind::Added | VerdictKind::Rounded | VerdictKind::BelowMinimum | VerdictKind::Backorder)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Added => "added",
            VerdictKind::Rounded => "rounded",
            VerdictKind::BelowMinimum => "below_minimum",
            VerdictKind::Backorder => "backorder",
            VerdictKind::Merged => "merged",
            VerdictKind::Unknown => "unknown",
            VerdictKind::NotAvailable => "not_available",
            VerdictKind::Inactive => "inactive",
            VerdictKind::Unreadable => "unreadable",
            VerdictKind::NonPositive => "non_positive",
        }
    }
}

/// One adjustment the engine made, for the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    RoundedToWhole { from: Qty, to: Qty },
    RoundedToPack { from: Qty, to: Qty, pack: Qty },
    RaisedToMinimum { from: Qty, to: Qty, min: Qty },
    Backorder { reserve: Qty, backorder: Qty },
    MergedRows { rows: Vec<usize> },
}

/// The engine's answer for one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    /// What was asked, when it could be read.
    pub requested: Option<Qty>,
    /// What goes into the cart; `None` when the line is rejected.
    pub quantity: Option<Qty>,
    pub notes: Vec<Note>,
}

/// A requested quantity: the raw text (upload, paste) or an already typed number (API).
pub enum Requested<'a> {
    Text(&'a str),
    Quantity(Qty),
}

/// Judges one line.
pub fn evaluate(requested: Requested, offer: Option<&OfferFacts>) -> Verdict {
    let requested = match requested {
        Requested::Text(text) => match Qty::parse(text) {
            Some(q) => q,
            None => return rejected(VerdictKind::Unreadable, None),
        },
        Requested::Quantity(q) => q,
    };
    let Some(offer) = offer else { return rejected(VerdictKind::Unknown, Some(requested)) };
    if !offer.in_assortment {
        return rejected(VerdictKind::NotAvailable, Some(requested));
    }
    if !offer.active {
        return rejected(VerdictKind::Inactive, Some(requested));
    }
    if requested.milli() <= 0 {
        return rejected(VerdictKind::NonPositive, Some(requested));
    }

    let mut notes = Vec::new();
    let mut kind = VerdictKind::Added;
    let mut quantity = requested.milli();
    if !offer.fractional && quantity % QTY_SCALE != 0 {
        let to = round_up(quantity, QTY_SCALE);
        notes.push(Note::RoundedToWhole { from: Qty(quantity), to: Qty(to) });
        quantity = to;
        kind = VerdictKind::Rounded;
    }
    if offer.min_order > 0 && quantity < offer.min_order {
        notes.push(Note::RaisedToMinimum { from: Qty(quantity), to: Qty(offer.min_order), min: Qty(offer.min_order) });
        quantity = offer.min_order;
        kind = VerdictKind::BelowMinimum;
    }
    if offer.pack_multiple > 0 && quantity % offer.pack_multiple != 0 {
        let to = round_up(quantity, offer.pack_multiple);
        notes.push(Note::RoundedToPack { from: Qty(quantity), to: Qty(to), pack: Qty(offer.pack_multiple) });
        quantity = to;
        if kind == VerdictKind::Added {
            kind = VerdictKind::Rounded;
        }
    }
    if quantity > offer.available {
        let reserve = offer.available.max(0);
        notes.push(Note::Backorder { reserve: Qty(reserve), backorder: Qty(quantity - reserve) });
        kind = VerdictKind::Backorder;
    }
    Verdict { kind, requested: Some(requested), quantity: Some(Qty(quantity)), notes }
}

fn rejected(kind: VerdictKind, requested: Option<Qty>) -> Verdict {
    Verdict { kind, requested, quantity: None, notes: Vec::new() }
}

fn round_up(value: i64, step: i64) -> i64 {
    (value + step - 1) / step * step
}

impl Verdict {
    /// The verdict in the buyer's language: the headline, then each adjustment.
    pub fn message(&self, lang: &str, unit: &str) -> String {
        let q = |q: &Qty| q.format(lang);
        let mut parts = vec![i18n::text(lang, &format!("verdict.{}", self.kind.as_str()), &[])];
        for note in &self.notes {
            let part = match note {
                Note::RoundedToWhole { from, to } => {
                    i18n::text(lang, "verdict.note_whole", &[("from", q(from)), ("to", q(to)), ("unit", unit.into())])
                }
                Note::RoundedToPack { from, to, pack } => i18n::text(
                    lang,
                    "verdict.note_pack",
                    &[("from", q(from)), ("to", q(to)), ("pack", q(pack)), ("unit", unit.into())],
                ),
                Note::RaisedToMinimum { from, to, min } => i18n::text(
                    lang,
                    "verdict.note_minimum",
                    &[("from", q(from)), ("to", q(to)), ("min", q(min)), ("unit", unit.into())],
                ),
                Note::Backorder { reserve, backorder } => i18n::text(
                    lang,
                    "verdict.note_backorder",
                    &[("reserve", q(reserve)), ("backorder", q(backorder)), ("unit", unit.into())],
                ),
                Note::MergedRows { rows } => i18n::text(
                    lang,
                    "verdict.note_merged",
                    &[("rows", rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", "))],
                ),
            };
            parts.push(part);
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(pack: i64, min: i64, available: i64, fractional: bool) -> OfferFacts {
        OfferFacts {
            offer_id: OfferId(1),
            sku: "BLT-1".into(),
            name: "Болт".into(),
            unit: "шт".into(),
            fractional,
            pack_multiple: pack,
            min_order: min,
            available,
            active: true,
            in_assortment: true,
        }
    }

    fn judge(text: &str, facts: &OfferFacts) -> Verdict {
        evaluate(Requested::Text(text), Some(facts))
    }

    #[test]
    fn accepted_as_asked() {
        let v = judge("100", &offer(50_000, 50_000, 1_000_000, false));
        assert_eq!(v.kind, VerdictKind::Added);
        assert_eq!(v.quantity, Some(Qty::units(100)));
        assert!(v.notes.is_empty());
    }

    #[test]
    fn rounds_up_to_the_pack_and_says_so() {
        let v = judge("120", &offer(50_000, 50_000, 1_000_000, false));
        assert_eq!(v.kind, VerdictKind::Rounded);
        assert_eq!(v.quantity, Some(Qty::units(150)));
        assert_eq!(
            v.notes,
            vec![Note::RoundedToPack { from: Qty::units(120), to: Qty::units(150), pack: Qty::units(50) }]
        );
        assert!(v.message("ru", "шт").contains("120 → 150"));
    }

    #[test]
    fn raises_to_the_minimum() {
        let v = judge("20", &offer(50_000, 100_000, 1_000_000, false));
        assert_eq!(v.kind, VerdictKind::BelowMinimum);
        assert_eq!(v.quantity, Some(Qty::units(100)));
        assert!(v.message("en", "pcs").contains("100"));
    }

    #[test]
    fn whole_units_only_unless_fractional() {
        let v = judge("2,5", &offer(1_000, 1_000, 1_000_000, false));
        assert_eq!(v.quantity, Some(Qty::units(3)));
        assert_eq!(v.kind, VerdictKind::Rounded);
        let kg = judge("2,5", &offer(500, 500, 1_000_000, true));
        assert_eq!(kg.quantity, Some(Qty(2_500)));
        assert_eq!(kg.kind, VerdictKind::Added);
    }

    #[test]
    fn more_than_available_splits_into_reserve_and_backorder() {
        let v = judge("10", &offer(1_000, 1_000, 4_000, false));
        assert_eq!(v.kind, VerdictKind::Backorder);
        assert_eq!(v.quantity, Some(Qty::units(10)));
        assert_eq!(v.notes, vec![Note::Backorder { reserve: Qty::units(4), backorder: Qty::units(6) }]);
    }

    #[test]
    fn rejections() {
        let facts = offer(1_000, 1_000, 4_000, false);
        assert_eq!(judge("abc", &facts).kind, VerdictKind::Unreadable);
        assert_eq!(judge("", &facts).kind, VerdictKind::Unreadable);
        assert_eq!(judge("-5", &facts).kind, VerdictKind::NonPositive);
        assert_eq!(judge("0", &facts).kind, VerdictKind::NonPositive);
        assert_eq!(evaluate(Requested::Text("5"), None).kind, VerdictKind::Unknown);
        let inactive = OfferFacts { active: false, ..facts };
        let v = judge("5", &inactive);
        assert_eq!(v.kind, VerdictKind::Inactive);
        assert_eq!(v.quantity, None);
        for kind in [VerdictKind::Unknown, VerdictKind::Inactive, VerdictKind::Unreadable, VerdictKind::NonPositive] {
            assert!(!kind.is_accepted());
        }
    }

    #[test]
    fn every_kind_has_a_message_in_both_languages() {
        for kind in [
            VerdictKind::Added,
            VerdictKind::Rounded,
            VerdictKind::BelowMinimum,
            VerdictKind::Backorder,
            VerdictKind::Merged,
            VerdictKind::Unknown,
            VerdictKind::Inactive,
            VerdictKind::Unreadable,
            VerdictKind::NonPositive,
        ] {
            let v = Verdict { kind, requested: None, quantity: None, notes: Vec::new() };
            for lang in ["ru", "en"] {
                let text = v.message(lang, "шт");
                assert!(!text.starts_with("verdict."), "{lang} message for {kind:?} missing");
            }
        }
    }
}
