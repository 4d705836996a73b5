//! API shapes shared by every ordering route: a line's verdict and a report row.

use poem_openapi::Object;

use crate::money::Qty;
use crate::ordering::report::ReportRow;
use crate::ordering::rules::Verdict;
use crate::pricing::{Adjustment, AdjustmentSource};

/// The rule engine's answer for one line.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VerdictOut {
    /// added, rounded, below_minimum, backorder, merged, unknown, not_available, inactive, unreadable or
    /// non_positive.
    pub verdict: String,
    /// What happened, in the user's language.
    pub message: String,
    /// Whether the line is (or would be) in the cart.
    pub accepted: bool,
    /// The quantity asked for, when readable (decimal string).
    pub requested: Option<String>,
    /// The quantity in the cart after the rules (decimal string).
    pub quantity: Option<String>,
}

impl VerdictOut {
    pub fn new(verdict: &Verdict, lang: &str, unit: &str) -> VerdictOut {
        VerdictOut {
            verdict: verdict.kind.as_str().into(),
            message: verdict.message(lang, unit),
            accepted: verdict.kind.is_accepted(),
            requested: verdict.requested.map(Qty::plain),
            quantity: verdict.quantity.map(Qty::plain),
        }
    }
}

/// One row of a quick-order, upload or reorder report.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReportRowOut {
    /// The row of the file or line of the text, 1-based.
    pub row: u64,
    /// As typed: the supplier's SKU, a barcode or the buyer's own code.
    pub sku: String,
    /// The supplier's SKU when the row was typed otherwise.
    pub supplier_sku: Option<String>,
    /// The quantity as written.
    pub quantity: String,
    pub verdict: String,
    pub message: String,
    pub accepted: bool,
    /// The quantity that goes into the cart (decimal string).
    pub accepted_quantity: Option<String>,
    pub offer_id: Option<i64>,
    pub name: Option<String>,
    /// Close SKUs when this one is unknown.
    pub suggestions: Vec<String>,
}

impl ReportRowOut {
    pub fn new(row: &ReportRow, lang: &str) -> ReportRowOut {
        let unit = row.offer.as_ref().map(|o| o.unit.as_str()).unwrap_or("");
        ReportRowOut {
            row: row.row as u64,
            sku: row.sku.clone(),
            supplier_sku: row.supplier_sku().map(str::to_string),
            quantity: row.quantity_text.clone(),
            verdict: row.verdict.kind.as_str().into(),
            message: row.verdict.message(lang, unit),
            accepted: row.accepted(),
            accepted_quantity: row.verdict.quantity.map(Qty::plain),
            offer_id: row.offer.as_ref().map(|o| o.offer_id.0),
            name: row.offer.as_ref().map(|o| o.name.clone()),
            suggestions: row.suggestions.clone(),
        }
    }
}

/// A JSON quantity as sent: a number or a decimal string.
pub fn quantity_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// Where part of a line's price came from.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AdjustmentOut {
    pub source: AdjustmentSource,
    /// What it changed in the line's amount, VAT included (negative: a discount).
    pub amount_minor: i64,
    /// For a price break: the quantity it starts from (decimal string).
    pub from_quantity: Option<String>,
    /// For the contract, a percent rule, promo code or manual discount: the
    /// percent (decimal string).
    pub percent: Option<String>,
    /// The rule's name, the promo code, or who gave a manual discount.
    pub name: Option<String>,
}

impl From<&Adjustment> for AdjustmentOut {
    fn from(a: &Adjustment) -> AdjustmentOut {
        AdjustmentOut {
            source: a.source,
            amount_minor: a.amount_minor,
            from_quantity: (a.source == AdjustmentSource::PriceBreak).then(|| Qty(a.value).plain()),
            percent: (a.source != AdjustmentSource::PriceBreak && a.value > 0)
                .then(|| crate::money::percent_from_bp(i32::try_from(a.value).unwrap_or(0))),
            name: a.name.clone(),
        }
    }
}

/// The adjustments of a list, as the API shows them.
pub fn adjustments_out(list: &[Adjustment]) -> Vec<AdjustmentOut> {
    list.iter().map(AdjustmentOut::from).collect()
}
