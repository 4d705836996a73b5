//! Admin endpoints: the journal of runs and "run a job now".

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::{api_error, AdminAuth, ApiError, ExchangeAuth};
use crate::accounts::Role;
use crate::journal::{self, Run, RunStatus, Trigger};
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// The journal of runs and jobs
    Admin,
}

pub struct AdminApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RunOut {
    id: i64,
    job: String,
    trigger: Trigger,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    status: RunStatus,
    summary: String,
    counts: serde_json::Value,
    /// Each error with its place (file, line or element path).
    errors: serde_json::Value,
    files: serde_json::Value,
    duration_ms: Option<i64>,
}

impl From<Run> for RunOut {
    fn from(r: Run) -> RunOut {
        let json = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
        RunOut {
            id: r.id,
            job: r.job,
            trigger: r.triggered_by,
            started_at: r.started_at.and_utc(),
            finished_at: r.finished_at.map(|t| t.and_utc()),
            status: r.status,
            summary: r.summary,
            counts: json(&r.counts),
            errors: json(&r.errors),
            files: json(&r.files),
            duration_ms: r.duration_ms,
        }
    }
}

#[derive(poem_openapi::Multipart)]
struct ImportForm {
    /// A CommerceML file: catalog, offers, prices, rests, counterparties or status documents.
    file: poem_openapi::types::multipart::Upload,
}

/// The largest exchange file accepted over the API.
const MAX_IMPORT_BYTES: u64 = 200 * 1024 * 1024;

#[derive(ApiResponse)]
enum ImportOutcome {
    /// The file was applied (or, for a dry run, measured): the run with its counts.
    #[oai(status = 200)]
    Done(Json<Box<RunOut>>),
    /// Nothing changed: the run says why and where.
    #[oai(status = 422)]
    Failed(Json<Box<RunOut>>),
    #[oai(status = 413)]
    TooLarge(Json<ApiError>),
}

#[derive(ApiResponse)]
enum RunOutcome {
    #[oai(status = 200)]
    Ran(Json<Box<RunOut>>),
    #[oai(status = 404)]
    UnknownJob(Json<ApiError>),
    /// Another instance is running this job right now.
    #[oai(status = 409)]
    Busy(Json<ApiError>),
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminApi {
    /// The latest runs, newest first.
    #[oai(path = "/v1/admin/sync-runs", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn runs(
        &self,
        state: Data<&AppState>,
        _auth: ExchangeAuth,
        /// Only runs of this job.
        #[oai(validator(max_length = 100))]
        job: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        /// Also runs that found nothing to do (status `idle`; kept for a day).
        include_idle: Query<Option<bool>>,
    ) -> poem::Result<Json<Vec<RunOut>>> {
        let limit = limit.0.unwrap_or(50);
        let include_idle = include_idle.0.unwrap_or(false);
        let runs = state.db.run(move |conn| journal::latest_with(conn, job.0.as_deref(), limit, include_idle)).await?;
        Ok(Json(runs.into_iter().map(RunOut::from).collect()))
    }

    /// One run with its counts and errors.
    #[oai(path = "/v1/admin/sync-runs/:id", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn run(&self, state: Data<&AppState>, _auth: ExchangeAuth, id: Path<i64>) -> poem::Result<Json<RunOut>> {
        let run = state.db.run(move |conn| journal::find(conn, id.0)).await?;
        Ok(Json(run.into()))
    }

    /// Imports an exchange file; with `dry_run=true` reports what it would
    /// change and changes nothing.
    #[oai(path = "/v1/admin/imports", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: ExchangeAuth,
        dry_run: Query<Option<bool>>,
        form: ImportForm,
    ) -> poem::Result<ImportOutcome> {
        use tokio::io::AsyncReadExt;
        let Some(jobs) = state.jobs.clone() else {
            return Err(crate::Error::Internal("this server runs no exchange".into()).into());
        };
        let name = form.file.file_name().unwrap_or("upload.xml").to_string();
        let mut bytes = Vec::new();
        form.file.into_async_read().take(MAX_IMPORT_BYTES + 1).read_to_end(&mut bytes).await.map_err(|e| {
            poem::Error::from_string(format!("upload interrupted: {e}"), poem::http::StatusCode::BAD_REQUEST)
        })?;
        if bytes.len() as u64 > MAX_IMPORT_BYTES {
            return Ok(ImportOutcome::TooLarge(api_error("the file is larger than 200 MiB; use the folder exchange")));
        }
        let dry = dry_run.0.unwrap_or(false);
        let trigger = if auth.0.role == Role::Erp { Trigger::Erp } else { Trigger::Admin };
        let run = tokio::task::spawn_blocking(move || {
            jobs.import_file(&name, bytes.len() as u64, &mut bytes.as_slice(), &crate::media::NoFiles, dry, trigger)
        })
        .await
        .map_err(|e| crate::Error::Internal(format!("import task: {e}")))?
        .map_err(crate::Error::Internal)?;
        let run = state.db.run(move |conn| journal::find(conn, run)).await?;
        Ok(if run.status == RunStatus::Success {
            ImportOutcome::Done(Json(Box::new(run.into())))
        } else {
            ImportOutcome::Failed(Json(Box::new(run.into())))
        })
    }

    /// Runs a job now (it still takes its lease: never twice at once).
    #[oai(path = "/v1/admin/jobs/:name/run", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn run_job(&self, state: Data<&AppState>, _auth: AdminAuth, name: Path<String>) -> poem::Result<RunOutcome> {
        let Some(jobs) = state.jobs.clone() else {
            return Ok(RunOutcome::UnknownJob(api_error("this server runs no jobs")));
        };
        if !jobs.names().contains(&name.0.as_str()) {
            return Ok(RunOutcome::UnknownJob(api_error(format!("unknown job {:?}", name.0))));
        }
        let job = name.0.clone();
        let ran = tokio::task::spawn_blocking(move || jobs.run_now(&job, Trigger::Admin))
            .await
            .map_err(|e| crate::Error::Internal(format!("job task: {e}")))?;
        match ran {
            Ok(Some(id)) => {
                let run = state.db.run(move |conn| journal::find(conn, id)).await?;
                Ok(RunOutcome::Ran(Json(Box::new(run.into()))))
            }
            Ok(None) => Ok(RunOutcome::Busy(api_error(format!("{} is running on another instance", name.0)))),
            Err(message) => Err(crate::Error::Internal(message).into()),
        }
    }
}
