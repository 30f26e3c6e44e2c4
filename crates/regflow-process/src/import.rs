//! Bringing a centre's existing cases in: one record of the JSON-lines import format
//! becomes a case whose history starts with one `import` event.
//!
//! The record's steps (acceptance, materials supplied, tasks, suspensions, extensions,
//! review, recording, the certificate, a rejection or withdrawal, the evaluation) are run
//! through [`decide`] in memory, each at its own historical instant, so the case gets
//! exactly the deadlines, clocks and completion figures the rules give: the policy in force
//! at acceptance, suspended working days added, extensions granted. Seizures are not
//! checked again (the register recorded what it recorded). The resulting case is stored in
//! the `import` event, which replays to it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, CentreId, Role};
use crate::calendar::Calendar;
use crate::case::{Case, CaseId, State, SuspensionCause};
use crate::catalogue::{Catalogue, Task};
use crate::command::{Command, CommandName, IntakeInput};
use crate::decide::{decide, Centre, Context};
use crate::event::{Change, Event};
use crate::kind::KindId;
use crate::policy::{PolicyTimeline, Promise};

/// One line of the import format: a case as the centre's old system knew it.
///
/// Instants are RFC 3339 with an offset (`2025-03-03T09:30:00+08:00`). Only `id`,
/// `intake`, `materials` and `accepted_at` are required; the rest describe how far the case
/// got. Unknown fields are refused, so a misspelt one is never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRecord {
    /// The case number, kept as the case's id.
    pub id: CaseId,
    /// As in the `accept` command: kind, category, applicants, unit, channel, priority.
    pub intake: IntakeInput,
    /// The materials handed in at acceptance (a missing non-key one of a kind that allows
    /// it is pledged, 容缺).
    pub materials: Vec<String>,
    /// When the case was accepted (or, for an on-the-spot kind, handled).
    pub accepted_at: DateTime<Utc>,
    /// Pledged materials handed in later.
    #[serde(default)]
    pub supplied: Vec<Supplied>,
    /// Department tasks finished (tax, transaction filing).
    #[serde(default)]
    pub tasks: Vec<TaskDone>,
    /// Times the clocks were stopped; `to` absent while still suspended.
    #[serde(default)]
    pub suspensions: Vec<SuspensionRecord>,
    /// Extensions of the promise.
    #[serde(default)]
    pub extensions: Vec<ExtensionRecord>,
    /// When it was reviewed (step 2).
    #[serde(default)]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When it was recorded in the register (step 3).
    #[serde(default)]
    pub recorded_at: Option<DateTime<Utc>>,
    /// When the certificate was issued.
    #[serde(default)]
    pub issued_at: Option<DateTime<Utc>>,
    /// A rejection.
    #[serde(default)]
    pub rejected: Option<RejectionRecord>,
    /// When the applicants withdrew it.
    #[serde(default)]
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// The applicant's evaluation (好差评).
    #[serde(default)]
    pub evaluation: Option<EvaluationRecord>,
}

/// Pledged materials handed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supplied {
    /// When.
    pub at: DateTime<Utc>,
    /// Which.
    pub materials: Vec<String>,
}

/// A department task finished successfully.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskDone {
    /// `tax` or `transaction_filing`.
    pub task: Task,
    /// When.
    pub at: DateTime<Utc>,
}

/// A suspension (中止).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuspensionRecord {
    /// Why the clocks stopped.
    pub cause: SuspensionCause,
    /// The explanation recorded (`导入` when absent).
    #[serde(default)]
    pub note: String,
    /// When they stopped.
    pub from: DateTime<Utc>,
    /// When they ran again; absent while still suspended.
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

/// An extension of the promise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRecord {
    /// Working days added.
    pub working_days: u64,
    /// Why.
    pub reason: String,
    /// When it was granted.
    pub at: DateTime<Utc>,
}

/// A rejection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectionRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// One of `violates_law`, `ownership_dispute`, `right_expired`, `legally_barred`.
    pub ground: String,
    /// The explanation (`导入` when absent).
    #[serde(default)]
    pub note: String,
}

/// An evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// 1 to 5.
    pub rating: u8,
    /// The comment.
    #[serde(default)]
    pub comment: String,
}

/// Where an imported case came from, kept in its `import` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSource {
    /// The line of the import file (1-based).
    pub line: u64,
    /// SHA-256 of the line's text, so a repeated import of the same record is recognised.
    pub record_hash: String,
}

