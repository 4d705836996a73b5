//! Messages between a buyer's company and the supplier: a thread on each
//! order and one per company ("ask your manager"). Every read and write
//! resolves the thread through the user's `Scope` first, so another
//! company's order or thread is "not found" and its attachments are never
//! served. Attachments are size-limited and their type is read from their
//! first bytes (PDF, PNG, JPEG, office files, plain text), not trusted from
//! the name. A new message notifies the other side in the cabinet and by
//! email in the recipient's language; opening a thread marks the other
//! side's messages read.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::{Role, User};
use crate::db::schema::{companies, contracts, message_attachments, messages, users};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::{CompanyId, OrderId, UserId};
use crate::notifications::{notify, NotificationKind};
use crate::ordering::orders::{self, Scope};

/// The longest message, in characters.
pub const MAX_TEXT: usize = 5_000;
/// The largest attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Attachments per message.
pub const MAX_ATTACHMENTS: usize = 5;

/// Which conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thread {
    /// The thread on one order.
    Order(OrderId),
    /// The company's own thread with the supplier.
    Company(CompanyId),
}

impl Thread {
    /// A company's own thread as `user` names it: a buyer's is their
    /// company's whatever they ask; staff name the company (`Invalid`
    /// without one); anyone else has none (`NotFound`). Whether the user may
    /// see that company is checked when the thread is read or written.
    pub fn of_company(user: &User, asked: Option<i64>) -> Result<Thread> {
        match (user.role, user.company_id, asked) {
            (Role::Buyer, Some(own), _) => Ok(Thread::Company(own)),
            (Role::Manager | Role::Admin, _, Some(company)) => Ok(Thread::Company(CompanyId(company))),
            (Role::Manager | Role::Admin, _, None) => Err(Error::Invalid("name the company: company_id".into())),
            _ => Err(Error::NotFound),
        }
    }
}

/// A file to send with a message.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// An attachment as a thread lists it.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct AttachmentInfo {
    pub id: i64,
    pub message_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// One message as a thread shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: i64,
    pub author: String,
    pub from_supplier: bool,
    pub body: String,
    pub created_at: NaiveDateTime,
    /// When the other side read it.
    pub read_at: Option<NaiveDateTime>,
    pub attachments: Vec<AttachmentInfo>,
}

/// The company a thread belongs to and the order it is on, if the user may
/// see it; anything else is `NotFound`.
fn resolve(conn: &mut DbConn, user: &User, thread: Thread) -> Result<(CompanyId, Option<orders::Order>)> {
    let scope = Scope::of(user);
    match thread {
        Thread::Order(id) => {
            let order = orders::find(conn, scope, id)?;
            Ok((order.company_id, Some(order)))
        }
        Thread::Company(company) => {
            let visible = orders::companies_in(conn, scope)?.iter().any(|(id, _)| *id == company.0);
            if !visible || user.role == Role::Erp {
                return Err(Error::NotFound);
            }
            Ok((company, None))
        }
    }
}

/// What a file is, from its first bytes (and, for zip-based office files and
/// text, its name); `None`: not a type we accept.
pub fn content_type(file_name: &str, bytes: &[u8]) -> Option<&'static str> {
    let name = file_name.to_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(b"\xff\xd8\xff") {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return match ext {
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "docx" => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "ods" => Some("application/vnd.oasis.opendocument.spreadsheet"),
            "odt" => Some("application/vnd.oasis.opendocument.text"),
            _ => None,
        };
    }
    if bytes.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return match ext {
            "xls" => Some("application/vnd.ms-excel"),
            "doc" => Some("application/msword"),
            _ => None,
        };
    }
    let text = std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0);
    match ext {
        "txt" if text => Some("text/plain; charset=utf-8"),
        "csv" if text => Some("text/csv; charset=utf-8"),
        _ => None,
    }
}

