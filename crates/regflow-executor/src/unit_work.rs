//! A unit opened for writing (SPEC 13.3): what the command path carries from opening the
//! unit to writing its entries. A floor below both the engine and the register code, so
//! neither imports the other.

use regflow_process::register::{EntryDraft, UnitRegister};
use regflow_process::CentreId;

/// A unit opened for writing: its centre's head locked, its register settled to now.
pub(crate) struct UnitWork {
    /// The centre whose register it is.
    pub(crate) centre: CentreId,
    /// The head's `seq` when it was locked.
    pub(crate) head_seq: u64,
    /// The head's hash when it was locked.
    pub(crate) head_hash: String,
    /// The register after the ends due by now.
    pub(crate) register: UnitRegister,
    /// Ends due by now, to be written first.
    pub(crate) lapses: Vec<EntryDraft>,
}
