//! regflow's own migrator: the embedded scripts of `migrations/<backend>`, applied in one
//! transaction and recorded in `regflow_migrations` — never in sqlx's `_sqlx_migrations`,
//! which belongs to the embedding application. A database migrated by an earlier regflow
//! (which recorded its versions there) is adopted: those versions are recorded in
//! `regflow_migrations` and removed from `_sqlx_migrations`, so the host's own sqlx
//! migrator no longer finds versions it does not know.

use sqlx::migrate::{MigrateError, Migrator};

use super::Conn;
use super::Database;
use crate::clock::micros;
use crate::error::{Error, Result};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn apply(conn: &mut Conn<'_>, migrator: &Migrator) -> Result<usize> {
    conn.migrations_prepare().await?;
    let mut applied = conn.migrations_applied().await?;
    let ours: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    let adopted: Vec<i64> = conn
        .sqlx_migrations()
        .await?
        .into_iter()
        .filter(|v| ours.contains(v) && !applied.iter().any(|(a, _)| a == v))
        .collect();
    let now = micros(chrono::Utc::now());
    for m in migrator.iter().filter(|m| adopted.contains(&m.version)) {
        let checksum = hex(&m.checksum);
        conn.migration_record(m.version, &m.description, &checksum, now).await?;
        conn.sqlx_migration_forget(m.version).await?;
        applied.push((m.version, checksum));
    }
    let mut ran = 0;
    for m in migrator.iter() {
        match applied.iter().find(|(v, _)| *v == m.version) {
            Some((_, checksum)) if *checksum == hex(&m.checksum) => {}
            Some(_) => return Err(Error::Migrate(MigrateError::VersionMismatch(m.version))),
            None => {
                conn.migration_run(&m.sql).await?;
                conn.migration_record(m.version, &m.description, &hex(&m.checksum), now).await?;
                ran += 1;
            }
        }
    }
    Ok(ran)
}

impl Database {
    /// Applies regflow's pending migrations, all in one transaction: either every pending
    /// one is applied and recorded in `regflow_migrations`, or none is.
    ///
    /// # Errors
    /// [`Error::Migrate`] when an applied migration was changed afterwards;
    /// [`Error::Database`] when a script fails (nothing is applied then).
    pub async fn migrate(&self) -> Result<()> {
        let migrator: &Migrator = match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(_) => &super::sqlite::MIGRATOR,
            #[cfg(feature = "postgres")]
            Database::Postgres(_) => &super::postgres::MIGRATOR,
        };
        let mut tx = self.begin_write().await?;
        let result = apply(&mut tx.conn(), migrator).await;
        match result {
            Ok(ran) => {
                tx.commit().await?;
                if ran > 0 {
                    tracing::info!(migrations = ran, "regflow schema migrated");
                }
                Ok(())
            }
            Err(e) => {
                tx.rollback().await;
                Err(e)
            }
        }
    }
}
