//! Work queues: which cases each role works on (SPEC 5.2 Priority orders them).

use chrono::{DateTime, Utc};

use crate::actor::Role;
use crate::case::{Case, CaseId, State, TaskStatus};
use crate::catalogue::Task;

/// The cases in a role's work queue: those in one of `states` and, for a task officer,
/// whose task has not succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkQueue {
    /// The states a queued case is in.
    pub states: &'static [State],
    /// The task a task officer's queued cases still wait for.
    pub task: Option<Task>,
}

const RUNNING: &[State] = &[State::Accepted, State::Reviewed, State::Suspended];

impl WorkQueue {
    /// The queue of `role`: clerks pre-review online applications and issue recorded
    /// cases; reviewers review accepted ones; registrars record reviewed ones; supervisors
    /// watch suspended ones; tax and transaction officers report the tasks of running cases.
    /// Roles that work on no queue get an empty one.
    pub const fn of(role: Role) -> WorkQueue {
        let (states, task): (&'static [State], Option<Task>) = match role {
            Role::Clerk => (&[State::PreReview, State::Recorded], None),
            Role::Reviewer => (&[State::Accepted], None),
            Role::Registrar => (&[State::Reviewed], None),
            Role::Supervisor => (&[State::Suspended], None),
            Role::TaxOfficer => (RUNNING, Some(Task::Tax)),
            Role::TransactionOfficer => (RUNNING, Some(Task::TransactionFiling)),
            Role::Applicant | Role::Bank | Role::Kiosk | Role::Court | Role::System => (&[], None),
        };
        WorkQueue { states, task }
    }

    /// Whether the queue holds nothing by construction.
    pub const fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Whether `case` is in this queue: in one of its states and, for a task officer, with
    /// its task listed and not yet succeeded.
    pub fn holds(&self, case: &Case) -> bool {
        self.states.contains(&case.state())
            && self.task.is_none_or(|t| case.tasks().get(&t).is_some_and(|s| *s != TaskStatus::Succeeded))
    }
}

/// Where a case stands in a work queue, smallest first: green channel and military before
/// standard, then the earliest promise deadline (cases without one last), then the
/// longest waiting (accepted, else created), then the id.
pub fn queue_order(case: &Case) -> (u8, DateTime<Utc>, DateTime<Utc>, &CaseId) {
    (
        case.intake().priority.class(),
        case.deadlines().map_or(DateTime::<Utc>::MAX_UTC, |d| d.promise.due_at),
        case.acceptance().map_or(case.created_at(), |a| a.at),
        case.id(),
    )
}
