//! The register arguments of an intake (shares, consents, entry arguments; SPEC 13.2) and
//! the entry a recording plans (13.3, decided by [`crate::register::rules`]).

use super::*;
use crate::case::RegisterArgs;
use crate::command::RegisterInput;
use crate::register::clock::MAX_TERM_YEARS;
use crate::register::rules::{plan, Recording};
use crate::register::{Amount, EntryType, Share};

/// The shape of the register arguments, whatever the kind (`invalid_argument`, checked
/// with the other arguments).
pub(super) fn check_shapes(intake: &IntakeInput) -> Result<(), Refusal> {
    for (i, a) in intake.applicants.iter().enumerate() {
        if let Some(share) = &a.share {
            let field = format!("applicants[{i}].share");
            Share::parse(share).map_err(|why| Refusal::argument(&field, format!("{field}: {why}")))?;
        }
    }
    for (i, c) in intake.consents.iter().enumerate() {
        non_empty(&format!("consents[{i}].name"), &c.name)?;
        if c.share.is_some() || c.role.is_some() {
            let field = format!("consents[{i}]");
            return Err(Refusal::argument(&field, format!("{field}: one who consents has no role or share")));
        }
    }
    let r = &intake.register;
    if let Some(amount) = &r.secured_amount {
        Amount::parse(amount).map_err(|why| Refusal::argument("secured_amount", format!("secured_amount: {why}")))?;
    }
    if let Some(ruling) = &r.ruling {
        non_empty("ruling", ruling)?;
    }
    if let Some(years) = r.term_years {
        if !(1..=u64::from(MAX_TERM_YEARS)).contains(&years) {
            return Err(Refusal::argument(
                "term_years",
                format!("term_years: {years} is not between 1 and {MAX_TERM_YEARS}"),
            ));
        }
    }
    Ok(())
}

/// Which register arguments each effect reads.
fn reads(effect: Option<EntryType>, field: &str) -> bool {
    matches!(
        (effect, field),
        (Some(EntryType::Mortgage), "secured_amount")
            | (Some(EntryType::MortgageRelease), "mortgage_entry")
            | (Some(EntryType::Seizure), "ruling" | "term_years")
            | (Some(EntryType::SeizureRelease), "seizure_entry" | "ruling")
            | (Some(EntryType::Correction), "corrects" | "secured_amount")
            | (Some(EntryType::Cancellation), "entry")
    )
}

impl<'a> Decider<'a> {
    /// The validated register arguments and consents of `input` for `kind`; shares are
    /// checked against the kind (`invalid_argument` naming the field).
    pub(super) fn register_args(
        &self,
        kind: &KindSpec,
        input: &IntakeInput,
        applicants: &mut [Applicant],
    ) -> Result<(RegisterArgs, Vec<Applicant>), Refusal> {
        let effect = kind.register_effect;
        let r: &RegisterInput = &input.register;
        let given = [
            ("mortgage_entry", r.mortgage_entry.is_some()),
            ("seizure_entry", r.seizure_entry.is_some()),
            ("corrects", r.corrects.is_some()),
            ("entry", r.entry.is_some()),
            ("secured_amount", r.secured_amount.is_some()),
            ("ruling", r.ruling.is_some()),
            ("term_years", r.term_years.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(f, g)| *g && !reads(effect, f)) {
            return Err(Refusal::argument(field, format!("`{field}` is not an argument of a `{}` case", kind.id)));
        }
        // Shares: only obligees of a kind writing owners; all or none; adding up to 1.
        let owners = matches!(effect, Some(EntryType::Ownership | EntryType::OwnerDetails));
        for (i, (a, input)) in applicants.iter_mut().zip(&input.applicants).enumerate() {
            let Some(text) = &input.share else { continue };
            let field = format!("applicants[{i}].share");
            if !owners || a.role != PartyRole::Obligee {
                let why = if owners {
                    "only an obligee holds a share"
                } else {
                    "a share is recorded only by a registration of owners"
                };
                return Err(Refusal::argument(&field, format!("{field}: {why}")));
            }
            a.share = Some(Share::parse(text).expect("shape checked"));
        }
        let obligees: Vec<&Applicant> = applicants.iter().filter(|a| a.role == PartyRole::Obligee).collect();
        let with_share = obligees.iter().filter(|a| a.share.is_some()).count();
        if with_share > 0 && with_share < obligees.len() {
            return Err(Refusal::argument(
                "applicants",
                format!("{with_share} of {} obligees carry a share: give every obligee one, or none", obligees.len()),
            ));
        }
        if with_share > 0 && !Share::sum_to_whole(obligees.iter().filter_map(|a| a.share)) {
            let list: Vec<String> = obligees.iter().filter_map(|a| a.share).map(|s| s.to_string()).collect();
            return Err(Refusal::argument(
                "applicants",
                format!("the obligees' shares {} do not add up to exactly 1", list.join(" + ")),
            ));
        }
        let mut consents = Vec::with_capacity(input.consents.len());
        for (i, c) in input.consents.iter().enumerate() {
            consents.push(self.party(&format!("consents[{i}]"), c, input.applicant_category)?);
        }
        let args = RegisterArgs {
            mortgage_entry: r.mortgage_entry.clone(),
            seizure_entry: r.seizure_entry.clone(),
            corrects: r.corrects.clone(),
            entry: r.entry.clone(),
            secured_amount: r.secured_amount.as_deref().map(|a| Amount::parse(a).expect("shape checked")),
            ruling: r.ruling.as_deref().map(|s| s.trim().to_owned()),
            term_years: r.term_years.map(|y| y as u32),
        };
        Ok((args, consents))
    }

    /// The entry the recording of `intake` writes, or 13.3's refusal.
    pub(super) fn plan_entry(
        &self,
        kind: &KindSpec,
        intake: &Intake,
        court: &str,
    ) -> Result<Option<EntryDraft>, Refusal> {
        let empty;
        let reg = match self.ctx.register {
            Some(reg) => reg,
            None => {
                empty = UnitRegister::empty(intake.unit.clone());
                &empty
            }
        };
        let rec = Recording { kind, case: self.ctx.case_id, intake, court, at: self.ctx.now };
        plan(&rec, reg, &self.ctx.centre.register)
    }
}

impl<'a> Decider<'a> {
    fn right_of_case(&self, expected: EntryType, what: &str) -> Result<(&UnitRegister, u64), Refusal> {
        let case = self.case();
        let wrong =
            || refuse(ErrorCode::InvalidTransition, format!("case {} is not {what} on the register", case.id()));
        let reg = self.ctx.register.ok_or_else(wrong)?;
        let seq = reg.entry_of_case(case.id().as_str()).ok_or_else(wrong)?;
        match reg.entries().get(&seq) {
            Some((t, _)) if *t == expected => Ok((reg, seq)),
            _ => Err(wrong()),
        }
    }

