//! The service over HTTP: the case's road through the API: from the window to the evaluation, who sees what, and the work queues.

use crate::support::*;
use regflow_executor::on_both;

async fn a_case_from_window_to_evaluation(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let (s, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(case["state"], "accepted");
    assert_eq!(case["deadlines"]["promise"]["due_at"], "2026-03-05T18:00:00+08:00");
    assert_eq!(case["tasks"], json!({"tax": "pending", "transaction_filing": "pending"}));
    assert_eq!(case["commands"], json!(["supply_materials"]), "the clerk may only supply materials now");

    let (_, seen) = svc.get(&format!("/v1/cases/{id}"), "reviewer").await;
    assert_eq!(seen["commands"], json!(["review", "suspend", "reject"]));
    // The reviewer's queue holds it; the registrar's does not.
    let (s, q) = svc.get("/v1/queues/reviewer", "reviewer").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(q["cases"][0]["id"], json!(id));
    let (_, q) = svc.get("/v1/queues/registrar", "registrar").await;
    assert_eq!(q["cases"], json!([]));

    for (who, body) in [
        ("tax", json!({"command": "complete_task", "task": "tax", "ok": true})),
        ("tr", json!({"command": "complete_task", "task": "transaction_filing"})),
        ("reviewer", json!({"command": "review"})),
        ("registrar", json!({"command": "record"})),
        ("clerk2", json!({"command": "issue_certificate"})),
        ("zhang", json!({"command": "evaluate", "rating": 5, "comment": "很快"})),
    ] {
        let (s, v) = svc.command(&id, who, body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{body} → {v}");
    }
    let (_, done) = svc.get(&format!("/v1/cases/{id}"), "zhang").await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["completion"]["on_time"], true);
    assert_eq!(done["evaluation"]["rating"], 5);
    assert_eq!(done["commands"], json!([]), "evaluated once: nothing left");

    let (_, history) = svc.get(&format!("/v1/cases/{id}/history"), "clerk").await;
    let events = history["events"].as_array().unwrap();
    assert_eq!(events.len(), 7);
    assert_eq!(events[1]["prev_hash"], events[0]["hash"]);
    assert!(events[0]["event"]["at"].as_str().unwrap().ends_with("+08:00"));
    let (_, v) = svc.get(&format!("/v1/cases/{id}/verify"), "supervisor").await;
    assert_eq!((v["intact"].clone(), v["entries"].clone()), (json!(true), json!(7)));

    // 我的业务: both parties see it; another applicant sees nothing and cannot read it.
    let (_, mine) = svc.get("/v1/my/cases", "li").await;
    assert_eq!(mine["cases"][0]["id"], json!(id));
    let (_, theirs) = svc.get("/v1/my/cases", "wang").await;
    assert_eq!(theirs["cases"], json!([]));
    let (s, p) = svc.get(&format!("/v1/cases/{id}"), "wang").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("case_not_found")));
    let (s, _) = svc.get(&format!("/v1/cases/{id}/history"), "wang").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Reports and the overdue list, of the caller's own centre.
    let (s, r) = svc.get("/v1/reports?from=2026-03-01&to=2026-04-01", "supervisor").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["overall"]["completed"], 1);
    assert_eq!(r["by_channel"]["window"]["opened"], 1);
    let (_, r) = svc.get("/v1/reports?from=2026-03-01&to=2026-04-01", "h_supervisor").await;
    assert_eq!(r["overall"]["opened"], 0, "another centre's report counts nothing of xining");
    let (s, _) = svc.get("/v1/reports?from=2026-03-01&to=2026-04-01", "zhang").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, o) = svc.get("/v1/overdue", "supervisor").await;
    assert_eq!((s, o["cases"].clone()), (StatusCode::OK, json!([])));
    svc.stop().await;
}
on_both!(case_from_window_to_evaluation, a_case_from_window_to_evaluation);

async fn callers_see_only_what_is_theirs(db: &Db) {
    let svc = Svc::start(db, Limits { token_cache_ms: 300, ..Limits::default() }).await;
    let (_, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    let id = case["id"].as_str().unwrap().to_owned();

    // No token, a made-up one, a revoked one: 401.
    let (s, p) = svc.call(Method::GET, &format!("/v1/cases/{id}"), None, None).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let forged = reqwest::Client::new()
        .get(format!("{}/v1/cases/{id}", svc.base))
        .bearer_auth(format!("{}x", &svc.tokens["clerk"]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let clerk2_id = svc.tokens["clerk2"].split('_').nth(1).unwrap().to_owned();
    let (s, _) = svc.get(&format!("/v1/cases/{id}"), "clerk2").await;
    assert_eq!(s, StatusCode::OK);
    assert!(svc.engine.database().revoke_token(&clerk2_id, Utc::now()).await.unwrap());
    // Refused once the token cache's 300 ms have passed, without a restart.
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let (s, _) = svc.get(&format!("/v1/cases/{id}"), "clerk2").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "revoked without a restart");

    // Centre B's clerk on centre A's case: 404, nothing told.
    let (s, p) = svc.get(&format!("/v1/cases/{id}"), "h_clerk").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("case_not_found")));
    assert!(!p.to_string().contains("xining"), "{p}");
    let (s, p) = svc.command(&id, "h_clerk", json!({"command": "supply_materials", "materials": []})).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("case_not_found")));
    let (s, _) = svc.get(&format!("/v1/cases/{id}/history"), "h_clerk").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = svc.get(&format!("/v1/cases/{id}/verify"), "h_supervisor").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, q) = svc.get("/v1/queues/clerk", "h_clerk").await;
    assert_eq!(q["cases"], json!([]));

    // A bank token where a kiosk acts, and on another role's queue: 403.
    let (s, p) = svc
        .post(
            "/v1/cases",
            "bank",
            json!({"command": "handle_instantly", "kind": "information_query", "applicant_category": "individual",
                   "channel": "kiosk", "unit": UNIT, "applicants": [{"name": "张三", "id": ZHANG}],
                   "materials": ["identity_proof"]}),
        )
        .await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden_role")), "{p}");
    let (s, p) = svc.get("/v1/queues/kiosk", "bank").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden_role")));
    // The applicant's 我的业务 is for applicants only.
    let (s, _) = svc.get("/v1/my/cases", "clerk").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // An applicant may not act for another applicant's case.
    let (s, p) = svc.command(&id, "wang", json!({"command": "supply_materials", "materials": []})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    svc.stop().await;
}
on_both!(isolation, callers_see_only_what_is_theirs);

async fn queues_page_in_priority_order(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let mut ids = Vec::new();
    for priority in ["standard", "green_channel", "military", "standard"] {
        let mut body = transfer(zhang_and_li());
        body["priority"] = json!(priority);
        let (_, c) = svc.post("/v1/cases", "clerk", body).await;
        ids.push((priority, c["id"].as_str().unwrap().to_owned()));
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/queues/reviewer?limit=3&cursor={c}"),
            None => "/v1/queues/reviewer?limit=3".to_owned(),
        };
        let (s, page) = svc.get(&path, "reviewer").await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for c in page["cases"].as_array().unwrap() {
            seen.push(c["priority"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
    assert_ne!(seen[0], "standard");
    assert_ne!(seen[1], "standard");
    assert_eq!(&seen[2..], ["standard", "standard"]);
    svc.stop().await;
}
on_both!(queues, queues_page_in_priority_order);
