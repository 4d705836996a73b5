//! Payment methods: bank transfer by invoice (the default, always there),
//! cash or card on pickup and so on. A method may ask part of the order in
//! advance (`prepayment_bp`): that part is not counted against the
//! contract's credit and the order states it.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{delivery_payment_methods, payment_methods};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = payment_methods)]
pub struct PaymentMethod {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    /// The share paid in advance, in basis points (10000 = all).
    pub prepayment_bp: i32,
    pub active: bool,
    pub sort_order: i32,
}

impl PaymentMethod {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_ru
        }
    }
}

/// What an administrator writes for a payment method.
#[derive(Debug, Clone)]
pub struct PaymentInput {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub prepayment_bp: i32,
    pub active: bool,
    pub sort_order: i32,
}

/// The methods, active ones only unless `all`, in their order.
pub fn list(conn: &mut DbConn, all: bool) -> Result<Vec<PaymentMethod>> {
    let mut query = payment_methods::table.select(PaymentMethod::as_select()).into_boxed();
    if !all {
        query = query.filter(payment_methods::active.eq(true));
    }
    Ok(query.order((payment_methods::sort_order, payment_methods::id)).load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<PaymentMethod> {
    payment_methods::table.find(id).select(PaymentMethod::as_select()).first(conn).optional()?.ok_or(Error::NotFound)
}

pub(crate) fn check_names(code: &str, name_ru: &str, name_en: &str) -> Result<()> {
    let code_ok =
        !code.is_empty() && code.len() <= 40 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !code_ok {
        return Err(Error::Invalid("a code of 1 to 40 latin letters, digits, '-' or '_'".into()));
    }
    for name in [name_ru, name_en] {
        if name.trim().is_empty() || name.chars().count() > 200 {
            return Err(Error::Invalid("names in both languages, up to 200 characters".into()));
        }
    }
    Ok(())
}

fn check(input: &PaymentInput) -> Result<()> {
    check_names(&input.code, &input.name_ru, &input.name_en)?;
    if !(0..=10_000).contains(&input.prepayment_bp) {
        return Err(Error::Invalid("the prepayment share is between 0 and 100 %".into()));
    }
    Ok(())
}

/// Creates (id `None`) or replaces a method; a code used by another is a conflict.
pub fn save(conn: &mut DbConn, id: Option<i64>, input: &PaymentInput) -> Result<PaymentMethod> {
    check(input)?;
    let id = write_transaction(conn, |conn| {
        let clash: Option<i64> = payment_methods::table
            .filter(payment_methods::code.eq(&input.code))
            .select(payment_methods::id)
            .first(conn)
            .optional()?;
        if clash.is_some() && clash != id {
            return Err(Error::Conflict(format!("a payment method with code {:?} exists", input.code)));
        }
        let values = (
            payment_methods::code.eq(&input.code),
            payment_methods::name_ru.eq(input.name_ru.trim()),
            payment_methods::name_en.eq(input.name_en.trim()),
            payment_methods::prepayment_bp.eq(input.prepayment_bp),
            payment_methods::active.eq(input.active),
            payment_methods::sort_order.eq(input.sort_order),
        );
        match id {
            Some(id) => match diesel::update(payment_methods::table.find(id)).set(values).execute(conn)? {
                0 => Err(Error::NotFound),
                _ => Ok(id),
            },
            None => Ok(diesel::insert_into(payment_methods::table)
                .values(values)
                .returning(payment_methods::id)
                .get_result(conn)?),
        }
    })?;
    find(conn, id)
}

/// Deactivates a method (orders keep referring to it).
pub fn deactivate(conn: &mut DbConn, id: i64) -> Result<()> {
    match diesel::update(payment_methods::table.find(id)).set(payment_methods::active.eq(false)).execute(conn)? {
        0 => Err(Error::NotFound),
        _ => {
            diesel::delete(delivery_payment_methods::table.filter(delivery_payment_methods::payment_method_id.eq(id)))
                .execute(conn)?;
            Ok(())
        }
    }
}
