//! The supplier's settings through the API, checked as on the admin page,
//! and the order statuses' names and colours (read by anyone, set by
//! administrators).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::Changed;
use crate::error::Error;
use crate::ordering::status::OrderStatus;
use crate::ordering::status_names::{self, StatusEntry};
use crate::web::api::{AdminAuth, BearerAuth};
use crate::web::AppState;

pub struct AdminSettingsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct SettingsOut {
    /// Every editable setting and its value.
    settings: std::collections::BTreeMap<String, String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct SettingsIn {
    /// The settings to change (others keep their values); all or none are saved.
    settings: std::collections::BTreeMap<String, String>,
}

/// An order status as people read it.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct StatusOut {
    status: OrderStatus,
    /// The name in the caller's language.
    name: String,
    name_ru: String,
    name_en: String,
    /// Whether the administrator renamed it (per language).
    renamed_ru: bool,
    renamed_en: bool,
    /// The badge colour (#rrggbb or #rgb), if the administrator chose one.
    colour: Option<String>,
}

impl StatusOut {
    fn of(entry: StatusEntry, lang: &str) -> StatusOut {
        let at = |l: &str| crate::i18n::LOCALES.iter().position(|x| *x == l).unwrap_or(0);
        StatusOut {
            status: entry.status,
            name: entry.names[at(crate::i18n::locale(lang))].clone(),
            name_ru: entry.names[at("ru")].clone(),
            name_en: entry.names[at("en")].clone(),
            renamed_ru: entry.own[at("ru")],
            renamed_en: entry.own[at("en")],
            colour: entry.colour,
        }
    }
}

/// A status's new names and colour: an absent field keeps its value, an
/// empty one goes back to the standard name (or no colour).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct StatusIn {
    #[oai(validator(max_length = 60))]
    name_ru: Option<String>,
    #[oai(validator(max_length = 60))]
    name_en: Option<String>,
    /// "#1f4f99" or "#14a"; "" removes the colour.
    colour: Option<String>,
}

#[OpenApi(tag = "super::ApiTags::AdminAccounts")]
impl AdminSettingsApi {
    /// Every order status with its name in each language and its colour, as
    /// pages, emails and documents show them.
    #[oai(path = "/v1/statuses", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn statuses(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<Json<Vec<StatusOut>>> {
        let lang = auth.0.locale;
        let entries = state.db.run(status_names::entries).await?;
        Ok(Json(entries.into_iter().map(|e| StatusOut::of(e, &lang)).collect()))
    }

    /// Rename an order status per language and choose its badge colour (the
    /// state machine is unchanged; names are unique per language).
    #[oai(path = "/v1/admin/statuses/:status", method = "put")]
    #[tracing::instrument(skip_all)]
    async fn set_status(
        &self,
        state: Data<&AppState>,
        auth: AdminAuth,
        status: Path<String>,
        body: Json<StatusIn>,
    ) -> poem::Result<Changed<StatusOut>> {
        let lang = auth.0.locale;
        let Some(status) = OrderStatus::parse(&status.0) else {
            return Changed::from_result(Err(Error::NotFound));
        };
        let Json(change) = body;
        let result = state
            .db
            .run(move |conn| {
                let mut names = Vec::new();
                names.extend(change.name_ru.as_deref().map(|n| ("ru", n)));
                names.extend(change.name_en.as_deref().map(|n| ("en", n)));
                status_names::save(conn, status, &names, change.colour.as_deref())?;
                let entry = status_names::entries(conn)?.into_iter().find(|e| e.status == status);
                entry.ok_or(Error::NotFound)
            })
            .await;
        Changed::from_result(result.map(|e| StatusOut::of(e, &lang)))
    }

    /// The supplier's settings (those an administrator may edit).
    #[oai(path = "/v1/admin/settings", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn settings(&self, state: Data<&AppState>, _auth: AdminAuth) -> poem::Result<Json<SettingsOut>> {
        let values = state.db.run(crate::settings::editable_values).await?;
        let settings = values.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        Ok(Json(SettingsOut { settings }))
    }

    /// Change settings: each value is checked as on the admin page; all or none are saved.
    #[oai(path = "/v1/admin/settings", method = "patch")]
    #[tracing::instrument(skip_all)]
    async fn update_settings(
        &self,
        state: Data<&AppState>,
        auth: AdminAuth,
        body: Json<SettingsIn>,
    ) -> poem::Result<Changed<SettingsOut>> {
        let values: Vec<(String, String)> = body.0.settings.into_iter().collect();
        let lang = crate::i18n::locale(&auth.0.locale);
        let result = state
            .db
            .run(move |conn| {
                crate::settings::update(conn, &values, lang)?;
                let values = crate::settings::editable_values(conn)?;
                Ok(SettingsOut { settings: values.into_iter().map(|(k, v)| (k.to_string(), v)).collect() })
            })
            .await;
        Changed::from_result(result)
    }
}
