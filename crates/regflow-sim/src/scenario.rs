//! The scenario format of SPEC 9: a JSON file of timed steps run through an [`Engine`] on
//! a manual clock, and the JSON document that reports the cases and the refused steps.
//!
//! `cargo run --example scenario -- FILE.json [--database URL]` is the command-line face
//! of [`run`].

use chrono::{DateTime, Utc};
use regflow_executor::{Engine, Error, IgnoreAlerts, ManualClock, Request};
use regflow_process::case::Stage;
use regflow_process::wire::{self, Args};
use regflow_process::{Actor, Calendar, Case, CaseId, Centre, CentreId, ErrorCode, OfficeHours, Refusal, Role};
use serde::Serialize;
use serde_json::Value;
use sha2::Digest as _;
use std::collections::{BTreeMap, BTreeSet};

/// The scenario file could not be run at all (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ScenarioError(pub String);

/// The output document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output {
    /// Every case that exists, by the scenario's label.
    pub cases: BTreeMap<String, CaseOut>,
    /// Every refused step.
    pub errors: Vec<StepError>,
    /// The unit pages saved by `unit_page` steps, by their label (present when one ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<BTreeMap<String, Value>>,
    /// Each unit's page at the end (when `include` names `units`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<BTreeMap<String, Value>>,
    /// Every register entry (when `include` names `entries`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<EntryOut>>,
    /// Every report (when `include` names `reports`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports: Option<Vec<ReportOut>>,
    /// The closed daily logs (when `include` names `logs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs: Option<Vec<Value>>,
    /// Notices besides case alerts (when `include` names `notices`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notices: Option<Vec<NoticeOut>>,
    /// Each issued certificate by its case's label (when `include` names `certificates`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<BTreeMap<String, CertificateOut>>,
    /// The query log's lines (when `include` names `queries`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queries: Option<Vec<QueryOut>>,
}

/// One line of the query log in the output (SPEC 17, section 9).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryOut {
    /// Its place in the centre's query log.
    pub seq: u64,
    /// The query case's label (the one a refused query named); null for a service read.
    pub case: Option<String>,
    /// `owner`, `interested_party`, `authority` or `staff`.
    pub class: regflow_process::register::query::ReaderClass,
    /// `refused`, `accepted`, `deferred`, `answered` or `read`.
    pub outcome: regflow_process::register::query::Outcome,
    /// A refusal's code.
    pub code: Option<regflow_process::ErrorCode>,
}

/// One certificate in the output (SPEC 17, section 9).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateOut {
    /// Its number.
    pub number: String,
    /// Its hash.
    pub hash: String,
    /// `valid`, `superseded` or `cancelled` at the end of the run.
    pub status: regflow_process::register::certificate::Status,
}

/// One notice in the output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeOut {
    /// `report_overdue`, `unreported_entries` or `excess_reports`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it came due.
    pub at: String,
    /// What it is about: `{entry}/{target}/{message_id}` or `{target}/{area}/{date}`.
    pub subject: String,
}

/// One report in the output (SPEC 17, section 9).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportOut {
    /// The entry's `seq`.
    pub entry: u64,
    /// The label of the case whose event wrote the entry.
    pub case: Option<String>,
    /// The target.
    pub target: String,
    /// queued, sent, accepted or rejected.
    pub state: String,
    /// The current message id.
    pub message_id: String,
}

/// One register entry in the output (SPEC 17, section 9).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryOut {
    /// Its place in the centre's register.
    pub seq: u64,
    /// Its type.
    #[serde(rename = "type")]
    pub entry_type: String,
    /// The unit.
    pub unit: String,
    /// The label of the case whose event wrote it (null for a timer or import).
    pub case: Option<String>,
    /// 登记类型.
    pub class: u16,
    /// When it took effect.
    pub recorded_at: String,
    /// Brought in by an import.
    pub history: bool,
    /// The entry it ends, changes or corrects.
    pub refers_to: Option<u64>,
}

/// The outputs a scenario's top-level `include` may add.
const INCLUDES: [&str; 7] = ["units", "entries", "reports", "logs", "notices", "certificates", "queries"];

