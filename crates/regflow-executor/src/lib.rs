//! # regflow-executor
//!
//! The I/O shell around [`regflow_process`]: it keeps cases in SQLite (the embedded
//! default) or PostgreSQL. This release opens a database and applies regflow's schema;
//! commands, alerts and queries build on it.

pub mod database;
pub mod error;

pub use database::{Database, MigrationMode};
pub use error::{Error, Result};
