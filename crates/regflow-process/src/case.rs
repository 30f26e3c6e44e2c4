//! The case: states (SPEC 5.1) and everything a case remembers.
//!
//! A [`Case`] is exactly the fold of its events ([`crate::event`]); nothing else changes it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::actor::{ActorId, CentreId};
use crate::alert::{AlertLevel, PlannedAlert, RaisedAlert};
use crate::catalogue::{MaterialId, Task};
use crate::category::ApplicantCategory;
use crate::channel::{Channel, Priority};
use crate::deadline::{CaseClocks, ClockKind, Deadlines};
use crate::identifier::UnitNumber;
use crate::kind::KindId;
pub use crate::party::{Applicant, PartyId};
use crate::policy::{PolicyId, Promise};

/// The id of a case (an engine-assigned UUID, or any unique text the embedder chooses).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(String);

/// The stable id of a case's state (SPEC 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// An online application waiting for pre-review (网上预审).
    PreReview,
    /// Pre-review found problems; the applicant amends online.
    Returned,
    /// Pre-review passed; the one visit with the originals is pending.
    AwaitingVisit,
    /// Step 1 done (受理): clocks running, waiting for review.
    Accepted,
    /// Step 2 done (审核): waiting to be recorded.
    Reviewed,
    /// Step 3 done (登簿): waiting for the certificate.
    Recorded,
    /// Clocks stopped (中止).
    Suspended,
    /// Finished.
    Completed,
    /// Refused at the window (不予受理), with the missing list.
    NotAccepted,
    /// Refused after acceptance (不予登记).
    Rejected,
    /// Withdrawn by all applicants (撤回).
    Withdrawn,
}

impl State {
    /// Every state.
    pub const ALL: [State; 11] = [
        State::PreReview,
        State::Returned,
        State::AwaitingVisit,
        State::Accepted,
        State::Reviewed,
        State::Recorded,
        State::Suspended,
        State::Completed,
        State::NotAccepted,
        State::Rejected,
        State::Withdrawn,
    ];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::PreReview => "pre_review",
            State::Returned => "returned",
            State::AwaitingVisit => "awaiting_visit",
            State::Accepted => "accepted",
            State::Reviewed => "reviewed",
            State::Recorded => "recorded",
            State::Suspended => "suspended",
            State::Completed => "completed",
            State::NotAccepted => "not_accepted",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
        }
    }

    /// The state's Chinese name, for people (flow charts, notices).
    pub const fn name_zh(self) -> &'static str {
        match self {
            State::PreReview => "网上预审",
            State::Returned => "退回补正",
            State::AwaitingVisit => "待窗口核验",
            State::Accepted => "已受理",
            State::Reviewed => "已审核",
            State::Recorded => "已登簿",
            State::Suspended => "中止",
            State::Completed => "办结",
            State::NotAccepted => "不予受理",
            State::Rejected => "不予登记",
            State::Withdrawn => "撤回",
        }
    }

    /// Whether no command can change the case any more (evaluation aside).
    pub const fn is_terminal(self) -> bool {
        matches!(self, State::Completed | State::NotAccepted | State::Rejected | State::Withdrawn)
    }

    /// Whether the state is an answer the applicant did not ask for: not accepted (不予受理),
    /// rejected (不予登记) or returned for correction (退回补正).
    pub const fn is_adverse(self) -> bool {
        matches!(self, State::NotAccepted | State::Rejected | State::Returned)
    }
}

/// Why a case was suspended (SPEC 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionCause {
    /// A public notice (公告); started by review, ended by the engine.
    PublicNotice,
    /// An appraisal (鉴定).
    Appraisal,
    /// An expert review (专家评审).
    ExpertReview,
    /// Waiting for materials.
    AwaitingMaterials,
    /// Any other cause, explained in the note.
    Other,
}

impl SuspensionCause {
    /// Every cause.
    pub const ALL: [SuspensionCause; 5] = [
        SuspensionCause::PublicNotice,
        SuspensionCause::Appraisal,
        SuspensionCause::ExpertReview,
        SuspensionCause::AwaitingMaterials,
        SuspensionCause::Other,
    ];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            SuspensionCause::PublicNotice => "public_notice",
            SuspensionCause::Appraisal => "appraisal",
            SuspensionCause::ExpertReview => "expert_review",
            SuspensionCause::AwaitingMaterials => "awaiting_materials",
            SuspensionCause::Other => "other",
        }
    }
}

