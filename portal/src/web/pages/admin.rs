//! The administrator's pages: users (invite, disable, reset password, the
//! rights of staff — for administrators who manage users),
//! companies and their contracts with the assigned manager, and the
//! supplier's settings. Plus the public page that sets a password from an
//! emailed link.

use std::collections::HashMap;

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::web::{Data, Form, Html, Path, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::{Deserialize, Serialize};

use super::view::Choice;
use crate::accounts::admin::{self as accounts_admin, UserRow};
use crate::accounts::rights::{self, RightsChange};
use crate::accounts::{CompanyId, ContractTerms, NewCompany, Right, Role, UserId};
use crate::catalog::PriceType;
use crate::error::Error;
use crate::i18n;
use crate::journal::{RunStatus, Trigger};
use crate::money::{percent_from_bp, Qty};
use crate::ordering::status::OrderStatus;
use crate::ordering::status_names::{self, StatusEntry};
use crate::settings;
use crate::web::render::Layout;
use crate::web::session::{layout, needs, set_flash, Admin, ButtonForm, CsrfForm, WithRight};
use crate::web::AppState;

#[derive(Serialize)]
struct CompanyView {
    id: i64,
    name: String,
    inn: String,
    kpp: String,
    active: bool,
    contracts: Vec<ContractView>,
    /// Its customer groups with their colours.
    groups: Vec<super::orders::GroupChip>,
}

/// A contract row of the admin page, editable in place.
#[derive(Serialize)]
struct ContractView {
    number: String,
    price_type_id: i64,
    price_type: String,
    discount: String,
    deferral_days: i32,
    manager_id: Option<i64>,
    manager: String,
    active: bool,
}

/// A run of the journal, as the admin page lists it.
#[derive(Serialize)]
struct RunRow {
    id: i64,
    job: String,
    trigger: Trigger,
    started: String,
    status: RunStatus,
    /// Failed or interrupted: the row stands out.
    failed: bool,
    summary: String,
    duration: String,
}

/// An editable setting: its key and current value.
#[derive(Serialize)]
struct SettingView {
    key: &'static str,
    value: String,
}

/// A user as the users table shows them, with the discount limit in percent.
#[derive(Serialize)]
struct UserView {
    #[serde(flatten)]
    row: UserRow,
    discount_limit: Option<String>,
}

#[derive(Serialize)]
struct AdminPage {
    runs: Vec<RunRow>,
    /// Runs of the last 24 hours that found nothing to do (not listed).
    idle_runs: i64,
    jobs: Vec<&'static str>,
    users: Vec<UserView>,
    companies: Vec<CompanyView>,
    company_choices: Vec<Choice>,
    managers: Vec<Choice>,
    price_types: Vec<Choice>,
    /// The roles an invitation may give.
    roles: Vec<Choice>,
    settings: Vec<SettingView>,
    /// Whether this administrator manages users (the users section).
    may_manage_users: bool,
    /// Every right staff may be given, with its label.
    rights: Vec<Choice>,
    /// Every order status with its names and colour.
    statuses: Vec<StatusEntry>,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(req: &Request, Data(state): Data<&AppState>, Admin(session): Admin) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "admin").await?;
    let lang = layout.lang;
    let jobs = state.jobs.as_ref().map(|j| j.names()).unwrap_or_default();
    let may_manage_users = session.user.grant(Right::ManageUsers).is_ok();
    let view = state
        .db
        .run(move |conn| {
            let runs = crate::journal::latest(conn, None, 20)?
                .into_iter()
                .map(|r| RunRow {
                    id: r.id,
                    job: r.job,
                    trigger: r.triggered_by,
                    started: r.started_at.format("%d.%m.%Y %H:%M:%S UTC").to_string(),
                    status: r.status,
                    failed: matches!(r.status, RunStatus::Failure | RunStatus::Interrupted),
                    summary: r.summary,
                    duration: r.duration_ms.map(|d| format!("{d} ms")).unwrap_or_default(),
                })
                .collect();
            let idle_runs =
                crate::journal::idle_since(conn, chrono::Utc::now().naive_utc() - chrono::Duration::hours(24))?;
            let users = accounts_admin::list_users(conn)?;
            let managers = users
                .iter()
                .filter(|u| u.role == Role::Manager && u.active)
                .map(|u| Choice::new(u.id, u.name.clone()))
                .collect();
            let companies = crate::accounts::write::companies_with_contracts(conn)?;
            let ids: Vec<_> = companies.iter().map(|(c, _)| crate::ids::CompanyId(c.id)).collect();
            let groups_of = crate::terms::groups::of_companies(conn, &ids)?;
            let values = settings::editable_values(conn)?;
            let statuses = status_names::entries(conn)?;
            Ok(AdminPage {
                statuses,
                runs,
                idle_runs,
                jobs,
                company_choices: companies.iter().map(|(c, _)| Choice::new(c.id, c.name.clone())).collect(),
                companies: companies
                    .into_iter()
                    .map(|(c, contracts)| CompanyView {
                        groups: groups_of
                            .get(&crate::ids::CompanyId(c.id))
                            .map(|g| g.iter().cloned().map(Into::into).collect())
                            .unwrap_or_default(),
                        id: c.id,
                        name: c.name,
                        inn: c.inn,
                        kpp: c.kpp,
                        active: c.active,
                        contracts: contracts
                            .into_iter()
                            .map(|(k, price_type, manager)| ContractView {
                                number: k.number,
                                price_type_id: k.price_type_id,
                                price_type,
                                discount: percent_from_bp(k.discount_bp),
                                deferral_days: k.deferral_days,
                                manager_id: k.manager_id,
                                manager: manager.unwrap_or_default(),
                                active: k.active,
                            })
                            .collect(),
                    })
                    .collect(),
                users: users
                    .into_iter()
                    .map(|row| UserView { discount_limit: row.discount_limit_bp.map(percent_from_bp), row })
                    .collect(),
                managers,
                price_types: PriceType::all(conn)?.into_iter().map(|p| Choice::new(p.id, p.name)).collect(),
                roles: Role::ALL
                    .iter()
                    .map(|r| Choice::new(r, i18n::text(lang, &format!("admin.role_{r}"), &[])))
                    .collect(),
                settings: values.into_iter().map(|(key, value)| SettingView { key, value }).collect(),
                may_manage_users,
                rights: Right::ALL
                    .iter()
                    .map(|r| Choice::new(r, i18n::text(lang, &format!("rights.{r}"), &[])))
                    .collect(),
            })
        })
        .await?;
    Ok(state.templates.render("admin.html", &layout, &view)?)
}

