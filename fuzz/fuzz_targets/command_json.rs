//! Commands read from JSON (SPEC 9 and 10, `regflow_process::wire`): a request body, or a
//! scenario document whose `steps` are read the way the scenario runner reads them. Any
//! document gives commands or `invalid_argument` refusals naming a field — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regflow_process::{wire, ErrorCode};
use serde_json::{Map, Value};

fn read_all(map: &Map<String, Value>) {
    for name in wire::COMMANDS {
        let _ = wire::no_unknown_fields(*name, map, &["command"]);
        for exists in [false, true] {
            match wire::command(name.as_str(), map, exists) {
                Ok(c) => assert_eq!(c.name(), *name),
                Err(r) => assert_eq!(r.code, ErrorCode::InvalidArgument, "{r}"),
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
                    Err(r) => assert_eq!(r.code, ErrorCode::InvalidArgument, "{r}"),
                }
            }
        }
    }
    read_all(&map);
});
