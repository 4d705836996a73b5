//! Turns laid-out pages into PDF bytes: embeds the font subsets the pages use, converts each
//! [`Item`] into printpdf operations (flipping y to PDF's bottom-up coordinates) and saves.
//!
//! This module must never move, add or drop anything the layout placed, and never introduce
//! anything that varies from run to run (ids, timestamps, hash-map order): the same pages must
//! always give the same bytes, apart from the trailer id that `determinism` then fixes.

use std::collections::BTreeSet;

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfParseErrorSeverity,
    PdfSaveOptions, Point, Pt, TextItem,
};

use super::fonts::{Faces, Style};
use super::layout::{Item, PAGE_H};
use super::PdfError;

/// Writes `pages` as an A4 PDF titled `title` (in its metadata), with the fonts subset to the
/// characters drawn in each style.
pub(super) fn write(pages: &[Vec<Item>], faces: &Faces, title: &str) -> Result<Vec<u8>, PdfError> {
    let mut pdf = PdfDocument::new(title);
    let regular = faces.embed(&mut pdf, Style::Regular, &chars_used(pages, Style::Regular))?;
    let bold = faces.embed(&mut pdf, Style::Bold, &chars_used(pages, Style::Bold))?;
    let pdf_pages = pages
        .iter()
        .map(|items| PdfPage::new(Mm(210.0), Mm(297.0), page_ops(items, regular.as_ref(), bold.as_ref())))
        .collect();
    pdf.with_pages(pdf_pages);

    let mut warnings = Vec::new();
    // printpdf's own save compresses every stream at the best (slowest)
    // level; a long statement's content streams are compressed here at a
    // fast one instead (about twice as fast a file, a few percent larger).
    let options = PdfSaveOptions { optimize: false, image_optimization: None, ..PdfSaveOptions::default() };
    let mut doc = printpdf::serialize::to_lopdf_doc(&pdf, &options, &mut warnings);
    let errors: Vec<String> =
        warnings.into_iter().filter(|w| w.severity == PdfParseErrorSeverity::Error).map(|w| w.msg).collect();
    if !errors.is_empty() {
        return Err(PdfError::Serialize(errors.join("; ")));
    }
    for object in doc.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object {
            compress(stream)?;
        }
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).map_err(|e| PdfError::Serialize(e.to_string()))?;
    Ok(bytes)
}

/// Deflates a stream not yet filtered, when that makes it smaller.
fn compress(stream: &mut lopdf::Stream) -> Result<(), PdfError> {
    use std::io::Write;
    if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
        return Ok(());
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(2));
    let deflated = encoder
        .write_all(&stream.content)
        .and_then(|()| encoder.finish())
        .map_err(|e| PdfError::Serialize(e.to_string()))?;
    if deflated.len() + 19 < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(deflated);
    }
    Ok(())
}

/// Every character drawn with `style` on any page.
fn chars_used(pages: &[Vec<Item>], style: Style) -> BTreeSet<char> {
    pages
        .iter()
        .flatten()
        .filter_map(|item| match item {
            Item::Text { style: s, text, .. } if *s == style => Some(text.chars()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn grey(on: bool) -> Color {
    Color::Greyscale(Greyscale { percent: if on { 0.4 } else { 0.0 }, icc_profile: None })
}

/// Turns laid-out items into printpdf operations (flipping y to PDF's bottom-up coordinates):
/// the page's rules first, then all its text in one text object — the font set only when it
/// changes and each run placed relative to the one before (`Td` moves from the last line
/// start), which keeps a long statement's content stream and its writing short.
fn page_ops(items: &[Item], regular: Option<&FontId>, bold: Option<&FontId>) -> Vec<Op> {
    let mut ops = vec![
        Op::SetOutlineColor { col: grey(false) },
        Op::SetFillColor { col: grey(false) },
        Op::SetLineCapStyle { cap: printpdf::LineCapStyle::ProjectingSquare },
    ];
    let mut line_width = None;
    let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(PAGE_H - y) }, bezier: false };
    for item in items {
        if let Item::Line { x1, y1, x2, y2, width } = item {
            if line_width != Some(*width) {
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                line_width = Some(*width);
            }
            ops.push(Op::DrawLine { line: Line { points: vec![point(*x1, *y1), point(*x2, *y2)], is_closed: false } });
        }
    }
    let mut is_grey = false;
    let mut font_now: Option<(Style, f32)> = None;
    let mut at = (0.0, 0.0);
    let mut in_text = false;
    for item in items {
        let Item::Text { x, baseline, size, style, grey: g, text } = item else { continue };
        let font = match style {
            Style::Regular => regular,
            Style::Bold => bold,
        };
        let Some(font) = font else { continue };
        if !in_text {
            ops.push(Op::StartTextSection);
            in_text = true;
        }
        if *g != is_grey {
            ops.push(Op::SetFillColor { col: grey(*g) });
            is_grey = *g;
        }
        if font_now != Some((*style, *size)) {
            ops.push(Op::SetFont { font: PdfFontHandle::External(font.clone()), size: Pt(*size) });
            font_now = Some((*style, *size));
        }
        let to = (*x, PAGE_H - baseline);
        ops.push(Op::SetTextCursor { pos: Point { x: Pt(to.0 - at.0), y: Pt(to.1 - at.1) } });
        at = to;
        ops.push(Op::ShowText { items: vec![TextItem::Text(text.clone())] });
    }
    if in_text {
        ops.push(Op::EndTextSection);
    }
    ops
}
