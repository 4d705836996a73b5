//! What people read for an order's status: the administrator's own name per
//! language (`status_names`), else the message catalog's. Every page, email,
//! PDF and notification that names a status asks `StatusNames::label`; the
//! state machine's statuses and transitions are untouched.

use std::collections::HashMap;

use diesel::prelude::*;

use super::status::OrderStatus;
use crate::db::schema::status_names;
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::i18n;

/// The longest name a status may be given.
pub const MAX_NAME: usize = 60;

/// The administrator's names, read once for a page or a message.
#[derive(Debug, Clone, Default)]
pub struct StatusNames {
    own: HashMap<(OrderStatus, &'static str), String>,
}

impl StatusNames {
    /// Every name the administrator set (a handful of rows).
    pub fn load(conn: &mut DbConn) -> Result<StatusNames> {
        let rows: Vec<(OrderStatus, String, String)> =
            status_names::table.select((status_names::status, status_names::locale, status_names::name)).load(conn)?;
        let own = rows.into_iter().map(|(status, locale, name)| ((status, i18n::locale(&locale)), name)).collect();
        Ok(StatusNames { own })
    }

    /// The status's name in `lang`: the administrator's, else the catalog's.
    pub fn label(&self, lang: &str, status: OrderStatus) -> String {
        match self.own.get(&(status, i18n::locale(lang))) {
            Some(name) => name.clone(),
            None => default_label(lang, status),
        }
    }

    /// The administrator's own name, if they set one.
    pub fn own(&self, lang: &str, status: OrderStatus) -> Option<&str> {
        self.own.get(&(status, i18n::locale(lang))).map(String::as_str)
    }

    /// The status a text names (an ERP's status sheet or document): the
    /// administrator's name in any language first, then our code
    /// (`shipped`) or the catalog's name in any language; case, spaces
    /// around and ё aside.
    pub fn named(&self, text: &str) -> Option<OrderStatus> {
        let wanted = fold(text);
        let own = self.own.iter().find(|(_, name)| fold(name) == wanted).map(|((status, _), _)| *status);
        own.or_else(|| {
            OrderStatus::ALL.iter().copied().find(|status| {
                wanted == status.as_str()
                    || i18n::LOCALES.iter().any(|locale| fold(&default_label(locale, *status)) == wanted)
            })
        })
    }
}

/// A name as compared: trimmed, lower case, ё as е.
fn fold(text: &str) -> String {
    text.trim().to_lowercase().replace('ё', "е")
}

/// The message catalog's name of a status.
pub fn default_label(lang: &str, status: OrderStatus) -> String {
    i18n::text(lang, &format!("status.{status}"), &[])
}

/// Sets (or, given an empty name, removes) a status's names: `names` holds
/// one entry per language to change. Names are trimmed, at most `MAX_NAME`
/// characters, and two statuses may not share a name in one language (a
/// buyer could not tell them apart).
pub fn set(conn: &mut DbConn, status: OrderStatus, names: &[(&str, &str)]) -> Result<()> {
    write_transaction(conn, |conn| {
        for (lang, name) in names {
            let locale = i18n::LOCALES
                .into_iter()
                .find(|l| l == lang)
                .ok_or_else(|| Error::Invalid(format!("unknown language {lang:?}")))?;
            let name = name.trim();
            diesel::delete(status_names::table.find((status, locale))).execute(conn)?;
            if name.is_empty() {
                continue;
            }
            if name.chars().count() > MAX_NAME {
                return Err(Error::Invalid(format!("a status name has at most {MAX_NAME} characters")));
            }
            let current = StatusNames::load(conn)?;
            let clash = OrderStatus::ALL.iter().find(|other| {
                **other != status && current.label(locale, **other).to_lowercase() == name.to_lowercase()
            });
            if let Some(other) = clash {
                return Err(Error::Invalid(format!("{name:?} already names the status {other}")));
            }
            diesel::insert_into(status_names::table)
                .values((status_names::status.eq(status), status_names::locale.eq(locale), status_names::name.eq(name)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// One status as the administrator sees and edits it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatusEntry {
    pub status: OrderStatus,
    /// The name shown in each language (`LOCALES` order).
    pub names: Vec<String>,
    /// Which of them the administrator set (the others are the catalog's).
    pub own: Vec<bool>,
    /// The catalog's names, in the same order.
    pub defaults: Vec<String>,
    /// The badge colour the administrator chose, if any.
    pub colour: Option<String>,
}

/// Every status with its names and colour, in the state machine's order.
pub fn entries(conn: &mut DbConn) -> Result<Vec<StatusEntry>> {
    let names = StatusNames::load(conn)?;
    let colours = crate::settings::status_colours(conn)?;
    Ok(OrderStatus::ALL
        .iter()
        .map(|status| StatusEntry {
            status: *status,
            names: i18n::LOCALES.iter().map(|l| names.label(l, *status)).collect(),
            own: i18n::LOCALES.iter().map(|l| names.own(l, *status).is_some()).collect(),
            defaults: i18n::LOCALES.iter().map(|l| default_label(l, *status)).collect(),
            colour: colours.iter().find(|(s, _)| s == status).map(|(_, c)| c.as_str().to_string()),
        })
        .collect())
}

/// Sets a status's names and badge colour in one transaction: `names` as in
/// `set`; `colour` `Some("")` removes the colour, `Some("#1f4f99")` sets it,
/// `None` leaves it.
pub fn save(conn: &mut DbConn, status: OrderStatus, names: &[(&str, &str)], colour: Option<&str>) -> Result<()> {
    write_transaction(conn, |conn| {
        set(conn, status, names)?;
        if let Some(colour) = colour {
            let colour = match colour.trim() {
                "" => None,
                text => Some(
                    crate::settings::Colour::parse(text)
                        .ok_or_else(|| Error::Invalid(format!("{text:?} is not a colour like #1f4f99")))?,
                ),
            };
            crate::settings::set_status_colour(conn, status, colour)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_named_by_the_administrators_name_first_then_the_catalogs() {
        let mut names = StatusNames::default();
        names.own.insert((OrderStatus::Processing, "ru"), "Собирается на складе".into());
        // The administrator's name may be another status's catalog name: theirs wins.
        names.own.insert((OrderStatus::Reserved, "en"), "Shipped".into());
        assert_eq!(names.named(" собирается на складе "), Some(OrderStatus::Processing));
        assert_eq!(names.named("SHIPPED"), Some(OrderStatus::Reserved));
        assert_eq!(names.named("shipped"), Some(OrderStatus::Reserved));
        assert_eq!(names.named("closed"), Some(OrderStatus::Closed));
        assert_eq!(names.named("отменен"), Some(OrderStatus::Cancelled), "«Отменён» without its ё");
        assert_eq!(names.named("Летит на Луну"), None);
        assert_eq!(StatusNames::default().named("Shipped"), Some(OrderStatus::Shipped));
    }
}
