//! Onward reporting's statements (SPEC 14): reports queued with their entries, message id
//! sequences, delivery claims under a lease, answers and retries, and the report log.

use super::dialect::RowsAffected;
use super::statements;
use crate::error::Result;
use crate::store::OnwardRow;

const COLUMNS: &str = "centre, entry_seq, target, unit, area, class, message_id, minted_at, state, lease_until, \
                       sent_at, answered_at, reason";

statements! {
    /// The next number of `target`'s message ids for `area` on `day` (1 for the first);
    /// the row stays locked until the transaction ends, so ids follow commit order.
    pub(crate) async fn mint_message(self, target: &str, area: &str, day: &str) -> Result<i64> {
        let (last,): (i64,) = sqlx::query_as(
            "INSERT INTO regflow_report_sequences (target, area, day, last) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (target, area, day) DO UPDATE SET last = regflow_report_sequences.last + 1 RETURNING last",
        )
        .bind(target)
        .bind(area)
        .bind(day)
        .fetch_one(self.0)
        .await?;
        Ok(last)
    }

    /// Queues a report.
    pub(crate) async fn insert_report(self, r: &OnwardRow) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO regflow_reports ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .bind(r.unit.as_str())
        .bind(r.area.as_str())
        .bind(r.class)
        .bind(r.message_id.as_str())
        .bind(r.minted_at)
        .bind(r.state.as_str())
        .bind(r.lease_until)
        .bind(r.sent_at)
        .bind(r.answered_at)
        .bind(r.reason.as_deref())
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// Appends a step of a report to the log.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn log_report(
        self,
        r: &OnwardRow,
        at: i64,
        action: &str,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO regflow_report_log (centre, entry_seq, target, message_id, at, action, actor, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .bind(r.message_id.as_str())
        .bind(at)
        .bind(action)
        .bind(actor)
        .bind(reason)
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// Leases up to `limit` queued reports whose lease ran out by `now` until `until`
    /// (others' claims skipped on PostgreSQL), oldest entries first.
    pub(crate) async fn claim_reports(self, now: i64, until: i64, limit: i64) -> Result<Vec<OnwardRow>> {
        let sql = format!(
            "UPDATE regflow_reports SET lease_until = $1 WHERE (centre, entry_seq, target) IN (\
             SELECT centre, entry_seq, target FROM regflow_reports WHERE state = 'queued' AND lease_until <= $2 \
             ORDER BY minted_at, centre, entry_seq LIMIT $3{}) RETURNING {COLUMNS}",
            C::SKIP_LOCKED
        );
        let mut rows: Vec<OnwardRow> = sqlx::query_as(&sql).bind(until).bind(now).bind(limit).fetch_all(self.0).await?;
        rows.sort_by(|a, b| (a.minted_at, &a.centre, a.entry_seq).cmp(&(b.minted_at, &b.centre, b.entry_seq)));
        Ok(rows)
    }

    /// Marks a report sent, if it is still queued under `message_id`.
    pub(crate) async fn mark_sent(self, r: &OnwardRow, at: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE regflow_reports SET state = 'sent', sent_at = $1 \
             WHERE centre = $2 AND entry_seq = $3 AND target = $4 AND message_id = $5 AND state = 'queued'",
        )
        .bind(at)
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .bind(r.message_id.as_str())
        .execute(self.0)
        .await?;
        Ok(done.rows() == 1)
    }

    /// Moves a queued report's lease (a delivery that failed is retried then).
    pub(crate) async fn delay_report(self, r: &OnwardRow, until: i64) -> Result<()> {
        sqlx::query(
            "UPDATE regflow_reports SET lease_until = $1 \
             WHERE centre = $2 AND entry_seq = $3 AND target = $4 AND message_id = $5 AND state = 'queued'",
        )
        .bind(until)
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .bind(r.message_id.as_str())
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// The report of entry `seq` of `centre` to `target`, locked until the transaction ends.
    pub(crate) async fn report_for_update(self, centre: &str, seq: i64, target: &str) -> Result<Option<OnwardRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM regflow_reports WHERE centre = $1 AND entry_seq = $2 AND target = $3{}",
            C::HEAD_LOCK
        );
        Ok(sqlx::query_as(&sql).bind(centre).bind(seq).bind(target).fetch_optional(self.0).await?)
    }

    /// Writes a report's new state: an answer, or a retry's new id.
    pub(crate) async fn update_report(self, r: &OnwardRow) -> Result<()> {
        sqlx::query(
            "UPDATE regflow_reports SET message_id = $1, minted_at = $2, state = $3, lease_until = $4, sent_at = $5, \
             answered_at = $6, reason = $7 WHERE centre = $8 AND entry_seq = $9 AND target = $10",
        )
        .bind(r.message_id.as_str())
        .bind(r.minted_at)
        .bind(r.state.as_str())
        .bind(r.lease_until)
        .bind(r.sent_at)
        .bind(r.answered_at)
        .bind(r.reason.as_deref())
        .bind(r.centre.as_str())
        .bind(r.entry_seq)
        .bind(r.target.as_str())
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// The reports of `centre`'s entries after `after` (their `seq`), up to `limit`, in
    /// entry order; `entry` narrows to one entry.
    pub(crate) async fn reports_of(self, centre: &str, after: i64, limit: i64, entry: Option<i64>) -> Result<Vec<OnwardRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM regflow_reports WHERE centre = $1 AND entry_seq > $2 \
             AND ($3 < 0 OR entry_seq = $3) ORDER BY entry_seq, target LIMIT $4"
        );
        Ok(sqlx::query_as(&sql).bind(centre).bind(after).bind(entry.unwrap_or(-1)).bind(limit).fetch_all(self.0).await?)
    }

    /// One entry's stored row.
    pub(crate) async fn entry_row(self, centre: &str, seq: i64) -> Result<Option<crate::store::EntryRow>> {
        Ok(sqlx::query_as(
            "SELECT centre, seq, unit, case_id, entry_type, recorded_at, body, prev_hash, hash \
             FROM regflow_register_entries WHERE centre = $1 AND seq = $2",
        )
        .bind(centre)
        .bind(seq)
        .fetch_optional(self.0)
        .await?)
    }
}