/// Why a record cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{step}: {reason}")]
pub struct ImportError {
    /// The step of the record that failed (`accepted_at`, `reviewed_at`, …).
    pub step: String,
    /// What is wrong and how to fix it.
    pub reason: String,
}

/// What an import needs besides the record: the engine's rules and who imports.
pub struct ImportContext<'a> {
    /// When the import runs (the `import` event's time).
    pub now: DateTime<Utc>,
    /// The operator importing (recorded on the `import` event).
    pub operator: &'a Actor,
    /// The centre the cases belong to.
    pub centre: &'a Centre,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// The policies (the one in force at each acceptance applies).
    pub policies: &'a PolicyTimeline,
    /// The kinds.
    pub catalogue: &'a Catalogue,
}

/// One step of a record, at its instant.
struct Step {
    at: DateTime<Utc>,
    name: &'static str,
    actor: Actor,
    command: Command,
}

/// Builds the case a record describes and the `import` event that opens its history.
///
/// # Errors
/// [`ImportError`] naming the step that the rules refuse (a review before acceptance, an
/// unknown kind or material, a rating of 7…) and why.
pub fn import_case(
    record: &ImportRecord,
    source: ImportSource,
    ctx: &ImportContext<'_>,
) -> Result<(Case, Event), ImportError> {
    let centre_id = ctx.centre.id.clone();
    let steps = steps(record, &centre_id, ctx)?;
    let mut case: Option<Case> = None;
    for step in steps {
        // A public notice ends by itself at its closing time.
        if let Some(c) = &case {
            if let Some(notice) = c.suspension().and_then(|s| s.notice) {
                if notice.ends_at <= step.at {
                    case = Some(apply(
                        c,
                        Command::AutoResume,
                        &Actor::system(centre_id.clone()),
                        notice.ends_at,
                        "public notice",
                        record,
                        ctx,
                    )?);
                }
            }
        }
        case = Some(apply_step(case.as_ref(), step, record, ctx)?);
    }
    let case = case.ok_or_else(|| ImportError { step: "accepted_at".into(), reason: "nothing to import".into() })?;
    let acceptance = case.acceptance();
    let event = Event {
        case_id: case.id().clone(),
        centre: centre_id,
        seq: 1,
        at: ctx.now,
        actor: ctx.operator.id().clone(),
        role: ctx.operator.roles().iter().next().copied().unwrap_or(Role::Supervisor),
        command: CommandName::Import,
        state_before: None,
        state_after: case.state(),
        change: Change::Imported { case: Box::new(case.clone()), source },
        policy_id: acceptance.map(|a| a.policy.clone()),
        calendar_version: acceptance.map(|a| a.deadlines.calendar_version.clone()),
        captured_at: None,
    };
    let case = Case::open(&event).map_err(|e| ImportError { step: "import".into(), reason: e.to_string() })?;
    Ok((case, event))
}

/// The officer of a step: `import:<operator>/<step>`, with every staff role (the earlier
/// system's staff are not known, and separation of duties holds between the steps).
fn officer(ctx: &ImportContext<'_>, step: &str) -> Actor {
    Actor::new(
        format!("import:{}/{step}", ctx.operator.id()),
        Role::ALL.iter().copied().filter(|r| !matches!(r, Role::Applicant | Role::System)),
        ctx.centre.id.clone(),
    )
}

