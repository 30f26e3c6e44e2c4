//! What SQLite does differently: one writer at a time, so no locks beyond `BEGIN
//! IMMEDIATE`; and how its pool is opened.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;

use super::sql::{Dialect, RowsAffected};
use crate::error::Result;

impl Dialect for sqlx::SqliteConnection {
    const CLAIM_LOCK: &'static str = "";
    const HEAD_LOCK: &'static str = "";
    const SKIP_LOCKED: &'static str = "";
    const CALENDAR_LOCK: Option<&'static str> = None;
    const ALERT_LOCK: Option<&'static str> = None;
    const DATA_MODIFYING_CTE: bool = false;
    const NOTIFY_TIMERS: Option<&'static str> = None;
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

/// regflow's own parameter of an SQLite URL, `synchronous=full|normal`, taken out of the
/// URL before sqlx reads it. `full` (the default) syncs the WAL at every commit, so an
/// acknowledged command survives a power cut; `normal` syncs only at checkpoints, so it
/// survives a crash of the application but may lose the last commits to a power cut.
fn durability(url: &str) -> Result<(String, SqliteSynchronous)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), SqliteSynchronous::Full));
    };
    let mut level = SqliteSynchronous::Full;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("synchronous", "full")) => level = SqliteSynchronous::Full,
            Some(("synchronous", "normal")) => level = SqliteSynchronous::Normal,
            Some(("synchronous", other)) => {
                return Err(regflow_process::Refusal::argument(
                    "synchronous",
                    format!("`synchronous={other}` in the database URL: use full (the default) or normal"),
                )
                .into())
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
    Ok((url, level))
}

/// Opens `sqlite://file` in WAL with `synchronous=FULL` unless the URL says
/// `synchronous=normal` (see [`durability`]), or `sqlite::memory:` on one connection (an
/// in-memory database lives as long as its connection).
pub(crate) async fn connect(url: &str, pool_size: Option<u32>) -> Result<sqlx::SqlitePool> {
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    let (url, synchronous) = durability(url)?;
    let options = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(10))
        // 16 MiB of page cache per connection (SQLite's default is 2 MiB).
        .pragma("cache_size", "-16384");
    let options = if memory { options } else { options.journal_mode(SqliteJournalMode::Wal).synchronous(synchronous) };
    Ok(SqlitePoolOptions::new()
        .max_connections(if memory { 1 } else { pool_size.unwrap_or(8) })
        .min_connections(if memory { 1 } else { 0 })
        .idle_timeout(None)
        .max_lifetime(None)
        // An SQLite connection lives in this process: there is no link to go stale, and a
        // test before each use would cost a round trip to its thread.
        .test_before_acquire(false)
        .connect_with(options)
        .await?)
}

/// The connection write transactions run on, as a pool of one opened like `pool`'s; or
/// `pool` itself when it holds one connection (an in-memory database).
///
/// SQLite lets one connection write at a time. Writes that queue for one connection of
/// their own keep its page cache, which a commit by any other connection empties: on the
/// shared pool each write would start on a connection another one wrote behind, and read
/// every page it touches again.
pub(crate) async fn writer(pool: &sqlx::SqlitePool) -> Result<sqlx::SqlitePool> {
    if pool.options().get_max_connections() <= 1 {
        return Ok(pool.clone());
    }
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .test_before_acquire(false)
        .connect_with((*pool.connect_options()).clone())
        .await?)
}

/// Writes a consistent copy of the database to `to` (`VACUUM INTO`): one read transaction,
/// so commands go on meanwhile and the copy holds exactly what was committed when it began.
pub(crate) async fn backup(pool: &sqlx::SqlitePool, to: &str) -> Result<()> {
    sqlx::query("VACUUM INTO $1").bind(to).execute(pool).await?;
    Ok(())
}

/// regflow's SQLite migrations, embedded.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The names of regflow's tables present, sorted.
pub(crate) async fn tables(pool: &sqlx::SqlitePool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'regflow\\_%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_durability_parameter_is_ours() {
        let (url, level) = durability("sqlite://a.db").unwrap();
        assert_eq!((url.as_str(), level as u8), ("sqlite://a.db", SqliteSynchronous::Full as u8));
        let (url, level) = durability("sqlite://a.db?synchronous=normal&mode=rwc").unwrap();
        assert_eq!((url.as_str(), level as u8), ("sqlite://a.db?mode=rwc", SqliteSynchronous::Normal as u8));
        assert!(durability("sqlite://a.db?synchronous=off").is_err());
    }
}