async fn done(state: &AppState, jar: &CookieJar, result: crate::Result<String>) -> poem::Result<Redirect> {
    match result {
        Ok(message) => set_flash(state, jar, &message),
        Err(Error::Invalid(m) | Error::Conflict(m)) => set_flash(state, jar, &m),
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::see_other("/admin"))
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    name: String,
    role: String,
    #[serde(default)]
    company_id: String,
    #[serde(default)]
    locale: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn invite(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, _, _): WithRight<needs::ManageUsers>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let result = state
        .db
        .run(move |conn| {
            let role = Role::parse(&form.role).ok_or_else(|| Error::Invalid("unknown role".into()))?;
            let company = form.company_id.parse::<i64>().ok().map(CompanyId);
            accounts_admin::invite(conn, &form.email, &form.name, role, company, i18n::locale(&form.locale))?;
            Ok(i18n::text(lang, "admin.invited", &[("email", form.email.trim().to_lowercase())]))
        })
        .await;
    done(state, jar, result).await
}

#[derive(Deserialize)]
pub struct UserAction {
    action: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn user_action(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, _, _): WithRight<needs::ManageUsers>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<UserAction>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    if id == session.user.id.0 && form.action == "disable" {
        return done(state, jar, Err(Error::Invalid(i18n::text(lang, "admin.not_yourself", &[])))).await;
    }
    let result = state
        .db
        .run(move |conn| match form.action.as_str() {
            "disable" => {
                accounts_admin::set_active(conn, UserId(id), false).map(|_| i18n::text(lang, "admin.disabled", &[]))
            }
            "enable" => {
                accounts_admin::set_active(conn, UserId(id), true).map(|_| i18n::text(lang, "admin.enabled", &[]))
            }
            "reset" => accounts_admin::reset(conn, UserId(id)).map(|_| i18n::text(lang, "admin.reset_sent", &[])),
            _ => Err(Error::NotFound),
        })
        .await;
    done(state, jar, result).await
}

