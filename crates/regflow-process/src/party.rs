//! Parties to a case (SPEC 5.2 Parties): who they are, by which identifier, and on which
//! side of the right.
//!
//! Each applicant names an identifier type. Both types may stand on one case: a mortgage
//! names the individual mortgagor (obligor, a resident ID number) and the bank (obligee, a
//! unified social credit code). An identifier is parsed once, here, by its own type.

use serde::{Deserialize, Serialize};

use crate::category::ApplicantCategory;
use crate::identifier::{CreditCode, Document, DocumentType, IdentifierError, ResidentId};

/// Which kind of identifier a party carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// An 18-character resident ID number (GB 11643-1999).
    ResidentId,
    /// An 18-character unified social credit code (GB 32100-2015).
    CreditCode,
    /// A passport.
    Passport,
    /// 港澳居民来往内地通行证.
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanPermit,
    /// 港澳台居民居住证.
    HmtResidencePermit,
    /// 外国人永久居留身份证.
    ForeignPermanentResidence,
    /// Any other document, checked only for shape.
    Other,
}

impl IdType {
    /// Every type, in a fixed order.
    pub const ALL: [IdType; 8] = [
        IdType::ResidentId,
        IdType::CreditCode,
        IdType::Passport,
        IdType::HkMacaoPermit,
        IdType::TaiwanPermit,
        IdType::HmtResidencePermit,
        IdType::ForeignPermanentResidence,
        IdType::Other,
    ];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            IdType::ResidentId => "resident_id",
            IdType::CreditCode => "credit_code",
            IdType::Passport => "passport",
            IdType::HkMacaoPermit => "hk_macao_permit",
            IdType::TaiwanPermit => "taiwan_permit",
            IdType::HmtResidencePermit => "hmt_residence_permit",
            IdType::ForeignPermanentResidence => "foreign_permanent_residence",
            IdType::Other => "other",
        }
    }

    /// The document type behind this identifier type, if it is neither a resident ID
    /// number nor a credit code.
    pub const fn document(self) -> Option<DocumentType> {
        Some(match self {
            IdType::ResidentId | IdType::CreditCode => return None,
            IdType::Passport => DocumentType::Passport,
            IdType::HkMacaoPermit => DocumentType::HkMacaoPermit,
            IdType::TaiwanPermit => DocumentType::TaiwanPermit,
            IdType::HmtResidencePermit => DocumentType::HmtResidencePermit,
            IdType::ForeignPermanentResidence => DocumentType::ForeignPermanentResidence,
            IdType::Other => DocumentType::Other,
        })
    }

    /// The identifier type of a document type.
    pub const fn of_document(kind: DocumentType) -> IdType {
        match kind {
            DocumentType::Passport => IdType::Passport,
            DocumentType::HkMacaoPermit => IdType::HkMacaoPermit,
            DocumentType::TaiwanPermit => IdType::TaiwanPermit,
            DocumentType::HmtResidencePermit => IdType::HmtResidencePermit,
            DocumentType::ForeignPermanentResidence => IdType::ForeignPermanentResidence,
            DocumentType::Other => IdType::Other,
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
            IdType::Passport => "a passport number",
            IdType::HkMacaoPermit => "a Mainland Travel Permit for Hong Kong and Macao Residents",
            IdType::TaiwanPermit => "a Mainland Travel Permit for Taiwan Residents",
            IdType::HmtResidencePermit => "a Residence Permit for Hong Kong, Macao and Taiwan Residents",
            IdType::ForeignPermanentResidence => "a Foreign Permanent Resident ID Card",
            IdType::Other => "another document's number",
        }
    }

    /// The default type of the other applicant category (what a party of the other kind
    /// usually carries).
    pub const fn other(self) -> IdType {
        match self {
            IdType::CreditCode => IdType::ResidentId,
            _ => IdType::CreditCode,
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
    /// Another identity document (a passport, a permit, a residence card, …).
    Document(Document),
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
            other => {
                let kind = other.document().expect("every other type is a document");
                Document::parse(text, kind).map(PartyId::Document)
            }
        }
    }

    /// Parses `text` as the first identifier type whose rules it meets, trying every
    /// checked type in [`IdType::ALL`] order (`other`, checked only for shape, is never
    /// guessed): how a party is looked up by a number alone (我的业务, an applicant's token).
    ///
    /// # Errors
    /// A message listing what the text is not.
    pub fn parse_any(text: &str) -> Result<PartyId, String> {
        IdType::ALL.iter().filter(|t| **t != IdType::Other).find_map(|t| PartyId::parse(text, *t).ok()).ok_or_else(
            || {
                format!(
                    "`{}` is not a resident ID number, a unified social credit code, nor the number of a passport, \
                     permit or residence card",
                    text.trim()
                )
            },
        )
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        match self {
            PartyId::Resident(id) => id.as_str(),
            PartyId::Organisation(code) => code.as_str(),
            PartyId::Document(d) => &d.number,
        }
    }

    /// The identifier's type.
    pub fn id_type(&self) -> IdType {
        match self {
            PartyId::Resident(_) => IdType::ResidentId,
            PartyId::Organisation(_) => IdType::CreditCode,
            PartyId::Document(d) => IdType::of_document(d.kind),
        }
    }

    /// Whether `given` (as typed by a person: spaces around it, a lower-case `x`) names
    /// this identifier.
    pub fn matches(&self, given: &str) -> bool {
        given.trim().eq_ignore_ascii_case(self.as_str())
    }

    /// Whether two identifiers name the same party: the same type and number (SPEC 5.2:
    /// identifiers compare by their type, case-insensitively).
    pub fn same_party(&self, other: &PartyId) -> bool {
        self.id_type() == other.id_type() && self.as_str().eq_ignore_ascii_case(other.as_str())
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
    /// An obligee's share of the ownership (SPEC 13.2), reduced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<crate::register::Share>,
}

crate::ids::stable_id_enum!(IdType, "identifier type");

crate::ids::stable_id_enum!(PartyRole, "party role");
