//! Statements of the calendar loads (`regflow_calendars`, newest = head).

use super::statements;
use crate::error::Result;
use crate::store::CalendarRow;

statements! {
    /// Serialises calendar loads until the transaction ends.
    pub(crate) async fn lock_calendars(self) -> Result<()> {
        if let Some(lock) = C::CALENDAR_LOCK {
            sqlx::query(lock).execute(self.0).await?;
        }
        Ok(())
    }

    /// Records a calendar load (its `seq` is ignored); returns the sequence number given.
    pub(crate) async fn save_calendar(self, r: &CalendarRow) -> Result<i64> {
        let (seq,): (i64,) = sqlx::query_as(
            "INSERT INTO regflow_calendars (version, csv, loaded_at, mode, loaded_by, years, changed_years, \
             loaded_csv) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
        )
        .bind(r.version.as_str())
        .bind(r.csv.as_str())
        .bind(r.loaded_at)
        .bind(r.mode.as_str())
        .bind(r.loaded_by.as_str())
        .bind(r.years.as_str())
        .bind(r.changed_years.as_str())
        .bind(r.loaded_csv.as_str())
        .fetch_one(self.0)
        .await?;
        Ok(seq)
    }

    /// The newest calendar load's sequence number, if any calendar was loaded.
    pub(crate) async fn calendar_head(self) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT seq FROM regflow_calendars ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.0)
            .await?;
        Ok(row.map(|(seq,)| seq))
    }

    /// The calendar load `seq`.
    pub(crate) async fn calendar_load(self, seq: i64) -> Result<Option<CalendarRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_calendars WHERE seq = $1").bind(seq).fetch_optional(self.0).await?)
    }

    /// Marks calendar load `seq` finished: the cases it changes are re-projected.
    pub(crate) async fn finish_calendar_load(self, seq: i64, at: i64) -> Result<()> {
        sqlx::query("UPDATE regflow_calendars SET reprojected_at = $1 WHERE seq = $2 AND reprojected_at IS NULL")
            .bind(at)
            .bind(seq)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// Calendar loads whose re-projection has not finished, oldest first.
    pub(crate) async fn unfinished_calendar_loads(self) -> Result<Vec<CalendarRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_calendars WHERE reprojected_at IS NULL ORDER BY seq")
            .fetch_all(self.0)
            .await?)
    }

    /// Every calendar load, oldest first.
    pub(crate) async fn calendar_loads(self) -> Result<Vec<CalendarRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_calendars ORDER BY seq").fetch_all(self.0).await?)
    }
}
