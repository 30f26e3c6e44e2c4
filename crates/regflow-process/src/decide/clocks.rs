//! The clocks: suspension and resumption (SPEC 2.3), extension (2.4), alerts (5.3) and
//! re-projection with a new calendar (2.1).

use super::*;

impl<'a> Decider<'a> {
    pub(super) fn suspend(&self, role: Role, cause: SuspensionCause, note: &str) -> Result<Vec<Draft>, Refusal> {
        let case = self.case();
        Ok(vec![self.draft(
            role,
            State::Suspended,
            Change::Suspended { cause, note: note.trim().to_owned(), resume_to: case.state(), notice: None },
        )])
    }

    pub(super) fn resume(&self, role: Role) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        Ok(vec![self.resumed(role, ctx.now, false)?])
    }

    pub(super) fn auto_resume(&self, role: Role) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        let case = self.case();
        let Some(notice) = case.suspension().and_then(|s| s.notice) else {
            return Err(refuse(ErrorCode::InvalidTransition, "the case is not suspended for a public notice"));
        };
        if ctx.now < notice.ends_at {
            return Err(refuse(
                ErrorCode::InvalidTransition,
                format!("the public notice runs until {}", self.hours().format(notice.ends_at)),
            ));
        }
        let at = notice.ends_at.max(case.updated_at());
        Ok(vec![self.resumed(role, at, true)?])
    }

    pub(super) fn extend(&self, role: Role, working_days: u64, reason: &str) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        let case = self.case();
        let acceptance = case.acceptance().expect("accepted");
        let clocks = acceptance
            .clocks
            .extended(working_days, ctx.calendar, self.hours())
            .map_err(|e| match e {
                DeadlineError::ExceedsStatutory {
                    promise_due,
                    statutory_due,
                    ..
                } => {
                    let message = match promise_due {
                        Some(due) => format!(
                            "{working_days} more working days would put the promise at {}, after the statutory deadline {}",
                            self.hours().format(due),
                            self.hours().format(statutory_due)
                        ),
                        None => format!(
                            "{working_days} more working days would put the promise past the statutory deadline {} (beyond any date regflow computes)",
                            self.hours().format(statutory_due)
                        ),
                    };
                    Refusal::new(ErrorCode::ExceedsStatutory, message)
                    .with(Detail::Deadlines {
                        promise_due,
                        statutory_due,
                    })
                }
                other => Refusal::new(other.code(), other.to_string())
                    .with(Detail::Field { name: "working_days".into() }),
            })?;
        let deadlines = self.project(&clocks)?;
        let days = clocks.extension_days() - acceptance.clocks.extension_days();
        Ok(vec![self.draft(
            role,
            case.state(),
            Change::Extended { days, reason: reason.trim().to_owned(), clocks, deadlines },
        )])
    }

    pub(super) fn raise_alert(&self, role: Role, alert: PlannedAlert) -> Result<Vec<Draft>, Refusal> {
        let ctx = self.ctx;
        let case = self.case();
        if !case.armed_alerts().contains(&alert) {
            return Err(refuse(ErrorCode::InvalidTransition, "that alert is not armed on this case"));
        }
        if ctx.now < alert.at {
            return Err(refuse(ErrorCode::InvalidTransition, "that alert is not due yet"));
        }
        let mut d = self.draft(role, case.state(), Change::AlertRaised { alert });
        d.at = alert.at.max(case.updated_at());
        Ok(vec![d])
    }

    pub(super) fn reproject(&self, role: Role) -> Result<Vec<Draft>, Refusal> {
        let case = self.case();
        let acceptance = case.acceptance().expect("accepted");
        let deadlines = self.project(&acceptance.clocks)?;
        let notice = match case.suspension() {
            Some(s) => match s.notice {
                Some(n) => {
                    let start = self.hours().local_date(s.since);
                    let end = self.ctx.calendar.add_working_days_projected(start, n.days).map_err(Refusal::from)?;
                    Some(Notice { days: n.days, ends_at: self.hours().closing_on(end.value) })
                }
                None => None,
            },
            None => None,
        };
        let notice_moved = notice.is_some() && notice != case.suspension().and_then(|s| s.notice);
        if !deadlines.moved_from(&acceptance.deadlines) && !notice_moved {
            return Ok(Vec::new());
        }
        Ok(vec![self.draft(role, case.state(), Change::Reprojected { deadlines, notice })])
    }
}
