//! Information queries over HTTP (SPEC 15.2, 17 §10): a query's answer and its signed
//! 查询结果证明 for the querier and staff, the public verification (no names, no
//! identifiers), and the centre's query log for supervisors. Who may read is decided by
//! the engine's [`regflow_executor::ActorView`].

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use regflow_executor::query_log::QueryLogQuery;
use regflow_executor::query_results::QueryResult;
use regflow_process::CaseId;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::certificates::VerifyQuery;
use crate::problem::Problem;
use crate::units::{hours, instant, localised};
use crate::AppState;

/// The answer as the case document and `GET /v1/cases/{id}/result` show it.
pub fn result_doc(result: &QueryResult) -> Value {
    let hash = &result.hash;
    let d = &result.document;
    json!({"id": d.id, "number": d.number, "querier_class": d.class, "purpose": d.purpose, "unit": d.unit,
           "as_of": d.as_of, "result_hash": d.result_hash, "issued_at": d.issued_at,
           "file": format!("/v1/query-results/{}", d.id),
           "verify": format!("/v1/query-results/{}/verify?hash={hash}", d.id)})
}

/// `GET /v1/query-results/{id}`: the 查询结果证明's exact bytes (the querier, staff;
/// anyone else is told it is not found).
pub async fn file(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let result = state.engine.as_actor(&caller.actor).query_result(&id).await?;
    Ok(crate::certificates::attachment("query-result", &result.document.id, result.file))
}

/// `GET /v1/query-results/{id}/verify?hash=` (public): `valid` or `not_genuine`.
pub async fn verify(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    let answer = state.engine.verify_query_result(&id, q.hash.as_deref()).await?;
    Ok(Json(json!({"id": answer.id, "number": answer.number, "issued_at": answer.issued_at, "status": answer.status})))
}

/// `GET /v1/cases/{id}/result`: an answered query's page and its 查询结果证明.
pub async fn of_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let result = state.engine.as_actor(&caller.actor).case_result(&CaseId::new(id)).await?;
    let mut doc = result_doc(&result);
    doc["page"] = result.page.clone();
    Ok(Json(doc))
}

/// The query of `GET /v1/query-log`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    from: Option<String>,
    to: Option<String>,
    unit: Option<String>,
    querier: Option<String>,
    after: Option<u64>,
    limit: Option<u64>,
}

/// `GET /v1/query-log?from=&to=&unit=&querier=&after=&limit=` (supervisors): the centre's
/// query log in order.
pub async fn log(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    let max = regflow_executor::query_log::MAX_LOG_LINES;
    if let Some(limit) = q.limit.filter(|l| !(1..=max).contains(l)) {
        return Err(Problem::argument("limit", format!("`limit` is {limit}: give 1 to {max} lines")));
    }
    let hours = hours(&state, &caller);
    let filter = QueryLogQuery {
        from: instant("from", q.from.as_deref(), &hours)?,
        to: instant("to", q.to.as_deref(), &hours)?,
        unit: q.unit,
        querier: q.querier,
        after: q.after.unwrap_or(0),
        limit: q.limit,
    };
    let lines = state.engine.as_actor(&caller.actor).query_log(&filter).await?;
    Ok(Json(json!({"lines": localised(lines, &hours)?})))
}
