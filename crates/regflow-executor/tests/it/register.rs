//! The register through the engine (SPEC 13): entries written with their events, pages
//! now and as of any instant, lapses fired once however many engines run, verification
//! naming an edited, deleted or inserted entry.

use crate::support::*;
use regflow_executor::on_both;
use regflow_executor::{Engine, ManualClock, RegisterTampering, Request};
use regflow_process::identifier::UnitNumber;
use regflow_process::register::{EntryType, UnitStatus};
use regflow_process::{
    ApplicantCategory, ApplicantInput, CaseId, Channel, Command, ErrorCode, IntakeInput, PartyRole, Role, Task,
};

const WANG: &str = "630102197001010014";

fn unit() -> UnitNumber {
    UnitNumber::parse(UNIT).unwrap()
}

async fn raw(engine: &Engine, sql: &str) {
    if let Some(pool) = engine.sqlite_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    } else if let Some(pool) = engine.postgres_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

/// Accepts, reviews and records a case of `kind` with `parties` on UNIT.
async fn record(
    engine: &Engine,
    label: &str,
    kind: &str,
    parties: Vec<ApplicantInput>,
) -> regflow_executor::Result<regflow_executor::Executed> {
    let id = CaseId::new(label);
    let intake = IntakeInput::new(kind, ApplicantCategory::Individual, parties, UNIT, Channel::Window);
    let accept = Command::Accept { intake: Some(intake), materials: all_materials(engine, kind) };
    engine.execute(Request::to(&id, staff("clerk-1", Role::Clerk), accept)).await?;
    for task in engine.catalogue().get(kind).unwrap().tasks.clone() {
        let officer =
            if task == Task::Tax { staff("tax-1", Role::TaxOfficer) } else { staff("tr-1", Role::TransactionOfficer) };
        engine.execute(Request::to(&id, officer, Command::task_succeeded(task))).await?;
    }
    engine.execute(Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await?;
    engine.execute(Request::to(&id, staff("reg-1", Role::Registrar), Command::Record)).await
}

async fn owners_change_hands(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let first = vec![ApplicantInput::new("张三", ZHANG).share("1/3"), ApplicantInput::new("李四", LI).share("2/3")];
    let done = record(&engine, "F", "first_registration", first).await.unwrap();
    assert_eq!(done.register.len(), 1, "one event, one entry");
    let entry = &done.register[0];
    assert_eq!(
        (entry.seq, entry.entry_type(), entry.event),
        (1, EntryType::Ownership, Some(done.entries[0].event.seq))
    );
    assert_eq!(entry.id, "xining.1");
    clock.set(at("2026-03-04T16:20:00+08:00"));
    let sale = vec![
        ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor),
        ApplicantInput::new("李四", LI).role(PartyRole::Obligor),
        ApplicantInput::new("王五", WANG),
    ];
    let err = record(
        &engine,
        "X",
        "transfer_second_hand",
        vec![ApplicantInput::new("李四", LI).role(PartyRole::Obligor), ApplicantInput::new("王五", WANG)],
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotTheOwner));
    record(&engine, "T", "transfer_second_hand", sale).await.unwrap();
    let page = engine.unit_page(&xining(), &unit(), None).await.unwrap();
    assert_eq!(page.status, UnitStatus::Registered);
    let owners: Vec<(&str, String)> = page.owners.iter().map(|o| (o.name.as_str(), o.share.to_string())).collect();
    assert_eq!(owners, vec![("王五", "1/1".to_owned())]);
    let before = engine.unit_page(&xining(), &unit(), Some(at("2026-03-04T16:19:59+08:00"))).await.unwrap();
    let owners: Vec<(&str, String)> = before.owners.iter().map(|o| (o.name.as_str(), o.share.to_string())).collect();
    assert_eq!(owners, vec![("张三", "1/3".to_owned()), ("李四", "2/3".to_owned())]);
    assert_eq!(engine.unit_entries(&xining(), &unit()).await.unwrap().len(), 2);
    let of_t = engine.case_entries(&CaseId::new("T")).await.unwrap();
    assert_eq!(of_t.len(), 1);
    assert_eq!(of_t[0].draft.class.code(), 200);
    let v = engine.verify_register(&xining()).await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!((v.entries, v.units), (2, 1));
}
on_both!(recording_writes_its_entry_with_its_event, owners_change_hands);