/// One case in the output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseOut {
    /// The state id.
    pub state: String,
    /// The kind id.
    pub kind: String,
    /// `individual` or `organisation`.
    pub applicant_category: String,
    /// RFC 3339 in the centre's offset; null if never accepted.
    pub accepted_at: Option<String>,
    /// The promise deadline.
    pub promise_due_at: Option<String>,
    /// The statutory deadline.
    pub statutory_due_at: Option<String>,
    /// Whether either deadline is provisional.
    pub provisional: Option<bool>,
    /// When the case completed.
    pub completed_at: Option<String>,
    /// Working days used, for a completed case.
    pub working_days_used: Option<u32>,
    /// Completed by the promise deadline.
    pub on_time: Option<bool>,
    /// The 一次性告知 list of a not-accepted case.
    pub missing_materials: Vec<String>,
    /// Pledges still outstanding.
    pub pledged_materials: Vec<String>,
    /// Each parallel task's status.
    pub tasks: BTreeMap<String, String>,
    /// Alerts fired so far.
    pub alerts: Vec<AlertOut>,
    /// History entries.
    pub events: u64,
}

/// One fired alert in the output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertOut {
    /// `promise` or `statutory`.
    pub clock: String,
    /// `warning` or `breach`.
    pub level: String,
    /// The instant it was due.
    pub at: String,
}

/// One refused step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepError {
    /// 0-based index over all steps.
    pub step: usize,
    /// The step's case label, if it has one.
    pub case: Option<String>,
    /// The SPEC 8 code.
    pub code: ErrorCode,
    /// What went wrong.
    pub message: String,
}

/// Checks the file's shape: JSON, a `steps` array, every step with `at` and `command`.
///
/// # Errors
/// [`ScenarioError`] saying where the file is wrong.
pub fn parse(text: &str) -> Result<Value, ScenarioError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| ScenarioError(format!("not JSON: {e} (line {}, column {})", e.line(), e.column())))?;
    let steps = doc
        .get("steps")
        .and_then(Value::as_array)
        .ok_or_else(|| ScenarioError("the document has no `steps` array".into()))?;
    for (i, step) in steps.iter().enumerate() {
        for field in ["at", "command"] {
            if step.get(field).is_none() {
                return Err(ScenarioError(format!("step {i} has no `{field}`")));
            }
        }
    }
    Ok(doc)
}

fn refused(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal::new(code, message)
}

