//! `decide`: for any case and command, what happens — or a refusal a clerk can act on.
//!
//! Checks run in the order SPEC 5.2 fixes, so a command breaking several rules is refused
//! with the first: `time_went_backwards`, `invalid_argument`, `case_not_found`,
//! `invalid_transition`, `unknown_kind`, `forbidden_role`, `wrong_centre`,
//! `channel_not_allowed`, `not_instant_kind`, `invalid_identifier`, `unknown_material`,
//! `separation_of_duties`, then the command's own codes.

use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

use crate::actor::{Actor, ActorId, CentreId, Role};
use crate::alert::PlannedAlert;
use crate::calendar::{Calendar, OfficeHours};
use crate::case::{
    Acceptance, Applicant, Case, CaseId, Completion, Intake, Notice, PartyId, RejectionGround, State, SuspensionCause,
    TaskStatus,
};
use crate::catalogue::{Catalogue, KindSpec, MaterialId, Produces};
use crate::category::ApplicantCategory;
use crate::channel::Channel;
use crate::command::{Command, CommandName, IntakeInput, TaskOutcome};
use crate::deadline::{CaseClocks, DeadlineError, Suspension};
use crate::error::ErrorCode;
use crate::event::{Change, Event};
use crate::identifier::{CreditCode, ResidentId, UnitNumber};
use crate::kind::KindId;
use crate::policy::{Policy, PolicyTimeline, Promise};
use crate::refusal::{Detail, Refusal};
use crate::transition::{self, Transition, Who};

/// A centre's settings that rules depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Centre {
    /// The centre's id.
    pub id: CentreId,
    /// Its time zone and closing time.
    pub hours: OfficeHours,
    /// Whether reviewer ≠ accepting clerk and registrar ≠ reviewer is enforced (default on).
    pub separation_of_duties: bool,
}

impl Centre {
    /// A centre with default hours and separation of duties on.
    pub fn new(id: impl Into<String>) -> Centre {
        Centre {
            id: CentreId::new(id),
            hours: OfficeHours::default(),
            separation_of_duties: true,
        }
    }
}

/// Everything `decide` may look at besides the case and the command.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The instant of the command.
    pub now: DateTime<Utc>,
    /// Who issues it.
    pub actor: &'a Actor,
    /// The centre the command is addressed to.
    pub centre: &'a Centre,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// The policy timeline; a new case binds the policy in force on its local date.
    pub policies: &'a PolicyTimeline,
    /// The kind catalogue.
    pub catalogue: &'a Catalogue,
    /// The id of the case addressed (the new case's id for a creating command).
    pub case_id: &'a CaseId,
    /// Whether the case's unit carries an unreleased seizure (only the executor knows).
    pub unit_seized: bool,
}

/// What a command does: the events to append, the case after them, and the alerts that
/// should be armed from now on (replacing those armed before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Events to append, in order (none for a no-op such as a re-projection that moves nothing).
    pub events: Vec<Event>,
    /// The case after the events: exactly their fold.
    pub case: Case,
    /// The alerts to arm; every other pending alert of the case is disarmed.
    pub alerts: Vec<PlannedAlert>,
}

/// Decides a command.
///
/// # Errors
/// A [`Refusal`] with its SPEC 8 code when the command breaks a rule; nothing changes.
pub fn decide(case: Option<&Case>, command: &Command, ctx: &Context<'_>) -> Result<Decision, Refusal> {
    Decider { case, command, ctx }.run()
}

struct Decider<'a> {
    case: Option<&'a Case>,
    command: &'a Command,
    ctx: &'a Context<'a>,
}

/// One event in the making.
struct Draft {
    command: CommandName,
    actor: ActorId,
    role: Role,
    at: DateTime<Utc>,
    state_after: State,
    change: Change,
}

/// The acceptance decision (条例 Art. 17) before it becomes an event. Short-lived, so the
/// size difference between its variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Accepted {
        pledged: Vec<MaterialId>,
        acceptance: Acceptance,
    },
    NotAccepted {
        missing: Vec<MaterialId>,
    },
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal::new(code, message)
}

fn non_empty(field: &str, text: &str) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        Err(Refusal::argument(field, format!("`{field}` must not be empty")))
    } else {
        Ok(())
    }
}

impl<'a> Decider<'a> {
    fn name(&self) -> CommandName {
        self.command.name()
    }

    fn run(self) -> Result<Decision, Refusal> {
        self.check_time()?;
        self.check_arguments()?;
        let row = self.check_state()?;
        let kind = self.check_kind()?;
        let role = self.check_role(row, kind)?;
        self.check_centre()?;
        self.check_channel(kind)?;
        let drafts = self.command_rules(kind, role)?;
        Ok(self.commit(drafts))
    }