async fn lapse_once(db: &Db) {
    let clock = ManualClock::new(at("2025-09-16T10:00:00+08:00"));
    let a = engine(db, &clock).await;
    let b = engine(db, &clock).await;
    record(&a, "O", "objection", vec![ApplicantInput::new("张三", ZHANG)]).await.unwrap();
    assert_eq!(a.next_due().await.unwrap().map(|t| t <= at("2025-10-10T00:00:00+08:00")), Some(true));
    // Two engines fire at once after the lapse: one lapse entry, at its due instant.
    let after = at("2025-10-10T00:00:01+08:00");
    let (pa, pb) = tokio::join!(
        a.run_due(after, &regflow_executor::IgnoreAlerts),
        b.run_due(after, &regflow_executor::IgnoreAlerts)
    );
    let lapses = pa.unwrap().register.len() + pb.unwrap().register.len();
    assert_eq!(lapses, 1, "the lapse is written once");
    let entries = a.unit_entries(&xining(), &unit()).await.unwrap();
    let types: Vec<EntryType> = entries.iter().map(|e| e.entry_type()).collect();
    assert_eq!(types, vec![EntryType::Objection, EntryType::ObjectionLapsed]);
    assert_eq!(entries[1].draft.recorded_at, at("2025-10-10T00:00:00+08:00"));
    assert_eq!(entries[1].draft.refers_to, Some(1));
    // Nothing is due any more; a later pass writes nothing.
    assert!(a
        .run_due(at("2025-10-10T08:00:00+08:00"), &regflow_executor::IgnoreAlerts)
        .await
        .unwrap()
        .register
        .is_empty());
    // A lawsuit now is refused: the objection is gone.
    clock.set(at("2025-10-10T09:00:00+08:00"));
    let lawsuit =
        Command::LawsuitFiled { court: "城中区人民法院".into(), filed_on: "2025-10-09".parse().unwrap() };
    let err = a.execute(Request::to(&CaseId::new("O"), applicant(ZHANG), lawsuit)).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidTransition));
    assert!(a.verify_register(&xining()).await.unwrap().is_intact());
}
on_both!(a_lapse_is_written_once_however_many_engines_fire, lapse_once);

async fn lazy_lapse(db: &Db) {
    // No watcher ran: the next command on the unit writes the lapse first, in its own
    // transaction, at the lapse's due instant.
    let clock = ManualClock::new(at("2025-09-16T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    record(&engine, "O", "objection", vec![ApplicantInput::new("张三", ZHANG)]).await.unwrap();
    clock.set(at("2025-10-20T10:00:00+08:00"));
    let done = record(&engine, "F", "first_registration", vec![ApplicantInput::new("张三", ZHANG)]).await.unwrap();
    let types: Vec<EntryType> = done.register.iter().map(|e| e.entry_type()).collect();
    assert_eq!(types, vec![EntryType::ObjectionLapsed, EntryType::Ownership]);
    // A refused recording writes nothing, lapses included.
    let entries = engine.unit_entries(&xining(), &unit()).await.unwrap().len();
    let err = record(&engine, "F2", "first_registration", vec![ApplicantInput::new("李四", LI)]).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::UnitRegistered));
    assert_eq!(engine.unit_entries(&xining(), &unit()).await.unwrap().len(), entries);
}
on_both!(the_next_command_on_a_unit_writes_the_lapses_due_first, lazy_lapse);

