//! API shapes shared by every ordering route: a line's verdict and a report row.

use poem_openapi::Object;

use crate::money::Qty;
use crate::ordering::report::ReportRow;
use crate::ordering::rules::Verdict;

/// The rule engine's answer for one line.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VerdictOut {
    /// added, rounded, below_minimum, backorder, merged, unknown, inactive, unreadable or non_positive.
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
    pub sku: String,
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
