//! Events: the history of a case. A case is exactly the fold of its events
//! ([`Case::replay`]); [`Case::apply`] folds one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::{ActorId, CentreId, Role};
use crate::alert::{PlannedAlert, RaisedAlert};
use crate::calendar::CalendarVersion;
use crate::case::{
    Acceptance, Case, CaseId, Completion, Evaluation, Extension, Intake, Notice, RejectionGround, Stage, State,
    Suspended, SuspensionCause, TaskStatus,
};
use crate::catalogue::{MaterialId, Task};
use crate::command::CommandName;
use crate::deadline::{CaseClocks, Deadlines};
use crate::import::ImportSource;
use crate::policy::PolicyId;
use crate::register::query::AnswerRef;

/// What an event changed: its payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// An online application was filed.
    Applied {
        /// The case's facts.
        intake: Intake,
        /// Materials uploaded.
        materials: Vec<MaterialId>,
    },
    /// Pre-review passed or returned the application.
    PreReviewed {
        /// Whether it passed.
        pass: bool,
        /// Problems found.
        problems: Vec<String>,
    },
    /// The applicant amended the application.
    Amended {
        /// Materials added.
        materials: Vec<MaterialId>,
    },
    /// The case was accepted; clocks started.
    Accepted {
        /// The facts, for a case opened by this event.
        intake: Option<Intake>,
        /// Materials presented.
        materials: Vec<MaterialId>,
        /// Non-key materials pledged (容缺).
        pledged: Vec<MaterialId>,
        /// Parallel tasks started.
        tasks: Vec<Task>,
        /// Policy, clocks and deadlines bound.
        acceptance: Acceptance,
    },
    /// The case was not accepted; every missing material listed.
    NotAccepted {
        /// The facts, for a case opened by this event.
        intake: Option<Intake>,
        /// Materials presented.
        materials: Vec<MaterialId>,
        /// Every missing material, key and non-key.
        missing: Vec<MaterialId>,
    },
    /// An instant kind accepted and completed in one step.
    HandledInstantly {
        /// The facts.
        intake: Intake,
        /// Materials presented.
        materials: Vec<MaterialId>,
        /// Policy, clocks and deadlines bound.
        acceptance: Acceptance,
        /// The outcome.
        completion: Completion,
        /// An `information_query`'s answer (SPEC 15.2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer: Option<AnswerRef>,
    },
    /// Materials were handed in.
    MaterialsSupplied {
        /// Materials received.
        materials: Vec<MaterialId>,
        /// Pledges they cleared.
        cleared: Vec<MaterialId>,
    },
    /// A department reported its task.
    TaskCompleted {
        /// Which task.
        task: Task,
        /// Succeeded or failed.
        status: TaskStatus,
        /// The reason of a failure.
        reason: Option<String>,
    },
    /// Step 2 done (an information query completes here).
    Reviewed {
        /// Set when the case completed.
        completion: Option<Completion>,
        /// An `information_query`'s answer (SPEC 15.2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer: Option<AnswerRef>,
    },
    /// Step 3 done (a kind that issues nothing completes here).
    Recorded {
        /// Set when the case completed.
        completion: Option<Completion>,
    },
    /// The certificate was issued.
    CertificateIssued {
        /// The outcome.
        completion: Completion,
        /// The electronic certificate written with it: its id and hash (SPEC 15.1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        certificate: Option<crate::register::certificate::CertificateRef>,
    },
    /// The clocks stopped.
    Suspended {
        /// Why.
        cause: SuspensionCause,
        /// The explanation.
        note: String,
        /// The state to return to.
        resume_to: State,
        /// A public notice's period.
        notice: Option<Notice>,
    },
    /// The clocks restarted, deadlines moved.
    Resumed {
        /// Whether the engine resumed it at the end of a public notice.
        automatic: bool,
        /// The clocks with the closed suspension.
        clocks: CaseClocks,
        /// The moved deadlines.
        deadlines: Deadlines,
    },
    /// Registration refused.
    Rejected {
        /// The ground.
        ground: RejectionGround,
        /// The explanation.
        note: String,
    },
    /// Withdrawn by every applicant.
    Withdrawn {
        /// The consenting applicants' ID numbers.
        consenting: Vec<String>,
    },
    /// The promise was extended.
    Extended {
        /// Working days added.
        days: u32,
        /// Why.
        reason: String,
        /// The extended clocks.
        clocks: CaseClocks,
        /// The moved deadlines.
        deadlines: Deadlines,
    },
    /// An `information_query` was deferred: its promise is acceptance + `days` working days.
    QueryDeferred {
        /// The promise's working days now.
        days: u32,
        /// Why.
        reason: String,
        /// The clocks with the deferred promise.
        clocks: CaseClocks,
        /// The moved deadlines.
        deadlines: Deadlines,
    },
    /// The applicant evaluated the service.
    Evaluated {
        /// 1 to 5.
        rating: u8,
        /// Free text.
        comment: String,
    },
    /// A lawsuit on the objection was filed (its entry: `objection_lawsuit`).
    LawsuitFiled {
        /// The court.
        court: String,
        /// The day it was filed.
        filed_on: chrono::NaiveDate,
    },
    /// The seizure was renewed (its entry: `seizure_renewed`).
    SeizureRenewed {
        /// Years added.
        term_years: u32,
    },
    /// An alert came due.
    AlertRaised {
        /// The alert.
        alert: PlannedAlert,
    },
    /// A new calendar moved the deadlines.
    Reprojected {
        /// The new deadlines.
        deadlines: Deadlines,
        /// The public notice's recomputed end, when suspended for one.
        notice: Option<Notice>,
    },
    /// The case as brought in from an earlier system, whole (see [`crate::import`]).
    Imported {
        /// The case as its record's steps left it.
        case: Box<Case>,
        /// The line it came from.
        source: ImportSource,
    },
}

