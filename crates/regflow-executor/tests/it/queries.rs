//! Work queues, my business, the overdue list and reports.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::{Clock, ManualClock, ReportFilter, Request};
use regflow_process::{ApplicantInput, CaseId, Channel, Command, Priority, Role};

async fn queue_and_reports(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    // Three cases: a standard one first, then a military one, then a green-channel one
    // accepted a day later (later promise).
    let open = |label: &str, priority: Priority, who: &str| {
        let mut input = intake("change", Channel::Window);
        input.priority = priority;
        input.applicants = vec![ApplicantInput::new("x", who)];
        (CaseId::new(label), Command::Accept { intake: Some(input), materials: all_materials(&engine, "change") })
    };
    for (label, priority, who, when) in [
        ("std", Priority::Standard, ZHANG, "2026-03-02T09:00:00+08:00"),
        ("mil", Priority::Military, LI, "2026-03-02T10:00:00+08:00"),
        ("green", Priority::GreenChannel, ZHANG, "2026-03-03T09:00:00+08:00"),
    ] {
        clock.set(at(when));
        let (id, cmd) = open(label, priority, who);
        engine.execute(Request::to(&id, clerk.clone(), cmd)).await.unwrap();
    }
    let q = engine.work_queue(&xining(), Role::Reviewer, 10).await.unwrap();
    let order: Vec<&str> = q.iter().map(|c| c.id().as_str()).collect();
    assert_eq!(order, ["mil", "green", "std"]);
    assert!(engine.work_queue(&xining(), Role::Registrar, 10).await.unwrap().is_empty());
    assert!(engine
        .work_queue(&regflow_process::CentreId::new("haidong"), Role::Reviewer, 10)
        .await
        .unwrap()
        .is_empty());
    // Tax officers see running transfers whose tax task is not done.
    clock.set(at("2026-03-03T10:00:00+08:00"));
    let t = engine
        .execute(Request::new(clerk.clone(), accept(&engine, "transfer_second_hand", Channel::Window)))
        .await
        .unwrap();
    assert_eq!(engine.work_queue(&xining(), Role::TaxOfficer, 10).await.unwrap()[0].id(), t.case.id());
    let all = ["std", "mil", "green", t.case.id().as_str()].map(CaseId::new);
    queues_agree_with_the_core(&engine, &all).await;
    // My business.
    let mine: Vec<String> =
        engine.cases_of_applicant(ZHANG).await.unwrap().iter().map(|c| c.id().to_string()).collect();
    assert_eq!(mine.len(), 3);
    assert!(mine.contains(&"std".to_owned()) && mine.contains(&"green".to_owned()));
    // Complete "std" on time, "mil" late; leave "green" overdue.
    clock.set(at("2026-03-04T10:00:00+08:00"));
    review_record_issue(&engine, &CaseId::new("std")).await;
    clock.set(at("2026-03-10T10:00:00+08:00"));
    let id = CaseId::new("mil");
    review_record_issue(&engine, &id).await;
    engine
        .execute(Request::to(&id, applicant(LI), Command::Evaluate { rating: 4, comment: "ok".into() }))
        .await
        .unwrap();
    queues_agree_with_the_core(&engine, &all).await;
    let overdue = engine.overdue(Some(&xining()), clock.now()).await.unwrap();
    let ids: Vec<&str> = overdue.iter().map(|o| o.case.id().as_str()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"green"));
    let filter = ReportFilter::period(at("2026-03-01T00:00:00+08:00"), at("2026-04-01T00:00:00+08:00"));
    let r = engine.report(&filter).await.unwrap();
    assert_eq!(r.overall.opened, 4);
    assert_eq!(r.overall.accepted, 4);
    assert_eq!(r.overall.completed, 2);
    assert_eq!(r.overall.on_time_rate, Some(0.5));
    // std used 2 working days (03-03, 03-04); mil 6 (03-03 … 03-10).
    assert_eq!(r.overall.mean_working_days, Some(4.0));
    assert_eq!(r.overall.median_working_days, Some(4.0));
    let reduction = r.overall.reduction_vs_statute.unwrap();
    assert!((reduction - (1.0 - 4.0 / 30.0)).abs() < 1e-9);
    assert_eq!((r.overall.evaluations, r.overall.average_rating), (1, Some(4.0)));
    assert_eq!(r.materials[&regflow_process::KindId::parse("transfer_second_hand").unwrap()], (7, Some(23)));
    let mut only_transfers = filter.clone();
    only_transfers.kind = Some(regflow_process::KindId::parse("transfer_second_hand").unwrap());
    let r = engine.report(&only_transfers).await.unwrap();
    assert_eq!((r.overall.opened, r.overall.completed), (1, 0));
}
on_both!(queues_my_business_overdue_and_reports, queue_and_reports);

