//! What PostgreSQL does differently: concurrent writers, so the due-timer claim skips rows
//! other workers hold, recording on a unit takes an advisory lock and calendar loads a
//! table lock; and how its pool is opened.

use super::sql::{Dialect, RowsAffected};
use crate::error::Result;

impl Dialect for sqlx::PgConnection {
    const CLAIM_LOCK: &'static str = " FOR UPDATE OF t, c SKIP LOCKED";
    const UNIT_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(hashtextextended($1, 7113))");
    // Self-conflicting, so loads queue; plain reads pass.
    const CALENDAR_LOCK: Option<&'static str> = Some("LOCK TABLE regflow_calendars IN SHARE ROW EXCLUSIVE MODE");
    // Alert writers queue until commit, so alert ids become visible in increasing order
    // and a consumer's cursor never passes an alert committed later.
    const ALERT_LOCK: Option<&'static str> = Some("LOCK TABLE regflow_alerts IN SHARE ROW EXCLUSIVE MODE");
    const MIGRATION_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(7113, 1)");
    const SQLX_MIGRATIONS_EXISTS: &'static str =
        "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_sqlx_migrations'";
    fn param(n: usize) -> String {
        format!("${n}")
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

/// Opens a pool of up to `pool_size` connections (default 16).
pub(crate) async fn connect(url: &str, pool_size: Option<u32>) -> Result<sqlx::PgPool> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(pool_size.unwrap_or(16))
        .connect(url)
        .await?)
}

/// regflow's PostgreSQL migrations, embedded.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The names of regflow's tables present, sorted.
pub(crate) async fn tables(pool: &sqlx::PgPool) -> Result<Vec<String>> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'regflow\\_%' ORDER BY tablename",
    )
    .fetch_all(pool)
    .await?;
    Ok(names.into_iter().map(|(n,)| n).collect())
}
