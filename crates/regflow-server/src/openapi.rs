//! The OpenAPI 3.1 document of the service, served at `/v1/openapi.json`.
//!
//! Built from the code's own tables rather than written by hand: the commands and the
//! fields each reads come from [`regflow_process::wire`], every enumeration (roles, states,
//! channels, priorities, categories, party types, tasks, clocks) from its type's `ALL`, the
//! kinds from the engine's catalogue. A field added to a command or a new state appears
//! here without anyone remembering to. `tests/openapi.rs` fuzzes the service against it.

use regflow_executor::Engine;
use regflow_process::case::SuspensionCause;
use regflow_process::wire::{fields_of, COMMANDS};
use regflow_process::{
    AlertLevel, ApplicantCategory, Channel, ClockKind, IdType, PartyRole, Priority, Role, State, Task,
};
use serde_json::{json, Map, Value};

fn names<T: std::fmt::Display>(all: impl IntoIterator<Item = T>) -> Value {
    Value::Array(all.into_iter().map(|v| json!(v.to_string())).collect())
}

fn string_enum<T: std::fmt::Display>(all: impl IntoIterator<Item = T>) -> Value {
    json!({"type": "string", "enum": names(all)})
}

fn nullable(schema: Value) -> Value {
    json!({"oneOf": [schema, {"type": "null"}]})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn problem(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/problem+json": {"schema": reference("Problem")}}})
}

fn ok(schema: Value, description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

/// The schema of one argument field of a command (SPEC 9 names).
fn field_schema(field: &str, engine: &Engine) -> Value {
    let kinds: Vec<String> = engine.catalogue().ids().iter().map(|k| k.to_string()).collect();
    let mut materials: Vec<String> =
        engine.catalogue().kinds().iter().flat_map(|k| k.materials.iter().map(|m| m.id.to_string())).collect();
    materials.sort();
    materials.dedup();
    match field {
        "kind" => json!({"type": "string", "enum": kinds}),
        "applicant_category" => string_enum(ApplicantCategory::ALL),
        "channel" => string_enum(Channel::ALL),
        "priority" => string_enum(Priority::ALL),
        "unit" => json!({"type": "string", "pattern": "^[0-9]{12}[GJZ][A-Z][0-9]{5}[FLQW][0-9]{8}$",
                         "examples": ["630102001001GB00001F00010001"]}),
        "applicants" => json!({"type": "array", "minItems": 1, "items": reference("Party")}),
        "materials" => json!({"type": "array", "items": {"type": "string", "enum": materials}}),
        "problems" | "consenting" => json!({"type": "array", "items": {"type": "string"}}),
        "pass" | "ok" => json!({"type": "boolean"}),
        "task" => string_enum(Task::ALL),
        "cause" => string_enum(SuspensionCause::ALL),
        "working_days" => json!({"type": "integer", "minimum": 1}),
        "rating" => json!({"type": "integer", "minimum": 1, "maximum": 5}),
        "querier" => string_enum(regflow_process::register::query::QuerierClass::ALL),
        _ => json!({"type": "string"}),
    }
}

/// The body of one command: `command` plus the fields it reads; nothing else.
fn command_body(command: regflow_process::CommandName, engine: &Engine, extra: &[(&str, Value)]) -> Value {
    let mut props = Map::new();
    props.insert("command".into(), json!({"const": command.as_str()}));
    for f in fields_of(command) {
        props.insert((*f).into(), field_schema(f, engine));
    }
    for (name, schema) in extra {
        props.insert((*name).into(), schema.clone());
    }
    json!({"type": "object", "properties": props, "required": ["command"], "additionalProperties": false})
}

fn case_schema() -> Value {
    let time = json!({"type": "string", "format": "date-time"});
    let deadline = json!({"type": "object", "required": ["due_at", "provisional"], "properties": {
        "due_at": time, "warning_at": nullable(time.clone()), "provisional": {"type": "boolean"}}});
    json!({
        "type": "object",
        "required": ["id", "centre", "version", "state", "kind", "applicant_category", "channel", "priority",
                     "unit", "parties", "materials", "tasks", "alerts", "commands", "entries"],
        "properties": {
            "id": {"type": "string"},
            "centre": {"type": "string"},
            "version": {"type": "integer", "minimum": 1},
            "state": string_enum(State::ALL),
            "kind": {"type": "string"},
            "applicant_category": string_enum(ApplicantCategory::ALL),
            "channel": string_enum(Channel::ALL),
            "priority": string_enum(Priority::ALL),
            "unit": {"type": "string"},
            "parties": {"type": "array", "items": reference("Party")},
            "materials": {"type": "object", "properties": {
                "presented": {"type": "array", "items": {"type": "string"}},
                "missing": {"type": "array", "items": {"type": "string"}},
                "pledged": {"type": "array", "items": {"type": "string"}}}},
            "tasks": {"type": "object", "additionalProperties": {"type": "string", "enum": ["pending", "succeeded", "failed"]}},
            "accepted_at": nullable(time.clone()),
            "deadlines": nullable(json!({"type": "object", "required": ["promise", "statutory", "provisional"], "properties": {
                "promise": deadline, "statutory": deadline, "provisional": {"type": "boolean"},
                "calendar_version": {"type": "string"}, "extensions": {"type": "array"}}})),
            "suspension": nullable(json!({"type": "object"})),
            "completion": nullable(json!({"type": "object", "properties": {
                "at": time, "working_days_used": {"type": "integer"}, "on_time": {"type": "boolean"},
                "within_statute": {"type": "boolean"}, "provisional": {"type": "boolean"}}})),
            "outcome": nullable(json!({"type": "object"})),
            "evaluation": nullable(json!({"type": "object"})),
            "alerts": {"type": "array", "items": {"type": "object", "properties": {
                "clock": string_enum(ClockKind::ALL), "level": string_enum(AlertLevel::ALL),
                "at": time, "raised_at": time}}},
            "created_at": time,
            "updated_at": time,
            "commands": {"type": "array", "items": string_enum(COMMANDS.iter().map(|c| c.as_str()))},
            "entries": {"type": "array", "description": "The register entries the case's events wrote (SPEC 13.1)",
                        "items": {"type": "object", "required": ["seq", "id", "unit"]}},
            "certificate": {"type": "object", "description": "The electronic certificate issued (SPEC 15.1): where to fetch, verify and scan it",
                            "required": ["id", "number", "type", "hash", "status", "file", "verify", "qr"],
                            "properties": {"id": {"type": "string"}, "number": {"type": "string"},
                                           "type": {"type": "string", "enum": ["title", "certification"]},
                                           "hash": {"type": "string"}, "status": {"type": "string", "enum": ["valid", "superseded", "cancelled"]},
                                           "file": {"type": "string"}, "verify": {"type": "string"}, "qr": {"type": "string"}}},
        }
    })
}

fn components(engine: &Engine) -> Value {
    let creating: Vec<Value> = COMMANDS.iter().filter(|c| c.creates()).map(|c| command_body(*c, engine, &[])).collect();
    let version = ("expected_version", json!({"type": "integer", "minimum": 0}));
    let commands: Vec<Value> =
        COMMANDS.iter().map(|c| command_body(*c, engine, std::slice::from_ref(&version))).collect();
    json!({
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
            "description": "A token from `regflow token add`, bound to one actor of one centre."}},
        "schemas": {
            "Problem": {"type": "object", "required": ["type", "title", "status", "detail", "code"], "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "code": {"type": "string"}, "field": {"type": "string"}}},
            "Party": {"type": "object", "required": ["name", "id"], "additionalProperties": false, "properties": {
                "name": {"type": "string"}, "id": {"type": "string"},
                "id_type": string_enum(IdType::ALL), "role": string_enum(PartyRole::ALL),
                "share": {"type": "string", "description": "The party's share as an exact fraction, e.g. 1/2"}}},
            "Case": case_schema(),
            "CreateCase": {"oneOf": creating},
            "CaseCommand": {"oneOf": commands},
            "Cases": {"type": "array", "items": reference("Case")},
        }
    })
}

/// Responses every authenticated route may give.
fn guarded(mut responses: Map<String, Value>) -> Value {
    responses.insert("401".into(), problem("No token, or one that is unknown or revoked"));
    responses.insert("403".into(), problem("The caller's role may not do this (forbidden_role, …)"));
    responses.insert("429".into(), problem("The token is over its request rate"));
    Value::Object(responses)
}

fn responses(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

fn query_param(name: &str, schema: Value, required: bool) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema})
}

