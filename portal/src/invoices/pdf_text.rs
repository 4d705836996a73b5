//! Reading the text back out of the PDFs the portal makes (invoices,
//! statements), through their fonts' ToUnicode maps as a viewer's copy and
//! search would: for tests and checks that a document says what it should.

use std::collections::BTreeMap;

use lopdf::content::Content;
use lopdf::{Document, Encoding, Object};

/// The text of each page: the text runs grouped into lines by baseline, top to
/// bottom, and the runs of a line left to right, separated by ` | `.
pub fn page_texts(pdf: &[u8]) -> Result<String, String> {
    let doc = Document::load_mem(pdf).map_err(|e| format!("not a PDF: {e}"))?;
    let mut out = String::new();
    for (number, page_id) in doc.get_pages() {
        let encodings: BTreeMap<Vec<u8>, Encoding> = doc
            .get_page_fonts(page_id)
            .map_err(|e| format!("fonts: {e}"))?
            .into_iter()
            .filter_map(|(name, font)| font.get_font_encoding(&doc).ok().map(|encoding| (name, encoding)))
            .collect();
        let bytes = doc.get_page_content(page_id);
        let content = Content::decode(&bytes).map_err(|e| format!("page {number}: {e}"))?;
        // Baseline (hundredths of a point, negated so that top comes first) → (x, text) runs.
        let mut lines: BTreeMap<i64, Vec<(f32, String)>> = BTreeMap::new();
        let (mut font, mut x, mut y) = (None, 0.0, 0.0);
        for op in &content.operations {
            let number = |i: usize| op.operands.get(i).and_then(|o| o.as_float().ok()).unwrap_or(0.0);
            match op.operator.as_str() {
                "BT" => (x, y) = (0.0, 0.0),
                "Td" => (x, y) = (x + number(0), y + number(1)),
                "Tm" => (x, y) = (number(4), number(5)),
                "Tf" => font = op.operands.first().and_then(|o| o.as_name().ok()).and_then(|n| encodings.get(n)),
                "Tj" | "TJ" => {
                    let Some(encoding) = font else { return Err("text before a font".into()) };
                    let strings = match op.operands.first() {
                        Some(Object::Array(items)) => items.clone(),
                        Some(string) => vec![string.clone()],
                        None => Vec::new(),
                    };
                    let text: String = strings
                        .iter()
                        .filter_map(|o| o.as_str().ok())
                        .map(|bytes| Document::decode_text(encoding, bytes).unwrap_or_default())
                        .collect();
                    lines.entry((-y * 100.0).round() as i64).or_default().push((x, text));
                }
                _ => {}
            }
        }
        out.push_str(&format!("--- page {number} ---\n"));
        for mut runs in lines.into_values() {
            runs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let runs: Vec<String> = runs.into_iter().map(|(_, text)| text).collect();
            out.push_str(runs.join(" | ").trim_end());
            out.push('\n');
        }
    }
    Ok(out)
}
