//! The register over HTTP (SPEC 13.5, 17 §10): a unit's page now or as of an instant, its
//! entries, and the entries of a case. Who may read is decided by the engine's
//! [`regflow_executor::ActorView`].

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use regflow_process::identifier::UnitNumber;
use regflow_process::{CaseId, ErrorCode, OfficeHours, Refusal};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::problem::Problem;
use crate::view;
use crate::AppState;

pub(crate) fn hours(state: &AppState, caller: &Caller) -> OfficeHours {
    state.engine.centre(caller.actor.centre()).map(|c| c.hours).unwrap_or_default()
}

fn unit(text: &str) -> Result<UnitNumber, Problem> {
    UnitNumber::parse(text).map_err(|e| {
        Problem::from(
            Refusal::new(ErrorCode::InvalidIdentifier, format!("unit: {e}"))
                .with(regflow_process::Detail::Field { name: "unit".into() }),
        )
    })
}

pub(crate) fn instant(field: &str, text: Option<&str>, hours: &OfficeHours) -> Result<Option<DateTime<Utc>>, Problem> {
    text.map(|t| {
        hours
            .parse_instant(t)
            .map_err(|e| Problem::argument(field, format!("`{field}`: {e} (e.g. 2026-03-04T16:20:00+08:00)")))
    })
    .transpose()
}

pub(crate) fn localised(value: impl serde::Serialize, hours: &OfficeHours) -> Result<Value, Problem> {
    let mut doc =
        serde_json::to_value(value).map_err(|e| Problem::from(regflow_executor::Error::Corrupt(e.to_string())))?;
    view::localise(&mut doc, hours);
    Ok(doc)
}

/// The query of `GET /v1/units/{unit}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    at: Option<String>,
}

/// `GET /v1/units/{unit}?at=`: the unit page now, or as of `at`.
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(text): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    let hours = hours(&state, &caller);
    let at = instant("at", q.at.as_deref(), &hours)?;
    let page = state.engine.as_actor(&caller.actor).unit_page(&unit(&text)?, at).await?;
    Ok(Json(localised(page, &hours)?))
}

/// The query of `GET /v1/units/{unit}/entries`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntriesQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /v1/units/{unit}/entries?from=&to=`: the unit's entries in `seq` order.
pub async fn unit_entries(
    State(state): State<AppState>,
    caller: Caller,
    Path(text): Path<String>,
    query: Result<Query<EntriesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    let hours = hours(&state, &caller);
    let (from, to) = (instant("from", q.from.as_deref(), &hours)?, instant("to", q.to.as_deref(), &hours)?);
    let unit = unit(&text)?;
    let entries = state.engine.as_actor(&caller.actor).unit_entries(&unit, from, to).await?;
    Ok(Json(json!({"unit": unit, "entries": localised(entries, &hours)?})))
}

/// `GET /v1/cases/{id}/entries`: the entries the case's events wrote.
pub async fn case_entries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let hours = hours(&state, &caller);
    let entries = state.engine.as_actor(&caller.actor).case_entries(&CaseId::new(id.as_str())).await?;
    Ok(Json(json!({"case": id, "entries": localised(entries, &hours)?})))
}
