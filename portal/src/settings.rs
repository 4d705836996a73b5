//! Supplier-wide settings stored as key/value rows, with typed accessors.
//! Read on each request (they are few and small), so every instance sees a
//! change at once.

use diesel::prelude::*;

use crate::db::schema::settings;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::per_backend;

/// How availability is shown to buyers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StockDisplay {
    /// The available quantity itself.
    Exact,
    /// "In stock" / "few" / "none".
    Levels,
    /// Nothing about stock at all.
    Hidden,
}

impl StockDisplay {
    pub fn parse(text: &str) -> Option<StockDisplay> {
        match text {
            "exact" => Some(StockDisplay::Exact),
            "levels" => Some(StockDisplay::Levels),
            "hidden" => Some(StockDisplay::Hidden),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StockDisplay::Exact => "exact",
            StockDisplay::Levels => "levels",
            StockDisplay::Hidden => "hidden",
        }
    }
}

pub const STOCK_DISPLAY: &str = "stock_display";
pub const STOCK_FEW_THRESHOLD: &str = "stock_few_threshold";
pub const SUPPLIER_NAME: &str = "supplier_name";
pub const SUPPLIER_INN: &str = "supplier_inn";
pub const SUPPLIER_KPP: &str = "supplier_kpp";
pub const SUPPLIER_ADDRESS: &str = "supplier_address";
pub const SUPPLIER_DIRECTOR: &str = "supplier_director";
pub const SUPPLIER_ACCOUNTANT: &str = "supplier_accountant";
pub const BANK_NAME: &str = "bank_name";
pub const BANK_BIK: &str = "bank_bik";
pub const BANK_ACCOUNT: &str = "bank_account";
pub const BANK_CORR_ACCOUNT: &str = "bank_corr_account";
/// Business days a reservation lasts (default 3).
pub const RESERVATION_DAYS: &str = "reservation_days";
/// Whether a full catalog (`СодержитТолькоИзменения="false"`) deactivates the
/// products it no longer lists ("true", the default, or "false").
pub const FULL_CATALOG_DEACTIVATES: &str = "full_catalog_deactivates";
/// What the ERP's stock figures mean: "free" (the default: on hand less the
/// ERP's own reservations, so an acknowledged order's reserve is already out
/// of them) or "on_hand" (the portal keeps subtracting every reservation).
pub const ERP_STOCK: &str = "erp_stock";
/// The address users reach the portal at, for links in emails.
pub const PUBLIC_URL: &str = "public_url";
/// Hours before the deadline when buyer and manager are warned (default 24).
pub const RESERVATION_WARNING_HOURS: &str = "reservation_warning_hours";
/// The supplier's time zone (default Europe/Moscow).
pub const TIMEZONE: &str = "timezone";
/// Changes whenever the catalog does (see `catalog::write::catalog_changed`).
pub const CATALOG_VERSION: &str = "catalog_version";

/// Whether the ERP reports free stock (see `ERP_STOCK`).
pub fn erp_stock_is_free(conn: &mut DbConn) -> Result<bool> {
    Ok(get(conn, ERP_STOCK)?.is_none_or(|v| v.trim() != "on_hand"))
}

/// Reads one setting.
pub fn get(conn: &mut DbConn, key: &str) -> Result<Option<String>> {
    Ok(settings::table.find(key).select(settings::value).first::<String>(conn).optional()?)
}

/// Writes one setting, replacing any earlier value.
pub fn set(conn: &mut DbConn, key: &str, value: &str) -> Result<()> {
    let row = (settings::key.eq(key), settings::value.eq(value));
    per_backend!(conn, |c| diesel::insert_into(settings::table)
        .values(row)
        .on_conflict(settings::key)
        .do_update()
        .set(settings::value.eq(value))
        .execute(c))?;
    Ok(())
}

/// The stock display settings in force.
#[derive(Debug, Clone, Copy)]
pub struct StockPolicy {
    pub display: StockDisplay,
    /// At or below this many thousandths, "few" instead of "in stock".
    pub few_threshold: i64,
}

pub fn stock_policy(conn: &mut DbConn) -> Result<StockPolicy> {
    let display = get(conn, STOCK_DISPLAY)?.and_then(|v| StockDisplay::parse(&v)).unwrap_or(StockDisplay::Exact);
    let few_threshold =
        get(conn, STOCK_FEW_THRESHOLD)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(10) * crate::money::QTY_SCALE;
    Ok(StockPolicy { display, few_threshold })
}

/// Sets the stock display mode from its name ("exact", "levels", "hidden").
pub fn set_stock_display(conn: &mut DbConn, mode: &str) -> Result<()> {
    let mode =
        StockDisplay::parse(mode).ok_or_else(|| Error::Invalid(format!("unknown stock display mode: {mode}")))?;
    set(conn, STOCK_DISPLAY, mode.as_str())
}

/// The supplier's time zone: deadlines are counted and times shown in it.
pub fn timezone(conn: &mut DbConn) -> Result<chrono_tz::Tz> {
    Ok(get(conn, TIMEZONE)?.and_then(|v| v.parse().ok()).unwrap_or(chrono_tz::Europe::Moscow))
}

/// CSS for the admin's status colours ("new=#1f4f99, paid=#2e7d32"). Only
/// known statuses and `#rgb`/`#rrggbb` colours pass; anything else is ignored.
pub fn status_css(conn: &mut DbConn) -> Result<String> {
    let Some(text) = get(conn, "status_colors")? else { return Ok(String::new()) };
    let mut css = String::new();
    for entry in text.split(',') {
        let Some((status, colour)) = entry.split_once('=') else { continue };
        let (status, colour) = (status.trim(), colour.trim());
        let known = crate::ordering::status::OrderStatus::parse(status).is_some();
        let hex = colour
            .strip_prefix('#')
            .is_some_and(|h| (h.len() == 3 || h.len() == 6) && h.chars().all(|c| c.is_ascii_hexdigit()));
        if known && hex {
            css.push_str(&format!(".status-{status}{{background:{colour};color:#fff}}"));
        }
    }
    Ok(css)
}
