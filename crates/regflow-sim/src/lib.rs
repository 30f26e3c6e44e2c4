//! # regflow-sim
//!
//! Case flows simulated through regflow's public API, shared by the examples, the tests and
//! the `regflow` command:
//! - [`scenario`]: the SPEC 9 runner — JSON steps in, the cases and the refused steps out;
//! - [`simulation`]: a seeded month of a registration centre (arrivals of every kind,
//!   category and channel, staff with roles and daily capacity), reported as SPEC 7 figures.
//!
//! Not published: it is a tool of this repository, not part of the engine's API.

pub mod chart;
pub mod scenario;
pub mod simulation;
pub mod table;

/// Writes a program's report to stdout at once. A reader that went away (`| head`) ends
/// the program quietly with success instead of a panic; any other failure is exit 1.
pub fn write_stdout(text: &str) -> std::process::ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write the report: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
