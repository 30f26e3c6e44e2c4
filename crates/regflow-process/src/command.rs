//! Commands (SPEC 5.2): what clerks, applicants, departments and the engine ask of a case.
//!
//! Arguments that rules check in a set order (kind, identifiers, materials, grounds) stay
//! text here, so [`crate::decide::decide`] can refuse them with the right code.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::PlannedAlert;
use crate::case::SuspensionCause;
use crate::catalogue::Task;
use crate::category::ApplicantCategory;
use crate::channel::{Channel, Priority};
use crate::party::{IdType, PartyRole};
use crate::register::EntryRef;

/// A party as given in a command: a name and an identifier, unvalidated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantInput {
    /// The party's name.
    pub name: String,
    /// A resident ID number or a unified social credit code.
    pub id: String,
    /// How to read `id`; when `None`, the case's category decides (individual → resident
    /// ID number, organisation → credit code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_type: Option<IdType>,
    /// Obligee (default) or obligor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<PartyRole>,
    /// An obligee's share of the ownership, `"p/q"` (SPEC 13.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<String>,
}

impl ApplicantInput {
    /// A party of the case's default identifier type, as obligee.
    pub fn new(name: impl Into<String>, id: impl Into<String>) -> ApplicantInput {
        ApplicantInput { name: name.into(), id: id.into(), id_type: None, role: None, share: None }
    }

    /// Sets the party's share, `"p/q"`.
    pub fn share(mut self, share: impl Into<String>) -> ApplicantInput {
        self.share = Some(share.into());
        self
    }

    /// Reads the identifier as `id_type`.
    pub fn id_type(mut self, id_type: IdType) -> ApplicantInput {
        self.id_type = Some(id_type);
        self
    }

    /// Sets the party's role.
    pub fn role(mut self, role: PartyRole) -> ApplicantInput {
        self.role = Some(role);
        self
    }
}

/// The register arguments of a case, as given (SPEC 13.2): which entry a release,
/// correction or cancellation names, and what a mortgage or seizure records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterInput {
    /// The mortgage a `mortgage_cancellation` releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mortgage_entry: Option<EntryRef>,
    /// The seizure a `seizure_release` releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seizure_entry: Option<EntryRef>,
    /// The entry a `correction` corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<EntryRef>,
    /// The objection or advance notice a `cancellation` ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<EntryRef>,
    /// A mortgage's secured amount in yuan, e.g. `"850000.00"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secured_amount: Option<String>,
    /// A seizure's ruling number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ruling: Option<String>,
    /// A seizure's term in years (default: the centre's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_years: Option<u64>,
}

impl RegisterInput {
    /// Whether no register argument is given.
    pub fn is_empty(&self) -> bool {
        self == &RegisterInput::default()
    }
}

/// The arguments of an `information_query`, as given (SPEC 15.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryInput {
    /// Who asks: `owner` (the default), `interested_party` or `authority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub querier: Option<crate::register::query::QuerierClass>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The interest proof's or the commission's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
    /// An authority's type (`court`, `procuratorate`, `public_security`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_type: Option<String>,
}

impl QueryInput {
    /// Whether no query argument is given.
    pub fn is_empty(&self) -> bool {
        self == &QueryInput::default()
    }

    /// The first argument given, by name.
    pub fn first_given(&self) -> Option<&'static str> {
        [
            ("querier", self.querier.is_some()),
            ("purpose", self.purpose.is_some()),
            ("proof", self.proof.is_some()),
            ("authority_type", self.authority_type.is_some()),
        ]
        .into_iter()
        .find_map(|(name, given)| given.then_some(name))
    }
}

/// The facts that open a case, as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeInput {
    /// The kind id.
    pub kind: String,
    /// Individual or organisation.
    pub applicant_category: ApplicantCategory,
    /// The applicants.
    pub applicants: Vec<ApplicantInput>,
    /// The property unit number.
    pub unit: String,
    /// The channel (`online` for `apply`).
    pub channel: Channel,
    /// Queue priority.
    pub priority: Priority,
    /// Who consents without being a party (an advance notice's holder, SPEC 13.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<ApplicantInput>,
    /// The register arguments.
    #[serde(default, flatten, skip_serializing_if = "RegisterInput::is_empty")]
    pub register: RegisterInput,
    /// An `information_query`'s arguments.
    #[serde(default, flatten, skip_serializing_if = "QueryInput::is_empty")]
    pub query: QueryInput,
}

impl IntakeInput {
    /// The facts of a case of `kind` on `unit`, brought by `applicants` over `channel`, in
    /// the standard queue (set `priority` for the green channel or military service).
    pub fn new(
        kind: impl Into<String>,
        applicant_category: ApplicantCategory,
        applicants: Vec<ApplicantInput>,
        unit: impl Into<String>,
        channel: Channel,
    ) -> IntakeInput {
        IntakeInput {
            kind: kind.into(),
            applicant_category,
            applicants,
            unit: unit.into(),
            channel,
            priority: Priority::Standard,
            consents: Vec::new(),
            register: RegisterInput::default(),
            query: QueryInput::default(),
        }
    }
}

