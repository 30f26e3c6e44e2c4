//! # regflow-process
//!
//! The pure core of regflow, a workflow engine for real-estate registration (不动产登记):
//! the working-day [`calendar`], effective-dated deadline [`policy`] data, the [`deadline`]
//! arithmetic that turns them into due times, the kind [`catalogue`], parse-validated
//! [`identifier`]s, and the case state machine: [`decide()`] answers any command on any
//! [`case`] with a [`Decision`] (events, the case after them, the alerts to arm) or a
//! [`Refusal`] carrying its stable [`ErrorCode`]; a case is the fold of its [`event`]s; the
//! allowed moves are data in [`transition`].
//!
//! This crate does no I/O and never reads the clock: every instant is an argument.
//!
//! ```
//! use chrono::NaiveDate;
//! use regflow_process::calendar::Calendar;
//!
//! let cal = Calendar::builtin();
//! let accepted = NaiveDate::from_ymd_opt(2025, 1, 24).unwrap();
//! // 2025-01-26 (Sunday) is an adjusted working day.
//! assert_eq!(
//!     cal.add_working_days(accepted, 3).unwrap(),
//!     NaiveDate::from_ymd_opt(2025, 2, 5).unwrap()
//! );
//! ```

pub mod actor;
pub mod alert;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod category;
pub mod channel;
pub mod command;
pub mod deadline;
pub mod decide;
pub mod error;
pub mod event;
pub mod facts;
pub mod identifier;
mod ids;
pub mod import;
pub mod kind;
pub mod party;
pub mod policy;
pub mod queue;
pub mod refusal;
pub mod register;
pub mod tally;
pub mod timer;
pub mod transition;
pub mod wire;

pub use actor::{Actor, ActorId, CentreId, Role};
pub use alert::{AlertLevel, PlannedAlert, RaisedAlert};
pub use calendar::{Calendar, CalendarError, CalendarVersion, OfficeHours, Projected};
pub use case::{Case, CaseId, Stage, State};
pub use catalogue::{Catalogue, KindSpec, MaterialId, Task};
pub use category::ApplicantCategory;
pub use channel::{Channel, Priority};
pub use command::{ApplicantInput, Command, CommandName, IntakeInput, TaskOutcome};
pub use deadline::{CaseClocks, ClockKind, Deadline, Deadlines, Suspension};
pub use decide::{authorise_calendar_load, decide, refused_query_line, Centre, Context, Decision};
pub use error::ErrorCode;
pub use event::{Change, Event};
pub use facts::{unit_to_check, UnitCheck};
pub use identifier::{Document, DocumentType};
pub use kind::KindId;
pub use party::{Applicant, IdType, PartyId, PartyRole};
pub use policy::{Policy, PolicyError, PolicyId, PolicyTimeline, Promise};
pub use queue::{queue_order, WorkQueue};
pub use refusal::{Detail, Refusal};
pub use timer::{Timer, TimerKind};