/// Every role's work queue as the database selects and orders it is the one the process
/// crate's rule gives over the same cases (`WorkQueue::holds`, `queue_order`), which the
/// simulation uses to keep its queues in memory.
async fn queues_agree_with_the_core(engine: &regflow_executor::Engine, ids: &[CaseId]) {
    let mut cases = Vec::new();
    for id in ids {
        cases.push(engine.case(id).await.unwrap().unwrap().case);
    }
    for role in Role::ALL {
        let stored: Vec<CaseId> =
            engine.work_queue(&xining(), role, 100).await.unwrap().iter().map(|c| c.id().clone()).collect();
        let queue = regflow_process::WorkQueue::of(role);
        let mut held: Vec<&regflow_process::Case> = cases.iter().filter(|c| queue.holds(c)).collect();
        held.sort_by(|a, b| regflow_process::queue_order(a).cmp(&regflow_process::queue_order(b)));
        let held: Vec<CaseId> = held.iter().map(|c| c.id().clone()).collect();
        assert_eq!(stored, held, "the {role} queue");
    }
}

async fn pages_officers_and_bases(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    // Seven accepted changes, by two clerks; one of the clerks also reviews.
    let both = regflow_process::Actor::new("pat", [Role::Clerk, Role::Reviewer], xining());
    for i in 0..7 {
        clock.set(at(&format!("2026-03-02T09:{:02}:00+08:00", i)));
        let by = if i % 2 == 0 { both.clone() } else { staff("clerk-1", Role::Clerk) };
        engine
            .execute(Request::to(&CaseId::new(format!("c{i}")), by, accept(&engine, "change", Channel::Window)))
            .await
            .unwrap();
    }
    // A reviewer pages through all seven, three at a time, in queue order.
    let rev = staff("rev-1", Role::Reviewer);
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = engine.work_queue_page(&rev, Role::Reviewer, 3, cursor.as_ref()).await.unwrap();
        assert!(page.cases.len() <= 3);
        seen.extend(page.cases.iter().map(|c| c.id().to_string()));
        match page.next {
            Some(next) => cursor = Some(regflow_executor::QueueCursor::parse(next.as_str()).unwrap()),
            None => break,
        }
    }
    let all: Vec<String> = (0..7).map(|i| format!("c{i}")).collect();
    assert_eq!(seen, all);
    // `pat` accepted c0, c2, c4, c6: separation of duties keeps them out of pat's queue.
    let pats = engine.work_queue_page(&both, Role::Reviewer, 10, None).await.unwrap();
    let ids: Vec<&str> = pats.cases.iter().map(|c| c.id().as_str()).collect();
    assert_eq!(ids, ["c1", "c3", "c5"]);
    assert!(pats.next.is_none());
    // Bad input is refused, naming what is wrong.
    let code = |e: regflow_executor::Error| e.code().unwrap();
    let clerk = staff("clerk-1", Role::Clerk);
    assert_eq!(
        code(engine.work_queue_page(&clerk, Role::Reviewer, 3, None).await.unwrap_err()),
        regflow_process::ErrorCode::ForbiddenRole
    );
    assert_eq!(
        code(engine.work_queue_page(&rev, Role::Reviewer, 0, None).await.unwrap_err()),
        regflow_process::ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(regflow_executor::QueueCursor::parse("1.2.x").unwrap_err()),
        regflow_process::ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(engine.cases_of_applicant("not-an-id").await.unwrap_err()),
        regflow_process::ErrorCode::InvalidIdentifier
    );
    assert_eq!(engine.cases_of_applicant(&ZHANG.to_lowercase()).await.unwrap().len(), 7);
    // Reports by when cases were completed, and per channel.
    clock.set(at("2026-03-04T10:00:00+08:00"));
    review_record_issue(&engine, &CaseId::new("c1")).await;
    let march = (at("2026-03-01T00:00:00+08:00"), at("2026-04-01T00:00:00+08:00"));
    let opened = engine.report(&ReportFilter::period(march.0, march.1)).await.unwrap();
    let completed = engine.report(&ReportFilter::completed(march.0, march.1)).await.unwrap();
    assert_eq!((opened.overall.opened, completed.overall.opened), (7, 1));
    assert_eq!(completed.overall.completed, 1);
    assert_eq!(opened.by_channel[&Channel::Window].opened, 7);
    assert_eq!(opened.by_channel.len(), 1);
    let april = engine.report(&ReportFilter::completed(march.1, at("2026-05-01T00:00:00+08:00"))).await.unwrap();
    assert_eq!(april.overall.opened, 0);
}
on_both!(work_queue_pages_per_officer_and_reports_by_completion, pages_officers_and_bases);

