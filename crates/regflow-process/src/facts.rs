//! What `decide` needs to know that only the database knows, and which unit the executor
//! must lock and read for it. The executor asks [`unit_to_check`], locks that unit so the
//! check and the write cannot interleave with another transaction's on it, loads the facts,
//! and passes them in the [`crate::Context`].

use crate::case::Case;
use crate::catalogue::{Catalogue, Produces};
use crate::command::Command;
use crate::identifier::UnitNumber;

/// A unit a command reads or changes the register of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCheck {
    /// The unit.
    pub unit: UnitNumber,
    /// Whether an active seizure on it refuses the command (`unit_seized`); otherwise the
    /// command only changes what later checks on the unit see (a seizure, a release).
    pub blocked_by_seizure: bool,
}

/// The unit `command` on `case` (`None` for a creating command) must lock, load and settle
/// (SPEC 13.3) before it is decided: `record` or `handle_instantly` of a kind that writes a
/// register entry or that a seizure blocks, `lawsuit_filed` and `renew_seizure`, and the
/// rejection or withdrawal of a case an advance notice may be waiting for, and the
/// acceptance and answer of an information query (SPEC 15.2, which reads the page). A unit
/// number that does not parse names nothing: `decide` refuses it.
pub fn unit_to_check(catalogue: &Catalogue, case: Option<&Case>, command: &Command) -> Option<UnitCheck> {
    let query = |kind: &str| catalogue.get(kind).is_some_and(|k| k.produces == Produces::QueryResult);
    let reads = |unit: UnitNumber| Some(UnitCheck { unit, blocked_by_seizure: false });
    match (command, case) {
        (Command::Accept { intake: Some(i), .. } | Command::HandleInstantly { intake: i, .. }, None)
            if query(&i.kind) =>
        {
            return reads(UnitNumber::parse(&i.unit).ok()?);
        }
        (Command::Accept { .. } | Command::Review, Some(c)) if query(c.kind().as_str()) => {
            return reads(c.intake().unit.clone());
        }
        _ => {}
    }
    let (kind, unit) = match (command, case) {
        (Command::Record | Command::LawsuitFiled { .. } | Command::RenewSeizure { .. }, Some(c)) => {
            (c.kind().as_str(), c.intake().unit.clone())
        }
        // A case an advance notice waits for ends unrecorded: the notice may lapse now.
        (Command::Reject { .. } | Command::Withdraw { .. }, Some(c))
            if catalogue.get(c.kind().as_str()).is_some_and(|k| k.secures_advance_notice()) =>
        {
            return Some(UnitCheck { unit: c.intake().unit.clone(), blocked_by_seizure: false });
        }
        (Command::HandleInstantly { intake, .. }, None) => {
            (intake.kind.as_str(), UnitNumber::parse(&intake.unit).ok()?)
        }
        _ => return None,
    };
    let spec = catalogue.get(kind)?;
    (spec.blocked_by_seizure || spec.register_effect.is_some())
        .then_some(UnitCheck { unit, blocked_by_seizure: spec.blocked_by_seizure })
}
