//! The announcements page: every reader's list (buyers: what is meant for
//! their company and current), and for staff the form to write one (both
//! languages, dates, pinned, audience, email) and a remove button. Also the
//! public unsubscribe page a mailing links to.

use chrono::NaiveDate;
use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Path, Redirect};
use poem::{handler, Request};
use serde::Serialize;

use super::view::Choice;
use crate::announcements::{self, Announcement, Audience, NewAnnouncement};
use crate::error::Error;
use crate::i18n;
use crate::ids::CompanyId;
use crate::web::render::Layout;
use crate::web::session::{layout, set_flash, Authed, ButtonForm, CsrfForm, Staff};
use crate::web::AppState;

#[derive(Serialize)]
struct AnnouncementView {
    #[serde(flatten)]
    announcement: Announcement,
    dates: String,
    created: String,
    audience_label: String,
}

#[derive(Serialize)]
struct Page {
    items: Vec<AnnouncementView>,
    staff: bool,
    groups: Vec<Choice>,
    companies: Vec<Choice>,
    audiences: Vec<Choice>,
}

fn dates(a: &Announcement) -> String {
    let day = |d: NaiveDate| d.format("%d.%m.%Y").to_string();
    match (a.starts_on, a.ends_on) {
        (None, None) => String::new(),
        (Some(s), None) => format!("{} —", day(s)),
        (None, Some(e)) => format!("— {}", day(e)),
        (Some(s), Some(e)) => format!("{} — {}", day(s), day(e)),
    }
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(req: &Request, Data(state): Data<&AppState>, Authed(session): Authed) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "announcements").await?;
    let (user, lang) = (session.user.clone(), layout.lang);
    let staff = matches!(user.role, crate::accounts::Role::Manager | crate::accounts::Role::Admin);
    let page = state
        .db
        .run(move |conn| {
            let today = crate::finance::today(conn)?;
            let items = announcements::visible(conn, &user, today, lang)?
                .into_iter()
                .map(|a| AnnouncementView {
                    dates: dates(&a),
                    created: a.created_at.format("%d.%m.%Y").to_string(),
                    audience_label: i18n::text(lang, &format!("announcements.audience_{}", a.audience), &[]),
                    announcement: a,
                })
                .collect();
            let (groups, companies) = if staff {
                (
                    crate::terms::groups::list(conn)?
                        .into_iter()
                        .map(|g| Choice::new(g.group.id, g.group.name))
                        .collect(),
                    crate::ordering::orders::companies_in(conn, crate::ordering::orders::Scope::of(&user))?
                        .into_iter()
                        .map(|(id, name)| Choice::new(id, name))
                        .collect(),
                )
            } else {
                (Vec::new(), Vec::new())
            };
            let audiences = Audience::ALL
                .iter()
                .map(|a| Choice::new(a, i18n::text(lang, &format!("announcements.audience_{a}"), &[])))
                .collect();
            Ok(Page { items, staff, groups, companies, audiences })
        })
        .await?;
    Ok(state.templates.render("announcements.html", &layout, &page)?)
}

/// The form's fields; `company` may repeat (a multiple select).
fn new_from(form: &[(String, String)]) -> Result<NewAnnouncement, String> {
    let one = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let date = |name: &str| match one(name).as_str() {
        "" => Ok(None),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some).map_err(|_| format!("{name}: {text:?}")),
    };
    let companies = form
        .iter()
        .filter(|(k, _)| k == "company")
        .map(|(_, v)| v.parse().map(CompanyId).map_err(|_| format!("company: {v:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewAnnouncement {
        title_ru: one("title_ru"),
        body_ru: one("body_ru"),
        title_en: one("title_en"),
        body_en: one("body_en"),
        starts_on: date("starts_on")?,
        ends_on: date("ends_on")?,
        pinned: !one("pinned").is_empty(),
        audience: Audience::parse(&one("audience")).ok_or("audience")?,
        group_id: one("group_id").parse().ok(),
        companies,
        email: !one("email").is_empty(),
    })
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn create(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Staff(session): Staff,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> poem::Result<Redirect> {
    let (user, lang) = (session.user.clone(), i18n::locale(&session.user.locale));
    let new = match new_from(&form) {
        Ok(new) => new,
        Err(field) => {
            set_flash(state, jar, &i18n::text(lang, "announcements.bad_field", &[("field", field)]));
            return Ok(Redirect::see_other("/announcements"));
        }
    };
    match state.db.run(move |conn| announcements::create(conn, &user, &new)).await {
        Ok((_, emails)) => {
            set_flash(state, jar, &i18n::text(lang, "announcements.published", &[("emails", emails.to_string())]))
        }
        Err(Error::Invalid(message)) => set_flash(state, jar, &message),
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::see_other("/announcements"))
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn remove(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<ButtonForm>,
) -> poem::Result<Redirect> {
    let (user, lang) = (session.user.clone(), i18n::locale(&session.user.locale));
    state.db.run(move |conn| announcements::remove(conn, &user, id)).await?;
    set_flash(state, jar, &i18n::text(lang, "announcements.removed", &[]));
    Ok(Redirect::see_other("/announcements"))
}

#[derive(Serialize)]
struct UnsubscribePage {
    email: String,
    done: bool,
    token: String,
}

/// The page a mailing's link opens: who is unsubscribing and a button (a
/// GET never changes anything, so a mail scanner following links does not
/// unsubscribe anyone). An unknown link is 404.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn unsubscribe_page(Data(state): Data<&AppState>, Path(token): Path<String>) -> poem::Result<Html<String>> {
    unsubscribe(state, token, false).await
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn unsubscribe_submit(Data(state): Data<&AppState>, Path(token): Path<String>) -> poem::Result<Html<String>> {
    unsubscribe(state, token, true).await
}

async fn unsubscribe(state: &AppState, token: String, confirm: bool) -> poem::Result<Html<String>> {
    let lookup = token.clone();
    let (email, locale) = state
        .db
        .run(move |conn| {
            let (user, email, locale) = announcements::link_user(conn, &lookup)?.ok_or(Error::NotFound)?;
            if confirm {
                announcements::set_mailings(conn, user, false)?;
            }
            Ok((email, locale))
        })
        .await?;
    // The link's token is the form's proof, as for a password link.
    let layout = Layout::for_link(i18n::locale(&locale), &token, "/unsubscribe");
    Ok(state.templates.render("unsubscribe.html", &layout, &UnsubscribePage { email, done: confirm, token })?)
}
