//! Information queries (SPEC 15.2): the scope decided at acceptance, the answer at instant
//! handling or review, the deferral, and the query log's lines for each decision.

use super::*;
use crate::register::query::{self, Answer, AnswerRef, LogDraft, Outcome as LogOutcome, Querier, QueryArgs, Scope};

fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

impl<'a> Decider<'a> {
    /// The query arguments of `input` for `kind`: a query's, defaults filled in; any given
    /// to another kind is `invalid_argument`.
    pub(super) fn query_args(&self, kind: &KindSpec, input: &IntakeInput) -> Result<Option<QueryArgs>, Refusal> {
        let q = &input.query;
        if kind.produces != Produces::QueryResult {
            return match q.first_given() {
                Some(field) => {
                    Err(Refusal::argument(field, format!("`{field}` is an argument of an information query only")))
                }
                None => Ok(None),
            };
        }
        Ok(Some(QueryArgs {
            querier: q.querier.unwrap_or_default(),
            purpose: trimmed(&q.purpose),
            proof: trimmed(&q.proof),
            authority_type: trimmed(&q.authority_type),
        }))
    }

    /// The page of the case's unit now, as the executor loaded it.
    fn page_now(&self, unit: &UnitNumber) -> crate::register::UnitPage {
        match self.ctx.register {
            Some(register) => register.page(self.ctx.now, self.hours()),
            None => UnitRegister::empty(unit.clone()).page(self.ctx.now, self.hours()),
        }
    }

    /// The scope a query is answered in (`query_not_permitted` when none), decided at
    /// acceptance; `None` for any other kind.
    pub(super) fn query_scope(&self, intake: &Intake) -> Result<Option<Scope>, Refusal> {
        let Some(args) = &intake.query else { return Ok(None) };
        let querier = intake.applicants.first().expect("an intake has applicants");
        let page = self.page_now(&intake.unit);
        query::decide_scope(args, querier, intake.channel, &self.ctx.centre.register.authorities, &page).map(Some)
    }

    /// The answer to a query accepted in `scope`: the page now in that scope.
    pub(super) fn answer(&self, intake: &Intake, scope: Scope) -> Answer {
        let args = intake.query.clone().unwrap_or_default();
        let querier = Querier::of(intake.applicants.first().expect("an intake has applicants"));
        let page = query::scoped(self.page_now(&intake.unit), scope, &querier.id);
        let reference = AnswerRef {
            id: query::query_result_id(self.ctx.centre.id.as_str(), self.ctx.case_id.as_str()),
            scope,
            result_hash: query::result_hash(&page),
        };
        Answer { reference, page, querier, class: args.querier, purpose: args.purpose }
    }

    /// `defer_query`: the promise becomes acceptance + `query_defer_days` working days.
    pub(super) fn defer_query(&self, kind: &KindSpec, role: Role, reason: &str) -> Result<Vec<Draft>, Refusal> {
        let case = self.case();
        if kind.produces != Produces::QueryResult {
            return Err(refuse(ErrorCode::InvalidTransition, "`defer_query` defers an information query only"));
        }
        if case.deferral().is_some() {
            return Err(refuse(ErrorCode::InvalidTransition, "the query was deferred once already"));
        }
        let acceptance = case.acceptance().expect("accepted");
        let days = self.ctx.centre.register.query_defer_days;
        let clocks = acceptance.clocks.deferred(days);
        let deadlines = self.project(&clocks)?;
        Ok(vec![self.draft(
            role,
            case.state(),
            Change::QueryDeferred { days, reason: reason.trim().to_owned(), clocks, deadlines },
        )])
    }
}

/// The query log's lines for `event` on `case` (the case after it): `accepted` when a
/// query's scope was decided, `answered` when it was answered, `deferred`.
pub(super) fn log_lines(case: &Case, event: &Event) -> Vec<LogDraft> {
    let Some(args) = &case.intake().query else { return Vec::new() };
    let line = |outcome: LogOutcome, result_hash: Option<String>| LogDraft {
        at: event.at,
        actor: event.actor.to_string(),
        querier: case.intake().applicants.first().map(Querier::of),
        class: args.querier.into(),
        purpose: args.purpose.clone(),
        unit: case.intake().unit.to_string(),
        outcome,
        channel: Some(case.intake().channel),
        code: None,
        case: Some(case.id().to_string()),
        result_hash,
    };
    let answered =
        |answer: &Option<AnswerRef>| answer.as_ref().map(|a| line(LogOutcome::Answered, Some(a.result_hash.clone())));
    match &event.change {
        Change::Accepted { acceptance, .. } if acceptance.scope.is_some() => vec![line(LogOutcome::Accepted, None)],
        Change::HandledInstantly { acceptance, answer, .. } if acceptance.scope.is_some() => {
            std::iter::once(line(LogOutcome::Accepted, None)).chain(answered(answer)).collect()
        }
        Change::Reviewed { answer, .. } => answered(answer).into_iter().collect(),
        Change::QueryDeferred { .. } => vec![line(LogOutcome::Deferred, None)],
        _ => Vec::new(),
    }
}

/// The query log's line for a refused query (SPEC 15.2: the one refusal that writes
/// something): `refused` with its code, for an acceptance refused `query_not_permitted`.
pub fn refused_query_line(
    case: Option<&Case>,
    command: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
    refusal: &Refusal,
) -> Option<LogDraft> {
    if refusal.code != ErrorCode::QueryNotPermitted {
        return None;
    }
    let (querier, class, purpose, unit, channel) = match (command, case) {
        (Command::Accept { intake: Some(i), .. } | Command::HandleInstantly { intake: i, .. }, None) => {
            let first = i.applicants.first()?;
            let querier = Querier {
                name: first.name.trim().to_owned(),
                id: first.id.trim().to_owned(),
                id_type: first.id_type.unwrap_or(IdType::default_for(i.applicant_category)),
            };
            let args = &i.query;
            (querier, args.querier.unwrap_or_default(), trimmed(&args.purpose), i.unit.trim().to_owned(), i.channel)
        }
        (Command::Accept { .. }, Some(c)) => {
            let args = c.intake().query.clone().unwrap_or_default();
            let querier = Querier::of(c.intake().applicants.first()?);
            (querier, args.querier, args.purpose, c.intake().unit.to_string(), c.intake().channel)
        }
        _ => return None,
    };
    Some(LogDraft {
        at: now,
        actor: actor.id().to_string(),
        querier: Some(querier),
        class: class.into(),
        purpose,
        unit,
        outcome: LogOutcome::Refused,
        channel: Some(channel),
        code: Some(refusal.code),
        case: case.map(|c| c.id().to_string()),
        result_hash: None,
    })
}