/// One entry of a case's history (SPEC 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The case.
    pub case_id: CaseId,
    /// The centre that owns the case.
    pub centre: CentreId,
    /// 1, 2, 3… within the case.
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who acted.
    pub actor: ActorId,
    /// In which role.
    pub role: Role,
    /// The command.
    pub command: CommandName,
    /// The state before (`None` when the event opened the case).
    pub state_before: Option<State>,
    /// The state after.
    pub state_after: State,
    /// What changed.
    pub change: Change,
    /// The policy bound, on events that set deadlines.
    pub policy_id: Option<PolicyId>,
    /// The calendar that computed the deadlines, on events that set them.
    pub calendar_version: Option<CalendarVersion>,
    /// When the application was captured, for a command taken offline (a kiosk or a bank
    /// branch without a connection) and committed later at `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<DateTime<Utc>>,
}

/// Why events could not be folded into a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// No events.
    #[error("a case needs at least one event")]
    Empty,
    /// The first event does not open a case.
    #[error("event 1 ({0}) does not open a case")]
    NotCreating(CommandName),
    /// An event opens a case that already exists.
    #[error("event {0} opens a case that already exists")]
    AlreadyCreated(u64),
    /// Sequence numbers are not 1, 2, 3….
    #[error("event {found} follows event {previous}")]
    OutOfSequence {
        /// The previous sequence number.
        previous: u64,
        /// The sequence number found.
        found: u64,
    },
    /// An event belongs to another case.
    #[error("event {0} belongs to another case")]
    WrongCase(u64),
    /// An event's recorded state before differs from the fold's.
    #[error("event {seq} says the state before was {recorded}, the history gives {actual}")]
    StateMismatch {
        /// The event.
        seq: u64,
        /// What it says.
        recorded: String,
        /// What the fold gives.
        actual: State,
    },
}

impl Case {
    /// Opens a case from its first event.
    ///
    /// # Errors
    /// [`ReplayError::NotCreating`] when the event does not open a case.
    pub fn open(event: &Event) -> Result<Case, ReplayError> {
        if let Change::Imported { case, .. } = &event.change {
            if case.id != event.case_id {
                return Err(ReplayError::WrongCase(event.seq));
            }
            return Ok(Case { centre: event.centre.clone(), ..(**case).clone() }.fold(event));
        }
        let (intake, materials) = match &event.change {
            Change::Applied { intake, materials }
            | Change::HandledInstantly { intake, materials, .. }
            | Change::Accepted { intake: Some(intake), materials, .. }
            | Change::NotAccepted { intake: Some(intake), materials, .. } => (intake.clone(), materials),
            _ => return Err(ReplayError::NotCreating(event.command)),
        };
        let case = Case {
            id: event.case_id.clone(),
            centre: event.centre.clone(),
            intake,
            stage: Stage::PreReview,
            materials: materials.iter().cloned().collect(),
            pledged: Default::default(),
            tasks: Default::default(),
            acceptance: None,
            reviewed_by: None,
            recorded_by: None,
            recorded_at: None,
            extensions: Vec::new(),
            deferral: None,
            answer: None,
            suspensions: 0,
            evaluation: None,
            alerts: Vec::new(),
            created_at: event.at,
            updated_at: event.at,
            version: 0,
        };
        Ok(case.fold(event))
    }

    /// Folds one more event into the case.
    ///
    /// # Errors
    /// [`ReplayError`] when the event does not follow: wrong case, sequence or state, or an
    /// event that would open the case again.
    pub fn apply(self, event: &Event) -> Result<Case, ReplayError> {
        if event.case_id != self.id {
            return Err(ReplayError::WrongCase(event.seq));
        }
        if event.seq != self.version + 1 {
            return Err(ReplayError::OutOfSequence { previous: self.version, found: event.seq });
        }
        match event.state_before {
            None => return Err(ReplayError::AlreadyCreated(event.seq)),
            Some(s) if s != self.state() => {
                return Err(ReplayError::StateMismatch {
                    seq: event.seq,
                    recorded: s.to_string(),
                    actual: self.state(),
                })
            }
            Some(_) => {}
        }
        Ok(self.fold(event))
    }

