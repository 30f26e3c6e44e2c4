//! Register entries (SPEC 13.1–13.2): what one recording, lapse, lawsuit, renewal or
//! import line writes into a unit's page, as stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use super::share::Share;
use crate::actor::CentreId;
use crate::case::CaseId;
use crate::identifier::UnitNumber;
use crate::party::{Applicant, IdType, PartyRole};

/// What an entry does to its unit (13.2), and the entries timers and later commands write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryType {
    /// The obligees become the owners (首次登记, 转移登记).
    Ownership,
    /// The owners' names and shares change (变更登记).
    OwnerDetails,
    /// A mortgage, ranked (抵押权登记).
    Mortgage,
    /// A mortgage released (抵押权注销).
    MortgageRelease,
    /// A seizure, active or queued (查封, 轮候查封).
    Seizure,
    /// A seizure released (解除查封).
    SeizureRelease,
    /// An objection (异议登记).
    Objection,
    /// An advance notice (预告登记).
    AdvanceNotice,
    /// A correction of an entry (更正登记).
    Correction,
    /// The ownership, or one objection or advance notice, ends (注销登记).
    Cancellation,
    /// An objection ran 15 days without a lawsuit.
    ObjectionLapsed,
    /// An advance notice ran 90 days without the registration it secures.
    AdvanceNoticeLapsed,
    /// A seizure's term ran out.
    SeizureExpired,
    /// A lawsuit was filed on an objection: it no longer lapses.
    ObjectionLawsuit,
    /// A seizure's term was renewed (续封).
    SeizureRenewed,
}

impl EntryType {
    /// Every type, in a fixed order.
    pub const ALL: [EntryType; 15] = [
        EntryType::Ownership,
        EntryType::OwnerDetails,
        EntryType::Mortgage,
        EntryType::MortgageRelease,
        EntryType::Seizure,
        EntryType::SeizureRelease,
        EntryType::Objection,
        EntryType::AdvanceNotice,
        EntryType::Correction,
        EntryType::Cancellation,
        EntryType::ObjectionLapsed,
        EntryType::AdvanceNoticeLapsed,
        EntryType::SeizureExpired,
        EntryType::ObjectionLawsuit,
        EntryType::SeizureRenewed,
    ];

    /// The types a kind's recording may write (`register_effect` in the catalogue).
    pub const RECORDED: [EntryType; 10] = [
        EntryType::Ownership,
        EntryType::OwnerDetails,
        EntryType::Mortgage,
        EntryType::MortgageRelease,
        EntryType::Seizure,
        EntryType::SeizureRelease,
        EntryType::Objection,
        EntryType::AdvanceNotice,
        EntryType::Correction,
        EntryType::Cancellation,
    ];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntryType::Ownership => "ownership",
            EntryType::OwnerDetails => "owner_details",
            EntryType::Mortgage => "mortgage",
            EntryType::MortgageRelease => "mortgage_release",
            EntryType::Seizure => "seizure",
            EntryType::SeizureRelease => "seizure_release",
            EntryType::Objection => "objection",
            EntryType::AdvanceNotice => "advance_notice",
            EntryType::Correction => "correction",
            EntryType::Cancellation => "cancellation",
            EntryType::ObjectionLapsed => "objection_lapsed",
            EntryType::AdvanceNoticeLapsed => "advance_notice_lapsed",
            EntryType::SeizureExpired => "seizure_expired",
            EntryType::ObjectionLawsuit => "objection_lawsuit",
            EntryType::SeizureRenewed => "seizure_renewed",
        }
    }
}

crate::ids::stable_id_enum!(EntryType, "register entry type");

/// 登记类型 of the national platform's business message (SPEC 14.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NationalClass {
    /// 100 首次登记.
    First,
    /// 200 转移登记.
    Transfer,
    /// 300 变更登记.
    Change,
    /// 400 注销登记.
    Cancellation,
    /// 500 更正登记.
    Correction,
    /// 600 异议登记.
    Objection,
    /// 700 预告登记.
    AdvanceNotice,
    /// 800 查封登记.
    Seizure,
    /// 900 其他.
    Other,
}

