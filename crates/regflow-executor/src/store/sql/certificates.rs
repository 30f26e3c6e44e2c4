//! Certificates, their numbers and the centres' public keys (SPEC 15.1).

use super::statements;
use crate::error::Result;
use crate::store::{CertificateRow, KeyRow};

const CERTIFICATE_COLUMNS: &str =
    "id, centre, case_id, unit, entry_seq, cert_type, number, hash, key_id, issued_at, file";
const KEY_COLUMNS: &str = "centre, key_id, algorithm, public_pem, created_at, retired_at";

statements! {
    /// Takes the next certificate number of `centre`, `year` and `cert_type` for entry
    /// `entry_seq`: one more than the highest given, so numbers have no gaps (a rolled-back
    /// recording gives its number back). Called under the centre's register head lock;
    /// `None` when another transaction took the same number (the caller answers `conflict`).
    pub(crate) async fn next_certificate_seq(self, centre: &str, year: i64, cert_type: &str, entry_seq: i64) -> Result<Option<i64>> {
        let taken: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO regflow_certificate_numbers (centre, year, cert_type, seq, entry_seq) \
             SELECT $1, $2, $3, COALESCE(MAX(seq), 0) + 1, $4 FROM regflow_certificate_numbers \
             WHERE centre = $1 AND year = $2 AND cert_type = $3 \
             ON CONFLICT DO NOTHING RETURNING seq",
        )
        .bind(centre)
        .bind(year)
        .bind(cert_type)
        .bind(entry_seq)
        .fetch_optional(self.0)
        .await?;
        Ok(taken.map(|(seq,)| seq))
    }

    /// Stores an issued certificate; false when the case already has one.
    pub(crate) async fn put_certificate(self, row: &CertificateRow) -> Result<bool> {
        let sql = format!(
            "INSERT INTO regflow_certificates ({CERTIFICATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT DO NOTHING"
        );
        let done = sqlx::query(&sql)
            .bind(row.id.as_str())
            .bind(row.centre.as_str())
            .bind(row.case_id.as_str())
            .bind(row.unit.as_str())
            .bind(row.entry_seq)
            .bind(row.cert_type.as_str())
            .bind(row.number.as_str())
            .bind(row.hash.as_str())
            .bind(row.key_id.as_str())
            .bind(row.issued_at)
            .bind(row.file.as_str())
            .execute(self.0)
            .await?;
        Ok(super::RowsAffected::rows(&done) == 1)
    }

    /// The certificate `id`, of any centre.
    pub(crate) async fn certificate(self, id: &str) -> Result<Option<CertificateRow>> {
        let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM regflow_certificates WHERE id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.0).await?)
    }

    /// The certificates of `centre`'s cases `cases`.
    pub(crate) async fn certificates_of_cases(self, centre: &str, cases: &[&str]) -> Result<Vec<CertificateRow>> {
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let list = super::dialect::param_list::<C>(2, cases.len());
        let sql = format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM regflow_certificates WHERE centre = {} AND case_id IN ({}) ORDER BY issued_at",
            C::param(1),
            list
        );
        let mut q = sqlx::query_as(&sql).persistent(false).bind(centre);
        for c in cases {
            q = q.bind(*c);
        }
        Ok(q.fetch_all(self.0).await?)
    }

    /// Up to `limit` certificates of `centre` with ids after `after`, by id.
    pub(crate) async fn centre_certificates(self, centre: &str, after: &str, limit: i64) -> Result<Vec<CertificateRow>> {
        let sql = format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM regflow_certificates WHERE centre = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        Ok(sqlx::query_as(&sql).bind(centre).bind(after).bind(limit).fetch_all(self.0).await?)
    }

    /// Stores a public key of `centre` (kept as it is when already stored).
    pub(crate) async fn put_public_key(self, row: &KeyRow) -> Result<()> {
        let sql = format!("INSERT INTO regflow_signing_keys ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
        sqlx::query(&sql)
            .bind(row.centre.as_str())
            .bind(row.key_id.as_str())
            .bind(row.algorithm.as_str())
            .bind(row.public_pem.as_str())
            .bind(row.created_at)
            .bind(row.retired_at)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// Retires every key of `centre` but `current`, as of `at` (kept: they still verify).
    pub(crate) async fn retire_keys_but(self, centre: &str, current: &str, at: i64) -> Result<()> {
        sqlx::query("UPDATE regflow_signing_keys SET retired_at = $1 WHERE centre = $2 AND key_id <> $3 AND retired_at IS NULL")
            .bind(at)
            .bind(centre)
            .bind(current)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// `centre`'s public keys, oldest first.
    pub(crate) async fn public_keys(self, centre: &str) -> Result<Vec<KeyRow>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM regflow_signing_keys WHERE centre = $1 ORDER BY created_at, key_id");
        Ok(sqlx::query_as(&sql).bind(centre).fetch_all(self.0).await?)
    }
}
