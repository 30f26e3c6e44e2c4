//! Runs a scenario file (SPEC 9) and prints the resulting JSON document.
//!
//! `cargo run --example scenario -- FILE.json [--database URL]`
//!
//! Exit 0 when the scenario ran (refused steps are reported in `errors`); exit 2 with a
//! message on stderr when the file is not JSON, has no `steps` array, or a step lacks
//! `at` or `command` (and for bad usage).

use clap::Parser;
use std::process::ExitCode;

/// Runs a SPEC 9 scenario and prints its cases and refused steps as JSON.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The scenario file.
    file: std::path::PathBuf,
    /// Where to keep the cases (give PostgreSQL a database of its own).
    #[arg(long, default_value = "sqlite::memory:")]
    database: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let file = args.file.display();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => return fail(&format!("{file}: {e}")),
    };
    match regflow_sim::scenario::run(&text, &args.database).await {
        Ok(output) => match serde_json::to_string_pretty(&output) {
            Ok(json) => regflow_sim::write_stdout(&(json + "\n")),
            Err(e) => fail(&format!("{file}: cannot write the output: {e}")),
        },
        Err(e) => fail(&format!("{file}: {e}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("scenario: {message}");
    ExitCode::from(2)
}
