//! `GET /health`: answers 200 with the database kind once the database
//! answers a query, 503 otherwise (for load balancers).

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{handler, IntoResponse, Response};
use serde_json::json;

use super::AppState;

#[handler]
#[tracing::instrument(skip_all)]
pub async fn health(Data(state): Data<&AppState>) -> Response {
    let backend = state.db.backend().name();
    let ping = state.db.run(|conn| crate::settings::get(conn, "health").map(|_| ())).await;
    match ping {
        Ok(()) => Json(json!({ "status": "ok", "database": backend })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": backend })))
                .into_response()
        }
    }
}
