//! The rules of each command (SPEC 5.2, checks 9–13 and the command's own codes), once the
//! checks every command shares have passed: `command_rules` sends each command to its own
//! function in `intake`, `processing`, `clocks` or `closing`; the helpers they share live here.

use super::*;

/// The acceptance decision (条例 Art. 17) before it becomes an event. Short-lived, so the
/// size difference between its variants does not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum Outcome {
    Accepted { pledged: Vec<MaterialId>, acceptance: Acceptance },
    NotAccepted { missing: Vec<MaterialId> },
}

impl<'a> Decider<'a> {
    pub(super) fn completion(&self, acceptance: &Acceptance) -> Result<Completion, Refusal> {
        let now = self.ctx.now;
        let used = acceptance.clocks.working_days_used(now, self.ctx.calendar, self.hours()).map_err(Refusal::from)?;
        Ok(Completion {
            at: now,
            working_days_used: used.value,
            provisional: used.provisional,
            on_time: now <= acceptance.deadlines.promise.due_at,
            within_statute: now <= acceptance.deadlines.statutory.due_at,
        })
    }

    pub(super) fn project(&self, clocks: &CaseClocks) -> Result<crate::deadline::Deadlines, Refusal> {
        clocks.project(self.ctx.calendar, self.hours()).map_err(Refusal::from)
    }

    /// The acceptance decision shared by `accept` and `handle_instantly`.
    pub(super) fn acceptance_outcome(
        &self,
        kind: &KindSpec,
        materials: &[MaterialId],
        intake: &Intake,
        policy: &Policy,
    ) -> Result<Outcome, Refusal> {
        let scope = self.query_scope(intake)?;
        let present: BTreeSet<&MaterialId> = materials.iter().collect();
        let missing: Vec<&crate::catalogue::MaterialSpec> =
            kind.applicant_materials().filter(|m| !present.contains(&m.id)).collect();
        let key_missing = missing.iter().any(|m| m.key);
        if key_missing || (!missing.is_empty() && !kind.pledges) {
            return Ok(Outcome::NotAccepted { missing: missing.iter().map(|m| m.id.clone()).collect() });
        }
        let pledged = missing.iter().map(|m| m.id.clone()).collect();
        let clocks = policy.clocks(&intake.kind, intake.category, self.ctx.now);
        let deadlines = self.project(&clocks)?;
        Ok(Outcome::Accepted {
            pledged,
            acceptance: Acceptance {
                at: self.ctx.now,
                by: self.ctx.actor.id().clone(),
                policy: policy.id().clone(),
                clocks,
                deadlines,
                scope,
            },
        })
    }

    // 9–13 per command.
    pub(super) fn command_rules(&self, kind: &'a KindSpec, role: Role) -> Result<Vec<Draft>, Refusal> {
        match self.command {
            Command::Apply { intake, materials } => self.apply(kind, role, intake, materials),
            Command::PreReview { pass, problems } => self.pre_review(role, *pass, problems),
            Command::Amend { materials } => self.amend(kind, role, materials),
            Command::Accept { materials, .. } => self.accept(kind, role, materials),
            Command::HandleInstantly { intake: input, materials } => {
                self.handle_instantly(kind, role, input, materials)
            }
            Command::SupplyMaterials { materials } => self.supply_materials(kind, role, materials),
            Command::CompleteTask { task, outcome } => self.complete_task(role, *task, outcome),
            Command::Review => self.review(kind, role),
            Command::Record => self.record(kind, role),
            Command::IssueCertificate => self.issue_certificate(role),
            Command::Suspend { cause, note } => self.suspend(role, *cause, note),
            Command::Resume => self.resume(role),
            Command::AutoResume => self.auto_resume(role),
            Command::Reject { ground, note } => self.reject(role, ground, note),
            Command::Withdraw { consenting } => self.withdraw(role, consenting),
            Command::Extend { working_days, reason } => self.extend(role, *working_days, reason),
            Command::DeferQuery { reason } => self.defer_query(kind, role, reason),
            Command::Evaluate { rating, comment } => self.evaluate(role, *rating, comment),
            Command::LawsuitFiled { court, filed_on } => self.lawsuit_filed(kind, role, court, *filed_on),
            Command::RenewSeizure { term_years } => self.renew_seizure(kind, role, *term_years),
            Command::RaiseAlert { alert } => self.raise_alert(role, *alert),
            Command::Reproject => self.reproject(role),
        }
    }

    pub(super) fn resumed(&self, role: Role, at: DateTime<Utc>, automatic: bool) -> Result<Draft, Refusal> {
        let case = self.case();
        let s = case.suspension().expect("suspended");
        let acceptance = case.acceptance().expect("accepted");
        let closed = Suspension::new(s.since, at).expect("resume is not before suspension");
        let clocks = acceptance.clocks.clone().with_suspension(closed);
        let deadlines = self.project(&clocks)?;
        let mut d = self.draft(role, s.resume_to, Change::Resumed { automatic, clocks, deadlines });
        d.at = at;
        Ok(d)
    }
}
