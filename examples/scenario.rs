//! Runs a scenario file (SPEC 9) and prints the resulting JSON document.
//!
//! `cargo run --example scenario -- FILE.json [--database URL]`
//!
//! Exit 0 when the scenario ran (refused steps are reported in `errors`); exit 2 with a
//! message on stderr when the file is not JSON, has no `steps` array, or a step lacks
//! `at` or `command`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut database = "sqlite::memory:".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--database" => match args.next() {
                Some(url) => database = url,
                None => return fail("--database needs a URL"),
            },
            "-h" | "--help" => {
                println!("usage: scenario FILE.json [--database URL]");
                return ExitCode::SUCCESS;
            }
            _ if file.is_none() => file = Some(arg),
            other => return fail(&format!("unexpected argument `{other}`")),
        }
    }
    let Some(file) = file else {
        return fail("usage: scenario FILE.json [--database URL]");
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => return fail(&format!("{file}: {e}")),
    };
    match regflow_sim::scenario::run(&text, &database).await {
        Ok(output) => {
            println!("{}", serde_json::to_string_pretty(&output).expect("output serialises"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("{file}: {e}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("scenario: {message}");
    ExitCode::from(2)
}