/// A departmental task's reported outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    /// The task succeeded.
    Succeeded,
    /// The task failed, with a reason; it can later succeed.
    Failed {
        /// Why it failed.
        reason: String,
    },
}

/// A command to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Command {
    /// An online application: new → `pre_review`.
    Apply {
        /// The case's facts (channel `online`).
        intake: IntakeInput,
        /// The materials uploaded.
        materials: Vec<String>,
    },
    /// Online pre-review: `pre_review` → `awaiting_visit` or `returned`.
    PreReview {
        /// Whether the application passed.
        pass: bool,
        /// The problems found (required when it did not pass).
        problems: Vec<String>,
    },
    /// The applicant amends a returned application: `returned` → `pre_review`.
    Amend {
        /// Materials added.
        materials: Vec<String>,
    },
    /// Acceptance on the spot: new or `awaiting_visit` → `accepted` or `not_accepted`.
    Accept {
        /// The case's facts; required for a new case, ignored after an online application.
        intake: Option<IntakeInput>,
        /// The materials presented.
        materials: Vec<String>,
    },
    /// Materials handed in later; clears pledges.
    SupplyMaterials {
        /// The materials.
        materials: Vec<String>,
    },
    /// A department reports its parallel task.
    CompleteTask {
        /// Which task.
        task: Task,
        /// Its outcome.
        outcome: TaskOutcome,
    },
    /// Step 2: `accepted` → `reviewed` (an information query completes here).
    Review,
    /// Step 3: `reviewed` → `recorded`, or `completed` when nothing is issued.
    Record,
    /// `recorded` → `completed`.
    IssueCertificate,
    /// An instant kind accepted and completed in one step.
    HandleInstantly {
        /// The case's facts.
        intake: IntakeInput,
        /// The materials presented.
        materials: Vec<String>,
    },
    /// Stop the clocks: `accepted` or `reviewed` → `suspended`.
    Suspend {
        /// Why.
        cause: SuspensionCause,
        /// The explanation.
        note: String,
    },
    /// Restart the clocks: `suspended` → the state it left.
    Resume,
    /// Refuse registration: `accepted`, `reviewed` or `suspended` → `rejected`.
    Reject {
        /// One of `violates_law`, `ownership_dispute`, `right_expired`, `legally_barred`.
        ground: String,
        /// The explanation.
        note: String,
    },
    /// Withdraw with every applicant's consent (before recording).
    Withdraw {
        /// The ID numbers of the consenting applicants.
        consenting: Vec<String>,
    },
    /// A supervisor extends the promise.
    Extend {
        /// Working days added: at least 1, and no more than keeps the promise within the
        /// statutory deadline (any larger number, however large, is `exceeds_statutory`).
        working_days: u64,
        /// Why.
        reason: String,
    },
    /// A clerk or reviewer defers an accepted `information_query` (SPEC 15.2): its promise
    /// becomes acceptance + the centre's `query_defer_days` working days. Once.
    DeferQuery {
        /// Why it cannot be answered on the spot.
        reason: String,
    },
    /// The applicant's evaluation of a completed case.
    Evaluate {
        /// 1 to 5.
        rating: u8,
        /// Free text.
        comment: String,
    },
    /// A lawsuit on a recorded objection was filed (SPEC 13.4): it no longer lapses.
    LawsuitFiled {
        /// The court.
        court: String,
        /// The day it was filed.
        filed_on: chrono::NaiveDate,
    },
    /// A court renews its active seizure (续封) by `term_years` (default: the centre's term).
    RenewSeizure {
        /// Years added to the last day.
        term_years: Option<u32>,
    },
    /// Engine: a public notice has run; the case resumes by itself.
    AutoResume,
    /// Engine: an armed alert has come due.
    RaiseAlert {
        /// The alert.
        alert: PlannedAlert,
    },
    /// Engine: recompute deadlines with the context's calendar.
    Reproject,
}

/// The stable name of a command, as recorded in history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandName {
    /// `apply`
    Apply,
    /// `pre_review`
    PreReview,
    /// `amend`
    Amend,
    /// `accept`
    Accept,
    /// `supply_materials`
    SupplyMaterials,
    /// `complete_task`
    CompleteTask,
    /// `review`
    Review,
    /// `record`
    Record,
    /// `issue_certificate`
    IssueCertificate,
    /// `handle_instantly`
    HandleInstantly,
    /// `suspend`
    Suspend,
    /// `resume`
    Resume,
    /// `reject`
    Reject,
    /// `withdraw`
    Withdraw,
    /// `extend`
    Extend,
    /// `defer_query`
    DeferQuery,
    /// `evaluate`
    Evaluate,
    /// `lawsuit_filed`
    LawsuitFiled,
    /// `renew_seizure`
    RenewSeizure,
    /// `auto_suspend`: the engine starts a public notice after review.
    AutoSuspend,
    /// `auto_resume`: the engine ends a public notice.
    AutoResume,
    /// `raise_alert`
    RaiseAlert,
    /// `reproject`
    Reproject,
    /// `import`: a case brought in from a centre's earlier system (see [`crate::import`]).
    Import,
}

