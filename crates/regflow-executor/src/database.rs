//! Opening a database and applying regflow's schema.
//!
//! Migrations live in `migrations/sqlite` and `migrations/postgres` and are embedded with
//! `sqlx::migrate!`. Their versions are dated (`20261126000001_…`) and missing versions are
//! ignored, so regflow's migrations can share sqlx's `_sqlx_migrations` table with the
//! embedding application's own.

use crate::error::{Error, Result};

/// Whether [`Database::connect`] applies regflow's migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MigrationMode {
    /// Apply pending migrations on connect (the default).
    #[default]
    Apply,
    /// Leave the schema alone: the embedding application migrates it itself.
    Skip,
}

/// A connection pool to one of the supported backends.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Database {
    /// Embedded SQLite: `sqlite://path/to/file.db` or `sqlite::memory:`.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL: `postgres://user@host/db`.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

impl Database {
    /// Opens `url` and, unless told to skip, applies regflow's migrations.
    ///
    /// # Errors
    /// [`Error::UnsupportedUrl`] for another scheme; [`Error::Database`] when the database
    /// cannot be reached; [`Error::Migrate`] when the schema cannot be applied.
    pub async fn connect(url: &str, migrations: MigrationMode) -> Result<Database> {
        #[cfg(feature = "sqlite")]
        if url.starts_with("sqlite:") {
            use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
            use std::str::FromStr;
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
                // WAL with NORMAL sync: durable across application crashes, one fsync per
                // checkpoint rather than per commit.
                options
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
            };
            // An in-memory database lives as long as its one connection.
            let pool = SqlitePoolOptions::new()
                .max_connections(if memory { 1 } else { 8 })
                .min_connections(if memory { 1 } else { 0 })
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await?;
            let db = Database::Sqlite(pool);
            if migrations == MigrationMode::Apply {
                db.migrate().await?;
            }
            return Ok(db);
        }
        #[cfg(feature = "postgres")]
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(16)
                .connect(url)
                .await?;
            let db = Database::Postgres(pool);
            if migrations == MigrationMode::Apply {
                db.migrate().await?;
            }
            return Ok(db);
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(Error::UnsupportedUrl {
            url: format!("{scheme}:…"),
        })
    }

    /// Applies regflow's pending migrations.
    ///
    /// # Errors
    /// [`Error::Migrate`] when a migration fails or was changed after being applied.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => {
                let mut m = sqlx::migrate!("../../migrations/sqlite");
                m.set_ignore_missing(true);
                m.run(pool).await?;
            }
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => {
                let mut m = sqlx::migrate!("../../migrations/postgres");
                m.set_ignore_missing(true);
                m.run(pool).await?;
            }
        }
        Ok(())
    }

    /// The names of regflow's tables present in the database, sorted.
    ///
    /// # Errors
    /// [`Error::Database`] when the catalogue cannot be read.
    pub async fn regflow_tables(&self) -> Result<Vec<String>> {
        let names: Vec<(String,)> = match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => {
                sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'regflow\\_%' ESCAPE '\\' ORDER BY name")
                    .fetch_all(pool)
                    .await?
            }
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => {
                sqlx::query_as("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'regflow\\_%' ORDER BY tablename")
                    .fetch_all(pool)
                    .await?
            }
        };
        Ok(names.into_iter().map(|(n,)| n).collect())
    }
}