    pub(super) fn lawsuit_filed(
        &self,
        kind: &KindSpec,
        role: Role,
        court: &str,
        filed_on: chrono::NaiveDate,
    ) -> Result<Vec<Draft>, Refusal> {
        if kind.register_effect != Some(EntryType::Objection) {
            return Err(refuse(
                ErrorCode::InvalidTransition,
                format!("a lawsuit is filed on an objection, not a `{}` case", kind.id),
            ));
        }
        let (reg, seq) = self.right_of_case(EntryType::Objection, "an objection")?;
        let objection = reg.objections().iter().find(|o| o.entry == seq).ok_or_else(|| {
            refuse(
                ErrorCode::InvalidTransition,
                format!("the objection (entry {seq}) is no longer active: it lapsed or ended"),
            )
        })?;
        if objection.lawsuit.is_some() {
            return Err(refuse(
                ErrorCode::InvalidTransition,
                format!("a lawsuit on the objection (entry {seq}) is already recorded"),
            ));
        }
        if filed_on > self.hours().local_date(self.ctx.now) {
            return Err(Refusal::argument("filed_on", format!("filed_on {filed_on} is after today")));
        }
        let court = court.trim().to_owned();
        let mut draft = self.draft(role, self.case().state(), Change::LawsuitFiled { court: court.clone(), filed_on });
        draft.entry = Some(self.ended_by(seq, crate::register::Content::ObjectionLawsuit { court, filed_on }));
        Ok(vec![draft])
    }

    pub(super) fn renew_seizure(
        &self,
        kind: &KindSpec,
        role: Role,
        term_years: Option<u32>,
    ) -> Result<Vec<Draft>, Refusal> {
        if kind.register_effect != Some(EntryType::Seizure) {
            return Err(refuse(
                ErrorCode::InvalidTransition,
                format!("only a seizure is renewed, not a `{}` case", kind.id),
            ));
        }
        let (reg, seq) = self.right_of_case(EntryType::Seizure, "a seizure")?;
        if reg.active_seizure().is_none_or(|a| a.entry != seq) {
            let why = if reg.queued_seizures().iter().any(|q| q.entry == seq) {
                "is queued: a queued seizure's term has not started"
            } else {
                "is no longer active: it expired or was released"
            };
            return Err(refuse(ErrorCode::InvalidTransition, format!("the seizure (entry {seq}) {why}")));
        }
        let years = term_years.unwrap_or(self.ctx.centre.register.seizure_term_years);
        if !(1..=MAX_TERM_YEARS).contains(&years) {
            return Err(Refusal::argument(
                "term_years",
                format!("term_years: {years} is not between 1 and {MAX_TERM_YEARS}"),
            ));
        }
        let mut draft = self.draft(role, self.case().state(), Change::SeizureRenewed { term_years: years });
        draft.entry = Some(self.ended_by(seq, crate::register::Content::SeizureRenewed { term_years: years }));
        Ok(vec![draft])
    }

    /// An entry of this case's command referring to the case's own right.
    fn ended_by(&self, refers_to: u64, content: crate::register::Content) -> EntryDraft {
        let case = self.case();
        EntryDraft {
            unit: case.intake().unit.clone(),
            case: Some(case.id().clone()),
            refers_to: Some(refers_to),
            recorded_at: self.ctx.now,
            class: crate::register::NationalClass::of_right(content.entry_type()),
            history: false,
            content,
            certificate: None,
        }
    }
}
