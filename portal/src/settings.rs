//! Supplier-wide settings stored as key/value rows, with typed accessors.
//! Read on each request (they are few and small), so every instance sees a
//! change at once.

use diesel::prelude::*;

use crate::db::schema::settings;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ordering::status::OrderStatus;
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
/// Badge colours per order status ("new=#1f4f99, paid=#2e7d32"); see `status_colours`.
pub const STATUS_COLORS: &str = "status_colors";
/// How discount rules combine: "best" (the default: the one rule worth
/// most to the buyer) or "cumulative" (all of them, up to `DISCOUNT_CAP`).
pub const DISCOUNT_STACKING: &str = "discount_stacking";
/// Under cumulative stacking, the most the rules take off a line, in percent (default 100).
pub const DISCOUNT_CAP: &str = "discount_cap_percent";
/// The largest manual discount a manager may give on a line, in percent (default 5).
pub const MANUAL_DISCOUNT_LIMIT: &str = "manual_discount_limit_percent";
/// Changes whenever the catalog does (see `catalog::write::catalog_changed`).
pub const CATALOG_VERSION: &str = "catalog_version";

/// The settings an administrator edits (page and API), in display order.
pub const EDITABLE: [&str; 26] = [
    SUPPLIER_NAME,
    SUPPLIER_INN,
    SUPPLIER_KPP,
    SUPPLIER_ADDRESS,
    SUPPLIER_DIRECTOR,
    SUPPLIER_ACCOUNTANT,
    BANK_NAME,
    BANK_BIK,
    BANK_ACCOUNT,
    BANK_CORR_ACCOUNT,
    RESERVATION_DAYS,
    RESERVATION_WARNING_HOURS,
    STOCK_DISPLAY,
    STOCK_FEW_THRESHOLD,
    TIMEZONE,
    PUBLIC_URL,
    FULL_CATALOG_DEACTIVATES,
    ERP_STOCK,
    crate::ordering::channels::SETTING,
    crate::journal::RETENTION_DAYS,
    STATUS_COLORS,
    crate::finance::CREDIT_POLICY,
    crate::finance::reminders::REMINDER_DAYS,
    DISCOUNT_STACKING,
    DISCOUNT_CAP,
    MANUAL_DISCOUNT_LIMIT,
];

/// Every editable setting with its value (or its default where one applies).
pub fn editable_values(conn: &mut DbConn) -> Result<Vec<(&'static str, String)>> {
    let mut values = Vec::new();
    for key in EDITABLE {
        let value = match get(conn, key)? {
            Some(value) => value,
            None if key == crate::ordering::channels::SETTING => "1c".to_string(),
            None if key == crate::finance::CREDIT_POLICY => "refuse".to_string(),
            None if key == crate::finance::reminders::REMINDER_DAYS => "3".to_string(),
            None if key == DISCOUNT_STACKING => "best".to_string(),
            None if key == DISCOUNT_CAP => "100".to_string(),
            None if key == MANUAL_DISCOUNT_LIMIT => "5".to_string(),
            None => String::new(),
        };
        values.push((key, value));
    }
    Ok(values)
}

/// Saves editable settings after checking each value; all or none (one
/// transaction). Messages in `lang`.
pub fn update(conn: &mut DbConn, values: &[(String, String)], lang: &str) -> Result<()> {
    use crate::i18n;
    crate::db::write_transaction(conn, |conn| {
        for (key, value) in values {
            let Some(key) = EDITABLE.iter().copied().find(|k| k == key) else {
                return Err(Error::Invalid(format!("{key} is not a setting that can be edited")));
            };
            let value = value.trim();
            let number_error = || Error::Invalid(i18n::text(lang, "admin.bad_number", &[("key", key.to_string())]));
            match key {
                STOCK_DISPLAY => set_stock_display(conn, value)?,
                RESERVATION_DAYS
                | RESERVATION_WARNING_HOURS
                | STOCK_FEW_THRESHOLD
                | crate::finance::reminders::REMINDER_DAYS => {
                    value.parse::<u32>().map_err(|_| number_error())?;
                    set(conn, key, value)?
                }
                DISCOUNT_CAP | MANUAL_DISCOUNT_LIMIT => {
                    value.parse::<u32>().ok().filter(|p| *p <= 100).ok_or_else(number_error)?;
                    set(conn, key, value)?
                }
                crate::journal::RETENTION_DAYS => {
                    value.parse::<u32>().ok().filter(|d| *d >= 1).ok_or_else(number_error)?;
                    set(conn, key, value)?
                }
                TIMEZONE if value.parse::<chrono_tz::Tz>().is_err() => {
                    return Err(Error::Invalid(i18n::text(lang, "admin.bad_timezone", &[])));
                }
                ERP_STOCK | FULL_CATALOG_DEACTIVATES | crate::finance::CREDIT_POLICY | DISCOUNT_STACKING => {
                    let allowed: &[&str] = match key {
                        ERP_STOCK => &["free", "on_hand"],
                        DISCOUNT_STACKING => &["best", "cumulative"],
                        crate::finance::CREDIT_POLICY => &["refuse", "approval"],
                        _ => &["true", "false"],
                    };
                    if !allowed.contains(&value) {
                        return Err(Error::Invalid(i18n::text(
                            lang,
                            "admin.bad_choice",
                            &[("key", key.to_string()), ("allowed", allowed.join(", "))],
                        )));
                    }
                    set(conn, key, value)?
                }
                crate::ordering::channels::SETTING => {
                    let channels = crate::ordering::channels::parse_list(value)?;
                    let list: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
                    set(conn, key, &list.join(","))?
                }
                _ => set(conn, key, value)?,
            }
        }
        Ok(())
    })
}