/// The certificate routes (SPEC 15.1, 17 §10).
fn certificate_paths(bad: &Value, no_certificate: &Value, svg: &Value) -> Value {
    json!({
            "/v1/certificates/{id}": {"get": {"summary": "The electronic certificate's file, its exact RFC 8785 bytes (staff of the centre, the case's parties)",
                "parameters": [path_param("id", "The certificate id")],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["format", "id", "number", "signature"]}), "The certificate file")), ("404", no_certificate.clone())]))}},
            "/v1/certificates/{id}/qr.svg": {"get": {"summary": "The certificate's verification address as a QR code (SVG)",
                "parameters": [path_param("id", "The certificate id")],
                "responses": guarded(responses(&[("200", svg.clone()), ("404", no_certificate.clone())]))}},
            "/v1/certificates/{id}/verify": {"get": {"summary": "Public: whether a certificate is valid, superseded, cancelled or not genuine; no names, no identifiers",
                "security": [], "parameters": [path_param("id", "The certificate id"), query_param("hash", json!({"type": "string"}), false)],
                "responses": responses(&[("200", ok(json!({"type": "object", "required": ["id", "number", "type", "issued_at", "status", "by", "at"],
                    "properties": {"status": {"type": "string", "enum": ["valid", "superseded", "cancelled", "not_genuine"]}}}), "Where it stands")), ("400", bad.clone()), ("404", no_certificate.clone())])}},
            "/v1/keys/{centre}": {"get": {"summary": "Public: the centre's public signing keys (PEM), retired ones included",
                "security": [], "parameters": [path_param("centre", "The centre id")],
                "responses": responses(&[("200", ok(json!({"type": "object", "required": ["centre", "keys"]}), "The keys"))])}}
    })
}