/// Checks a message before anything is written: some text or a file, text
/// within `MAX_TEXT`, at most `MAX_ATTACHMENTS` files, each within
/// `MAX_ATTACHMENT_BYTES` and of an accepted type.
fn check(body: &str, files: &[NewAttachment]) -> Result<Vec<&'static str>> {
    if body.trim().is_empty() && files.is_empty() {
        return Err(Error::Invalid("write a message or attach a file".into()));
    }
    if body.chars().count() > MAX_TEXT {
        return Err(Error::Invalid(format!("a message has at most {MAX_TEXT} characters")));
    }
    if files.len() > MAX_ATTACHMENTS {
        return Err(Error::Invalid(format!("at most {MAX_ATTACHMENTS} files per message")));
    }
    files
        .iter()
        .map(|file| {
            if file.bytes.len() > MAX_ATTACHMENT_BYTES {
                return Err(Error::Invalid(format!(
                    "{} is over {} MiB",
                    file.file_name,
                    MAX_ATTACHMENT_BYTES / (1024 * 1024)
                )));
            }
            if file.bytes.is_empty() {
                return Err(Error::Invalid(format!("{} is empty", file.file_name)));
            }
            content_type(&file.file_name, &file.bytes).ok_or_else(|| {
                Error::Invalid(format!(
                    "{}: only PDF, PNG, JPEG, Excel, Word, OpenDocument, CSV and text files are accepted",
                    file.file_name
                ))
            })
        })
        .collect()
}

/// A file name safe to store and send back: no path, no control characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// Who hears of a new message: from a buyer, the company's managers (the
/// order's own if it has one), or the administrators when nobody manages
/// the company; from the supplier, the buyer who placed the order, or every
/// active buyer of the company for its own thread.
fn recipients(
    conn: &mut DbConn,
    from: &User,
    company: CompanyId,
    order: Option<&orders::Order>,
) -> Result<Vec<UserId>> {
    let mut people: Vec<UserId> = if from.role.is_staff() {
        match order {
            Some(order) => vec![order.user_id],
            None => users::table
                .filter(users::company_id.eq(company.0))
                .filter(users::active.eq(true))
                .select(users::id)
                .load::<i64>(conn)?
                .into_iter()
                .map(UserId)
                .collect(),
        }
    } else {
        let mut managers: Vec<UserId> = order.and_then(|o| o.manager_id).into_iter().collect();
        if managers.is_empty() {
            managers = contracts::table
                .filter(contracts::company_id.eq(company.0))
                .filter(contracts::active.eq(true))
                .select(contracts::manager_id)
                .load::<Option<i64>>(conn)?
                .into_iter()
                .flatten()
                .map(UserId)
                .collect();
        }
        if managers.is_empty() {
            managers = users::table
                .filter(users::role.eq(Role::Admin))
                .filter(users::active.eq(true))
                .select(users::id)
                .load::<i64>(conn)?
                .into_iter()
                .map(UserId)
                .collect();
        }
        managers
    };
    people.sort_unstable();
    people.dedup();
    people.retain(|u| *u != from.id);
    Ok(people)
}