/// The four grounds for refusing registration (条例 Art. 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionGround {
    /// The application violates laws or regulations.
    ViolatesLaw,
    /// The ownership is disputed.
    OwnershipDispute,
    /// The right applied for has expired.
    RightExpired,
    /// Registration is otherwise legally barred.
    LegallyBarred,
}

impl RejectionGround {
    /// The four grounds.
    pub const ALL: [RejectionGround; 4] = [
        RejectionGround::ViolatesLaw,
        RejectionGround::OwnershipDispute,
        RejectionGround::RightExpired,
        RejectionGround::LegallyBarred,
    ];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectionGround::ViolatesLaw => "violates_law",
            RejectionGround::OwnershipDispute => "ownership_dispute",
            RejectionGround::RightExpired => "right_expired",
            RejectionGround::LegallyBarred => "legally_barred",
        }
    }
}

/// Where a departmental task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not yet reported.
    Pending,
    /// Done; its materials count as present.
    Succeeded,
    /// Reported failed; it can later succeed.
    Failed,
}

impl TaskStatus {
    /// Every status.
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Pending, TaskStatus::Succeeded, TaskStatus::Failed];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Succeeded => "succeeded",
            TaskStatus::Failed => "failed",
        }
    }
}

/// The facts fixed when a case is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    /// The registration kind.
    pub kind: KindId,
    /// Individual or organisation.
    pub category: ApplicantCategory,
    /// The applicants, at least one.
    pub applicants: Vec<Applicant>,
    /// The property unit.
    pub unit: UnitNumber,
    /// Where the case came in.
    pub channel: Channel,
    /// Queue priority.
    pub priority: Priority,
    /// Who consents without being a party.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<Applicant>,
    /// The register arguments, checked for shape.
    #[serde(default, skip_serializing_if = "RegisterArgs::is_empty")]
    pub register: RegisterArgs,
    /// An `information_query`'s arguments (SPEC 15.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<crate::register::query::QueryArgs>,
}

/// A case's register arguments, checked for shape at acceptance and resolved against the
/// register when its entry is written (SPEC 13.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterArgs {
    /// The mortgage a release names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mortgage_entry: Option<crate::register::EntryRef>,
    /// The seizure a release names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seizure_entry: Option<crate::register::EntryRef>,
    /// The entry a correction corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<crate::register::EntryRef>,
    /// The objection or advance notice a cancellation ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<crate::register::EntryRef>,
    /// A mortgage's secured amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secured_amount: Option<crate::register::Amount>,
    /// A seizure's ruling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ruling: Option<String>,
    /// A seizure's term in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_years: Option<u32>,
}

impl RegisterArgs {
    /// Whether none is given.
    pub fn is_empty(&self) -> bool {
        self == &RegisterArgs::default()
    }
}

/// A running suspension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspended {
    /// Why.
    pub cause: SuspensionCause,
    /// The explanation recorded.
    pub note: String,
    /// When the clocks stopped.
    pub since: DateTime<Utc>,
    /// The state the case returns to on resume.
    pub resume_to: State,
    /// For a public notice: its length in working days and when it resumes by itself.
    pub notice: Option<Notice>,
}

/// A public notice's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Working days the notice runs, counted from the review.
    pub days: u32,
    /// Closing time of the last notice day: the case resumes by itself then.
    pub ends_at: DateTime<Utc>,
}

/// How a finished case did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// When it completed.
    pub at: DateTime<Utc>,
    /// Working days used (SPEC 5.3).
    pub working_days_used: u32,
    /// Whether the working-day count needed an uncovered year.
    pub provisional: bool,
    /// Completed at or before the (extended) promise deadline.
    pub on_time: bool,
    /// Completed at or before the statutory deadline.
    pub within_statute: bool,
}

/// The stage a case is in, with the data that exists only there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for online pre-review.
    PreReview,
    /// Returned to the applicant with these problems.
    Returned {
        /// What pre-review found.
        problems: Vec<String>,
    },
    /// Waiting for the applicant's one visit.
    AwaitingVisit,
    /// Accepted; waiting for review.
    Accepted,
    /// Reviewed; waiting to be recorded.
    Reviewed,
    /// Recorded; waiting for the certificate.
    Recorded,
    /// Clocks stopped.
    Suspended(Suspended),
    /// Finished.
    Completed(Completion),
    /// Not accepted; every missing material listed at once (一次性告知).
    NotAccepted {
        /// The missing materials, key and non-key, in checklist order.
        missing: Vec<MaterialId>,
    },
    /// Registration refused.
    Rejected {
        /// The ground of 条例 Art. 22.
        ground: RejectionGround,
        /// The explanation.
        note: String,
    },
    /// Withdrawn with every applicant's consent.
    Withdrawn,
}

