//! The register (不动产登记簿, SPEC 13): entries, the unit page they fold into, the legal
//! clocks that end rights by themselves, and the rules a recording must pass.
//!
//! The executor loads a unit's entries, folds them here ([`UnitRegister::rebuild`]),
//! writes the ends already due ([`UnitRegister::settle`]) and hands the register to
//! `decide`, which plans the recording's entry or refuses it ([`rules`]). Nothing here
//! reads the clock or a database.

pub mod certificate;
pub mod clock;
pub mod entry;
pub mod import;
pub mod log;
pub mod page;
pub mod query;
pub mod reading;
pub mod report;
pub mod rules;
pub mod share;

pub use certificate::{CertificateNumber, CertificateType, NumberPatterns};
pub use clock::{LegalClock, RegisterSettings, RestDays};
pub use entry::{Amount, Content, Entry, EntryDraft, EntryRef, EntryType, Holder, NationalClass};
pub use page::{ApplyError, End, UnitPage, UnitRegister, UnitStatus};
pub use reading::{may_read, Reader};
pub use report::{AckResult, MessageId, ReportState, Target};
pub use share::Share;
