//! The kind catalogue: what each registration kind needs, runs and produces (SPEC 4).
//!
//! The built-in catalogue is `data/catalogue.toml`; a centre replaces it with its own
//! through [`Catalogue::from_toml`], which validates the whole text.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::actor::Role;
use crate::channel::Channel;
use crate::error::ErrorCode;
use crate::kind::{is_snake_id, KindId};
use crate::register::{EntryType, NationalClass};

const BUILTIN_TOML: &str = include_str!("../data/catalogue.toml");

/// The id of a material on a checklist, e.g. `sale_contract`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MaterialId(String);

impl MaterialId {
    /// Parses a material id (lowercase snake_case).
    ///
    /// # Errors
    /// A message when the text is not an id.
    pub fn parse(text: &str) -> Result<MaterialId, String> {
        if is_snake_id(text) {
            Ok(MaterialId(text.to_owned()))
        } else {
            Err(format!("`{text}` is not a material id"))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MaterialId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        MaterialId::parse(&value)
    }
}

impl From<MaterialId> for String {
    fn from(value: MaterialId) -> Self {
        value.0
    }
}

impl fmt::Display for MaterialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A departmental task that runs in parallel behind the window (一窗受理、并行办理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// The housing transaction department's filing (交易备案).
    TransactionFiling,
    /// The tax department's assessment and collection (税务).
    Tax,
}

impl Task {
    /// Every task.
    pub const ALL: [Task; 2] = [Task::TransactionFiling, Task::Tax];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            Task::TransactionFiling => "transaction_filing",
            Task::Tax => "tax",
        }
    }

    /// The task's bit in a set of tasks stored as one integer.
    pub const fn bit(self) -> i64 {
        match self {
            Task::TransactionFiling => 1,
            Task::Tax => 2,
        }
    }

    /// The role that completes the task.
    pub const fn officer(self) -> Role {
        match self {
            Task::TransactionFiling => Role::TransactionOfficer,
            Task::Tax => Role::TaxOfficer,
        }
    }

    /// The tasks `actor` completes (those whose officer role the actor holds).
    pub fn completed_by(actor: &crate::Actor) -> impl Iterator<Item = Task> + '_ {
        Task::ALL.iter().copied().filter(|t| actor.has(t.officer()))
    }
}

/// Who provides a material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// The applicant brings it.
    Applicant,
    /// A department's task produces it; never asked of the applicant (操作规范 1.1.3).
    Task(Task),
}

/// One material of a kind's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialSpec {
    /// Its id.
    pub id: MaterialId,
    /// Its name, e.g. 买卖合同.
    pub name: String,
    /// A key material missing means no acceptance; a non-key one may be pledged (容缺).
    pub key: bool,
    /// Who provides it.
    pub provider: Provider,
}

/// What a completed case of a kind produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Produces {
    /// A title certificate (不动产权证书), issued after recording.
    TitleCertificate,
    /// A registration certification (不动产登记证明), issued after recording.
    RegistrationCertification,
    /// Nothing to issue: the case completes when recorded.
    Notice,
    /// A query result: answered at review, no register entry.
    QueryResult,
}

impl Produces {
    /// Whether a certificate is issued after recording.
    pub fn issues_certificate(self) -> bool {
        matches!(self, Produces::TitleCertificate | Produces::RegistrationCertification)
    }
}

/// What a recorded case of a kind does to its unit's seizure status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitEffect {
    /// A seizure (查封): later transfers, mortgages and changes are blocked.
    Seize,
    /// A seizure release (解除查封).
    Release,
}

impl UnitEffect {
    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            UnitEffect::Seize => "seize",
            UnitEffect::Release => "release",
        }
    }
}

/// Whose identifiers a recording compares with the unit's current owners (SPEC 13.3
/// `not_the_owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerCheck {
    /// The obligors (who give the right up: sellers, mortgagors, the owner cancelling).
    Obligors,
    /// The obligees (the owners changing their details).
    Obligees,
}

/// One registration kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindSpec {
    /// Its id.
    pub id: KindId,
    /// Its official name.
    pub name: String,
    /// Departmental tasks run in parallel; all must succeed before recording.
    pub tasks: Vec<Task>,
    /// What it produces.
    pub produces: Produces,
    /// Working days of public notice after review, if it needs one.
    pub public_notice_days: Option<u32>,
    /// The channels it may be opened on.
    pub channels: BTreeSet<Channel>,
    /// Whether acceptance with non-key materials missing (容缺) is allowed.
    pub pledges: bool,
    /// Whether recording is refused while the unit is seized.
    pub blocked_by_seizure: bool,
    /// Its effect on the unit's seizure status.
    pub unit_effect: Option<UnitEffect>,
    /// The register entry its recording writes (SPEC 13.2); none for a query.
    pub register_effect: Option<EntryType>,
    /// Whose identifiers must be the unit's current owners at recording.
    pub owner_check: Option<OwnerCheck>,
    /// 登记类型 of its entries' reports (SPEC 14.1).
    pub national_class: NationalClass,
    /// The checklist: the one set of materials.
    pub materials: Vec<MaterialSpec>,
    /// How many materials the departments asked for before the reform, if known.
    pub materials_before_reform: Option<u32>,
}

