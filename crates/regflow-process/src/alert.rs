//! Deadline alerts (SPEC 5.3): a warning the working day before, a breach once overdue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::deadline::ClockKind;

/// How serious an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    /// Closing time of the working day before the due day.
    Warning,
    /// The due time has passed.
    Breach,
}

impl AlertLevel {
    /// Both levels.
    pub const ALL: [AlertLevel; 2] = [AlertLevel::Warning, AlertLevel::Breach];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            AlertLevel::Warning => "warning",
            AlertLevel::Breach => "breach",
        }
    }
}

/// An alert a case has armed: fires once, when `at` has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlannedAlert {
    /// Promise or statutory.
    pub clock: ClockKind,
    /// Warning or breach.
    pub level: AlertLevel,
    /// The instant it is due (the warning time, or the deadline itself).
    pub at: DateTime<Utc>,
}

/// An alert that was raised and written into the case's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaisedAlert {
    /// What was raised (its `at` is the due instant, not when the engine got to it).
    pub alert: PlannedAlert,
    /// When the engine raised it.
    pub raised_at: DateTime<Utc>,
}

crate::ids::stable_id_enum!(AlertLevel, "alert level");
