//! Electronic certificates (电子证照, SPEC 15.1): the number a recording gives, the
//! document `issue_certificate` writes, its canonical bytes (RFC 8785) and hash, and its
//! status as the register moves on. Signing is the executor's (it holds the key file);
//! everything here is pure.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::entry::{Content, Entry, EntryDraft};
use crate::catalogue::Produces;

/// The format of a certificate document.
pub const FORMAT: &str = "regflow-certificate/1";

/// What a certificate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateType {
    /// 不动产权证书: who owns the unit.
    Title,
    /// 不动产登记证明: a right on the unit (a mortgage, an objection, an advance notice).
    Certification,
}

impl CertificateType {
    /// The certificate a kind's recording leads to, if any.
    pub fn of(produces: Produces) -> Option<CertificateType> {
        match produces {
            Produces::TitleCertificate => Some(CertificateType::Title),
            Produces::RegistrationCertification => Some(CertificateType::Certification),
            _ => None,
        }
    }

    /// `title` or `certification`.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateType::Title => "title",
            CertificateType::Certification => "certification",
        }
    }
}

impl fmt::Display for CertificateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a centre's certificate numbers read: `{yyyy}` is the year, `{seq:07}` the number
/// within the year and type, zero-padded to 7 (`{seq}` unpadded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPatterns {
    /// Titles' pattern.
    pub title: String,
    /// Certifications' pattern.
    pub certification: String,
    /// Query result certificates' pattern (SPEC 15.2).
    pub query_result: String,
}

impl Default for NumberPatterns {
    fn default() -> Self {
        NumberPatterns {
            title: "青({yyyy})西宁市不动产权第{seq:07}号".into(),
            certification: "青({yyyy})西宁市不动产证明第{seq:07}号".into(),
            query_result: "青({yyyy})西宁市不动产查询第{seq:07}号".into(),
        }
    }
}

/// A pattern without exactly one `{seq}` or `{seq:0N}` (N ≤ 12).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "certificate number pattern `{0}` must hold `{{seq}}` or `{{seq:0N}}` (N up to 12) once, and may hold `{{yyyy}}`"
)]
pub struct BadPattern(pub String);

impl NumberPatterns {
    /// Checks both patterns.
    ///
    /// # Errors
    /// The first pattern that cannot number.
    pub fn check(&self) -> Result<(), BadPattern> {
        for p in [&self.title, &self.certification, &self.query_result] {
            format_number(p, 2026, 1)?;
        }
        Ok(())
    }

    /// Query result number `seq` of `year`.
    ///
    /// # Errors
    /// When the pattern cannot number (checked when the centre is configured).
    pub fn query_result_number(&self, year: i32, seq: u64) -> Result<String, BadPattern> {
        format_number(&self.query_result, year, seq)
    }

    /// The pattern of `kind`.
    pub fn of(&self, kind: CertificateType) -> &str {
        match kind {
            CertificateType::Title => &self.title,
            CertificateType::Certification => &self.certification,
        }
    }
}

fn format_number(pattern: &str, year: i32, seq: u64) -> Result<String, BadPattern> {
    let bad = || BadPattern(pattern.to_owned());
    let start = pattern.find("{seq").ok_or_else(bad)?;
    let end = start + pattern[start..].find('}').ok_or_else(bad)?;
    if pattern[end..].contains("{seq") {
        return Err(bad());
    }
    let width = match &pattern[start + 4..end] {
        "" => 0,
        spec => spec.strip_prefix(":0").and_then(|n| n.parse::<usize>().ok()).filter(|n| *n <= 12).ok_or_else(bad)?,
    };
    let number = format!("{seq:0width$}");
    Ok(format!("{}{number}{}", &pattern[..start], &pattern[end + 1..]).replace("{yyyy}", &format!("{year:04}")))
}

/// A certificate's number, given at recording (on the entry): gap-free per centre, year
/// and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateNumber {
    /// Title or certification.
    #[serde(rename = "type")]
    pub kind: CertificateType,
    /// The year it was given in (the centre's local year).
    pub year: i32,
    /// 1, 2, 3… within the centre, year and type.
    pub seq: u64,
    /// As the patterns write it.
    pub number: String,
}