impl KindSpec {
    /// The checklist entry for a material id.
    pub fn material(&self, id: &str) -> Option<&MaterialSpec> {
        self.materials.iter().find(|m| m.id.as_str() == id)
    }

    /// The materials the applicant must bring, in checklist order.
    pub fn applicant_materials(&self) -> impl Iterator<Item = &MaterialSpec> {
        self.materials.iter().filter(|m| m.provider == Provider::Applicant)
    }

    /// The ids of the applicant's materials, in checklist order, `key` ones or the others
    /// (`None`: all of them) — what a `Command::Accept` lists when they are all brought.
    pub fn applicant_material_ids(&self, key: Option<bool>) -> Vec<String> {
        self.applicant_materials().filter(|m| key.is_none_or(|k| m.key == k)).map(|m| m.id.to_string()).collect()
    }

    /// Whether a case of the kind is what an advance notice secures (SPEC 13.4: the
    /// transfers and `mortgage`): its recording to a holder fulfils the notice, and while it
    /// is open the notice does not lapse.
    pub fn secures_advance_notice(&self) -> bool {
        self.national_class == NationalClass::Transfer || self.register_effect == Some(EntryType::Mortgage)
    }

    /// Whether the kind may be opened on `channel`.
    pub fn allows(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }
}

/// Why a catalogue was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// The text is not TOML of the catalogue shape.
    #[error("invalid catalogue text: {message}")]
    Syntax {
        /// The parser's message with line and column.
        message: String,
    },
    /// An entry breaks a rule.
    #[error("invalid catalogue entry {entry}: {reason}")]
    Invalid {
        /// Which entry, e.g. `` `mortgage`.material.loan_contract ``.
        entry: String,
        /// What is wrong.
        reason: String,
    },
}

impl CatalogueError {
    /// The SPEC 8 code of this error.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidCatalogue
    }
}

/// The kinds a centre registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    kinds: Vec<KindSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    kind: Vec<RawKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    id: String,
    name: String,
    #[serde(default)]
    tasks: Vec<String>,
    produces: Produces,
    public_notice_days: Option<i64>,
    #[serde(default)]
    channels: Vec<String>,
    #[serde(default = "yes")]
    pledges: bool,
    #[serde(default)]
    blocked_by_seizure: bool,
    unit_effect: Option<UnitEffect>,
    register_effect: Option<EntryType>,
    owner_check: Option<OwnerCheck>,
    national_class: Option<u16>,
    material: Vec<RawMaterial>,
    materials_before_reform: Option<i64>,
}

/// The longest public notice a kind may require, in working days (one working year).
pub const MAX_NOTICE_DAYS: u32 = 250;

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    id: String,
    name: String,
    #[serde(default = "yes")]
    key: bool,
    provider: Option<String>,
}

fn invalid(entry: impl Into<String>, reason: impl Into<String>) -> CatalogueError {
    CatalogueError::Invalid { entry: entry.into(), reason: reason.into() }
}

