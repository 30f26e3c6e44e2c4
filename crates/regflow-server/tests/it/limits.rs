//! The service over HTTP: idempotency keys, body limits and the per-caller rate.

use crate::support::*;
use regflow_executor::on_both;

async fn idempotent_repeats_and_limits(db: &Db) {
    let svc = Svc::start(
        db,
        Limits { body_bytes: 4096, requests_per_minute: 600, request_timeout_secs: 30, ..Limits::default() },
    )
    .await;
    let key = [("Idempotency-Key", "bank-2026-0001")];
    let mortgage = json!({"command": "accept", "kind": "mortgage", "applicant_category": "individual",
                          "channel": "bank", "unit": UNIT,
                          "applicants": [{"name": "张三", "id": ZHANG, "role": "obligor"},
                                         {"name": "青海银行", "id": "91630100MA7512347R", "id_type": "credit_code"}],
                          "materials": ["application_form", "identity_proof", "title_certificate", "mortgage_contract", "loan_contract"]});
    let (s1, first) = svc.call_with(Method::POST, "/v1/cases", Some("bank"), Some(mortgage.clone()), &key).await;
    assert_eq!(s1, StatusCode::CREATED, "{first}");
    let (s2, again) = svc.call_with(Method::POST, "/v1/cases", Some("bank"), Some(mortgage.clone()), &key).await;
    assert_eq!((s2, &again["id"]), (StatusCode::CREATED, &first["id"]));
    let id = first["id"].as_str().unwrap();
    let (_, h) = svc.get(&format!("/v1/cases/{id}/history"), "bank").await;
    assert_eq!(h["events"].as_array().unwrap().len(), 1, "applied once");
    let mut other = mortgage.clone();
    other["priority"] = json!("military");
    let (s, p) = svc.call_with(Method::POST, "/v1/cases", Some("bank"), Some(other), &key).await;
    assert_eq!((s.as_u16(), p["code"].as_str()), (422, Some("idempotency_key_reused")));
    // The same key from another caller is another request.
    let mut court = mortgage.clone();
    court["kind"] = json!("seizure");
    court["channel"] = json!("court");
    court["materials"] = json!(["court_ruling", "assistance_notice"]);
    court["command"] = json!("handle_instantly");
    let (s, c) = svc.call_with(Method::POST, "/v1/cases", Some("court"), Some(court), &key).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_ne!(c["id"], first["id"]);
    let (s, _) = svc
        .call_with(Method::POST, "/v1/cases", Some("bank"), Some(mortgage.clone()), &[("Idempotency-Key", "")])
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // 413 over the body limit.
    let mut big = mortgage.clone();
    big["materials"] = json!(vec!["x".repeat(100); 100]);
    let (s, p) = svc.post("/v1/cases", "bank", big).await;
    assert_eq!((s.as_u16(), p["code"].as_str()), (413, Some("body_too_large")));

    // Public routes, an unknown route.
    let (s, g) = svc.call(Method::GET, "/v1/guides", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let kinds = g["kinds"].as_array().unwrap();
    assert_eq!(kinds.len(), 14);
    let (s, g) = svc.call(Method::GET, "/v1/guides/transfer_second_hand", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["limits"]["individual"]["promise"]["working_days"], 3);
    assert_eq!(g["limits"]["organisation"]["promise"]["working_days"], 5);
    assert_eq!(g["limits"]["individual"]["statutory_working_days"], 30);
    assert_eq!(g["steps"], json!(["accept", "review", "record", "issue_certificate"]));
    let (s, _) = svc.call(Method::GET, "/v1/guides/castle", None, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, h) = svc.call(Method::GET, "/v1/health", None, None).await;
    assert_eq!((s, h["database"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, _) = svc.call(Method::GET, "/v1/nothing", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = svc.get("/v1/queues/wizard", "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = svc.get("/v1/queues/clerk?limit=0", "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = svc.get("/v1/queues/clerk?limit=99999999999999999999999", "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = svc.get("/v1/queues/clerk?cursor=%00%01garbage", "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = svc.get("/v1/reports?from=2026-13-01&to=2026-04-01", "supervisor").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    svc.stop().await;
}
on_both!(idempotency_and_limits, idempotent_repeats_and_limits);

async fn callers_over_their_rate_get_429(db: &Db) {
    let svc = Svc::start(
        db,
        Limits { body_bytes: 4096, requests_per_minute: 60, request_timeout_secs: 30, ..Limits::default() },
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(svc.get("/v1/calendar", "clerk").await.0.as_u16());
    }
    assert_eq!(&statuses[..6], [200; 6]);
    assert_eq!(statuses[7], 429);
    // Another token has its own rate.
    assert_eq!(svc.get("/v1/calendar", "reviewer").await.0, StatusCode::OK);
    svc.stop().await;
}
on_both!(rate_limits, callers_over_their_rate_get_429);
