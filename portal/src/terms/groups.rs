//! Customer groups: a name and a colour, companies belong to any number of
//! them; assortment rules (and, later, discount rules) target them, and
//! managers filter companies and orders by them.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{companies, company_groups, customer_groups};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::CompanyId;

/// The colour a group gets when none is given.
pub const DEFAULT_COLOUR: &str = "#2563eb";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = customer_groups)]
pub struct CustomerGroup {
    pub id: i64,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// A group with the companies in it.
#[derive(Debug, Clone, Serialize)]
pub struct GroupWithMembers {
    pub group: CustomerGroup,
    pub company_ids: Vec<CompanyId>,
}

/// What an administrator writes for a group.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub name: String,
    pub colour: Option<String>,
    /// Replaces the members when given.
    pub company_ids: Option<Vec<CompanyId>>,
}

/// A colour as `#rrggbb` (lower case), or why not.
pub fn parse_colour(text: &str) -> std::result::Result<String, String> {
    let text = text.trim();
    let hex = text.strip_prefix('#').unwrap_or(text);
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(format!("#{}", hex.to_ascii_lowercase()))
    } else {
        Err(format!("{text:?} is not a colour (#rrggbb)"))
    }
}

fn check(conn: &mut DbConn, input: &GroupInput) -> Result<(String, Option<String>)> {
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::Invalid("a group needs a name of 1 to 100 characters".into()));
    }
    let colour = input.colour.as_deref().map(parse_colour).transpose().map_err(Error::Invalid)?;
    if let Some(ids) = &input.company_ids {
        let known: i64 = companies::table.filter(companies::id.eq_any(ids)).count().get_result(conn)?;
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        if known != unique.len() as i64 {
            return Err(Error::Invalid("a listed company does not exist".into()));
        }
    }
    Ok((name, colour))
}

fn name_taken(conn: &mut DbConn, name: &str, except: Option<i64>) -> Result<bool> {
    let mut query = customer_groups::table.filter(customer_groups::name.eq(name)).into_boxed();
    if let Some(id) = except {
        query = query.filter(customer_groups::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

fn set_members(conn: &mut DbConn, group: i64, ids: &[CompanyId]) -> Result<()> {
    diesel::delete(company_groups::table.filter(company_groups::group_id.eq(group))).execute(conn)?;
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    for company in ids {
        diesel::insert_into(company_groups::table)
            .values((company_groups::company_id.eq(company), company_groups::group_id.eq(group)))
            .execute(conn)?;
    }
    // Who is in a group decides what its rules hide: the catalog a buyer sees changed.
    crate::catalog::write::catalog_changed(conn)
}

/// Creates a group; a name already used is a conflict.
pub fn create(conn: &mut DbConn, input: &GroupInput) -> Result<GroupWithMembers> {
    let (name, colour) = check(conn, input)?;
    let id = write_transaction(conn, |conn| {
        if name_taken(conn, &name, None)? {
            return Err(Error::Conflict(format!("a group named {name:?} exists")));
        }
        diesel::insert_into(customer_groups::table)
            .values((
                customer_groups::name.eq(&name),
                customer_groups::colour.eq(colour.as_deref().unwrap_or(DEFAULT_COLOUR)),
                customer_groups::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let id: i64 =
            customer_groups::table.filter(customer_groups::name.eq(&name)).select(customer_groups::id).first(conn)?;
        set_members(conn, id, input.company_ids.as_deref().unwrap_or_default())?;
        Ok(id)
    })?;
    find(conn, id)
}

/// Renames, recolours and (when given) replaces the members of a group.
pub fn update(conn: &mut DbConn, id: i64, input: &GroupInput) -> Result<GroupWithMembers> {
    let (name, colour) = check(conn, input)?;
    write_transaction(conn, |conn| {
        if name_taken(conn, &name, Some(id))? {
            return Err(Error::Conflict(format!("a group named {name:?} exists")));
        }
        let found =
            diesel::update(customer_groups::table.find(id)).set(customer_groups::name.eq(&name)).execute(conn)?;
        if found == 0 {
            return Err(Error::NotFound);
        }
        if let Some(colour) = &colour {
            diesel::update(customer_groups::table.find(id)).set(customer_groups::colour.eq(colour)).execute(conn)?;
        }
        if let Some(ids) = &input.company_ids {
            set_members(conn, id, ids)?;
        }
        Ok(())
    })?;
    find(conn, id)
}

/// Deletes a group with its memberships and the assortment rules aimed at it.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<()> {
    write_transaction(conn, |conn| {
        use crate::db::schema::assortment_rules;
        diesel::delete(assortment_rules::table.filter(assortment_rules::group_id.eq(id))).execute(conn)?;
        diesel::delete(company_groups::table.filter(company_groups::group_id.eq(id))).execute(conn)?;
        match diesel::delete(customer_groups::table.find(id)).execute(conn)? {
            0 => Err(Error::NotFound),
            _ => crate::catalog::write::catalog_changed(conn),
        }
    })
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<GroupWithMembers> {
    let group = customer_groups::table
        .find(id)
        .select(CustomerGroup::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    let company_ids = company_groups::table
        .filter(company_groups::group_id.eq(id))
        .order(company_groups::company_id)
        .select(company_groups::company_id)
        .load(conn)?;
    Ok(GroupWithMembers { group, company_ids })
}

/// Every group with its members, by name.
pub fn list(conn: &mut DbConn) -> Result<Vec<GroupWithMembers>> {
    let groups = customer_groups::table.order(customer_groups::name).select(CustomerGroup::as_select()).load(conn)?;
    let members: Vec<(i64, CompanyId)> = company_groups::table
        .order(company_groups::company_id)
        .select((company_groups::group_id, company_groups::company_id))
        .load(conn)?;
    Ok(groups
        .into_iter()
        .map(|group| GroupWithMembers {
            company_ids: members.iter().filter(|(g, _)| *g == group.id).map(|(_, c)| *c).collect(),
            group,
        })
        .collect())
}

/// The groups of one company, by name.
pub fn of_company(conn: &mut DbConn, company: CompanyId) -> Result<Vec<CustomerGroup>> {
    Ok(customer_groups::table
        .inner_join(company_groups::table)
        .filter(company_groups::company_id.eq(company))
        .order(customer_groups::name)
        .select(CustomerGroup::as_select())
        .load(conn)?)
}

/// The groups of each of `companies` (those in none are absent).
pub fn of_companies(conn: &mut DbConn, companies: &[CompanyId]) -> Result<HashMap<CompanyId, Vec<CustomerGroup>>> {
    let mut out: HashMap<CompanyId, Vec<CustomerGroup>> = HashMap::new();
    for chunk in companies.chunks(500) {
        let rows: Vec<(CompanyId, CustomerGroup)> = customer_groups::table
            .inner_join(company_groups::table)
            .filter(company_groups::company_id.eq_any(chunk))
            .order(customer_groups::name)
            .select((company_groups::company_id, CustomerGroup::as_select()))
            .load(conn)?;
        for (company, group) in rows {
            out.entry(company).or_default().push(group);
        }
    }
    Ok(out)
}

/// The companies in a group.
pub fn members(conn: &mut DbConn, group: i64) -> Result<Vec<CompanyId>> {
    Ok(company_groups::table
        .filter(company_groups::group_id.eq(group))
        .select(company_groups::company_id)
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex_triplets() {
        assert_eq!(parse_colour("#A1B2C3"), Ok("#a1b2c3".into()));
        assert_eq!(parse_colour("00ff00"), Ok("#00ff00".into()));
        assert!(parse_colour("red").is_err());
        assert!(parse_colour("#12345").is_err());
    }
}