impl Stage {
    /// The stable state id.
    pub fn state(&self) -> State {
        match self {
            Stage::PreReview => State::PreReview,
            Stage::Returned { .. } => State::Returned,
            Stage::AwaitingVisit => State::AwaitingVisit,
            Stage::Accepted => State::Accepted,
            Stage::Reviewed => State::Reviewed,
            Stage::Recorded => State::Recorded,
            Stage::Suspended(_) => State::Suspended,
            Stage::Completed(_) => State::Completed,
            Stage::NotAccepted { .. } => State::NotAccepted,
            Stage::Rejected { .. } => State::Rejected,
            Stage::Withdrawn => State::Withdrawn,
        }
    }

    /// The stage to enter for a plain state with no data of its own.
    pub(crate) fn plain(state: State) -> Option<Stage> {
        Some(match state {
            State::PreReview => Stage::PreReview,
            State::AwaitingVisit => Stage::AwaitingVisit,
            State::Accepted => Stage::Accepted,
            State::Reviewed => Stage::Reviewed,
            State::Recorded => Stage::Recorded,
            State::Withdrawn => Stage::Withdrawn,
            _ => return None,
        })
    }
}

/// What acceptance fixed: who, when, the bound policy and the clocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    /// When the case was accepted.
    pub at: DateTime<Utc>,
    /// The officer who accepted it.
    pub by: ActorId,
    /// The policy in force on the local acceptance date.
    pub policy: PolicyId,
    /// What the deadlines depend on.
    pub clocks: CaseClocks,
    /// The current deadlines.
    pub deadlines: Deadlines,
    /// An `information_query`'s scope, decided at acceptance (SPEC 15.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<crate::register::query::Scope>,
}

/// An extension granted by a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Working days added to the promise.
    pub days: u32,
    /// Why.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The supervisor.
    pub by: ActorId,
}

/// The applicant's service evaluation (好差评).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// 1 (poor) to 5 (excellent).
    pub rating: u8,
    /// Free text.
    pub comment: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A registration case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub(crate) id: CaseId,
    pub(crate) centre: CentreId,
    pub(crate) intake: Intake,
    pub(crate) stage: Stage,
    pub(crate) materials: BTreeSet<MaterialId>,
    pub(crate) pledged: BTreeSet<MaterialId>,
    pub(crate) tasks: BTreeMap<Task, TaskStatus>,
    pub(crate) acceptance: Option<Acceptance>,
    pub(crate) reviewed_by: Option<ActorId>,
    pub(crate) recorded_by: Option<ActorId>,
    pub(crate) recorded_at: Option<DateTime<Utc>>,
    pub(crate) extensions: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) deferral: Option<Extension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) answer: Option<crate::register::query::AnswerRef>,
    pub(crate) suspensions: u32,
    pub(crate) evaluation: Option<Evaluation>,
    pub(crate) alerts: Vec<RaisedAlert>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) version: u64,
}