async fn tampering(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    record(&engine, "F", "first_registration", vec![ApplicantInput::new("张三", ZHANG)]).await.unwrap();
    for label in ["O1", "O2", "O3"] {
        record(&engine, label, "objection", vec![ApplicantInput::new("李四", LI)]).await.unwrap();
    }
    assert!(engine.verify_register(&xining()).await.unwrap().is_intact());
    // Edited: an owner's name.
    raw(&engine, "UPDATE regflow_register_entries SET body = replace(body, '张三', '赵六') WHERE seq = 1").await;
    let v = engine.verify_register(&xining()).await.unwrap();
    assert_eq!(v.problems, vec![RegisterTampering::Edited { seq: 1 }], "{v:?}");
    raw(&engine, "UPDATE regflow_register_entries SET body = replace(body, '赵六', '张三') WHERE seq = 1").await;
    // A column edited.
    raw(&engine, "UPDATE regflow_register_entries SET unit = '630102001001GB00001F00010002' WHERE seq = 2").await;
    let v = engine.verify_register(&xining()).await.unwrap();
    assert!(v.problems.contains(&RegisterTampering::Column { seq: 2, column: "unit".into() }), "{v:?}");
    raw(&engine, &format!("UPDATE regflow_register_entries SET unit = '{UNIT}' WHERE seq = 2")).await;
    assert!(engine.verify_register(&xining()).await.unwrap().is_intact());
    // Deleted: the entry after the gap is named, and the event that wrote it has no entry.
    raw(&engine, "DELETE FROM regflow_register_entries WHERE seq = 3").await;
    let v = engine.verify_register(&xining()).await.unwrap();
    assert!(v.problems.contains(&RegisterTampering::Broken { seq: 4 }), "{v:?}");
    assert!(v.problems.iter().any(|p| matches!(p, RegisterTampering::NoEntry { case, .. } if case == "O2")), "{v:?}");
    // Inserted: a copy of entry 4 at seq 5 does not chain, and names an event already taken.
    raw(
        &engine,
        "INSERT INTO regflow_register_entries (centre, seq, unit, case_id, entry_type, recorded_at, body, prev_hash, hash) \
         SELECT centre, 5, unit, case_id, entry_type, recorded_at, body, prev_hash, hash FROM regflow_register_entries WHERE seq = 4",
    )
    .await;
    let v = engine.verify_register(&xining()).await.unwrap();
    assert!(v.problems.contains(&RegisterTampering::Broken { seq: 5 }), "{v:?}");
    // The last one deleted: the head names it.
    raw(&engine, "DELETE FROM regflow_register_entries WHERE seq = 5").await;
    raw(&engine, "DELETE FROM regflow_register_entries WHERE seq = 4").await;
    let v = engine.verify_register(&xining()).await.unwrap();
    assert!(v.problems.contains(&RegisterTampering::Truncated { head: 4, last: 2 }), "{v:?}");
}
on_both!(verification_names_an_edited_deleted_or_inserted_entry, tampering);

async fn racing_sales(db: &Db) {
    // Two sales of one unit by its owner to two buyers, recorded at once: one wins, the
    // other finds the owner changed.
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    record(&engine, "F", "first_registration", vec![ApplicantInput::new("张三", ZHANG)]).await.unwrap();
    let (x, y) = tokio::join!(
        record(
            &engine,
            "S1",
            "transfer_second_hand",
            vec![ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor), ApplicantInput::new("李四", LI)]
        ),
        record(
            &engine,
            "S2",
            "transfer_second_hand",
            vec![ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor), ApplicantInput::new("王五", WANG)]
        ),
    );
    let codes: Vec<Option<ErrorCode>> = [x, y].into_iter().map(|r| r.err().map(|e| e.code().unwrap())).collect();
    assert!(codes.contains(&None), "{codes:?}");
    assert!(codes.iter().any(|c| matches!(c, Some(ErrorCode::NotTheOwner | ErrorCode::Conflict))), "{codes:?}");
    let page = engine.unit_page(&xining(), &unit(), None).await.unwrap();
    assert_eq!(page.owners.len(), 1);
    assert!(engine.verify_register(&xining()).await.unwrap().is_intact());
}
on_both!(two_sales_of_one_unit_cannot_both_record, racing_sales);

