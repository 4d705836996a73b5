//! Switching a logged-in user's page language (stored on the user, so it
//! follows them to other devices).

use poem::handler;
use poem::web::{Data, Redirect};
use serde::Deserialize;

use crate::accounts::User;
use crate::i18n;
use crate::web::session::{Authed, CsrfForm};
use crate::web::AppState;

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn switch(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&form.lang);
    let id = session.user.id;
    state.db.run(move |conn| User::set_locale(conn, id, lang)).await?;
    let back = crate::web::redirect::local_path_or(&form.back, "/catalog");
    Ok(Redirect::see_other(back))
}