impl NationalClass {
    /// Every class, in code order.
    pub const ALL: [NationalClass; 9] = [
        NationalClass::First,
        NationalClass::Transfer,
        NationalClass::Change,
        NationalClass::Cancellation,
        NationalClass::Correction,
        NationalClass::Objection,
        NationalClass::AdvanceNotice,
        NationalClass::Seizure,
        NationalClass::Other,
    ];

    /// The platform's code: 100, 200, … 900.
    pub const fn code(self) -> u16 {
        match self {
            NationalClass::First => 100,
            NationalClass::Transfer => 200,
            NationalClass::Change => 300,
            NationalClass::Cancellation => 400,
            NationalClass::Correction => 500,
            NationalClass::Objection => 600,
            NationalClass::AdvanceNotice => 700,
            NationalClass::Seizure => 800,
            NationalClass::Other => 900,
        }
    }

    /// The class of a code.
    pub fn from_code(code: u16) -> Option<NationalClass> {
        NationalClass::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The class of a lapse, expiry, lawsuit or renewal: its right's class.
    pub const fn of_right(right: EntryType) -> NationalClass {
        match right {
            EntryType::Objection | EntryType::ObjectionLapsed | EntryType::ObjectionLawsuit => NationalClass::Objection,
            EntryType::AdvanceNotice | EntryType::AdvanceNoticeLapsed => NationalClass::AdvanceNotice,
            EntryType::Seizure | EntryType::SeizureRelease | EntryType::SeizureExpired | EntryType::SeizureRenewed => {
                NationalClass::Seizure
            }
            EntryType::Mortgage => NationalClass::First,
            EntryType::MortgageRelease | EntryType::Cancellation => NationalClass::Cancellation,
            EntryType::OwnerDetails => NationalClass::Change,
            EntryType::Correction => NationalClass::Correction,
            EntryType::Ownership => NationalClass::Other,
        }
    }
}

impl fmt::Display for NationalClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl Serialize for NationalClass {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.code())
    }
}

impl<'de> Deserialize<'de> for NationalClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = u16::deserialize(d)?;
        NationalClass::from_code(code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown national class {code} (100, 200, … 900)")))
    }
}

/// An amount of money in yuan, exact to the fen (`secured_amount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Amount {
    fen: u64,
}

/// The largest amount accepted, in yuan: 10^15 (far above any real claim).
const MAX_YUAN_DIGITS: usize = 15;

impl Amount {
    /// Reads a decimal amount of yuan: digits, optionally `.` and 1 or 2 more; > 0.
    ///
    /// # Errors
    /// A message saying how to write an amount.
    pub fn parse(text: &str) -> Result<Amount, String> {
        let t = text.trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (t.contains('.') && !digits(frac)) || frac.len() > 2 {
            return Err(format!(
                "`{text}` is not an amount of yuan: write digits with at most 2 decimals, e.g. 850000.00"
            ));
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > MAX_YUAN_DIGITS {
            return Err(format!("`{text}` is too large: at most {MAX_YUAN_DIGITS} digits of yuan"));
        }
        let yuan: u64 = if whole.is_empty() { 0 } else { whole.parse().expect("checked digits") };
        let fen_part: u64 = format!("{frac:0<2}").parse().expect("checked digits");
        let fen = yuan * 100 + fen_part;
        if fen == 0 {
            return Err(format!("`{text}` must be more than 0"));
        }
        Ok(Amount { fen })
    }

    /// The amount in fen.
    pub fn fen(self) -> u64 {
        self.fen
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.fen / 100, self.fen % 100)
    }
}

impl TryFrom<String> for Amount {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Amount::parse(&value)
    }
}

impl From<Amount> for String {
    fn from(value: Amount) -> Self {
        value.to_string()
    }
}

/// A person or organisation named on the register: an owner, a mortgagee or mortgagor, the
/// holder of an objection or advance notice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Holder {
    /// The name.
    pub name: String,
    /// The identifier's number.
    pub id: String,
    /// The identifier's type.
    pub id_type: IdType,
    /// An owner's share, when the ownership is by shares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<Share>,
}

