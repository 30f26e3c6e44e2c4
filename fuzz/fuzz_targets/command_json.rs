//! Commands read from JSON (SPEC 9 and 10, `regflow_process::wire`): a request body, or a
//! scenario document whose `steps` are read the way the scenario runner reads them. Any
//! document gives commands or refusals naming a field — `invalid_argument`, or for the
//! typed arguments `invalid_ground` (a reject's ground) and `unknown_material` (a material
//! text that cannot be an id) — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regflow_process::{wire, CommandName, ErrorCode, Refusal};
use serde_json::{Map, Value};

/// Whether `r` is a refusal reading `name`'s arguments may give.
fn allowed(name: CommandName, r: &Refusal) -> bool {
    match r.code {
        ErrorCode::InvalidArgument => true,
        ErrorCode::InvalidGround => name == CommandName::Reject,
        ErrorCode::UnknownMaterial => wire::fields_of(name).contains(&"materials"),
        _ => false,
    }
}

fn read_all(map: &Map<String, Value>) {
    for name in wire::COMMANDS {
        let _ = wire::no_unknown_fields(*name, map, &["command"]);
        for exists in [false, true] {
            match wire::command(name.as_str(), map, exists) {
                Ok(c) => assert_eq!(c.name(), *name),
                Err(r) => assert!(allowed(*name, &r), "{name}: {r}"),
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    // A scenario document: each step names its command and carries its arguments.
    if let Some(Value::Array(steps)) = map.get("steps") {
        for step in steps.iter().filter_map(Value::as_object) {
            if let Some(name) = step.get("command").and_then(Value::as_str) {
                match wire::command(name, step, false) {
                    Ok(c) => assert_eq!(c.name().as_str(), name),
                    Err(r) => match wire::command_name(name) {
                        Ok(known) => assert!(allowed(known, &r), "{name}: {r}"),
                        Err(_) => assert_eq!(r.code, ErrorCode::InvalidArgument, "{r}"),
                    },
                }
            }
        }
    }
    read_all(&map);
});
