//! Who may read a unit's register (SPEC 13.5, 17 §10): the centre's registration staff
//! always; an
//! applicant the page of a unit they own now; anyone else is refused
//! `query_not_permitted` (SPEC 15.2 widens this with interested parties and authorities).

use crate::actor::{Actor, CentreId, Role};
use crate::error::ErrorCode;
use crate::refusal::Refusal;

use super::page::UnitPage;

/// The roles whose holders read any page of their centre's register: the registration
/// staff. Channel systems (bank, kiosk, court) and departments read only as 15.2 allows.
pub const REGISTER_STAFF: [Role; 4] = [Role::Clerk, Role::Reviewer, Role::Registrar, Role::Supervisor];

/// On what ground a reader may see a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Staff of the centre.
    Staff,
    /// One of the unit's current owners.
    Owner,
}

/// Whether `actor` may read `page` of `centre`'s register, and on what ground.
///
/// # Errors
/// `query_not_permitted` for another centre's actor, or an applicant who is not an owner
/// of the unit now.
pub fn may_read(actor: &Actor, centre: &CentreId, page: &UnitPage) -> Result<Reader, Refusal> {
    if actor.centre() != centre {
        return Err(Refusal::new(ErrorCode::QueryNotPermitted, "the register of another centre is not readable here"));
    }
    if REGISTER_STAFF.iter().any(|r| actor.has(*r)) {
        return Ok(Reader::Staff);
    }
    let id = actor.id().as_str();
    if page.owners.iter().any(|o| o.id.eq_ignore_ascii_case(id.trim())) {
        return Ok(Reader::Owner);
    }
    Err(Refusal::new(
        ErrorCode::QueryNotPermitted,
        format!(
            "`{id}` is not an owner of unit {}: only its owners and the centre's staff may read its page",
            page.unit
        ),
    ))
}
