//! Who acts: roles, actors and centres (SPEC 5.2).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A role an actor can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Window clerk: accepts at the window, online and on home visits; issues certificates.
    Clerk,
    /// Reviews cases (审核); suspends, resumes and rejects.
    Reviewer,
    /// Records cases in the register (登簿).
    Registrar,
    /// Extends deadlines; suspends and resumes.
    Supervisor,
    /// Completes the tax task.
    TaxOfficer,
    /// Completes the housing-transaction filing task.
    TransactionOfficer,
    /// A party to the case, acting by ID number.
    Applicant,
    /// A bank branch (mortgage business).
    Bank,
    /// A self-service kiosk (information queries).
    Kiosk,
    /// A court (seizures and releases).
    Court,
    /// The onward-reporting adapter (SPEC 14): acknowledges reports; sends no case command.
    Reporter,
    /// The engine itself: automatic resumptions, alerts, re-projections.
    System,
}

impl Role {
    /// The centre's own officers (the first six of [`Role::ALL`]): they work its queues
    /// and follow its alerts. Channel systems, applicants and the engine are not officers.
    pub const OFFICERS: &'static [Role] = Role::ALL.split_at(6).0;

    /// Every role, in a fixed order.
    pub const ALL: [Role; 12] = [
        Role::Clerk,
        Role::Reviewer,
        Role::Registrar,
        Role::Supervisor,
        Role::TaxOfficer,
        Role::TransactionOfficer,
        Role::Applicant,
        Role::Bank,
        Role::Kiosk,
        Role::Court,
        Role::Reporter,
        Role::System,
    ];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Reviewer => "reviewer",
            Role::Registrar => "registrar",
            Role::Supervisor => "supervisor",
            Role::TaxOfficer => "tax_officer",
            Role::TransactionOfficer => "transaction_officer",
            Role::Applicant => "applicant",
            Role::Bank => "bank",
            Role::Kiosk => "kiosk",
            Role::Court => "court",
            Role::Reporter => "reporter",
            Role::System => "system",
        }
    }
}

/// The id of an actor: a staff id, or an applicant's ID number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActorId(String);

/// The id of a registration centre, e.g. `xining`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CentreId(String);

/// Someone acting on a case: an id, roles, and the one centre they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    id: ActorId,
    roles: BTreeSet<Role>,
    centre: CentreId,
}

impl Actor {
    /// An actor of `centre` holding `roles`.
    pub fn new(id: impl Into<String>, roles: impl IntoIterator<Item = Role>, centre: CentreId) -> Actor {
        Actor { id: ActorId::new(id), roles: roles.into_iter().collect(), centre }
    }

    /// An applicant acting by ID number at `centre`.
    pub fn applicant(id_number: impl Into<String>, centre: CentreId) -> Actor {
        Actor::new(id_number, [Role::Applicant], centre)
    }

    /// The engine itself, for automatic changes at `centre`.
    pub fn system(centre: CentreId) -> Actor {
        Actor::new("system", [Role::System], centre)
    }

    /// The actor's id.
    pub fn id(&self) -> &ActorId {
        &self.id
    }

    /// The actor's roles.
    pub fn roles(&self) -> &BTreeSet<Role> {
        &self.roles
    }

    /// Whether the actor holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The centre the actor belongs to.
    pub fn centre(&self) -> &CentreId {
        &self.centre
    }

    /// Whether the actor supervises the centre: the staff workbench gives supervisors the
    /// SPEC 7 report for a period (SPEC 12).
    pub fn supervises(&self) -> bool {
        self.has(Role::Supervisor)
    }

    /// Whether the actor works for the centre (any role besides `applicant`): staff read
    /// every case of their centre, sign in at the workbench, and see reports; applicants
    /// see only their own cases.
    pub fn is_staff(&self) -> bool {
        self.roles.iter().any(|r| *r != Role::Applicant)
    }
}

crate::ids::stable_id_enum!(Role, "role");

crate::ids::string_id!(ActorId);

crate::ids::string_id!(CentreId);