/// A staff member's rights: a checkbox per right (named by the right) and
/// the discount limit in percent (empty: the setting's).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn user_rights(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    WithRight(session, granted, _): WithRight<needs::ManageUsers>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let rights = Right::ALL.iter().copied().filter(|r| form.contains_key(r.as_str())).collect();
    let limit = form.get("discount_limit").map(|t| t.trim()).unwrap_or("");
    // Percent with up to two decimals → basis points, through the quantity parser (thousandths).
    let discount_limit_bp = match limit {
        "" => Ok(None),
        text => Qty::parse(text)
            .map(|q| q.milli() / 10)
            .filter(|bp| (0..=10_000).contains(bp))
            .map(|bp| Some(bp as i32))
            .ok_or_else(|| Error::Invalid(i18n::text(lang, "manager.bad_discount", &[]))),
    };
    let result = match discount_limit_bp {
        Err(error) => Err(error),
        Ok(discount_limit_bp) => {
            let change = RightsChange { rights, discount_limit_bp };
            state
                .db
                .run(move |conn| rights::set(conn, &granted, UserId(id), &change))
                .await
                .map(|_| i18n::text(lang, "admin.rights_saved", &[]))
        }
    };
    done(state, jar, result).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    colour: String,
}

/// A status's names (empty: the standard name) and badge colour.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn status(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    Path(status): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let status = OrderStatus::parse(&status).ok_or(Error::NotFound)?;
    let result = state
        .db
        .run(move |conn| {
            let names = [("ru", form.name_ru.as_str()), ("en", form.name_en.as_str())];
            status_names::save(conn, status, &names, Some(&form.colour))
        })
        .await
        .map(|_| i18n::text(lang, "admin.status_saved", &[]));
    done(state, jar, result).await
}

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

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(flatten)]
    values: std::collections::HashMap<String, String>,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn save_settings(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let values: Vec<(String, String)> =
        form.values.into_iter().filter(|(key, _)| settings::EDITABLE.contains(&key.as_str())).collect();
    let result = state
        .db
        .run(move |conn| {
            settings::update(conn, &values, lang)?;
            Ok(i18n::text(lang, "admin.saved", &[]))
        })
        .await;
    done(state, jar, result).await
}

#[derive(Serialize)]
struct PasswordPage {
    email: String,
    error: Option<String>,
}

/// The page behind an invitation or reset link. The link's token is the
/// form's proof (it is single-use and only its hash is stored).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn password_page(Data(state): Data<&AppState>, Path(token): Path<String>) -> poem::Result<Response> {
    let lookup = token.clone();
    let user = state.db.run(move |conn| accounts_admin::link_user(conn, &lookup)).await?;
    let Some(user) = user else { return Err(Error::NotFound.into()) };
    let lang = i18n::locale(&user.locale);
    let html: Html<String> = state.templates.render(
        "password.html",
        &Layout::for_link(lang, &token, "/password"),
        &PasswordPage { email: user.email, error: None },
    )?;
    Ok(html.into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn password_submit(
    Data(state): Data<&AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> poem::Result<Response> {
    let lookup = token.clone();
    let user = state.db.run(move |conn| accounts_admin::link_user(conn, &lookup)).await?;
    let Some(user) = user else { return Err(Error::NotFound.into()) };
    let lang = i18n::locale(&user.locale);
    let error = if form.password != form.repeat {
        Some(i18n::text(lang, "admin.passwords_differ", &[]))
    } else {
        match state.logins.gate.hash(form.password.clone()).await {
            Err(crate::accounts::password::Busy) => Some(i18n::text(lang, "login.busy", &[])),
            Ok(Err(Error::Invalid(_))) => Some(i18n::text(lang, "admin.password_short", &[])),
            Ok(Err(other)) => return Err(other.into()),
            Ok(Ok(hash)) => {
                let token = token.clone();
                state.db.run(move |conn| accounts_admin::set_password(conn, &token, &hash)).await?;
                return Ok(Redirect::see_other("/login").into_response());
            }
        }
    };
    let html: Html<String> = state.templates.render(
        "password.html",
        &Layout::for_link(lang, &token, "/password"),
        &PasswordPage { email: user.email, error },
    )?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

/// "Run now" from the journal section.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn run_job(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    Path(name): Path<String>,
    CsrfForm(_): CsrfForm<ButtonForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let Some(jobs) = state.jobs.clone() else { return Err(Error::NotFound.into()) };
    if !jobs.names().contains(&name.as_str()) {
        return Err(Error::NotFound.into());
    }
    let job = name.clone();
    let ran = tokio::task::spawn_blocking(move || jobs.run_now(&job, crate::journal::Trigger::Admin))
        .await
        .map_err(|e| Error::Internal(format!("job task: {e}")))?;
    let message = match ran {
        Ok(Some(_)) => i18n::text(lang, "admin.job_ran", &[("job", name)]),
        Ok(None) => i18n::text(lang, "admin.job_busy", &[("job", name)]),
        Err(e) => e,
    };
    set_flash(state, jar, &message);
    Ok(Redirect::see_other("/admin#journal"))
}
