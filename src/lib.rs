//! # regflow
//!
//! A workflow engine for real-estate registration (不动产登记). It keeps every case durably
//! (embedded SQLite by default, PostgreSQL in production), walks it through Xining's
//! "高效1113" — 1 set of materials, 1 window, 3 steps, 3 working days — and counts every
//! time limit in **Chinese working days**: the State Council's holiday schedules with their
//! adjusted weekend working days (调休), stop-the-clock suspension (中止), extensions
//! (延期), 3 working days for individuals, 5 for organisations, on the spot for queries,
//! seizures and cancellations, and 30 by statute.
//!
//! This crate is the front door; the work is done by two layers it re-exports:
//! - [`process`] — the pure core: [`Calendar`], policies, deadlines, the kind catalogue,
//!   parties and identifiers, and [`decide`](process::decide()), which answers any command
//!   on any case with the events to append or a [`Refusal`] carrying a stable
//!   [`ErrorCode`]. No I/O, no clock.
//! - [`executor`] — the shell: an [`Engine`] runs every command as one transaction, chains
//!   history by SHA-256, fires alerts exactly once however many engines share a database,
//!   re-projects deadlines when a calendar is loaded, and answers queues and reports.
//!
//! The types an embedding application uses every day are re-exported here, with
//! [`chrono`] (every instant is a `DateTime<Utc>`) and [`macro@async_trait`] (to implement
//! [`AlertHandler`]).
//!
//! ## Quick start
//!
//! ```
//! use regflow::{ApplicantCategory, ApplicantInput, Actor, Centre, CentreId, Channel, Command};
//! use regflow::{Engine, IntakeInput, Request, Role, State};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let engine = Engine::builder("sqlite::memory:").centre(Centre::new("xining")).build().await?;
//! let clerk = Actor::new("clerk-1", [Role::Clerk], CentreId::new("xining"));
//! let accept = Command::Accept {
//!     intake: Some(IntakeInput::new(
//!         "change",
//!         ApplicantCategory::Individual,
//!         vec![ApplicantInput::new("张三", "630102198503120015")],
//!         "630102001001GB00001F00010001",
//!         Channel::Window,
//!     )),
//!     materials: ["application_form", "identity_proof", "title_certificate", "change_proof"]
//!         .map(String::from)
//!         .to_vec(),
//! };
//! let done = engine.execute(Request::new(clerk, accept)).await?;
//! assert_eq!(done.case.state(), State::Accepted);
//! // Three working days, due at closing time (18:00 in Xining) on the third.
//! let due = done.case.deadlines().unwrap().promise.due_at;
//! assert!(due > done.case.acceptance().unwrap().at);
//! # Ok::<(), regflow::Error>(())
//! # }).unwrap();
//! ```
//!
//! Deadlines on their own, without a database:
//!
//! ```
//! use regflow::{ApplicantCategory, Calendar, KindId, OfficeHours, PolicyTimeline};
//! use regflow::chrono::{DateTime, Utc};
//!
//! let hours = OfficeHours::default(); // Asia/Shanghai, closing 18:00
//! let accepted: DateTime<Utc> = "2026-02-13T02:00:00Z".parse().unwrap(); // Friday 10:00
//! let timeline = PolicyTimeline::builtin();
//! let policy = timeline.in_force(hours.local_date(accepted)).unwrap();
//! let kind = KindId::parse("transfer_second_hand").unwrap();
//! let due = policy
//!     .clocks(&kind, ApplicantCategory::Individual, accepted)
//!     .project(&Calendar::builtin(), &hours)
//!     .unwrap();
//! // 02-14 (Saturday) is a working day, then the nine-day Spring Festival.
//! assert_eq!(hours.format(due.promise.due_at), "2026-02-25T18:00:00+08:00");
//! ```
//!
//! ## Features
//! `sqlite` (default) and `postgres` (default) choose the backends; at least one is needed.

pub use async_trait::async_trait;
pub use chrono;
pub use regflow_executor as executor;
pub use regflow_process as process;

pub use regflow_executor::{
    AlertHandler, CalendarLoad, CaseView, Clock, Database, DuePass, Engine, EngineBuilder, Error, Executed, FiredAlert,
    HistoryEntry, IgnoreAlerts, LoadMode, ManualClock, MigrationMode, Overdue, RegisterTampering, RegisterVerification,
    Report, ReportFilter, Reprojection, Request, Result, SystemClock, Verification, WatchOptions, Watcher,
};
pub use regflow_process::register::{Entry, EntryType, UnitPage};
pub use regflow_process::{
    Actor, ActorId, ApplicantCategory, ApplicantInput, Calendar, CalendarVersion, Case, CaseId, Centre, CentreId,
    Channel, Command, Deadline, Deadlines, ErrorCode, IdType, IntakeInput, KindId, OfficeHours, PartyRole,
    PolicyTimeline, Priority, Refusal, Role, State, TaskOutcome,
};

/// The README's snippets, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
