//! Query answers and their 查询结果证明 (SPEC 15.2): `decide` gives the page in the scope
//! decided at acceptance and its hash (which the event carries); the executor numbers the
//! result certificate, signs it with the centre's key and stores both in the command's
//! transaction. A result is a snapshot: it verifies `valid` or `not_genuine`, never
//! superseded.

use chrono::{DateTime, Datelike as _, FixedOffset};
use regflow_process::register::certificate::read_signed_file;
use regflow_process::register::certificate::Signed as _;
use regflow_process::register::query::{Answer, ResultDocument};
use regflow_process::{CaseId, Centre, CentreId, ErrorCode, Refusal};
use serde::Serialize;

use crate::certificates::key_row;
use crate::clock::{from_micros, micros};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::store::{Conn, QueryResultRow};

/// A stored query answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryResult {
    /// The signed 查询结果证明.
    pub document: ResultDocument,
    /// Its file's bytes (RFC 8785).
    pub file: Vec<u8>,
    /// The page as answered (JSON).
    pub page: serde_json::Value,
    /// The document's hash (of its canonical bytes without `signature`).
    pub hash: String,
}

/// What the public verification of a query result answers: no names, no identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultVerification {
    /// The result's id.
    pub id: String,
    /// Its number.
    pub number: String,
    /// When it was issued.
    pub issued_at: DateTime<FixedOffset>,
    /// `valid`, or `not_genuine` when the hash given is not the result's or the stored
    /// document no longer matches its signature.
    pub status: &'static str,
}

fn not_found(id: &str) -> Error {
    Error::Refused(Refusal::new(
        ErrorCode::CertificateNotFound,
        format!("no query result `{id}`: check the id on the 查询结果证明 or its QR code"),
    ))
}

fn result_of_row(row: &QueryResultRow) -> Result<QueryResult> {
    let corrupt = |e: serde_json::Error| Error::Corrupt(format!("query result {}: {e}", row.id));
    Ok(QueryResult {
        document: serde_json::from_str(&row.file).map_err(corrupt)?,
        file: row.file.clone().into_bytes(),
        page: serde_json::from_str(&row.page).map_err(corrupt)?,
        hash: row.hash.clone(),
    })
}

impl Engine {
    /// Numbers, signs and stores `answer` on `case` in the command's transaction (after the
    /// query log's head is locked by the answer's line, so numbers have no gaps).
    pub(crate) async fn store_answer(
        &self,
        conn: &mut Conn<'_>,
        centre: &Centre,
        case: &CaseId,
        answer: &Answer,
    ) -> Result<()> {
        let now = self.now();
        let year = centre.hours.local_date(now).year();
        let seq = conn
            .next_certificate_seq(centre.id.as_str(), i64::from(year), "query_result", 0)
            .await?
            .ok_or_else(|| Error::conflict(case.as_str()))?;
        let number = centre
            .register
            .certificate_numbers
            .query_result_number(year, seq as u64)
            .map_err(|e| Error::Config(format!("centre `{}`: {e}", centre.id)))?;
        let (key, key_stored) = self.inner.keys.of(&centre.id)?;
        let public = key.public();
        let mut document = ResultDocument::new(
            answer,
            centre.id.as_str(),
            case.as_str(),
            number,
            &public.key_id,
            public.algorithm.as_str(),
        );
        let hash = document.hash();
        document.signature = Some(key.sign(&document.signed_bytes()));
        let file = String::from_utf8(document.file()).map_err(|e| Error::Corrupt(e.to_string()))?;
        let page = serde_json::to_string(&answer.page).map_err(Error::encode("a query's page"))?;
        let row = QueryResultRow {
            id: answer.reference.id.clone(),
            centre: centre.id.to_string(),
            case_id: case.to_string(),
            unit: answer.page.unit.to_string(),
            number: document.number.clone(),
            hash,
            result_hash: answer.reference.result_hash.clone(),
            key_id: public.key_id.clone(),
            issued_at: micros(now),
            page,
            file,
        };
        if !key_stored {
            conn.put_public_key(&key_row(&centre.id, public, row.issued_at)).await?;
        }
        if !conn.put_query_result(&row).await? {
            return Err(Error::conflict(case.as_str()));
        }
        Ok(())
    }

    /// The query result `id` (of any centre: ids are unguessable; who may read it is the
    /// caller's check, see `ActorView::query_result`).
    ///
    /// # Errors
    /// `certificate_not_found`; [`Error::Database`] or [`Error::Corrupt`].
    pub async fn query_result(&self, id: &str) -> Result<QueryResult> {
        let mut db = self.inner.db.acquire().await?;
        let row = db.conn().query_result(id).await?.ok_or_else(|| not_found(id))?;
        result_of_row(&row)
    }

    /// Whether query result `id` is genuine: its stored file still its canonical, signed
    /// self under a key of its centre, and `hash`, when given, its hash.
    ///
    /// # Errors
    /// `certificate_not_found`; [`Error::Database`].
    pub async fn verify_query_result(&self, id: &str, hash: Option<&str>) -> Result<ResultVerification> {
        let mut db = self.inner.db.acquire().await?;
        let row = db.conn().query_result(id).await?.ok_or_else(|| not_found(id))?;
        drop(db);
        let centre = CentreId::new(row.centre.clone());
        let offset = self
            .context_centre(&centre)
            .map(|c| from_micros(row.issued_at).with_timezone(&c.hours.time_zone()).fixed_offset())
            .unwrap_or_else(|_| from_micros(row.issued_at).fixed_offset());
        let genuine =
            hash.is_none_or(|h| h.eq_ignore_ascii_case(&row.hash)) && self.signed_by_centre(&centre, &row).await?;
        Ok(ResultVerification {
            id: row.id,
            number: row.number,
            issued_at: offset,
            status: if genuine { "valid" } else { "not_genuine" },
        })
    }

    async fn signed_by_centre(&self, centre: &CentreId, row: &QueryResultRow) -> Result<bool> {
        let Ok(signed) = read_signed_file(row.file.as_bytes()) else { return Ok(false) };
        if signed.hash != row.hash {
            return Ok(false);
        }
        let keys = self.public_keys(centre).await?;
        Ok(keys.iter().any(|(k, _)| k.key_id == signed.key_id && k.verifies(&signed.signed_bytes, &signed.signature)))
    }
}
