//! The executor's error type.

use regflow_process::ErrorCode;

/// What can go wrong in the executor.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL names no backend this build supports.
    #[error(
        "unsupported database URL `{url}`: expected sqlite://…, sqlite::memory: or postgres://…"
    )]
    UnsupportedUrl {
        /// The URL given (credentials are not echoed: only the scheme is kept).
        url: String,
    },
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the schema failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Error {
    /// The SPEC 8 code, when the error is one a caller can act on.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::UnsupportedUrl { .. } => Some(ErrorCode::InvalidArgument),
            _ => None,
        }
    }
}

/// The executor's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