/// A handler that remembers every message id it was handed.
#[derive(Default)]
struct Platform(std::sync::Mutex<Vec<String>>);

#[async_trait::async_trait]
impl regflow_executor::ReportHandler for Platform {
    async fn report(&self, message: &regflow_executor::ReportMessage) -> regflow_executor::Delivery {
        self.0.lock().unwrap().push(message.message_id.to_string());
        regflow_executor::Delivery::Acknowledged
    }

    async fn daily_log(&self, log: &regflow_process::register::log::DailyLog) -> regflow_executor::Delivery {
        self.0.lock().unwrap().push(format!("log {}/{}/{}", log.target, log.area, log.date));
        regflow_executor::Delivery::Acknowledged
    }
}

async fn reports_survive_a_restart(db: &Db) {
    // SPEC 14.3 vector 5: the service dies after `record` commits, before the handler is
    // called; after the restart the handler gets the same message id, once.
    let clock = ManualClock::new(at("2026-03-04T16:20:00+08:00"));
    let first = engine(db, &clock).await;
    let sale = vec![ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor), ApplicantInput::new("王五", WANG)];
    let done = record(&first, "T", "transfer_second_hand", sale).await.unwrap();
    let seq = done.register[0].seq;
    drop(first);
    let (a, b) = (engine(db, &clock).await, engine(db, &clock).await);
    let platform = Platform::default();
    let (x, y) = tokio::join!(a.deliver_reports(&platform), b.deliver_reports(&platform));
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(*platform.0.lock().unwrap(), vec!["630102260304000001".to_owned()]);
    let reports = a.reports(&xining(), 0, 10, Some(seq)).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].state, regflow_process::register::ReportState::Sent);
    // A reporter answers; again, the same; a supervisor's retry of an accepted report is refused.
    let adapter = regflow_process::Actor::new("adapter-1", [Role::Reporter], xining());
    let id = reports[0].message_id.clone();
    let target = regflow_process::register::Target::National;
    let ok = regflow_process::register::AckResult::Accepted;
    let acked = a.ack_report(&adapter, seq, target, &id, ok, None).await.unwrap();
    assert_eq!(acked.state, regflow_process::register::ReportState::Accepted);
    assert_eq!(a.ack_report(&adapter, seq, target, &id, ok, None).await.unwrap(), acked);
    let err = a.retry_report(&staff("sup-1", Role::Supervisor), seq, target).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ReportNotRejected));
    // Nothing is handed over twice.
    assert_eq!(a.deliver_reports(&platform).await.unwrap(), 0);
}
on_both!(a_report_is_delivered_again_after_a_crash_under_the_same_id, reports_survive_a_restart);

fn import_file(lines: &[serde_json::Value]) -> tempfile_path::Path {
    tempfile_path::write(lines)
}

mod tempfile_path {
    pub struct Path(pub std::path::PathBuf);
    impl Drop for Path {
        fn drop(&mut self) {
            std::fs::remove_file(&self.0).ok();
        }
    }
    pub fn write(lines: &[serde_json::Value]) -> Path {
        let path = std::env::temp_dir().join(format!("regflow-register-{}.jsonl", uuid::Uuid::new_v4()));
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        std::fs::write(&path, text.join("\n") + "\n").unwrap();
        Path(path)
    }
}

