//! Statements of the bearer tokens (hashes only).

use super::dialect::RowsAffected;
use super::statements;
use crate::error::Result;
use crate::store::TokenRow;

statements! {
    /// Stores a new token.
    pub(crate) async fn token_insert(self, row: &TokenRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO regflow_tokens (id, hash, centre, actor, roles, name, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(row.id.as_str())
        .bind(row.hash.as_str())
        .bind(row.centre.as_str())
        .bind(row.actor.as_str())
        .bind(row.roles.as_str())
        .bind(row.name.as_deref())
        .bind(row.created_at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// The token with public id `id`.
    pub(crate) async fn token_get(self, id: &str) -> Result<Option<TokenRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_tokens WHERE id = $1").bind(id).fetch_optional(self.0).await?)
    }

    /// Every token, oldest first.
    pub(crate) async fn token_list(self) -> Result<Vec<TokenRow>> {
        Ok(sqlx::query_as("SELECT * FROM regflow_tokens ORDER BY created_at, id").fetch_all(self.0).await?)
    }

    /// Revokes token `id` at `at`; `false` when there is no such token or it was revoked
    /// already.
    pub(crate) async fn token_revoke(self, id: &str, at: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE regflow_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(self.0)
            .await?;
        Ok(done.rows() == 1)
    }
}
