//! Companies and their contracts through the API: create, edit, deactivate;
//! contract terms, manager and whether it is in force.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi};

use super::{Changed, Created};
use crate::accounts::write::{self, CompanyDetails, ContractTerms, CreditTerms};
use crate::accounts::{Company, CompanyId, Contract, UserId};
use crate::error::Error;
use crate::finance::DebitOn;
use crate::money::percent_from_bp;
use crate::web::api::AdminAuth;
use crate::web::AppState;

pub struct AdminCompaniesApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ContractOut {
    id: i64,
    company_id: i64,
    number: String,
    price_type_id: i64,
    /// Discount off the price type in basis points (250 = 2.5 %).
    discount_bp: i32,
    discount_percent: String,
    currency: String,
    deferral_days: i32,
    manager_id: Option<i64>,
    active: bool,
    /// How much the buyer may owe, minor units; 0 = prepayment only.
    credit_limit_minor: i64,
    /// Days overdue debt is tolerated before new orders are held.
    grace_days: i32,
    /// What puts a debt on the ledger.
    debit_on: DebitOn,
}

impl From<Contract> for ContractOut {
    fn from(k: Contract) -> ContractOut {
        ContractOut {
            id: k.id,
            company_id: k.company_id,
            number: k.number,
            price_type_id: k.price_type_id,
            discount_bp: k.discount_bp,
            discount_percent: percent_from_bp(k.discount_bp),
            currency: k.currency,
            deferral_days: k.deferral_days,
            manager_id: k.manager_id,
            active: k.active,
            credit_limit_minor: k.credit_limit_minor,
            grace_days: k.grace_days,
            debit_on: k.debit_on,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CompanyOut {
    id: i64,
    /// The counterparty's `Ид` in the ERP, when it came from there.
    external_id: Option<String>,
    name: String,
    inn: String,
    kpp: String,
    legal_address: String,
    delivery_address: String,
    active: bool,
    created_at: DateTime<Utc>,
    contracts: Vec<ContractOut>,
}

impl CompanyOut {
    fn new(c: Company, contracts: Vec<Contract>) -> CompanyOut {
        CompanyOut {
            id: c.id,
            external_id: c.external_id,
            name: c.name,
            inn: c.inn,
            kpp: c.kpp,
            legal_address: c.legal_address,
            delivery_address: c.delivery_address,
            active: c.active,
            created_at: c.created_at.and_utc(),
            contracts: contracts.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CompanyIn {
    #[oai(validator(min_length = 1, max_length = 300))]
    name: String,
    #[oai(validator(pattern = "^([0-9]{10}|[0-9]{12})$"))]
    inn: String,
    #[oai(default, validator(pattern = "^([0-9]{9})?$"))]
    kpp: String,
    #[oai(default, validator(max_length = 1000))]
    legal_address: String,
    /// The legal address when absent.
    #[oai(validator(max_length = 1000))]
    delivery_address: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CompanyPatch {
    #[oai(validator(min_length = 1, max_length = 300))]
    name: Option<String>,
    #[oai(validator(pattern = "^([0-9]{10}|[0-9]{12})$"))]
    inn: Option<String>,
    #[oai(validator(pattern = "^([0-9]{9})?$"))]
    kpp: Option<String>,
    #[oai(validator(max_length = 1000))]
    legal_address: Option<String>,
    #[oai(validator(max_length = 1000))]
    delivery_address: Option<String>,
    /// false deactivates the company: its buyers can no longer sign in or order.
    active: Option<bool>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ContractIn {
    #[oai(validator(min_length = 1, max_length = 100))]
    number: String,
    price_type_id: i64,
    #[oai(default, validator(minimum(value = "0"), maximum(value = "10000")))]
    discount_bp: i32,
    #[oai(default, validator(minimum(value = "0"), maximum(value = "3650")))]
    deferral_days: i32,
    /// The manager responsible for the company (a manager's or admin's user id).
    manager_id: Option<i64>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ContractPatch {
    price_type_id: Option<i64>,
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    discount_bp: Option<i32>,
    #[oai(validator(minimum(value = "0"), maximum(value = "3650")))]
    deferral_days: Option<i32>,
    /// A user id to reassign the contract, `null` to leave it without a manager.
    manager_id: MaybeUndefined<i64>,
    /// false takes the contract out of force (its manager loses the company at once).
    active: Option<bool>,
    /// How much the buyer may owe, minor units; 0 = prepayment only.
    #[oai(validator(minimum(value = "0"), maximum(value = "100000000000000")))]
    credit_limit_minor: Option<i64>,
    /// Days overdue debt is tolerated before new orders are held.
    #[oai(validator(minimum(value = "0"), maximum(value = "3650")))]
    grace_days: Option<i32>,
    /// What puts a debt on the ledger: shipment or invoice.
    debit_on: Option<DebitOn>,
}

fn company_out(conn: &mut crate::db::DbConn, id: CompanyId) -> crate::Result<CompanyOut> {
    use crate::db::schema::contracts;
    use diesel::prelude::*;
    let company = Company::find(conn, id)?;
    let contracts = contracts::table
        .filter(contracts::company_id.eq(id.0))
        .order(contracts::id)
        .select(Contract::as_select())
        .load(conn)?;
    Ok(CompanyOut::new(company, contracts))
}

#[OpenApi(tag = "super::ApiTags::AdminAccounts")]
impl AdminCompaniesApi {
    /// Every company with its contracts.
    #[oai(path = "/v1/admin/companies", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn companies(&self, state: Data<&AppState>, _auth: AdminAuth) -> poem::Result<Json<Vec<CompanyOut>>> {
        let all = state.db.run(write::companies_with_contracts).await?;
        let out = all
            .into_iter()
            .map(|(company, contracts)| CompanyOut::new(company, contracts.into_iter().map(|(k, _, _)| k).collect()))
            .collect();
        Ok(Json(out))
    }

    /// Add a customer company.
    #[oai(path = "/v1/admin/companies", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn create_company(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        body: Json<CompanyIn>,
    ) -> poem::Result<Created<CompanyOut>> {
        let Json(c) = body;
        let result = state
            .db
            .run(move |conn| {
                let delivery = c.delivery_address.clone().unwrap_or_else(|| c.legal_address.clone());
                let details = CompanyDetails {
                    name: &c.name,
                    inn: &c.inn,
                    kpp: &c.kpp,
                    legal_address: &c.legal_address,
                    delivery_address: &delivery,
                };
                let id = details.create(conn)?;
                company_out(conn, id)
            })
            .await;
        Created::from_result(result)
    }

    /// One company with its contracts.
    #[oai(path = "/v1/admin/companies/:id", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn company(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Changed<CompanyOut>> {
        let id = CompanyId(id.0);
        Changed::from_result(state.db.run(move |conn| company_out(conn, id)).await)
    }

    /// Change a company's details or take it out of (or back into) service.
    #[oai(path = "/v1/admin/companies/:id", method = "patch")]
    #[tracing::instrument(skip_all)]
    async fn update_company(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
        body: Json<CompanyPatch>,
    ) -> poem::Result<Changed<CompanyOut>> {
        let (id, Json(patch)) = (CompanyId(id.0), body);
        let result = state
            .db
            .run(move |conn| {
                crate::db::write_transaction(conn, |conn| {
                    let current = Company::find(conn, id)?;
                    let details = CompanyDetails {
                        name: patch.name.as_deref().unwrap_or(&current.name),
                        inn: patch.inn.as_deref().unwrap_or(&current.inn),
                        kpp: patch.kpp.as_deref().unwrap_or(&current.kpp),
                        legal_address: patch.legal_address.as_deref().unwrap_or(&current.legal_address),
                        delivery_address: patch.delivery_address.as_deref().unwrap_or(&current.delivery_address),
                    };
                    details.update(conn, id)?;
                    if let Some(active) = patch.active {
                        write::set_company_active(conn, id, active)?;
                    }
                    company_out(conn, id)
                })
            })
            .await;
        Changed::from_result(result)
    }

    /// Add a contract to a company.
    #[oai(path = "/v1/admin/companies/:id/contracts", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn create_contract(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
        body: Json<ContractIn>,
    ) -> poem::Result<Created<ContractOut>> {
        let (company, Json(k)) = (CompanyId(id.0), body);
        let result = state
            .db
            .run(move |conn| {
                use crate::db::schema::contracts;
                use diesel::prelude::*;
                Company::find(conn, company)?;
                let taken = contracts::table
                    .filter(contracts::company_id.eq(company.0))
                    .filter(contracts::number.eq(k.number.trim()))
                    .select(contracts::id)
                    .first::<i64>(conn)
                    .optional()?;
                if let Some(existing) = taken {
                    return Err(Error::Conflict(format!("the company already has this contract (id {existing})")));
                }
                let terms = ContractTerms {
                    company,
                    number: k.number.trim(),
                    price_type_id: k.price_type_id,
                    discount_bp: k.discount_bp,
                    deferral_days: k.deferral_days,
                    manager: k.manager_id.map(UserId),
                    active: true,
                };
                let id = terms.save(conn)?;
                write::contract(conn, id).map(ContractOut::from)
            })
            .await;
        Created::from_result(result)
    }

    /// One contract.
    #[oai(path = "/v1/admin/contracts/:id", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn contract(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Changed<ContractOut>> {
        let id = id.0;
        Changed::from_result(state.db.run(move |conn| write::contract(conn, id).map(ContractOut::from)).await)
    }

    /// Change a contract's terms, reassign its manager, or take it out of force.
    #[oai(path = "/v1/admin/contracts/:id", method = "patch")]
    #[tracing::instrument(skip_all)]
    async fn update_contract(
        &self,
        state: Data<&AppState>,
        _auth: AdminAuth,
        id: Path<i64>,
        body: Json<ContractPatch>,
    ) -> poem::Result<Changed<ContractOut>> {
        let (id, Json(patch)) = (id.0, body);
        let result = state
            .db
            .run(move |conn| {
                crate::db::write_transaction(conn, |conn| {
                    let current = write::contract(conn, id)?;
                    let manager = match patch.manager_id {
                        MaybeUndefined::Undefined => current.manager_id,
                        MaybeUndefined::Null => None,
                        MaybeUndefined::Value(manager) => Some(manager),
                    };
                    ContractTerms {
                        company: CompanyId(current.company_id),
                        number: &current.number,
                        price_type_id: patch.price_type_id.unwrap_or(current.price_type_id),
                        discount_bp: patch.discount_bp.unwrap_or(current.discount_bp),
                        deferral_days: patch.deferral_days.unwrap_or(current.deferral_days),
                        manager: manager.map(UserId),
                        active: patch.active.unwrap_or(current.active),
                    }
                    .save(conn)?;
                    CreditTerms {
                        limit_minor: patch.credit_limit_minor.unwrap_or(current.credit_limit_minor),
                        grace_days: patch.grace_days.unwrap_or(current.grace_days),
                        debit_on: patch.debit_on.unwrap_or(current.debit_on),
                    }
                    .save(conn, id)?;
                    write::contract(conn, id).map(ContractOut::from)
                })
            })
            .await;
        Changed::from_result(result)
    }
}