/// The information-query routes (SPEC 15.2, 17 §10).
fn query_paths(bad: &Value, no_certificate: &Value, missing: &Value) -> Value {
    let forbidden = problem("Not a supervisor of the centre (forbidden_role)");
    json!({
            "/v1/query-results/{id}": {"get": {"summary": "The 查询结果证明's file, its exact RFC 8785 bytes (the querier, staff of the centre)",
                "parameters": [path_param("id", "The query result id")],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["format", "id", "number", "result_hash", "signature"]}), "The signed result")), ("404", no_certificate.clone())]))}},
            "/v1/query-results/{id}/verify": {"get": {"summary": "Public: whether a query result is genuine; no names, no identifiers",
                "security": [], "parameters": [path_param("id", "The query result id"), query_param("hash", json!({"type": "string"}), false)],
                "responses": responses(&[("200", ok(json!({"type": "object", "required": ["id", "number", "issued_at", "status"],
                    "properties": {"status": {"type": "string", "enum": ["valid", "not_genuine"]}}}), "Whether it is genuine")), ("400", bad.clone()), ("404", no_certificate.clone())])}},
            "/v1/cases/{id}/result": {"get": {"summary": "An answered information query: the page in the decided scope and its 查询结果证明 (the querier, staff)",
                "parameters": [path_param("id", "The case id")],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["id", "number", "page", "result_hash", "verify"]}), "The answer")), ("404", missing.clone())]))}},
            "/v1/query-log": {"get": {"summary": "The centre's query log, chained: every query decision and service read of a unit page (supervisors)",
                "parameters": [query_param("from", json!({"type": "string"}), false), query_param("to", json!({"type": "string"}), false),
                               query_param("unit", json!({"type": "string"}), false), query_param("querier", json!({"type": "string"}), false),
                               query_param("after", json!({"type": "integer", "minimum": 0}), false),
                               query_param("limit", json!({"type": "integer", "minimum": 1, "maximum": 1000}), false)],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["lines"]}), "The lines, in order")), ("400", bad.clone()), ("403", forbidden)]))}}
    })
}

