//! Companies, contracts and users: who may log in and what they may see.
//! Every scoping decision ("a buyer sees only their company") starts from the
//! `User` loaded here.

pub mod admin;
pub mod exchange_sessions;
pub mod login;
pub mod password;
pub mod price_list_links;
pub mod rights;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod write;

pub use rights::{Granted, Right, Rights};
pub use write::{ContractTerms, NewCompany, NewContract, NewUser};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{companies, contracts, price_types, users};
use crate::db::stored_text::stored_text_enum;
use crate::db::DbConn;
use crate::error::{Error, Result};

stored_text_enum! {
    /// What a user is allowed to do.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum Role {
        Buyer = "buyer",
        Manager = "manager",
        Admin = "admin",
        /// The ERP's machine user (1C exchange, the API's order feed).
        Erp = "erp",
    }
}

impl Role {
    /// The supplier's side (managers, admins, the ERP's machine user), as
    /// opposed to a buyer.
    pub fn is_staff(self) -> bool {
        self != Role::Buyer
    }
}

pub use crate::ids::{CompanyId, UserId};

/// A user row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    email: String,
    password_hash: String,
    name: String,
    role: Role,
    company_id: Option<i64>,
    locale: String,
    active: bool,
    rights: String,
    discount_limit_bp: Option<i32>,
}

/// A logged-in (or about to log in) user.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub company_id: Option<CompanyId>,
    pub locale: String,
    pub active: bool,
    /// What a member of staff may do beyond their role (`User::rights`
    /// answers for every role).
    rights: Rights,
    /// Their own manual discount limit (basis points), if set.
    discount_limit_bp: Option<i32>,
}

impl UserRow {
    fn into_user(self) -> (User, String) {
        (
            User {
                id: UserId(self.id),
                email: self.email,
                name: self.name,
                role: self.role,
                company_id: self.company_id.map(CompanyId),
                locale: self.locale,
                active: self.active,
                rights: Rights::parse(&self.rights),
                discount_limit_bp: self.discount_limit_bp,
            },
            self.password_hash,
        )
    }
}

impl User {
    pub fn find(conn: &mut DbConn, id: UserId) -> Result<User> {
        let row = users::table.find(id.0).select(UserRow::as_select()).first(conn).map_err(Error::from_lookup)?;
        Ok(row.into_user().0)
    }

    /// The user with this email and their stored password hash, for a
    /// password check (which runs off the database connection, see `login`).
    pub fn credentials(conn: &mut DbConn, email: &str) -> Result<Option<(User, String)>> {
        let row = users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?;
        Ok(row.map(UserRow::into_user))
    }

    pub fn set_locale(conn: &mut DbConn, id: UserId, locale: &str) -> Result<()> {
        diesel::update(users::table.find(id.0)).set(users::locale.eq(locale)).execute(conn)?;
        Ok(())
    }

    pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<User>> {
        let row = users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?;
        Ok(row.map(|r| r.into_user().0))
    }
}

impl User {
    /// The user, if they may use the portal now (see `may_sign_in`): one
    /// query with their company's state, for every session and token lookup.
    pub fn find_allowed(conn: &mut DbConn, id: UserId) -> Result<Option<User>> {
        let (row, company_active) = users::table
            .left_join(companies::table)
            .filter(users::id.eq(id.0))
            .select((UserRow::as_select(), companies::active.nullable()))
            .first::<(UserRow, Option<bool>)>(conn)
            .map_err(Error::from_lookup)?;
        let user = row.into_user().0;
        let allowed = user.active && (user.company_id.is_none() || company_active == Some(true));
        Ok(allowed.then_some(user))
    }
}

/// Whether a user may use the portal at all: an active account, and for a
/// buyer an active company. Checked at login and on every later request.
pub fn may_sign_in(conn: &mut DbConn, user: &User) -> Result<bool> {
    if !user.active {
        return Ok(false);
    }
    match user.company_id {
        Some(company) => Ok(companies::table
            .find(company.0)
            .select(companies::active)
            .first::<bool>(conn)
            .optional()?
            .unwrap_or(false)),
        None => Ok(true),
    }
}

/// A customer legal entity.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = companies)]
pub struct Company {
    pub id: i64,
    pub external_id: Option<String>,
    pub name: String,
    pub inn: String,
    pub kpp: String,
    pub legal_address: String,
    pub delivery_address: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

impl Company {
    pub fn find(conn: &mut DbConn, id: CompanyId) -> Result<Company> {
        companies::table.find(id.0).select(Company::as_select()).first(conn).map_err(Error::from_lookup)
    }
}

/// The terms a company buys on: which price type, what discount.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = contracts)]
pub struct Contract {
    pub id: i64,
    pub company_id: i64,
    pub number: String,
    pub price_type_id: i64,
    /// Discount off the price type, in basis points (1250 = 12.5 %).
    pub discount_bp: i32,
    pub currency: String,
    pub deferral_days: i32,
    pub manager_id: Option<i64>,
    pub active: bool,
    /// How much the buyer may owe (kopecks); 0 = prepayment only.
    pub credit_limit_minor: i64,
    /// Days overdue debt is tolerated before new orders are held.
    pub grace_days: i32,
    /// What puts a debt on the ledger: the shipment or the invoice.
    pub debit_on: crate::finance::DebitOn,
}

/// A contract together with its price type's name, for display.
#[derive(Debug, Clone, Serialize)]
pub struct ContractView {
    pub contract: Contract,
    pub price_type_name: String,
}

impl Contract {
    /// The company's active contracts, oldest first (the first is the default).
    pub fn for_company(conn: &mut DbConn, company: CompanyId) -> Result<Vec<ContractView>> {
        let rows = contracts::table
            .inner_join(price_types::table)
            .filter(contracts::company_id.eq(company.0))
            .filter(contracts::active.eq(true))
            .order(contracts::id.asc())
            .select((Contract::as_select(), price_types::name))
            .load::<(Contract, String)>(conn)?;
        Ok(rows.into_iter().map(|(contract, price_type_name)| ContractView { contract, price_type_name }).collect())
    }
}