/// How discount rules combine (see `DISCOUNT_STACKING`).
pub fn discount_stacking(conn: &mut DbConn) -> Result<crate::terms::discount_engine::Stacking> {
    use crate::terms::discount_engine::Stacking;
    if get(conn, DISCOUNT_STACKING)?.is_some_and(|v| v.trim() == "cumulative") {
        let cap = get(conn, DISCOUNT_CAP)?.and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(100);
        return Ok(Stacking::Cumulative { cap_bp: cap.clamp(0, 100) * 100 });
    }
    Ok(Stacking::Best)
}

/// The largest manual line discount a manager may give, in basis points.
pub fn manual_discount_limit_bp(conn: &mut DbConn) -> Result<i64> {
    let percent = get(conn, MANUAL_DISCOUNT_LIMIT)?.and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(5);
    Ok(percent.clamp(0, 100) * 100)
}

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

/// A stored UTC time as the supplier's local time ("07.12.2026 14:01").
pub fn local_time(zone: chrono_tz::Tz, t: chrono::NaiveDateTime) -> String {
    use chrono::TimeZone;
    zone.from_utc_datetime(&t).format("%d.%m.%Y %H:%M").to_string()
}

/// The address the portal is reached at, without a trailing slash, for
/// links in emails (the local default until an admin sets it).
pub fn public_url(conn: &mut DbConn) -> Result<String> {
    let url = get(conn, PUBLIC_URL)?.filter(|u| !u.trim().is_empty());
    Ok(url.unwrap_or_else(|| "http://127.0.0.1:8080".into()).trim().trim_end_matches('/').to_string())
}

/// A colour the admin chose for a status badge: `#rgb` or `#rrggbb`, nothing
/// else, so it is safe to put in a style sheet as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colour(String);

impl Colour {
    pub fn parse(text: &str) -> Option<Colour> {
        let hex = text.strip_prefix('#')?;
        ((hex.len() == 3 || hex.len() == 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| Colour(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The admin's status colours ("new=#1f4f99, paid=#2e7d32"), in the order
/// written. Only known statuses with a [`Colour`] count; anything else is
/// ignored. The style sheet is the web layer's (`web::render::status_css`).
pub fn status_colours(conn: &mut DbConn) -> Result<Vec<(OrderStatus, Colour)>> {
    Ok(get(conn, STATUS_COLORS)?.as_deref().map(parse_status_colours).unwrap_or_default())
}

/// Sets (or with `None` removes) one status's badge colour, keeping the others.
pub fn set_status_colour(conn: &mut DbConn, status: OrderStatus, colour: Option<Colour>) -> Result<()> {
    let mut colours = status_colours(conn)?;
    colours.retain(|(s, _)| *s != status);
    colours.extend(colour.map(|c| (status, c)));
    colours.sort_by_key(|(s, _)| OrderStatus::ALL.iter().position(|x| x == s));
    let text: Vec<String> = colours.iter().map(|(s, c)| format!("{}={}", s.as_str(), c.as_str())).collect();
    set(conn, STATUS_COLORS, &text.join(", "))
}

fn parse_status_colours(text: &str) -> Vec<(OrderStatus, Colour)> {
    text.split(',')
        .filter_map(|entry| entry.split_once('='))
        .filter_map(|(status, colour)| Some((OrderStatus::parse(status.trim())?, Colour::parse(colour.trim())?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_colours_keep_known_statuses_with_hex_colours_only() {
        let parsed = parse_status_colours("new=#ff0000, bogus=#000, paid=red, shipped = #0a0 ,closed=#12345, =#fff");
        let shown: Vec<(&str, &str)> = parsed.iter().map(|(s, c)| (s.as_str(), c.as_str())).collect();
        assert_eq!(shown, [("new", "#ff0000"), ("shipped", "#0a0")]);
    }
}
