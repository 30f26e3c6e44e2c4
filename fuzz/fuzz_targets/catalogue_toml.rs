//! Catalogue TOML (SPEC 4): any text is a catalogue or a clean `invalid_catalogue`; a
//! seizure kind never opens anywhere but at a court.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regflow_process::{Catalogue, Channel, ErrorCode};

fuzz_target!(|text: &str| {
    match Catalogue::from_toml(text) {
        Ok(catalogue) => {
            for kind in catalogue.kinds() {
                if kind.unit_effect.is_some() {
                    assert!(kind.channels.iter().all(|c| *c == Channel::Court), "{}", kind.id);
                }
                if let Some(days) = kind.public_notice_days {
                    assert!(days <= 250);
                }
            }
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::InvalidCatalogue, "{e}"),
    }
});