/// The whole document for `engine`'s catalogue.
pub fn document(engine: &Engine) -> Value {
    let secured = json!([{"bearer": []}]);
    let bad =
        problem("A malformed request: bad JSON, an unknown or ill-typed field, a bad identifier, kind or material");
    let large = problem("The body is over the size limit");
    let missing = problem("No such case at the caller's centre (another centre's case is answered the same)");
    let svg = json!({"description": "SVG", "content": {"image/svg+xml": {"schema": {"type": "string"}}}});
    let no_certificate = problem("No such certificate, or not one the caller may fetch (certificate_not_found)");
    let refused = problem("Refused in the case's current state (invalid_transition, conflict, tasks_pending, …)");
    let reused = problem("The idempotency key was used for another request (idempotency_key_reused)");
    let idempotency = json!({"name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Scoped to the caller: a repeat returns the first response and applies nothing twice",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200}});
    let id = path_param("id", "The case id");
    let case_answer = ok(reference("Case"), "The case as the caller sees it");
    let certificates = certificate_paths(&bad, &no_certificate, &svg);
    let queries = query_paths(&bad, &no_certificate, &missing);
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "regflow", "version": env!("CARGO_PKG_VERSION"),
                 "description": "不动产登记 workflow engine: cases, working-day deadlines, history (SPEC 10)."},
        "security": secured,
        "components": components(engine),
        "paths": {
            "/v1/health": {"get": {"summary": "Liveness and whether the database answers", "security": [],
                "responses": {"200": ok(json!({"type": "object", "properties": {"status": {"type": "string"}, "database": {"type": "string"}}}), "Up"),
                              "503": ok(json!({"type": "object"}), "The database does not answer")}}},
            "/v1/guides": {"get": {"summary": "办事指南: every kind", "security": [],
                "responses": {"200": ok(json!({"type": "object", "required": ["policy", "kinds"]}), "The guides"),
                              "409": problem("No policy in force today")}}},
            "/v1/guides/{kind}": {"get": {"summary": "办事指南 of one kind", "security": [],
                "parameters": [{"name": "kind", "in": "path", "required": true, "description": "A kind id",
                    "schema": {"type": "string", "enum": names(engine.catalogue().ids())}}],
                "responses": {"200": ok(json!({"type": "object", "required": ["kind", "materials", "steps", "limits", "channels"]}), "The guide"),
                              "400": problem("No such kind (unknown_kind)"),
                              "409": problem("No policy in force today")}}},
            "/v1/cases": {"post": {"summary": "A creating command: apply, accept or handle_instantly",
                "parameters": [idempotency],
                "requestBody": {"required": true, "content": {"application/json": {"schema": reference("CreateCase")}}},
                "responses": guarded(responses(&[("201", case_answer.clone()), ("400", bad.clone()), ("409", refused.clone()),
                                                 ("413", large.clone()), ("422", reused.clone())]))}},
            "/v1/cases/{id}": {"get": {"summary": "The case", "parameters": [id.clone()],
                "responses": guarded(responses(&[("200", case_answer.clone()), ("404", missing.clone())]))}},
            "/v1/cases/{id}/commands": {"post": {"summary": "Any other command on the case",
                "parameters": [id.clone(), idempotency],
                "requestBody": {"required": true, "content": {"application/json": {"schema": reference("CaseCommand")}}},
                "responses": guarded(responses(&[("200", case_answer), ("400", bad.clone()), ("404", missing.clone()),
                                                 ("409", refused), ("413", large.clone()), ("422", reused)]))}},
            "/v1/cases/{id}/history": {"get": {"summary": "The case's events with their hashes", "parameters": [id.clone()],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["case", "events"],
                    "properties": {"case": {"type": "string"}, "events": {"type": "array", "items": {"type": "object",
                    "required": ["event", "prev_hash", "hash"]}}}}), "The history")), ("404", missing.clone())]))}},
            "/v1/cases/{id}/verify": {"get": {"summary": "Whether the chain and the stored case hold", "parameters": [id],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["case", "intact", "entries", "problems"],
                    "properties": {"intact": {"type": "boolean"}, "entries": {"type": "integer"}, "problems": {"type": "array"}}}), "The verification")),
                    ("404", missing.clone())]))}},
            "/v1/cases/{id}/entries": {"get": {"summary": "The register entries the case's events wrote", "parameters": [id.clone()],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["case", "entries"],
                    "properties": {"entries": {"type": "array", "items": {"type": "object"}}}}), "The entries")), ("404", missing)]))}},
            "/v1/units/{unit}": {"get": {"summary": "登记簿: the unit page now, or as of `at` (staff; an owner their own unit)",
                "parameters": [path_param("unit", "The 28-character property unit number"),
                    query_param("at", json!({"type": "string", "examples": ["2026-03-04T16:20:00+08:00"]}), false)],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["unit", "as_of", "status", "owners",
                    "mortgages", "seizures", "objections", "advance_notices", "restrictions"]}), "The page")),
                    ("400", bad.clone()), ("403", problem("Not the unit's owner nor the centre's staff (query_not_permitted)"))]))}},
            "/v1/units/{unit}/entries": {"get": {"summary": "The unit's register entries in seq order",
                "parameters": [path_param("unit", "The 28-character property unit number"),
                    query_param("from", json!({"type": "string"}), false), query_param("to", json!({"type": "string"}), false)],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["unit", "entries"]}), "The entries")),
                    ("400", bad.clone()), ("403", problem("Not the unit's owner nor the centre's staff (query_not_permitted)"))]))}},
            "/v1/register-entries": {"get": {"summary": "The centre's register entries with their reports (supervisor, reporter)",
                "parameters": [query_param("date", json!({"type": "string", "examples": ["2026-03-04"]}), false),
                    query_param("area", json!({"type": "string"}), false),
                    query_param("target", string_enum(regflow_process::register::Target::ALL), false),
                    query_param("state", string_enum(regflow_process::register::ReportState::ALL), false),
                    query_param("limit", json!({"type": "integer", "minimum": 1, "maximum": 1000}), false),
                    query_param("cursor", json!({"type": "string"}), false)],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["entries", "next_cursor"]}), "A page")),
                    ("400", bad.clone()), ("403", problem("Not a supervisor or reporter"))]))}},
            "/v1/register-entries/{id}": {"get": {"summary": "One entry with its reports (supervisor, reporter)",
                "parameters": [path_param("id", "The entry id (`xining.5`) or seq")],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["entry", "reports"]}), "The entry")),
                    ("403", problem("Not a supervisor or reporter")), ("409", problem("No such entry (no_such_entry)"))]))}},
            "/v1/register-entries/{id}/reports/{target}/ack": {"post": {"summary": "The reporting adapter's answer to a report (reporter)",
                "parameters": [path_param("id", "The entry id or seq"),
                    {"name": "target", "in": "path", "required": true, "schema": string_enum(regflow_process::register::Target::ALL)}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                    "required": ["message_id", "result"], "additionalProperties": false,
                    "properties": {"message_id": {"type": "string", "pattern": "^[0-9]{18}$"},
                        "result": string_enum(regflow_process::register::AckResult::ALL), "reason": {"type": "string"}}}}}},
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["message_id", "state"]}), "The report")),
                    ("400", bad.clone()), ("403", problem("Not a reporter")), ("409", problem("unknown_message, invalid_transition")),
                    ("413", large.clone())]))}},
            "/v1/register-entries/{id}/reports/{target}/retry": {"post": {"summary": "Retry a rejected report under a new id (supervisor)",
                "parameters": [path_param("id", "The entry id or seq"),
                    {"name": "target", "in": "path", "required": true, "schema": string_enum(regflow_process::register::Target::ALL)}],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["message_id", "state"]}), "The report")),
                    ("400", bad.clone()), ("403", problem("Not a supervisor")), ("409", problem("report_not_rejected, unknown_message"))]))}},
            "/v1/register-logs/{target}/{area}/{date}": {"get": {"summary": "The closed 登簿日志 of a day (supervisor, reporter)",
                "parameters": [{"name": "target", "in": "path", "required": true, "schema": string_enum(regflow_process::register::Target::ALL)},
                    path_param("area", "The 6-digit area code"), path_param("date", "YYYY-MM-DD")],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["target", "area", "date", "recorded", "accepted"]}), "The log")),
                    ("400", bad.clone()), ("403", problem("Not a supervisor or reporter")), ("409", problem("No closed log (no_such_entry)"))]))}},
            "/v1/queues/{role}": {"get": {"summary": "A page of the caller's work queue in a role (priority order)",
                "parameters": [
                    {"name": "role", "in": "path", "required": true, "schema": string_enum(Role::ALL)},
                    query_param("limit", json!({"type": "integer", "minimum": 1, "maximum": 1000}), false),
                    query_param("cursor", json!({"type": "string"}), false)],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["role", "cases", "next_cursor"],
                    "properties": {"cases": reference("Cases"), "next_cursor": nullable(json!({"type": "string"}))}}), "A page")),
                    ("400", bad.clone())]))}},
            "/v1/my/cases": {"get": {"summary": "我的业务: the calling applicant's cases",
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["applicant", "cases"],
                    "properties": {"cases": reference("Cases")}}), "Own cases")), ("400", bad.clone())]))}},
            "/v1/reports": {"get": {"summary": "The SPEC 7 report of the caller's centre, with figures per channel",
                "parameters": [
                    query_param("from", json!({"type": "string", "examples": ["2026-03-01"]}), true),
                    query_param("to", json!({"type": "string", "examples": ["2026-04-01"]}), true),
                    query_param("kind", json!({"type": "string"}), false),
                    query_param("applicant_category", string_enum(ApplicantCategory::ALL), false),
                    query_param("channel", string_enum(Channel::ALL), false),
                    query_param("basis", json!({"type": "string", "enum": ["opened", "completed"]}), false)],
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["overall", "by_category", "by_kind", "by_channel", "overdue"]}), "The report")),
                    ("400", bad.clone())]))}},
            "/v1/overdue": {"get": {"summary": "The caller's centre's cases past a deadline now",
                "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["at", "cases"]}), "The overdue list"))]))}},
            "/v1/calendar": {
                "get": {"summary": "The calendar in force: years covered and version",
                    "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["version", "years"],
                        "properties": {"version": {"type": "string"}, "years": {"type": "array", "items": {"type": "integer"}}}}), "The calendar"))]))},
                "post": {"summary": "Load a holiday schedule (CSV date,kind,name,source), merged by year (supervisor)",
                    "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}}},
                    "responses": guarded(responses(&[("200", ok(json!({"type": "object", "required": ["version", "years", "changed_years"]}), "Loaded and re-projected")),
                        ("400", bad), ("409", problem("The calendar cannot be computed with")), ("413", large)]))}},
            "/v1/alerts/stream": {"get": {"summary": "The caller's centre's alerts as Server-Sent Events, resumable with Last-Event-ID",
                "parameters": [{"name": "Last-Event-ID", "in": "header", "required": false, "schema": {"type": "string"}},
                               query_param("after", json!({"type": "integer", "minimum": 0}), false)],
                "responses": guarded(responses(&[("200", json!({"description": "The stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}})),
                    ("400", problem("A Last-Event-ID that is not an alert id"))]))}},
            "/v1/openapi.json": {"get": {"summary": "This document", "security": [],
                "responses": {"200": ok(json!({"type": "object"}), "The document")}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "security": [],
                "responses": {"200": {"description": "OpenMetrics text", "content": {"application/openmetrics-text": {"schema": {"type": "string"}}}}}}},
        }
    });
    for more in [certificates, queries] {
        if let (Some(paths), Value::Object(more)) = (doc["paths"].as_object_mut(), more) {
            paths.extend(more);
        }
    }
    doc
}
