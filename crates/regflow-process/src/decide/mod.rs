//! `decide`: for any case and command, what happens — or a refusal a clerk can act on.
//!
//! Checks run in the order SPEC 5.2 fixes, so a command breaking several rules is refused
//! with the first: `time_went_backwards`, `invalid_argument`, `case_not_found`,
//! `wrong_centre`, `invalid_transition`, `unknown_kind`, `forbidden_role`,
//! `channel_not_allowed`, `not_instant_kind`, `invalid_identifier`, `unknown_material`,
//! `separation_of_duties`, then the command's own codes. A refusal to another centre's
//! actor says nothing about the case: it is `wrong_centre` (or `case_not_found`) whatever
//! else the command breaks.

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
use crate::channel::Channel;
use crate::command::{Command, CommandName, IntakeInput, TaskOutcome};
use crate::deadline::{CaseClocks, DeadlineError, Suspension};
use crate::error::ErrorCode;
use crate::event::{Change, Event};
use crate::identifier::UnitNumber;
use crate::party::{IdType, PartyRole};
use crate::policy::{Policy, PolicyTimeline};
use crate::refusal::{Detail, Refusal};
use crate::register::{EntryDraft, RegisterSettings, UnitRegister};
use crate::transition::{self, Transition, Who};

mod clocks;
mod closing;
mod intake;
mod processing;
mod query;
mod register;
mod rules;

/// A centre's settings that rules depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Centre {
    /// The centre's id.
    pub id: CentreId,
    /// Its name as people read it (default: the id).
    pub name: String,
    /// Its time zone and closing time.
    pub hours: OfficeHours,
    /// Whether reviewer ≠ accepting clerk and registrar ≠ reviewer is enforced (default on).
    pub separation_of_duties: bool,
    /// The register's clocks and checks (SPEC 13).
    pub register: RegisterSettings,
}

impl Centre {
    /// A centre with default hours, separation of duties on and the default register settings.
    pub fn new(id: impl Into<String>) -> Centre {
        let id = CentreId::new(id);
        Centre {
            name: id.to_string(),
            id,
            hours: OfficeHours::default(),
            separation_of_duties: true,
            register: RegisterSettings::default(),
        }
    }

    /// The register's clock with `calendar`.
    pub fn legal_clock<'a>(&'a self, calendar: &'a Calendar) -> crate::register::LegalClock<'a> {
        crate::register::LegalClock { calendar, hours: &self.hours, settings: &self.register }
    }

    /// Separation of duties (SPEC 5.2): whether `officer` is kept from doing `step` on
    /// `case` because they did the step before it — the acceptance before `review`, the
    /// review before `record`. Returns the earlier step's past tense when they are. Never
    /// for an instant case (one officer handles it start to finish) or a centre that has
    /// turned separation off.
    pub fn bars(&self, case: &Case, officer: &ActorId, step: CommandName) -> Option<&'static str> {
        if !self.separation_of_duties || case.is_instant() {
            return None;
        }
        let (earlier, done) = match step {
            CommandName::Review => (case.acceptance().map(|a| &a.by), "accepted"),
            CommandName::Record => (case.reviewed_by(), "reviewed"),
            _ => return None,
        };
        (earlier == Some(officer)).then_some(done)
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
    /// The register of the unit the command records on, settled to `now` (only the
    /// executor knows it; see [`crate::unit_to_check`]). `None` reads as a unit with no
    /// entries.
    pub register: Option<&'a UnitRegister>,
    /// Refuse with `conflict` unless the case is at this version (checked right after the
    /// centre, so another centre learns nothing from it).
    pub expected_version: Option<u64>,
    /// When an offline command was captured (recorded on its first event); at most
    /// [`MAX_CAPTURE_AGE_DAYS`] before `now`, never after it.
    pub captured_at: Option<DateTime<Utc>>,
    /// The certificate `issue_certificate` writes (its id and hash), planned by the
    /// executor from the case's recording entry; `None` writes an event without one.
    pub certificate: Option<&'a crate::register::certificate::CertificateRef>,
}

/// How long before its commit an offline command may have been captured.
pub const MAX_CAPTURE_AGE_DAYS: i64 = 30;

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
    /// The register entries the events write, each with the `seq` of its event (one event,
    /// one entry; SPEC 13.1).
    pub entries: Vec<(u64, EntryDraft)>,
    /// An `information_query`'s answer, for the executor to store and certify (SPEC 15.2).
    pub answer: Option<crate::register::query::Answer>,
    /// The query log's lines the events write (SPEC 15.2).
    pub query_log: Vec<crate::register::query::LogDraft>,
}

