//! Ending a case other than by the certificate: rejection on one of the four grounds,
//! withdrawal with every party's consent, and the applicant's evaluation afterwards.

use super::*;

impl<'a> Decider<'a> {
    pub(super) fn reject(&self, role: Role, ground: &str, note: &str) -> Result<Vec<Draft>, Refusal> {
        let ground = RejectionGround::ALL.into_iter().find(|g| g.as_str() == ground.trim()).ok_or_else(|| {
            Refusal::new(
                ErrorCode::InvalidGround,
                format!(
                    "`{ground}` is not a ground of 条例 Art. 22 (violates_law, ownership_dispute, right_expired, legally_barred)"
                ),
            )
            .with(Detail::Field { name: "ground".into() })
        })?;
        Ok(vec![self.draft(role, State::Rejected, Change::Rejected { ground, note: note.trim().to_owned() })])
    }

    pub(super) fn withdraw(&self, role: Role, consenting: &[String]) -> Result<Vec<Draft>, Refusal> {
        let case = self.case();
        let given: BTreeSet<String> = consenting.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
        if let Some(stranger) = given.iter().find(|c| !case.has_applicant(c)) {
            return Err(Refusal::argument("consenting", format!("`{stranger}` is not an applicant of this case")));
        }
        let missing: Vec<String> = case
            .intake()
            .applicants
            .iter()
            .map(|a| a.id.as_str().to_owned())
            .filter(|id| !given.contains(id))
            .collect();
        if !missing.is_empty() {
            return Err(Refusal::new(
                ErrorCode::PartialWithdrawal,
                format!("every applicant must consent; missing: {}", missing.join(", ")),
            )
            .with(Detail::Consent { missing }));
        }
        Ok(vec![self.draft(role, State::Withdrawn, Change::Withdrawn { consenting: given.into_iter().collect() })])
    }

    pub(super) fn evaluate(&self, role: Role, rating: u8, comment: &str) -> Result<Vec<Draft>, Refusal> {
        if self.case().evaluation().is_some() {
            return Err(refuse(ErrorCode::AlreadyEvaluated, "the case was already evaluated"));
        }
        Ok(vec![self.draft(role, State::Completed, Change::Evaluated { rating, comment: comment.trim().to_owned() })])
    }
}
