//! # regflow
//!
//! A workflow engine for real-estate registration (不动产登记): it walks every case through
//! "1 set of materials, 1 window, 3 steps, 3 working days", counts time limits in Chinese
//! working days (with adjusted weekend working days and stop-the-clock suspension), and
//! keeps cases durably in SQLite or PostgreSQL.
//!
//! This crate re-exports the two layers:
//! - [`process`]: the pure core — calendar, policies, deadlines. No I/O, no clock.
//! - [`executor`]: the database shell (SQLite by default, PostgreSQL for production).
//!
//! ```
//! use regflow::process::{Calendar, OfficeHours, PolicyTimeline, ApplicantCategory, KindId};
//! use chrono::{DateTime, Utc};
//!
//! let accepted: DateTime<Utc> = "2026-02-13T02:00:00Z".parse().unwrap(); // 10:00 in Xining
//! let policy = PolicyTimeline::builtin().in_force(accepted.date_naive()).unwrap().clone();
//! let kind = KindId::parse("transfer_second_hand").unwrap();
//! let clocks = policy.clocks(&kind, ApplicantCategory::Individual, accepted);
//! let due = clocks.project(&Calendar::builtin(), &OfficeHours::default()).unwrap();
//! assert_eq!(
//!     OfficeHours::default().format(due.promise.due_at),
//!     "2026-02-25T18:00:00+08:00"
//! );
//! ```

pub use regflow_executor as executor;
pub use regflow_process as process;

pub mod scenario;
