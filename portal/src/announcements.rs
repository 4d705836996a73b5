//! Announcements and mailings: staff write news in both languages (English
//! may fall back to Russian), optionally within dates, pinned on the catalog
//! or not, for everyone, one customer group, chosen companies, or the
//! customers a report found to have stopped buying (resolved when it is
//! written and kept as that list). Buyers see what is meant for their
//! company and current; pinned ones head the catalog. Emailed through the
//! outbox to the audience's buyers who have not unsubscribed, each email
//! with its own unsubscribe link.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::{Role, User};
use crate::db::schema::{announcement_companies, announcements, companies, company_groups, unsubscribe_links, users};
use crate::db::stored_text::stored_text_enum;
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::{CompanyId, UserId};
use crate::mail::EmailKind;
use crate::ordering::orders::Scope;

/// The longest title and text.
pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 10_000;

stored_text_enum! {
    /// Who an announcement is for.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum Audience {
        Everyone = "everyone",
        /// The companies of one customer group.
        Group = "group",
        /// Companies chosen one by one.
        Companies = "companies",
        /// The customers who stopped buying (`reports::lapsed`), as found when written.
        LapsedCustomers = "lapsed_customers",
    }
}

/// What staff write.
#[derive(Debug, Clone)]
pub struct NewAnnouncement {
    pub title_ru: String,
    pub body_ru: String,
    pub title_en: String,
    pub body_en: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub pinned: bool,
    pub audience: Audience,
    pub group_id: Option<i64>,
    pub companies: Vec<CompanyId>,
    pub email: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = announcements)]
struct Row {
    id: i64,
    title_ru: String,
    body_ru: String,
    title_en: String,
    body_en: String,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    pinned: bool,
    audience: Audience,
    group_id: Option<i64>,
    emailed: bool,
    created_at: NaiveDateTime,
}

/// An announcement in one reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct Announcement {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub pinned: bool,
    pub audience: Audience,
    pub group_id: Option<i64>,
    pub emailed: bool,
    pub created_at: NaiveDateTime,
    /// Shown now (within its dates).
    pub current: bool,
}

impl Row {
    fn read(self, lang: &str, today: NaiveDate) -> Announcement {
        let english = lang == "en" && !self.title_en.trim().is_empty();
        let current = self.starts_on.is_none_or(|d| d <= today) && self.ends_on.is_none_or(|d| today <= d);
        Announcement {
            id: self.id,
            title: if english { self.title_en } else { self.title_ru },
            body: if english && !self.body_en.trim().is_empty() { self.body_en } else { self.body_ru },
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            pinned: self.pinned,
            audience: self.audience,
            group_id: self.group_id,
            emailed: self.emailed,
            created_at: self.created_at,
            current,
        }
    }
}

fn check(new: &NewAnnouncement) -> Result<()> {
    let too_long = |text: &str, max: usize| text.chars().count() > max;
    if new.title_ru.trim().is_empty() || new.body_ru.trim().is_empty() {
        return Err(Error::Invalid("an announcement needs a title and a text in Russian".into()));
    }
    if [&new.title_ru, &new.title_en].iter().any(|t| too_long(t, MAX_TITLE))
        || [&new.body_ru, &new.body_en].iter().any(|b| too_long(b, MAX_BODY))
    {
        return Err(Error::Invalid(format!("a title has at most {MAX_TITLE} characters, a text {MAX_BODY}")));
    }
    if let (Some(starts), Some(ends)) = (new.starts_on, new.ends_on) {
        if ends < starts {
            return Err(Error::Invalid("it ends before it starts".into()));
        }
    }
    match new.audience {
        Audience::Group if new.group_id.is_none() => Err(Error::Invalid("choose the customer group".into())),
        Audience::Companies if new.companies.is_empty() => Err(Error::Invalid("choose the companies".into())),
        _ => Ok(()),
    }
}

