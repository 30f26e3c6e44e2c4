//! The service over HTTP: every SPEC 8 code answered with its status as a problem document.

use crate::support::*;
use regflow_executor::on_both;

async fn every_code_has_its_status(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let expect = |what: &str, got: (StatusCode, Value), status: u16, code: &str| {
        assert_eq!((got.0.as_u16(), got.1["code"].as_str().unwrap_or("")), (status, code), "{what}: {}", got.1);
    };
    let mut bad = transfer(zhang_and_li());
    bad["kind"] = json!("castle");
    expect("unknown kind", svc.post("/v1/cases", "clerk", bad).await, 400, "unknown_kind");
    let mut bad = transfer(zhang_and_li());
    bad["unit"] = json!("63010200100");
    expect("bad unit", svc.post("/v1/cases", "clerk", bad).await, 400, "invalid_identifier");
    let mut bad = transfer(zhang_and_li());
    bad["materials"] = json!(["application_form", "love_letter"]);
    expect("unknown material", svc.post("/v1/cases", "clerk", bad).await, 400, "unknown_material");
    let mut bad = transfer(zhang_and_li());
    bad.as_object_mut().unwrap().remove("unit");
    expect("missing field", svc.post("/v1/cases", "clerk", bad).await, 400, "invalid_argument");
    let mut bad = transfer(zhang_and_li());
    bad["actor"] = json!("sup-1");
    let got = svc.post("/v1/cases", "clerk", bad).await;
    expect("actor in the body", got.clone(), 400, "invalid_argument");
    assert_eq!(got.1["field"], "actor");
    let raw = reqwest::Client::new()
        .post(format!("{}/v1/cases", svc.base))
        .bearer_auth(&svc.tokens["clerk"])
        .body("{\"command\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    expect(
        "a command of an existing case",
        svc.post("/v1/cases", "clerk", json!({"command": "review"})).await,
        400,
        "invalid_argument",
    );
    expect(
        "reviewer accepting",
        svc.post("/v1/cases", "reviewer", transfer(zhang_and_li())).await,
        403,
        "forbidden_role",
    );
    let mut bank = transfer(zhang_and_li());
    bank["channel"] = json!("bank");
    expect("transfer at a bank", svc.post("/v1/cases", "bank", bank).await, 403, "channel_not_allowed");
    expect(
        "not instant",
        svc.post("/v1/cases", "clerk", {
            let mut b = transfer(zhang_and_li());
            b["command"] = json!("handle_instantly");
            b
        })
        .await,
        409,
        "not_instant_kind",
    );
    expect("no case", svc.command("nope", "reviewer", json!({"command": "review"})).await, 404, "case_not_found");

    // One case by the clerk who also reviews: separation of duties.
    let (_, case) = svc.post("/v1/cases", "clerk_reviewer", transfer(zhang_and_li())).await;
    let id = case["id"].as_str().unwrap().to_owned();
    expect(
        "own review",
        svc.command(&id, "clerk_reviewer", json!({"command": "review"})).await,
        403,
        "separation_of_duties",
    );
    expect(
        "record before review",
        svc.command(&id, "registrar", json!({"command": "record"})).await,
        409,
        "invalid_transition",
    );
    expect(
        "stale version",
        svc.command(&id, "reviewer", json!({"command": "review", "expected_version": 0})).await,
        409,
        "conflict",
    );
    expect(
        "negative version",
        svc.command(&id, "reviewer", json!({"command": "review", "expected_version": -1})).await,
        400,
        "invalid_argument",
    );
    expect(
        "partial withdrawal",
        svc.command(&id, "zhang", json!({"command": "withdraw", "consenting": [ZHANG]})).await,
        409,
        "partial_withdrawal",
    );
    expect(
        "bad ground",
        svc.command(&id, "reviewer", json!({"command": "reject", "ground": "dislike", "note": "x"})).await,
        409,
        "invalid_ground",
    );
    expect(
        "huge extension",
        svc.command(&id, "supervisor", json!({"command": "extend", "working_days": 1e30, "reason": "x"})).await,
        409,
        "exceeds_statutory",
    );
    let (s, _) = svc.command(&id, "reviewer", json!({"command": "review"})).await;
    assert_eq!(s, StatusCode::OK);
    expect(
        "record with tasks open",
        svc.command(&id, "registrar", json!({"command": "record"})).await,
        409,
        "tasks_pending",
    );

    // A pledged material blocks recording.
    let mut pledged = transfer(zhang_and_li());
    pledged["materials"] = json!(TRANSFER_KEY);
    pledged["kind"] = json!("transfer_second_hand");
    let (_, case) = svc.post("/v1/cases", "clerk", pledged).await;
    assert_eq!(case["materials"]["pledged"], json!(["household_register", "marital_status_proof"]));
    let pid = case["id"].as_str().unwrap().to_owned();
    for (who, body) in [
        ("tax", json!({"command": "complete_task", "task": "tax"})),
        ("tr", json!({"command": "complete_task", "task": "transaction_filing"})),
        ("reviewer", json!({"command": "review"})),
    ] {
        assert_eq!(svc.command(&pid, who, body).await.0, StatusCode::OK);
    }
    expect(
        "pledge outstanding",
        svc.command(&pid, "registrar", json!({"command": "record"})).await,
        409,
        "materials_pending",
    );

    // A seizure by the court blocks a transfer of the unit.
    let (s, seized) = svc
        .post(
            "/v1/cases",
            "court",
            json!({"command": "handle_instantly", "kind": "seizure", "applicant_category": "organisation",
                   "channel": "court", "unit": UNIT,
                   "applicants": [{"name": "西宁中院", "id": "91630100MA7512347R"}],
                   "materials": ["court_ruling", "assistance_notice"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{seized}");
    assert_eq!(
        svc.command(
            &pid,
            "clerk",
            json!({"command": "supply_materials", "materials": ["household_register", "marital_status_proof"]})
        )
        .await
        .0,
        StatusCode::OK
    );
    expect("unit seized", svc.command(&pid, "registrar", json!({"command": "record"})).await, 409, "unit_seized");

    // Evaluated twice.
    let (_, q) = svc
        .post(
            "/v1/cases",
            "kiosk",
            json!({"command": "handle_instantly", "kind": "information_query", "applicant_category": "individual",
                   "channel": "kiosk", "unit": UNIT, "applicants": [{"name": "张三", "id": ZHANG}],
                   "materials": ["identity_proof"]}),
        )
        .await;
    assert_eq!(q["state"], "completed", "{q}");
    let qid = q["id"].as_str().unwrap().to_owned();
    assert_eq!(svc.command(&qid, "zhang", json!({"command": "evaluate", "rating": 4})).await.0, StatusCode::OK);
    expect(
        "evaluated again",
        svc.command(&qid, "zhang", json!({"command": "evaluate", "rating": 4})).await,
        409,
        "already_evaluated",
    );

    // Calendars: a clerk may not load; bad text is 400; a supervisor's load merges.
    let csv_call = |who: &str, text: &str| {
        reqwest::Client::new()
            .post(format!("{}/v1/calendar", svc.base))
            .bearer_auth(&svc.tokens[who])
            .header("content-type", "text/csv")
            .body(text.to_owned())
    };
    let r = csv_call("clerk", "date,kind,name,source\n").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = csv_call("supervisor", "this is not a calendar").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_calendar");
    let (s, cal) = svc.get("/v1/calendar", "clerk").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(cal["years"].as_array().unwrap().len(), 11);
    svc.stop().await;
}
on_both!(codes_and_statuses, every_code_has_its_status);
