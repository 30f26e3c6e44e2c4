//! Identifiers validated on parse (SPEC 5.2): resident ID numbers, unified social credit
//! codes, the identity documents of parties who are not residents of the mainland, and
//! property unit numbers. A value of these types is always well-formed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {what}: {reason}")]
pub struct IdentifierError {
    /// What was expected, e.g. "resident ID number".
    pub what: &'static str,
    /// The text given.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

fn refuse(what: &'static str, value: &str, reason: impl Into<String>) -> IdentifierError {
    IdentifierError { what, value: value.to_owned(), reason: reason.into() }
}

macro_rules! string_identifier {
    ($name:ident) => {
        impl $name {
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdentifierError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

/// An 18-character resident ID number (GB 11643-1999): 6-digit region, 8-digit birth date,
/// 3-digit sequence, ISO 7064 MOD 11-2 check character (0–9 or X).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);
string_identifier!(ResidentId);

impl ResidentId {
    const WHAT: &'static str = "resident ID number";

    /// Parses a resident ID number; a lowercase `x` check character is accepted as `X`.
    ///
    /// # Errors
    /// [`IdentifierError`] for a wrong length, a non-digit, an impossible birth date or a
    /// wrong check character.
    pub fn parse(text: &str) -> Result<ResidentId, IdentifierError> {
        let upper = text.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 18 {
            return Err(refuse(Self::WHAT, text, format!("it has {} characters, not 18", upper.chars().count())));
        }
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(refuse(Self::WHAT, text, "the first 17 characters must be digits"));
        }
        let birth = &upper[6..14];
        let born = NaiveDate::parse_from_str(birth, "%Y%m%d")
            .map_err(|_| refuse(Self::WHAT, text, format!("`{birth}` is not a real birth date")))?;
        if born < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") {
            return Err(refuse(Self::WHAT, text, format!("birth date {born} is before 1900")));
        }
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: &[u8; 11] = b"10X98765432";
        let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
        let expected = CHECK[(sum % 11) as usize];
        if bytes[17] != expected {
            return Err(refuse(Self::WHAT, text, format!("the check character should be `{}`", expected as char)));
        }
        Ok(ResidentId(upper))
    }

    /// The holder's birth date.
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("validated on parse")
    }
}

/// An 18-character unified social credit code (GB 32100-2015).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);
string_identifier!(CreditCode);

impl CreditCode {
    const WHAT: &'static str = "unified social credit code";
    /// The 31 characters a credit code may use, in value order.
    const CHARSET: &'static [u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

    /// Parses a credit code: characters 0–9 and A–Z except I, O, S, V, Z; positions 9–17 a
    /// GB 11714 organisation code with its own check character; position 18 the GB 32100
    /// check character.
    ///
    /// # Errors
    /// [`IdentifierError`] naming the rule broken.
    pub fn parse(text: &str) -> Result<CreditCode, IdentifierError> {
        let upper = text.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 18 {
            return Err(refuse(Self::WHAT, text, format!("it has {} characters, not 18", upper.chars().count())));
        }
        let mut values = [0u32; 18];
        for (i, b) in bytes.iter().enumerate() {
            match Self::CHARSET.iter().position(|c| c == b) {
                Some(v) => values[i] = v as u32,
                None => {
                    return Err(refuse(
                        Self::WHAT,
                        text,
                        format!("character {} `{}` is not allowed (0–9, A–Z except I, O, S, V, Z)", i + 1, *b as char),
                    ))
                }
            }
        }
        // GB 11714: the organisation code in positions 9–17.
        const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
        let org_value = |b: u8| -> u32 {
            if b.is_ascii_digit() {
                u32::from(b - b'0')
            } else {
                u32::from(b - b'A') + 10
            }
        };
        let org_sum: u32 = bytes[8..16].iter().zip(ORG_WEIGHTS).map(|(b, w)| org_value(*b) * w).sum();
        let org_expected = match 11 - org_sum % 11 {
            10 => b'X',
            11 => b'0',
            n => b'0' + n as u8,
        };
        if bytes[16] != org_expected {
            return Err(refuse(
                Self::WHAT,
                text,
                format!("the organisation code's check character (position 17) should be `{}`", org_expected as char),
            ));
        }
        const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
        let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        let expected = Self::CHARSET[check as usize];
        if bytes[17] != expected {
            return Err(refuse(
                Self::WHAT,
                text,
                format!("the check character (position 18) should be `{}`", expected as char),
            ));
        }
        Ok(CreditCode(upper))
    }
}

/// The identity documents a party may carry besides a resident ID number or a credit code
/// (SPEC 5.2, revised 2026-12-07).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// A passport: 5–17 letters and digits.
    Passport,
    /// 港澳居民来往内地通行证: H or M, then 8 or 10 digits.
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证: 8 digits, or 10 letters and digits (the older booklet).
    TaiwanPermit,
    /// 港澳台居民居住证: 18 characters checked as a resident ID, area 810000, 820000 or 830000.
    HmtResidencePermit,
    /// 外国人永久居留身份证: 3 letters and 12 digits (2004), or 18 characters checked as a
    /// resident ID and beginning with 9 (2023).
    ForeignPermanentResidence,
    /// Any other document: 1–64 visible characters, checked only for shape.
    Other,
}

