//! Parties to a case (SPEC 5.2 Parties): who they are, by which identifier, and on which
//! side of the right.
//!
//! Each applicant names an identifier type. Both types may stand on one case: a mortgage
//! names the individual mortgagor (obligor, a resident ID number) and the bank (obligee, a
//! unified social credit code). An identifier is parsed once, here, by its own type.

use serde::{Deserialize, Serialize};

use crate::category::ApplicantCategory;
use crate::identifier::{CreditCode, IdentifierError, ResidentId};

/// Which kind of identifier a party carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// An 18-character resident ID number (GB 11643-1999).
    ResidentId,
    /// An 18-character unified social credit code (GB 32100-2015).
    CreditCode,
}

impl IdType {
    /// Both types, in a fixed order.
    pub const ALL: [IdType; 2] = [IdType::ResidentId, IdType::CreditCode];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            IdType::ResidentId => "resident_id",
            IdType::CreditCode => "credit_code",
        }
    }

    /// The type a party of `category` carries when the command does not say.
    pub const fn default_for(category: ApplicantCategory) -> IdType {
        match category {
            ApplicantCategory::Individual => IdType::ResidentId,
            ApplicantCategory::Organisation => IdType::CreditCode,
        }
    }

    /// What the type is called in a message.
    pub const fn describe(self) -> &'static str {
        match self {
            IdType::ResidentId => "a resident ID number",
            IdType::CreditCode => "a unified social credit code",
        }
    }

    /// The other type.
    pub const fn other(self) -> IdType {
        match self {
            IdType::ResidentId => IdType::CreditCode,
            IdType::CreditCode => IdType::ResidentId,
        }
    }
}

/// Which side of the right a party stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// 权利人: who acquires or holds the right (the buyer, the mortgagee bank).
    #[default]
    Obligee,
    /// 义务人: who gives the right up (the seller, the mortgagor).
    Obligor,
}

impl PartyRole {
    /// Both roles, in a fixed order.
    pub const ALL: [PartyRole; 2] = [PartyRole::Obligee, PartyRole::Obligor];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            PartyRole::Obligee => "obligee",
            PartyRole::Obligor => "obligor",
        }
    }
}

/// A party's validated identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyId {
    /// An individual's resident ID number.
    Resident(ResidentId),
    /// An organisation's unified social credit code.
    Organisation(CreditCode),
}

impl PartyId {
    /// Parses `text` as an identifier of type `id_type`.
    ///
    /// # Errors
    /// [`IdentifierError`] naming the rule of that type the text breaks.
    pub fn parse(text: &str, id_type: IdType) -> Result<PartyId, IdentifierError> {
        match id_type {
            IdType::ResidentId => ResidentId::parse(text).map(PartyId::Resident),
            IdType::CreditCode => CreditCode::parse(text).map(PartyId::Organisation),
        }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        match self {
            PartyId::Resident(id) => id.as_str(),
            PartyId::Organisation(code) => code.as_str(),
        }
    }

    /// The identifier's type.
    pub fn id_type(&self) -> IdType {
        match self {
            PartyId::Resident(_) => IdType::ResidentId,
            PartyId::Organisation(_) => IdType::CreditCode,
        }
    }

    /// Whether `given` (as typed by a person: spaces around it, a lower-case `x`) names
    /// this identifier.
    pub fn matches(&self, given: &str) -> bool {
        given.trim().eq_ignore_ascii_case(self.as_str())
    }
}

/// A party to a case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Applicant {
    /// The party's name.
    pub name: String,
    /// The party's validated identifier.
    pub id: PartyId,
    /// Obligee or obligor.
    #[serde(default)]
    pub role: PartyRole,
}

crate::ids::stable_id_enum!(IdType, "identifier type");

crate::ids::stable_id_enum!(PartyRole, "party role");
