//! Calendar CSV (SPEC 2.1): any text is a calendar or a clean `invalid_calendar`; a calendar
//! written back as CSV reads back as the same calendar; merging keeps every year.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regflow_process::{Calendar, ErrorCode};

fn builtin() -> &'static Calendar {
    static BUILTIN: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(Calendar::builtin)
}

fuzz_target!(|text: &str| {
    match Calendar::from_csv(text) {
        Ok(cal) => {
            let again = Calendar::from_csv(&cal.to_csv()).expect("a written calendar reads back");
            assert_eq!(again.version(), cal.version());
            let merged = builtin().merged_with(&cal);
            for year in builtin().covered_years().chain(cal.covered_years()) {
                assert!(merged.covers(year), "merging lost {year}");
            }
        }
        Err(e) => assert!(matches!(e.code(), ErrorCode::InvalidCalendar | ErrorCode::InvalidArgument), "{e}"),
    }
});
