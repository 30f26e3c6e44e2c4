//! The `regflow` binary through its command line.

mod commands;