/// Writes an announcement (staff), resolving its audience, and queues its
/// emails if asked. Returns its id and how many emails were queued.
#[tracing::instrument(skip_all, fields(author = %author.id))]
pub fn create(conn: &mut DbConn, author: &User, new: &NewAnnouncement) -> Result<(i64, usize)> {
    if !matches!(author.role, Role::Manager | Role::Admin) {
        return Err(Error::Forbidden);
    }
    check(new)?;
    write_transaction(conn, |conn| {
        if let (Audience::Group, Some(group)) = (new.audience, new.group_id) {
            crate::db::schema::customer_groups::table
                .find(group)
                .select(crate::db::schema::customer_groups::id)
                .first::<i64>(conn)
                .map_err(|_| Error::Invalid("there is no such customer group".into()))?;
        }
        let targets: Vec<CompanyId> = match new.audience {
            Audience::Companies => {
                let known: Vec<i64> = companies::table
                    .filter(companies::id.eq_any(new.companies.iter().map(|c| c.0).collect::<Vec<_>>()))
                    .select(companies::id)
                    .load(conn)?;
                if known.len() != new.companies.len() {
                    return Err(Error::Invalid("there is no such company".into()));
                }
                new.companies.clone()
            }
            Audience::LapsedCustomers => {
                let today = crate::finance::today(conn)?;
                let lapsed = crate::reports::lapsed::lapsed_customers(
                    conn,
                    Scope::of(author),
                    today,
                    crate::reports::lapsed::DEFAULT_FACTOR,
                )?;
                if lapsed.is_empty() {
                    return Err(Error::Invalid("no customer has stopped buying: nobody to send it to".into()));
                }
                lapsed.into_iter().map(|l| l.company_id).collect()
            }
            Audience::Everyone | Audience::Group => Vec::new(),
        };
        let id: i64 = diesel::insert_into(announcements::table)
            .values((
                announcements::title_ru.eq(new.title_ru.trim()),
                announcements::body_ru.eq(new.body_ru.trim()),
                announcements::title_en.eq(new.title_en.trim()),
                announcements::body_en.eq(new.body_en.trim()),
                announcements::starts_on.eq(new.starts_on),
                announcements::ends_on.eq(new.ends_on),
                announcements::pinned.eq(new.pinned),
                announcements::audience.eq(new.audience),
                announcements::group_id.eq(new.group_id.filter(|_| new.audience == Audience::Group)),
                announcements::emailed.eq(new.email),
                announcements::author_id.eq(author.id.0),
                announcements::created_at.eq(Utc::now().naive_utc()),
            ))
            .returning(announcements::id)
            .get_result(conn)?;
        for company in &targets {
            diesel::insert_into(announcement_companies::table)
                .values((
                    announcement_companies::announcement_id.eq(id),
                    announcement_companies::company_id.eq(company.0),
                ))
                .execute(conn)?;
        }
        let sent = if new.email { send(conn, id)? } else { 0 };
        Ok((id, sent))
    })
}

/// The companies an announcement reaches; `None` means every company.
fn audience_of(conn: &mut DbConn, row: &Row) -> Result<Option<Vec<i64>>> {
    Ok(match row.audience {
        Audience::Everyone => None,
        Audience::Group => Some(
            company_groups::table
                .filter(company_groups::group_id.eq(row.group_id.unwrap_or(-1)))
                .select(company_groups::company_id)
                .load(conn)?,
        ),
        Audience::Companies | Audience::LapsedCustomers => Some(
            announcement_companies::table
                .filter(announcement_companies::announcement_id.eq(row.id))
                .select(announcement_companies::company_id)
                .load(conn)?,
        ),
    })
}

