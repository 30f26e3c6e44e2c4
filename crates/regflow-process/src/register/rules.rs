//! The rules that read the register before a recording writes its entry (SPEC 13.3), and
//! what the entry says (13.2). Refusals come in the order of 13.3: `unit_registered`,
//! `not_the_owner`, `unit_seized`, `advance_notice_consent_missing`, `no_such_mortgage`,
//! `no_such_seizure`, `no_such_entry`.

use chrono::{DateTime, Utc};

use super::clock::RegisterSettings;
use super::entry::{holders, same_people, Content, EntryDraft, EntryRef, EntryType, Holder, NationalClass};
use super::page::{UnitRegister, UnitStatus};
use super::share::Share;
use crate::case::{CaseId, Intake};
use crate::catalogue::{KindSpec, OwnerCheck};
use crate::error::ErrorCode;
use crate::party::{Applicant, IdType, PartyRole};
use crate::refusal::Refusal;

/// A recording about to write its entry.
#[derive(Debug, Clone, Copy)]
pub struct Recording<'a> {
    /// The case's kind.
    pub kind: &'a KindSpec,
    /// The case.
    pub case: &'a CaseId,
    /// Its facts.
    pub intake: &'a Intake,
    /// The acting court, for a seizure (the actor who brought the commission).
    pub court: &'a str,
    /// The instant of the recording.
    pub at: DateTime<Utc>,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal::new(code, message)
}

fn names(people: &[Holder]) -> String {
    let list: Vec<String> = people.iter().map(|h| format!("{} ({})", h.name, h.id)).collect();
    if list.is_empty() {
        "nobody".into()
    } else {
        list.join(", ")
    }
}

/// Resolves an entry argument against the unit's entries.
fn resolve(reg: &UnitRegister, given: &EntryRef) -> Option<u64> {
    match given {
        EntryRef::Seq(seq) => reg.entries().contains_key(seq).then_some(*seq),
        EntryRef::Case(case) => reg.entry_of_case(case),
    }
}

/// The owners an ownership entry records: the obligees with their shares, or equal ones.
fn owners_of(parties: &[Applicant]) -> Vec<Holder> {
    let mut owners = holders(parties, PartyRole::Obligee);
    let n = owners.len();
    for o in &mut owners {
        o.share = o.share.or(Some(Share::equal(n)));
    }
    owners
}

