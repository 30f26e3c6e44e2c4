//! `/v1/cases`: creating commands, commands on a case, the case, its history and its
//! verification. The engine decides; these handlers read the body and write the answer.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use regflow_executor::Request;
use regflow_process::{wire, CaseId, CommandName, ErrorCode};
use serde_json::{json, Map, Value};

use crate::auth::Caller;
use crate::body::JsonObject;
use crate::problem::Problem;
use crate::view;
use crate::AppState;

/// The longest idempotency key accepted.
const MAX_KEY: usize = 200;

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            Problem::argument(
                "Idempotency-Key",
                format!("the Idempotency-Key header must be 1 to {MAX_KEY} visible ASCII characters"),
            )
        })?;
    Ok(Some(key.to_owned()))
}

fn command_field(body: &Map<String, Value>) -> Result<CommandName, Problem> {
    let name = match body.get("command") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(Problem::argument("command", "`command` must be a string")),
        None => return Err(Problem::argument("command", "`command` is missing")),
    };
    Ok(wire::command_name(name)?)
}

/// Runs `req` and answers with the case as its actor sees it.
async fn respond(state: &AppState, req: Request) -> Result<Value, Problem> {
    let actor = req.actor.clone();
    let name = req.command.name();
    let started = std::time::Instant::now();
    let done = state.engine.as_actor(&actor).execute(req).await;
    let outcome = match &done {
        Ok(_) => "ok",
        Err(e) => e.code().map_or("error", ErrorCode::as_str),
    };
    state.metrics.command(name.as_str(), outcome, started.elapsed());
    let case = done?.case;
    with_entries(state, view::case_doc(&state.engine, &case, &actor), &case).await
}

/// Adds `entries`, the register entries the case's events wrote (SPEC 17 §10), to the
/// case's document: read after the command, so a recording shows what it wrote.
async fn with_entries(state: &AppState, mut doc: Value, case: &regflow_process::Case) -> Result<Value, Problem> {
    let entries = state.engine.entries_of(case).await?;
    let mut entries =
        serde_json::to_value(entries).map_err(|e| Problem::from(regflow_executor::Error::Corrupt(e.to_string())))?;
    if let Some(centre) = state.engine.centre(case.centre()) {
        view::localise(&mut entries, &centre.hours);
    }
    doc["entries"] = entries;
    if case.state() == regflow_process::State::Completed {
        if let Some((_, c)) = state.engine.certificates_of(case.centre(), &[case.id()]).await?.pop() {
            let standing = state.engine.verify_certificate(&c.document.id, None).await?;
            let id = &c.document.id;
            doc["certificate"] = json!({"id": id, "number": c.document.number, "type": c.document.kind,
                "hash": c.hash, "status": standing.status, "file": format!("/v1/certificates/{id}"),
                "verify": format!("/v1/certificates/{id}/verify?hash={}", c.hash),
                "qr": format!("/v1/certificates/{id}/qr.svg")});
        }
        if let Some(answer) = case.answer() {
            let result = state.engine.query_result(&answer.id).await?;
            doc["query_result"] = crate::query_results::result_doc(&result);
            doc["query_result"]["scope"] = json!(answer.scope);
        }
    }
    Ok(doc)
}

/// `POST /v1/cases`: `apply`, `accept` or `handle_instantly`; 201 and the case.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let name = command_field(&body)?;
    if !name.creates() {
        return Err(Problem::argument(
            "command",
            format!("`{name}` acts on an existing case: POST /v1/cases/{{id}}/commands"),
        ));
    }
    wire::no_unknown_fields(name, &body, &["command"])?;
    let command = wire::command(name.as_str(), &body, false)?;
    let mut req = Request::new(caller.actor.clone(), command);
    if let Some(key) = idempotency_key(&headers)? {
        req = req.idempotent(key);
    }
    let doc = respond(&state, req).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// `POST /v1/cases/{id}/commands`: any other command; 200 and the case.
pub async fn command(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, Problem> {
    let name = command_field(&body)?;
    wire::no_unknown_fields(name, &body, &["command", "expected_version"])?;
    let expected =
        match body.get("expected_version") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                Problem::argument("expected_version", "`expected_version` must be a whole number ≥ 0")
            })?),
        };
    let command = wire::command(name.as_str(), &body, true)?;
    let id = CaseId::new(id);
    let mut req = Request::to(&id, caller.actor.clone(), command);
    if let Some(v) = expected {
        req = req.expecting(v);
    }
    if let Some(key) = idempotency_key(&headers)? {
        req = req.idempotent(key);
    }
    Ok(Json(respond(&state, req).await?))
}

/// `GET /v1/cases/{id}`.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let view = state
        .engine
        .as_actor(&caller.actor)
        .case(&CaseId::new(id.as_str()))
        .await?
        .ok_or_else(|| Problem::not_found(&id))?;
    Ok(Json(with_entries(&state, view::case_doc(&state.engine, &view.case, &caller.actor), &view.case).await?))
}

/// `GET /v1/cases/{id}/history`: the events with their hashes.
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let entries = state.engine.as_actor(&caller.actor).history(&CaseId::new(id.as_str())).await?;
    let mut doc = json!({"case": id, "events": entries});
    if let Some(centre) = state.engine.centre(caller.actor.centre()) {
        view::localise(&mut doc, &centre.hours);
    }
    Ok(Json(doc))
}

/// `GET /v1/cases/{id}/verify`: whether the history chain and the stored case hold.
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let v = state.engine.as_actor(&caller.actor).verify(&CaseId::new(id)).await?;
    Ok(Json(json!({"case": v.case_id, "intact": v.is_intact(), "entries": v.entries, "problems": v.problems})))
}