impl CertificateNumber {
    /// Number `seq` of `kind` in `year`.
    ///
    /// # Errors
    /// When the pattern cannot number (checked when the centre is configured).
    pub fn new(patterns: &NumberPatterns, kind: CertificateType, year: i32, seq: u64) -> Result<Self, BadPattern> {
        let number = format_number(patterns.of(kind), year, seq)?;
        Ok(CertificateNumber { kind, year, seq, number })
    }
}

/// An owner as a title names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitleOwner {
    /// Name.
    pub name: String,
    /// Identifier number.
    pub id: String,
    /// Identifier type.
    pub id_type: crate::party::IdType,
    /// Share, `1/1` for a sole owner.
    pub share: super::Share,
}

/// The certificate document (`regflow-certificate/1`). Its file is the RFC 8785 bytes of
/// the whole document; its hash, the SHA-256 of those bytes without `signature`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// `regflow-certificate/1`.
    pub format: String,
    /// The certificate's id: the same on every replay of the case.
    pub id: String,
    /// Title or certification.
    #[serde(rename = "type")]
    pub kind: CertificateType,
    /// Its number.
    pub number: String,
    /// The issuing centre.
    pub centre: String,
    /// The unit.
    pub unit: String,
    /// The case.
    pub case: String,
    /// The entries the case wrote (their ids).
    pub entries: Vec<String>,
    /// A title's owners with shares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<TitleOwner>>,
    /// A certification's right: its entry's content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<serde_json::Value>,
    /// When it was issued, in the centre's time zone.
    pub issued_at: DateTime<FixedOffset>,
    /// The signing key's id.
    pub key_id: String,
    /// `sm2` or `ed25519`.
    pub algorithm: String,
    /// The signature over the canonical bytes without it (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// A file that is not a certificate document in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Not JSON of a certificate or query-result document.
    #[error("not a regflow certificate document: {0}")]
    NotADocument(String),
    /// JSON, but not byte for byte its RFC 8785 form (a space, a reordered key).
    #[error("not in canonical form (RFC 8785): the file was changed after signing")]
    NotCanonical,
    /// No signature in it.
    #[error("the document carries no signature")]
    Unsigned,
}

/// RFC 8785 (JCS) bytes of `value`.
pub fn canonical<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own types into JSON cannot fail (no maps with non-string keys).
    serde_jcs::to_vec(value).unwrap_or_default()
}

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed document read back from its file: the bytes its signature covers, the
/// signature, and the key that should have made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedFile {
    /// The canonical bytes without `signature`.
    pub signed_bytes: Vec<u8>,
    /// Their SHA-256, hex.
    pub hash: String,
    /// The signature (base64).
    pub signature: String,
    /// The key id the document names.
    pub key_id: String,
    /// The algorithm it names.
    pub algorithm: String,
}

/// Reads a signed document file (a certificate or a query-result certificate): it must
/// be exactly the RFC 8785 bytes of its JSON, so one changed byte anywhere fails here or
/// in the signature.
///
/// # Errors
/// See [`FileError`].
pub fn read_signed_file(bytes: &[u8]) -> Result<SignedFile, FileError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| FileError::NotADocument(e.to_string()))?;
    if canonical(&value) != bytes {
        return Err(FileError::NotCanonical);
    }
    let serde_json::Value::Object(mut map) = value else {
        return Err(FileError::NotADocument("not a JSON object".into()));
    };
    let text = |map: &serde_json::Map<String, serde_json::Value>, key: &str| {
        map.get(key).and_then(|v| v.as_str()).map(str::to_owned)
    };
    match text(&map, "format").as_deref() {
        Some(FORMAT | QUERY_RESULT_FORMAT) => {}
        other => return Err(FileError::NotADocument(format!("format {other:?}"))),
    }
    let signature = match map.remove("signature") {
        Some(serde_json::Value::String(s)) => s,
        _ => return Err(FileError::Unsigned),
    };
    let key_id = text(&map, "key_id").ok_or_else(|| FileError::NotADocument("no `key_id`".into()))?;
    let algorithm = text(&map, "algorithm").ok_or_else(|| FileError::NotADocument("no `algorithm`".into()))?;
    let signed_bytes = canonical(&map);
    let hash = sha256_hex(&signed_bytes);
    Ok(SignedFile { signed_bytes, hash, signature, key_id, algorithm })
}

