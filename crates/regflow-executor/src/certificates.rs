//! Electronic certificates in the executor (SPEC 15.1). A recording of a kind that issues
//! one takes the next number under its centre's register head lock; `issue_certificate`
//! plans the document from the case's recording entry and the unit's owners (the pure
//! core builds it and its hash, which the event carries), then signs it with the centre's
//! key and stores the file, all in the command's transaction. Verifying reads the unit's
//! entries after the certificate's and lets the core decide its standing.

use chrono::{DateTime, Datelike as _, Utc};
use regflow_process::register::certificate::{self, CertificateRef, Document, Issue, Signed as _, Standing, Status};
use regflow_process::register::{CertificateNumber, CertificateType, Entry, EntryDraft, UnitRegister};
use regflow_process::{Case, CaseId, Centre, CentreId, Command, State};
use serde::Serialize;

use crate::certificate_work::Planned;
use crate::clock::{from_micros, micros};
use crate::engine::{Engine, Request};
use crate::error::{Error, Result};
use crate::register::entry_from_row;
use crate::signing::{KeyError, PublicKey, SigningKey};
use crate::store::{CertificateRow, Conn, KeyRow};

/// What the public verification of a certificate answers (SPEC 15.1): no names, no
/// identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The certificate's id.
    pub id: String,
    /// Its number.
    pub number: String,
    /// Title or certification.
    #[serde(rename = "type")]
    pub kind: CertificateType,
    /// When it was issued.
    pub issued_at: DateTime<chrono::FixedOffset>,
    /// `valid`, `superseded`, `cancelled` or `not_genuine`.
    pub status: Status,
    /// The entry that superseded or cancelled it (its id).
    pub by: Option<String>,
    /// That entry's instant.
    pub at: Option<DateTime<chrono::FixedOffset>>,
}

/// A stored certificate: its document and file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The document, signed.
    pub document: Document,
    /// The file's bytes (RFC 8785).
    pub file: Vec<u8>,
    /// Its hash.
    pub hash: String,
}

impl Engine {
    /// Gives `centre` the signing key certificates are signed with from now on, storing
    /// its public half (a key already stored is kept as it is).
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn use_signing_key(&self, centre: &CentreId, key: SigningKey) -> Result<PublicKey> {
        let public = key.public().clone();
        let mut db = self.inner.writes.acquire().await?;
        db.conn().put_public_key(&key_row(centre, &public, micros(self.now()))).await?;
        self.inner.keys.give(centre.clone(), key);
        Ok(public)
    }

