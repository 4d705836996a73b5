//! Announcements through the API: what the caller may read
//! (`GET /api/v1/announcements`), and for staff writing and removing them
//! (`POST /api/v1/admin/announcements`, `DELETE …/{id}`), emailed to the
//! audience if asked.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::{api_error, ApiError, BearerAuth, StaffAuth};
use crate::announcements::{self, Announcement, Audience, NewAnnouncement};
use crate::error::Error;
use crate::ids::CompanyId;
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// News from the supplier and mailings
    Announcements,
}

pub struct AnnouncementsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AnnouncementOut {
    id: i64,
    /// In the caller's language (English falls back to Russian).
    title: String,
    body: String,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    pinned: bool,
    audience: Audience,
    group_id: Option<i64>,
    emailed: bool,
    created_at: DateTime<Utc>,
    /// Within its dates today.
    current: bool,
}

impl From<Announcement> for AnnouncementOut {
    fn from(a: Announcement) -> AnnouncementOut {
        AnnouncementOut {
            id: a.id,
            title: a.title,
            body: a.body,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            pinned: a.pinned,
            audience: a.audience,
            group_id: a.group_id,
            emailed: a.emailed,
            created_at: a.created_at.and_utc(),
            current: a.current,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AnnouncementIn {
    #[oai(validator(max_length = 200))]
    title_ru: String,
    #[oai(validator(max_length = 10000))]
    body_ru: String,
    /// Optional: English readers get the Russian text without it.
    #[oai(validator(max_length = 200))]
    title_en: Option<String>,
    #[oai(validator(max_length = 10000))]
    body_en: Option<String>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    /// Shown at the top of the catalog.
    #[oai(default)]
    pinned: bool,
    audience: Audience,
    /// For `group`.
    group_id: Option<i64>,
    /// For `companies`.
    #[oai(default)]
    company_ids: Vec<i64>,
    /// Email it to the audience's buyers who take mailings.
    #[oai(default)]
    email: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CreatedOut {
    announcement: AnnouncementOut,
    /// Emails queued.
    emails: u64,
}

#[derive(ApiResponse)]
enum Created {
    #[oai(status = 201)]
    New(Json<CreatedOut>),
    /// A title or text missing, dates the wrong way round, no group or
    /// companies chosen, nobody the report finds.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(ApiResponse)]
enum Removed {
    #[oai(status = 204)]
    Done,
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

#[OpenApi(tag = "ApiTags::Announcements")]
impl AnnouncementsApi {
    /// The announcements the caller may read, newest first: a buyer those
    /// meant for their company that are current; staff all of them.
    #[oai(path = "/v1/announcements", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<Json<Vec<AnnouncementOut>>> {
        let user = auth.0;
        let list = state
            .db
            .run(move |conn| {
                let today = crate::finance::today(conn)?;
                announcements::visible(conn, &user, today, crate::i18n::locale(&user.locale))
            })
            .await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Writes an announcement for everyone, a customer group, chosen
    /// companies or the customers who stopped buying (managers and
    /// administrators); emailed at once if asked.
    #[oai(path = "/v1/admin/announcements", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        body: Json<AnnouncementIn>,
    ) -> poem::Result<Created> {
        let (user, Json(input)) = (auth.0, body);
        let new = NewAnnouncement {
            title_ru: input.title_ru,
            body_ru: input.body_ru,
            title_en: input.title_en.unwrap_or_default(),
            body_en: input.body_en.unwrap_or_default(),
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            pinned: input.pinned,
            audience: input.audience,
            group_id: input.group_id,
            companies: input.company_ids.into_iter().map(CompanyId).collect(),
            email: input.email,
        };
        let result = state
            .db
            .run(move |conn| {
                let (id, emails) = announcements::create(conn, &user, &new)?;
                let today = crate::finance::today(conn)?;
                let list = announcements::visible(conn, &user, today, crate::i18n::locale(&user.locale))?;
                let created = list.into_iter().find(|a| a.id == id).ok_or(Error::NotFound)?;
                Ok((created, emails))
            })
            .await;
        Ok(match result {
            Ok((announcement, emails)) => {
                Created::New(Json(CreatedOut { announcement: announcement.into(), emails: emails as u64 }))
            }
            Err(Error::Invalid(message)) => Created::Invalid(api_error(message)),
            Err(other) => return Err(other.into()),
        })
    }

    /// Removes an announcement (managers and administrators).
    #[oai(path = "/v1/admin/announcements/:id", method = "delete")]
    #[tracing::instrument(skip_all)]
    async fn remove(&self, state: Data<&AppState>, auth: StaffAuth, id: Path<i64>) -> poem::Result<Removed> {
        let user = auth.0;
        match state.db.run(move |conn| announcements::remove(conn, &user, id.0)).await {
            Ok(()) => Ok(Removed::Done),
            Err(Error::NotFound) => Ok(Removed::NotFound(api_error("no such announcement"))),
            Err(other) => Err(other.into()),
        }
    }
}
