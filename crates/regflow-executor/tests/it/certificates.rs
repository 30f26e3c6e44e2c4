//! Electronic certificates through the engine (SPEC 15.1): numbers given at recording,
//! gap-free; the document signed and its hash in the issuing event; the public answer
//! `valid`, `superseded`, `cancelled` or `not_genuine` as the register moves on.

use crate::support::*;
use regflow_executor::certificates::Certificate;
use regflow_executor::on_both;
use regflow_executor::signing::Algorithm;
use regflow_executor::{Engine, ManualClock, Request};
use regflow_process::event::Change;
use regflow_process::register::certificate::{read_signed_file, Status};
use regflow_process::register::CertificateType;
use regflow_process::{
    Actor, ApplicantCategory, ApplicantInput, CaseId, Channel, Command, ErrorCode, IntakeInput, PartyRole, Role,
};

const WANG: &str = "630102197001010014";

/// Issues `id`'s certificate and returns it, checking the event carries its id and hash.
async fn issue(engine: &Engine, id: &CaseId) -> Certificate {
    let done = engine.execute(Request::to(id, staff("clerk-2", Role::Clerk), Command::IssueCertificate)).await.unwrap();
    let Change::CertificateIssued { certificate: Some(reference), .. } = &done.entries[0].event.change else {
        panic!("the issuing event carries no certificate: {:?}", done.entries[0].event.change);
    };
    let certificate = engine.certificate(&reference.id).await.unwrap();
    assert_eq!(certificate.hash, reference.hash);
    let of_case = engine.certificates_of(&xining(), &[id]).await.unwrap();
    assert_eq!(of_case, vec![(id.clone(), certificate.clone())], "found by its case");
    certificate
}

fn signature_holds(engine_key: &regflow_executor::signing::PublicKey, certificate: &Certificate) -> bool {
    let file = read_signed_file(&certificate.file).unwrap();
    assert_eq!(file.hash, certificate.hash, "the hash covers the canonical bytes without the signature");
    engine_key.verifies(&file.signed_bytes, &file.signature)
}

async fn titles(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let (engine, public) = engine_signing(db, &clock, Algorithm::Sm2).await;
    let first = vec![ApplicantInput::new("张三", ZHANG).share("1/3"), ApplicantInput::new("李四", LI).share("2/3")];
    let f = carry(&engine, "F", "first_registration", UNIT, first).await;
    let entry = &engine.case_entries(&f).await.unwrap()[0];
    let number = entry.draft.certificate.as_ref().expect("the recording gives the number");
    assert_eq!((number.kind, number.number.as_str()), (CertificateType::Title, "青(2026)西宁市不动产权第0000001号"));
    let zhang_li = issue(&engine, &f).await;
    assert_eq!(zhang_li.document.number, "青(2026)西宁市不动产权第0000001号");
    assert_eq!(
        (zhang_li.document.key_id.as_str(), zhang_li.document.algorithm.as_str()),
        (public.key_id.as_str(), "sm2")
    );
    let owners: Vec<(&str, String)> =
        zhang_li.document.owners.as_ref().unwrap().iter().map(|o| (o.name.as_str(), o.share.to_string())).collect();
    assert_eq!(owners, vec![("张三", "1/3".to_owned()), ("李四", "2/3".to_owned())]);
    assert!(signature_holds(&public, &zhang_li));
    let v = engine.verify_certificate(&zhang_li.document.id, Some(&zhang_li.hash)).await.unwrap();
    assert_eq!((v.status, v.by.as_deref()), (Status::Valid, None));
    assert_eq!(engine.public_keys(&xining()).await.unwrap()[0].0, public);

    // The transfer supersedes the first title; the new owner's is valid and numbered next.
    clock.set(at("2026-03-04T16:20:00+08:00"));
    let sale = vec![
        ApplicantInput::new("张三", ZHANG).role(PartyRole::Obligor),
        ApplicantInput::new("李四", LI).role(PartyRole::Obligor),
        ApplicantInput::new("王五", WANG),
    ];
    let t = carry(&engine, "T", "transfer_second_hand", UNIT, sale).await;
    let wang = issue(&engine, &t).await;
    assert_eq!(wang.document.number, "青(2026)西宁市不动产权第0000002号");
    let v = engine.verify_certificate(&zhang_li.document.id, None).await.unwrap();
    assert_eq!((v.status, v.by.as_deref()), (Status::Superseded, Some("xining.2")));
    assert_eq!(v.at.unwrap().to_rfc3339(), "2026-03-04T16:20:00+08:00");
    assert_eq!(engine.verify_certificate(&wang.document.id, None).await.unwrap().status, Status::Valid);
    // Another hash is not this certificate; an unknown id is not found.
    let forged = engine.verify_certificate(&wang.document.id, Some(&zhang_li.hash)).await.unwrap();
    assert_eq!(forged.status, Status::NotGenuine);
    let err = engine.verify_certificate("00000000-0000-0000-0000-000000000000", None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::CertificateNotFound));
    // Issuing twice is refused, and the first certificate stays.
    let again = engine.execute(Request::to(&t, staff("clerk-2", Role::Clerk), Command::IssueCertificate)).await;
    assert_eq!(again.unwrap_err().code(), Some(ErrorCode::InvalidTransition));
    assert_eq!(engine.certificate(&wang.document.id).await.unwrap(), wang);
}
on_both!(a_title_is_superseded_by_the_transfer_and_the_new_one_is_valid, titles);

