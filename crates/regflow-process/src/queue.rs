//! Work queues: which cases each role works on (SPEC 5.2 Priority orders them).

use chrono::{DateTime, Utc};

use crate::actor::{ActorId, Role};
use crate::case::{Case, CaseId, State, TaskStatus};
use crate::catalogue::Task;
use crate::command::CommandName;
use crate::decide::Centre;

/// The cases in a role's work queue: those in one of `states` and, for a task officer,
/// whose task has not succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkQueue {
    /// The states a queued case is in.
    pub states: &'static [State],
    /// The task a task officer's queued cases still wait for.
    pub task: Option<Task>,
    /// The command the queue's cases wait for, when separation of duties may keep an
    /// officer from one of them (`review`, `record`).
    pub step: Option<CommandName>,
}

const RUNNING: &[State] = &[State::Accepted, State::Reviewed, State::Suspended];

impl WorkQueue {
    /// The queue of `role`: clerks pre-review online applications, accept the ones waiting
    /// for the applicant's visit (待现场核验) and issue recorded cases; reviewers review accepted ones; registrars record reviewed ones; supervisors
    /// watch suspended ones; tax and transaction officers report the tasks of running cases.
    /// Roles that work on no queue get an empty one.
    pub const fn of(role: Role) -> WorkQueue {
        let (states, task, step): (&'static [State], Option<Task>, Option<CommandName>) = match role {
            Role::Clerk => (&[State::PreReview, State::AwaitingVisit, State::Recorded], None, None),
            Role::Reviewer => (&[State::Accepted], None, Some(CommandName::Review)),
            Role::Registrar => (&[State::Reviewed], None, Some(CommandName::Record)),
            Role::Supervisor => (&[State::Suspended], None, None),
            Role::TaxOfficer => (RUNNING, Some(Task::Tax), None),
            Role::TransactionOfficer => (RUNNING, Some(Task::TransactionFiling), None),
            Role::Applicant | Role::Bank | Role::Kiosk | Role::Court | Role::Reporter | Role::System => {
                (&[], None, None)
            }
        };
        WorkQueue { states, task, step }
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

    /// Whether `case`, held by this queue, is `officer`'s to work on at `centre`: separation
    /// of duties ([`Centre::bars`]) keeps a case they accepted from their review queue and
    /// one they reviewed from their recording queue.
    pub fn offers(&self, case: &Case, officer: &ActorId, centre: &Centre) -> bool {
        self.holds(case) && self.step.is_none_or(|step| centre.bars(case, officer, step).is_none())
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
