//! Effective-dated deadline policies (SPEC 3).
//!
//! A [`Policy`] gives, per (kind, applicant category), the promise clock — N working days
//! or [`Promise::Instant`] — plus the statutory clock, the instant window and the warning
//! lead. A [`PolicyTimeline`] orders policies by effective date; a case binds the policy in
//! force on its local acceptance date and keeps it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::calendar::OfficeHours;
use crate::category::ApplicantCategory;
use crate::deadline::CaseClocks;
use crate::error::ErrorCode;
use crate::kind::KindId;

const BUILTIN_TOML: &str = include_str!("../data/xining_policies.toml");

/// The statutory limit of 不动产登记暂行条例 Art. 20, in working days.
pub const STATUTORY_DAYS: u32 = 30;
/// The default instant window after acceptance, in minutes.
pub const DEFAULT_INSTANT_WINDOW_MINUTES: u32 = 30;
/// The default warning lead, in working days.
pub const DEFAULT_WARNING_LEAD_DAYS: u32 = 1;

/// The id of a policy, e.g. `xining-2018-07`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PolicyId(String);

impl PolicyId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps an id read back from storage.
    pub fn from_stored(text: impl Into<String>) -> Self {
        PolicyId(text.into())
    }
}

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A promise clock: N working days, or handled on the spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Promise {
    /// Due at closing time on the N-th working day after acceptance (N ≥ 1).
    WorkingDays(u32),
    /// Due within the policy's instant window after acceptance (即时办结).
    Instant,
}

impl Serialize for Promise {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Promise::WorkingDays(n) => s.serialize_u32(*n),
            Promise::Instant => s.serialize_str("instant"),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPromise {
    Days(i64),
    Word(String),
}

impl RawPromise {
    fn parse(self) -> Result<Promise, String> {
        match self {
            RawPromise::Days(n) if n < 0 => Err(format!("{n} working days is negative")),
            RawPromise::Days(0) => Err("0 working days: use \"instant\" for on-the-spot handling".into()),
            RawPromise::Days(n) => {
                u32::try_from(n).map(Promise::WorkingDays).map_err(|_| format!("{n} working days is too large"))
            }
            RawPromise::Word(w) if w == "instant" => Ok(Promise::Instant),
            RawPromise::Word(w) => Err(format!("`{w}` is not a promise (a number of working days or \"instant\")")),
        }
    }
}

impl<'de> Deserialize<'de> for Promise {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawPromise::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Promise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Promise::WorkingDays(n) => write!(f, "{n} working days"),
            Promise::Instant => f.write_str("instant"),
        }
    }
}

/// One promise per applicant category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPromises {
    /// The promise to individuals.
    pub individual: Promise,
    /// The promise to organisations.
    pub organisation: Promise,
}

impl CategoryPromises {
    /// The promise for `category`.
    pub fn get(&self, category: ApplicantCategory) -> Promise {
        match category {
            ApplicantCategory::Individual => self.individual,
            ApplicantCategory::Organisation => self.organisation,
        }
    }
}

/// A deadline policy in force from `effective_from` (inclusive) until the next policy or
/// `effective_until` (exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    id: PolicyId,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    promise: CategoryPromises,
    kinds: BTreeMap<KindId, CategoryPromises>,
    statutory_days: u32,
    instant_window_minutes: u32,
    warning_lead_days: u32,
}

impl Policy {
    /// The policy's id.
    pub fn id(&self) -> &PolicyId {
        &self.id
    }

    /// The first local date the policy is in force.
    pub fn effective_from(&self) -> NaiveDate {
        self.effective_from
    }

    /// The first local date the policy is no longer in force, when it has one of its own.
    pub fn effective_until(&self) -> Option<NaiveDate> {
        self.effective_until
    }

    /// The same policy in force from `from` with no end of its own: for what-if analyses
    /// (the same arrivals under another era's promises).
    pub fn redated(&self, from: NaiveDate) -> Policy {
        Policy { effective_from: from, effective_until: None, ..self.clone() }
    }

    /// The statutory clock in working days (30 by 条例 Art. 20).
    pub fn statutory_days(&self) -> u32 {
        self.statutory_days
    }

    /// How long after acceptance an instant case is due.
    pub fn instant_window(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.instant_window_minutes))
    }

    /// How many working days before the due day a warning is raised.
    pub fn warning_lead_days(&self) -> u32 {
        self.warning_lead_days
    }

    /// The promise clock for a kind and applicant category.
    pub fn promise_for(&self, kind: &KindId, category: ApplicantCategory) -> Promise {
        self.kinds.get(kind).unwrap_or(&self.promise).get(category)
    }

    /// Whether the kind is handled on the spot for this category under this policy.
    pub fn is_instant(&self, kind: &KindId, category: ApplicantCategory) -> bool {
        self.promise_for(kind, category) == Promise::Instant
    }

    /// The clocks of a case of `kind` for `category` accepted at `accepted_at`.
    pub fn clocks(&self, kind: &KindId, category: ApplicantCategory, accepted_at: DateTime<Utc>) -> CaseClocks {
        CaseClocks::start(
            accepted_at,
            self.promise_for(kind, category),
            self.statutory_days,
            self.instant_window_minutes,
            self.warning_lead_days,
        )
    }
}

