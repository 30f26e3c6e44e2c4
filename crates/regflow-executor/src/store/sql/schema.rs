//! Statements of regflow's own migrator (`regflow_migrations`).

use super::statements;
use crate::error::Result;

statements! {
    /// Locks out other migrators and creates regflow's migration table if needed.
    pub(crate) async fn migrations_prepare(self) -> Result<()> {
        if let Some(lock) = C::MIGRATION_LOCK {
            sqlx::query(lock).execute(&mut *self.0).await?;
        }
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS regflow_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// The versions applied, with their checksums (hex).
    pub(crate) async fn migrations_applied(self) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as("SELECT version, checksum FROM regflow_migrations ORDER BY version")
            .fetch_all(self.0)
            .await?)
    }

    /// The versions sqlx's own table records as applied, if that table exists.
    pub(crate) async fn sqlx_migrations(self) -> Result<Vec<i64>> {
        let (exists,): (i64,) = sqlx::query_as(C::SQLX_MIGRATIONS_EXISTS).fetch_one(&mut *self.0).await?;
        if exists == 0 {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(self.0)
            .await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }

    /// Removes regflow's version `version` from sqlx's own table (once adopted).
    pub(crate) async fn sqlx_migration_forget(self, version: i64) -> Result<()> {
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1").bind(version).execute(self.0).await?;
        Ok(())
    }

    /// Runs a migration's script (several statements).
    pub(crate) async fn migration_run(self, script: &str) -> Result<()> {
        sqlx::raw_sql(script).execute(self.0).await?;
        Ok(())
    }

    /// Records migration `version` as applied.
    pub(crate) async fn migration_record(self, version: i64, description: &str, checksum: &str, at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO regflow_migrations (version, description, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(version)
        .bind(description)
        .bind(checksum)
        .bind(at)
        .execute(self.0)
        .await?;
        Ok(())
    }
}
