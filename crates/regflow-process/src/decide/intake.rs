//! Intake (SPEC 5.2): the online application and its pre-review, acceptance on the spot
//! (一次性告知, 容缺), instant handling and materials handed in later.

use super::rules::Outcome;
use super::*;

impl<'a> Decider<'a> {
    pub(super) fn apply(
        &self,
        kind: &'a KindSpec,
        role: Role,
        intake: &'a IntakeInput,
        materials: &[String],
    ) -> Result<Vec<Draft>, Refusal> {
        let intake = self.parse_intake(intake, kind)?;
        let materials = self.parse_materials(materials, kind)?;
        Ok(vec![self.draft(role, State::PreReview, Change::Applied { intake, materials })])
    }

    pub(super) fn pre_review(&self, role: Role, pass: bool, problems: &[String]) -> Result<Vec<Draft>, Refusal> {
        let problems: Vec<String> = problems.iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
        let to = if pass { State::AwaitingVisit } else { State::Returned };
        Ok(vec![self.draft(role, to, Change::PreReviewed { pass, problems })])
    }

    pub(super) fn amend(&self, kind: &'a KindSpec, role: Role, materials: &[String]) -> Result<Vec<Draft>, Refusal> {
        let materials = self.parse_materials(materials, kind)?;
        Ok(vec![self.draft(role, State::PreReview, Change::Amended { materials })])
    }

    pub(super) fn accept(&self, kind: &'a KindSpec, role: Role, materials: &[String]) -> Result<Vec<Draft>, Refusal> {
        let (intake, opens) = match (self.case, self.intake_input()) {
            (Some(case), _) => (case.intake().clone(), false),
            (None, Some(input)) => (self.parse_intake(input, kind)?, true),
            (None, None) => unreachable!("arguments checked"),
        };
        let mut given = self.parse_materials(materials, kind)?;
        if let Some(case) = self.case {
            given.extend(case.materials().iter().cloned());
            given.sort_by_key(|m| kind.materials.iter().position(|x| &x.id == m));
            given.dedup();
        }
        let policy = self.policy()?;
        let intake_field = opens.then(|| intake.clone());
        let change = match self.acceptance_outcome(kind, &given, &intake, policy)? {
            Outcome::Accepted { pledged, acceptance } => Change::Accepted {
                intake: intake_field,
                materials: given,
                pledged,
                tasks: kind.tasks.clone(),
                acceptance,
            },
            Outcome::NotAccepted { missing } => Change::NotAccepted { intake: intake_field, materials: given, missing },
        };
        let to = if matches!(change, Change::Accepted { .. }) { State::Accepted } else { State::NotAccepted };
        Ok(vec![self.draft(role, to, change)])
    }

    pub(super) fn handle_instantly(
        &self,
        kind: &'a KindSpec,
        role: Role,
        input: &'a IntakeInput,
        materials: &[String],
    ) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        let policy = self.policy()?;
        if !policy.is_instant(&kind.id, input.applicant_category) {
            return Err(refuse(
                ErrorCode::NotInstantKind,
                format!(
                    "`{}` for {} is not handled on the spot under policy `{}`",
                    kind.id,
                    input.applicant_category,
                    policy.id()
                ),
            ));
        }
        let intake = self.parse_intake(input, kind)?;
        let given = self.parse_materials(materials, kind)?;
        let change = match self.acceptance_outcome(kind, &given, &intake, policy)? {
            Outcome::NotAccepted { missing } => Change::NotAccepted { intake: Some(intake), materials: given, missing },
            Outcome::Accepted { pledged, .. } if !pledged.is_empty() => {
                let names: Vec<String> = pledged.iter().map(|m| m.to_string()).collect();
                return Err(Refusal::new(
                    ErrorCode::MaterialsPending,
                    format!(
                        "an instant case completes on the spot; bring {} or accept the case instead",
                        names.join(", ")
                    ),
                )
                .with(Detail::Materials { materials: names }));
            }
            Outcome::Accepted { acceptance, .. } => {
                let entry = self.plan_entry(kind, &intake, ctx.actor.id().as_str())?;
                let completion = self.completion(&acceptance)?;
                let answer = acceptance.scope.map(|scope| self.answer(&intake, scope));
                let change = Change::HandledInstantly {
                    intake,
                    materials: given,
                    acceptance,
                    completion,
                    answer: answer.as_ref().map(|a| a.reference.clone()),
                };
                let mut draft = self.draft(role, State::Completed, change);
                draft.entry = entry;
                draft.answer = answer;
                return Ok(vec![draft]);
            }
        };
        Ok(vec![self.draft(role, State::NotAccepted, change)])
    }

    pub(super) fn supply_materials(
        &self,
        kind: &'a KindSpec,
        role: Role,
        materials: &[String],
    ) -> Result<Vec<Draft>, Refusal> {
        let case = self.case();
        let materials = self.parse_materials(materials, kind)?;
        let cleared: Vec<MaterialId> = materials.iter().filter(|m| case.pledged().contains(*m)).cloned().collect();
        Ok(vec![self.draft(role, case.state(), Change::MaterialsSupplied { materials, cleared })])
    }
}