impl Case {
    /// The case's id.
    pub fn id(&self) -> &CaseId {
        &self.id
    }
    /// The centre that owns the case.
    pub fn centre(&self) -> &CentreId {
        &self.centre
    }
    /// The facts fixed when the case was opened.
    pub fn intake(&self) -> &Intake {
        &self.intake
    }
    /// The registration kind.
    pub fn kind(&self) -> &KindId {
        &self.intake.kind
    }
    /// The stage, with the data of that stage.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }
    /// The state id.
    pub fn state(&self) -> State {
        self.stage.state()
    }
    /// Materials the applicant has provided.
    pub fn materials(&self) -> &BTreeSet<MaterialId> {
        &self.materials
    }
    /// Pledged (容缺) materials still outstanding.
    pub fn pledged(&self) -> &BTreeSet<MaterialId> {
        &self.pledged
    }
    /// The 一次性告知 list of a not-accepted case; empty otherwise.
    pub fn missing(&self) -> &[MaterialId] {
        match &self.stage {
            Stage::NotAccepted { missing } => missing,
            _ => &[],
        }
    }
    /// Each parallel task's status.
    pub fn tasks(&self) -> &BTreeMap<Task, TaskStatus> {
        &self.tasks
    }
    /// Acceptance, policy and clocks, once accepted.
    pub fn acceptance(&self) -> Option<&Acceptance> {
        self.acceptance.as_ref()
    }
    /// The current deadlines, once accepted.
    pub fn deadlines(&self) -> Option<&Deadlines> {
        self.acceptance.as_ref().map(|a| &a.deadlines)
    }
    /// The completion record, when completed.
    pub fn completion(&self) -> Option<&Completion> {
        match &self.stage {
            Stage::Completed(c) => Some(c),
            _ => None,
        }
    }
    /// The running suspension, when suspended.
    pub fn suspension(&self) -> Option<&Suspended> {
        match &self.stage {
            Stage::Suspended(s) => Some(s),
            _ => None,
        }
    }
    /// Who reviewed the case.
    pub fn reviewed_by(&self) -> Option<&ActorId> {
        self.reviewed_by.as_ref()
    }
    /// Who recorded the case.
    pub fn recorded_by(&self) -> Option<&ActorId> {
        self.recorded_by.as_ref()
    }
    /// When the case was recorded in the register.
    pub fn recorded_at(&self) -> Option<DateTime<Utc>> {
        self.recorded_at
    }
    /// Extensions granted.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }
    /// An `information_query`'s answer: the result's id, scope and hash (SPEC 15.2).
    pub fn answer(&self) -> Option<&crate::register::query::AnswerRef> {
        self.answer.as_ref()
    }
    /// An `information_query`'s deferral (`defer_query`): its working days and reason.
    pub fn deferral(&self) -> Option<&Extension> {
        self.deferral.as_ref()
    }
    /// How many times the case was suspended.
    pub fn suspension_count(&self) -> u32 {
        self.suspensions
    }
    /// The applicant's evaluation.
    pub fn evaluation(&self) -> Option<&Evaluation> {
        self.evaluation.as_ref()
    }
    /// Alerts raised so far.
    pub fn alerts(&self) -> &[RaisedAlert] {
        &self.alerts
    }
    /// When the case was opened.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// The time of the case's last event.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// The number of events folded into the case (its optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether the case's promise clock is instant (handled start to finish by one officer).
    pub fn is_instant(&self) -> bool {
        self.acceptance.as_ref().is_some_and(|a| a.clocks.promise() == Promise::Instant)
    }

    /// Whether `id_number` names one of the case's applicants.
    pub fn has_applicant(&self, id_number: &str) -> bool {
        self.intake.applicants.iter().any(|a| a.id.matches(id_number))
    }

    /// Whether `actor` may see the case at all: staff and channel systems of its own centre,
    /// and its own parties; nobody of another centre.
    pub fn visible_to(&self, actor: &crate::actor::Actor) -> bool {
        if actor.centre() != self.centre() {
            return false;
        }
        let staff = actor.roles().iter().any(|r| *r != crate::actor::Role::Applicant);
        staff || self.has_applicant(actor.id().as_str())
    }

    /// The alerts that should be armed now: warnings and breaches of the running clocks
    /// not yet raised. None for a case not accepted, suspended or finished.
    pub fn armed_alerts(&self) -> Vec<PlannedAlert> {
        // The clocks run where the table lets the engine raise alerts.
        let running = crate::transition::allows(self.state(), crate::command::CommandName::RaiseAlert);
        let Some(acceptance) = self.acceptance.as_ref().filter(|_| running) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for d in acceptance.deadlines.iter() {
            if let Some(at) = d.warning_at {
                out.push(PlannedAlert { clock: d.clock, level: AlertLevel::Warning, at });
            }
            out.push(PlannedAlert { clock: d.clock, level: AlertLevel::Breach, at: d.due_at });
        }
        out.retain(|p| !self.alerts.iter().any(|r| r.alert == *p));
        out
    }

    /// The earliest promise deadline for queue ordering (acceptance time for instant cases).
    pub fn promise_due_at(&self) -> Option<DateTime<Utc>> {
        self.deadlines().map(|d| d.promise.due_at)
    }

    /// The due time of one clock.
    pub fn due_at(&self, clock: ClockKind) -> Option<DateTime<Utc>> {
        self.deadlines().map(|d| match clock {
            ClockKind::Promise => d.promise.due_at,
            ClockKind::Statutory => d.statutory.due_at,
        })
    }
}

crate::ids::stable_id_enum!(State, "state");

crate::ids::stable_id_enum!(SuspensionCause, "suspension cause");

crate::ids::stable_id_enum!(RejectionGround, "rejection ground");

crate::ids::string_id!(CaseId);
