//! Onward reporting over HTTP (SPEC 14, 17 §10): the register's entries with their
//! reports for supervisors and the reporting adapter, the adapter's `ack` and a
//! supervisor's `retry`.

use axum::extract::{Path, Query, State};
use axum::Json;
use regflow_process::register::{AckResult, MessageId, ReportState, Target};
use regflow_process::{Actor, CentreId, Detail, ErrorCode, Refusal, Role};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::body::JsonObject;
use crate::problem::Problem;
use crate::view;
use crate::AppState;

/// Who may read the entries and their reports: supervisors and the reporting adapter.
fn reader(actor: &Actor) -> Result<(), Problem> {
    if actor.has(Role::Supervisor) || actor.has(Role::Reporter) {
        return Ok(());
    }
    Err(Problem::from(
        Refusal::new(ErrorCode::ForbiddenRole, format!("`{}` may not read the reports", actor.id()))
            .with(Detail::Roles { required: vec![Role::Supervisor, Role::Reporter] }),
    ))
}

/// The `seq` an entry id names in the caller's centre (`xining.5`, or `5`); another
/// centre's id is not found.
fn seq_of(id: &str, centre: &CentreId) -> Result<u64, Problem> {
    let (prefix, seq) = match id.rsplit_once('.') {
        Some((c, s)) => (Some(c), s),
        None => (None, id),
    };
    let missing =
        || Problem::from(Refusal::new(ErrorCode::NoSuchEntry, format!("no register entry `{id}` at this centre")));
    if prefix.is_some_and(|c| c != centre.as_str()) {
        return Err(missing());
    }
    seq.parse::<u64>().ok().filter(|s| *s > 0).ok_or_else(missing)
}

fn target(text: &str) -> Result<Target, Problem> {
    text.parse().map_err(|e: String| Problem::argument("target", e))
}

async fn entry_doc(state: &AppState, caller: &Caller, seq: u64) -> Result<Value, Problem> {
    let centre = caller.actor.centre();
    let entry = state.engine.register_entries(centre, seq - 1, 1).await?.into_iter().find(|e| e.seq == seq);
    let Some(entry) = entry else {
        return Err(Problem::from(Refusal::new(
            ErrorCode::NoSuchEntry,
            format!("no register entry {seq} at this centre"),
        )));
    };
    let reports = state.engine.reports(centre, seq - 1, 10, Some(seq)).await?;
    let mut doc = json!({"entry": entry, "reports": reports});
    if let Some(c) = state.engine.centre(centre) {
        view::localise(&mut doc, &c.hours);
    }
    Ok(doc)
}

