//! Lists for a caller: work queues, 我的业务, reports and the overdue list, each of the
//! caller's own centre (the engine's [`regflow_executor::ActorView`] enforces it).

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use regflow_executor::{QueueCursor, ReportBasis, ReportFilter};
use regflow_process::{ApplicantCategory, Case, Channel, KindId, OfficeHours, Role};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::problem::Problem;
use crate::view;
use crate::AppState;

fn hours(state: &AppState, caller: &Caller) -> OfficeHours {
    state.engine.centre(caller.actor.centre()).map(|c| c.hours).unwrap_or_default()
}

fn docs(state: &AppState, caller: &Caller, cases: &[Case]) -> Vec<Value> {
    cases.iter().map(|c| view::case_doc(&state.engine, c, &caller.actor)).collect()
}

/// The query of `GET /v1/queues/{role}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /v1/queues/{role}?limit=&cursor=`: a page of the caller's work queue.
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Path(role): Path<String>,
    query: Result<Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    let role: Role = role.parse().map_err(|e: String| Problem::argument("role", format!("`role`: {e}")))?;
    let limit = match q.limit.as_deref() {
        None => 50,
        Some(text) => text.parse::<usize>().map_err(|_| {
            Problem::argument("limit", format!("`limit` is `{text}`: give a whole number from 1 to 1000"))
        })?,
    };
    let cursor = q.cursor.as_deref().map(QueueCursor::parse).transpose()?;
    let page = state.engine.as_actor(&caller.actor).work_queue(role, limit, cursor.as_ref()).await?;
    Ok(Json(json!({"role": role, "cases": docs(&state, &caller, &page.cases), "next_cursor": page.next})))
}

/// `GET /v1/my/cases`: 我的业务, the calling applicant's own cases.
pub async fn my_cases(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let cases = state.engine.as_actor(&caller.actor).my_cases().await?;
    Ok(Json(json!({"applicant": caller.actor.id(), "name": caller.name, "cases": docs(&state, &caller, &cases)})))
}

/// The query of `GET /v1/reports`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    kind: Option<String>,
    applicant_category: Option<String>,
    channel: Option<String>,
    basis: Option<String>,
}

/// A bound of a report period (see [`OfficeHours::parse_instant`]).
fn instant(field: &str, text: &str, hours: &OfficeHours) -> Result<DateTime<Utc>, Problem> {
    hours.parse_instant(text).map_err(|e| Problem::argument(field, format!("`{field}`: {e}")))
}

fn parsed<T: std::str::FromStr<Err = String>>(field: &str, text: Option<&str>) -> Result<Option<T>, Problem> {
    text.map(|t| t.parse::<T>().map_err(|e| Problem::argument(field, format!("`{field}`: {e}")))).transpose()
}

/// `GET /v1/reports?from=&to=&kind=&applicant_category=&channel=`: SPEC 7 with the figures
/// per channel, for the caller's centre.
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    let hours = hours(&state, &caller);
    let (Some(from), Some(to)) = (q.from.as_deref(), q.to.as_deref()) else {
        return Err(Problem::argument("from", "give the period as `from` and `to` (YYYY-MM-DD or RFC 3339)"));
    };
    let (from, to) = (instant("from", from, &hours)?, instant("to", to, &hours)?);
    if to <= from {
        return Err(Problem::argument("to", "`to` must be after `from`"));
    }
    let basis =
        q.basis.as_deref().map(str::parse::<ReportBasis>).transpose().map_err(|e| Problem::argument("basis", e))?;
    let filter = ReportFilter {
        from,
        to,
        centre: None,
        kind: q.kind.as_deref().map(|k| KindId::parse(k).map_err(|e| Problem::argument("kind", e))).transpose()?,
        category: parsed::<ApplicantCategory>("applicant_category", q.applicant_category.as_deref())?,
        channel: parsed::<Channel>("channel", q.channel.as_deref())?,
        basis: basis.unwrap_or_default(),
    };
    let report = state.engine.as_actor(&caller.actor).report(&filter).await?;
    let mut doc =
        serde_json::to_value(&report).map_err(|e| Problem::from(regflow_executor::Error::Corrupt(e.to_string())))?;
    view::localise(&mut doc, &hours);
    Ok(Json(doc))
}

/// `GET /v1/overdue`: the caller's centre's running cases past a deadline now.
pub async fn overdue(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let now = state.engine.now();
    let list = state.engine.as_actor(&caller.actor).overdue(now).await?;
    let cases: Vec<Value> = list
        .iter()
        .map(|o| json!({"case": view::case_doc(&state.engine, &o.case, &caller.actor), "clocks": o.clocks}))
        .collect();
    Ok(Json(json!({"at": hours(&state, &caller).format(now), "cases": cases})))
}
