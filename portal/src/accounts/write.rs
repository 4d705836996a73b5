//! Creating and updating companies, contracts and users (demo loader, admin,
//! and later the connector's counterparty import).

use chrono::Utc;
use diesel::prelude::*;

use super::{password, CompanyId, Role, UserId};
use crate::db::schema::{companies, contracts, users};
use crate::db::DbConn;
use crate::error::{Error, Result};
use diesel::SelectableHelper;

pub struct NewCompany<'a> {
    pub external_id: Option<&'a str>,
    pub name: &'a str,
    pub inn: &'a str,
    pub kpp: &'a str,
    pub legal_address: &'a str,
    pub delivery_address: &'a str,
}

impl NewCompany<'_> {
    /// Inserts the company, or returns the existing one with the same INN+KPP.
    pub fn insert_or_find(&self, conn: &mut DbConn) -> Result<CompanyId> {
        let existing = companies::table
            .filter(companies::inn.eq(self.inn))
            .filter(companies::kpp.eq(self.kpp))
            .select(companies::id)
            .first::<i64>(conn)
            .optional()?;
        if let Some(id) = existing {
            return Ok(CompanyId(id));
        }
        let id = diesel::insert_into(companies::table)
            .values((
                companies::external_id.eq(self.external_id),
                companies::name.eq(self.name),
                companies::inn.eq(self.inn),
                companies::kpp.eq(self.kpp),
                companies::legal_address.eq(self.legal_address),
                companies::delivery_address.eq(self.delivery_address),
                companies::active.eq(true),
                companies::created_at.eq(Utc::now().naive_utc()),
            ))
            .returning(companies::id)
            .get_result::<i64>(conn)?;
        Ok(CompanyId(id))
    }
}

impl NewCompany<'_> {
    /// Creates or updates the company the ERP knows by `external_id` (its
    /// `Ид`), falling back to INN+KPP for companies entered by hand.
    pub fn upsert_by_external_id(&self, conn: &mut DbConn) -> Result<(CompanyId, crate::catalog::write::Change)> {
        use crate::catalog::write::Change;
        let external = self.external_id.ok_or_else(|| Error::Invalid("a counterparty needs its Ид".into()))?;
        let existing = companies::table
            .filter(
                companies::external_id.eq(external).or(companies::inn.eq(self.inn).and(companies::kpp.eq(self.kpp))),
            )
            .select((
                companies::id,
                companies::external_id,
                companies::name,
                companies::inn,
                companies::kpp,
                companies::legal_address,
            ))
            .first::<(i64, Option<String>, String, String, String, String)>(conn)
            .optional()?;
        match existing {
            Some((id, ext, name, inn, kpp, address))
                if ext.as_deref() == Some(external)
                    && name == self.name
                    && inn == self.inn
                    && kpp == self.kpp
                    && address == self.legal_address =>
            {
                Ok((CompanyId(id), Change::Unchanged))
            }
            Some((id, ..)) => {
                diesel::update(companies::table.find(id))
                    .set((
                        companies::external_id.eq(Some(external)),
                        companies::name.eq(self.name),
                        companies::inn.eq(self.inn),
                        companies::kpp.eq(self.kpp),
                        companies::legal_address.eq(self.legal_address),
                    ))
                    .execute(conn)?;
                Ok((CompanyId(id), Change::Updated))
            }
            None => Ok((self.insert_or_find(conn)?, Change::Created)),
        }
    }
}

pub struct NewContract<'a> {
    pub company: CompanyId,
    pub number: &'a str,
    pub price_type_id: i64,
    pub discount_bp: i32,
    pub deferral_days: i32,
    pub manager: Option<UserId>,
}

impl NewContract<'_> {
    /// Inserts the contract unless the company already has one with that number.
    pub fn insert_or_find(&self, conn: &mut DbConn) -> Result<i64> {
        if !(0..=10_000).contains(&self.discount_bp) {
            return Err(Error::Invalid("discount must be between 0 and 100 %".into()));
        }
        let existing = contracts::table
            .filter(contracts::company_id.eq(self.company.0))
            .filter(contracts::number.eq(self.number))
            .select(contracts::id)
            .first::<i64>(conn)
            .optional()?;
        if let Some(id) = existing {
            return Ok(id);
        }
        Ok(diesel::insert_into(contracts::table)
            .values((
                contracts::company_id.eq(self.company.0),
                contracts::number.eq(self.number),
                contracts::price_type_id.eq(self.price_type_id),
                contracts::discount_bp.eq(self.discount_bp),
                contracts::currency.eq("RUB"),
                contracts::deferral_days.eq(self.deferral_days),
                contracts::manager_id.eq(self.manager.map(|m| m.0)),
                contracts::active.eq(true),
            ))
            .returning(contracts::id)
            .get_result::<i64>(conn)?)
    }
}