async fn register_import(db: &Db) {
    use serde_json::json;
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let sup = staff("sup-1", Role::Supervisor);
    let other = "630102001001GB00002F00010001";
    let good = [
        json!({"unit": UNIT, "recorded_at": "2020-05-01T10:00:00+08:00",
               "owners": [{"name": "张三", "id": ZHANG, "id_type": "resident_id", "share": "1/2"},
                          {"name": "李四", "id": LI, "share": "1/2"}],
               "mortgages": [{"rank": 2, "mortgagees": [{"name": "青海银行", "id": "91630100MA7512347R", "id_type": "credit_code"}],
                              "mortgagors": [{"name": "张三", "id": ZHANG}], "secured_amount": "300000", "since": "2021-01-01T10:00:00+08:00"}],
               "seizures": [{"court": "城中区人民法院", "since": "2025-06-01T10:00:00+08:00", "last_day": "2028-05-31"},
                            {"court": "城西区人民法院", "since": "2025-07-01T10:00:00+08:00", "queued": true}]}),
        json!({"unit": other, "recorded_at": "2026-02-20T10:00:00+08:00",
               "objections": [{"holders": [{"name": "王五", "id": WANG}], "since": "2026-02-20T10:00:00+08:00"}],
               "advance_notices": [{"holders": [{"name": "王五", "id": WANG}], "since": "2026-01-05T10:00:00+08:00"}]}),
    ];
    let file = import_file(&good);
    let done = engine.import_register(&sup, &file.0).await.unwrap();
    assert_eq!((done.units, done.imported, done.entries), (2, 2, 6));
    let page = engine.unit_page(&xining(), &unit(), None).await.unwrap();
    assert_eq!(page.owners.len(), 2);
    assert_eq!(page.mortgages[0].rank, 2);
    let active = page.seizures.active.as_ref().unwrap();
    assert_eq!(active.expires_at.unwrap().to_rfc3339(), "2028-06-01T00:00:00+08:00");
    assert_eq!(page.seizures.queued.len(), 1);
    // History entries are never reported onward; the objection's lapse is armed.
    assert!(engine.reports(&xining(), 0, 100, None).await.unwrap().is_empty());
    // 02-20 + 15 days is Saturday 03-07, moved to Monday 03-09: it ends at 03-10 00:00.
    let lapse = at("2026-03-10T00:00:00+08:00");
    let pass = engine.run_due(lapse + chrono::Duration::seconds(1), &regflow_executor::IgnoreAlerts).await.unwrap();
    assert_eq!(pass.register.len(), 1, "the imported objection lapses at the end of its 15 days");
    assert!(engine.verify_register(&xining()).await.unwrap().is_intact());
    // Again: everything is in already.
    let again = engine.import_register(&sup, &file.0).await.unwrap();
    assert_eq!((again.imported, again.already), (0, 2));
    // A bad file names its lines and writes nothing.
    let third = "630102001001GB00003F00010001";
    let bad = import_file(&[
        json!({"unit": third, "recorded_at": "2020-05-01T10:00:00+08:00", "owners": [{"name": "张三", "id": ZHANG}]}),
        json!({"unit": "630102001001GB00006F00010001", "recorded_at": "2020-05-01T10:00:00+08:00", "owners": [{"name": "张三", "id": ZHANG, "share": "1/3"}]}),
        json!({"unit": "630102001001GB00004F00010001", "recorded_at": "2020-05-01T10:00:00+08:00",
               "seizures": [{"court": "a", "since": "2020-01-01T10:00:00+08:00"}]}),
        json!({"unit": "630102001001GB00005F00010001", "recorded_at": "2030-01-01T10:00:00+08:00", "owners": [{"name": "张三", "id": ZHANG}]}),
        json!({"unit": third, "recorded_at": "2020-05-01T10:00:00+08:00", "owners": [{"name": "张三", "id": ZHANG}]}),
        json!({"unit": UNIT, "recorded_at": "2020-05-01T10:00:00+08:00", "owners": [{"name": "张三", "id": ZHANG}], "colour": "red"}),
    ]);
    let err = engine.import_register(&sup, &bad.0).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidRegister));
    let regflow_executor::Error::BadRegister { lines, count } = &err else { panic!("{err:?}") };
    assert_eq!(*count, 5, "{err}");
    let named: Vec<u64> = lines.iter().map(|l| l.line).collect();
    assert_eq!(named, vec![2, 3, 4, 5, 6]);
    assert!(lines[0].message.contains("add up"), "{}", lines[0].message);
    assert!(lines[1].message.contains("expired"), "{}", lines[1].message);
    assert!(lines[2].message.contains("after the import"), "{}", lines[2].message);
    assert!(lines[3].message.contains("earlier line"), "{}", lines[3].message);
    assert!(lines[4].message.contains("colour"), "{}", lines[4].message);
    assert!(engine.unit_entries(&xining(), &UnitNumber::parse(third).unwrap()).await.unwrap().is_empty());
}
on_both!(a_register_is_imported_whole_or_not_at_all, register_import);

