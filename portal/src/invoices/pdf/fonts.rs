//! The shipped DejaVu Sans fonts: parsed once per process for their glyph ids and advance widths,
//! and cut down to the glyphs an invoice uses before they are embedded under fixed names.
//!
//! Subsetting uses the `allsorts` subsetter that printpdf itself depends on, so an invoice weighs
//! tens of kilobytes instead of carrying the whole ~750 KB font (printpdf's own subsetting needs its
//! heavy `text_layout` feature). This module never lays anything out and never reads a font from
//! disk at run time: the fonts are compiled in. It must never give a font a random or per-run name,
//! or the same invoice would stop rendering to the same bytes.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};
use allsorts::tables::cmap::Cmap;
use allsorts::tables::{FontTableProvider, HeadTable, HheaTable, HmtxTable, MaxpTable};
use allsorts::tag;
use printpdf::{FontId, ParsedFont, PdfDocument, PdfFont};

use super::PdfError;

/// DejaVu Sans, embedded (as a subset) into every invoice. Licence: templates/fonts/LICENSE-DejaVu.txt.
const REGULAR_TTF: &[u8] = include_bytes!("../../../../templates/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, for the title, headers and totals.
const BOLD_TTF: &[u8] = include_bytes!("../../../../templates/fonts/DejaVuSans-Bold.ttf");

/// Fixed font ids of the embedded subsets (printpdf's own ids are random). printpdf also uses the
/// id as the /BaseFont name, hence the "ABCDEF+Name" form that marks an embedded subset.
const REGULAR_ID: &str = "DJVSNR+DejaVuSans";
/// See [`REGULAR_ID`].
const BOLD_ID: &str = "DJVSNB+DejaVuSans-Bold";

/// Regular or bold DejaVu Sans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Regular,
    Bold,
}

/// A parsed font: what layout needs (advances) and what subsetting needs (glyph ids, bytes).
pub(super) struct Face {
    name: &'static str,
    bytes: &'static [u8],
    /// Character → (glyph id, advance in font units).
    glyphs: HashMap<char, (u16, u16)>,
    units_per_em: f32,
    /// Advance of '?', used for characters the font lacks (they are printed as '?').
    fallback_advance: u16,
}

impl Face {
    fn parse(name: &'static str, bytes: &'static [u8]) -> Result<Self, PdfError> {
        let err = |reason: String| PdfError::Font { font: name, reason };
        let font_file = ReadScope::new(bytes).read::<FontData<'_>>().map_err(|e| err(e.to_string()))?;
        let provider = font_file.table_provider(0).map_err(|e| err(e.to_string()))?;
        let table = |t: u32| provider.read_table_data(t).map_err(|e| err(format!("table {t:#x}: {e}")));

        let head_data = table(tag::HEAD)?;
        let head = ReadScope::new(&head_data).read::<HeadTable>().map_err(|e| err(e.to_string()))?;
        let maxp_data = table(tag::MAXP)?;
        let maxp = ReadScope::new(&maxp_data).read::<MaxpTable>().map_err(|e| err(e.to_string()))?;
        let hhea_data = table(tag::HHEA)?;
        let hhea = ReadScope::new(&hhea_data).read::<HheaTable>().map_err(|e| err(e.to_string()))?;
        let hmtx_data = table(tag::HMTX)?;
        let hmtx = ReadScope::new(&hmtx_data)
            .read_dep::<HmtxTable<'_>>((usize::from(maxp.num_glyphs), usize::from(hhea.num_h_metrics)))
            .map_err(|e| err(e.to_string()))?;
        let cmap_data = table(tag::CMAP)?;
        let cmap = ReadScope::new(&cmap_data).read::<Cmap<'_>>().map_err(|e| err(e.to_string()))?;
        let (_, subtable) = allsorts::font::read_cmap_subtable(&cmap)
            .map_err(|e| err(e.to_string()))?
            .ok_or_else(|| err("no Unicode cmap".to_string()))?;

        let mut glyphs = HashMap::new();
        subtable
            .mappings_fn(|codepoint, gid| {
                if let Some(c) = char::from_u32(codepoint) {
                    let advance = hmtx.horizontal_advance(gid).unwrap_or(0);
                    glyphs.insert(c, (gid, advance));
                }
            })
            .map_err(|e| err(e.to_string()))?;
        let fallback_advance = glyphs.get(&'?').map(|g| g.1).ok_or_else(|| err("no glyph for '?'".to_string()))?;
        Ok(Face { name, bytes, glyphs, units_per_em: f32::from(head.units_per_em.max(1)), fallback_advance })
    }

    /// Width of `c` at `size` points.
    pub(super) fn char_width(&self, c: char, size: f32) -> f32 {
        let advance = self.glyphs.get(&c).map_or(self.fallback_advance, |g| g.1);
        f32::from(advance) * size / self.units_per_em
    }

    /// Width of `text` at `size` points (no kerning: printpdf does not apply any either).
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// `text` as it will be printed: whitespace and control characters become spaces,
    /// characters missing from the font become '?'.
    pub(super) fn sanitize(&self, text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_whitespace() || c.is_control() {
                    ' '
                } else if self.glyphs.contains_key(&c) {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    /// The font program cut down to the glyphs of `chars` (plus .notdef), with a Unicode cmap.
    fn subset(&self, chars: &BTreeSet<char>) -> Result<Vec<u8>, PdfError> {
        let err = |reason: String| PdfError::Font { font: self.name, reason };
        // .notdef must come first; the rest sorted and unique.
        let used: BTreeSet<u16> = chars.iter().filter_map(|c| self.glyphs.get(c).map(|g| g.0)).collect();
        let ids: Vec<u16> = std::iter::once(0).chain(used.into_iter().filter(|gid| *gid != 0)).collect();
        let font_file = ReadScope::new(self.bytes).read::<FontData<'_>>().map_err(|e| err(e.to_string()))?;
        let provider = font_file.table_provider(0).map_err(|e| err(e.to_string()))?;
        allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| err(format!("subsetting failed: {e}")))
    }
}

/// Both faces, parsed once per process.
pub(super) struct Faces {
    pub(super) regular: Face,
    pub(super) bold: Face,
}

impl Faces {
    pub(super) fn get() -> Result<&'static Faces, PdfError> {
        static FACES: OnceLock<Result<Faces, PdfError>> = OnceLock::new();
        FACES
            .get_or_init(|| {
                Ok(Faces {
                    regular: Face::parse("DejaVuSans", REGULAR_TTF)?,
                    bold: Face::parse("DejaVuSans-Bold", BOLD_TTF)?,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    pub(super) fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }

    /// Subsets the face of `style` to `chars` and registers it with the document under its fixed
    /// id, so that the same invoice always gives the same bytes. `None` if no character is drawn
    /// in that style (the font is then not embedded at all).
    pub(super) fn embed(
        &self,
        pdf: &mut PdfDocument,
        style: Style,
        chars: &BTreeSet<char>,
    ) -> Result<Option<FontId>, PdfError> {
        if chars.is_empty() {
            return Ok(None);
        }
        let face = self.face(style);
        let id = match style {
            Style::Regular => REGULAR_ID,
            Style::Bold => BOLD_ID,
        };
        let bytes = face.subset(chars)?;
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| PdfError::Font {
            font: face.name,
            reason: format!("subset font unreadable: {warnings:?}"),
        })?;
        let id = FontId(id.to_string());
        pdf.resources.fonts.map.insert(id.clone(), PdfFont::new(parsed));
        Ok(Some(id))
    }
}
