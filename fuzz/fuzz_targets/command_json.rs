//! Commands read from JSON (SPEC 9 and 10, `regflow_process::wire`): any document gives a
//! command or an `invalid_argument` refusal naming a field — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regflow_process::{wire, ErrorCode};

fuzz_target!(|data: &[u8]| {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for name in wire::COMMANDS {
        let _ = wire::no_unknown_fields(*name, &map, &["command"]);
        for exists in [false, true] {
            match wire::command(name.as_str(), &map, exists) {
                Ok(c) => assert_eq!(c.name(), *name),
                Err(r) => assert_eq!(r.code, ErrorCode::InvalidArgument, "{r}"),
            }
        }
    }
});
