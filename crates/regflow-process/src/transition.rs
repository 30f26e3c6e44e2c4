//! The transition table as data: from which state, by which command, to which states, by
//! whom. [`crate::decide::decide`] checks every command against it, and flow charts are
//! generated from it (`examples/flowchart.rs`), never drawn by hand.

use serde::Serialize;

use crate::actor::{Actor, Role};
use crate::case::{Case, State};
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
            Who::ChannelRole => {
                kind.channels.iter().filter(|c| **c != Channel::Online).map(|c| c.serving_role()).collect()
            }
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

/// Where a rule leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// One of these states.
    States(&'static [State]),
    /// The state it came from (materials, tasks, extensions, alerts…).
    Same,
}

/// One rule of the table: a command, the states it is allowed from (`None`: a case that
/// does not exist yet), where it leads, and who may issue it. Each transition is written
/// once; [`transitions`] expands the rules into one [`Transition`] per state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The command.
    pub command: CommandName,
    /// The states it is allowed from.
    pub from: &'static [Option<State>],
    /// Where it leads.
    pub to: To,
    /// Who may issue it.
    pub who: Who,
}

const fn rule(command: CommandName, from: &'static [Option<State>], to: To, who: Who) -> Rule {
    Rule { command, from, to, who }
}

const NEW: &[Option<State>] = &[None];
/// Every state a case is open in.
const OPEN: &[Option<State>] = &[
    Some(S::PreReview),
    Some(S::Returned),
    Some(S::AwaitingVisit),
    Some(S::Accepted),
    Some(S::Reviewed),
    Some(S::Recorded),
    Some(S::Suspended),
];
/// Open and not yet recorded: withdrawal is possible (操作规范 1.10.2).
const BEFORE_RECORDING: &[Option<State>] = &[
    Some(S::PreReview),
    Some(S::Returned),
    Some(S::AwaitingVisit),
    Some(S::Accepted),
    Some(S::Reviewed),
    Some(S::Suspended),
];
/// Accepted and not yet recorded, running or suspended.
const UNDER_REVIEW: &[Option<State>] = &[Some(S::Accepted), Some(S::Reviewed), Some(S::Suspended)];
/// The clocks run: alerts are raised.
const RUNNING: &[Option<State>] = &[Some(S::Accepted), Some(S::Reviewed), Some(S::Recorded)];
/// The clocks run or wait: extensions and re-projection apply.
/// The states an imported case may arrive in.
const IMPORTED: &[State] =
    &[S::Accepted, S::Reviewed, S::Recorded, S::Suspended, S::Completed, S::Rejected, S::Withdrawn];
const CLOCKED: &[Option<State>] = &[Some(S::Accepted), Some(S::Reviewed), Some(S::Recorded), Some(S::Suspended)];