    /// `centre`'s public keys, oldest first, with when each was retired.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn public_keys(&self, centre: &CentreId) -> Result<Vec<(PublicKey, Option<DateTime<Utc>>)>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().public_keys(centre.as_str()).await?;
        rows.iter()
            .map(|r| {
                let key = PublicKey::from_pem(&r.public_pem)
                    .map_err(|e| Error::Corrupt(format!("public key {} of centre {}: {e}", r.key_id, r.centre)))?;
                Ok((key, r.retired_at.map(from_micros)))
            })
            .collect()
    }

    /// Stores `key` as `centre`'s current public key and retires the others (they keep
    /// verifying what they signed).
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn rotate_public_key(&self, centre: &CentreId, key: &PublicKey) -> Result<()> {
        let now = micros(self.now());
        let mut tx = self.inner.writes.begin_write().await?;
        let out = async {
            let mut conn = tx.conn();
            conn.put_public_key(&key_row(centre, key, now)).await?;
            conn.retire_keys_but(centre.as_str(), &key.key_id, now).await
        }
        .await;
        tx.finish(out).await
    }

    /// Gives the recording entries of a kind that issues a certificate their numbers:
    /// the next of the centre, the entry's local year and the type (SPEC 15.1). Runs under
    /// the centre's register head lock, so numbers have no gaps and no twins.
    pub(crate) async fn number_entries(
        &self,
        conn: &mut Conn<'_>,
        centre: &Centre,
        kind: CertificateType,
        drafts: &mut [(u64, EntryDraft)],
        first_seq: u64,
    ) -> Result<()> {
        for (i, (_, draft)) in drafts.iter_mut().enumerate() {
            let year = centre.hours.local_date(draft.recorded_at).year();
            let entry_seq = (first_seq + i as u64) as i64;
            let seq = conn
                .next_certificate_seq(centre.id.as_str(), i64::from(year), kind.as_str(), entry_seq)
                .await?
                .ok_or_else(|| Error::conflict(draft.unit.as_str()))?;
            let number = CertificateNumber::new(&centre.register.certificate_numbers, kind, year, seq as u64)
                .map_err(|e| Error::Config(format!("centre `{}`: {e}", centre.id)))?;
            draft.certificate = Some(number);
        }
        Ok(())
    }

    /// Plans the certificate `issue_certificate` writes on `case`, when the case is
    /// recorded at the actor's centre and its recording gave a number. `None` otherwise
    /// (`decide` refuses what it must; a case recorded before numbering is issued without
    /// an electronic certificate).
    pub(crate) async fn plan_certificate(
        &self,
        conn: &mut Conn<'_>,
        req: &Request,
        case: Option<&Case>,
        calendar: &regflow_process::Calendar,
    ) -> Result<Option<Planned>> {
        let Some(case) =
            case.filter(|c| matches!(req.command, Command::IssueCertificate) && c.state() == State::Recorded)
        else {
            return Ok(None);
        };
        if case.centre() != req.actor.centre() {
            return Ok(None);
        }
        let Ok(centre) = self.context_centre(case.centre()) else { return Ok(None) };
        // A case writes on its own unit only: the unit's entries hold the case's.
        let unit = &case.intake().unit;
        let rows = conn.unit_entries(centre.id.as_str(), unit.as_str()).await?;
        let unit_entries = rows.iter().map(entry_from_row).collect::<Result<Vec<Entry>>>()?;
        let entries: Vec<&Entry> = unit_entries.iter().filter(|e| e.draft.case.as_ref() == Some(case.id())).collect();
        let Some(recording) = entries.iter().rev().find(|e| e.draft.certificate.is_some()).copied() else {
            return Ok(None);
        };
        let now = self.now();
        let owners = match recording.draft.certificate.as_ref().map(|n| n.kind) {
            Some(CertificateType::Title) => {
                let clock = centre.legal_clock(calendar);
                let register =
                    UnitRegister::rebuild(unit.clone(), unit_entries.iter().map(|e| (e.seq, &e.draft)), &clock)
                        .map_err(|e| Error::Corrupt(format!("register of unit {unit}: {e}")))?;
                certificate::title_owners(&register.page(now, &centre.hours).owners)
            }
            _ => Vec::new(),
        };
        let (key, key_stored) = self.inner.keys.of(&centre.id)?;
        let issue = Issue {
            recording,
            entries: entries.iter().map(|e| e.id.clone()).collect(),
            owners,
            issued_at: now.with_timezone(&centre.hours.time_zone()).fixed_offset(),
            key_id: &key.public().key_id,
            algorithm: key.public().algorithm.as_str(),
        };
        let document = issue.document().map_err(|e| Error::Corrupt(e.to_string()))?;
        let reference = CertificateRef { id: document.id.clone(), hash: document.hash() };
        Ok(Some(Planned { document, reference, key, entry_seq: recording.seq, key_stored }))
    }

    /// Signs and stores a planned certificate in the command's transaction, with its
    /// key's public half.
    pub(crate) async fn store_certificate(&self, conn: &mut Conn<'_>, case: &CaseId, planned: Planned) -> Result<()> {
        let Planned { mut document, reference, key, entry_seq, key_stored } = planned;
        document.signature = Some(key.sign(&document.signed_bytes()));
        let file = String::from_utf8(document.file()).map_err(|e| Error::Corrupt(e.to_string()))?;
        let row = CertificateRow {
            id: reference.id.clone(),
            centre: document.centre.clone(),
            case_id: case.to_string(),
            unit: document.unit.clone(),
            entry_seq: entry_seq as i64,
            cert_type: document.kind.as_str().to_owned(),
            number: document.number.clone(),
            hash: reference.hash,
            key_id: key.public().key_id.clone(),
            issued_at: micros(document.issued_at.with_timezone(&Utc)),
            file,
        };
        let centre = CentreId::new(document.centre.clone());
        if !key_stored {
            conn.put_public_key(&key_row(&centre, key.public(), row.issued_at)).await?;
        }
        if !conn.put_certificate(&row).await? {
            return Err(Error::conflict(case.as_str()));
        }
        Ok(())
    }

    /// The certificate `id` (of any centre: ids are unguessable, and who may read the
    /// file is the caller's check).
    ///
    /// # Errors
    /// `certificate_not_found`; [`Error::Database`] or [`Error::Corrupt`].
    pub async fn certificate(&self, id: &str) -> Result<Certificate> {
        let mut db = self.inner.db.acquire().await?;
        let row = db.conn().certificate(id).await?.ok_or_else(|| not_found(id))?;
        certificate_of_row(&row)
    }

    /// The certificates of `cases` at `centre`, by case id.
    ///
    /// # Errors
    /// [`Error::Database`] or [`Error::Corrupt`].
    pub async fn certificates_of(&self, centre: &CentreId, cases: &[&CaseId]) -> Result<Vec<(CaseId, Certificate)>> {
        let ids: Vec<&str> = cases.iter().map(|c| c.as_str()).collect();
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().certificates_of_cases(centre.as_str(), &ids).await?;
        rows.iter().map(|r| Ok((CaseId::new(r.case_id.clone()), certificate_of_row(r)?))).collect()
    }

    /// Where certificate `id` stands (SPEC 15.1): `valid`, `superseded` or `cancelled`
    /// from the register now, `not_genuine` when `hash` is given and is not its hash.
    ///
    /// # Errors
    /// `certificate_not_found`; [`Error::Database`] or [`Error::Corrupt`].
    pub async fn verify_certificate(&self, id: &str, hash: Option<&str>) -> Result<Verification> {
        let mut db = self.inner.db.acquire().await?;
        let mut conn = db.conn();
        let row = conn.certificate(id).await?.ok_or_else(|| not_found(id))?;
        let kind = match row.cert_type.as_str() {
            "title" => CertificateType::Title,
            "certification" => CertificateType::Certification,
            other => return Err(Error::Corrupt(format!("certificate {id}: type `{other}`"))),
        };
        let centre = self.context_centre(&CentreId::new(row.centre.clone()))?;
        let offset = |at: DateTime<Utc>| at.with_timezone(&centre.hours.time_zone()).fixed_offset();
        let issued = from_micros(row.issued_at);
        let mut answer = Verification {
            id: row.id.clone(),
            number: row.number.clone(),
            kind,
            issued_at: offset(issued),
            status: Status::Valid,
            by: None,
            at: None,
        };
        if hash.is_some_and(|h| !h.eq_ignore_ascii_case(&row.hash)) {
            answer.status = Status::NotGenuine;
            return Ok(answer);
        }
        let rows = conn.unit_entries(&row.centre, &row.unit).await?;
        let entries = rows.iter().map(entry_from_row).collect::<Result<Vec<_>>>()?;
        let seq = row.entry_seq as u64;
        let recorded = entries
            .iter()
            .find(|e| e.seq == seq)
            .ok_or_else(|| Error::Corrupt(format!("certificate {id}: entry {seq} is not in the register")))?;
        let Standing { status, by } =
            certificate::standing(kind, seq, &recorded.draft.content, entries.iter().map(|e| (e.seq, &e.draft)));
        answer.status = status;
        if let Some(by) = by.and_then(|s| entries.iter().find(|e| e.seq == s)) {
            answer.by = Some(by.id.clone());
            answer.at = Some(offset(by.draft.recorded_at));
        }
        Ok(answer)
    }
}

fn not_found(id: &str) -> Error {
    Error::Refused(regflow_process::Refusal::new(
        regflow_process::ErrorCode::CertificateNotFound,
        format!("no certificate `{id}`: check the id on the certificate or its QR code"),
    ))
}

fn certificate_of_row(row: &CertificateRow) -> Result<Certificate> {
    let document: Document =
        serde_json::from_str(&row.file).map_err(|e| Error::Corrupt(format!("certificate {}: {e}", row.id)))?;
    Ok(Certificate { document, file: row.file.clone().into_bytes(), hash: row.hash.clone() })
}

pub(crate) fn key_row(centre: &CentreId, key: &PublicKey, at: i64) -> KeyRow {
    KeyRow {
        centre: centre.to_string(),
        key_id: key.key_id.clone(),
        algorithm: key.algorithm.as_str().to_owned(),
        public_pem: key.pem.clone(),
        created_at: at,
        retired_at: None,
    }
}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Error {
        Error::Key(e.0)
    }
}