/// The format of a query result certificate (查询结果证明, SPEC 15.2).
pub const QUERY_RESULT_FORMAT: &str = "regflow-query-result/1";

/// A document signed by a centre's key (a certificate, a query result certificate): its
/// hash and signature cover its RFC 8785 bytes without `signature`; its file is the RFC 8785
/// bytes of the whole.
pub trait Signed: Serialize + Clone {
    /// The signature, when signed.
    fn signature_mut(&mut self) -> &mut Option<String>;

    /// The canonical bytes the hash and the signature cover: the document without
    /// `signature`.
    fn signed_bytes(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        *unsigned.signature_mut() = None;
        canonical(&unsigned)
    }

    /// SHA-256 of [`Signed::signed_bytes`], hex.
    fn hash(&self) -> String {
        sha256_hex(&self.signed_bytes())
    }

    /// The file: the canonical bytes of the whole document.
    fn file(&self) -> Vec<u8> {
        canonical(self)
    }
}

impl Signed for Document {
    fn signature_mut(&mut self) -> &mut Option<String> {
        &mut self.signature
    }
}

/// What the issuing event carries of its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRef {
    /// The certificate's id.
    pub id: String,
    /// Its hash.
    pub hash: String,
}

/// The certificate id of `case` at `centre`: the same on every replay.
pub fn certificate_id(centre: &str, case: &str) -> String {
    let digest = sha256_hex(format!("regflow-certificate\0{centre}\0{case}").as_bytes());
    format!("{}-{}-{}-{}-{}", &digest[0..8], &digest[8..12], &digest[12..16], &digest[16..20], &digest[20..32])
}

/// What `issue_certificate` needs to write its document: the case's recording entry with
/// its number, every entry the case wrote, and (for a title) the owners now.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    /// The case's recording entry (it carries the number).
    pub recording: &'a Entry,
    /// The ids of every entry the case wrote.
    pub entries: Vec<String>,
    /// The unit's owners now, for a title.
    pub owners: Vec<TitleOwner>,
    /// The instant of issue, in the centre's time zone.
    pub issued_at: DateTime<FixedOffset>,
    /// The key that will sign.
    pub key_id: &'a str,
    /// Its algorithm.
    pub algorithm: &'a str,
}

/// Why no document can be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// The recording entry carries no certificate number.
    #[error("the case's recording entry {0} carries no certificate number")]
    NoNumber(String),
}

impl Issue<'_> {
    /// The unsigned document.
    ///
    /// # Errors
    /// When the recording gave no number.
    pub fn document(&self) -> Result<Document, IssueError> {
        let draft = &self.recording.draft;
        let number = draft.certificate.as_ref().ok_or_else(|| IssueError::NoNumber(self.recording.id.clone()))?;
        let case = draft.case.as_ref().map(|c| c.to_string()).unwrap_or_default();
        let (owners, right) = match number.kind {
            CertificateType::Title => (Some(self.owners.clone()), None),
            CertificateType::Certification => (None, Some(serde_json::to_value(&draft.content).unwrap_or_default())),
        };
        Ok(Document {
            format: FORMAT.into(),
            id: certificate_id(self.recording.centre.as_str(), &case),
            kind: number.kind,
            number: number.number.clone(),
            centre: self.recording.centre.to_string(),
            unit: draft.unit.to_string(),
            case,
            entries: self.entries.clone(),
            owners,
            right,
            issued_at: self.issued_at,
            key_id: self.key_id.to_owned(),
            algorithm: self.algorithm.to_owned(),
            signature: None,
        })
    }
}

/// Where a certificate stands (SPEC 15.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// What it states still holds.
    Valid,
    /// A later entry changed what it states.
    Superseded,
    /// What it proves ended.
    Cancelled,
    /// The hash asked about is not the certificate's.
    NotGenuine,
}

/// A certificate's status with the entry that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Valid, superseded or cancelled.
    pub status: Status,
    /// The earliest entry that superseded or cancelled it (its `seq`).
    pub by: Option<u64>,
}

