//! Refusals: why a command changed nothing, with the data needed to fix the input.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::actor::Role;
use crate::catalogue::Task;
use crate::command::CommandName;
use crate::error::ErrorCode;

/// What a clerk needs to fix a refused command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Detail {
    /// The argument or identifier field at fault.
    Field {
        /// Its name, e.g. `applicants[1].id`.
        name: String,
    },
    /// The roles that may issue the command.
    Roles {
        /// Any one of these.
        required: Vec<Role>,
    },
    /// Commands the case's current state allows.
    Allowed {
        /// The commands.
        commands: Vec<CommandName>,
    },
    /// Materials concerned (unknown, or pledged and outstanding).
    Materials {
        /// Their ids.
        materials: Vec<String>,
    },
    /// Tasks that have not succeeded.
    Tasks {
        /// The tasks.
        tasks: Vec<Task>,
    },
    /// Applicants whose consent is missing.
    Consent {
        /// Their ID numbers.
        missing: Vec<String>,
    },
    /// The deadlines an extension ran into.
    Deadlines {
        /// The promise the extension would give (`None` when too large to compute).
        promise_due: Option<DateTime<Utc>>,
        /// The statutory deadline.
        statutory_due: DateTime<Utc>,
    },
    /// The officer who already did an earlier step.
    Officer {
        /// Their id.
        id: String,
    },
}

/// A refused command: nothing was created or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct Refusal {
    /// The stable SPEC 8 code.
    pub code: ErrorCode,
    /// A message a clerk understands.
    pub message: String,
    /// What is needed to fix the input.
    pub detail: Option<Detail>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl Refusal {
    /// A refusal with no detail.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal { code, message: message.into(), detail: None }
    }

    /// Adds the detail.
    pub fn with(mut self, detail: Detail) -> Refusal {
        self.detail = Some(detail);
        self
    }

    /// An `invalid_argument` refusal naming the field.
    pub fn argument(field: &str, message: impl Into<String>) -> Refusal {
        Refusal::new(ErrorCode::InvalidArgument, message).with(Detail::Field { name: field.to_owned() })
    }
}

/// Errors that carry a SPEC 8 code become refusals with their message.
macro_rules! refusal_from {
    ($($error:ty),*) => {$(
        impl From<$error> for Refusal {
            fn from(e: $error) -> Refusal {
                Refusal::new(e.code(), e.to_string())
            }
        }
    )*};
}

refusal_from!(crate::calendar::CalendarError, crate::policy::PolicyError, crate::deadline::DeadlineError);