/// Queues the announcement's email to each active buyer of its audience
/// (active companies) who takes mailings, in their language, with a link
/// that unsubscribes them.
fn send(conn: &mut DbConn, id: i64) -> Result<usize> {
    let row: Row = announcements::table.find(id).select(Row::as_select()).first(conn)?;
    let reach = audience_of(conn, &row)?;
    let mut query = users::table
        .inner_join(companies::table)
        .filter(users::role.eq(Role::Buyer))
        .filter(users::active.eq(true))
        .filter(users::mailings.eq(true))
        .filter(companies::active.eq(true))
        .select((users::id, users::email, users::locale))
        .into_boxed();
    if let Some(companies) = reach {
        query = query.filter(users::company_id.eq_any(companies));
    }
    let readers: Vec<(i64, String, String)> = query.load(conn)?;
    let base = crate::settings::public_url(conn)?;
    let today = crate::finance::today(conn)?;
    for (user, email, locale) in &readers {
        let token = crate::random_token();
        diesel::insert_into(unsubscribe_links::table)
            .values((
                unsubscribe_links::token_hash.eq(crate::hash_token(&token)),
                unsubscribe_links::user_id.eq(user),
                unsubscribe_links::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let text = row.clone().read(crate::i18n::locale(locale), today);
        let args = [
            ("title", text.title),
            ("text", text.body),
            ("url", format!("{base}/announcements")),
            ("unsubscribe", format!("{base}/unsubscribe/{token}")),
        ];
        crate::mail::outbox::enqueue(conn, email, EmailKind::Announcement, locale, &args)?;
    }
    Ok(readers.len())
}

/// What `user` may read, newest first, in `lang`: staff every announcement;
/// a buyer those meant for their company that are current as of `today`.
pub fn visible(conn: &mut DbConn, user: &User, today: NaiveDate, lang: &str) -> Result<Vec<Announcement>> {
    let rows: Vec<Row> = announcements::table.order(announcements::id.desc()).select(Row::as_select()).load(conn)?;
    if user.role.is_staff() {
        return Ok(rows.into_iter().map(|r| r.read(lang, today)).collect());
    }
    let Some(company) = user.company_id else { return Ok(Vec::new()) };
    let groups: Vec<i64> = company_groups::table
        .filter(company_groups::company_id.eq(company.0))
        .select(company_groups::group_id)
        .load(conn)?;
    let listed: Vec<i64> = announcement_companies::table
        .filter(announcement_companies::company_id.eq(company.0))
        .select(announcement_companies::announcement_id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| match r.audience {
            Audience::Everyone => true,
            Audience::Group => r.group_id.is_some_and(|g| groups.contains(&g)),
            Audience::Companies | Audience::LapsedCustomers => listed.contains(&r.id),
        })
        .map(|r| r.read(lang, today))
        .filter(|a| a.current)
        .collect())
}

/// Removes an announcement (staff).
pub fn remove(conn: &mut DbConn, user: &User, id: i64) -> Result<()> {
    if !matches!(user.role, Role::Manager | Role::Admin) {
        return Err(Error::Forbidden);
    }
    match diesel::delete(announcements::table.find(id)).execute(conn)? {
        0 => Err(Error::NotFound),
        _ => Ok(()),
    }
}

/// The user an unsubscribe link names (id, email, language), if it is one of ours.
pub fn link_user(conn: &mut DbConn, token: &str) -> Result<Option<(UserId, String, String)>> {
    if token.len() > 200 {
        return Ok(None);
    }
    let found: Option<(i64, String, String)> = unsubscribe_links::table
        .inner_join(users::table)
        .filter(unsubscribe_links::token_hash.eq(crate::hash_token(token)))
        .select((users::id, users::email, users::locale))
        .first(conn)
        .optional()?;
    Ok(found.map(|(id, email, locale)| (UserId(id), email, locale)))
}

/// Turns mailings off (or on) for a user.
pub fn set_mailings(conn: &mut DbConn, user: UserId, on: bool) -> Result<()> {
    diesel::update(users::table.find(user.0)).set(users::mailings.eq(on)).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_are_the_stored_texts() {
        crate::db::stored_text::assert_api_names_match(Audience::ALL, |a| a.as_str());
    }

    fn draft() -> NewAnnouncement {
        NewAnnouncement {
            title_ru: "Новинка".into(),
            body_ru: "Анкеры в наличии".into(),
            title_en: String::new(),
            body_en: String::new(),
            starts_on: None,
            ends_on: None,
            pinned: true,
            audience: Audience::Everyone,
            group_id: None,
            companies: Vec::new(),
            email: false,
        }
    }

    #[test]
    fn announcements_are_checked_before_they_are_written() {
        assert!(check(&draft()).is_ok());
        assert!(check(&NewAnnouncement { body_ru: " ".into(), ..draft() }).is_err());
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        assert!(check(&NewAnnouncement { starts_on: Some(day(10)), ends_on: Some(day(9)), ..draft() }).is_err());
        assert!(check(&NewAnnouncement { audience: Audience::Group, ..draft() }).is_err());
        assert!(check(&NewAnnouncement { audience: Audience::Companies, ..draft() }).is_err());
        assert!(check(&NewAnnouncement { title_ru: "я".repeat(MAX_TITLE + 1), ..draft() }).is_err());
    }

    #[test]
    fn english_falls_back_to_russian_and_dates_make_it_current() {
        let row = Row {
            id: 1,
            title_ru: "Новинка".into(),
            body_ru: "Текст".into(),
            title_en: "New".into(),
            body_en: String::new(),
            starts_on: NaiveDate::from_ymd_opt(2026, 12, 1),
            ends_on: NaiveDate::from_ymd_opt(2026, 12, 31),
            pinned: false,
            audience: Audience::Everyone,
            group_id: None,
            emailed: false,
            created_at: NaiveDateTime::default(),
        };
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        let en = row.clone().read("en", day(5));
        assert_eq!((en.title.as_str(), en.body.as_str(), en.current), ("New", "Текст", true));
        assert!(!row.read("ru", NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")).current);
    }
}
