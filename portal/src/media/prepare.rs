//! Turning a file's bytes into what is stored: its hash, whether it is a
//! picture or a document, a picture's size and thumbnail. Pure and CPU-only,
//! so it runs outside any transaction.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

use super::MediaKind;

/// The largest file kept (a picture or document from the ERP).
pub const MAX_BYTES: usize = 20 << 20;

/// The longer side of a thumbnail, in pixels (the catalog shows them at a
/// third to a half of that, sharp on high-density screens).
pub const THUMB_SIDE: u32 = 160;

/// The most pixels a picture may have (a bomb of a small file decoding to
/// gigabytes is refused).
const MAX_PIXELS: u64 = 40_000_000;

/// A file ready to store.
#[derive(Debug)]
pub struct Prepared {
    pub hash: String,
    pub kind: MediaKind,
    pub content_type: &'static str,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub content: Vec<u8>,
    pub thumb: Option<Vec<u8>>,
}

/// Documents kept by their name's extension, with their content types.
const DOCUMENTS: [(&str, &str); 9] = [
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xls", "application/vnd.ms-excel"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("dwg", "image/vnd.dwg"),
    ("dxf", "image/vnd.dxf"),
    ("txt", "text/plain; charset=utf-8"),
];

/// Reads a file named `path`: a picture (by its content) is decoded and
/// gets a thumbnail; a PDF (by its content) or another document type (by
/// the name's extension) is kept as it is. Anything else, an unreadable
/// picture or a file over [`MAX_BYTES`] is refused with the reason.
pub fn prepare(path: &str, content: Vec<u8>) -> Result<Prepared, String> {
    if content.len() > MAX_BYTES {
        return Err(format!("larger than {} MiB", MAX_BYTES >> 20));
    }
    if content.is_empty() {
        return Err("the file is empty".into());
    }
    let hash = crate::hash_bytes(&content);
    if let Some(format) = picture_format(&content) {
        let (width, height, thumb) = thumbnail(&content, format)?;
        return Ok(Prepared {
            hash,
            kind: MediaKind::Image,
            content_type: format.to_mime_type(),
            width: Some(width),
            height: Some(height),
            content,
            thumb: Some(thumb),
        });
    }
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let content_type = if content.starts_with(b"%PDF-") {
        "application/pdf"
    } else if let Some((_, content_type)) = DOCUMENTS.iter().find(|(e, _)| *e == extension) {
        if extension == "pdf" {
            return Err("named .pdf but not a PDF".into());
        }
        content_type
    } else if ["png", "jpg", "jpeg", "gif", "webp"].contains(&extension.as_str()) {
        return Err(format!("named .{extension} but not a readable picture"));
    } else {
        return Err("neither a picture (PNG, JPEG, GIF, WebP) nor a document (PDF, DOC, XLS, DWG …)".into());
    };
    Ok(Prepared { hash, kind: MediaKind::Document, content_type, width: None, height: None, content, thumb: None })
}

/// The picture format of some bytes, by their signature.
fn picture_format(content: &[u8]) -> Option<ImageFormat> {
    image::guess_format(content)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP))
}

/// Decodes a picture and makes its JPEG thumbnail (at most
/// [`THUMB_SIDE`] on the longer side, never enlarged).
fn thumbnail(content: &[u8], format: ImageFormat) -> Result<(i32, i32, Vec<u8>), String> {
    let reader = ImageReader::with_format(Cursor::new(content), format);
    let (width, height) = reader.into_dimensions().map_err(|e| format!("not a readable picture: {e}"))?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!("{width}×{height} pixels is more than allowed"));
    }
    let mut reader = ImageReader::with_format(Cursor::new(content), format);
    reader.no_limits();
    let picture = reader.decode().map_err(|e| format!("not a readable picture: {e}"))?;
    let small =
        if width > THUMB_SIDE || height > THUMB_SIDE { picture.thumbnail(THUMB_SIDE, THUMB_SIDE) } else { picture };
    let mut thumb = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut thumb, 82);
    small.into_rgb8().write_with_encoder(encoder).map_err(|e| format!("thumbnail: {e}"))?;
    Ok((width as i32, height as i32, thumb))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture =
            image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, ImageFormat::Png).expect("png");
        out.into_inner()
    }

    #[test]
    fn a_picture_gets_its_size_and_a_thumbnail_within_the_side() {
        let prepared = prepare("import_files/ab/bolt.png", png(640, 320)).expect("prepared");
        assert_eq!(prepared.kind, MediaKind::Image);
        assert_eq!(prepared.content_type, "image/png");
        assert_eq!((prepared.width, prepared.height), (Some(640), Some(320)));
        let thumb = image::load_from_memory(&prepared.thumb.expect("thumb")).expect("jpeg");
        assert_eq!((thumb.width(), thumb.height()), (THUMB_SIDE, THUMB_SIDE / 2));
        assert_eq!(prepared.hash, crate::hash_bytes(&png(640, 320)));
    }

    #[test]
    fn a_small_picture_is_not_enlarged() {
        let prepared = prepare("a.png", png(40, 30)).expect("prepared");
        let thumb = image::load_from_memory(&prepared.thumb.expect("thumb")).expect("jpeg");
        assert_eq!((thumb.width(), thumb.height()), (40, 30));
    }

    #[test]
    fn documents_by_content_or_extension_and_the_rest_refused() {
        let pdf = prepare("cert.bin", b"%PDF-1.4 ...".to_vec()).expect("pdf");
        assert_eq!((pdf.kind, pdf.content_type), (MediaKind::Document, "application/pdf"));
        let drawing = prepare("drawing.DWG", b"AC1027...".to_vec()).expect("dwg");
        assert_eq!(drawing.kind, MediaKind::Document);
        assert!(prepare("broken.jpg", b"\xFF\xD8\xFF\xE0 not really".to_vec())
            .expect_err("broken")
            .contains("picture"));
        assert!(prepare("fake.pdf", b"hello".to_vec()).expect_err("fake").contains("not a PDF"));
        assert!(prepare("run.exe", b"MZ....".to_vec()).is_err());
        assert!(prepare("empty.png", Vec::new()).is_err());
    }
}