    /// Rebuilds a case from its whole history.
    ///
    /// # Errors
    /// [`ReplayError`] when the history is empty or inconsistent.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Case, ReplayError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(ReplayError::Empty)?;
        if first.seq != 1 {
            return Err(ReplayError::OutOfSequence { previous: 0, found: first.seq });
        }
        let mut case = Case::open(first)?;
        for e in events {
            case = case.apply(e)?;
        }
        Ok(case)
    }

    /// Applies an event already known to follow.
    fn fold(mut self, event: &Event) -> Case {
        self.version = event.seq;
        self.updated_at = event.at;
        let next_plain = Stage::plain(event.state_after);
        match &event.change {
            Change::Applied { .. } => self.stage = Stage::PreReview,
            Change::PreReviewed { pass, problems } => {
                self.stage = if *pass { Stage::AwaitingVisit } else { Stage::Returned { problems: problems.clone() } };
            }
            Change::Amended { materials } | Change::MaterialsSupplied { materials, .. } => {
                self.materials.extend(materials.iter().cloned());
                if let Change::MaterialsSupplied { cleared, .. } = &event.change {
                    for m in cleared {
                        self.pledged.remove(m);
                    }
                }
                if let Some(stage) = next_plain.filter(|_| matches!(event.change, Change::Amended { .. })) {
                    self.stage = stage;
                }
            }
            Change::Accepted { materials, pledged, tasks, acceptance, .. } => {
                self.materials.extend(materials.iter().cloned());
                self.pledged = pledged.iter().cloned().collect();
                self.tasks = tasks.iter().map(|t| (*t, TaskStatus::Pending)).collect();
                self.acceptance = Some(acceptance.clone());
                self.stage = Stage::Accepted;
            }
            Change::NotAccepted { materials, missing, .. } => {
                self.materials.extend(materials.iter().cloned());
                self.stage = Stage::NotAccepted { missing: missing.clone() };
            }
            Change::HandledInstantly { acceptance, completion, answer, .. } => {
                self.acceptance = Some(acceptance.clone());
                self.answer.clone_from(answer);
                self.reviewed_by = Some(event.actor.clone());
                self.recorded_by = Some(event.actor.clone());
                self.recorded_at = Some(event.at);
                self.stage = Stage::Completed(*completion);
            }
            Change::TaskCompleted { task, status, .. } => {
                self.tasks.insert(*task, *status);
            }
            Change::Reviewed { completion, answer } => {
                self.reviewed_by = Some(event.actor.clone());
                self.answer.clone_from(answer);
                self.stage = match completion {
                    Some(c) => Stage::Completed(*c),
                    None => Stage::Reviewed,
                };
            }
            Change::Recorded { completion } => {
                self.recorded_by = Some(event.actor.clone());
                self.recorded_at = Some(event.at);
                self.stage = match completion {
                    Some(c) => Stage::Completed(*c),
                    None => Stage::Recorded,
                };
            }
            Change::CertificateIssued { completion, .. } => self.stage = Stage::Completed(*completion),
            Change::Suspended { cause, note, resume_to, notice } => {
                self.suspensions += 1;
                self.stage = Stage::Suspended(Suspended {
                    cause: *cause,
                    note: note.clone(),
                    since: event.at,
                    resume_to: *resume_to,
                    notice: *notice,
                });
            }
            Change::Resumed { clocks, deadlines, .. } => {
                if let Some(a) = self.acceptance.as_mut() {
                    a.clocks = clocks.clone();
                    a.deadlines = deadlines.clone();
                }
                if let Some(stage) = next_plain {
                    self.stage = stage;
                }
            }
            Change::Rejected { ground, note } => {
                self.stage = Stage::Rejected { ground: *ground, note: note.clone() };
            }
            Change::Withdrawn { .. } => self.stage = Stage::Withdrawn,
            Change::QueryDeferred { days, reason, clocks, deadlines } => {
                if let Some(a) = self.acceptance.as_mut() {
                    a.clocks = clocks.clone();
                    a.deadlines = deadlines.clone();
                }
                self.deferral =
                    Some(Extension { days: *days, reason: reason.clone(), at: event.at, by: event.actor.clone() });
            }
            Change::Extended { days, reason, clocks, deadlines } => {
                if let Some(a) = self.acceptance.as_mut() {
                    a.clocks = clocks.clone();
                    a.deadlines = deadlines.clone();
                }
                self.extensions.push(Extension {
                    days: *days,
                    reason: reason.clone(),
                    at: event.at,
                    by: event.actor.clone(),
                });
            }
            Change::Evaluated { rating, comment } => {
                self.evaluation = Some(Evaluation { rating: *rating, comment: comment.clone(), at: event.at });
            }
            Change::AlertRaised { alert } => {
                self.alerts.push(RaisedAlert { alert: *alert, raised_at: event.at });
            }
            // The whole case came with the event (see `Case::open`); a lawsuit or a
            // renewal changes the register, not the case.
            Change::Imported { .. } | Change::LawsuitFiled { .. } | Change::SeizureRenewed { .. } => {}
            Change::Reprojected { deadlines, notice } => {
                if let Some(a) = self.acceptance.as_mut() {
                    a.deadlines = deadlines.clone();
                }
                if let (Stage::Suspended(s), Some(n)) = (&mut self.stage, notice) {
                    s.notice = Some(*n);
                }
            }
        }
        self
    }
}
