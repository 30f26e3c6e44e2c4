//! Bulk import records (`regflow_process::import`): any line of an import file gives a case
//! whose history replays to it, or an `ImportError` naming a step — never a panic.
#![no_main]
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use regflow_process::import::{import_case, ImportContext, ImportRecord, ImportSource};
use regflow_process::{Actor, Calendar, Case, Catalogue, Centre, CentreId, PolicyTimeline, Role};
use std::sync::OnceLock;

struct World {
    calendar: Calendar,
    policies: PolicyTimeline,
    catalogue: Catalogue,
    centre: Centre,
    operator: Actor,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| World {
        calendar: Calendar::builtin(),
        policies: PolicyTimeline::builtin(),
        catalogue: Catalogue::builtin(),
        centre: Centre::new("xining"),
        operator: Actor::new("sup-1", [Role::Supervisor], CentreId::new("xining")),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(record) = serde_json::from_slice::<ImportRecord>(data) else {
        return;
    };
    let w = world();
    let ctx = ImportContext {
        now: Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap(),
        operator: &w.operator,
        centre: &w.centre,
        calendar: &w.calendar,
        policies: &w.policies,
        catalogue: &w.catalogue,
    };
    let source = ImportSource { line: 1, record_hash: String::new() };
    if let Ok((case, event)) = import_case(&record, source, &ctx) {
        assert_eq!(Case::replay([&event]).unwrap(), case);
        assert_eq!(event.seq, 1);
    }
});
