//! Pictures and documents of products, as the ERP sends them (1C's
//! `Картинка` paths with the files in the same exchange upload, zip or
//! folder).
//!
//! Where they live: in the database (`media_files`), stored once per content
//! (SHA-256) with a JPEG thumbnail for pictures. Every instance then serves
//! every file without shared disks, a backup of the database is a backup of
//! the catalog, and a picture is linked in the same database as its product.
//! The files are addressed by their hash, so a URL never changes meaning and
//! is served with a year's cache and the hash as its ETag.
//!
//! - [`prepare`]: pure — hash, kind (picture or document), size, thumbnail;
//! - [`source`]: where an import finds the files its catalog names;
//! - [`attach`]: after a catalog import, stores what is new and links each
//!   product to its pictures and documents in the ERP's order; a missing or
//!   broken file is a warning, never a failed import.

mod attach;
mod prepare;
mod source;

pub use attach::{attach, attach_on, Report, Wanted};
pub use prepare::{prepare, Prepared, MAX_BYTES, THUMB_SIDE};
pub use source::{clean as clean_path, FileSource, Folder, NoFiles, ZipFiles};

use diesel::prelude::*;

use crate::db::schema::{media_files, product_media};
use crate::db::stored_text::stored_text_enum;
use crate::db::DbConn;
use crate::error::Result;

stored_text_enum! {
    /// What a stored file is to a product.
    pub enum MediaKind {
        /// A picture (PNG, JPEG, GIF, WebP): shown, with a thumbnail.
        Image = "image",
        /// A document (certificate, passport, drawing): listed for download.
        Document = "document",
    }
}

/// A product's first picture (its image at position 0 in `product_media`),
/// as a column of a query over `products`: lists read it with the row.
pub fn first_picture() -> diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Text>> {
    diesel::dsl::sql(
        "(SELECT pm.hash FROM product_media pm \
          WHERE pm.product_id = products.id AND pm.kind = 'image' AND pm.position = 0)",
    )
}

/// Where a stored file is served.
pub fn url(hash: &str) -> String {
    format!("/media/{hash}")
}

/// Where a picture's thumbnail is served.
pub fn thumb_url(hash: &str) -> String {
    format!("/media/{hash}/thumb")
}

/// Where a document is served under its name (for the browser's download).
pub fn file_url(hash: &str, name: &str) -> String {
    format!("/media/{hash}?name={}", urlencoding::encode(name))
}

/// One picture or document of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub hash: String,
    pub name: String,
}

/// A product's pictures and documents, in the ERP's order.
#[derive(Debug, Clone, Default)]
pub struct ProductMedia {
    pub images: Vec<Attached>,
    pub files: Vec<Attached>,
}

/// A picture as pages and the API link it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImageLink {
    pub url: String,
    pub thumb_url: String,
    /// Its description, or the file name.
    pub name: String,
}

/// A document as pages and the API link it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileLink {
    pub name: String,
    pub url: String,
}

impl ProductMedia {
    /// The pictures' and documents' addresses, in order.
    pub fn links(self) -> (Vec<ImageLink>, Vec<FileLink>) {
        let images = self
            .images
            .into_iter()
            .map(|i| ImageLink { url: url(&i.hash), thumb_url: thumb_url(&i.hash), name: i.name })
            .collect();
        let files =
            self.files.into_iter().map(|f| FileLink { url: file_url(&f.hash, &f.name), name: f.name }).collect();
        (images, files)
    }
}

/// The pictures and documents of a product.
pub fn of_product(conn: &mut DbConn, product_id: i64) -> Result<ProductMedia> {
    let rows: Vec<(MediaKind, String, String)> = product_media::table
        .filter(product_media::product_id.eq(product_id))
        .order((product_media::kind, product_media::position))
        .select((product_media::kind, product_media::hash, product_media::name))
        .load(conn)?;
    let mut media = ProductMedia::default();
    for (kind, hash, name) in rows {
        let list = match kind {
            MediaKind::Image => &mut media.images,
            MediaKind::Document => &mut media.files,
        };
        list.push(Attached { hash, name });
    }
    Ok(media)
}

/// A stored file to serve: its content type and bytes (the thumbnail when
/// asked and there is one).
pub fn served(conn: &mut DbConn, hash: &str, thumb: bool) -> Result<Option<(String, Vec<u8>)>> {
    if thumb {
        let found: Option<Option<Vec<u8>>> =
            media_files::table.find(hash).select(media_files::thumb).first(conn).optional()?;
        return Ok(found.flatten().map(|bytes| ("image/jpeg".to_string(), bytes)));
    }
    Ok(media_files::table
        .find(hash)
        .select((media_files::content_type, media_files::content))
        .first(conn)
        .optional()?)
}

/// How many files are stored (for tests and the journal).
pub fn stored_count(conn: &mut DbConn) -> Result<i64> {
    Ok(media_files::table.count().get_result(conn)?)
}
