//! The administrator's page (`/admin`): the journal of runs with "run
//! now", users (`users`, with the password page behind emailed links),
//! companies and their contracts (`companies`), the order statuses' names
//! and colours, and the supplier's settings. Every form posts back and
//! returns here with a flash message (`done`).

pub mod companies;
pub mod users;

use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Path, Redirect};
use poem::{handler, Request};
use serde::{Deserialize, Serialize};

use super::view::Choice;
use crate::accounts::admin::{self as accounts_admin, UserRow};
use crate::accounts::{Right, Role};
use crate::catalog::PriceType;
use crate::error::Error;
use crate::i18n;
use crate::journal::{RunStatus, Trigger};
use crate::money::percent_from_bp;
use crate::ordering::status::OrderStatus;
use crate::ordering::status_names::{self, StatusEntry};
use crate::settings;
use crate::web::session::{layout, set_flash, Admin, ButtonForm, CsrfForm};
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

pub(super) async fn done(state: &AppState, jar: &CookieJar, result: crate::Result<String>) -> poem::Result<Redirect> {
    match result {
        Ok(message) => set_flash(state, jar, &message),
        Err(Error::Invalid(m) | Error::Conflict(m)) => set_flash(state, jar, &m),
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::see_other("/admin"))
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
