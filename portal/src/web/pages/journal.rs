//! The run journal for admins beyond the list on the admin page: one run in
//! full (counts per entity, files with sizes and hashes, every error with
//! its place) and uploading an exchange file by hand — checked first as a dry
//! run, or imported.

use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Multipart, Path, Redirect};
use poem::{handler, Request};
use serde::Serialize;

use crate::error::Error;
use crate::i18n;
use crate::journal::{RunStatus, Trigger};
use crate::web::session::{check_csrf, layout, set_flash, Admin};
use crate::web::AppState;

/// The largest file an admin may upload here (the ERP's own channels take larger ones).
const UPLOAD_LIMIT: u64 = 64 << 20;

#[derive(Serialize)]
struct RunPage {
    id: i64,
    job: String,
    trigger: Trigger,
    started: String,
    finished: String,
    status: RunStatus,
    summary: String,
    duration: String,
    counts: Vec<EntityCounts>,
    files: Vec<FileRead>,
    errors: Vec<RunError>,
}

/// What a run did to one kind of record.
#[derive(Serialize)]
struct EntityCounts {
    entity: String,
    created: u64,
    updated: u64,
    unchanged: u64,
    deactivated: u64,
    rejected: u64,
}

/// A file the run read.
#[derive(Serialize)]
struct FileRead {
    name: String,
    bytes: String,
    sha256: String,
}

/// An error or remark, with where it was found.
#[derive(Serialize)]
struct RunError {
    message: String,
    place: String,
}

fn text_of(value: &serde_json::Value, key: &str) -> String {
    match value.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn run(
    req: &Request,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    Path(id): Path<String>,
) -> poem::Result<Html<String>> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let layout = layout(state, req, &session, "admin").await?;
    let run = state.db.run(move |conn| crate::journal::find(conn, id)).await?;
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
    let counts = json(&run.counts)
        .as_object()
        .map(|entities| {
            entities
                .iter()
                .map(|(entity, c)| {
                    let n = |k: &str| c.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
                    EntityCounts {
                        entity: entity.clone(),
                        created: n("created"),
                        updated: n("updated"),
                        unchanged: n("unchanged"),
                        deactivated: n("deactivated"),
                        rejected: n("rejected"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let list = |text: &str| json(text).as_array().cloned().unwrap_or_default();
    let files = list(&run.files)
        .iter()
        .map(|f| {
            let bytes = f.get("bytes").and_then(serde_json::Value::as_u64).unwrap_or(0);
            FileRead { name: text_of(f, "name"), bytes: format!("{bytes}"), sha256: text_of(f, "sha256") }
        })
        .collect();
    let errors = list(&run.errors)
        .iter()
        .map(|e| {
            let place = ["file", "place", "path"].iter().map(|k| text_of(e, k)).filter(|t| !t.is_empty());
            RunError { message: text_of(e, "message"), place: place.collect::<Vec<_>>().join(" · ") }
        })
        .collect();
    let view = RunPage {
        id: run.id,
        job: run.job,
        trigger: run.triggered_by,
        started: run.started_at.format("%d.%m.%Y %H:%M:%S UTC").to_string(),
        finished: run.finished_at.map(|t| t.format("%d.%m.%Y %H:%M:%S UTC").to_string()).unwrap_or_default(),
        status: run.status,
        summary: run.summary,
        duration: run.duration_ms.map(|d| format!("{d} ms")).unwrap_or_default(),
        counts,
        files,
        errors,
    };
    Ok(state.templates.render("run.html", &layout, &view)?)
}

/// An exchange file uploaded by an admin: `dry_run=true` shows what it would
/// change, anything else imports it. Either way the run's page follows.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn upload(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Admin(session): Admin,
    multipart: Multipart,
) -> poem::Result<Redirect> {
    let lang = i18n::locale(&session.user.locale);
    let mut form = super::upload_form::read(multipart, UPLOAD_LIMIT, "exchange.xml").await?;
    check_csrf(&session, form.field("csrf"))?;
    let dry_run = form.field("dry_run") == "true";
    let Some((name, bytes)) = form.file().filter(|(_, b)| !b.is_empty()) else {
        set_flash(state, jar, &i18n::text(lang, "upload.choose_file", &[]));
        return Ok(Redirect::see_other("/admin#journal"));
    };
    if bytes.len() as u64 > UPLOAD_LIMIT {
        let limit = format!("{} MiB", UPLOAD_LIMIT >> 20);
        set_flash(state, jar, &i18n::text(lang, "admin.upload_too_large", &[("limit", limit)]));
        return Ok(Redirect::see_other("/admin#journal"));
    }
    let jobs = state.jobs.clone().ok_or(Error::NotFound)?;
    let run_id = tokio::task::spawn_blocking(move || {
        jobs.import_file(
            &name,
            bytes.len() as u64,
            &mut bytes.as_slice(),
            &crate::media::NoFiles,
            dry_run,
            Trigger::Admin,
        )
    })
    .await
    .map_err(|e| Error::Internal(format!("import task: {e}")))?
    .map_err(Error::Internal)?;
    Ok(Redirect::see_other(format!("/admin/runs/{run_id}")))
}