async fn overdue_once(db: &Db) {
    // SPEC 14.3 vector 2: a report not accepted within 60 minutes raises `report_overdue`
    // once, also with two executors; the day's log closes at midnight, once.
    let clock = ManualClock::new(at("2026-03-04T16:40:00+08:00"));
    let (a, b) = (engine(db, &clock).await, engine(db, &clock).await);
    seize(&a).await;
    let ignore = regflow_executor::IgnoreAlerts;
    assert_eq!(a.run_due(at("2026-03-04T17:39:00+08:00"), &ignore).await.unwrap().notices, 0);
    let after = at("2026-03-05T00:00:01+08:00");
    let (x, y) = tokio::join!(a.run_due(after, &ignore), b.run_due(after, &ignore));
    x.unwrap();
    y.unwrap();
    let notices = a.notices(&xining(), 0, 100).await.unwrap();
    let kinds: Vec<&str> = notices.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds, vec!["report_overdue", "unreported_entries"], "{notices:?}");
    assert_eq!(notices[0].at, at("2026-03-04T17:40:00+08:00"));
    assert_eq!(a.register_logs(&xining()).await.unwrap().len(), 1);
    a.run_due(at("2026-03-06T00:00:01+08:00"), &ignore).await.unwrap();
    assert_eq!(a.notices(&xining(), 0, 100).await.unwrap().len(), 2, "nothing twice");
}
on_both!(an_overdue_report_and_a_days_log_are_raised_once, overdue_once);