fn steps(record: &ImportRecord, centre: &CentreId, ctx: &ImportContext<'_>) -> Result<Vec<Step>, ImportError> {
    let applicant =
        record.intake.applicants.first().map(|a| Actor::applicant(a.id.clone(), centre.clone())).ok_or_else(|| {
            ImportError { step: "intake.applicants".into(), reason: "a case needs at least one applicant".into() }
        })?;
    let policy = ctx
        .policies
        .in_force(ctx.centre.hours.local_date(record.accepted_at))
        .map_err(|e| ImportError { step: "accepted_at".into(), reason: e.to_string() })?;
    let kind =
        KindId::parse(&record.intake.kind).map_err(|reason| ImportError { step: "intake.kind".into(), reason })?;
    let instant = policy.promise_for(&kind, record.intake.applicant_category) == Promise::Instant;
    let first = if instant {
        Command::HandleInstantly { intake: record.intake.clone(), materials: record.materials.clone() }
    } else {
        Command::Accept { intake: Some(record.intake.clone()), materials: record.materials.clone() }
    };
    let step = |at, name: &'static str, actor: Option<&Actor>, command| Step {
        at,
        name,
        actor: actor.cloned().unwrap_or_else(|| officer(ctx, name)),
        command,
    };
    let mut steps = vec![step(record.accepted_at, "accepted_at", None, first)];
    for s in &record.supplied {
        let cmd = Command::SupplyMaterials { materials: s.materials.clone() };
        steps.push(step(s.at, "supplied", None, cmd));
    }
    for t in &record.tasks {
        let cmd = Command::task_succeeded(t.task);
        steps.push(step(t.at, "tasks", None, cmd));
    }
    for s in &record.suspensions {
        let note = if s.note.trim().is_empty() { "导入".to_owned() } else { s.note.clone() };
        let cmd = Command::Suspend { cause: s.cause, note };
        steps.push(step(s.from, "suspensions.from", None, cmd));
        if let Some(to) = s.to {
            steps.push(step(to, "suspensions.to", None, Command::Resume));
        }
    }
    for e in &record.extensions {
        let cmd = Command::Extend { working_days: e.working_days, reason: e.reason.clone() };
        steps.push(step(e.at, "extensions", None, cmd));
    }
    let at_most_once = [
        (record.reviewed_at, "reviewed_at", Command::Review),
        (record.recorded_at, "recorded_at", Command::Record),
        (record.issued_at, "issued_at", Command::IssueCertificate),
    ];
    for (at, name, cmd) in at_most_once {
        if let Some(at) = at {
            steps.push(step(at, name, None, cmd));
        }
    }
    if let Some(r) = &record.rejected {
        let note = if r.note.trim().is_empty() { "导入".to_owned() } else { r.note.clone() };
        let cmd = Command::Reject { ground: r.ground.clone(), note };
        steps.push(step(r.at, "rejected", None, cmd));
    }
    if let Some(at) = record.withdrawn_at {
        let consenting = record.intake.applicants.iter().map(|a| a.id.clone()).collect();
        steps.push(step(at, "withdrawn_at", Some(&applicant), Command::Withdraw { consenting }));
    }
    if let Some(e) = &record.evaluation {
        let cmd = Command::Evaluate { rating: e.rating, comment: e.comment.clone() };
        steps.push(step(e.at, "evaluation", Some(&applicant), cmd));
    }
    if let Some(late) = steps.iter().find(|s| s.at > ctx.now) {
        return Err(ImportError {
            step: late.name.into(),
            reason: format!("{} is in the future; an import brings in what already happened", late.at),
        });
    }
    // In time order; steps at the same instant keep the order above.
    steps.sort_by_key(|s| s.at);
    Ok(steps)
}

fn apply_step(
    case: Option<&Case>,
    step: Step,
    record: &ImportRecord,
    ctx: &ImportContext<'_>,
) -> Result<Case, ImportError> {
    match case {
        None => first(step, record, ctx),
        Some(c) => apply(c, step.command, &step.actor, step.at, step.name, record, ctx),
    }
}

fn first(step: Step, record: &ImportRecord, ctx: &ImportContext<'_>) -> Result<Case, ImportError> {
    let decision = decide(None, &step.command, &context(&step.actor, step.at, record, ctx))
        .map_err(|r| refused(step.name, step.at, &r))?;
    if decision.case.state() == State::NotAccepted {
        return Err(ImportError {
            step: step.name.into(),
            reason: format!(
                "the materials are not enough for acceptance (missing: {}); import accepted cases only",
                decision.case.missing().iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    Ok(decision.case)
}

fn apply(
    case: &Case,
    command: Command,
    actor: &Actor,
    at: DateTime<Utc>,
    name: &str,
    record: &ImportRecord,
    ctx: &ImportContext<'_>,
) -> Result<Case, ImportError> {
    decide(Some(case), &command, &context(actor, at, record, ctx)).map(|d| d.case).map_err(|r| refused(name, at, &r))
}

fn context<'a>(
    actor: &'a Actor,
    at: DateTime<Utc>,
    record: &'a ImportRecord,
    ctx: &'a ImportContext<'a>,
) -> Context<'a> {
    Context {
        now: at,
        actor,
        centre: ctx.centre,
        calendar: ctx.calendar,
        policies: ctx.policies,
        catalogue: ctx.catalogue,
        case_id: &record.id,
        register: None,
        expected_version: None,
        captured_at: None,
        certificate: None,
    }
}

fn refused(step: &str, at: DateTime<Utc>, r: &crate::Refusal) -> ImportError {
    ImportError { step: step.into(), reason: format!("at {at}: {} ({})", r.message, r.code) }
}
