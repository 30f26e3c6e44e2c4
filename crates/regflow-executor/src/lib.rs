//! # regflow-executor
//!
//! The I/O shell around [`regflow_process`]: an [`Engine`] keeps cases in SQLite (the
//! embedded default) or PostgreSQL, runs every command as one transaction guarded by the
//! case's version, chains history entries by SHA-256, fires deadline alerts exactly once
//! however many engines share a database, re-projects deadlines when a calendar is loaded,
//! and answers the queries and reports a centre needs.
//!
//! ```no_run
//! # async fn demo() -> regflow_executor::Result<()> {
//! use regflow_executor::{Engine, Request};
//! use regflow_process::{Actor, Centre, CentreId, Command, Role};
//!
//! let engine = Engine::builder("sqlite::memory:").centre(Centre::new("xining")).build().await?;
//! let clerk = Actor::new("clerk-1", [Role::Clerk], CentreId::new("xining"));
//! # let command: Command = unimplemented!();
//! let done = engine.execute(Request::new(clerk, command)).await?;
//! println!("{} is {}", done.case.id(), done.case.state());
//! # Ok(()) }
//! ```

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("regflow-executor needs a backend: enable the `sqlite` feature, the `postgres` feature, or both");

pub mod alerts;
pub mod batch;
pub mod calendar;
mod certificate_work;
pub mod certificates;
mod chain;
pub mod clock;
pub mod daily;
pub mod delivery;
pub mod engine;
pub mod error;
pub mod import;
mod mapping;
pub mod onward;
pub mod queries;
pub mod query_log;
pub mod query_results;
pub mod register;
pub mod register_import;
pub mod register_verify;
pub mod report;
pub mod reproject;
pub mod scoped;
pub mod signing;
mod store;
#[cfg(feature = "postgres")]
pub mod testing;
pub mod tokens;
mod unit_work;
pub mod wake;

pub use alerts::{DuePass, WatchOptions, Watcher};
pub use calendar::{CalendarLoad, LoadMode};
pub use chain::GENESIS;
pub use clock::{Clock, ManualClock, SystemClock};
pub use delivery::{AlertHandler, Delivery, FiredAlert, FiredNotice, IgnoreAlerts, Notice, Queued};
pub use engine::{Engine, EngineBuilder, Executed, Request};
pub use error::{BadLine, Error, Result};
pub use import::{ImportOptions, ImportReport};
pub use mapping::HistoryEntry;
pub use onward::{OnwardReport, ReportHandler, ReportMessage, TakeReports};
pub use queries::{CaseView, Overdue, QueueCursor, QueuePage, Tampering, Verification};
pub use regflow_process::tally::Figures;
pub use register_import::RegisterImport;
pub use register_verify::{RegisterTampering, RegisterVerification};
pub use report::{report_across, Report, ReportBasis, ReportFilter};
pub use reproject::Reprojection;
pub use scoped::ActorView;
pub use store::{Database, MigrationMode};
pub use tokens::{IssuedToken, Token};
