//! The query log and query results (SPEC 15.2).

use super::dialect::{placeholders, prepared, rows_per_statement, RowsAffected};
use super::{statements, QueryLogFilter};
use crate::error::Result;
use crate::store::{QueryLogRow, QueryResultRow};

const LOG_COLUMNS: &str = "centre, seq, at, unit, querier_id, outcome, case_id, line, hash";
const RESULT_COLUMNS: &str = "id, centre, case_id, unit, number, hash, result_hash, key_id, issued_at, page, file";

statements! {
    /// `centre`'s query log head's `seq` and hash, locked until the transaction ends
    /// (PostgreSQL; SQLite's one writer holds the database); a centre with no lines yet
    /// gets a head at `seq` 0 and `genesis`.
    pub(crate) async fn query_log_head(self, centre: &str, genesis: &str) -> Result<(i64, String)> {
        let sql = format!("SELECT seq, hash FROM regflow_query_log_heads WHERE centre = $1{}", C::HEAD_LOCK);
        if let Some(head) = sqlx::query_as(&sql).bind(centre).fetch_optional(&mut *self.0).await? {
            return Ok(head);
        }
        sqlx::query("INSERT INTO regflow_query_log_heads (centre, seq, hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING")
            .bind(centre)
            .bind(genesis)
            .execute(&mut *self.0)
            .await?;
        Ok(sqlx::query_as(&sql).bind(centre).fetch_one(&mut *self.0).await?)
    }

    /// `centre`'s query log head's `seq`, unlocked (0 with no lines).
    pub(crate) async fn query_log_seq(self, centre: &str) -> Result<i64> {
        let head: Option<(i64,)> = sqlx::query_as("SELECT seq FROM regflow_query_log_heads WHERE centre = $1")
            .bind(centre)
            .fetch_optional(self.0)
            .await?;
        Ok(head.map_or(0, |(seq,)| seq))
    }

    /// The centres that have a query log, in order.
    pub(crate) async fn query_log_centres(self) -> Result<Vec<(String,)>> {
        Ok(sqlx::query_as("SELECT centre FROM regflow_query_log_heads ORDER BY centre").fetch_all(self.0).await?)
    }

    /// Appends lines after `centre`'s head at `from_seq` and moves the head to the last;
    /// `false` when the head was not at `from_seq`.
    pub(crate) async fn append_query_log(self, centre: &str, from_seq: i64, rows: &[QueryLogRow]) -> Result<bool> {
        let Some(last) = rows.last() else { return Ok(true) };
        for chunk in rows.chunks(rows_per_statement(9)) {
            let sql = format!("INSERT INTO regflow_query_log ({LOG_COLUMNS}) VALUES {}", placeholders::<C>(chunk.len(), 9));
            let mut q = sqlx::query(&sql).persistent(prepared(chunk.len()));
            for r in chunk {
                q = q
                    .bind(r.centre.as_str())
                    .bind(r.seq)
                    .bind(r.at)
                    .bind(r.unit.as_str())
                    .bind(r.querier_id.as_deref())
                    .bind(r.outcome.as_str())
                    .bind(r.case_id.as_deref())
                    .bind(r.line.as_str())
                    .bind(r.hash.as_str());
            }
            q.execute(&mut *self.0).await?;
        }
        let moved = sqlx::query("UPDATE regflow_query_log_heads SET seq = $1, hash = $2 WHERE centre = $3 AND seq = $4")
            .bind(last.seq)
            .bind(last.hash.as_str())
            .bind(centre)
            .bind(from_seq)
            .execute(&mut *self.0)
            .await?;
        Ok(moved.rows() == 1)
    }

    /// Lines of a centre's query log, in `seq` order (see [`QueryLogFilter`]).
    pub(crate) async fn query_log(self, f: &QueryLogFilter<'_>) -> Result<Vec<QueryLogRow>> {
        let sql = format!(
            "SELECT {LOG_COLUMNS} FROM regflow_query_log WHERE centre = $1 AND seq > $2 \
             AND (CAST($3 AS BIGINT) IS NULL OR at >= $3) AND (CAST($4 AS BIGINT) IS NULL OR at < $4) \
             AND (CAST($5 AS TEXT) IS NULL OR unit = $5) AND (CAST($6 AS TEXT) IS NULL OR querier_id = $6) \
             ORDER BY seq LIMIT $7"
        );
        Ok(sqlx::query_as(&sql)
            .bind(f.centre)
            .bind(f.after)
            .bind(f.from)
            .bind(f.to)
            .bind(f.unit)
            .bind(f.querier)
            .bind(f.limit)
            .fetch_all(self.0)
            .await?)
    }

    /// Stores a query's answer; false when the case already has one.
    pub(crate) async fn put_query_result(self, row: &QueryResultRow) -> Result<bool> {
        let sql = format!(
            "INSERT INTO regflow_query_results ({RESULT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT DO NOTHING"
        );
        let done = sqlx::query(&sql)
            .bind(row.id.as_str())
            .bind(row.centre.as_str())
            .bind(row.case_id.as_str())
            .bind(row.unit.as_str())
            .bind(row.number.as_str())
            .bind(row.hash.as_str())
            .bind(row.result_hash.as_str())
            .bind(row.key_id.as_str())
            .bind(row.issued_at)
            .bind(row.page.as_str())
            .bind(row.file.as_str())
            .execute(self.0)
            .await?;
        Ok(done.rows() == 1)
    }

    /// The query result `id`, of any centre.
    pub(crate) async fn query_result(self, id: &str) -> Result<Option<QueryResultRow>> {
        let sql = format!("SELECT {RESULT_COLUMNS} FROM regflow_query_results WHERE id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.0).await?)
    }
}