pub use query::refused_query_line;

/// Whether `actor` may load or replace the working-day calendar (SPEC 2.1, 10): a
/// supervisor, or the engine itself.
///
/// # Errors
/// `forbidden_role` naming the roles that may.
pub fn authorise_calendar_load(actor: &Actor) -> Result<(), Refusal> {
    if actor.has(Role::Supervisor) || actor.has(Role::System) {
        return Ok(());
    }
    Err(Refusal::new(
        ErrorCode::ForbiddenRole,
        format!("`{}` may not load a calendar: it needs the role supervisor", actor.id()),
    )
    .with(Detail::Roles { required: vec![Role::Supervisor] }))
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
    entry: Option<EntryDraft>,
    answer: Option<crate::register::query::Answer>,
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
        self.check_exists()?;
        self.check_centre()?;
        self.check_version()?;
        let row = self.check_transition()?;
        let kind = self.check_kind()?;
        let role = self.check_role(row, kind)?;
        self.check_channel(kind)?;
        let drafts = self.command_rules(kind, role)?;
        Ok(self.commit(drafts))
    }

    /// Whether the actor may learn anything about the case: its own centre's case.
    fn foreign(&self) -> bool {
        self.case.is_some_and(|c| c.centre() != self.ctx.actor.centre())
    }

    // 1. time_went_backwards (about another centre's case, nothing: wrong_centre follows)
    fn check_time(&self) -> Result<(), Refusal> {
        if let Some(case) = self.case.filter(|_| !self.foreign()) {
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
        if let Some(captured) = self.ctx.captured_at {
            let format = |t| self.ctx.centre.hours.format(t);
            if captured > self.ctx.now {
                return Err(Refusal::argument(
                    "captured_at",
                    format!("`captured_at` {} is after the command's time {}", format(captured), format(self.ctx.now)),
                ));
            }
            if self.ctx.now - captured > chrono::Duration::days(MAX_CAPTURE_AGE_DAYS) {
                return Err(Refusal::argument(
                    "captured_at",
                    format!(
                        "`captured_at` {} is more than {MAX_CAPTURE_AGE_DAYS} days before the command's time {}",
                        format(captured),
                        format(self.ctx.now)
                    ),
                ));
            }
        }
        let intake_args = |intake: &IntakeInput| -> Result<(), Refusal> {
            if intake.applicants.is_empty() {
                return Err(Refusal::argument("applicants", "at least one applicant is needed"));
            }
            for (i, a) in intake.applicants.iter().enumerate() {
                non_empty(&format!("applicants[{i}].name"), &a.name)?;
            }
            register::check_shapes(intake)
        };
        match self.command {
            Command::Apply { intake, .. } => {
                intake_args(intake)?;
                if intake.channel != Channel::Online {
                    return Err(Refusal::argument("channel", "an application by `apply` comes in online"));
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
                    return Err(Refusal::argument("channel", "instant handling happens on the spot, not online"));
                }
            }
            Command::PreReview { pass: false, problems } if problems.iter().all(|p| p.trim().is_empty()) => {
                return Err(Refusal::argument("problems", "a returned application must list its problems"));
            }
            Command::CompleteTask { outcome: TaskOutcome::Failed { reason }, .. } => non_empty("reason", reason)?,
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
                return Err(Refusal::argument("consenting", "list the consenting applicants' ID numbers"));
            }
            Command::DeferQuery { reason } => non_empty("reason", reason)?,
            Command::Extend { working_days, reason } => {
                if *working_days < 1 {
                    return Err(Refusal::argument("working_days", "an extension is at least 1 working day"));
                }
                non_empty("reason", reason)?;
            }
            Command::Evaluate { rating, .. } if !(1..=5).contains(rating) => {
                return Err(Refusal::argument("rating", format!("rating {rating} is not between 1 and 5")));
            }
            _ => {}
        }
        Ok(())
    }

    // 3. case_not_found
    fn check_exists(&self) -> Result<(), Refusal> {
        if self.case.is_none() && !self.name().creates() {
            return Err(refuse(ErrorCode::CaseNotFound, format!("no case `{}`", self.ctx.case_id)));
        }
        Ok(())
    }

    // 4. wrong_centre: the message names the actor's centre only, never the case's.
    fn check_centre(&self) -> Result<(), Refusal> {
        let actor_centre = self.ctx.actor.centre();
        if self.foreign() {
            return Err(refuse(
                ErrorCode::WrongCentre,
                format!(
                    "`{}` belongs to centre `{actor_centre}` and may not act on case `{}`",
                    self.ctx.actor.id(),
                    self.ctx.case_id
                ),
            ));
        }
        if actor_centre != &self.ctx.centre.id {
            return Err(refuse(
                ErrorCode::WrongCentre,
                format!(
                    "`{}` belongs to centre `{actor_centre}`, not to `{}`",
                    self.ctx.actor.id(),
                    self.ctx.centre.id
                ),
            ));
        }
        Ok(())
    }

    // conflict: the caller read an older version.
    fn check_version(&self) -> Result<(), Refusal> {
        if let (Some(expected), Some(case)) = (self.ctx.expected_version, self.case) {
            if case.version() != expected {
                return Err(refuse(
                    ErrorCode::Conflict,
                    format!(
                        "case `{}` is at version {}, not {expected}: read it again and retry",
                        self.ctx.case_id,
                        case.version()
                    ),
                ));
            }
        }
        Ok(())
    }

    // 5. invalid_transition
    fn check_transition(&self) -> Result<Transition, Refusal> {
        let name = self.name();
        let from = self.case.map(Case::state);
        let row = transition::find(from, name).ok_or_else(|| {
            let message = match from {
                None => format!("`{name}` needs an existing case"),
                Some(s) => format!("`{name}` is not allowed on a case in state `{s}`"),
            };
            refuse(ErrorCode::InvalidTransition, message)
                .with(Detail::Allowed { commands: transition::allowed_from(from) })
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
            Refusal::new(ErrorCode::UnknownKind, format!("`{id}` is not a registration kind of this centre"))
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
        let me = actor.id().as_str();
        match (self.case, self.intake_input()) {
            (Some(case), _) => case.has_applicant(me),
            (None, Some(input)) => input.applicants.iter().any(|a| a.id.trim().eq_ignore_ascii_case(me.trim())),
            (None, None) => false,
        }
    }

    // 6. forbidden_role
    fn check_role(&self, row: Transition, kind: &KindSpec) -> Result<Role, Refusal> {
        let actor = self.ctx.actor;
        let forbidden = |required: Vec<Role>, what: String| {
            Refusal::new(ErrorCode::ForbiddenRole, format!("`{}` may not {}: {what}", actor.id(), self.name()))
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
                    forbidden(vec![role], format!("on the `{}` channel it needs the role {role}", self.channel()))
                })
            }
            Who::Applicants => {
                if self.is_applicant() {
                    Ok(Role::Applicant)
                } else {
                    Err(forbidden(vec![Role::Applicant], "only one of the case's applicants may".into()))
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
                let Command::CompleteTask { task, .. } = self.command else { unreachable!("row") };
                if !kind.tasks.contains(task) {
                    return Err(Refusal::argument("task", format!("`{}` has no `{task}` task", kind.id)));
                }
                any_of(&[task.officer()]).ok_or_else(|| {
                    forbidden(vec![task.officer()], format!("the `{task}` task is reported by a {}", task.officer()))
                })
            }
            Who::System => {
                any_of(&[Role::System]).ok_or_else(|| forbidden(vec![Role::System], "only the engine may".into()))
            }
        }
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
        self.ctx.policies.in_force(date).map_err(Refusal::from)
    }

    /// A party as given, its identifier read by its type (`field` names it in a refusal).
    fn party(
        &self,
        field: &str,
        a: &crate::command::ApplicantInput,
        category: crate::ApplicantCategory,
    ) -> Result<Applicant, Refusal> {
        let id_field = format!("{field}.id");
        let id_type = a.id_type.unwrap_or(IdType::default_for(category));
        let id = PartyId::parse(&a.id, id_type).map_err(|e| {
            let why = match a.id_type {
                Some(_) => format!("was read as {} (id_type `{id_type}`)", id_type.describe()),
                None => format!(
                    "was read as {}, the default for an {} case (give `id_type`: `{}` for a party of the other type)",
                    id_type.describe(),
                    category,
                    id_type.other()
                ),
            };
            Refusal::new(ErrorCode::InvalidIdentifier, format!("{id_field} {why}: {}", e.reason))
                .with(Detail::Field { name: id_field.clone() })
        })?;
        Ok(Applicant { name: a.name.trim().to_owned(), id, role: a.role.unwrap_or(PartyRole::Obligee), share: None })
    }

    // 10. invalid_identifier
    fn parse_intake(&self, input: &IntakeInput, kind: &KindSpec) -> Result<Intake, Refusal> {
        let mut applicants: Vec<Applicant> = Vec::with_capacity(input.applicants.len());
        for (i, a) in input.applicants.iter().enumerate() {
            let field = format!("applicants[{i}]");
            let party = self.party(&field, a, input.applicant_category)?;
            if applicants.iter().any(|x| x.id == party.id) {
                let field = format!("{field}.id");
                return Err(Refusal::argument(&field, format!("{field}: `{}` is listed twice", party.id.as_str())));
            }
            applicants.push(party);
        }
        let unit = UnitNumber::parse(&input.unit).map_err(|e| {
            Refusal::new(ErrorCode::InvalidIdentifier, format!("unit: {e}")).with(Detail::Field { name: "unit".into() })
        })?;
        let (register, consents) = self.register_args(kind, input, &mut applicants)?;
        let query = self.query_args(kind, input)?;
        Ok(Intake {
            kind: kind.id.clone(),
            category: input.applicant_category,
            applicants,
            unit,
            channel: input.channel,
            priority: input.priority,
            consents,
            register,
            query,
        })
    }

    // 11. unknown_material
    fn parse_materials(&self, given: &[String], kind: &KindSpec) -> Result<Vec<MaterialId>, Refusal> {
        let unknown: Vec<String> = given.iter().filter(|m| kind.material(m.trim()).is_none()).cloned().collect();
        if !unknown.is_empty() {
            return Err(Refusal::new(
                ErrorCode::UnknownMaterial,
                format!("not on the `{}` checklist: {}", kind.id, unknown.join(", ")),
            )
            .with(Detail::Materials { materials: unknown }));
        }
        let set: BTreeSet<&str> = given.iter().map(|m| m.trim()).collect();
        // Checklist order, each once.
        Ok(kind.materials.iter().filter(|m| set.contains(m.id.as_str())).map(|m| m.id.clone()).collect())
    }

    // 12. separation_of_duties
    fn check_separation(&self, case: &Case) -> Result<(), Refusal> {
        let me = self.ctx.actor.id();
        if let Some(step) = self.ctx.centre.bars(case, me, self.name()) {
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
            entry: None,
            answer: None,
        }
    }

    fn case(&self) -> &'a Case {
        self.case.expect("an existing case")
    }

    fn hours(&self) -> &OfficeHours {
        &self.ctx.centre.hours
    }

    fn commit(&self, drafts: Vec<Draft>) -> Decision {
        let mut case = self.case.cloned();
        let mut events = Vec::with_capacity(drafts.len());
        let mut entries = Vec::new();
        let (mut answer, mut query_log) = (None, Vec::new());
        for d in drafts {
            let state_before = case.as_ref().map(Case::state);
            let (policy_id, calendar_version) = match &d.change {
                Change::Accepted { acceptance, .. } | Change::HandledInstantly { acceptance, .. } => {
                    (Some(acceptance.policy.clone()), Some(acceptance.deadlines.calendar_version.clone()))
                }
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
                centre: case.as_ref().map_or_else(|| self.ctx.centre.id.clone(), |c| c.centre().clone()),
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
                captured_at: if events.is_empty() { self.ctx.captured_at } else { None },
            };
            if let Some(entry) = d.entry {
                entries.push((event.seq, entry));
            }
            if d.answer.is_some() {
                answer = d.answer;
            }
            let next = match case {
                None => Case::open(&event),
                Some(c) => c.apply(&event),
            }
            .expect("decide emits events that follow");
            query_log.extend(query::log_lines(&next, &event));
            debug_assert_eq!(next.state(), event.state_after);
            case = Some(next);
            events.push(event);
        }
        let case = case.expect("a decision has a case");
        let alerts = case.armed_alerts();
        Decision { events, case, alerts, entries, answer, query_log }
    }
}