/// A contract as an administrator saves it: created when the company has no
/// contract with this number, otherwise updated in full (price type,
/// discount, deferral, manager, active). A manager's scope follows at once:
/// it is computed from the active contracts on every request.
pub struct ContractTerms<'a> {
    pub company: CompanyId,
    pub number: &'a str,
    pub price_type_id: i64,
    pub discount_bp: i32,
    pub deferral_days: i32,
    pub manager: Option<UserId>,
    pub active: bool,
}

impl ContractTerms<'_> {
    /// Saves the contract (created when the company has no contract with this
    /// number); returns its id.
    pub fn save(&self, conn: &mut DbConn) -> Result<i64> {
        if !(0..=3650).contains(&self.deferral_days) {
            return Err(Error::Invalid("deferral must be between 0 and 3650 days".into()));
        }
        let price_type = crate::db::schema::price_types::table
            .find(self.price_type_id)
            .select(crate::db::schema::price_types::id)
            .first::<i64>(conn)
            .optional()?;
        if price_type.is_none() {
            return Err(Error::Invalid(format!("there is no price type {}", self.price_type_id)));
        }
        if self.number.trim().is_empty() || self.number.chars().count() > 100 {
            return Err(Error::Invalid("a contract needs a number (at most 100 characters)".into()));
        }
        if let Some(manager) = self.manager {
            let role = users::table.find(manager.0).select(users::role).first::<Role>(conn).optional()?;
            if !matches!(role, Some(Role::Manager | Role::Admin)) {
                return Err(Error::Invalid("the contract's manager must be a manager".into()));
            }
        }
        let id = NewContract {
            company: self.company,
            number: self.number,
            price_type_id: self.price_type_id,
            discount_bp: self.discount_bp,
            deferral_days: self.deferral_days,
            manager: self.manager,
        }
        .insert_or_find(conn)?;
        diesel::update(contracts::table.find(id))
            .set((
                contracts::price_type_id.eq(self.price_type_id),
                contracts::discount_bp.eq(self.discount_bp),
                contracts::deferral_days.eq(self.deferral_days),
                contracts::manager_id.eq(self.manager.map(|m| m.0)),
                contracts::active.eq(self.active),
            ))
            .execute(conn)?;
        Ok(id)
    }
}

/// A contract's credit terms (see `finance`): limit (0 = prepayment only),
/// grace period for overdue debt, and what debits the ledger.
pub struct CreditTerms {
    pub limit_minor: i64,
    pub grace_days: i32,
    pub debit_on: crate::finance::DebitOn,
}

impl CreditTerms {
    pub fn save(&self, conn: &mut DbConn, contract_id: i64) -> Result<()> {
        if self.limit_minor < 0 {
            return Err(Error::Invalid("the credit limit cannot be negative".into()));
        }
        if !(0..=3650).contains(&self.grace_days) {
            return Err(Error::Invalid("the grace period must be between 0 and 3650 days".into()));
        }
        diesel::update(contracts::table.find(contract_id))
            .set((
                contracts::credit_limit_minor.eq(self.limit_minor),
                contracts::grace_days.eq(self.grace_days),
                contracts::debit_on.eq(self.debit_on),
            ))
            .execute(conn)?;
        Ok(())
    }
}

/// A company's details as an administrator enters them; checked before saving.
pub struct CompanyDetails<'a> {
    pub name: &'a str,
    pub inn: &'a str,
    pub kpp: &'a str,
    pub legal_address: &'a str,
    pub delivery_address: &'a str,
}