impl Holder {
    /// The register's record of a case party.
    pub fn of(party: &Applicant) -> Holder {
        Holder {
            name: party.name.clone(),
            id: party.id.as_str().to_owned(),
            id_type: party.id.id_type(),
            share: party.share,
        }
    }

    /// Whether two holders are the same person (identifiers compare by type, case-insensitively).
    pub fn same(&self, other: &Holder) -> bool {
        self.id_type == other.id_type && self.id.eq_ignore_ascii_case(&other.id)
    }

    /// Whether `party` is this holder.
    pub fn is(&self, party: &Applicant) -> bool {
        self.id_type == party.id.id_type() && self.id.eq_ignore_ascii_case(party.id.as_str())
    }
}

/// Whether two groups name exactly the same people.
pub fn same_people(a: &[Holder], b: &[Holder]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.same(y)))
}

/// The case parties on one side, as holders.
pub fn holders(parties: &[Applicant], role: PartyRole) -> Vec<Holder> {
    parties.iter().filter(|p| p.role == role).map(Holder::of).collect()
}

/// What an entry says, by type. Entries that end or change another name it in the entry's
/// `refers_to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// The owners from now on, each with a share; the advance notices this ends fulfilled.
    Ownership {
        /// The new owners.
        owners: Vec<Holder>,
        /// Advance notices fulfilled by it (their `seq`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fulfils: Vec<u64>,
    },
    /// The owners' names and, when given, shares.
    OwnerDetails {
        /// The owners as on the case.
        owners: Vec<Holder>,
    },
    /// A mortgage.
    Mortgage {
        /// 1 + the highest rank ever given on the unit.
        rank: u32,
        /// The mortgagees (the bank).
        mortgagees: Vec<Holder>,
        /// The mortgagors.
        mortgagors: Vec<Holder>,
        /// The secured amount, if given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secured_amount: Option<Amount>,
        /// Advance notices fulfilled by it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fulfils: Vec<u64>,
    },
    /// Releases the mortgage in `refers_to` (none: nothing to release on an unknown unit).
    MortgageRelease,
    /// A seizure; `active` when none was, else queued behind the others.
    Seizure {
        /// The court that ordered it.
        court: String,
        /// The ruling's number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ruling: Option<String>,
        /// The term in years from the day it becomes active.
        term_years: u32,
        /// The last day of its term as brought in by an import (otherwise computed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_day: Option<NaiveDate>,
    },
    /// Releases the seizure in `refers_to`.
    SeizureRelease,
    /// An objection.
    Objection {
        /// Who raised it.
        holders: Vec<Holder>,
        /// A lawsuit already filed on it, as brought in by an import.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lawsuit: Option<ImportedLawsuit>,
    },
    /// An advance notice.
    AdvanceNotice {
        /// Whom it protects.
        holders: Vec<Holder>,
    },
    /// Corrects the entry in `refers_to` (none: a note on the unit).
    Correction {
        /// The correction case's obligees (owners, mortgagees or holders after it).
        obligees: Vec<Holder>,
        /// Its obligors (the mortgagors after it).
        obligors: Vec<Holder>,
        /// The secured amount after it, for a mortgage.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secured_amount: Option<Amount>,
    },
    /// Ends the ownership with every mortgage, objection and advance notice (no
    /// `refers_to`), or only the objection or advance notice in `refers_to`.
    Cancellation,
    /// The objection in `refers_to` lapsed.
    ObjectionLapsed,
    /// The advance notice in `refers_to` lapsed.
    AdvanceNoticeLapsed,
    /// The seizure in `refers_to` expired; the first queued one, if any, became active.
    SeizureExpired,
    /// A lawsuit on the objection in `refers_to`.
    ObjectionLawsuit {
        /// The court.
        court: String,
        /// The day it was filed.
        filed_on: NaiveDate,
    },
    /// The active seizure in `refers_to` renewed.
    SeizureRenewed {
        /// Years added to its last day.
        term_years: u32,
    },
}

