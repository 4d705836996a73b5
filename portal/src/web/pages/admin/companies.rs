//! The companies section of the administrator's page: add a company,
//! activate or deactivate it, add or save its contracts (terms, the
//! assigned manager, in force or not).

use poem::handler;
use poem::web::cookie::CookieJar;
use poem::web::{Data, Path, Redirect};
use serde::Deserialize;

use super::done;
use crate::accounts::{CompanyId, ContractTerms, NewCompany, UserId};
use crate::error::Error;
use crate::i18n;
use crate::web::session::{Admin, CsrfForm};
use crate::web::AppState;

#[derive(Deserialize)]
pub struct CompanyForm {
    name: String,
    #[serde(default)]
    inn: String,
    #[serde(default)]
    kpp: String,
    #[serde(default)]
    address: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn create_company(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    CsrfForm(form): CsrfForm<CompanyForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let result = state
        .db
        .run(move |conn| {
            let inn = form.inn.trim();
            if form.name.trim().is_empty()
                || !(inn.len() == 10 || inn.len() == 12)
                || !inn.chars().all(|c| c.is_ascii_digit())
            {
                return Err(Error::Invalid(i18n::text(lang, "admin.bad_company", &[])));
            }
            NewCompany {
                external_id: None,
                name: form.name.trim(),
                inn,
                kpp: form.kpp.trim(),
                legal_address: form.address.trim(),
                delivery_address: form.address.trim(),
            }
            .insert_or_find(conn)?;
            Ok(i18n::text(lang, "admin.saved", &[]))
        })
        .await;
    done(state, jar, result).await
}

#[derive(Deserialize)]
pub struct ContractForm {
    number: String,
    price_type_id: i64,
    #[serde(default)]
    discount: String,
    #[serde(default)]
    deferral_days: String,
    #[serde(default)]
    manager_id: String,
    /// A checkbox: present when the contract is in force. Forms that add a
    /// contract send `active=on` as a hidden field.
    #[serde(default)]
    active: Option<String>,
}

/// Adds a contract to a company, or saves an existing one (same number) in
/// full: terms, manager and whether it is in force.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn contract(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    Path(company): Path<i64>,
    CsrfForm(form): CsrfForm<ContractForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    // Percent with up to two decimals → basis points, exactly.
    let discount_bp = match form.discount.trim() {
        "" => Some(0),
        text => crate::money::Qty::parse(text).filter(|q| q.milli() % 10 == 0).map(|q| (q.milli() / 10) as i32),
    };
    let result = state
        .db
        .run(move |conn| {
            let discount_bp = discount_bp.ok_or_else(|| Error::Invalid(i18n::text(lang, "admin.bad_discount", &[])))?;
            let number = form.number.trim();
            if number.is_empty() {
                return Err(Error::Invalid(i18n::text(lang, "admin.bad_contract", &[])));
            }
            crate::accounts::Company::find(conn, CompanyId(company))?;
            ContractTerms {
                company: CompanyId(company),
                number,
                price_type_id: form.price_type_id,
                discount_bp,
                deferral_days: form.deferral_days.trim().parse().unwrap_or(0),
                manager: form.manager_id.parse::<i64>().ok().map(UserId),
                active: form.active.is_some(),
            }
            .save(conn)?;
            Ok(i18n::text(lang, "admin.contract_saved", &[("number", number.to_string())]))
        })
        .await;
    done(state, jar, result).await
}

#[derive(Deserialize)]
pub struct CompanyActiveForm {
    /// `activate` or `deactivate`.
    action: String,
}

/// Activates or deactivates a company (its buyers' access follows at once).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn company_active(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    Path(company): Path<i64>,
    CsrfForm(form): CsrfForm<CompanyActiveForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let active = match form.action.as_str() {
        "activate" => true,
        "deactivate" => false,
        _ => return Err(Error::NotFound.into()),
    };
    let result = state
        .db
        .run(move |conn| {
            crate::accounts::write::set_company_active(conn, CompanyId(company), active)?;
            Ok(i18n::text(lang, if active { "admin.company_activated" } else { "admin.company_deactivated" }, &[]))
        })
        .await;
    done(state, jar, result).await
}