impl CompanyDetails<'_> {
    /// The name is required, the ИНН has 10 or 12 digits, the КПП none or 9.
    pub fn check(&self) -> Result<()> {
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if self.name.trim().is_empty() || self.name.chars().count() > 300 {
            return Err(Error::Invalid("the company needs a name (at most 300 characters)".into()));
        }
        if !(self.inn.len() == 10 || self.inn.len() == 12) || !digits(self.inn) {
            return Err(Error::Invalid("the ИНН has 10 digits (a company) or 12 (an entrepreneur)".into()));
        }
        if !(self.kpp.is_empty() || (self.kpp.len() == 9 && digits(self.kpp))) {
            return Err(Error::Invalid("the КПП has 9 digits, or is empty".into()));
        }
        if self.legal_address.chars().count() > 1000 || self.delivery_address.chars().count() > 1000 {
            return Err(Error::Invalid("an address has at most 1000 characters".into()));
        }
        Ok(())
    }

    /// Creates the company; a company with the same ИНН and КПП is a conflict.
    pub fn create(&self, conn: &mut DbConn) -> Result<CompanyId> {
        self.check()?;
        let taken = companies::table
            .filter(companies::inn.eq(self.inn))
            .filter(companies::kpp.eq(self.kpp))
            .select(companies::id)
            .first::<i64>(conn)
            .optional()?;
        if let Some(id) = taken {
            return Err(Error::Conflict(format!("company {id} already has this ИНН and КПП")));
        }
        NewCompany {
            external_id: None,
            name: self.name.trim(),
            inn: self.inn,
            kpp: self.kpp,
            legal_address: self.legal_address.trim(),
            delivery_address: self.delivery_address.trim(),
        }
        .insert_or_find(conn)
    }

    /// Saves the details of an existing company.
    pub fn update(&self, conn: &mut DbConn, company: CompanyId) -> Result<()> {
        self.check()?;
        let taken = companies::table
            .filter(companies::inn.eq(self.inn))
            .filter(companies::kpp.eq(self.kpp))
            .filter(companies::id.ne(company.0))
            .select(companies::id)
            .first::<i64>(conn)
            .optional()?;
        if let Some(id) = taken {
            return Err(Error::Conflict(format!("company {id} already has this ИНН and КПП")));
        }
        let updated = diesel::update(companies::table.find(company.0))
            .set((
                companies::name.eq(self.name.trim()),
                companies::inn.eq(self.inn),
                companies::kpp.eq(self.kpp),
                companies::legal_address.eq(self.legal_address.trim()),
                companies::delivery_address.eq(self.delivery_address.trim()),
            ))
            .execute(conn)?;
        if updated == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }
}

/// One contract by id.
pub fn contract(conn: &mut DbConn, id: i64) -> Result<super::Contract> {
    contracts::table.find(id).select(super::Contract::as_select()).first(conn).map_err(Error::from_lookup)
}

/// Activates or deactivates a company. A deactivated company's buyers can
/// neither sign in nor order, and their sessions and tokens end at once.
pub fn set_company_active(conn: &mut DbConn, company: CompanyId, active: bool) -> Result<()> {
    crate::db::write_transaction(conn, |conn| {
        let updated =
            diesel::update(companies::table.find(company.0)).set(companies::active.eq(active)).execute(conn)?;
        if updated == 0 {
            return Err(Error::NotFound);
        }
        if !active {
            let buyers = users::table.filter(users::company_id.eq(company.0)).select(users::id).load::<i64>(conn)?;
            for buyer in buyers {
                super::sessions::end_all(conn, UserId(buyer))?;
            }
        }
        Ok(())
    })
}

pub struct NewUser<'a> {
    pub email: &'a str,
    /// The password to hash; empty for none yet (an invited user sets one
    /// through the emailed link).
    pub password: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub company: Option<CompanyId>,
    pub locale: &'a str,
}

impl NewUser<'_> {
    /// Inserts the user unless the email is taken; returns the id either way.
    pub fn insert_or_find(&self, conn: &mut DbConn) -> Result<UserId> {
        let email = self.email.trim().to_lowercase();
        if !email.contains('@') {
            return Err(Error::Invalid(format!("not an email address: {email}")));
        }
        if self.role == Role::Buyer && self.company.is_none() {
            return Err(Error::Invalid("a buyer must belong to a company".into()));
        }
        let existing = users::table.filter(users::email.eq(&email)).select(users::id).first::<i64>(conn).optional()?;
        if let Some(id) = existing {
            return Ok(UserId(id));
        }
        let hash =
            if self.password.is_empty() { password::UNUSABLE.to_string() } else { password::hash(self.password)? };
        let id = diesel::insert_into(users::table)
            .values((
                users::email.eq(&email),
                users::password_hash.eq(hash),
                users::name.eq(self.name),
                users::role.eq(self.role),
                users::company_id.eq(self.company.map(|c| c.0)),
                users::locale.eq(self.locale),
                users::active.eq(true),
                users::created_at.eq(Utc::now().naive_utc()),
                users::rights.eq(super::Rights::default_for(self.role).stored()),
            ))
            .returning(users::id)
            .get_result::<i64>(conn)?;
        Ok(UserId(id))
    }
}

/// A contract with its price type's name and its manager's name.
pub type ContractRow = (super::Contract, String, Option<String>);

/// Every company with its contracts, for the admin page.
pub fn companies_with_contracts(conn: &mut DbConn) -> Result<Vec<(super::Company, Vec<ContractRow>)>> {
    use crate::db::schema::price_types;
    let all =
        companies::table.order(companies::name).select(super::Company::as_select()).load::<super::Company>(conn)?;
    let contracts_all = contracts::table
        .inner_join(price_types::table)
        .left_join(users::table)
        .order(contracts::id)
        .select((super::Contract::as_select(), price_types::name, users::name.nullable()))
        .load::<(super::Contract, String, Option<String>)>(conn)?;
    Ok(all
        .into_iter()
        .map(|c| {
            let own = contracts_all.iter().filter(|(k, _, _)| k.company_id == c.id).cloned().collect();
            (c, own)
        })
        .collect())
}
