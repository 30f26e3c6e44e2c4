//! The transition table as data: from which state, by which command, to which states, by
//! whom. [`crate::decide::decide`] checks every command against it, and flow charts are
//! generated from it (`examples/flowchart.rs`), never drawn by hand.

use serde::Serialize;

use crate::actor::Role;
use crate::case::State;
use crate::catalogue::{KindSpec, Produces};
use crate::channel::Channel;
use crate::command::CommandName;

/// Who may issue a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "roles", rename_all = "snake_case")]
pub enum Who {
    /// Any one of these roles.
    Roles(&'static [Role]),
    /// The role serving the case's channel (clerk, bank, kiosk or court).
    ChannelRole,
    /// One of the case's applicants, acting by ID number.
    Applicants,
    /// One of the case's applicants, or a clerk.
    ApplicantsOrClerk,
    /// The officer of the task reported (tax officer or transaction officer).
    TaskOfficer,
    /// The engine itself.
    System,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The state before; `None` for a case that does not exist yet.
    pub from: Option<State>,
    /// The command.
    pub command: CommandName,
    /// The possible states after.
    pub to: &'static [State],
    /// Who may issue it.
    pub who: Who,
}

use CommandName as C;
use State as S;

impl Transition {
    /// The roles that may take this transition on a case of `kind`: the role serving each
    /// channel the kind opens on (the clerk for an online case's visit), the officers of
    /// the kind's own tasks, or the roles the row names.
    pub fn roles_for(&self, kind: &KindSpec) -> Vec<Role> {
        let mut roles: Vec<Role> = match self.who {
            Who::Roles(roles) => roles.to_vec(),
            Who::ChannelRole if self.from.is_some() => vec![Channel::Online.serving_role()],
            Who::ChannelRole => kind
                .channels
                .iter()
                .filter(|c| **c != Channel::Online)
                .map(|c| c.serving_role())
                .collect(),
            Who::Applicants => vec![Role::Applicant],
            Who::ApplicantsOrClerk => vec![Role::Applicant, Role::Clerk],
            Who::TaskOfficer => kind.tasks.iter().map(|t| t.officer()).collect(),
            Who::System => vec![Role::System],
        };
        roles.sort();
        roles.dedup();
        roles
    }
}

const REVIEWER_OR_SUPERVISOR: &[Role] = &[Role::Reviewer, Role::Supervisor];

const fn row(from: Option<State>, command: CommandName, to: &'static [State], who: Who) -> Transition {
    Transition { from, command, to, who }
}

/// Every allowed transition.
pub const TRANSITIONS: &[Transition] = &[
    // Online: apply, pre-review, amend, then one visit.
    row(None, C::Apply, &[S::PreReview], Who::Applicants),
    row(
        Some(S::PreReview),
        C::PreReview,
        &[S::AwaitingVisit, S::Returned],
        Who::Roles(&[Role::Clerk]),
    ),
    row(Some(S::Returned), C::Amend, &[S::PreReview], Who::Applicants),
    // Step 1: acceptance on the spot.
    row(None, C::Accept, &[S::Accepted, S::NotAccepted], Who::ChannelRole),
    row(
        Some(S::AwaitingVisit),
        C::Accept,
        &[S::Accepted, S::NotAccepted],
        Who::ChannelRole,
    ),
    row(
        None,
        C::HandleInstantly,
        &[S::Completed, S::NotAccepted],
        Who::ChannelRole,
    ),
    // Steps 2 and 3, and the certificate.
    row(
        Some(S::Accepted),
        C::Review,
        &[S::Reviewed, S::Completed],
        Who::Roles(&[Role::Reviewer]),
    ),
    row(Some(S::Reviewed), C::AutoSuspend, &[S::Suspended], Who::System),
    row(
        Some(S::Reviewed),
        C::Record,
        &[S::Recorded, S::Completed],
        Who::Roles(&[Role::Registrar]),
    ),
    row(
        Some(S::Recorded),
        C::IssueCertificate,
        &[S::Completed],
        Who::Roles(&[Role::Clerk]),
    ),
    // Materials handed in later, in any open state.
    row(
        Some(S::PreReview),
        C::SupplyMaterials,
        &[S::PreReview],
        Who::ApplicantsOrClerk,
    ),
    row(
        Some(S::Returned),
        C::SupplyMaterials,
        &[S::Returned],
        Who::ApplicantsOrClerk,
    ),
    row(
        Some(S::AwaitingVisit),
        C::SupplyMaterials,
        &[S::AwaitingVisit],
        Who::ApplicantsOrClerk,
    ),
    row(
        Some(S::Accepted),
        C::SupplyMaterials,
        &[S::Accepted],
        Who::ApplicantsOrClerk,
    ),
    row(
        Some(S::Reviewed),
        C::SupplyMaterials,
        &[S::Reviewed],
        Who::ApplicantsOrClerk,
    ),
    row(
        Some(S::Recorded),
        C::SupplyMaterials,
        &[S::Recorded],
        Who::ApplicantsOrClerk,
    ),
    row(
        Some(S::Suspended),
        C::SupplyMaterials,
        &[S::Suspended],
        Who::ApplicantsOrClerk,
    ),
    // Parallel tasks behind the window, until recording.
    row(Some(S::Accepted), C::CompleteTask, &[S::Accepted], Who::TaskOfficer),
    row(Some(S::Reviewed), C::CompleteTask, &[S::Reviewed], Who::TaskOfficer),
    row(Some(S::Suspended), C::CompleteTask, &[S::Suspended], Who::TaskOfficer),
    // Suspension.
    row(
        Some(S::Accepted),
        C::Suspend,
        &[S::Suspended],
        Who::Roles(REVIEWER_OR_SUPERVISOR),
    ),
    row(
        Some(S::Reviewed),
        C::Suspend,
        &[S::Suspended],
        Who::Roles(REVIEWER_OR_SUPERVISOR),
    ),
    row(
        Some(S::Suspended),
        C::Resume,
        &[S::Accepted, S::Reviewed],
        Who::Roles(REVIEWER_OR_SUPERVISOR),
    ),
    row(Some(S::Suspended), C::AutoResume, &[S::Reviewed], Who::System),
    // Rejection.
    row(
        Some(S::Accepted),
        C::Reject,
        &[S::Rejected],
        Who::Roles(&[Role::Reviewer]),
    ),
    row(
        Some(S::Reviewed),
        C::Reject,
        &[S::Rejected],
        Who::Roles(&[Role::Reviewer]),
    ),
    row(
        Some(S::Suspended),
        C::Reject,
        &[S::Rejected],
        Who::Roles(&[Role::Reviewer]),
    ),
    // Withdrawal, before recording.
    row(Some(S::PreReview), C::Withdraw, &[S::Withdrawn], Who::Applicants),
    row(Some(S::Returned), C::Withdraw, &[S::Withdrawn], Who::Applicants),
    row(Some(S::AwaitingVisit), C::Withdraw, &[S::Withdrawn], Who::Applicants),
    row(Some(S::Accepted), C::Withdraw, &[S::Withdrawn], Who::Applicants),
    row(Some(S::Reviewed), C::Withdraw, &[S::Withdrawn], Who::Applicants),
    row(Some(S::Suspended), C::Withdraw, &[S::Withdrawn], Who::Applicants),
    // Extension of the promise while the case runs.
    row(
        Some(S::Accepted),
        C::Extend,
        &[S::Accepted],
        Who::Roles(&[Role::Supervisor]),
    ),
    row(
        Some(S::Reviewed),
        C::Extend,
        &[S::Reviewed],
        Who::Roles(&[Role::Supervisor]),
    ),
    row(
        Some(S::Recorded),
        C::Extend,
        &[S::Recorded],
        Who::Roles(&[Role::Supervisor]),
    ),
    row(
        Some(S::Suspended),
        C::Extend,
        &[S::Suspended],
        Who::Roles(&[Role::Supervisor]),
    ),
    // Evaluation, once.
    row(Some(S::Completed), C::Evaluate, &[S::Completed], Who::Applicants),
    // The engine: alerts and re-projection while clocks run or wait.
    row(Some(S::Accepted), C::RaiseAlert, &[S::Accepted], Who::System),
    row(Some(S::Reviewed), C::RaiseAlert, &[S::Reviewed], Who::System),
    row(Some(S::Recorded), C::RaiseAlert, &[S::Recorded], Who::System),
    row(Some(S::Accepted), C::Reproject, &[S::Accepted], Who::System),
    row(Some(S::Reviewed), C::Reproject, &[S::Reviewed], Who::System),
    row(Some(S::Recorded), C::Reproject, &[S::Recorded], Who::System),
    row(Some(S::Suspended), C::Reproject, &[S::Suspended], Who::System),
];

/// The row for a command from a state (`None`: the case does not exist yet).
pub fn find(from: Option<State>, command: CommandName) -> Option<&'static Transition> {
    TRANSITIONS.iter().find(|t| t.from == from && t.command == command)
}