impl Content {
    /// The entry's type.
    pub fn entry_type(&self) -> EntryType {
        match self {
            Content::Ownership { .. } => EntryType::Ownership,
            Content::OwnerDetails { .. } => EntryType::OwnerDetails,
            Content::Mortgage { .. } => EntryType::Mortgage,
            Content::MortgageRelease => EntryType::MortgageRelease,
            Content::Seizure { .. } => EntryType::Seizure,
            Content::SeizureRelease => EntryType::SeizureRelease,
            Content::Objection { .. } => EntryType::Objection,
            Content::AdvanceNotice { .. } => EntryType::AdvanceNotice,
            Content::Correction { .. } => EntryType::Correction,
            Content::Cancellation => EntryType::Cancellation,
            Content::ObjectionLapsed => EntryType::ObjectionLapsed,
            Content::AdvanceNoticeLapsed => EntryType::AdvanceNoticeLapsed,
            Content::SeizureExpired => EntryType::SeizureExpired,
            Content::ObjectionLawsuit { .. } => EntryType::ObjectionLawsuit,
            Content::SeizureRenewed { .. } => EntryType::SeizureRenewed,
        }
    }
}

/// A lawsuit on an objection brought in by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedLawsuit {
    /// The court.
    pub court: String,
    /// When it was filed.
    pub filed_on: NaiveDate,
}

/// An entry to be written: everything but its place in the centre's chain, which the
/// executor gives it when it appends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryDraft {
    /// The unit.
    pub unit: UnitNumber,
    /// The case whose event writes it (none for a timer or the import).
    pub case: Option<CaseId>,
    /// The entry it ends, changes or corrects.
    pub refers_to: Option<u64>,
    /// When it takes effect: the event's instant, or a lapse's due instant.
    pub recorded_at: DateTime<Utc>,
    /// 登记类型.
    pub class: NationalClass,
    /// Brought in by an import: kept for the page, never reported onward.
    pub history: bool,
    /// What it says.
    pub content: Content,
    /// The certificate number a recording gave (SPEC 15.1), for kinds that issue one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<super::certificate::CertificateNumber>,
}

/// A stored register entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// `{centre}.{seq}`: the same on every replay.
    pub id: String,
    /// 1, 2, 3… per centre.
    pub seq: u64,
    /// The centre whose register it is.
    pub centre: CentreId,
    /// The unit, the case, what it refers to, when, its class and content.
    #[serde(flatten)]
    pub draft: EntryDraft,
    /// The case event that wrote it (its sequence number), when a case's event did.
    pub event: Option<u64>,
    /// SHA-256 over every field and the previous entry's hash (SPEC 13.6).
    #[serde(default)]
    pub hash: String,
}

impl Entry {
    /// The id of entry `seq` of `centre`.
    pub fn id_of(centre: &CentreId, seq: u64) -> String {
        format!("{centre}.{seq}")
    }

    /// The entry's type.
    pub fn entry_type(&self) -> EntryType {
        self.draft.content.entry_type()
    }
}

/// How a command names an entry: by `seq`, or by the case whose recording wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EntryRef {
    /// The entry's `seq` in the centre's register.
    Seq(u64),
    /// The case (its id) whose recording wrote the entry.
    Case(String),
}

impl fmt::Display for EntryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryRef::Seq(seq) => write!(f, "entry {seq}"),
            EntryRef::Case(case) => write!(f, "the entry of case {case}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_to_the_fen() {
        assert_eq!(Amount::parse("850000").unwrap().to_string(), "850000.00");
        assert_eq!(Amount::parse("0.5").unwrap().fen(), 50);
        assert_eq!(Amount::parse("1234.56").unwrap().fen(), 123_456);
        for (bad, needle) in
            [("0", "more than 0"), ("1.234", "at most 2"), ("-5", "digits"), ("1e5", "digits"), ("1.", "digits")]
        {
            assert!(Amount::parse(bad).unwrap_err().contains(needle), "{bad}");
        }
        assert!(Amount::parse(&"9".repeat(40)).unwrap_err().contains("too large"));
    }

    #[test]
    fn classes_round_trip_as_numbers() {
        for c in NationalClass::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, c.code().to_string());
            assert_eq!(serde_json::from_str::<NationalClass>(&json).unwrap(), c);
        }
        assert!(serde_json::from_str::<NationalClass>("150").is_err());
    }
}