/// Posts a message (with its files) to a thread the user may see, and tells
/// the other side. Returns the new message's id.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub fn post(conn: &mut DbConn, user: &User, thread: Thread, body: &str, files: &[NewAttachment]) -> Result<i64> {
    if user.role == Role::Erp {
        return Err(Error::Forbidden);
    }
    let types = check(body, files)?;
    write_transaction(conn, |conn| {
        let (company, order) = resolve(conn, user, thread)?;
        let now = Utc::now().naive_utc();
        let id: i64 = diesel::insert_into(messages::table)
            .values((
                messages::company_id.eq(company.0),
                messages::order_id.eq(order.as_ref().map(|o| o.id.0)),
                messages::author_id.eq(user.id.0),
                messages::from_supplier.eq(user.role.is_staff()),
                messages::body.eq(body.trim()),
                messages::created_at.eq(now),
            ))
            .returning(messages::id)
            .get_result(conn)?;
        for (file, content_type) in files.iter().zip(types) {
            diesel::insert_into(message_attachments::table)
                .values((
                    message_attachments::message_id.eq(id),
                    message_attachments::file_name.eq(clean_name(&file.file_name)),
                    message_attachments::content_type.eq(content_type),
                    message_attachments::size_bytes.eq(file.bytes.len() as i64),
                    message_attachments::content.eq(&file.bytes),
                ))
                .execute(conn)?;
        }
        let company_name: String = companies::table.find(company.0).select(companies::name).first(conn)?;
        let excerpt: String = body.trim().chars().take(300).collect();
        let base = crate::settings::public_url(conn)?;
        for recipient in recipients(conn, user, company, order.as_ref())? {
            let locale: String = users::table.find(recipient.0).select(users::locale).first(conn)?;
            let (thread_name, url) = match &order {
                Some(order) => (
                    crate::i18n::text(&locale, "messages.on_order", &[("number", order.number.clone())]),
                    format!("{base}/orders/{}#messages", order.id),
                ),
                None => (
                    crate::i18n::text(&locale, "messages.company_thread", &[]),
                    match user.role.is_staff() {
                        true => format!("{base}/messages"),
                        false => format!("{base}/messages?company={}", company.0),
                    },
                ),
            };
            let args = [
                ("name", user.name.clone()),
                ("company", company_name.clone()),
                ("thread", thread_name),
                (
                    "text",
                    if excerpt.is_empty() {
                        crate::i18n::text(&locale, "messages.files_only", &[])
                    } else {
                        excerpt.clone()
                    },
                ),
                ("url", url),
            ];
            notify(conn, recipient, order.as_ref().map(|o| o.id), NotificationKind::Message, &args)?;
        }
        Ok(id)
    })
}

/// The thread, oldest first, with each message's attachments; the other
/// side's unread messages are marked read now.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub fn thread(conn: &mut DbConn, user: &User, thread: Thread) -> Result<Vec<Message>> {
    write_transaction(conn, |conn| {
        let (company, order) = resolve(conn, user, thread)?;
        let mut in_thread =
            messages::table.filter(messages::company_id.eq(company.0)).select(messages::id).into_boxed();
        in_thread = match &order {
            Some(order) => in_thread.filter(messages::order_id.eq(order.id.0)),
            None => in_thread.filter(messages::order_id.is_null()),
        };
        let ids: Vec<i64> = in_thread.load(conn)?;
        // The ERP's account reads nothing here (resolve refuses it), so staff is "the supplier".
        diesel::update(messages::table)
            .filter(messages::id.eq_any(&ids))
            .filter(messages::from_supplier.ne(user.role.is_staff()))
            .filter(messages::read_at.is_null())
            .set(messages::read_at.eq(Utc::now().naive_utc()))
            .execute(conn)?;
        let rows: Vec<(i64, String, bool, String, NaiveDateTime, Option<NaiveDateTime>)> = messages::table
            .inner_join(users::table)
            .filter(messages::id.eq_any(&ids))
            .order(messages::id)
            .select((
                messages::id,
                users::name,
                messages::from_supplier,
                messages::body,
                messages::created_at,
                messages::read_at,
            ))
            .load(conn)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let files: Vec<AttachmentInfo> = message_attachments::table
            .filter(message_attachments::message_id.eq_any(&ids))
            .order(message_attachments::id)
            .select((
                message_attachments::id,
                message_attachments::message_id,
                message_attachments::file_name,
                message_attachments::content_type,
                message_attachments::size_bytes,
            ))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(id, author, from_supplier, body, created_at, read_at)| Message {
                attachments: files.iter().filter(|f| f.message_id == id).cloned().collect(),
                id,
                author,
                from_supplier,
                body,
                created_at,
                read_at,
            })
            .collect())
    })
}

/// An attachment's name, type and content, if its thread is the user's to
/// see; otherwise `NotFound`, exactly as for an attachment that does not exist.
pub fn attachment(conn: &mut DbConn, user: &User, id: i64) -> Result<(String, String, Vec<u8>)> {
    let (company, order, name, content_type, content): (i64, Option<i64>, String, String, Vec<u8>) =
        message_attachments::table
            .inner_join(messages::table)
            .filter(message_attachments::id.eq(id))
            .select((
                messages::company_id,
                messages::order_id,
                message_attachments::file_name,
                message_attachments::content_type,
                message_attachments::content,
            ))
            .first(conn)
            .map_err(Error::from_lookup)?;
    let thread = match order {
        Some(order) => Thread::Order(OrderId(order)),
        None => Thread::Company(CompanyId(company)),
    };
    resolve(conn, user, thread)?;
    Ok((name, content_type, content))
}

