//! Policy TOML (SPEC 3): any text is a timeline or a clean `invalid_policy`; every count a
//! loaded policy holds is in range, so the deadline arithmetic on it cannot overflow.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regflow_process::{ErrorCode, PolicyTimeline};

fuzz_target!(|text: &str| {
    match PolicyTimeline::from_toml(text) {
        Ok(timeline) => {
            for p in timeline.policies() {
                assert!(p.statutory_days() <= 1000);
                assert!(p.warning_lead_days() <= p.statutory_days());
                assert!(p.instant_window() <= chrono::Duration::minutes(1440));
            }
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::InvalidPolicy, "{e}"),
    }
});