async fn one_callers_view(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine_of(db, &clock, &["xining", "haidong"]).await;
    let id = CaseId::new("V1");
    open_change(&engine, &id).await;
    let haidong = regflow_process::CentreId::new("haidong");
    let code = |e: regflow_executor::Error| e.code().unwrap();
    // Staff of the case's centre see it; another centre's staff do not, and are told
    // exactly what a missing case would tell them.
    let rev = staff("rev-1", Role::Reviewer);
    assert!(engine.as_actor(&rev).case(&id).await.unwrap().is_some());
    let stranger = regflow_process::Actor::new("rev-1", [Role::Reviewer, Role::Supervisor], haidong.clone());
    let theirs = engine.as_actor(&stranger);
    assert!(theirs.case(&id).await.unwrap().is_none());
    let hidden = code(theirs.history(&id).await.unwrap_err());
    let missing = code(theirs.history(&CaseId::new("nope")).await.unwrap_err());
    assert_eq!((hidden, missing), (regflow_process::ErrorCode::CaseNotFound, regflow_process::ErrorCode::CaseNotFound));
    assert_eq!(code(theirs.verify(&id).await.unwrap_err()), regflow_process::ErrorCode::CaseNotFound);
    // Reports and the overdue list are of the caller's centre, whatever the filter says.
    let mut filter = ReportFilter::period(at("2026-03-01T00:00:00+08:00"), at("2026-04-01T00:00:00+08:00"));
    filter.centre = Some(xining());
    assert_eq!(theirs.report(&filter).await.unwrap().overall.opened, 0);
    assert_eq!(engine.as_actor(&rev).report(&filter).await.unwrap().overall.opened, 1);
    assert!(theirs.overdue(at("2026-06-01T00:00:00+08:00")).await.unwrap().is_empty());
    assert_eq!(engine.as_actor(&rev).overdue(at("2026-06-01T00:00:00+08:00")).await.unwrap().len(), 1);
    // An applicant sees their own cases only, and no report.
    let zhang = applicant(ZHANG);
    assert_eq!(engine.as_actor(&zhang).my_cases().await.unwrap().len(), 1);
    assert!(engine.as_actor(&zhang).case(&id).await.unwrap().is_some());
    let someone = applicant("630102199001010013");
    assert!(engine.as_actor(&someone).case(&id).await.unwrap().is_none());
    assert!(engine.as_actor(&someone).my_cases().await.unwrap().is_empty());
    assert_eq!(
        code(engine.as_actor(&zhang).report(&filter).await.unwrap_err()),
        regflow_process::ErrorCode::ForbiddenRole
    );
    assert_eq!(code(engine.as_actor(&rev).my_cases().await.unwrap_err()), regflow_process::ErrorCode::ForbiddenRole);
    // The same applicant id registered at another centre sees nothing of xining's.
    let zhang_elsewhere = regflow_process::Actor::applicant(ZHANG, haidong);
    assert!(engine.as_actor(&zhang_elsewhere).my_cases().await.unwrap().is_empty());
}
on_both!(one_callers_view_of_the_read_side, one_callers_view);

