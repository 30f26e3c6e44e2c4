//! Processing behind the window and the three steps after acceptance: departmental tasks,
//! review (审核), recording (登簿) and the certificate.

use super::*;
use crate::catalogue::Task;

impl<'a> Decider<'a> {
    pub(super) fn complete_task(&self, role: Role, task: Task, outcome: &TaskOutcome) -> Result<Vec<Draft>, Refusal> {
        let case = self.case();
        if case.tasks().get(&task) == Some(&TaskStatus::Succeeded) {
            return Err(refuse(ErrorCode::InvalidTransition, format!("the `{task}` task already succeeded")));
        }
        let (status, reason) = match outcome {
            TaskOutcome::Succeeded => (TaskStatus::Succeeded, None),
            TaskOutcome::Failed { reason } => (TaskStatus::Failed, Some(reason.trim().to_owned())),
        };
        Ok(vec![self.draft(role, case.state(), Change::TaskCompleted { task, status, reason })])
    }

    pub(super) fn review(&self, kind: &'a KindSpec, role: Role) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        let case = self.case();
        self.check_separation(case)?;
        let acceptance = case.acceptance().expect("accepted");
        if kind.produces == Produces::QueryResult {
            let completion = self.completion(acceptance)?;
            let answer = acceptance.scope.map(|scope| self.answer(case.intake(), scope));
            let reference = answer.as_ref().map(|a| a.reference.clone());
            let mut draft = self.draft(
                role,
                State::Completed,
                Change::Reviewed { completion: Some(completion), answer: reference },
            );
            draft.answer = answer;
            return Ok(vec![draft]);
        }
        let mut drafts = vec![self.draft(role, State::Reviewed, Change::Reviewed { completion: None, answer: None })];
        if let Some(days) = kind.public_notice_days {
            let local = self.hours().local_date(ctx.now);
            let end = ctx.calendar.add_working_days_projected(local, days).map_err(Refusal::from)?;
            let notice = Notice { days, ends_at: self.hours().closing_on(end.value) };
            drafts.push(Draft {
                command: CommandName::AutoSuspend,
                actor: Actor::system(case.centre().clone()).id().clone(),
                role: Role::System,
                at: ctx.now,
                state_after: State::Suspended,
                entry: None,
                answer: None,
                change: Change::Suspended {
                    cause: SuspensionCause::PublicNotice,
                    note: format!("public notice of {days} working days (公告)"),
                    resume_to: State::Reviewed,
                    notice: Some(notice),
                },
            });
        }
        Ok(drafts)
    }

    pub(super) fn record(&self, kind: &'a KindSpec, role: Role) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        let case = self.case();
        self.check_separation(case)?;
        if !case.pledged().is_empty() {
            let materials: Vec<String> = case.pledged().iter().map(|m| m.to_string()).collect();
            return Err(Refusal::new(
                ErrorCode::MaterialsPending,
                format!("pledged materials are still outstanding: {}", materials.join(", ")),
            )
            .with(Detail::Materials { materials }));
        }
        let pending: Vec<_> =
            case.tasks().iter().filter(|(_, s)| **s != TaskStatus::Succeeded).map(|(t, _)| *t).collect();
        if !pending.is_empty() {
            let names: Vec<&str> = pending.iter().map(|t| t.as_str()).collect();
            return Err(Refusal::new(
                ErrorCode::TasksPending,
                format!("parallel tasks have not succeeded: {}", names.join(", ")),
            )
            .with(Detail::Tasks { tasks: pending }));
        }
        let court = case.acceptance().map_or_else(|| ctx.actor.id().as_str(), |a| a.by.as_str());
        let entry = self.plan_entry(kind, case.intake(), court)?;
        let completion = if kind.produces.issues_certificate() {
            None
        } else {
            Some(self.completion(case.acceptance().expect("accepted"))?)
        };
        let to = if completion.is_some() { State::Completed } else { State::Recorded };
        let mut draft = self.draft(role, to, Change::Recorded { completion });
        draft.entry = entry;
        Ok(vec![draft])
    }

    pub(super) fn issue_certificate(&self, role: Role) -> Result<Vec<Draft>, Refusal> {
        let completion = self.completion(self.case().acceptance().expect("accepted"))?;
        let certificate = self.ctx.certificate.cloned();
        Ok(vec![self.draft(role, State::Completed, Change::CertificateIssued { completion, certificate })])
    }
}