/// Why policy data was refused, or no policy applies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The text is not valid TOML of the policy shape.
    #[error("invalid policy text: {message}")]
    Syntax {
        /// The parser's message, with line and column.
        message: String,
    },
    /// An entry breaks a rule.
    #[error("invalid policy {entry}: {reason}")]
    Invalid {
        /// Which entry, e.g. `` `xining-2018-07`.kinds.foo ``.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No policy is in force on the date.
    #[error("no policy is in force on {date}")]
    NoneInForce {
        /// The local date asked for.
        date: NaiveDate,
    },
}

impl PolicyError {
    /// The SPEC 8 code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Syntax { .. } | Self::Invalid { .. } => ErrorCode::InvalidPolicy,
            Self::NoneInForce { .. } => ErrorCode::NoPolicyInForce,
        }
    }
}

/// Policies ordered by effective date, none overlapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyTimeline {
    policies: Vec<Policy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    policy: Vec<RawPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: String,
    effective_from: toml::Value,
    effective_until: Option<toml::Value>,
    promise: RawCategoryPromises,
    #[serde(default)]
    kinds: BTreeMap<String, RawKindPromise>,
    statutory_days: Option<i64>,
    instant_window_minutes: Option<i64>,
    warning_lead_days: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategoryPromises {
    individual: RawPromise,
    organisation: RawPromise,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawKindPromise {
    Same(RawPromise),
    PerCategory(RawCategoryPromises),
}

fn invalid(entry: impl Into<String>, reason: impl Into<String>) -> PolicyError {
    PolicyError::Invalid { entry: entry.into(), reason: reason.into() }
}

fn parse_date(entry: &str, field: &str, value: &toml::Value) -> Result<NaiveDate, PolicyError> {
    let text = match value {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
        toml::Value::String(s) => s.clone(),
        other => {
            return Err(invalid(entry, format!("{field}: expected a date YYYY-MM-DD, found a {}", other.type_str())))
        }
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| invalid(entry, format!("{field}: `{text}` is not a date YYYY-MM-DD")))
}

/// The longest statutory clock a policy may set, in working days (about four years).
pub const MAX_STATUTORY_DAYS: u32 = 1000;
/// The longest instant window a policy may set, in minutes (one day).
pub const MAX_INSTANT_WINDOW_MINUTES: u32 = 24 * 60;

fn count(entry: &str, field: &str, value: Option<i64>, default: u32, range: (u32, u32)) -> Result<u32, PolicyError> {
    let Some(v) = value else { return Ok(default) };
    let (min, max) = range;
    if v < 0 {
        return Err(invalid(entry, format!("{field}: {v} is negative")));
    }
    if v < i64::from(min) || v > i64::from(max) {
        return Err(invalid(entry, format!("{field}: {v} is not between {min} and {max}")));
    }
    Ok(v as u32)
}

fn promises(entry: &str, raw: RawCategoryPromises) -> Result<CategoryPromises, PolicyError> {
    Ok(CategoryPromises {
        individual: raw.individual.parse().map_err(|r| invalid(entry, format!("individual: {r}")))?,
        organisation: raw.organisation.parse().map_err(|r| invalid(entry, format!("organisation: {r}")))?,
    })
}

impl RawPolicy {
    fn validate(self, index: usize, known_kinds: &BTreeSet<&str>) -> Result<Policy, PolicyError> {
        if self.id.trim().is_empty() {
            return Err(invalid(format!("#{}", index + 1), "id is empty"));
        }
        let entry = format!("`{}`", self.id);
        let effective_from = parse_date(&entry, "effective_from", &self.effective_from)?;
        let effective_until =
            self.effective_until.as_ref().map(|v| parse_date(&entry, "effective_until", v)).transpose()?;
        if let Some(until) = effective_until {
            if until <= effective_from {
                return Err(invalid(
                    &entry,
                    format!("effective_until {until} is not after effective_from {effective_from}"),
                ));
            }
        }
        let statutory_days =
            count(&entry, "statutory_days", self.statutory_days, STATUTORY_DAYS, (1, MAX_STATUTORY_DAYS))?;
        let instant_window_minutes = count(
            &entry,
            "instant_window_minutes",
            self.instant_window_minutes,
            DEFAULT_INSTANT_WINDOW_MINUTES,
            (1, MAX_INSTANT_WINDOW_MINUTES),
        )?;
        let warning_lead_days =
            count(&entry, "warning_lead_days", self.warning_lead_days, DEFAULT_WARNING_LEAD_DAYS, (0, statutory_days))?;
        let promise = promises(&format!("{entry}.promise"), self.promise)?;
        let mut kinds = BTreeMap::new();
        for (name, raw) in self.kinds {
            let kind_entry = format!("{entry}.kinds.{name}");
            if !known_kinds.contains(name.as_str()) {
                return Err(invalid(kind_entry, format!("unknown kind `{name}`")));
            }
            let kind = KindId::parse(&name).map_err(|r| invalid(&kind_entry, r))?;
            let p = match raw {
                RawKindPromise::Same(p) => {
                    let p = p.parse().map_err(|r| invalid(&kind_entry, r))?;
                    CategoryPromises { individual: p, organisation: p }
                }
                RawKindPromise::PerCategory(raw) => promises(&kind_entry, raw)?,
            };
            kinds.insert(kind, p);
        }
        for (where_, p) in std::iter::once((format!("{entry}.promise"), &promise))
            .chain(kinds.iter().map(|(k, p)| (format!("{entry}.kinds.{k}"), p)))
        {
            for category in ApplicantCategory::ALL {
                if let Promise::WorkingDays(n) = p.get(category) {
                    if n > statutory_days {
                        return Err(invalid(
                            &where_,
                            format!("{category}: {n} working days exceeds the statutory {statutory_days}"),
                        ));
                    }
                }
            }
        }
        Ok(Policy {
            id: PolicyId(self.id),
            effective_from,
            effective_until,
            promise,
            kinds,
            statutory_days,
            instant_window_minutes,
            warning_lead_days,
        })
    }
}

impl PolicyTimeline {
    /// The Xining reform history: 2016-01, 2016-05, 2017-08, 2018-07 (SPEC 3).
    pub fn builtin() -> PolicyTimeline {
        Self::from_toml(BUILTIN_TOML).expect("the built-in policies are valid")
    }

    /// Loads policies from TOML, validating kinds against the built-in kind ids.
    ///
    /// # Errors
    /// See [`PolicyTimeline::from_toml_with_kinds`].
    pub fn from_toml(text: &str) -> Result<PolicyTimeline, PolicyError> {
        Self::from_toml_with_kinds(text, &KindId::builtin())
    }

    /// Loads policies from TOML (`[[policy]]` tables with `id`, `effective_from`, optional
    /// `effective_until`, `promise = { individual, organisation }`, optional `[policy.kinds]`
    /// overrides, `statutory_days`, `instant_window_minutes`, `warning_lead_days`).
    ///
    /// # Errors
    /// [`PolicyError::Syntax`] for text that is not of that shape; [`PolicyError::Invalid`]
    /// naming the entry for an unknown kind, negative or zero days, a promise beyond the
    /// statutory clock, a duplicate id, or overlapping effective dates.
    pub fn from_toml_with_kinds(text: &str, known_kinds: &[KindId]) -> Result<PolicyTimeline, PolicyError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| PolicyError::Syntax { message: e.to_string().trim().to_owned() })?;
        let known: BTreeSet<&str> = known_kinds.iter().map(KindId::as_str).collect();
        let mut policies =
            raw.policy.into_iter().enumerate().map(|(i, p)| p.validate(i, &known)).collect::<Result<Vec<_>, _>>()?;
        Self::from_policies(std::mem::take(&mut policies))
    }

    /// Orders and checks policies built in code.
    ///
    /// # Errors
    /// [`PolicyError::Invalid`] for no policies, a duplicate id, or overlapping dates.
    pub fn from_policies(mut policies: Vec<Policy>) -> Result<PolicyTimeline, PolicyError> {
        if policies.is_empty() {
            return Err(invalid("(none)", "at least one [[policy]] is needed"));
        }
        let mut ids = BTreeSet::new();
        for p in &policies {
            if !ids.insert(p.id.clone()) {
                return Err(invalid(format!("`{}`", p.id), "duplicate policy id"));
            }
        }
        policies.sort_by_key(|p| p.effective_from);
        for pair in policies.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let overlaps =
                a.effective_from == b.effective_from || a.effective_until.is_some_and(|until| until > b.effective_from);
            if overlaps {
                return Err(invalid(
                    format!("`{}`", b.id),
                    format!(
                        "effective dates overlap `{}` (from {}{})",
                        a.id,
                        a.effective_from,
                        a.effective_until.map(|u| format!(" until {u}")).unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(PolicyTimeline { policies })
    }

    /// The policies in effective-date order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The policy with this id.
    pub fn get(&self, id: &PolicyId) -> Option<&Policy> {
        self.policies.iter().find(|p| &p.id == id)
    }

    /// The policy in force at `instant` at a centre keeping `hours`: the one in force on
    /// the instant's local date — what a case accepted then binds, and what the 办事指南
    /// shows then.
    ///
    /// # Errors
    /// [`PolicyError::NoneInForce`] when no policy covers that date.
    pub fn in_force_at(&self, instant: DateTime<Utc>, hours: &OfficeHours) -> Result<&Policy, PolicyError> {
        self.in_force(hours.local_date(instant))
    }

    /// The policy in force on a local date.
    ///
    /// # Errors
    /// [`PolicyError::NoneInForce`] before the first policy, or in a gap an
    /// `effective_until` left.
    pub fn in_force(&self, date: NaiveDate) -> Result<&Policy, PolicyError> {
        let i = self.policies.partition_point(|p| p.effective_from <= date);
        match i.checked_sub(1).map(|i| &self.policies[i]) {
            Some(p) if p.effective_until.is_none_or(|until| date < until) => Ok(p),
            _ => Err(PolicyError::NoneInForce { date }),
        }
    }
}