/// The status of a certificate of `kind` issued on the entry `seq` of a unit, from the
/// unit's entries (`later` in `seq` order; earlier ones are skipped): the earliest entry
/// that changed what it states (superseded) or ended it (cancelled) decides.
pub fn standing<'e>(
    kind: CertificateType,
    seq: u64,
    recorded: &Content,
    later: impl IntoIterator<Item = (u64, &'e EntryDraft)>,
) -> Standing {
    for (s, e) in later.into_iter().filter(|(s, _)| *s > seq) {
        let on_it = e.refers_to == Some(seq);
        let status = match (kind, &e.content) {
            (CertificateType::Title, Content::Ownership { .. } | Content::OwnerDetails { .. }) => {
                Some(Status::Superseded)
            }
            (CertificateType::Title, Content::Correction { .. }) if e.refers_to.is_some() => Some(Status::Superseded),
            (_, Content::Correction { .. }) if on_it => Some(Status::Superseded),
            (CertificateType::Title, Content::Cancellation) if e.refers_to.is_none() => Some(Status::Cancelled),
            (CertificateType::Certification, Content::Cancellation) if on_it || e.refers_to.is_none() => {
                // Ending the ownership ends every mortgage, objection and advance notice.
                Some(Status::Cancelled)
            }
            (
                CertificateType::Certification,
                Content::MortgageRelease
                | Content::ObjectionLapsed
                | Content::AdvanceNoticeLapsed
                | Content::SeizureRelease,
            ) if on_it => Some(Status::Cancelled),
            (
                CertificateType::Certification,
                Content::Ownership { fulfils, .. } | Content::Mortgage { fulfils, .. },
            ) if fulfils.contains(&seq) && matches!(recorded, Content::AdvanceNotice { .. }) => Some(Status::Cancelled),
            _ => None,
        };
        if let Some(status) = status {
            return Standing { status, by: Some(s) };
        }
    }
    Standing { status: Status::Valid, by: None }
}

/// The owners a title names, from the unit's page.
pub fn title_owners(owners: &[super::page::PageOwner]) -> Vec<TitleOwner> {
    owners
        .iter()
        .map(|o| TitleOwner { name: o.name.clone(), id: o.id.clone(), id_type: o.id_type, share: o.share })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_pattern_gap_free_by_seq() {
        let p = NumberPatterns::default();
        let n = CertificateNumber::new(&p, CertificateType::Title, 2026, 1).unwrap();
        assert_eq!(n.number, "青(2026)西宁市不动产权第0000001号");
        let n = CertificateNumber::new(&p, CertificateType::Certification, 2027, 12).unwrap();
        assert_eq!(n.number, "青(2027)西宁市不动产证明第0000012号");
        let plain = NumberPatterns {
            title: "T-{seq}".into(),
            certification: "C{yyyy}-{seq:03}".into(),
            query_result: "Q{seq}".into(),
        };
        assert_eq!(CertificateNumber::new(&plain, CertificateType::Title, 2026, 42).unwrap().number, "T-42");
        assert_eq!(
            CertificateNumber::new(&plain, CertificateType::Certification, 2026, 4).unwrap().number,
            "C2026-004"
        );
        for bad in ["no seq", "{seq:7}", "{seq}{seq}", "{seq:099}", "{seq"] {
            let p = NumberPatterns { title: bad.into(), ..NumberPatterns::default() };
            assert!(p.check().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_must_be_its_canonical_bytes() {
        let doc = serde_json::json!({"format": FORMAT, "b": 1, "a": "x", "key_id": "k", "algorithm": "sm2", "signature": "c2ln"});
        let bytes = canonical(&doc);
        let read = read_signed_file(&bytes).unwrap();
        assert_eq!(read.signature, "c2ln");
        assert!(!String::from_utf8(read.signed_bytes.clone()).unwrap().contains("signature"));
        let mut spaced = bytes.clone();
        spaced.insert(1, b' ');
        assert_eq!(read_signed_file(&spaced), Err(FileError::NotCanonical));
        let reordered =
            br#"{"b":1,"a":"x","algorithm":"sm2","format":"regflow-certificate/1","key_id":"k","signature":"c2ln"}"#;
        assert_eq!(read_signed_file(reordered), Err(FileError::NotCanonical));
        assert!(matches!(read_signed_file(&bytes[..bytes.len() - 1]), Err(FileError::NotADocument(_))));
    }
}
