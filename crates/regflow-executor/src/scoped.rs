//! The read side as one caller sees it (SPEC 6, 10): an embedding application or a service
//! answers with [`Engine::as_actor`] and cannot leak by accident. Another centre's case is
//! not found; an applicant sees only the cases they are party to; reports and the overdue
//! list are of the caller's own centre.

use chrono::{DateTime, Utc};
use regflow_process::{Actor, Case, CaseId, Detail, ErrorCode, Refusal, Role};

use crate::delivery::Queued;
use crate::engine::{Engine, Executed, Request};
use crate::error::Result;
use crate::mapping::HistoryEntry;
use crate::queries::{CaseView, Overdue, QueueCursor, QueuePage, Verification};
use crate::report::{Report, ReportFilter};

/// A unit the caller owns, for 我的不动产.
#[derive(Debug, Clone)]
pub struct MyUnit {
    /// Its page now.
    pub page: regflow_process::register::UnitPage,
    /// The certificates of the caller's cases on it, with where each stands.
    pub certificates: Vec<(crate::certificates::Certificate, crate::certificates::Verification)>,
}

/// The read side of the engine for one caller.
#[derive(Debug, Clone)]
pub struct ActorView<'e> {
    engine: &'e Engine,
    actor: Actor,
}

fn not_found(id: &CaseId) -> crate::Error {
    Refusal::new(ErrorCode::CaseNotFound, format!("no case `{id}`")).into()
}

impl Engine {
    /// The read side as `actor` may see it.
    pub fn as_actor(&self, actor: &Actor) -> ActorView<'_> {
        ActorView { engine: self, actor: actor.clone() }
    }
}

