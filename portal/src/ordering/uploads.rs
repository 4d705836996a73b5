//! Order files a buyer uploaded: kept in the database until applied (so any
//! instance can show the report and apply it), read with `upload`, columns
//! detected or chosen by the buyer, and judged row by row with `report`.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::carts::Cart;
use super::report::Applied;
use super::report::{self, ReportRow};
use super::rules::VerdictKind;
use super::upload::{
    annotated_xlsx, detect_columns, extract_rows, read_order_file, Columns, Limits, Sheet, UploadError, VerdictTone,
};
use crate::accounts::User;
use crate::catalog::search_index::SearchIndex;
use crate::db::schema::uploads;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::i18n;
use crate::ids::{CartId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = uploads)]
pub struct StoredUpload {
    pub id: String,
    pub user_id: UserId,
    pub cart_id: CartId,
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
#[tracing::instrument(skip_all, fields(user = %user.id))]
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
#[tracing::instrument(skip_all, fields(user = %user.id, upload = id))]
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
    let assortment = crate::terms::assortment::Assortment::for_user(conn, user)?;
    let rows = report::build(conn, index, (&assortment, user.company_id), &inputs)?;
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

/// Adds the accepted rows of an upload to its cart, once; returns what was
/// added and the cart.
#[tracing::instrument(skip_all, fields(user = %user.id, upload = id))]
pub fn apply(conn: &mut DbConn, index: &SearchIndex, user: &User, id: &str) -> Result<(Applied, CartId)> {
    let report = report(conn, index, user, id, &Limits::default())?;
    if report.upload.applied_at.is_some() {
        return Err(Error::Conflict(i18n::text(&user.locale, "upload.already_applied", &[])));
    }
    let cart = cart_of(conn, user, &report.upload)?;
    let pricing = crate::pricing::PriceContext::for_user(conn, user)?;
    let applied = super::report::apply(conn, &cart, &pricing, &report.rows)?;
    mark_applied(conn, &report.upload.id)?;
    Ok((applied, cart.id))
}

/// How a row is coloured in the annotated file.
pub fn tone(row: &ReportRow) -> VerdictTone {
    match row.verdict.kind {
        VerdictKind::Added => VerdictTone::Ok,
        VerdictKind::Rounded | VerdictKind::BelowMinimum | VerdictKind::Backorder | VerdictKind::Merged => {
            VerdictTone::Adjusted
        }
        _ => VerdictTone::Problem,
    }
}

/// The buyer's file back as .xlsx with a verdict column in their language.
pub fn annotated(conn: &mut DbConn, index: &SearchIndex, user: &User, id: &str) -> Result<Vec<u8>> {
    let lang = i18n::locale(&user.locale);
    let report = report(conn, index, user, id, &Limits::default())?;
    let verdicts: Vec<(usize, VerdictTone, String)> = report
        .rows
        .iter()
        .map(|r| {
            let unit = r.offer.as_ref().map(|o| o.unit.as_str()).unwrap_or("");
            let message = r.verdict.message(lang, unit);
            // Typed as the buyer's own code: the supplier's SKU beside it.
            let text = match r.supplier_sku() {
                Some(sku) => format!("{sku}: {message}"),
                None => message,
            };
            (r.row, tone(r), text)
        })
        .collect();
    let heading = i18n::text(lang, "upload.verdict_heading", &[]);
    annotated_xlsx(&report.sheet, report.columns.header_row, &verdicts, &heading)
        .map_err(|e| Error::Internal(format!("annotated file: {e}")))
}