/// Every rule, each transition written once.
pub const RULES: &[Rule] = &[
    // Online: apply, pre-review, amend, then one visit.
    rule(C::Apply, NEW, To::States(&[S::PreReview]), Who::Applicants),
    rule(C::PreReview, &[Some(S::PreReview)], To::States(&[S::AwaitingVisit, S::Returned]), Who::Roles(&[Role::Clerk])),
    rule(C::Amend, &[Some(S::Returned)], To::States(&[S::PreReview]), Who::Applicants),
    // Step 1: acceptance on the spot.
    rule(C::Accept, &[None, Some(S::AwaitingVisit)], To::States(&[S::Accepted, S::NotAccepted]), Who::ChannelRole),
    rule(C::HandleInstantly, NEW, To::States(&[S::Completed, S::NotAccepted]), Who::ChannelRole),
    // Steps 2 and 3, and the certificate.
    rule(C::Review, &[Some(S::Accepted)], To::States(&[S::Reviewed, S::Completed]), Who::Roles(&[Role::Reviewer])),
    rule(C::AutoSuspend, &[Some(S::Reviewed)], To::States(&[S::Suspended]), Who::System),
    rule(C::Record, &[Some(S::Reviewed)], To::States(&[S::Recorded, S::Completed]), Who::Roles(&[Role::Registrar])),
    rule(C::IssueCertificate, &[Some(S::Recorded)], To::States(&[S::Completed]), Who::Roles(&[Role::Clerk])),
    // Materials handed in later, in any open state.
    rule(C::SupplyMaterials, OPEN, To::Same, Who::ApplicantsOrClerk),
    // Parallel tasks behind the window, until recording.
    rule(C::CompleteTask, UNDER_REVIEW, To::Same, Who::TaskOfficer),
    // Suspension.
    rule(
        C::Suspend,
        &[Some(S::Accepted), Some(S::Reviewed)],
        To::States(&[S::Suspended]),
        Who::Roles(REVIEWER_OR_SUPERVISOR),
    ),
    rule(C::Resume, &[Some(S::Suspended)], To::States(&[S::Accepted, S::Reviewed]), Who::Roles(REVIEWER_OR_SUPERVISOR)),
    rule(C::AutoResume, &[Some(S::Suspended)], To::States(&[S::Reviewed]), Who::System),
    // Rejection.
    rule(C::Reject, UNDER_REVIEW, To::States(&[S::Rejected]), Who::Roles(&[Role::Reviewer])),
    // Withdrawal, before recording.
    rule(C::Withdraw, BEFORE_RECORDING, To::States(&[S::Withdrawn]), Who::Applicants),
    // Extension of the promise while the case runs.
    rule(C::Extend, CLOCKED, To::Same, Who::Roles(&[Role::Supervisor])),
    rule(C::DeferQuery, &[Some(S::Accepted)], To::Same, Who::Roles(&[Role::Clerk, Role::Reviewer])),
    // Evaluation, once.
    rule(C::Evaluate, &[Some(S::Completed)], To::Same, Who::Applicants),
    // The register after recording: a lawsuit on an objection, a court renewing its seizure.
    rule(C::LawsuitFiled, &[Some(S::Recorded), Some(S::Completed)], To::Same, Who::ApplicantsOrClerk),
    rule(C::RenewSeizure, &[Some(S::Recorded), Some(S::Completed)], To::Same, Who::Roles(&[Role::Court])),
    // The engine: alerts while clocks run, re-projection while they run or wait.
    rule(C::RaiseAlert, RUNNING, To::Same, Who::System),
    rule(C::Reproject, CLOCKED, To::Same, Who::System),
    // A case brought in from an earlier system, in the state it had reached there.
    rule(C::Import, NEW, To::States(IMPORTED), Who::Roles(&[Role::Supervisor])),
];

/// A state as a one-element `'static` slice (the target of a `To::Same` rule).
fn same(state: State) -> &'static [State] {
    let i = State::ALL.iter().position(|s| *s == state).expect("every state is in ALL");
    &State::ALL[i..=i]
}

impl Rule {
    /// The rule as one transition per state it is allowed from.
    pub fn transitions(&self) -> impl Iterator<Item = Transition> + '_ {
        self.from.iter().map(|from| Transition {
            from: *from,
            command: self.command,
            to: match (self.to, from) {
                (To::States(states), _) => states,
                (To::Same, Some(s)) => same(*s),
                (To::Same, None) => &[],
            },
            who: self.who,
        })
    }
}

/// Every allowed transition, one per (state, command).
pub fn transitions() -> impl Iterator<Item = Transition> {
    RULES.iter().flat_map(Rule::transitions)
}

/// The transition for a command from a state (`None`: the case does not exist yet).
pub fn find(from: Option<State>, command: CommandName) -> Option<Transition> {
    RULES
        .iter()
        .find(|r| r.command == command && r.from.contains(&from))
        .and_then(|r| r.transitions().find(|t| t.from == from))
}

/// Whether `command` is allowed from `state` by the table (who may issue it aside).
pub fn allows(state: State, command: CommandName) -> bool {
    find(Some(state), command).is_some()
}

/// The commands people may issue from a state (engine commands left out), in table order.
pub fn allowed_from(from: Option<State>) -> Vec<CommandName> {
    let mut out: Vec<CommandName> =
        RULES.iter().filter(|r| r.from.contains(&from) && r.who != Who::System).map(|r| r.command).collect();
    out.dedup();
    out
}

/// Whether `command` is one a case of `kind` can take at all: a lawsuit only on an
/// objection, a renewal only on a seizure (SPEC 13.4); every other command on any kind.
pub fn kind_takes(kind: &KindSpec, command: CommandName) -> bool {
    use crate::register::EntryType;
    match command {
        C::LawsuitFiled => kind.register_effect == Some(EntryType::Objection),
        C::RenewSeizure => kind.register_effect == Some(EntryType::Seizure),
        C::DeferQuery => kind.produces == Produces::QueryResult,
        _ => true,
    }
}