impl RawKind {
    fn validate(self) -> Result<KindSpec, CatalogueError> {
        let entry = format!("`{}`", self.id);
        let id = KindId::parse(&self.id).map_err(|r| invalid(&entry, r))?;
        let mut tasks = Vec::new();
        for t in &self.tasks {
            let task = t.parse::<Task>().map_err(|r| invalid(format!("{entry}.tasks"), r))?;
            if tasks.contains(&task) {
                return Err(invalid(format!("{entry}.tasks"), format!("task `{t}` listed twice")));
            }
            tasks.push(task);
        }
        let mut listed = BTreeSet::new();
        for c in &self.channels {
            listed.insert(c.parse::<Channel>().map_err(|r| invalid(format!("{entry}.channels"), r))?);
        }
        if let Some(effect) = self.register_effect {
            if !EntryType::RECORDED.contains(&effect) {
                return Err(invalid(
                    format!("{entry}.register_effect"),
                    format!("`{effect}` is written by the engine, not by a recording"),
                ));
            }
        }
        let national_class = match self.national_class {
            None => NationalClass::Other,
            Some(code) => NationalClass::from_code(code).ok_or_else(|| {
                invalid(format!("{entry}.national_class"), format!("{code} is not a class: 100, 200, … 900"))
            })?,
        };
        let unit_effect = self.unit_effect.or(match self.register_effect {
            Some(EntryType::Seizure) => Some(UnitEffect::Seize),
            Some(EntryType::SeizureRelease) => Some(UnitEffect::Release),
            _ => None,
        });
        // A seizure or its release is registered on a court's commission (依嘱托): only
        // the court channel opens it (SPEC 5.2 Channels).
        let channels: BTreeSet<Channel> = if unit_effect.is_some() {
            if let Some(other) = listed.iter().find(|c| **c != Channel::Court) {
                return Err(invalid(
                    format!("{entry}.channels"),
                    format!("a seizure or release is registered on a court's commission and opens only on `court`, not `{other}`"),
                ));
            }
            [Channel::Court].into_iter().collect()
        } else {
            Channel::GENERAL.into_iter().chain(listed).collect()
        };
        let public_notice_days = match self.public_notice_days {
            None | Some(0) => None,
            Some(n) if n < 0 => return Err(invalid(&entry, format!("public_notice_days: {n} is negative"))),
            Some(n) if n > i64::from(MAX_NOTICE_DAYS) => {
                return Err(invalid(
                    &entry,
                    format!("public_notice_days: {n} is more than {MAX_NOTICE_DAYS} working days"),
                ))
            }
            Some(n) => Some(n as u32),
        };
        let materials_before_reform = match self.materials_before_reform {
            None => None,
            Some(n) if n < 0 => return Err(invalid(&entry, format!("materials_before_reform: {n} is negative"))),
            Some(n) => Some(
                u32::try_from(n).map_err(|_| invalid(&entry, format!("materials_before_reform: {n} is too large")))?,
            ),
        };
        if self.produces == Produces::QueryResult && public_notice_days.is_some() {
            return Err(invalid(&entry, "a query answers at review and cannot need a public notice"));
        }
        if self.material.is_empty() {
            return Err(invalid(&entry, "the checklist is empty"));
        }
        let mut materials: Vec<MaterialSpec> = Vec::new();
        for m in self.material {
            let m_entry = format!("{entry}.material.{}", m.id);
            let mid = MaterialId::parse(&m.id).map_err(|r| invalid(&m_entry, r))?;
            if materials.iter().any(|x| x.id == mid) {
                return Err(invalid(&m_entry, "listed twice"));
            }
            let provider = match m.provider.as_deref() {
                None | Some("applicant") => Provider::Applicant,
                Some(t) => {
                    let task = t.parse::<Task>().map_err(|r| invalid(&m_entry, format!("provider: {r}")))?;
                    if !tasks.contains(&task) {
                        return Err(invalid(&m_entry, format!("provider `{t}` is not one of the kind's tasks")));
                    }
                    Provider::Task(task)
                }
            };
            materials.push(MaterialSpec { id: mid, name: m.name, key: m.key, provider });
        }
        Ok(KindSpec {
            id,
            name: self.name,
            tasks,
            produces: self.produces,
            public_notice_days,
            channels,
            pledges: self.pledges,
            blocked_by_seizure: self.blocked_by_seizure,
            unit_effect,
            register_effect: self.register_effect,
            owner_check: self.owner_check,
            national_class,
            materials,
            materials_before_reform,
        })
    }
}

impl Catalogue {
    /// The 14 built-in kinds with their exact checklists.
    pub fn builtin() -> Catalogue {
        Catalogue::from_toml(BUILTIN_TOML).expect("the built-in catalogue is valid")
    }

    /// Loads a catalogue from TOML (`[[kind]]` tables; see `data/catalogue.toml`).
    ///
    /// # Errors
    /// [`CatalogueError::Syntax`] for text not of the shape; [`CatalogueError::Invalid`]
    /// naming the entry for a bad id, a duplicate kind or material, an unknown task or
    /// channel, a provider that is not one of the kind's tasks, negative days, or an empty
    /// checklist.
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let raw: RawCatalogue =
            toml::from_str(text).map_err(|e| CatalogueError::Syntax { message: e.to_string().trim().to_owned() })?;
        let mut kinds: Vec<KindSpec> = Vec::new();
        for k in raw.kind {
            let spec = k.validate()?;
            if kinds.iter().any(|x| x.id == spec.id) {
                return Err(invalid(format!("`{}`", spec.id), "duplicate kind id"));
            }
            kinds.push(spec);
        }
        if kinds.is_empty() {
            return Err(invalid("(none)", "at least one [[kind]] is needed"));
        }
        Ok(Catalogue { kinds })
    }

    /// The kind with this id.
    pub fn get(&self, id: &str) -> Option<&KindSpec> {
        self.kinds.iter().find(|k| k.id.as_str() == id)
    }

    /// The kinds in catalogue order.
    pub fn kinds(&self) -> &[KindSpec] {
        &self.kinds
    }

    /// The kinds that may be opened on `channel`, in catalogue order (in the built-in
    /// catalogue the kiosk opens only the information query).
    pub fn opened_on(&self, channel: Channel) -> impl Iterator<Item = &KindSpec> {
        self.kinds.iter().filter(move |k| k.allows(channel))
    }

    /// The kind ids, for validating policies against this catalogue.
    pub fn ids(&self) -> Vec<KindId> {
        self.kinds.iter().map(|k| k.id.clone()).collect()
    }
}

/// Per-kind material counts against the reform's "before" figures.
pub type MaterialCounts = BTreeMap<KindId, (usize, Option<u32>)>;

impl Catalogue {
    /// For each kind: materials on the checklist now, and before the reform when known.
    pub fn material_counts(&self) -> MaterialCounts {
        self.kinds.iter().map(|k| (k.id.clone(), (k.materials.len(), k.materials_before_reform))).collect()
    }
}

crate::ids::stable_id_enum!(Task, "task");