async fn notice_waits(db: &Db) {
    // SPEC 13.4: an advance notice recorded 2026-03-04 lapses 2026-06-03T00:00 — unless a
    // transfer to its holder was opened first: then it waits, and lapses when that transfer
    // ends unrecorded.
    let clock = ManualClock::new(at("2026-03-04T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let notice = vec![ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor), ApplicantInput::new("王五", WANG)];
    let n = record(&engine, "N", "advance_notice", notice).await.unwrap();
    let notice_seq = n.register[0].seq;
    clock.set(at("2026-05-01T10:00:00+08:00"));
    let t = CaseId::new("T");
    let sale = IntakeInput::new(
        "transfer_second_hand",
        ApplicantCategory::Individual,
        vec![ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor), ApplicantInput::new("王五", WANG)],
        UNIT,
        Channel::Window,
    );
    let accept = Command::Accept { intake: Some(sale), materials: all_materials(&engine, "transfer_second_hand") };
    engine.execute(Request::to(&t, staff("clerk-1", Role::Clerk), accept)).await.unwrap();
    let ignore = regflow_executor::IgnoreAlerts;
    engine.run_due(at("2026-06-05T00:00:00+08:00"), &ignore).await.unwrap();
    clock.set(at("2026-06-05T09:00:00+08:00"));
    let page = engine.unit_page(&xining(), &unit(), None).await.unwrap();
    assert_eq!(page.advance_notices.len(), 1, "the notice waits for the open transfer");
    // Another command on the unit does not lapse it either.
    let o = record(&engine, "O", "objection", vec![ApplicantInput::new("李四", LI)]).await.unwrap();
    assert_eq!(o.register.len(), 1);
    // The transfer is withdrawn: the notice lapses then, in the same transaction.
    clock.set(at("2026-06-10T15:00:00+08:00"));
    let done = engine
        .execute(Request::to(&t, applicant(ZHANG), Command::Withdraw { consenting: vec![ZHANG.into(), WANG.into()] }))
        .await
        .unwrap();
    assert_eq!(done.register.len(), 1, "{:?}", done.register);
    assert_eq!(done.register[0].entry_type(), EntryType::AdvanceNoticeLapsed);
    assert_eq!(done.register[0].draft.refers_to, Some(notice_seq));
    assert_eq!(done.register[0].draft.recorded_at, at("2026-06-10T15:00:00+08:00"));
    assert!(engine.unit_page(&xining(), &unit(), None).await.unwrap().advance_notices.is_empty());
    assert!(engine.verify_register(&xining()).await.unwrap().is_intact());
}
on_both!(an_advance_notice_waits_for_the_transfer_it_secures, notice_waits);

async fn a_century_later(db: &Db) {
    // Message ids carry `yyMMdd`: a hundred years on, the same date's ids come again, and
    // the reports of both centuries stand side by side.
    let clock = ManualClock::new(at("2026-03-04T10:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let seizure = |n: u32| {
        let unit = format!("630102001001GB0000{n}F00010001");
        Command::HandleInstantly {
            intake: IntakeInput::new(
                "seizure",
                ApplicantCategory::Individual,
                vec![ApplicantInput::new("张三", ZHANG)],
                unit,
                Channel::Court,
            ),
            materials: all_materials(&engine, "seizure"),
        }
    };
    engine.execute(Request::new(staff("court-1", Role::Court), seizure(1))).await.unwrap();
    clock.set(at("2126-03-04T10:00:00+08:00"));
    engine.execute(Request::new(staff("court-1", Role::Court), seizure(2))).await.unwrap();
    let ids: Vec<String> =
        engine.reports(&xining(), 0, 10, None).await.unwrap().iter().map(|r| r.message_id.to_string()).collect();
    assert_eq!(ids, vec!["630102260304000001".to_owned(), "630102260304000001".to_owned()]);
}
on_both!(message_ids_repeat_a_century_later, a_century_later);

async fn logs_go_to_their_target(db: &Db) {
    // SPEC 14.2: a closed day's log goes to its target like a report, each target its own
    // consumer; an area the target names closes every day, even one with nothing in it.
    use regflow_process::register::Target;
    let clock = ManualClock::new(at("2026-03-04T16:40:00+08:00"));
    let mut centre = regflow_process::Centre::new("xining");
    centre.register.report_targets = vec![Target::National, Target::Province];
    centre.register.report_areas.insert(Target::Province, ["630103".to_owned()].into());
    let engine = Engine::builder(&db.url).clock(clock.clone()).centre(centre).build().await.unwrap();
    seize(&engine).await;
    let ignore = regflow_executor::IgnoreAlerts;
    engine.run_due(at("2026-03-06T00:00:01+08:00"), &ignore).await.unwrap();
    let (national, province) = (Platform::default(), Platform::default());
    assert_eq!(engine.deliver_reports_to(&xining(), Target::National, &national).await.unwrap(), 2);
    assert_eq!(
        *national.0.lock().unwrap(),
        vec!["630102260304000001".to_owned(), "log national/630102/2026-03-04".to_owned()]
    );
    assert_eq!(engine.deliver_reports_to(&xining(), Target::Province, &province).await.unwrap(), 4);
    assert_eq!(
        *province.0.lock().unwrap(),
        vec![
            "630102260304000001".to_owned(),
            "log province/630102/2026-03-04".to_owned(),
            "log province/630103/2026-03-04".to_owned(),
            "log province/630103/2026-03-05".to_owned(),
        ],
        "630103 closes on a day with nothing recorded"
    );
    // Each is handed over once.
    assert_eq!(engine.deliver_reports(&Platform::default()).await.unwrap(), 0);
}
on_both!(a_days_log_goes_to_each_target_and_named_areas_close_every_day, logs_go_to_their_target);
