//! The supplier's settings through the API, checked as on the admin page.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::Changed;
use crate::web::api::AdminAuth;
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

#[OpenApi(tag = "super::ApiTags::AdminAccounts")]
impl AdminSettingsApi {
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
