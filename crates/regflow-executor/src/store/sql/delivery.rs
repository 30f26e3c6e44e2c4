//! Statements of the alert delivery queue: queued alerts and each consumer's cursor and lease.

use super::dialect::{placeholders, prepared};
use super::statements;
use crate::error::Result;
use crate::store::AlertRow;

statements! {
    /// Queues `rows` (their ids ignored) and returns them with the ids given.
    pub(crate) async fn alerts_insert(self, rows: &[AlertRow]) -> Result<Vec<AlertRow>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(lock) = C::ALERT_LOCK {
            sqlx::query(lock).execute(&mut *self.0).await?;
        }
        let sql = format!(
            "INSERT INTO regflow_alerts (centre, case_id, kind, clock, level, due_at, raised_at, type, notice_id) \
             VALUES {} ON CONFLICT DO NOTHING RETURNING *",
            placeholders::<C>(rows.len(), 9)
        );
        let mut q = sqlx::query_as(&sql).persistent(prepared(rows.len()));
        for r in rows {
            q = q
                .bind(r.centre.as_str())
                .bind(r.case_id.as_str())
                .bind(r.kind.as_str())
                .bind(r.clock.as_str())
                .bind(r.level.as_str())
                .bind(r.due_at)
                .bind(r.raised_at)
                .bind(r.item_type.as_str())
                .bind(r.notice_id);
        }
        Ok(q.fetch_all(self.0).await?)
    }

    /// Up to `limit` queued items after id `after`, of `centre` when given, in id order; a
    /// notice with its subject and body.
    pub(crate) async fn alerts_after(self, after: i64, centre: Option<&str>, limit: i64) -> Result<Vec<AlertRow>> {
        Ok(sqlx::query_as(
            "SELECT a.*, n.subject, n.body FROM regflow_alerts a LEFT JOIN regflow_notices n ON n.id = a.notice_id \
             WHERE a.id > $1 AND ($2 IS NULL OR a.centre = $2) ORDER BY a.id LIMIT $3",
        )
        .bind(after)
        .bind(centre)
        .bind(limit)
        .fetch_all(self.0)
        .await?)
    }

    /// The id of the newest queued alert (0 when none).
    pub(crate) async fn alerts_last_id(self) -> Result<i64> {
        let row: (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM regflow_alerts").fetch_one(self.0).await?;
        Ok(row.0)
    }

    /// Whether an alert is queued past `consumer`'s cursor (all of them when it has none).
    pub(crate) async fn alerts_waiting(self, consumer: &str) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM regflow_alerts WHERE id > \
             COALESCE((SELECT last_id FROM regflow_alert_cursors WHERE consumer = $1), 0) LIMIT 1) AS w",
        )
        .bind(consumer)
        .fetch_one(self.0)
        .await?;
        Ok(n > 0)
    }

    /// Takes (or renews) `consumer`'s delivery lease for `owner` until `until`, when it is
    /// free at `now`; the consumer's last acknowledged id, or `None` when another owner
    /// holds the lease.
    pub(crate) async fn cursor_lease(self, consumer: &str, owner: &str, now: i64, until: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO regflow_alert_cursors (consumer, last_id, lease_owner, lease_until) VALUES ($1, 0, $2, $3) \
             ON CONFLICT (consumer) DO UPDATE SET lease_owner = $2, lease_until = $3 \
             WHERE regflow_alert_cursors.lease_until < $4 OR regflow_alert_cursors.lease_owner = $2 \
             RETURNING last_id",
        )
        .bind(consumer)
        .bind(owner)
        .bind(until)
        .bind(now)
        .fetch_optional(self.0)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Moves `consumer`'s cursor to `last_id` (never back) while `owner` holds the lease;
    /// `release` frees the lease.
    pub(crate) async fn cursor_advance(self, consumer: &str, owner: &str, last_id: i64, release: bool) -> Result<()> {
        sqlx::query(
            "UPDATE regflow_alert_cursors SET last_id = CASE WHEN last_id < $3 THEN $3 ELSE last_id END, \
             lease_until = CASE WHEN $4 = 1 THEN 0 ELSE lease_until END \
             WHERE consumer = $1 AND lease_owner = $2",
        )
        .bind(consumer)
        .bind(owner)
        .bind(last_id)
        .bind(i64::from(release))
        .execute(self.0)
        .await?;
        Ok(())
    }
}