/// The commands people may issue from a state (engine commands left out).
pub fn allowed_from(from: Option<State>) -> Vec<CommandName> {
    let mut out: Vec<CommandName> = TRANSITIONS
        .iter()
        .filter(|t| t.from == from && t.who != Who::System)
        .map(|t| t.command)
        .collect();
    out.dedup();
    out
}

/// The transitions a case of `kind` can take; `instant` says whether its policy handles
/// it on the spot. Review and record keep only the target the kind reaches (an
/// information query completes at review; a kind that issues nothing completes at
/// record); tasks, public notices and instant handling appear only where they apply.
pub fn for_kind(kind: &KindSpec, instant: bool) -> Vec<Transition> {
    let completes_at_review = kind.produces == Produces::QueryResult;
    let issues = kind.produces.issues_certificate();
    let online = kind.allows(Channel::Online);
    // States a case of this kind never reaches.
    let unreachable = |s: State| {
        (completes_at_review && s == S::Reviewed)
            || (!issues && s == S::Recorded)
            || (!online && matches!(s, S::PreReview | S::Returned | S::AwaitingVisit))
    };
    TRANSITIONS
        .iter()
        .filter(|t| match t.command {
            C::Apply => online,
            C::CompleteTask => !kind.tasks.is_empty(),
            C::AutoSuspend | C::AutoResume => kind.public_notice_days.is_some(),
            C::HandleInstantly => instant,
            _ => true,
        })
        .filter(|t| !t.from.is_some_and(unreachable))
        .filter_map(|t| {
            let to: &'static [State] = match t.command {
                C::Review if completes_at_review => &[S::Completed],
                C::Review => &[S::Reviewed],
                C::Record if issues => &[S::Recorded],
                C::Record => &[S::Completed],
                C::Resume if completes_at_review => &[S::Accepted],
                _ => t.to,
            };
            (!to.iter().any(|s| unreachable(*s))).then_some(Transition { to, ..*t })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_state_and_command() {
        for (i, a) in TRANSITIONS.iter().enumerate() {
            for b in &TRANSITIONS[i + 1..] {
                assert!(!(a.from == b.from && a.command == b.command), "{a:?} twice");
            }
        }
    }

    #[test]
    fn kinds_take_their_own_paths() {
        let cat = crate::catalogue::Catalogue::builtin();
        let has = |ts: &[Transition], from: State, cmd: CommandName, to: State| {
            ts.iter()
                .any(|t| t.from == Some(from) && t.command == cmd && t.to.contains(&to))
        };
        let transfer = for_kind(cat.get("transfer_second_hand").unwrap(), false);
        assert!(has(
            &transfer,
            State::Accepted,
            CommandName::CompleteTask,
            State::Accepted
        ));
        assert!(has(&transfer, State::Reviewed, CommandName::Record, State::Recorded));
        assert!(!has(&transfer, State::Reviewed, CommandName::Record, State::Completed));
        assert!(!transfer
            .iter()
            .any(|t| t.command == CommandName::HandleInstantly || t.command == CommandName::AutoSuspend));
        let query = for_kind(cat.get("information_query").unwrap(), true);
        assert!(has(&query, State::Accepted, CommandName::Review, State::Completed));
        assert!(!query
            .iter()
            .any(|t| t.from == Some(State::Reviewed) || t.command == CommandName::CompleteTask));
        assert!(query.iter().any(|t| t.command == CommandName::HandleInstantly));
        let homestead = for_kind(cat.get("first_registration_homestead").unwrap(), false);
        assert!(has(
            &homestead,
            State::Reviewed,
            CommandName::AutoSuspend,
            State::Suspended
        ));
        let seizure = for_kind(cat.get("seizure").unwrap(), true);
        assert!(has(&seizure, State::Reviewed, CommandName::Record, State::Completed));
        assert!(!seizure.iter().any(|t| t.command == CommandName::IssueCertificate));
        // A seizure comes from a court: no online application, and only the court opens it.
        let seizure_kind = cat.get("seizure").unwrap();
        assert!(!seizure
            .iter()
            .any(|t| t.command == CommandName::Apply || t.from == Some(State::AwaitingVisit)));
        for t in seizure.iter().filter(|t| t.from.is_none()) {
            assert_eq!(t.roles_for(seizure_kind), vec![Role::Court], "{t:?}");
        }
        // A mortgage opens at the window, on a home visit or at a bank; after an online
        // application the clerk accepts at the visit; tasks name their own officers.
        let mortgage_kind = cat.get("mortgage").unwrap();
        let mortgage = for_kind(mortgage_kind, false);
        let accept = |from: Option<State>| {
            mortgage
                .iter()
                .find(|t| t.from == from && t.command == CommandName::Accept)
                .unwrap()
                .roles_for(mortgage_kind)
        };
        assert_eq!(accept(None), vec![Role::Clerk, Role::Bank]);
        assert_eq!(accept(Some(State::AwaitingVisit)), vec![Role::Clerk]);
        let transfer_kind = cat.get("transfer_second_hand").unwrap();
        let task = transfer
            .iter()
            .find(|t| t.command == CommandName::CompleteTask)
            .unwrap();
        assert_eq!(
            task.roles_for(transfer_kind),
            vec![Role::TaxOfficer, Role::TransactionOfficer]
        );
    }

    #[test]
    fn terminal_states_absorb() {
        for t in TRANSITIONS {
            if let Some(from) = t.from {
                if from.is_terminal() {
                    assert_eq!(t.command, CommandName::Evaluate, "{t:?}");
                    assert_eq!(t.to, &[from]);
                }
            }
        }
    }
}