impl DocumentType {
    /// What the document is called in a message.
    pub const fn describe(self) -> &'static str {
        match self {
            DocumentType::Passport => "passport number",
            DocumentType::HkMacaoPermit => "Mainland Travel Permit for Hong Kong and Macao Residents number",
            DocumentType::TaiwanPermit => "Mainland Travel Permit for Taiwan Residents number",
            DocumentType::HmtResidencePermit => "Residence Permit for Hong Kong, Macao and Taiwan Residents number",
            DocumentType::ForeignPermanentResidence => "Foreign Permanent Resident ID Card number",
            DocumentType::Other => "document number",
        }
    }
}

/// A validated number of an identity document of [`DocumentType`], upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Document {
    /// Which document.
    pub kind: DocumentType,
    /// Its number.
    pub number: String,
}

impl Document {
    /// Parses `text` as the number of a document of `kind`.
    ///
    /// # Errors
    /// [`IdentifierError`] naming the rule of that document the text breaks.
    pub fn parse(text: &str, kind: DocumentType) -> Result<Document, IdentifierError> {
        let what = kind.describe();
        let trimmed = text.trim();
        let upper = trimmed.to_ascii_uppercase();
        let b = upper.as_bytes();
        let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
        let alnum = |r: &[u8]| r.iter().all(u8::is_ascii_alphanumeric);
        let chars = trimmed.chars().count();
        match kind {
            DocumentType::Passport => {
                if !(5..=17).contains(&b.len()) || !alnum(b) {
                    return Err(refuse(what, text, "it must be 5 to 17 letters and digits"));
                }
            }
            DocumentType::HkMacaoPermit => {
                if !matches!(b.first(), Some(b'H' | b'M')) {
                    return Err(refuse(what, text, "it must begin with H (Hong Kong) or M (Macao)"));
                }
                if !matches!(b.len(), 9 | 11) || !digits(&b[1..]) {
                    return Err(refuse(what, text, "H or M must be followed by 8 or 10 digits"));
                }
            }
            DocumentType::TaiwanPermit => {
                let ok = (b.len() == 8 && digits(b)) || (b.len() == 10 && alnum(b));
                if !ok {
                    return Err(refuse(what, text, "it must be 8 digits, or 10 letters and digits (older booklet)"));
                }
            }
            DocumentType::HmtResidencePermit => {
                let id = ResidentId::parse(trimmed).map_err(|e| refuse(what, text, e.reason))?;
                if !matches!(&id.as_str()[..6], "810000" | "820000" | "830000") {
                    return Err(refuse(what, text, "its area code must be 810000, 820000 or 830000"));
                }
            }
            DocumentType::ForeignPermanentResidence => match b.len() {
                15 if b[..3].iter().all(u8::is_ascii_alphabetic) && digits(&b[3..]) => {}
                15 => return Err(refuse(what, text, "the 2004 format is 3 letters and 12 digits")),
                18 => {
                    let id = ResidentId::parse(trimmed).map_err(|e| refuse(what, text, e.reason))?;
                    if !id.as_str().starts_with('9') {
                        return Err(refuse(what, text, "the 2023 format begins with 9"));
                    }
                }
                n => return Err(refuse(what, text, format!("it has {n} characters, not 15 (2004) or 18 (2023)"))),
            },
            DocumentType::Other => {
                if !(1..=64).contains(&chars) {
                    return Err(refuse(what, text, format!("it has {chars} characters, not 1 to 64")));
                }
                if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(refuse(what, text, "it must be visible characters, without spaces"));
                }
            }
        }
        Ok(Document { kind, number: if kind == DocumentType::Other { trimmed.to_owned() } else { upper } })
    }
}

/// A 28-character property unit number (不动产单元号): 6-digit county code, 3-digit
/// cadastral district, 3-digit sub-district, ownership letter G/J/Z plus a type letter,
/// 5-digit parcel number, fixture letter F/L/Q/W, 8-digit fixture unit number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitNumber(String);
string_identifier!(UnitNumber);

impl UnitNumber {
    const WHAT: &'static str = "property unit number";