async fn certifications(db: &Db) {
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    carry(&engine, "F", "first_registration", UNIT, vec![ApplicantInput::new("王五", WANG)]).await;
    let loan = vec![ApplicantInput::new("王五", WANG).role(PartyRole::Obligor), ApplicantInput::new("李四", LI)];
    let m = carry(&engine, "M", "mortgage", UNIT, loan).await;
    let mortgage = issue(&engine, &m).await;
    assert_eq!(mortgage.document.number, "青(2026)西宁市不动产证明第0000001号");
    assert_eq!(mortgage.document.kind, CertificateType::Certification);
    assert!(mortgage.document.right.as_ref().unwrap().to_string().contains("\"rank\":1"));
    // Without a configured key the engine made one and stored its public half.
    let keys = engine.public_keys(&xining()).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert!(signature_holds(&keys[0].0, &mortgage));
    assert_eq!(engine.verify_certificate(&mortgage.document.id, None).await.unwrap().status, Status::Valid);
    clock.set(at("2026-05-06T10:00:00+08:00"));
    let release = IntakeInput::new(
        "mortgage_cancellation",
        ApplicantCategory::Individual,
        vec![ApplicantInput::new("王五", WANG)],
        UNIT,
        Channel::Window,
    );
    let materials = all_materials(&engine, "mortgage_cancellation");
    engine
        .execute(Request::new(staff("clerk-1", Role::Clerk), Command::HandleInstantly { intake: release, materials }))
        .await
        .unwrap();
    let v = engine.verify_certificate(&mortgage.document.id, None).await.unwrap();
    assert_eq!((v.status, v.by.as_deref()), (Status::Cancelled, Some("xining.3")));
    assert!(engine.verify_register(&xining()).await.unwrap().is_intact());

    // A file edited in the database, then one re-hashed to match: `verify` names each.
    let id = &mortgage.document.id;
    raw(
        &engine,
        &format!("UPDATE regflow_certificates SET file = replace(file, '\"rank\":1', '\"rank\":2') WHERE id = '{id}'"),
    )
    .await;
    let problems = engine.verify_register(&xining()).await.unwrap().problems;
    assert!(
        matches!(&problems[..], [regflow_executor::RegisterTampering::Certificate { id: named, reason }]
            if named == id && reason.contains("changed")),
        "{problems:?}"
    );
    let forged = String::from_utf8(engine.certificate(id).await.unwrap().file).unwrap();
    let hash = read_signed_file(forged.as_bytes()).unwrap().hash;
    raw(&engine, &format!("UPDATE regflow_certificates SET hash = '{hash}' WHERE id = '{id}'")).await;
    let problems = engine.verify_register(&xining()).await.unwrap().problems;
    assert!(
        matches!(&problems[..], [regflow_executor::RegisterTampering::Certificate { reason, .. }] if reason.contains("issuing event")),
        "{problems:?}"
    );
    assert_eq!(engine.verify_certificate(id, Some(&mortgage.hash)).await.unwrap().status, Status::NotGenuine);
}

on_both!(a_mortgage_certification_is_cancelled_by_its_release, certifications);

async fn gap_free(db: &Db) {
    // Recordings racing on eight units take numbers 1…8 of the year, none twice, none
    // skipped; a refused recording gives none.
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = engine(db, &clock).await;
    let units: Vec<String> = (1..=8).map(|i| format!("630102001001GB{i:05}F00010001")).collect();
    let mut ids = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        let id = CaseId::new(format!("F{i}"));
        let intake = IntakeInput::new(
            "first_registration",
            ApplicantCategory::Individual,
            vec![ApplicantInput::new("王五", WANG)],
            unit.as_str(),
            Channel::Window,
        );
        let accept = Command::Accept { intake: Some(intake), materials: all_materials(&engine, "first_registration") };
        engine.execute(Request::to(&id, staff("clerk-1", Role::Clerk), accept)).await.unwrap();
        engine.execute(Request::to(&id, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
        ids.push(id);
    }
    let registrar: Actor = staff("reg-1", Role::Registrar);
    let races: Vec<_> = ids
        .iter()
        .map(|id| {
            let (engine, registrar, id) = (engine.clone(), registrar.clone(), id.clone());
            tokio::spawn(async move {
                loop {
                    match engine.execute(Request::to(&id, registrar.clone(), Command::Record)).await {
                        Err(e) if e.code() == Some(ErrorCode::Conflict) => tokio::task::yield_now().await,
                        other => return other,
                    }
                }
            })
        })
        .collect();
    for race in races {
        race.await.unwrap().unwrap();
    }
    // A second first registration of a numbered unit is refused and takes no number.
    let intake = IntakeInput::new(
        "first_registration",
        ApplicantCategory::Individual,
        vec![ApplicantInput::new("李四", LI)],
        units[0].as_str(),
        Channel::Window,
    );
    let g = CaseId::new("G");
    let accept = Command::Accept { intake: Some(intake), materials: all_materials(&engine, "first_registration") };
    engine.execute(Request::to(&g, staff("clerk-1", Role::Clerk), accept)).await.unwrap();
    engine.execute(Request::to(&g, staff("rev-1", Role::Reviewer), Command::Review)).await.unwrap();
    let refused = engine.execute(Request::to(&g, registrar.clone(), Command::Record)).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::UnitRegistered));
    carry(&engine, "H", "first_registration", "630102001001GB00009F00010001", vec![ApplicantInput::new("王五", WANG)])
        .await;
    let mut numbers = Vec::new();
    for id in ids.iter().chain([&CaseId::new("H")]) {
        let entries = engine.case_entries(id).await.unwrap();
        numbers.push(entries[0].draft.certificate.as_ref().unwrap().seq);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=9).collect::<Vec<u64>>());
}
on_both!(certificate_numbers_have_no_gaps_and_no_twins, gap_free);