    // 1. time_went_backwards
    fn check_time(&self) -> Result<(), Refusal> {
        if let Some(case) = self.case {
            if self.ctx.now < case.updated_at() {
                return Err(refuse(
                    ErrorCode::TimeWentBackwards,
                    format!(
                        "the command's time {} is before the case's last change at {}",
                        self.ctx.centre.hours.format(self.ctx.now),
                        self.ctx.centre.hours.format(case.updated_at())
                    ),
                ));
            }
        }
        Ok(())
    }

    // 2. invalid_argument
    fn check_arguments(&self) -> Result<(), Refusal> {
        let intake_args = |intake: &IntakeInput| -> Result<(), Refusal> {
            if intake.applicants.is_empty() {
                return Err(Refusal::argument("applicants", "at least one applicant is needed"));
            }
            for (i, a) in intake.applicants.iter().enumerate() {
                non_empty(&format!("applicants[{i}].name"), &a.name)?;
            }
            Ok(())
        };
        match self.command {
            Command::Apply { intake, .. } => {
                intake_args(intake)?;
                if intake.channel != Channel::Online {
                    return Err(Refusal::argument(
                        "channel",
                        "an application by `apply` comes in online",
                    ));
                }
            }
            Command::Accept { intake, .. } => match (self.case, intake) {
                (None, None) => {
                    return Err(Refusal::argument(
                        "kind",
                        "a new case needs kind, applicant_category, applicants, unit, channel and priority",
                    ))
                }
                (None, Some(intake)) => {
                    intake_args(intake)?;
                    if intake.channel == Channel::Online {
                        return Err(Refusal::argument(
                            "channel",
                            "an online case starts with `apply`; accept it at the visit after pre-review",
                        ));
                    }
                }
                _ => {}
            },
            Command::HandleInstantly { intake, .. } => {
                intake_args(intake)?;
                if intake.channel == Channel::Online {
                    return Err(Refusal::argument(
                        "channel",
                        "instant handling happens on the spot, not online",
                    ));
                }
            }
            Command::PreReview { pass: false, problems } if problems.iter().all(|p| p.trim().is_empty()) => {
                return Err(Refusal::argument(
                    "problems",
                    "a returned application must list its problems",
                ));
            }
            Command::CompleteTask {
                outcome: TaskOutcome::Failed { reason },
                ..
            } => non_empty("reason", reason)?,
            Command::Suspend { cause, note } => {
                non_empty("note", note)?;
                if *cause == SuspensionCause::PublicNotice {
                    return Err(Refusal::argument(
                        "cause",
                        "a public notice starts by itself at review for the kinds that need one",
                    ));
                }
            }
            Command::Reject { note, .. } => non_empty("note", note)?,
            Command::Withdraw { consenting } if consenting.is_empty() => {
                return Err(Refusal::argument(
                    "consenting",
                    "list the consenting applicants' ID numbers",
                ));
            }
            Command::Extend { working_days, reason } => {
                if *working_days == 0 {
                    return Err(Refusal::argument(
                        "working_days",
                        "an extension is at least 1 working day",
                    ));
                }
                non_empty("reason", reason)?;
            }
            Command::Evaluate { rating, .. } if !(1..=5).contains(rating) => {
                return Err(Refusal::argument(
                    "rating",
                    format!("rating {rating} is not between 1 and 5"),
                ));
            }
            _ => {}
        }
        Ok(())
    }