/// Plans the entry `rec` writes on `reg`, or refuses it; `None` when the kind writes none.
///
/// # Errors
/// A refusal with one of 13.3's codes.
pub fn plan(
    rec: &Recording<'_>,
    reg: &UnitRegister,
    settings: &RegisterSettings,
) -> Result<Option<EntryDraft>, Refusal> {
    let Some(effect) = rec.kind.register_effect else { return Ok(None) };
    let parties = &rec.intake.applicants;
    let args = &rec.intake.register;
    let unit = &rec.intake.unit;
    let current: Vec<Holder> = reg.owners().iter().map(|o| o.holder.clone()).collect();

    // unit_registered
    if effect == EntryType::Ownership && rec.kind.national_class == NationalClass::First && !current.is_empty() {
        return Err(refuse(
            ErrorCode::UnitRegistered,
            format!("unit {unit} already has owners ({}): a first registration is not possible", names(&current)),
        ));
    }
    // not_the_owner
    if let Some(check) = rec.kind.owner_check {
        let role = match check {
            OwnerCheck::Obligors => PartyRole::Obligor,
            OwnerCheck::Obligees => PartyRole::Obligee,
        };
        let compared = holders(parties, role);
        let checked = reg.has_ownership_entry() && (!compared.is_empty() || settings.require_parties);
        if checked && !same_people(&compared, &current) {
            let side = match check {
                OwnerCheck::Obligors => "obligors",
                OwnerCheck::Obligees => "obligees",
            };
            let status = if reg.status() == UnitStatus::Cancelled { " (its ownership was cancelled)" } else { "" };
            return Err(refuse(
                ErrorCode::NotTheOwner,
                format!(
                    "the case's {side} ({}) are not the owners of unit {unit} on the register ({}){status}",
                    names(&compared),
                    names(&current)
                ),
            ));
        }
    }
    // unit_seized
    if rec.kind.blocked_by_seizure {
        if let Some(s) = reg.active_seizure() {
            return Err(refuse(
                ErrorCode::UnitSeized,
                format!(
                    "unit {unit} is seized by {} (entry {}): nothing can be recorded until it is released",
                    s.court, s.entry
                ),
            ));
        }
    }
    // advance_notice_consent_missing
    let secured = rec.kind.secures_advance_notice();
    if secured {
        for n in reg.advance_notices() {
            let missing: Vec<Holder> = n
                .holders
                .iter()
                .filter(|h| !parties.iter().chain(&rec.intake.consents).any(|p| h.is(p)))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(refuse(
                    ErrorCode::AdvanceNoticeConsentMissing,
                    format!(
                        "unit {unit} carries an advance notice (entry {}) for {}: add them as a party or to `consents`",
                        n.entry,
                        names(&missing)
                    ),
                ));
            }
        }
    }
    let obligees = holders(parties, PartyRole::Obligee);
    let fulfils = |reg: &UnitRegister| -> Vec<u64> {
        if !secured {
            return Vec::new();
        }
        reg.advance_notices()
            .iter()
            .filter(|n| n.holders.iter().any(|h| obligees.iter().any(|o| o.same(h))))
            .map(|n| n.entry)
            .collect()
    };
    let mut refers_to = None;
    let content = match effect {
        EntryType::Ownership => Content::Ownership { owners: owners_of(parties), fulfils: fulfils(reg) },
        EntryType::OwnerDetails => Content::OwnerDetails { owners: holders(parties, PartyRole::Obligee) },
        EntryType::Mortgage => {
            let banks: Vec<Holder> = obligees.iter().filter(|h| h.id_type == IdType::CreditCode).cloned().collect();
            Content::Mortgage {
                rank: reg.max_rank() + 1,
                mortgagees: if banks.is_empty() { obligees.clone() } else { banks },
                mortgagors: holders(parties, PartyRole::Obligor),
                secured_amount: args.secured_amount,
                fulfils: fulfils(reg),
            }
        }
        EntryType::MortgageRelease => {
            refers_to = match &args.mortgage_entry {
                Some(given) => {
                    let found = resolve(reg, given).filter(|s| reg.mortgages().iter().any(|m| m.entry == *s));
                    Some(found.ok_or_else(|| {
                        refuse(ErrorCode::NoSuchMortgage, format!("{given} is not an active mortgage of unit {unit}"))
                    })?)
                }
                None => match reg.mortgages() {
                    [only] => Some(only.entry),
                    [] if !reg.has_ownership_entry() => None,
                    [] => return Err(refuse(ErrorCode::NoSuchMortgage, format!("unit {unit} has no active mortgage"))),
                    several => {
                        let ranks: Vec<String> =
                            several.iter().map(|m| format!("entry {} (rank {})", m.entry, m.rank)).collect();
                        return Err(refuse(
                            ErrorCode::NoSuchMortgage,
                            format!(
                                "unit {unit} has {} active mortgages: name one in `mortgage_entry` ({})",
                                several.len(),
                                ranks.join(", ")
                            ),
                        ));
                    }
                },
            };
            Content::MortgageRelease
        }
        EntryType::Seizure => Content::Seizure {
            court: rec.court.to_owned(),
            ruling: args.ruling.clone(),
            term_years: args.term_years.unwrap_or(settings.seizure_term_years),
            last_day: None,
        },
        EntryType::SeizureRelease => {
            refers_to = match &args.seizure_entry {
                Some(given) => {
                    let of_unit = |s: &u64| {
                        reg.active_seizure().is_some_and(|a| a.entry == *s)
                            || reg.queued_seizures().iter().any(|q| q.entry == *s)
                    };
                    let found = resolve(reg, given).filter(of_unit);
                    Some(found.ok_or_else(|| {
                        refuse(
                            ErrorCode::NoSuchSeizure,
                            format!("{given} is not an active or queued seizure of unit {unit}"),
                        )
                    })?)
                }
                None => match reg.active_seizure() {
                    Some(a) => Some(a.entry),
                    None if !reg.has_ownership_entry() => None,
                    None => return Err(refuse(ErrorCode::NoSuchSeizure, format!("unit {unit} has no active seizure"))),
                },
            };
            Content::SeizureRelease
        }
        EntryType::Objection => Content::Objection { holders: obligees.clone(), lawsuit: None },
        EntryType::AdvanceNotice => Content::AdvanceNotice { holders: obligees.clone() },
        EntryType::Correction => {
            if let Some(given) = &args.corrects {
                refers_to = Some(resolve(reg, given).ok_or_else(|| {
                    refuse(ErrorCode::NoSuchEntry, format!("{given} is not an entry of unit {unit}"))
                })?);
            }
            Content::Correction {
                obligees: holders(parties, PartyRole::Obligee),
                obligors: holders(parties, PartyRole::Obligor),
                secured_amount: args.secured_amount,
            }
        }
        EntryType::Cancellation => {
            if let Some(given) = &args.entry {
                let active = |s: &u64| {
                    reg.objections().iter().any(|o| o.entry == *s)
                        || reg.advance_notices().iter().any(|n| n.entry == *s)
                };
                refers_to = Some(resolve(reg, given).filter(active).ok_or_else(|| {
                    refuse(
                        ErrorCode::NoSuchEntry,
                        format!("{given} is not an active objection or advance notice of unit {unit}"),
                    )
                })?);
            }
            Content::Cancellation
        }
        other => unreachable!("`{other}` is not a recording's effect (the catalogue refuses it)"),
    };
    Ok(Some(EntryDraft {
        unit: unit.clone(),
        case: Some(rec.case.clone()),
        refers_to,
        recorded_at: rec.at,
        class: rec.kind.national_class,
        history: false,
        content,
        certificate: None,
    }))
}