/// The query of `GET /v1/register-entries`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    date: Option<String>,
    area: Option<String>,
    target: Option<String>,
    state: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /v1/register-entries?date=&area=&target=&state=&limit=&cursor=`: the caller's
/// centre's entries in `seq` order, each with its reports, filtered; `next_cursor` pages on.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    reader(&caller.actor)?;
    let centre = caller.actor.centre();
    let hours = state.engine.centre(centre).map(|c| c.hours).unwrap_or_default();
    let limit = match q.limit.as_deref() {
        None => 100,
        Some(t) => t.parse::<u64>().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
            Problem::argument("limit", format!("`limit` is `{t}`: give a whole number from 1 to 1000"))
        })?,
    };
    let after = match q.cursor.as_deref() {
        None => 0,
        Some(t) => {
            t.parse::<u64>().map_err(|_| Problem::argument("cursor", "`cursor` is the `next_cursor` of a page"))?
        }
    };
    let date = q
        .date
        .as_deref()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| Problem::argument("date", "`date` is YYYY-MM-DD"))
        })
        .transpose()?;
    let target = q.target.as_deref().map(target).transpose()?;
    let wanted =
        q.state.as_deref().map(|s| s.parse::<ReportState>().map_err(|e| Problem::argument("state", e))).transpose()?;
    let entries = state.engine.register_entries(centre, after, limit).await?;
    let next = (entries.len() as u64 == limit).then(|| entries.last().map(|e| e.seq.to_string())).flatten();
    let first = entries.first().map_or(after, |e| e.seq - 1);
    let reports = state.engine.reports(centre, first, limit * 3 + 3, None).await?;
    let mut out = Vec::new();
    for e in entries {
        if date.is_some_and(|d| hours.local_date(e.draft.recorded_at) != d)
            || q.area.as_deref().is_some_and(|a| &e.draft.unit.as_str()[..6] != a)
        {
            continue;
        }
        let mine: Vec<_> = reports
            .iter()
            .filter(|r| r.entry == e.seq && target.is_none_or(|t| r.target == t) && wanted.is_none_or(|s| r.state == s))
            .collect();
        if (target.is_some() || wanted.is_some()) && mine.is_empty() {
            continue;
        }
        out.push(json!({"entry": e, "reports": mine}));
    }
    let mut doc = json!({"entries": out, "next_cursor": next});
    view::localise(&mut doc, &hours);
    Ok(Json(doc))
}

/// `GET /v1/register-entries/{id}`: one entry with its reports.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    reader(&caller.actor)?;
    let seq = seq_of(&id, caller.actor.centre())?;
    Ok(Json(entry_doc(&state, &caller, seq).await?))
}

/// The body of an `ack`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    message_id: String,
    result: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /v1/register-entries/{id}/reports/{target}/ack`: the adapter's answer.
pub async fn ack(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, target_text)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, Problem> {
    let seq = seq_of(&id, caller.actor.centre())?;
    let target = target(&target_text)?;
    let body: AckBody = serde_json::from_value(Value::Object(body))
        .map_err(|e| Problem::argument("body", format!("the body is {{message_id, result, reason?}}: {e}")))?;
    let message_id = MessageId::parse(&body.message_id).map_err(|e| Problem::argument("message_id", e))?;
    let result: AckResult = body.result.parse().map_err(|e| Problem::argument("result", e))?;
    let report =
        state.engine.ack_report(&caller.actor, seq, target, &message_id, result, body.reason.as_deref()).await?;
    let mut doc = json!(report);
    if let Some(c) = state.engine.centre(caller.actor.centre()) {
        view::localise(&mut doc, &c.hours);
    }
    Ok(Json(doc))
}

/// `POST /v1/register-entries/{id}/reports/{target}/retry`: a supervisor retries a
/// rejected report under a new id.
pub async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, target_text)): Path<(String, String)>,
) -> Result<Json<Value>, Problem> {
    let seq = seq_of(&id, caller.actor.centre())?;
    let target = target(&target_text)?;
    let report = state.engine.retry_report(&caller.actor, seq, target).await?;
    let mut doc = json!(report);
    if let Some(c) = state.engine.centre(caller.actor.centre()) {
        view::localise(&mut doc, &c.hours);
    }
    Ok(Json(doc))
}

/// `GET /v1/register-logs/{target}/{area}/{date}`: the closed 登簿日志 of a day.
pub async fn log(
    State(state): State<AppState>,
    caller: Caller,
    Path((target_text, area, date)): Path<(String, String, String)>,
) -> Result<Json<Value>, Problem> {
    reader(&caller.actor)?;
    let target = target(&target_text)?;
    chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map_err(|_| Problem::argument("date", "`date` is YYYY-MM-DD"))?;
    let logs = state.engine.register_logs(caller.actor.centre()).await?;
    let found = logs.into_iter().find(|l| {
        l["target"].as_str() == Some(target.as_str())
            && l["area"].as_str() == Some(area.as_str())
            && l["date"].as_str() == Some(date.as_str())
    });
    found.map(Json).ok_or_else(|| {
        Problem::from(Refusal::new(
            ErrorCode::NoSuchEntry,
            format!("no closed log of {target} for area {area} on {date}: a day closes at the next midnight"),
        ))
    })
}
