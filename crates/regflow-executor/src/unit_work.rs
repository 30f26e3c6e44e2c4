//! A unit opened for writing (SPEC 13.3): what the command path carries from opening the
//! unit to writing its entries. A floor below both the engine and the register code, so
//! neither imports the other.

use regflow_process::register::{EntryDraft, UnitRegister};
use regflow_process::{CaseId, CentreId};

/// A unit opened for writing: its register as read, settled to now. Its centre's head is
/// locked only when the entries are written (`Engine::write_entries`), which refuses with
/// `conflict` if another transaction wrote on the unit meanwhile; on SQLite, whose one
/// writer holds the database, nothing can.
pub(crate) struct UnitWork {
    /// The centre whose register it is.
    pub(crate) centre: CentreId,
    /// The head's `seq` when the unit was read.
    pub(crate) head_seq: u64,
    /// The head's hash when the unit was read.
    pub(crate) head_hash: String,
    /// The `seq` of the unit's last entry when it was read (0: none).
    pub(crate) unit_last: u64,
    /// Whether the unit may have an armed timer (its register had an end to come).
    pub(crate) armed: bool,
    /// The register after the ends due by now.
    pub(crate) register: UnitRegister,
    /// Ends due by now, to be written first.
    pub(crate) lapses: Vec<EntryDraft>,
}

/// What the command that writes entries means for the register beyond them.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct CaseOutcome<'a> {
    /// A case the command ended unrecorded: the advance notices only it held lapse now,
    /// if their time has run.
    pub(crate) ended: Option<&'a CaseId>,
    /// The certificate the recorded entries are numbered for (SPEC 15.1).
    pub(crate) numbered: Option<regflow_process::register::CertificateType>,
}
