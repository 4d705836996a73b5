//! Report rows shaped for the quick-order, upload and reorder pages.

use serde::Serialize;

use crate::ordering::report::ReportRow;
use crate::ordering::rules::VerdictKind;

#[derive(Debug, Serialize)]
pub struct ReportRowView {
    pub row: usize,
    pub sku: String,
    /// The supplier's SKU when the row was typed otherwise (the buyer's code).
    pub supplier_sku: Option<String>,
    pub name: String,
    pub quantity: String,
    pub kind: &'static str,
    /// ok, adjusted or problem — the row's colour.
    pub tone: &'static str,
    pub message: String,
    pub suggestions: Vec<String>,
}

pub fn report_rows(rows: &[ReportRow], lang: &str) -> Vec<ReportRowView> {
    rows.iter()
        .map(|r| {
            let unit = r.offer.as_ref().map(|o| o.unit.as_str()).unwrap_or("");
            ReportRowView {
                row: r.row,
                sku: r.sku.clone(),
                supplier_sku: r.supplier_sku().map(str::to_string),
                name: r.offer.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
                quantity: r.quantity_text.clone(),
                kind: r.verdict.kind.as_str(),
                tone: match r.verdict.kind {
                    VerdictKind::Added => "ok",
                    VerdictKind::Rounded | VerdictKind::BelowMinimum | VerdictKind::Backorder | VerdictKind::Merged => {
                        "adjusted"
                    }
                    _ => "problem",
                },
                message: r.verdict.message(lang, unit),
                suggestions: r.suggestions.clone(),
            }
        })
        .collect()
}

/// Counts per tone for the report's summary line.
pub fn tally(rows: &[ReportRowView]) -> (usize, usize, usize) {
    let count = |tone: &str| rows.iter().filter(|r| r.tone == tone).count();
    (count("ok"), count("adjusted"), count("problem"))
}
