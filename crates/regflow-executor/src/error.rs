//! The executor's error type.

use regflow_process::{ErrorCode, Refusal};

/// What can go wrong in the executor.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The command was refused by a rule, lost a race (`conflict`), or named something
    /// that does not exist; nothing was written.
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    /// The database URL names no backend this build supports.
    #[error(
        "unsupported database URL `{url}`: expected sqlite://…, sqlite::memory: or postgres://…"
    )]
    UnsupportedUrl {
        /// The URL's scheme (credentials are never echoed).
        url: String,
    },
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the schema failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored data could not be read back (a body that is not a case or event).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A task of the engine's failed (it panicked or was cancelled by runtime shutdown).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The SPEC 8 code, when the error is one a caller can act on.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Refused(r) => Some(r.code),
            Error::UnsupportedUrl { .. } => Some(ErrorCode::InvalidArgument),
            _ => None,
        }
    }

    /// The refusal, when the error is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Refused(r) => Some(r),
            _ => None,
        }
    }

    pub(crate) fn conflict(case_id: &str) -> Error {
        Error::Refused(Refusal::new(
            ErrorCode::Conflict,
            format!("case `{case_id}` was changed by another writer; load it again and retry"),
        ))
    }
}

/// The executor's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
