//! The register's statements (SPEC 13): each centre's chain head, its entries by unit and
//! by case, and the timers that settle a unit when one of its rights ends by itself.

use super::dialect::{placeholders, prepared, rows_per_statement, RowsAffected};
use super::statements;
use crate::error::Result;
use crate::store::{EntryRow, RegisterTimerRow};

const ENTRY_COLUMNS: &str = "centre, seq, unit, case_id, entry_type, recorded_at, body, prev_hash, hash";

statements! {
    /// `centre`'s register head's `seq` and hash, locked until the transaction ends when
    /// `lock` (PostgreSQL); a centre with no entries yet gets a head at `seq` 0 and `genesis`.
    pub(crate) async fn register_head(self, centre: &str, genesis: &str, lock: bool) -> Result<(i64, String)> {
        let sql = format!(
            "SELECT seq, hash FROM regflow_register_heads WHERE centre = $1{}",
            if lock { C::HEAD_LOCK } else { "" }
        );
        if let Some(head) = sqlx::query_as(&sql).bind(centre).fetch_optional(&mut *self.0).await? {
            return Ok(head);
        }
        sqlx::query("INSERT INTO regflow_register_heads (centre, seq, hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING")
            .bind(centre)
            .bind(genesis)
            .execute(&mut *self.0)
            .await?;
        Ok(sqlx::query_as(&sql).bind(centre).fetch_one(&mut *self.0).await?)
    }

    /// Locks `centre`'s register head until the transaction ends and reads it, where
    /// writers do not already take turns (PostgreSQL); `None` on SQLite, whose one writer
    /// saw the head it read at the start of its transaction stay put.
    pub(crate) async fn relock_head(self, centre: &str) -> Result<Option<(i64, String)>> {
        if C::HEAD_LOCK.is_empty() {
            return Ok(None);
        }
        let sql = format!("SELECT seq, hash FROM regflow_register_heads WHERE centre = $1{}", C::HEAD_LOCK);
        Ok(Some(sqlx::query_as(&sql).bind(centre).fetch_one(self.0).await?))
    }

    /// The `seq` of `unit`'s last entry (0 when it has none).
    pub(crate) async fn unit_last_seq(self, centre: &str, unit: &str) -> Result<i64> {
        let (last,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(seq) FROM regflow_register_entries WHERE centre = $1 AND unit = $2")
                .bind(centre)
                .bind(unit)
                .fetch_one(self.0)
                .await?;
        Ok(last.unwrap_or(0))
    }

    /// The units of `centre` whose entries name `text` (an identifier: letters and digits
    /// only, else none), in order.
    pub(crate) async fn units_naming(self, centre: &str, text: &str) -> Result<Vec<(String,)>> {
        if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok(Vec::new());
        }
        let pattern = format!("%\"{text}\"%");
        Ok(sqlx::query_as(
            "SELECT DISTINCT unit FROM regflow_register_entries WHERE centre = $1 AND body LIKE $2 ORDER BY unit",
        )
        .bind(centre)
        .bind(pattern.as_str())
        .fetch_all(self.0)
        .await?)
    }

    /// The entries of `unit` in `centre`'s register, in `seq` order.
    pub(crate) async fn unit_entries(self, centre: &str, unit: &str) -> Result<Vec<EntryRow>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM regflow_register_entries WHERE centre = $1 AND unit = $2 ORDER BY seq");
        Ok(sqlx::query_as(&sql).bind(centre).bind(unit).fetch_all(self.0).await?)
    }

    /// The entries of `units` in `centre`'s register, in `seq` order.
    pub(crate) async fn entries_of_units(self, centre: &str, units: &[&str]) -> Result<Vec<EntryRow>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let list = super::dialect::param_list::<C>(2, units.len());
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM regflow_register_entries WHERE centre = {} AND unit IN ({}) ORDER BY seq",
            C::param(1),
            list
        );
        let mut q = sqlx::query_as(&sql).persistent(false).bind(centre);
        for u in units {
            q = q.bind(*u);
        }
        Ok(q.fetch_all(self.0).await?)
    }

    /// The entries a case's events wrote, in `seq` order.
    pub(crate) async fn case_entries(self, case_id: &str) -> Result<Vec<EntryRow>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM regflow_register_entries WHERE case_id = $1 ORDER BY seq");
        Ok(sqlx::query_as(&sql).bind(case_id).fetch_all(self.0).await?)
    }

    /// Up to `limit` entries of `centre` after `after` (its `seq`), in order.
    pub(crate) async fn centre_entries(self, centre: &str, after: i64, limit: i64) -> Result<Vec<EntryRow>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM regflow_register_entries WHERE centre = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        );
        Ok(sqlx::query_as(&sql).bind(centre).bind(after).bind(limit).fetch_all(self.0).await?)
    }

    /// The centres that have a register, in order.
    pub(crate) async fn register_centres(self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT centre, seq FROM regflow_register_heads ORDER BY centre").fetch_all(self.0).await?)
    }

    /// Appends entries after `centre`'s head at `from_seq` and moves the head to the last
    /// of them; `false` (nothing to commit) when the head was not at `from_seq`.
    pub(crate) async fn append_entries(self, centre: &str, from_seq: i64, rows: &[EntryRow]) -> Result<bool> {
        let Some(last) = rows.last() else { return Ok(true) };
        for chunk in rows.chunks(rows_per_statement(9)) {
            let sql = format!(
                "INSERT INTO regflow_register_entries ({ENTRY_COLUMNS}) VALUES {}",
                placeholders::<C>(chunk.len(), 9)
            );
            let mut q = sqlx::query(&sql).persistent(prepared(chunk.len()));
            for r in chunk {
                q = q
                    .bind(r.centre.as_str())
                    .bind(r.seq)
                    .bind(r.unit.as_str())
                    .bind(r.case_id.as_deref())
                    .bind(r.entry_type.as_str())
                    .bind(r.recorded_at)
                    .bind(r.body.as_str())
                    .bind(r.prev_hash.as_str())
                    .bind(r.hash.as_str());
            }
            q.execute(&mut *self.0).await?;
        }
        let moved = sqlx::query("UPDATE regflow_register_heads SET seq = $1, hash = $2 WHERE centre = $3 AND seq = $4")
            .bind(last.seq)
            .bind(last.hash.as_str())
            .bind(centre)
            .bind(from_seq)
            .execute(&mut *self.0)
            .await?;
        Ok(moved.rows() == 1)
    }

    /// The events of `centre`'s cases of `kinds` that write a register entry: recordings,
    /// instant handlings that completed, lawsuits and renewals, as `(case, seq)`.
    pub(crate) async fn recording_events(self, centre: &str, kinds: &[String]) -> Result<Vec<(String, i64)>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let list = super::dialect::param_list::<C>(2, kinds.len());
        let sql = format!(
            "SELECT e.case_id, e.seq FROM regflow_events e JOIN regflow_cases c ON c.id = e.case_id \
             WHERE c.centre = {} AND c.kind IN ({}) AND (e.command IN ('record', 'lawsuit_filed', 'renew_seizure') \
             OR (e.command = 'handle_instantly' AND c.state <> 'not_accepted'))",
            C::param(1),
            list
        );
        let mut q = sqlx::query_as(&sql).persistent(false).bind(centre);
        for k in kinds {
            q = q.bind(k.as_str());
        }
        Ok(q.fetch_all(self.0).await?)
    }

    /// Arms `unit`'s register timer at `due` (none: disarms it), replacing the unfired one.
    pub(crate) async fn arm_register_timer(self, centre: &str, unit: &str, due: Option<i64>) -> Result<()> {
        sqlx::query("DELETE FROM regflow_register_timers WHERE centre = $1 AND unit = $2 AND fired_at IS NULL")
            .bind(centre)
            .bind(unit)
            .execute(&mut *self.0)
            .await?;
        if let Some(due) = due {
            sqlx::query(
                "INSERT INTO regflow_register_timers (centre, unit, due_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(centre)
            .bind(unit)
            .bind(due)
            .execute(&mut *self.0)
            .await?;
        }
        Ok(())
    }

    /// Claims up to `limit` unfired register timers due strictly before `before`, marking
    /// them fired at `fired_at` (others' claims skipped on PostgreSQL); earliest first.
    pub(crate) async fn claim_register_timers(self, before: i64, limit: i64, fired_at: i64) -> Result<Vec<RegisterTimerRow>> {
        let sql = format!(
            "UPDATE regflow_register_timers SET fired_at = $1 WHERE (centre, unit, due_at) IN (\
             SELECT centre, unit, due_at FROM regflow_register_timers \
             WHERE fired_at IS NULL AND due_at < $2 ORDER BY due_at LIMIT $3{}) RETURNING centre, unit, due_at",
            C::SKIP_LOCKED
        );
        let mut rows: Vec<RegisterTimerRow> =
            sqlx::query_as(&sql).bind(fired_at).bind(before).bind(limit).fetch_all(self.0).await?;
        rows.sort_by(|a, b| (a.due_at, &a.centre, &a.unit).cmp(&(b.due_at, &b.centre, &b.unit)));
        Ok(rows)
    }

    /// The units with an unfired register timer (a calendar load re-arms them).
    pub(crate) async fn armed_register_units(self) -> Result<Vec<RegisterTimerRow>> {
        Ok(sqlx::query_as("SELECT centre, unit, due_at FROM regflow_register_timers WHERE fired_at IS NULL")
            .fetch_all(self.0)
            .await?)
    }
}
