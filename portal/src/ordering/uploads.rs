//! Order files a buyer uploaded: kept in the database until applied (so any
//! instance can show the report and apply it), read with `upload`, columns
//! detected or chosen by the buyer, and judged row by row with `report`.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::carts::Cart;
use super::report::{self, ReportRow};
use super::upload::{detect_columns, extract_rows, read_order_file, Columns, Limits, Sheet, UploadError};
use crate::accounts::User;
use crate::catalog::search_index::SearchIndex;
use crate::db::schema::uploads;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::i18n;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = uploads)]
pub struct StoredUpload {
    pub id: String,
    pub user_id: i64,
    pub cart_id: i64,
    pub file_name: String,
    pub header_row: Option<i32>,
    pub sku_column: Option<i32>,
    pub quantity_column: Option<i32>,
    pub created_at: NaiveDateTime,
    pub applied_at: Option<NaiveDateTime>,
}

/// An upload read and judged.
#[derive(Debug, Clone, Serialize)]
pub struct UploadReport {
    pub upload: StoredUpload,
    #[serde(skip)]
    pub sheet: Sheet,
    #[serde(skip)]
    pub columns: Columns,
    pub rows: Vec<ReportRow>,
}

/// The error a buyer sees for a file that cannot be read.
pub fn explain(error: &UploadError, lang: &str, limits: &Limits) -> Error {
    let args = [
        ("max_mib", (limits.max_bytes / (1024 * 1024)).to_string()),
        ("max_rows", limits.max_rows.to_string()),
        ("detail", error.to_string()),
    ];
    Error::Invalid(i18n::text(lang, &format!("upload.error_{}", error.code()), &args))
}

/// Reads the file (refusing what cannot be read) and stores it for review.
pub fn store(
    conn: &mut DbConn,
    user: &User,
    cart: &Cart,
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<String> {
    let sheet = read_order_file(file_name, bytes, limits).map_err(|e| explain(&e, &user.locale, limits))?;
    if detect_columns(&sheet).is_none() {
        // Still stored: the buyer picks the columns on the report page.
        tracing::debug!(file_name, "no columns detected");
    }
    let id = crate::random_token()[..32].to_string();
    diesel::insert_into(uploads::table)
        .values((
            uploads::id.eq(&id),
            uploads::user_id.eq(user.id.0),
            uploads::cart_id.eq(cart.id),
            uploads::file_name.eq(file_name.chars().take(255).collect::<String>()),
            uploads::content.eq(bytes),
            uploads::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The user's upload; another user's is "not found".
pub fn find(conn: &mut DbConn, user: &User, id: &str) -> Result<(StoredUpload, Vec<u8>)> {
    uploads::table
        .filter(uploads::id.eq(id))
        .filter(uploads::user_id.eq(user.id.0))
        .select((StoredUpload::as_select(), uploads::content))
        .first(conn)
        .map_err(Error::from_lookup)
}

/// Remembers the buyer's choice of header row and columns.
pub fn choose_columns(conn: &mut DbConn, user: &User, id: &str, columns: &Columns) -> Result<()> {
    find(conn, user, id)?;
    diesel::update(uploads::table.find(id))
        .set((
            uploads::header_row.eq(columns.header_row.map(|r| r as i32)),
            uploads::sku_column.eq(Some(columns.sku as i32)),
            uploads::quantity_column.eq(Some(columns.quantity as i32)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Reads the stored file again and judges every row.
pub fn report(conn: &mut DbConn, index: &SearchIndex, user: &User, id: &str, limits: &Limits) -> Result<UploadReport> {
    let (upload, content) = find(conn, user, id)?;
    let sheet = read_order_file(&upload.file_name, &content, limits).map_err(|e| explain(&e, &user.locale, limits))?;
    let columns = match (upload.sku_column, upload.quantity_column) {
        (Some(sku), Some(quantity)) => Columns {
            header_row: upload.header_row.map(|r| r as usize),
            sku: sku as usize,
            quantity: quantity as usize,
            name: None,
            confident: true,
        },
        _ => {
            detect_columns(&sheet).ok_or_else(|| Error::Invalid(i18n::text(&user.locale, "upload.no_columns", &[])))?
        }
    };
    let inputs = extract_rows(&sheet, &columns);
    let rows = report::build(conn, index, &inputs)?;
    Ok(UploadReport { upload, sheet, columns, rows })
}

pub fn mark_applied(conn: &mut DbConn, id: &str) -> Result<()> {
    diesel::update(uploads::table.find(id)).set(uploads::applied_at.eq(Some(Utc::now().naive_utc()))).execute(conn)?;
    Ok(())
}

/// The upload's cart, checked to still be the user's.
pub fn cart_of(conn: &mut DbConn, user: &User, upload: &StoredUpload) -> Result<Cart> {
    super::carts::find(conn, user, upload.cart_id)
}