/// The commands `actor` may send to `case` now: those the table allows from the case's
/// state that one of the actor's roles may issue (applicant-side ones only by a party of
/// the case, nothing for another centre; `evaluate` only once). The other rules of [`crate::decide::decide`] — materials,
/// tasks, separation of duties — may still refuse one.
pub fn available(case: &Case, kind: &KindSpec, actor: &Actor) -> Vec<CommandName> {
    if actor.centre() != case.centre() {
        return Vec::new();
    }
    let party = case.has_applicant(actor.id().as_str());
    let mut out: Vec<CommandName> = RULES
        .iter()
        .filter(|r| r.from.contains(&Some(case.state())) && r.who != Who::System)
        .flat_map(|r| r.transitions())
        .filter(|t| t.from == Some(case.state()))
        .filter(|t| t.roles_for(kind).iter().any(|role| actor.has(*role) && (*role != Role::Applicant || party)))
        .map(|t| t.command)
        .filter(|c| *c != CommandName::Evaluate || case.evaluation().is_none())
        .filter(|c| kind_takes(kind, *c))
        .collect();
    out.dedup();
    out
}

/// The steps a case of `kind` goes through, in order, as 办事指南 lists them: acceptance,
/// review, recording unless the kind only answers a query, and issuing where it issues a
/// certificate — the step commands [`for_kind`] keeps for the kind.
pub fn steps(kind: &KindSpec) -> Vec<CommandName> {
    let reachable = for_kind(kind, false);
    [C::Accept, C::Review, C::Record, C::IssueCertificate]
        .into_iter()
        .filter(|step| reachable.iter().any(|t| t.command == *step))
        .collect()
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
    transitions()
        .filter(|t| match t.command {
            C::Apply => online,
            C::CompleteTask => !kind.tasks.is_empty(),
            C::AutoSuspend | C::AutoResume => kind.public_notice_days.is_some(),
            C::HandleInstantly => instant,
            other => kind_takes(kind, other),
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
            (!to.iter().any(|s| unreachable(*s))).then_some(Transition { to, ..t })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_state_and_command() {
        let all: Vec<Transition> = transitions().collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(!(a.from == b.from && a.command == b.command), "{a:?} twice");
            }
        }
    }

    #[test]
    fn kinds_take_their_own_paths() {
        let cat = crate::catalogue::Catalogue::builtin();
        let has = |ts: &[Transition], from: State, cmd: CommandName, to: State| {
            ts.iter().any(|t| t.from == Some(from) && t.command == cmd && t.to.contains(&to))
        };
        let transfer = for_kind(cat.get("transfer_second_hand").unwrap(), false);
        assert!(has(&transfer, State::Accepted, CommandName::CompleteTask, State::Accepted));
        assert!(has(&transfer, State::Reviewed, CommandName::Record, State::Recorded));
        assert!(!has(&transfer, State::Reviewed, CommandName::Record, State::Completed));
        assert!(!transfer
            .iter()
            .any(|t| t.command == CommandName::HandleInstantly || t.command == CommandName::AutoSuspend));
        let query = for_kind(cat.get("information_query").unwrap(), true);
        assert!(has(&query, State::Accepted, CommandName::Review, State::Completed));
        assert!(!query.iter().any(|t| t.from == Some(State::Reviewed) || t.command == CommandName::CompleteTask));
        assert!(query.iter().any(|t| t.command == CommandName::HandleInstantly));
        let homestead = for_kind(cat.get("first_registration_homestead").unwrap(), false);
        assert!(has(&homestead, State::Reviewed, CommandName::AutoSuspend, State::Suspended));
        let seizure = for_kind(cat.get("seizure").unwrap(), true);
        assert!(has(&seizure, State::Reviewed, CommandName::Record, State::Completed));
        assert!(!seizure.iter().any(|t| t.command == CommandName::IssueCertificate));
        // A seizure comes from a court: no online application, and only the court opens it.
        let seizure_kind = cat.get("seizure").unwrap();
        assert!(!seizure.iter().any(|t| t.command == CommandName::Apply || t.from == Some(State::AwaitingVisit)));
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
        let task = transfer.iter().find(|t| t.command == CommandName::CompleteTask).unwrap();
        assert_eq!(task.roles_for(transfer_kind), vec![Role::TaxOfficer, Role::TransactionOfficer]);
    }

    #[test]
    fn terminal_states_absorb() {
        for t in transitions() {
            if let Some(from) = t.from {
                if from.is_terminal() {
                    // After the end only the rating and the register's own later commands.
                    let after = [CommandName::Evaluate, CommandName::LawsuitFiled, CommandName::RenewSeizure];
                    assert!(after.contains(&t.command), "{t:?}");
                    assert_eq!(t.to, &[from]);
                }
            }
        }
    }
}