/// Runs a scenario document on a fresh engine at `database` (e.g. `sqlite::memory:`).
///
/// # Errors
/// [`ScenarioError`] when the file is not of the scenario shape, the centre settings are
/// invalid, or the database cannot be opened.
pub async fn run(text: &str, database: &str) -> Result<Output, ScenarioError> {
    let doc = parse(text)?;
    let centre_doc = doc.get("centre").cloned().unwrap_or(Value::Null);
    let field = |name: &str, default: &str| {
        centre_doc.get(name).and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| default.to_owned())
    };
    let centre_id = CentreId::new(field("id", "xining"));
    let hours = OfficeHours::parse(&field("time_zone", "Asia/Shanghai"), &field("closing_time", "18:00"))
        .map_err(|e| ScenarioError(format!("centre.{e}")))?;
    let mut centre = Centre::new(centre_id.as_str());
    centre.hours = hours;
    if let Some(years) = centre_doc.get("seizure_term_years") {
        let max = regflow_process::register::clock::MAX_TERM_YEARS;
        centre.register.seizure_term_years =
            years.as_u64().and_then(|y| u32::try_from(y).ok()).filter(|y| (1..=max).contains(y)).ok_or_else(|| {
                ScenarioError(format!("centre.seizure_term_years must be a whole number from 1 to {max}"))
            })?;
    }
    if let Some(rest) = centre_doc.get("rest_days") {
        centre.register.rest_days = rest
            .as_str()
            .ok_or_else(|| ScenarioError("centre.rest_days must be a string".into()))?
            .parse()
            .map_err(|e| ScenarioError(format!("centre.rest_days: {e}")))?;
    }
    if let Some(require) = centre_doc.get("require_parties") {
        centre.register.require_parties =
            require.as_bool().ok_or_else(|| ScenarioError("centre.require_parties must be true or false".into()))?;
    }
    let mut staff: BTreeMap<String, Vec<Role>> = BTreeMap::new();
    if let Some(map) = doc.get("staff").and_then(Value::as_object) {
        for (id, roles) in map {
            // A list of roles, or an object with `roles` (and a team and supervisor).
            let roles = roles.get("roles").unwrap_or(roles);
            let roles = roles
                .as_array()
                .ok_or_else(|| ScenarioError(format!("staff.{id} must be a list of roles or {{\"roles\": […]}}")))?
                .iter()
                .map(|r| {
                    r.as_str()
                        .and_then(|r| r.parse::<Role>().ok())
                        .ok_or_else(|| ScenarioError(format!("staff.{id}: unknown role {r}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            staff.insert(id.clone(), roles);
        }
    }
    let mut include: BTreeSet<String> = BTreeSet::new();
    if let Some(list) = doc.get("include") {
        for item in list.as_array().ok_or_else(|| ScenarioError("`include` must be a list".into()))? {
            let name = item.as_str().unwrap_or_default();
            if !INCLUDES.contains(&name) {
                return Err(ScenarioError(format!("include: `{item}` is not one of {}", INCLUDES.join(", "))));
            }
            include.insert(name.to_owned());
        }
    }
    let steps = doc["steps"].as_array().cloned().unwrap_or_default();
    let first = steps
        .iter()
        .find_map(|s| s.get("at").and_then(Value::as_str).and_then(|t| DateTime::parse_from_rfc3339(t).ok()))
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
    let clock = ManualClock::new(first);
    // A fixed, public key, so a scenario's certificate hashes are the same on every run
    // (the hash covers the key's id); it signs nothing real.
    let seed: [u8; 32] = sha2::Sha256::digest(format!("regflow scenario key {}", centre.id).as_bytes()).into();
    let key =
        regflow_executor::signing::SigningKey::from_secret_bytes(regflow_executor::signing::Algorithm::Sm2, &seed)
            .map_err(|e| ScenarioError(e.to_string()))?;
    let engine = Engine::builder(database)
        .calendar(Calendar::builtin())
        .signing_key(centre.id.clone(), key)
        .centre(centre.clone())
        .clock(clock.clone())
        .build()
        .await
        .map_err(|e| ScenarioError(format!("database: {e}")))?;
    // A scenario starts from the built-in calendar, whatever an earlier run loaded into
    // the database.
    if engine.calendar().version() != Calendar::builtin().version() {
        engine
            .replace_calendar(&Actor::system(centre_id.clone()), &Calendar::builtin().to_csv())
            .await
            .map_err(|e| ScenarioError(format!("database: {e}")))?;
    }
    // Case ids are unique per run, so a run never meets another run's cases (the centre's
    // register is the database's: a run on a database that has one builds on it).
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let case_id = |label: &str| CaseId::new(format!("{label}@{}", &run_id[..12]));
    let mut labels: BTreeSet<String> = BTreeSet::new();
    let mut errors = Vec::new();
    let mut pages: Option<BTreeMap<String, Value>> = None;
    let mut last = first;
    for (i, step) in steps.iter().enumerate() {
        let label = step.get("case").and_then(Value::as_str).map(str::to_owned);
        let outcome = run_step(step, &engine, &clock, &mut last, &staff, &centre, &labels, &case_id).await;
        match outcome {
            Ok(Done::Created(created)) => {
                labels.insert(created);
            }
            Ok(Done::Page(label, page)) => {
                pages.get_or_insert_with(BTreeMap::new).insert(label, page);
            }
            Ok(Done::Nothing) => {}
            Err(r) => {
                // Messages name the scenario's labels, not the run's internal case ids.
                let message = r.message.replace(&format!("@{}", &run_id[..12]), "");
                errors.push(StepError { step: i, case: label, code: r.code, message });
            }
        }
    }
    let mut cases = BTreeMap::new();
    for label in &labels {
        if let Some(view) = engine.case(&case_id(label)).await.map_err(|e| ScenarioError(e.to_string()))? {
            cases.insert(label.clone(), case_out(&view.case, &centre.hours));
        }
    }
    let failed = |e: Error| ScenarioError(e.to_string());
    let mut all = Vec::new();
    if !include.is_empty() {
        loop {
            let after = all.last().map_or(0, |e: &regflow_process::register::Entry| e.seq);
            let page = engine.register_entries(&centre.id, after, 1000).await.map_err(failed)?;
            if page.is_empty() {
                break;
            }
            all.extend(page);
        }
    }
    let label_of = |case: &CaseId| case.as_str().split('@').next().unwrap_or_default().to_owned();
    let entries = include.contains("entries").then(|| {
        all.iter()
            .map(|e| EntryOut {
                seq: e.seq,
                entry_type: e.entry_type().as_str().to_owned(),
                unit: e.draft.unit.to_string(),
                case: e.draft.case.as_ref().map(label_of),
                class: e.draft.class.code(),
                recorded_at: centre.hours.format(e.draft.recorded_at),
                history: e.draft.history,
                refers_to: e.draft.refers_to,
            })
            .collect()
    });
    let units = if include.contains("units") {
        let mut out = BTreeMap::new();
        let names: BTreeSet<&regflow_process::identifier::UnitNumber> = all.iter().map(|e| &e.draft.unit).collect();
        for unit in names {
            let page = engine.unit_page(&centre.id, unit, Some(last)).await.map_err(failed)?;
            out.insert(unit.to_string(), serde_json::to_value(page).map_err(|e| ScenarioError(e.to_string()))?);
        }
        Some(out)
    } else {
        None
    };
    let reports = if include.contains("reports") {
        let mut out = Vec::new();
        for e in &all {
            for r in engine.reports(&centre.id, e.seq - 1, 100, Some(e.seq)).await.map_err(failed)? {
                out.push(ReportOut {
                    entry: r.entry,
                    case: e.draft.case.as_ref().map(label_of),
                    target: r.target.as_str().to_owned(),
                    state: r.state.as_str().to_owned(),
                    message_id: r.message_id.to_string(),
                });
            }
        }
        Some(out)
    } else {
        None
    };
    let logs = if include.contains("logs") {
        let mut out = Vec::new();
        for log in engine.register_logs(&centre.id).await.map_err(failed)? {
            let seqs = |key: &str| -> Value {
                Value::Array(log[key].as_array().into_iter().flatten().map(|l| l["entry"].clone()).collect())
            };
            out.push(serde_json::json!({"target": log["target"], "area": log["area"], "date": log["date"],
                "recorded": log["recorded"], "accepted": log["accepted"],
                "unreported": seqs("unreported"), "excess": seqs("excess")}));
        }
        Some(out)
    } else {
        None
    };
    let notices = if include.contains("notices") {
        let prefix = format!("{}.", centre.id);
        let list = engine.notices(&centre.id, 0, 10_000).await.map_err(failed)?;
        Some(
            list.into_iter()
                .map(|n| NoticeOut {
                    kind: n.kind,
                    at: centre.hours.format(n.at),
                    subject: n.subject.strip_prefix(&prefix).unwrap_or(&n.subject).to_owned(),
                })
                .collect(),
        )
    } else {
        None
    };
    let certificates = if include.contains("certificates") {
        let ids: Vec<CaseId> = cases.keys().map(|label| case_id(label)).collect();
        let refs: Vec<&CaseId> = ids.iter().collect();
        let mut out = BTreeMap::new();
        for (case, c) in engine.certificates_of(&centre.id, &refs).await.map_err(failed)? {
            let status = engine.verify_certificate(&c.document.id, None).await.map_err(failed)?.status;
            out.insert(label_of(&case), CertificateOut { number: c.document.number, hash: c.hash, status });
        }
        Some(out)
    } else {
        None
    };
    let queries = if include.contains("queries") {
        let q = regflow_executor::query_log::QueryLogQuery::default();
        let mut out = Vec::new();
        loop {
            let after = out.last().map_or(0, |l: &QueryOut| l.seq);
            let lines = engine
                .query_log(&centre.id, &regflow_executor::query_log::QueryLogQuery { after, ..q.clone() })
                .await
                .map_err(failed)?;
            if lines.is_empty() {
                break;
            }
            out.extend(lines.into_iter().map(|l| QueryOut {
                seq: l.seq,
                case: l.draft.case.as_ref().map(|c| label_of(&CaseId::new(c.as_str()))),
                class: l.draft.class,
                outcome: l.draft.outcome,
                code: l.draft.code,
            }));
        }
        Some(out)
    } else {
        None
    };
    Ok(Output { cases, errors, pages, units, entries, reports, logs, notices, certificates, queries })
}

/// What a step did.
enum Done {
    /// It created the case of this label.
    Created(String),
    /// A `unit_page` step saved this page under this label.
    Page(String, Value),
    /// Anything else.
    Nothing,
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    step: &Value,
    engine: &Engine,
    clock: &ManualClock,
    last: &mut DateTime<Utc>,
    staff: &BTreeMap<String, Vec<Role>>,
    centre: &Centre,
    labels: &BTreeSet<String>,
    case_id: &impl Fn(&str) -> CaseId,
) -> Result<Done, Refusal> {
    let at = step["at"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or_else(|| Refusal::argument("at", "`at` must be an RFC 3339 time"))?
        .with_timezone(&Utc);
    if at < *last {
        return Err(refused(
            ErrorCode::TimeWentBackwards,
            format!(
                "step time {} is before the previous step's {}",
                centre.hours.format(at),
                centre.hours.format(*last)
            ),
        ));
    }
    // Everything due strictly before this instant happens first, in time order.
    engine.run_due(at, &IgnoreAlerts).await.map_err(internal)?;
    clock.set(at);
    *last = at;
    // Reports are handed over as soon as they are queued (SPEC 17, section 9).
    engine.deliver_reports(&regflow_executor::TakeReports).await.map_err(internal)?;
    let name = step["command"].as_str().ok_or_else(|| Refusal::argument("command", "`command` must be a string"))?;
    let fields = step.as_object().expect("steps are objects");
    let args = Args(fields);
    match name {
        "tick" => return Ok(Done::Nothing),
        "report_ack" | "report_retry" => {
            let actor_id = args.need(Args::str, "actor")?;
            let actor = staff_actor(staff, centre, &actor_id)
                .ok_or_else(|| Refusal::argument("actor", format!("`{actor_id}` is not in `staff`")))?;
            let target = args.need(|a, f| a.parsed(f, |t| t.parse::<regflow_process::register::Target>()), "target")?;
            let entry = entry_seq(engine, centre, fields.get("entry"), case_id).await?;
            if name == "report_retry" {
                engine.retry_report(&actor, entry, target).await.map_err(refusal_of)?;
            } else {
                let result =
                    args.need(|a, f| a.parsed(f, |t| t.parse::<regflow_process::register::AckResult>()), "result")?;
                let message_id = match args.str("message_id")? {
                    Some(text) => regflow_process::register::MessageId::parse(&text)
                        .map_err(|e| Refusal::argument("message_id", e))?,
                    None => engine
                        .reports(&centre.id, entry - 1, 10, Some(entry))
                        .await
                        .map_err(refusal_of)?
                        .into_iter()
                        .find(|r| r.target == target)
                        .map(|r| r.message_id)
                        .ok_or_else(|| {
                            refused(ErrorCode::UnknownMessage, format!("entry {entry} has no report to {target}"))
                        })?,
                };
                let reason = args.str("reason")?;
                engine
                    .ack_report(&actor, entry, target, &message_id, result, reason.as_deref())
                    .await
                    .map_err(refusal_of)?;
            }
            return Ok(Done::Nothing);
        }
        "unit_page" => {
            let unit = args.need(Args::str, "unit")?;
            let unit = regflow_process::identifier::UnitNumber::parse(&unit)
                .map_err(|e| refused(ErrorCode::InvalidIdentifier, format!("unit: {e}")))?;
            let label = args.need(Args::str, "label")?;
            let as_of = match args.str("as_of")? {
                None => at,
                Some(t) => {
                    centre.hours.parse_instant(&t).map_err(|e| Refusal::argument("as_of", format!("as_of: {e}")))?
                }
            };
            let page = engine.unit_page(&centre.id, &unit, Some(as_of)).await.map_err(refusal_of)?;
            let page = serde_json::to_value(page).map_err(|e| refused(ErrorCode::InvalidArgument, e.to_string()))?;
            return Ok(Done::Page(label, page));
        }
        "load_calendar" => {
            let csv = args.need(Args::str, "csv")?;
            let by = match args.str("actor")? {
                Some(id) => staff_actor(staff, centre, &id)
                    .ok_or_else(|| Refusal::argument("actor", format!("`{id}` is not in `staff`")))?,
                None => Actor::system(centre.id.clone()),
            };
            // SPEC 9: the step's text merges by year (SPEC 2.1); `"mode": "replace"`
            // replaces the whole calendar instead.
            let loaded = match args.str("mode")?.as_deref() {
                None | Some("merge") => engine.load_calendar(&by, &csv).await,
                Some("replace") => engine.replace_calendar(&by, &csv).await,
                Some(other) => {
                    return Err(Refusal::argument(
                        "mode",
                        format!("`mode` is `{other}`: expected `merge` (the default) or `replace`"),
                    ))
                }
            };
            loaded.map_err(refusal_of)?;
            return Ok(Done::Nothing);
        }
        _ => {}
    }
    wire::command_name(name)?;
    let label = args.need(Args::str, "case")?;
    let actor_id = args.need(Args::str, "actor")?;
    let exists = labels.contains(&label);
    // An argument naming an entry by a case's label names that case's entry.
    let mut fields = fields.clone();
    for field in ["mortgage_entry", "seizure_entry", "corrects", "entry"] {
        if let Some(Value::String(named)) = fields.get(field) {
            let id = case_id(named).as_str().to_owned();
            fields.insert(field.to_owned(), Value::String(id));
        }
    }
    let command = wire::command(name, &fields, exists)?;
    let actor = match staff_actor(staff, centre, &actor_id) {
        Some(actor) => actor,
        None if command.name().applicant_side() => Actor::applicant(actor_id.clone(), centre.id.clone()),
        None => return Err(Refusal::argument("actor", format!("unknown actor `{actor_id}`"))),
    };
    let id = case_id(&label);
    let creates = command.name().creates() && !exists;
    engine.execute(Request::to(&id, actor, command)).await.map_err(refusal_of)?;
    Ok(if creates { Done::Created(label) } else { Done::Nothing })
}

/// The `seq` of the entry a step names: a number, or the label of the case whose
/// recording wrote it.
async fn entry_seq(
    engine: &Engine,
    centre: &Centre,
    given: Option<&Value>,
    case_id: &impl Fn(&str) -> CaseId,
) -> Result<u64, Refusal> {
    match given {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n > 0) => Ok(n.as_u64().unwrap_or_default()),
        Some(Value::String(label)) => {
            let entries = engine.case_entries(&case_id(label)).await.map_err(refusal_of)?;
            entries
                .first()
                .filter(|e| e.centre == centre.id)
                .map(|e| e.seq)
                .ok_or_else(|| refused(ErrorCode::NoSuchEntry, format!("case {label} wrote no register entry")))
        }
        None | Some(Value::Null) => Err(Refusal::argument("entry", "`entry` is missing: a seq or a case label")),
        Some(_) => Err(Refusal::argument("entry", "`entry` must be a seq (a number from 1) or a case label")),
    }
}

fn staff_actor(staff: &BTreeMap<String, Vec<Role>>, centre: &Centre, id: &str) -> Option<Actor> {
    staff.get(id).map(|roles| Actor::new(id, roles.iter().copied(), centre.id.clone()))
}

fn internal(e: Error) -> Refusal {
    refused(ErrorCode::InvalidArgument, format!("engine error: {e}"))
}

fn refusal_of(e: Error) -> Refusal {
    match e {
        Error::Refused(r) => r,
        other => internal(other),
    }
}

fn case_out(case: &Case, hours: &OfficeHours) -> CaseOut {
    let fmt = |t: DateTime<Utc>| hours.format(t);
    let deadlines = case.deadlines();
    let completion = case.completion();
    CaseOut {
        state: case.state().as_str().into(),
        kind: case.kind().to_string(),
        applicant_category: case.intake().category.as_str().into(),
        accepted_at: case.acceptance().map(|a| fmt(a.at)),
        promise_due_at: deadlines.map(|d| fmt(d.promise.due_at)),
        statutory_due_at: deadlines.map(|d| fmt(d.statutory.due_at)),
        provisional: deadlines.map(|d| d.provisional()),
        completed_at: completion.map(|c| fmt(c.at)),
        working_days_used: completion.map(|c| c.working_days_used),
        on_time: completion.map(|c| c.on_time),
        missing_materials: match case.stage() {
            Stage::NotAccepted { missing } => missing.iter().map(|m| m.to_string()).collect(),
            _ => Vec::new(),
        },
        pledged_materials: case.pledged().iter().map(|m| m.to_string()).collect(),
        tasks: case.tasks().iter().map(|(t, s)| (t.as_str().to_owned(), s.as_str().to_owned())).collect(),
        alerts: case
            .alerts()
            .iter()
            .map(|r| AlertOut {
                clock: r.alert.clock.as_str().into(),
                level: r.alert.level.as_str().into(),
                at: fmt(r.alert.at),
            })
            .collect(),
        events: case.version(),
    }
}