    // 3. case_not_found, 4. invalid_transition
    fn check_state(&self) -> Result<&'static Transition, Refusal> {
        let name = self.name();
        let from = match self.case {
            None if !name.creates() => {
                return Err(refuse(
                    ErrorCode::CaseNotFound,
                    format!("no case `{}`", self.ctx.case_id),
                ));
            }
            None => None,
            Some(c) => Some(c.state()),
        };
        let row = transition::find(from, name).ok_or_else(|| {
            let message = match from {
                None => format!("`{name}` needs an existing case"),
                Some(s) => format!("`{name}` is not allowed on a case in state `{s}`"),
            };
            refuse(ErrorCode::InvalidTransition, message).with(Detail::Allowed {
                commands: transition::allowed_from(from),
            })
        })?;
        if name == CommandName::Resume {
            if let Some(s) = self.case.and_then(Case::suspension) {
                if s.cause == SuspensionCause::PublicNotice {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        "a public-notice suspension resumes by itself when the notice period has run",
                    ));
                }
            }
        }
        Ok(row)
    }

    fn intake_input(&self) -> Option<&'a IntakeInput> {
        match self.command {
            Command::Apply { intake, .. } | Command::HandleInstantly { intake, .. } => Some(intake),
            Command::Accept { intake, .. } if self.case.is_none() => intake.as_ref(),
            _ => None,
        }
    }

    // 5. unknown_kind
    fn check_kind(&self) -> Result<&'a KindSpec, Refusal> {
        let id = match (self.case, self.intake_input()) {
            (Some(case), _) => case.kind().as_str(),
            (None, Some(input)) => input.kind.as_str(),
            (None, None) => unreachable!("arguments checked"),
        };
        self.ctx.catalogue.get(id).ok_or_else(|| {
            Refusal::new(
                ErrorCode::UnknownKind,
                format!("`{id}` is not a registration kind of this centre"),
            )
            .with(Detail::Field { name: "kind".into() })
        })
    }

    fn channel(&self) -> Channel {
        match (self.case, self.intake_input()) {
            (Some(case), _) => case.intake().channel,
            (None, Some(input)) => input.channel,
            (None, None) => Channel::Window,
        }
    }

    fn is_applicant(&self) -> bool {
        let actor = self.ctx.actor;
        if !actor.has(Role::Applicant) {
            return false;
        }
        let me = actor.id().as_str().trim().to_ascii_uppercase();
        match (self.case, self.intake_input()) {
            (Some(case), _) => case.has_applicant(&me),
            (None, Some(input)) => input.applicants.iter().any(|a| a.id.trim().to_ascii_uppercase() == me),
            (None, None) => false,
        }
    }

    // 6. forbidden_role
    fn check_role(&self, row: &Transition, kind: &KindSpec) -> Result<Role, Refusal> {
        let actor = self.ctx.actor;
        let forbidden = |required: Vec<Role>, what: String| {
            Refusal::new(
                ErrorCode::ForbiddenRole,
                format!("`{}` may not {}: {what}", actor.id(), self.name()),
            )
            .with(Detail::Roles { required })
        };
        let any_of = |roles: &[Role]| roles.iter().copied().find(|r| actor.has(*r));
        match row.who {
            Who::Roles(roles) => any_of(roles).ok_or_else(|| {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                forbidden(roles.to_vec(), format!("it needs the role {}", names.join(" or ")))
            }),
            Who::ChannelRole => {
                let role = self.channel().serving_role();
                any_of(&[role]).ok_or_else(|| {
                    forbidden(
                        vec![role],
                        format!("on the `{}` channel it needs the role {role}", self.channel()),
                    )
                })
            }
            Who::Applicants => {
                if self.is_applicant() {
                    Ok(Role::Applicant)
                } else {
                    Err(forbidden(
                        vec![Role::Applicant],
                        "only one of the case's applicants may".into(),
                    ))
                }
            }
            Who::ApplicantsOrClerk => {
                if actor.has(Role::Clerk) {
                    Ok(Role::Clerk)
                } else if self.is_applicant() {
                    Ok(Role::Applicant)
                } else {
                    Err(forbidden(
                        vec![Role::Applicant, Role::Clerk],
                        "only a clerk or one of the case's applicants may".into(),
                    ))
                }
            }
            Who::TaskOfficer => {
                let Command::CompleteTask { task, .. } = self.command else {
                    unreachable!("row")
                };
                if !kind.tasks.contains(task) {
                    return Err(Refusal::argument("task", format!("`{}` has no `{task}` task", kind.id)));
                }
                any_of(&[task.officer()]).ok_or_else(|| {
                    forbidden(
                        vec![task.officer()],
                        format!("the `{task}` task is reported by a {}", task.officer()),
                    )
                })
            }
            Who::System => {
                any_of(&[Role::System]).ok_or_else(|| forbidden(vec![Role::System], "only the engine may".into()))
            }
        }
    }

    // 7. wrong_centre
    fn check_centre(&self) -> Result<(), Refusal> {
        let actor_centre = self.ctx.actor.centre();
        let case_centre = self.case.map_or(&self.ctx.centre.id, Case::centre);
        if actor_centre != case_centre || case_centre != &self.ctx.centre.id {
            return Err(refuse(
                ErrorCode::WrongCentre,
                format!(
                    "`{}` belongs to centre `{actor_centre}`, the case to `{case_centre}`",
                    self.ctx.actor.id()
                ),
            ));
        }
        Ok(())
    }

    // 8. channel_not_allowed
    fn check_channel(&self, kind: &KindSpec) -> Result<(), Refusal> {
        if self.case.is_none() && !kind.allows(self.channel()) {
            return Err(Refusal::new(
                ErrorCode::ChannelNotAllowed,
                format!("`{}` cannot be opened on the `{}` channel", kind.id, self.channel()),
            )
            .with(Detail::Field { name: "channel".into() }));
        }
        Ok(())
    }

    fn policy(&self) -> Result<&'a Policy, Refusal> {
        let date = self.ctx.centre.hours.local_date(self.ctx.now);
        self.ctx
            .policies
            .in_force(date)
            .map_err(|e| refuse(e.code(), e.to_string()))
    }

    // 10. invalid_identifier
    fn parse_intake(&self, input: &IntakeInput, kind: &KindSpec) -> Result<Intake, Refusal> {
        let mut applicants = Vec::with_capacity(input.applicants.len());
        for (i, a) in input.applicants.iter().enumerate() {
            let field = format!("applicants[{i}].id");
            let id = match input.applicant_category {
                ApplicantCategory::Individual => ResidentId::parse(&a.id).map(PartyId::Resident),
                ApplicantCategory::Organisation => CreditCode::parse(&a.id).map(PartyId::Organisation),
            }
            .map_err(|e| {
                Refusal::new(ErrorCode::InvalidIdentifier, format!("{field}: {e}"))
                    .with(Detail::Field { name: field.clone() })
            })?;
            if applicants.iter().any(|x: &Applicant| x.id == id) {
                return Err(Refusal::argument(
                    &field,
                    format!("{field}: `{}` is listed twice", id.as_str()),
                ));
            }
            applicants.push(Applicant {
                name: a.name.trim().to_owned(),
                id,
            });
        }
        let unit = UnitNumber::parse(&input.unit).map_err(|e| {
            Refusal::new(ErrorCode::InvalidIdentifier, format!("unit: {e}")).with(Detail::Field { name: "unit".into() })
        })?;
        Ok(Intake {
            kind: kind.id.clone(),
            category: input.applicant_category,
            applicants,
            unit,
            channel: input.channel,
            priority: input.priority,
        })
    }

    // 11. unknown_material
    fn parse_materials(&self, given: &[String], kind: &KindSpec) -> Result<Vec<MaterialId>, Refusal> {
        let unknown: Vec<String> = given
            .iter()
            .filter(|m| kind.material(m.trim()).is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(Refusal::new(
                ErrorCode::UnknownMaterial,
                format!("not on the `{}` checklist: {}", kind.id, unknown.join(", ")),
            )
            .with(Detail::Materials { materials: unknown }));
        }
        let set: BTreeSet<&str> = given.iter().map(|m| m.trim()).collect();
        // Checklist order, each once.
        Ok(kind
            .materials
            .iter()
            .filter(|m| set.contains(m.id.as_str()))
            .map(|m| m.id.clone())
            .collect())
    }

    // 12. separation_of_duties
    fn check_separation(&self, case: &Case) -> Result<(), Refusal> {
        if !self.ctx.centre.separation_of_duties || case.is_instant() {
            return Ok(());
        }
        let me = self.ctx.actor.id();
        let (earlier, step) = match self.name() {
            CommandName::Review => (case.acceptance().map(|a| &a.by), "accepted"),
            CommandName::Record => (case.reviewed_by(), "reviewed"),
            _ => return Ok(()),
        };
        if earlier == Some(me) {
            return Err(Refusal::new(
                ErrorCode::SeparationOfDuties,
                format!("`{me}` {step} this case and may not also {} it", self.name()),
            )
            .with(Detail::Officer { id: me.to_string() }));
        }
        Ok(())
    }

    fn draft(&self, role: Role, state_after: State, change: Change) -> Draft {
        Draft {
            command: self.name(),
            actor: self.ctx.actor.id().clone(),
            role,
            at: self.ctx.now,
            state_after,
            change,
        }
    }

    fn case(&self) -> &'a Case {
        self.case.expect("an existing case")
    }

    fn hours(&self) -> &OfficeHours {
        &self.ctx.centre.hours
    }

    fn completion(&self, acceptance: &Acceptance) -> Result<Completion, Refusal> {
        let now = self.ctx.now;
        let used = acceptance
            .clocks
            .working_days_used(now, self.ctx.calendar, self.hours())
            .map_err(|e| refuse(e.code(), e.to_string()))?;
        Ok(Completion {
            at: now,
            working_days_used: used.value,
            provisional: used.provisional,
            on_time: now <= acceptance.deadlines.promise.due_at,
            within_statute: now <= acceptance.deadlines.statutory.due_at,
        })
    }

    fn project(&self, clocks: &CaseClocks) -> Result<crate::deadline::Deadlines, Refusal> {
        clocks
            .project(self.ctx.calendar, self.hours())
            .map_err(|e| refuse(e.code(), e.to_string()))
    }

    /// The acceptance decision shared by `accept` and `handle_instantly`.
    fn acceptance_outcome(
        &self,
        kind: &KindSpec,
        materials: &[MaterialId],
        intake: &Intake,
        policy: &Policy,
    ) -> Result<Outcome, Refusal> {
        let present: BTreeSet<&MaterialId> = materials.iter().collect();
        let missing: Vec<&crate::catalogue::MaterialSpec> = kind
            .applicant_materials()
            .filter(|m| !present.contains(&m.id))
            .collect();
        let key_missing = missing.iter().any(|m| m.key);
        if key_missing || (!missing.is_empty() && !kind.pledges) {
            return Ok(Outcome::NotAccepted {
                missing: missing.iter().map(|m| m.id.clone()).collect(),
            });
        }
        let pledged = missing.iter().map(|m| m.id.clone()).collect();
        let clocks = policy.clocks(&intake.kind, intake.category, self.ctx.now);
        let deadlines = self.project(&clocks)?;
        Ok(Outcome::Accepted {
            pledged,
            acceptance: Acceptance {
                at: self.ctx.now,
                by: self.ctx.actor.id().clone(),
                policy: policy.id().clone(),
                clocks,
                deadlines,
            },
        })
    }

    // 9–13 per command.
    fn command_rules(&self, kind: &'a KindSpec, role: Role) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        match self.command {
            Command::Apply { intake, materials } => {
                let intake = self.parse_intake(intake, kind)?;
                let materials = self.parse_materials(materials, kind)?;
                Ok(vec![self.draft(
                    role,
                    State::PreReview,
                    Change::Applied { intake, materials },
                )])
            }
            Command::PreReview { pass, problems } => {
                let problems: Vec<String> = problems
                    .iter()
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect();
                let to = if *pass { State::AwaitingVisit } else { State::Returned };
                Ok(vec![self.draft(
                    role,
                    to,
                    Change::PreReviewed { pass: *pass, problems },
                )])
            }
            Command::Amend { materials } => {
                let materials = self.parse_materials(materials, kind)?;
                Ok(vec![self.draft(role, State::PreReview, Change::Amended { materials })])
            }
            Command::Accept { materials, .. } => {
                let (intake, opens) = match (self.case, self.intake_input()) {
                    (Some(case), _) => (case.intake().clone(), false),
                    (None, Some(input)) => (self.parse_intake(input, kind)?, true),
                    (None, None) => unreachable!("arguments checked"),
                };
                let mut given = self.parse_materials(materials, kind)?;
                if let Some(case) = self.case {
                    given.extend(case.materials().iter().cloned());
                    given.sort_by_key(|m| kind.materials.iter().position(|x| &x.id == m));
                    given.dedup();
                }
                let policy = self.policy()?;
                let intake_field = opens.then(|| intake.clone());
                let change = match self.acceptance_outcome(kind, &given, &intake, policy)? {
                    Outcome::Accepted { pledged, acceptance } => Change::Accepted {
                        intake: intake_field,
                        materials: given,
                        pledged,
                        tasks: kind.tasks.clone(),
                        acceptance,
                    },
                    Outcome::NotAccepted { missing } => Change::NotAccepted {
                        intake: intake_field,
                        materials: given,
                        missing,
                    },
                };
                let to = if matches!(change, Change::Accepted { .. }) {
                    State::Accepted
                } else {
                    State::NotAccepted
                };
                Ok(vec![self.draft(role, to, change)])
            }
            Command::HandleInstantly {
                intake: input,
                materials,
            } => {
                let policy = self.policy()?;
                if !policy.is_instant(&kind.id, input.applicant_category) {
                    return Err(refuse(
                        ErrorCode::NotInstantKind,
                        format!(
                            "`{}` for {} is not handled on the spot under policy `{}`",
                            kind.id,
                            input.applicant_category,
                            policy.id()
                        ),
                    ));
                }
                let intake = self.parse_intake(input, kind)?;
                let given = self.parse_materials(materials, kind)?;
                let change = match self.acceptance_outcome(kind, &given, &intake, policy)? {
                    Outcome::NotAccepted { missing } => Change::NotAccepted {
                        intake: Some(intake),
                        materials: given,
                        missing,
                    },
                    Outcome::Accepted { pledged, .. } if !pledged.is_empty() => {
                        let names: Vec<String> = pledged.iter().map(|m| m.to_string()).collect();
                        return Err(Refusal::new(
                            ErrorCode::MaterialsPending,
                            format!(
                                "an instant case completes on the spot; bring {} or accept the case instead",
                                names.join(", ")
                            ),
                        )
                        .with(Detail::Materials { materials: names }));
                    }
                    Outcome::Accepted { acceptance, .. } => {
                        if kind.blocked_by_seizure && ctx.unit_seized {
                            return Err(self.unit_seized(&intake.unit));
                        }
                        let completion = self.completion(&acceptance)?;
                        Change::HandledInstantly {
                            intake,
                            materials: given,
                            acceptance,
                            completion,
                        }
                    }
                };
                let to = if matches!(change, Change::HandledInstantly { .. }) {
                    State::Completed
                } else {
                    State::NotAccepted
                };
                Ok(vec![self.draft(role, to, change)])
            }
            Command::SupplyMaterials { materials } => {
                let case = self.case();
                let materials = self.parse_materials(materials, kind)?;
                let cleared: Vec<MaterialId> = materials
                    .iter()
                    .filter(|m| case.pledged().contains(*m))
                    .cloned()
                    .collect();
                Ok(vec![self.draft(
                    role,
                    case.state(),
                    Change::MaterialsSupplied { materials, cleared },
                )])
            }
            Command::CompleteTask { task, outcome } => {
                let case = self.case();
                if case.tasks().get(task) == Some(&TaskStatus::Succeeded) {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        format!("the `{task}` task already succeeded"),
                    ));
                }
                let (status, reason) = match outcome {
                    TaskOutcome::Succeeded => (TaskStatus::Succeeded, None),
                    TaskOutcome::Failed { reason } => (TaskStatus::Failed, Some(reason.trim().to_owned())),
                };
                Ok(vec![self.draft(
                    role,
                    case.state(),
                    Change::TaskCompleted {
                        task: *task,
                        status,
                        reason,
                    },
                )])
            }
            Command::Review => {
                let case = self.case();
                self.check_separation(case)?;
                let acceptance = case.acceptance().expect("accepted");
                if kind.produces == Produces::QueryResult {
                    let completion = self.completion(acceptance)?;
                    return Ok(vec![self.draft(
                        role,
                        State::Completed,
                        Change::Reviewed {
                            completion: Some(completion),
                        },
                    )]);
                }
                let mut drafts = vec![self.draft(role, State::Reviewed, Change::Reviewed { completion: None })];
                if let Some(days) = kind.public_notice_days {
                    let local = self.hours().local_date(ctx.now);
                    let end = ctx
                        .calendar
                        .add_working_days_projected(local, days)
                        .map_err(|e| refuse(e.code(), e.to_string()))?;
                    let notice = Notice {
                        days,
                        ends_at: self.hours().closing_on(end.value),
                    };
                    drafts.push(Draft {
                        command: CommandName::AutoSuspend,
                        actor: Actor::system(case.centre().clone()).id().clone(),
                        role: Role::System,
                        at: ctx.now,
                        state_after: State::Suspended,
                        change: Change::Suspended {
                            cause: SuspensionCause::PublicNotice,
                            note: format!("public notice of {days} working days (公告)"),
                            resume_to: State::Reviewed,
                            notice: Some(notice),
                        },
                    });
                }
                Ok(drafts)
            }
            Command::Record => {
                let case = self.case();
                self.check_separation(case)?;
                if !case.pledged().is_empty() {
                    let materials: Vec<String> = case.pledged().iter().map(|m| m.to_string()).collect();
                    return Err(Refusal::new(
                        ErrorCode::MaterialsPending,
                        format!("pledged materials are still outstanding: {}", materials.join(", ")),
                    )
                    .with(Detail::Materials { materials }));
                }
                let pending: Vec<_> = case
                    .tasks()
                    .iter()
                    .filter(|(_, s)| **s != TaskStatus::Succeeded)
                    .map(|(t, _)| *t)
                    .collect();
                if !pending.is_empty() {
                    let names: Vec<&str> = pending.iter().map(|t| t.as_str()).collect();
                    return Err(Refusal::new(
                        ErrorCode::TasksPending,
                        format!("parallel tasks have not succeeded: {}", names.join(", ")),
                    )
                    .with(Detail::Tasks { tasks: pending }));
                }
                if kind.blocked_by_seizure && ctx.unit_seized {
                    return Err(self.unit_seized(&case.intake().unit));
                }
                let completion = if kind.produces.issues_certificate() {
                    None
                } else {
                    Some(self.completion(case.acceptance().expect("accepted"))?)
                };
                let to = if completion.is_some() {
                    State::Completed
                } else {
                    State::Recorded
                };
                Ok(vec![self.draft(role, to, Change::Recorded { completion })])
            }
            Command::IssueCertificate => {
                let completion = self.completion(self.case().acceptance().expect("accepted"))?;
                Ok(vec![self.draft(
                    role,
                    State::Completed,
                    Change::CertificateIssued { completion },
                )])
            }
            Command::Suspend { cause, note } => {
                let case = self.case();
                Ok(vec![self.draft(
                    role,
                    State::Suspended,
                    Change::Suspended {
                        cause: *cause,
                        note: note.trim().to_owned(),
                        resume_to: case.state(),
                        notice: None,
                    },
                )])
            }
            Command::Resume => Ok(vec![self.resumed(role, ctx.now, false)?]),
            Command::AutoResume => {
                let case = self.case();
                let Some(notice) = case.suspension().and_then(|s| s.notice) else {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        "the case is not suspended for a public notice",
                    ));
                };
                if ctx.now < notice.ends_at {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        format!("the public notice runs until {}", self.hours().format(notice.ends_at)),
                    ));
                }
                let at = notice.ends_at.max(case.updated_at());
                Ok(vec![self.resumed(role, at, true)?])
            }
            Command::Reject { ground, note } => {
                let ground = RejectionGround::ALL.into_iter().find(|g| g.as_str() == ground.trim()).ok_or_else(|| {
                    Refusal::new(
                        ErrorCode::InvalidGround,
                        format!(
                            "`{ground}` is not a ground of 条例 Art. 22 (violates_law, ownership_dispute, right_expired, legally_barred)"
                        ),
                    )
                    .with(Detail::Field { name: "ground".into() })
                })?;
                Ok(vec![self.draft(
                    role,
                    State::Rejected,
                    Change::Rejected {
                        ground,
                        note: note.trim().to_owned(),
                    },
                )])
            }
            Command::Withdraw { consenting } => {
                let case = self.case();
                let given: BTreeSet<String> = consenting.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
                if let Some(stranger) = given.iter().find(|c| !case.has_applicant(c)) {
                    return Err(Refusal::argument(
                        "consenting",
                        format!("`{stranger}` is not an applicant of this case"),
                    ));
                }
                let missing: Vec<String> = case
                    .intake()
                    .applicants
                    .iter()
                    .map(|a| a.id.as_str().to_owned())
                    .filter(|id| !given.contains(id))
                    .collect();
                if !missing.is_empty() {
                    return Err(Refusal::new(
                        ErrorCode::PartialWithdrawal,
                        format!("every applicant must consent; missing: {}", missing.join(", ")),
                    )
                    .with(Detail::Consent { missing }));
                }
                Ok(vec![self.draft(
                    role,
                    State::Withdrawn,
                    Change::Withdrawn {
                        consenting: given.into_iter().collect(),
                    },
                )])
            }
            Command::Extend { working_days, reason } => {
                let case = self.case();
                let acceptance = case.acceptance().expect("accepted");
                let clocks = acceptance.clocks.extended(*working_days, ctx.calendar, self.hours()).map_err(|e| match e {
                    DeadlineError::ExceedsStatutory { promise_due, statutory_due, .. } => Refusal::new(
                        ErrorCode::ExceedsStatutory,
                        format!(
                            "{working_days} more working days would put the promise at {}, after the statutory deadline {}",
                            self.hours().format(promise_due),
                            self.hours().format(statutory_due)
                        ),
                    )
                    .with(Detail::Deadlines { promise_due, statutory_due }),
                    other => Refusal::argument("working_days", other.to_string()),
                })?;
                let deadlines = self.project(&clocks)?;
                Ok(vec![self.draft(
                    role,
                    case.state(),
                    Change::Extended {
                        days: *working_days,
                        reason: reason.trim().to_owned(),
                        clocks,
                        deadlines,
                    },
                )])
            }
            Command::Evaluate { rating, comment } => {
                if self.case().evaluation().is_some() {
                    return Err(refuse(ErrorCode::AlreadyEvaluated, "the case was already evaluated"));
                }
                Ok(vec![self.draft(
                    role,
                    State::Completed,
                    Change::Evaluated {
                        rating: *rating,
                        comment: comment.trim().to_owned(),
                    },
                )])
            }
            Command::RaiseAlert { alert } => {
                let case = self.case();
                if !case.armed_alerts().contains(alert) {
                    return Err(refuse(
                        ErrorCode::InvalidTransition,
                        "that alert is not armed on this case",
                    ));
                }
                if ctx.now < alert.at {
                    return Err(refuse(ErrorCode::InvalidTransition, "that alert is not due yet"));
                }
                let mut d = self.draft(role, case.state(), Change::AlertRaised { alert: *alert });
                d.at = alert.at.max(case.updated_at());
                Ok(vec![d])
            }
            Command::Reproject => {
                let case = self.case();
                let acceptance = case.acceptance().expect("accepted");
                let deadlines = self.project(&acceptance.clocks)?;
                let notice = match case.suspension() {
                    Some(s) => match s.notice {
                        Some(n) => {
                            let start = self.hours().local_date(s.since);
                            let end = ctx
                                .calendar
                                .add_working_days_projected(start, n.days)
                                .map_err(|e| refuse(e.code(), e.to_string()))?;
                            Some(Notice {
                                days: n.days,
                                ends_at: self.hours().closing_on(end.value),
                            })
                        }
                        None => None,
                    },
                    None => None,
                };
                let notice_moved = notice.is_some() && notice != case.suspension().and_then(|s| s.notice);
                if !deadlines.moved_from(&acceptance.deadlines) && !notice_moved {
                    return Ok(Vec::new());
                }
                Ok(vec![self.draft(
                    role,
                    case.state(),
                    Change::Reprojected { deadlines, notice },
                )])
            }
        }
    }

    fn unit_seized(&self, unit: &UnitNumber) -> Refusal {
        refuse(
            ErrorCode::UnitSeized,
            format!("unit {unit} carries a seizure that has not been released (查扣冻规定 Art. 25)"),
        )
        .with(Detail::Field { name: "unit".into() })
    }

    fn resumed(&self, role: Role, at: DateTime<Utc>, automatic: bool) -> Result<Draft, Refusal> {
        let case = self.case();
        let s = case.suspension().expect("suspended");
        let acceptance = case.acceptance().expect("accepted");
        let closed = Suspension::new(s.since, at).expect("resume is not before suspension");
        let clocks = acceptance.clocks.clone().with_suspension(closed);
        let deadlines = self.project(&clocks)?;
        let mut d = self.draft(
            role,
            s.resume_to,
            Change::Resumed {
                automatic,
                clocks,
                deadlines,
            },
        );
        d.at = at;
        Ok(d)
    }

    fn commit(&self, drafts: Vec<Draft>) -> Decision {
        let mut case = self.case.cloned();
        let mut events = Vec::with_capacity(drafts.len());
        for d in drafts {
            let state_before = case.as_ref().map(Case::state);
            let (policy_id, calendar_version) = match &d.change {
                Change::Accepted { acceptance, .. } | Change::HandledInstantly { acceptance, .. } => (
                    Some(acceptance.policy.clone()),
                    Some(acceptance.deadlines.calendar_version.clone()),
                ),
                Change::Resumed { deadlines, .. }
                | Change::Extended { deadlines, .. }
                | Change::Reprojected { deadlines, .. } => (
                    case.as_ref().and_then(|c| c.acceptance()).map(|a| a.policy.clone()),
                    Some(deadlines.calendar_version.clone()),
                ),
                _ => (None, None),
            };
            let event = Event {
                case_id: self.ctx.case_id.clone(),
                centre: case
                    .as_ref()
                    .map_or_else(|| self.ctx.centre.id.clone(), |c| c.centre().clone()),
                seq: case.as_ref().map_or(1, |c| c.version() + 1),
                at: d.at,
                actor: d.actor,
                role: d.role,
                command: d.command,
                state_before,
                state_after: d.state_after,
                change: d.change,
                policy_id,
                calendar_version,
            };
            let next = match case {
                None => Case::open(&event),
                Some(c) => c.apply(&event),
            }
            .expect("decide emits events that follow");
            debug_assert_eq!(next.state(), event.state_after);
            case = Some(next);
            events.push(event);
        }
        let case = case.expect("a decision has a case");
        let alerts = case.armed_alerts();
        Decision { events, case, alerts }
    }
}

/// Whether `kind` is handled on the spot for `category` under the policy in force on the
/// local `date` — that is, whether `handle_instantly` applies.
pub fn is_instant(
    policies: &PolicyTimeline,
    kind: &KindId,
    category: ApplicantCategory,
    date: chrono::NaiveDate,
) -> bool {
    policies
        .in_force(date)
        .is_ok_and(|p| p.promise_for(kind, category) == Promise::Instant)
}
