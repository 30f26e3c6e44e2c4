//! Opening a database and applying regflow's schema.
//!
//! Migrations live in the executor crate's `migrations/sqlite` and `migrations/postgres`,
//! are embedded with `sqlx::migrate!`, and are recorded in regflow's own
//! `regflow_migrations` table, so they never collide with the embedding application's
//! sqlx migrations (see `store/migrate.rs`).

use super::{Pooled, Tx};
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
        Database::connect_sized(url, None, migrations).await
    }

    /// As [`Database::connect`], with at most `pool_size` connections (`None`: the
    /// backend's default).
    ///
    /// # Errors
    /// As [`Database::connect`].
    pub async fn connect_sized(url: &str, pool_size: Option<u32>, migrations: MigrationMode) -> Result<Database> {
        let db = Database::open(url, pool_size).await?;
        if migrations == MigrationMode::Apply {
            db.migrate().await?;
        }
        Ok(db)
    }

    async fn open(url: &str, pool_size: Option<u32>) -> Result<Database> {
        #[cfg(feature = "sqlite")]
        if url.starts_with("sqlite:") {
            return Ok(Database::Sqlite(super::sqlite::connect(url, pool_size).await?));
        }
        #[cfg(feature = "postgres")]
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            return Ok(Database::Postgres(super::postgres::connect(url, pool_size).await?));
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(Error::UnsupportedUrl { url: format!("{scheme}:…") })
    }

    /// The database write transactions go to: on SQLite a connection of their own (see
    /// `store::sqlite::writer`), on PostgreSQL the same pool.
    pub(crate) async fn writer(&self) -> Result<Database> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => Database::Sqlite(super::sqlite::writer(pool).await?),
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => Database::Postgres(pool.clone()),
        })
    }

    /// Whether one command's writes go in one statement that is all or nothing by itself
    /// (PostgreSQL's data-modifying CTEs), so a command that opens a case or acts on one
    /// needs no transaction around its read and its write.
    pub(crate) fn writes_in_one_statement(&self) -> bool {
        #[allow(unreachable_patterns)]
        match self {
            #[cfg(feature = "postgres")]
            Database::Postgres(_) => true,
            _ => false,
        }
    }

    /// Whether the database answers: one trivial statement on a pooled connection.
    ///
    /// # Errors
    /// [`Error::Database`] when it does not.
    pub async fn ping(&self) -> Result<()> {
        self.acquire().await?.conn().ping().await
    }

    /// The pool's connections now: (open, idle, most allowed).
    pub fn pool_status(&self) -> (u32, u32, u32) {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => (pool.size(), pool.num_idle() as u32, pool.options().get_max_connections()),
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => (pool.size(), pool.num_idle() as u32, pool.options().get_max_connections()),
        }
    }

    /// Backs an SQLite database up to the new file `to`, online: commands go on meanwhile,
    /// and the copy holds every command committed before the backup began (SQLite's
    /// `VACUUM INTO`, compacted). Returns the copy's size in bytes.
    ///
    /// # Errors
    /// `invalid_argument` ([`Error::Refused`]) when `to` exists, its folder does not, or the
    /// database is PostgreSQL (whose backups are `pg_dump`'s or pgBackRest's; see the
    /// README); [`Error::Database`] when the copy fails, and then no file is left behind.
    pub async fn backup(&self, to: &std::path::Path) -> Result<u64> {
        use regflow_process::{ErrorCode, Refusal};
        let refuse = |why: String| Error::from(Refusal::new(ErrorCode::InvalidArgument, why));
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(_) if to.exists() => {
                Err(refuse(format!("backup: {} exists; name a new file", to.display())))
            }
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => {
                let dir = to.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
                if !dir.is_dir() {
                    return Err(refuse(format!("backup: the folder {} does not exist", dir.display())));
                }
                let name = to.to_str().ok_or_else(|| refuse("backup: the file name must be UTF-8".into()))?;
                if let Err(e) = super::sqlite::backup(pool, name).await {
                    let _ = std::fs::remove_file(to);
                    return Err(e);
                }
                Ok(std::fs::metadata(to).map(|m| m.len()).unwrap_or(0))
            }
            #[cfg(feature = "postgres")]
            Database::Postgres(_) => Err(refuse(format!(
                "backup to {}: a PostgreSQL database is backed up with pg_dump \
                 (`pg_dump --format=custom --file FILE URL`) or pgBackRest; see the README's backup section",
                to.display()
            ))),
        }
    }

    /// The names of regflow's tables present in the database, sorted.
    ///
    /// # Errors
    /// [`Error::Database`] when the catalogue cannot be read.
    pub async fn regflow_tables(&self) -> Result<Vec<String>> {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => super::sqlite::tables(pool).await,
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => super::postgres::tables(pool).await,
        }
    }

    /// Begins a transaction that will write (SQLite: `BEGIN IMMEDIATE`, so the write lock
    /// is taken up front and a lost race is a clean `conflict`, never a deadlock).
    pub(crate) async fn begin_write(&self) -> Result<Tx> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A read-only transaction whose statements all see one snapshot (SQLite: a deferred
    /// `BEGIN`, whose first read fixes the WAL snapshot; PostgreSQL: `REPEATABLE READ`), so a
    /// case row and its history read in two statements never straddle a commit.
    pub(crate) async fn begin_snapshot(&self) -> Result<Tx> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN DEFERRED").await?),
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => {
                Tx::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?)
            }
        })
    }

    /// A connection from the pool, for reads.
    pub(crate) async fn acquire(&self) -> Result<Pooled> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }
}