/// A thread as the staff's inbox lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadSummary {
    pub company_id: i64,
    pub company: String,
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub last_at: NaiveDateTime,
    pub last_body: String,
    /// Messages from the buyer's side nobody on the supplier's side has read.
    pub unread: i64,
}

/// The threads of the companies in the staff member's scope, latest first
/// (the last `MAX_INBOX` messages are looked at).
pub fn inbox(conn: &mut DbConn, user: &User) -> Result<Vec<ThreadSummary>> {
    const MAX_INBOX: i64 = 2_000;
    let companies_in: Vec<(i64, String)> = orders::companies_in(conn, Scope::of(user))?;
    let ids: Vec<i64> = companies_in.iter().map(|(id, _)| *id).collect();
    type Row = (i64, Option<i64>, bool, String, NaiveDateTime, Option<NaiveDateTime>);
    let rows: Vec<Row> = messages::table
        .filter(messages::company_id.eq_any(&ids))
        .order(messages::id.desc())
        .limit(MAX_INBOX)
        .select((
            messages::company_id,
            messages::order_id,
            messages::from_supplier,
            messages::body,
            messages::created_at,
            messages::read_at,
        ))
        .load(conn)?;
    let order_ids: Vec<i64> = rows.iter().filter_map(|r| r.1).collect();
    let numbers: std::collections::HashMap<i64, String> = crate::db::schema::orders::table
        .filter(crate::db::schema::orders::id.eq_any(&order_ids))
        .select((crate::db::schema::orders::id, crate::db::schema::orders::number))
        .load(conn)?
        .into_iter()
        .collect();
    let names: std::collections::HashMap<i64, String> = companies_in.into_iter().collect();
    let mut threads: Vec<ThreadSummary> = Vec::new();
    for (company_id, order_id, from_supplier, body, created_at, read_at) in rows {
        let unread = i64::from(!from_supplier && read_at.is_none());
        match threads.iter_mut().find(|t| t.company_id == company_id && t.order_id == order_id) {
            Some(thread) => thread.unread += unread,
            None => threads.push(ThreadSummary {
                company: names.get(&company_id).cloned().unwrap_or_default(),
                order_number: order_id.and_then(|o| numbers.get(&o).cloned()),
                company_id,
                order_id,
                last_at: created_at,
                last_body: body.chars().take(160).collect(),
                unread,
            }),
        }
    }
    Ok(threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_from_the_content() {
        assert_eq!(content_type("scan.pdf", b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(content_type("photo.JPG", b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(content_type("evil.pdf", b"MZ\x90\x00"), None, "an executable named .pdf");
        assert_eq!(
            content_type("order.xlsx", b"PK\x03\x04rest"),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        assert_eq!(content_type("archive.zip", b"PK\x03\x04"), None, "a plain zip is not an office file");
        assert_eq!(content_type("notes.txt", "Привет".as_bytes()), Some("text/plain; charset=utf-8"));
        assert_eq!(content_type("notes.txt", b"\x00\x01binary"), None);
        assert_eq!(content_type("page.html", b"<script>"), None);
    }

    #[test]
    fn messages_are_checked_before_anything_is_written() {
        let pdf = |n: usize| NewAttachment {
            file_name: "a.pdf".into(),
            bytes: [b"%PDF-".as_slice(), &vec![b' '; n]].concat(),
        };
        assert!(check("", &[]).is_err(), "nothing to send");
        assert!(check("   ", &[pdf(10)]).is_ok(), "a file alone");
        assert!(check(&"я".repeat(MAX_TEXT + 1), &[]).is_err());
        assert!(check("hi", &vec![pdf(1); MAX_ATTACHMENTS + 1]).is_err());
        assert!(check("hi", &[pdf(MAX_ATTACHMENT_BYTES)]).is_err(), "over the size limit");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\a\\счёт \"1\".pdf"), "счёт 1.pdf");
    }
}
