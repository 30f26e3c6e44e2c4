//! Identifiers (SPEC 5.2): resident ID numbers, credit codes, the other documents and unit
//! numbers parse or are refused without panicking, and a parsed one keeps its text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regflow_process::{IdType, PartyId};

fuzz_target!(|text: &str| {
    for id_type in IdType::ALL {
        if let Ok(id) = PartyId::parse(text, id_type) {
            assert_eq!(id.id_type(), id_type);
            assert!(id.matches(id.as_str()));
            let n = id.as_str().chars().count();
            match id_type {
                IdType::ResidentId | IdType::CreditCode | IdType::HmtResidencePermit => assert_eq!(n, 18),
                _ => assert!((1..=64).contains(&n), "{id_type}: {n} characters"),
            }
        }
    }
    if let Ok(unit) = regflow_process::identifier::UnitNumber::parse(text) {
        assert_eq!(unit.as_str().len(), 28);
    }
});
