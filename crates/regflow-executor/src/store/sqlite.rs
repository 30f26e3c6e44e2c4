//! What SQLite does differently: one writer at a time, so no locks beyond `BEGIN
//! IMMEDIATE`; and how its pool is opened.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;

use super::sql::{Dialect, RowsAffected};
use crate::error::Result;

impl Dialect for sqlx::SqliteConnection {
    const CLAIM_LOCK: &'static str = "";
    const UNIT_LOCK: Option<&'static str> = None;
    const CALENDAR_LOCK: Option<&'static str> = None;
    const ALERT_LOCK: Option<&'static str> = None;
    const MIGRATION_LOCK: Option<&'static str> = None;
    const SQLX_MIGRATIONS_EXISTS: &'static str =
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'";
    fn param(_n: usize) -> String {
        "?".to_owned()
    }
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

/// Opens `sqlite://file` in WAL with `synchronous=NORMAL` (durable across application
/// crashes, one fsync per checkpoint), or `sqlite::memory:` on one connection (an
/// in-memory database lives as long as its connection).
pub(crate) async fn connect(url: &str, pool_size: Option<u32>) -> Result<sqlx::SqlitePool> {
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(10))
        // 16 MiB of page cache per connection (SQLite's default is 2 MiB).
        .pragma("cache_size", "-16384");
    let options = if memory {
        options
    } else {
        options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
    };
    Ok(SqlitePoolOptions::new()
        .max_connections(if memory { 1 } else { pool_size.unwrap_or(8) })
        .min_connections(if memory { 1 } else { 0 })
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await?)
}

/// regflow's SQLite migrations, embedded.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The names of regflow's tables present, sorted.
pub(crate) async fn tables(pool: &sqlx::SqlitePool) -> Result<Vec<String>> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'regflow\\_%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    Ok(names.into_iter().map(|(n,)| n).collect())
}