impl ActorView<'_> {
    /// Refuses anyone but the centre's officers (not applicants, nor the bank, kiosk or
    /// court systems): "`actor` {what}".
    fn officer(&self, what: &str) -> Result<()> {
        if Role::OFFICERS.iter().any(|r| self.actor.has(*r)) {
            return Ok(());
        }
        Err(Refusal::new(ErrorCode::ForbiddenRole, format!("`{}` {what}", self.actor.id()))
            .with(Detail::Roles { required: Role::OFFICERS.to_vec() })
            .into())
    }

    fn staff(&self) -> Result<()> {
        if self.actor.is_staff() {
            return Ok(());
        }
        Err(Refusal::new(
            ErrorCode::ForbiddenRole,
            format!("`{}` is an applicant; this is for a centre's staff", self.actor.id()),
        )
        .with(Detail::Roles { required: vec![Role::Clerk, Role::Reviewer, Role::Registrar, Role::Supervisor] })
        .into())
    }

    /// The case with its history, or `None` when it does not exist or the caller may not
    /// see it (another centre's, or an applicant's who is not a party): the two are not
    /// told apart.
    ///
    /// # Errors
    /// [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn case(&self, id: &CaseId) -> Result<Option<CaseView>> {
        Ok(self.engine.case(id).await?.filter(|v| v.case.visible_to(&self.actor)))
    }

    /// The certificate `id`, for the centre's staff and its case's parties
    /// (`certificate_not_found` for anyone else, as for an unknown id).
    ///
    /// # Errors
    /// `certificate_not_found`; [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn certificate(&self, id: &str) -> Result<crate::certificates::Certificate> {
        let certificate = self.engine.certificate(id).await?;
        let case = CaseId::new(certificate.document.case.clone());
        if self.case(&case).await?.is_none() {
            return Err(Refusal::new(ErrorCode::CertificateNotFound, format!("no certificate `{id}`")).into());
        }
        Ok(certificate)
    }

    /// The case's history.
    ///
    /// # Errors
    /// `case_not_found` when the case does not exist or the caller may not see it.
    pub async fn history(&self, id: &CaseId) -> Result<Vec<HistoryEntry>> {
        Ok(self.case(id).await?.ok_or_else(|| not_found(id))?.history)
    }

    /// Verifies the case's history (staff only).
    ///
    /// # Errors
    /// `case_not_found` as [`ActorView::history`]; `forbidden_role` for an applicant.
    pub async fn verify(&self, id: &CaseId) -> Result<Verification> {
        self.staff()?;
        self.case(id).await?.ok_or_else(|| not_found(id))?;
        self.engine.verify(id).await
    }

    /// The page of `unit` in the caller's centre's register, now or as of `at`: for the
    /// centre's registration staff, or an applicant who owns the unit now (SPEC 13.5).
    ///
    /// # Errors
    /// `query_not_permitted` for anyone else; [`crate::Error::Database`].
    pub async fn unit_page(
        &self,
        unit: &regflow_process::identifier::UnitNumber,
        at: Option<DateTime<Utc>>,
    ) -> Result<regflow_process::register::UnitPage> {
        let centre = self.actor.centre();
        let page = self.engine.unit_page(centre, unit, at).await?;
        // An owner is judged by the page now, whatever instant they ask for.
        let now = if at.is_some() { self.engine.unit_page(centre, unit, None).await? } else { page.clone() };
        let decided = regflow_process::register::may_read(&self.actor, centre, &now);
        // Every service read of a page is logged, a refused one too (SPEC 15.2).
        let line = regflow_process::register::query::read_line(&self.actor, &now, &decided, self.engine.now());
        self.engine.log_queries(centre, vec![line]).await?;
        decided?;
        Ok(page)
    }

    /// 我的不动产: the units the calling applicant owns now at their centre, each with its
    /// page (a logged owner's read) and the certificates of the caller's own cases on it.
    ///
    /// # Errors
    /// `forbidden_role` when the caller is not an applicant; [`crate::Error::Database`].
    pub async fn my_units(&self) -> Result<Vec<MyUnit>> {
        let cases = self.my_cases().await?;
        let centre = self.actor.centre();
        let ids: Vec<&CaseId> = cases.iter().map(Case::id).collect();
        let certificates = self.engine.certificates_of(centre, &ids).await?;
        let me = self.actor.id().as_str();
        let mut out = Vec::new();
        for unit in self.engine.units_naming(centre, me).await? {
            let now = self.engine.unit_page(centre, &unit, None).await?;
            if !now.owners.iter().any(|o| o.id.eq_ignore_ascii_case(me)) {
                continue;
            }
            let page = self.unit_page(&unit, None).await?;
            let mut mine = Vec::new();
            for (_, c) in certificates.iter().filter(|(_, c)| c.document.unit == unit.as_str()) {
                let standing = self.engine.verify_certificate(&c.document.id, None).await?;
                mine.push((c.clone(), standing));
            }
            out.push(MyUnit { page, certificates: mine });
        }
        Ok(out)
    }

    /// The answer to an information query with its 查询结果证明: for the querier (a party
    /// of the case) and the centre's staff; `certificate_not_found` for anyone else, as for
    /// an unknown id.
    ///
    /// # Errors
    /// `certificate_not_found`; [`crate::Error::Database`] or [`crate::Error::Corrupt`].
    pub async fn query_result(&self, id: &str) -> Result<crate::query_results::QueryResult> {
        let result = self.engine.query_result(id).await?;
        let case = CaseId::new(result.document.case.clone());
        if self.case(&case).await?.is_none() {
            return Err(Refusal::new(ErrorCode::CertificateNotFound, format!("no query result `{id}`")).into());
        }
        Ok(result)
    }

    /// The answer to the information query `case`, as [`ActorView::query_result`].
    ///
    /// # Errors
    /// `case_not_found` when the caller may not see the case; `certificate_not_found` when
    /// it has no answer (yet).
    pub async fn case_result(&self, case: &CaseId) -> Result<crate::query_results::QueryResult> {
        let view = self.case(case).await?.ok_or_else(|| not_found(case))?;
        let Some(answer) = view.case.answer() else {
            return Err(Refusal::new(
                ErrorCode::CertificateNotFound,
                format!("case `{case}` has no query answer: only an answered information query has one"),
            )
            .into());
        };
        self.engine.query_result(&answer.id).await
    }

    /// The caller's centre's query log (supervisors only).
    ///
    /// # Errors
    /// `forbidden_role` for anyone else; [`crate::Error::Database`].
    pub async fn query_log(
        &self,
        q: &crate::query_log::QueryLogQuery,
    ) -> Result<Vec<regflow_process::register::query::LogLine>> {
        if !self.actor.has(Role::Supervisor) {
            return Err(Refusal::new(
                ErrorCode::ForbiddenRole,
                format!("`{}` may not read the query log: it needs the role supervisor", self.actor.id()),
            )
            .with(Detail::Roles { required: vec![Role::Supervisor] })
            .into());
        }
        self.engine.query_log(self.actor.centre(), q).await
    }

    /// The entries of `unit` in the caller's centre's register, optionally those recorded in
    /// `[from, to)`; readable as [`ActorView::unit_page`].
    ///
    /// # Errors
    /// As [`ActorView::unit_page`].
    pub async fn unit_entries(
        &self,
        unit: &regflow_process::identifier::UnitNumber,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<regflow_process::register::Entry>> {
        self.unit_page(unit, None).await?;
        let entries = self.engine.unit_entries(self.actor.centre(), unit).await?;
        Ok(entries
            .into_iter()
            .filter(|e| from.is_none_or(|f| e.draft.recorded_at >= f) && to.is_none_or(|t| e.draft.recorded_at < t))
            .collect())
    }

    /// The entries a case's events wrote: for whoever may see the case.
    ///
    /// # Errors
    /// `case_not_found` as [`ActorView::history`].
    pub async fn case_entries(&self, id: &CaseId) -> Result<Vec<regflow_process::register::Entry>> {
        self.case(id).await?.ok_or_else(|| not_found(id))?;
        self.engine.case_entries(id).await
    }

    /// A page of the caller's work queue in `role` (see [`Engine::work_queue_page`]).
    ///
    /// # Errors
    /// As [`Engine::work_queue_page`].
    pub async fn work_queue(&self, role: Role, limit: usize, cursor: Option<&QueueCursor>) -> Result<QueuePage> {
        self.engine.work_queue_page(&self.actor, role, limit, cursor).await
    }

    /// 我的业务: the calling applicant's own cases at their centre, newest first.
    ///
    /// # Errors
    /// `forbidden_role` when the caller is not an applicant; `invalid_identifier` when the
    /// caller's id is not a resident ID number or credit code.
    pub async fn my_cases(&self) -> Result<Vec<Case>> {
        if !self.actor.has(Role::Applicant) {
            return Err(Refusal::new(ErrorCode::ForbiddenRole, format!("`{}` is not an applicant", self.actor.id()))
                .with(Detail::Roles { required: vec![Role::Applicant] })
                .into());
        }
        let all = self.engine.cases_of_applicant(self.actor.id().as_str()).await?;
        Ok(all.into_iter().filter(|c| c.visible_to(&self.actor)).collect())
    }

    /// The caller's centre's cases that `text` names — a case id, a unit number or a party's
    /// identifier (SPEC 12: the clerk finds any case of the centre): for its officers.
    ///
    /// # Errors
    /// `forbidden_role` for anyone else; as [`Engine::find_cases`].
    pub async fn find_cases(&self, text: &str) -> Result<Vec<Case>> {
        self.officer("does not search the centre's cases")?;
        self.engine.find_cases(self.actor.centre(), text).await
    }

    /// The SPEC 7 report of the caller's own centre (staff only), whatever centre the
    /// filter names.
    ///
    /// # Errors
    /// `forbidden_role` for an applicant; as [`Engine::report`].
    pub async fn report(&self, filter: &ReportFilter) -> Result<Report> {
        self.staff()?;
        let mut mine = filter.clone();
        mine.centre = Some(self.actor.centre().clone());
        self.engine.report(&mine).await
    }

    /// The caller's centre's overdue list at `now` (staff only).
    ///
    /// # Errors
    /// `forbidden_role` for an applicant; as [`Engine::overdue`].
    pub async fn overdue(&self, now: DateTime<Utc>) -> Result<Vec<Overdue>> {
        self.staff()?;
        self.engine.overdue(Some(self.actor.centre()), now).await
    }

    /// Runs `req` as this caller (whatever actor it names). A command to an existing case
    /// the caller may not see is `case_not_found`, before any other rule: an applicant
    /// learns nothing of a case they are not party to, as another centre learns nothing.
    ///
    /// # Errors
    /// As [`Engine::execute`].
    pub async fn execute(&self, mut req: Request) -> Result<Executed> {
        req.actor = self.actor.clone();
        if let Some(id) = &req.case_id {
            if self.actor.has(Role::Applicant)
                && self.case(id).await?.is_none()
                && self.engine.case(id).await?.is_some()
            {
                return Err(not_found(id));
            }
        }
        self.engine.execute(req).await
    }

    /// Up to `limit` of the caller's centre's alerts after id `after` (see
    /// [`Engine::alerts_after`]). Only a centre's own officers follow its alerts; applicants
    /// and channel systems (bank, kiosk, court) do not.
    ///
    /// # Errors
    /// `forbidden_role` for any other caller; as [`Engine::alerts_after`].
    pub async fn alerts_after(&self, after: u64, limit: usize) -> Result<Vec<Queued>> {
        self.officer("does not follow the centre's alerts")?;
        self.engine.alerts_after(Some(self.actor.centre()), after, limit).await
    }
}
