//! Integration tests of regflow-process through its public API.

mod calendar;
mod catalogue;
mod deadline;
mod parties;
mod policy;
mod properties;
mod queries;
mod register;
mod rules;
mod sequences;
mod shell_rules;
mod table;
mod world;

use chrono::{DateTime, NaiveDate, Utc};

/// A date from `YYYY-MM-DD`.
#[track_caller]
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An instant from RFC 3339.
#[track_caller]
pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