    /// Parses a unit number, e.g. `630102001001GB00001F00010001`.
    ///
    /// # Errors
    /// [`IdentifierError`] naming the part that is malformed.
    pub fn parse(text: &str) -> Result<UnitNumber, IdentifierError> {
        let upper = text.trim().to_ascii_uppercase();
        let b = upper.as_bytes();
        if b.len() != 28 || !upper.is_ascii() {
            return Err(refuse(Self::WHAT, text, format!("it has {} characters, not 28", upper.chars().count())));
        }
        let digits = |range: std::ops::Range<usize>, part: &str| {
            if b[range.clone()].iter().all(u8::is_ascii_digit) {
                Ok(())
            } else {
                Err(refuse(
                    Self::WHAT,
                    text,
                    format!("characters {}–{} ({part}) must be digits", range.start + 1, range.end),
                ))
            }
        };
        digits(0..6, "county code")?;
        digits(6..9, "cadastral district")?;
        digits(9..12, "cadastral sub-district")?;
        if !matches!(b[12], b'G' | b'J' | b'Z') {
            return Err(refuse(Self::WHAT, text, "character 13 (ownership) must be G, J or Z"));
        }
        if !b[13].is_ascii_uppercase() {
            return Err(refuse(Self::WHAT, text, "character 14 (parcel type) must be a letter"));
        }
        digits(14..19, "parcel number")?;
        if !matches!(b[19], b'F' | b'L' | b'Q' | b'W') {
            return Err(refuse(Self::WHAT, text, "character 20 (fixture type) must be F, L, Q or W"));
        }
        digits(20..28, "fixture unit number")?;
        Ok(UnitNumber(upper))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_parse() {
        assert_eq!(
            ResidentId::parse("630102198503120015").unwrap().birth_date(),
            NaiveDate::from_ymd_opt(1985, 3, 12).unwrap()
        );
        ResidentId::parse("630102199211080028").unwrap();
        CreditCode::parse("91630100MA7512347R").unwrap();
        UnitNumber::parse("630102001001GB00001F00010001").unwrap();
    }

    #[test]
    fn documents_parse_by_their_own_rules() {
        use DocumentType::*;
        let good = [
            (Passport, "e12345678"),
            (Passport, "AB123"),
            (HkMacaoPermit, "H12345678"),
            (HkMacaoPermit, "M1234567890"),
            (TaiwanPermit, "12345678"),
            (TaiwanPermit, "1234567890"),
            (HmtResidencePermit, "810000199408230021"),
            (ForeignPermanentResidence, "USA680000000000"),
            (ForeignPermanentResidence, "911000198001010019"),
            (Other, "军官证-01234"),
        ];
        for (kind, text) in good {
            let d = Document::parse(text, kind).unwrap_or_else(|e| panic!("{kind:?} {text}: {e}"));
            assert_eq!(d.kind, kind);
        }
        assert_eq!(Document::parse(" e12345678 ", Passport).unwrap().number, "E12345678");
        let bad = [
            (Passport, "E12", "5 to 17"),
            (Passport, "E1234-678", "5 to 17"),
            (HkMacaoPermit, "T12345678", "begin with H"),
            (HkMacaoPermit, "H1234567", "8 or 10 digits"),
            (TaiwanPermit, "1234567", "8 digits"),
            (HmtResidencePermit, "630102198503120015", "810000"),
            (HmtResidencePermit, "810000199408230022", "check character"),
            (ForeignPermanentResidence, "US16800000000000", "not 15"),
            (ForeignPermanentResidence, "U5A680000000000", "3 letters"),
            (ForeignPermanentResidence, "630102198503120015", "begins with 9"),
            (Other, "", "not 1 to 64"),
            (Other, "a b", "without spaces"),
        ];
        for (kind, text, needle) in bad {
            let err = Document::parse(text, kind).unwrap_err();
            assert!(err.to_string().contains(needle), "{kind:?} `{text}`: `{err}` lacks `{needle}`");
        }
        assert!(Document::parse(&"x".repeat(65), Other).is_err());
    }

    #[test]
    fn bad_identifiers_say_why() {
        let cases: [(Result<(), IdentifierError>, &str); 10] = [
            (ResidentId::parse("63010219850312001").map(drop), "17 characters"),
            (ResidentId::parse("630102198503120016").map(drop), "should be `5`"),
            (ResidentId::parse("630102198502300015").map(drop), "not a real birth date"),
            (ResidentId::parse("63010219850312A015").map(drop), "must be digits"),
            (CreditCode::parse("91630100MA7512347S").map(drop), "not allowed"),
            (CreditCode::parse("91630100MA7512347Q").map(drop), "position 18"),
            (CreditCode::parse("91630100MA7512348R").map(drop), "position 17"),
            (UnitNumber::parse("630102001001XB00001F00010001").map(drop), "ownership"),
            (UnitNumber::parse("630102001001GB00001X00010001").map(drop), "fixture type"),
            (UnitNumber::parse("630102001001GB0000").map(drop), "not 28"),
        ];
        for (result, needle) in cases {
            let err = result.unwrap_err();
            assert!(err.to_string().contains(needle), "`{err}` lacks `{needle}`");
        }
    }
}
