//! The JSON documents the service answers with. Presentation only: every fact comes from
//! the engine's types, times are written in the centre's offset (SPEC 10).

use chrono::{DateTime, Utc};
use regflow_executor::Engine;
use regflow_process::case::Stage;
use regflow_process::catalogue::Provider;
use regflow_process::transition;
use regflow_process::{Actor, ApplicantCategory, Case, Catalogue, KindSpec, OfficeHours, Policy, Promise};
use serde_json::{json, Map, Value};

/// Rewrites, in place, every time under a key that names one (`at`, `…_at`, `since`,
/// `from`, `to`, `…_due`) from UTC into `hours`' offset. Free text (notes, comments,
/// problems) is never touched.
pub fn localise(value: &mut Value, hours: &OfficeHours) {
    fn is_time_key(key: &str) -> bool {
        key == "at" || key.ends_with("_at") || key.ends_with("_due") || matches!(key, "since" | "from" | "to")
    }
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if let (true, Value::String(s)) = (is_time_key(key), &*v) {
                    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                        *v = json!(hours.format(t.with_timezone(&Utc)));
                    }
                } else {
                    localise(v, hours);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| localise(v, hours)),
        _ => {}
    }
}

/// The case as SPEC 10 describes it, with the commands `caller` may send now.
pub fn case_doc(engine: &Engine, case: &Case, caller: &Actor) -> Value {
    let hours = engine.centre(case.centre()).map(|c| c.hours).unwrap_or_default();
    let t = |at: DateTime<Utc>| json!(hours.format(at));
    let intake = case.intake();
    let parties: Vec<Value> = intake
        .applicants
        .iter()
        .map(|a| {
            let mut p = json!({"name": a.name, "id": a.id.as_str(), "id_type": a.id.id_type(), "role": a.role});
            if let Some(share) = &a.share {
                p["share"] = json!(share);
            }
            p
        })
        .collect();
    let deadlines = case.deadlines().map(|d| {
        json!({
            "promise": {"due_at": t(d.promise.due_at), "warning_at": d.promise.warning_at.map(t), "provisional": d.promise.provisional},
            "statutory": {"due_at": t(d.statutory.due_at), "warning_at": d.statutory.warning_at.map(t), "provisional": d.statutory.provisional},
            "provisional": d.provisional(),
            "calendar_version": d.calendar_version,
            "extensions": case.extensions().iter().map(|e| serde_json::to_value(e).unwrap_or(Value::Null)).collect::<Vec<_>>(),
        })
    });
    let suspension = case.suspension().map(|s| {
        json!({"cause": s.cause, "note": s.note, "since": t(s.since), "resume_to": s.resume_to,
               "notice_ends_at": s.notice.map(|n| t(n.ends_at))})
    });
    let completion = case.completion().map(|c| {
        json!({"at": t(c.at), "working_days_used": c.working_days_used, "on_time": c.on_time,
               "within_statute": c.within_statute, "provisional": c.provisional})
    });
    let outcome = match case.stage() {
        Stage::Returned { problems } => json!({"problems": problems}),
        Stage::Rejected { ground, note } => json!({"ground": ground, "note": note}),
        _ => Value::Null,
    };
    let alerts: Vec<Value> = case
        .alerts()
        .iter()
        .map(|a| json!({"clock": a.alert.clock, "level": a.alert.level, "at": t(a.alert.at), "raised_at": t(a.raised_at)}))
        .collect();
    let commands = engine
        .catalogue()
        .get(case.kind().as_str())
        .map(|k| transition::available(case, k, caller))
        .unwrap_or_default();
    let mut doc = json!({
        "id": case.id(),
        "centre": case.centre(),
        "version": case.version(),
        "state": case.state(),
        "kind": case.kind(),
        "applicant_category": intake.category,
        "channel": intake.channel,
        "priority": intake.priority,
        "unit": intake.unit.as_str(),
        "parties": parties,
        "materials": {
            "presented": case.materials(),
            "missing": case.missing(),
            "pledged": case.pledged(),
        },
        "tasks": case.tasks(),
        "accepted_at": case.acceptance().map(|a| t(a.at)),
        "deadlines": deadlines,
        "suspension": suspension,
        "completion": completion,
        "outcome": outcome,
        "evaluation": case.evaluation(),
        "alerts": alerts,
        "created_at": t(case.created_at()),
        "updated_at": t(case.updated_at()),
        "commands": commands,
    });
    if let Some(Value::Object(e)) = doc.get_mut("evaluation") {
        if let Some(Value::String(at)) = e.get("at").cloned() {
            if let Ok(at) = DateTime::parse_from_rfc3339(&at) {
                e.insert("at".into(), t(at.with_timezone(&Utc)));
            }
        }
    }
    doc
}

fn promise(p: Promise) -> Value {
    match p {
        Promise::WorkingDays(n) => json!({"working_days": n}),
        Promise::Instant => json!("instant"),
    }
}

/// 办事指南 of every kind of `catalogue` under `policy`, in catalogue order.
pub fn guides(catalogue: &Catalogue, policy: &Policy) -> Vec<Value> {
    catalogue.kinds().iter().map(|k| guide(k, policy)).collect()
}

/// 办事指南 of one kind under `policy`: materials, steps, limits per category, channels.
pub fn guide(kind: &KindSpec, policy: &Policy) -> Value {
    let materials: Vec<Value> = kind
        .materials
        .iter()
        .map(|m| {
            let provided_by = match m.provider {
                Provider::Applicant => json!("applicant"),
                Provider::Task(task) => json!({"task": task, "officer": task.officer()}),
            };
            json!({"id": m.id, "name": m.name, "key": m.key, "provided_by": provided_by})
        })
        .collect();
    let steps = transition::steps(kind);
    let mut limits = Map::new();
    for category in ApplicantCategory::ALL {
        limits.insert(
            category.as_str().into(),
            json!({"promise": promise(policy.promise_for(&kind.id, category)), "statutory_working_days": policy.statutory_days()}),
        );
    }
    json!({
        "kind": kind.id,
        "name": kind.name,
        "materials": materials,
        "tasks": kind.tasks,
        "steps": steps,
        "public_notice_working_days": kind.public_notice_days,
        "limits": limits,
        "policy": policy.id().as_str(),
        "channels": kind.channels,
        "pledges_allowed": kind.pledges,
        "materials_before_reform": kind.materials_before_reform,
    })
}
