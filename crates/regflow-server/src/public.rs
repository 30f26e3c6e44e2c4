//! Routes anyone may call: health and 办事指南.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::problem::Problem;
use crate::view;
use crate::AppState;

/// `GET /v1/health`: liveness and whether the database answers.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.engine.database().ping().await {
        Ok(()) => Json(json!({"status": "ok", "database": "ok"})).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "degraded", "database": e.to_string()})))
            .into_response(),
    }
}

fn policy_in_force(state: &AppState) -> Result<&regflow_process::Policy, Problem> {
    Ok(state.engine.policy_now(None)?)
}

/// `GET /v1/guides`: every kind's guide under the policy in force.
pub async fn guides(State(state): State<AppState>) -> Result<Json<serde_json::Value>, Problem> {
    let policy = policy_in_force(&state)?;
    let kinds: Vec<_> = view::guides(state.engine.catalogue(), policy);
    Ok(Json(json!({"policy": policy.id().as_str(), "kinds": kinds})))
}

/// `GET /v1/guides/{kind}`.
pub async fn guide(
    State(state): State<AppState>,
    Path(kind): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    let policy = policy_in_force(&state)?;
    let spec = state.engine.catalogue().get(&kind).ok_or_else(|| {
        Problem::from(regflow_process::Refusal::new(
            regflow_process::ErrorCode::UnknownKind,
            format!("no kind `{kind}`: GET /v1/guides lists them"),
        ))
    })?;
    Ok(Json(view::guide(spec, policy)))
}