/// A report over more cases than it reads at once (many opened at the same instant, so
/// pages meet inside a tie) counts each exactly once.
async fn report_across_pages(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let clerk = staff("clerk-1", Role::Clerk);
    let kinds = ["change", "transfer_second_hand", "correction"];
    let n = 2_500;
    let requests: Vec<Request> = (0..n)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            Request::to(&CaseId::new(format!("p{i:05}")), clerk.clone(), accept(&engine, kind, Channel::Window))
        })
        .collect();
    for chunk in requests.chunks(500) {
        engine.execute_all(chunk.to_vec()).await.unwrap();
    }
    let filter = ReportFilter::period(at("2026-03-01T00:00:00+08:00"), at("2026-04-01T00:00:00+08:00"));
    let r = engine.report(&filter).await.unwrap();
    assert_eq!((r.overall.opened, r.overall.accepted), (n as u64, n as u64));
    for (i, kind) in kinds.iter().enumerate() {
        let expected = (0..n).filter(|j| j % kinds.len() == i).count() as u64;
        let k = regflow_process::KindId::parse(kind).unwrap();
        assert_eq!(r.by_kind[&k].opened, expected, "{kind}");
    }
    let by_channel: u64 = r.by_channel.values().map(|f| f.opened).sum();
    assert_eq!(by_channel, n as u64);
}
on_both!(a_report_reads_page_by_page, report_across_pages);

/// One report over two centres' databases (`report_across`): counts add up, and the mean
/// and median are those of all their cases together, not of each database's figures.
async fn a_report_over_two_databases(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let other = Db::sqlite();
    let (here, there) = (engine(db, &clock).await, engine(&other, &clock).await);
    let clerk = staff("clerk-1", Role::Clerk);
    for engine in [&here, &there] {
        let cmd = Command::Accept {
            intake: Some(intake("change", Channel::Window)),
            materials: all_materials(engine, "change"),
        };
        engine.execute(Request::to(&CaseId::new("c1"), clerk.clone(), cmd)).await.unwrap();
    }
    // Here the case takes 2 working days (03-03, 03-04); there 6 (03-03 … 03-10).
    clock.set(at("2026-03-04T10:00:00+08:00"));
    review_record_issue(&here, &CaseId::new("c1")).await;
    clock.set(at("2026-03-10T10:00:00+08:00"));
    review_record_issue(&there, &CaseId::new("c1")).await;
    let filter = ReportFilter::period(at("2026-03-01T00:00:00+08:00"), at("2026-04-01T00:00:00+08:00"));
    let both = regflow_executor::report_across(&[here.clone(), there.clone()], &filter).await.unwrap();
    assert_eq!((both.overall.opened, both.overall.completed), (2, 2));
    assert_eq!(both.overall.mean_working_days, Some(4.0));
    assert_eq!(both.overall.median_working_days, Some(4.0));
    assert_eq!(both.overall.on_time_rate, Some(0.5));
    assert_eq!(both, {
        let mut alone = here.report(&filter).await.unwrap();
        alone.overall = both.overall.clone();
        alone.by_category = both.by_category.clone();
        alone.by_kind = both.by_kind.clone();
        alone.by_channel = both.by_channel.clone();
        alone
    });
    assert_eq!(here.report(&filter).await.unwrap().overall.mean_working_days, Some(2.0));
    let none = regflow_executor::report_across(&[], &filter).await.unwrap_err();
    assert_eq!(none.code(), Some(regflow_process::ErrorCode::InvalidArgument));
    other.finish().await;
}
on_both!(one_report_over_two_databases, a_report_over_two_databases);