impl CommandName {
    /// Every command name.
    pub const ALL: [CommandName; 24] = [
        CommandName::Apply,
        CommandName::PreReview,
        CommandName::Amend,
        CommandName::Accept,
        CommandName::SupplyMaterials,
        CommandName::CompleteTask,
        CommandName::Review,
        CommandName::Record,
        CommandName::IssueCertificate,
        CommandName::HandleInstantly,
        CommandName::Suspend,
        CommandName::Resume,
        CommandName::Reject,
        CommandName::Withdraw,
        CommandName::Extend,
        CommandName::DeferQuery,
        CommandName::Evaluate,
        CommandName::LawsuitFiled,
        CommandName::RenewSeizure,
        CommandName::AutoSuspend,
        CommandName::AutoResume,
        CommandName::RaiseAlert,
        CommandName::Reproject,
        CommandName::Import,
    ];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            CommandName::Apply => "apply",
            CommandName::PreReview => "pre_review",
            CommandName::Amend => "amend",
            CommandName::Accept => "accept",
            CommandName::SupplyMaterials => "supply_materials",
            CommandName::CompleteTask => "complete_task",
            CommandName::Review => "review",
            CommandName::Record => "record",
            CommandName::IssueCertificate => "issue_certificate",
            CommandName::HandleInstantly => "handle_instantly",
            CommandName::Suspend => "suspend",
            CommandName::Resume => "resume",
            CommandName::Reject => "reject",
            CommandName::Withdraw => "withdraw",
            CommandName::Extend => "extend",
            CommandName::DeferQuery => "defer_query",
            CommandName::Evaluate => "evaluate",
            CommandName::LawsuitFiled => "lawsuit_filed",
            CommandName::RenewSeizure => "renew_seizure",
            CommandName::AutoSuspend => "auto_suspend",
            CommandName::AutoResume => "auto_resume",
            CommandName::RaiseAlert => "raise_alert",
            CommandName::Reproject => "reproject",
            CommandName::Import => "import",
        }
    }

    /// Whether the command opens a new case.
    pub const fn creates(self) -> bool {
        matches!(self, CommandName::Apply | CommandName::Accept | CommandName::HandleInstantly | CommandName::Import)
    }

    /// Whether an applicant issues it (SPEC 5.2: refused unless the actor is one of the
    /// case's applicants), alone or besides a clerk.
    pub const fn applicant_side(self) -> bool {
        matches!(
            self,
            CommandName::Apply
                | CommandName::Amend
                | CommandName::SupplyMaterials
                | CommandName::Withdraw
                | CommandName::Evaluate
                | CommandName::LawsuitFiled
        )
    }
}

impl Command {
    /// A department's task done: `CompleteTask` with [`TaskOutcome::Succeeded`].
    pub fn task_succeeded(task: Task) -> Command {
        Command::CompleteTask { task, outcome: TaskOutcome::Succeeded }
    }

    /// The command's name.
    pub fn name(&self) -> CommandName {
        match self {
            Command::Apply { .. } => CommandName::Apply,
            Command::PreReview { .. } => CommandName::PreReview,
            Command::Amend { .. } => CommandName::Amend,
            Command::Accept { .. } => CommandName::Accept,
            Command::SupplyMaterials { .. } => CommandName::SupplyMaterials,
            Command::CompleteTask { .. } => CommandName::CompleteTask,
            Command::Review => CommandName::Review,
            Command::Record => CommandName::Record,
            Command::IssueCertificate => CommandName::IssueCertificate,
            Command::HandleInstantly { .. } => CommandName::HandleInstantly,
            Command::Suspend { .. } => CommandName::Suspend,
            Command::Resume => CommandName::Resume,
            Command::Reject { .. } => CommandName::Reject,
            Command::Withdraw { .. } => CommandName::Withdraw,
            Command::Extend { .. } => CommandName::Extend,
            Command::DeferQuery { .. } => CommandName::DeferQuery,
            Command::Evaluate { .. } => CommandName::Evaluate,
            Command::LawsuitFiled { .. } => CommandName::LawsuitFiled,
            Command::RenewSeizure { .. } => CommandName::RenewSeizure,
            Command::AutoResume => CommandName::AutoResume,
            Command::RaiseAlert { .. } => CommandName::RaiseAlert,
            Command::Reproject => CommandName::Reproject,
        }
    }

    /// The instant an automatic command takes effect, if it has its own.
    pub fn effective_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Command::RaiseAlert { alert } => Some(alert.at),
            _ => None,
        }
    }
}

crate::ids::stable_id_enum!(CommandName, "command");
