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
    /// A command of an all-or-nothing batch failed; nothing of the batch was written.
    #[error("request {index} of the batch: {source}")]
    InBatch {
        /// The failed request's place in the batch (0-based).
        index: usize,
        /// Why it failed.
        source: Box<Error>,
    },
    /// An import file has bad lines; nothing of it was written.
    #[error("{count} line(s) of the import cannot be imported, nothing was written: {}", .lines.iter().map(|b| format!("line {}: {}", b.line, b.message)).collect::<Vec<_>>().join("; "))]
    BadImport {
        /// The first bad lines (up to 20).
        lines: Vec<BadLine>,
        /// How many lines are bad in all.
        count: u64,
    },
    /// A register import file has bad lines (`invalid_register`); nothing of it was written.
    #[error("{count} line(s) of the register import are wrong, nothing was written: {}", .lines.iter().map(|b| format!("line {}: {}", b.line, b.message)).collect::<Vec<_>>().join("; "))]
    BadRegister {
        /// The first bad lines (up to 20).
        lines: Vec<BadLine>,
        /// How many lines are bad in all.
        count: u64,
    },
    /// The database URL names no backend this build supports.
    #[error("unsupported database URL `{url}`: expected sqlite://…, sqlite::memory: or postgres://…")]
    UnsupportedUrl {
        /// The URL's scheme (credentials are never echoed).
        url: String,
    },
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// Applying the schema failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored data could not be read back (a body that is not a case or an event, a
    /// calendar that no longer parses): written behind the engine's back, or by a newer
    /// version of regflow.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A value could not be written as JSON (a defect in regflow, never the caller's input).
    #[error("could not encode {what} as JSON: {source}")]
    Encode {
        /// What was being written.
        what: &'static str,
        /// The encoder's error.
        source: serde_json::Error,
    },
    /// A signing key cannot be used (SPEC 15.1); the message names the file and how to
    /// fix it.
    #[error("signing: {0}")]
    Key(String),
    /// A centre's configuration cannot be used as it is (a certificate number pattern that
    /// cannot number); the message names the setting and how to fix it.
    #[error("configuration: {0}")]
    Config(String),
    /// A task of the engine's (a transaction, a watcher) panicked or was cancelled because
    /// the runtime is shutting down; a transaction it held was rolled back.
    #[error("an engine task did not finish: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<sqlx::Error> for Error {
    /// A deadlock or serialisation failure (PostgreSQL) or a lock wait that timed out
    /// (SQLite) means another writer got there first: that is a `conflict`, which the
    /// caller may retry; anything else is a database error.
    fn from(e: sqlx::Error) -> Error {
        let lost_race = e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|code| matches!(code.as_ref(), "40P01" | "40001" | "5" | "6" | "517" | "261" | "262"));
        if lost_race {
            Error::Refused(Refusal::new(
                ErrorCode::Conflict,
                format!("another writer got there first ({e}); load the case again and retry"),
            ))
        } else {
            Error::Database(e)
        }
    }
}

impl Error {
    pub(crate) fn encode(what: &'static str) -> impl FnOnce(serde_json::Error) -> Error {
        move |source| Error::Encode { what, source }
    }

    /// The SPEC 8 code, when the error is one a caller can act on.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Refused(r) => Some(r.code),
            Error::InBatch { source, .. } => source.code(),
            Error::UnsupportedUrl { .. } | Error::BadImport { .. } => Some(ErrorCode::InvalidArgument),
            Error::BadRegister { .. } => Some(ErrorCode::InvalidRegister),
            _ => None,
        }
    }

    /// The refusal, when the error is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Refused(r) => Some(r),
            Error::InBatch { source, .. } => source.refusal(),
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

/// A line of an import file that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based.
    pub line: u64,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The executor's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
