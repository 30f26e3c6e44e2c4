//! The register over HTTP: the unit page now and as of an instant, entries by unit and by
//! case, and who may read them.

use crate::pages::page_session;
use crate::support::*;
use regflow_executor::on_both;

const UNIT: &str = "630102001001GB00001F00010001";

pub(crate) async fn record_first_registration(svc: &Svc) -> String {
    let body = json!({"command": "accept", "kind": "first_registration", "applicant_category": "individual",
        "channel": "window", "unit": UNIT,
        "applicants": [{"name": "张三", "id": ZHANG, "share": "1/3"}, {"name": "李四", "id": LI, "share": "2/3"}],
        "materials": ["application_form", "identity_proof", "land_use_certificate", "planning_permit",
                      "completion_acceptance", "survey_report"]});
    let (s, case) = svc.post("/v1/cases", "clerk", body).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_owned();
    for (who, body) in [("reviewer", json!({"command": "review"})), ("registrar", json!({"command": "record"}))] {
        let (s, v) = svc.command(&id, who, body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    id
}

async fn unit_pages(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let id = record_first_registration(&svc).await;
    let (s, page) = svc.get(&format!("/v1/units/{UNIT}"), "clerk").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["status"], "registered");
    assert_eq!(page["owners"][1]["share"], "2/3");
    assert_eq!(page["owners"][0]["since"], "2026-03-02T10:00:00+08:00");
    assert_eq!(page["restrictions"], json!([]));
    // As of before the recording: nothing.
    let (s, before) = svc.get(&format!("/v1/units/{UNIT}?at=2026-03-01"), "clerk").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(before["status"], "unknown");
    assert_eq!(before["as_of"], "2026-03-01T00:00:00+08:00");
    // An owner reads their own unit; another applicant and a kiosk may not; another
    // centre's clerk reads that centre's own register, which knows nothing of the unit.
    let (s, _) = svc.get(&format!("/v1/units/{UNIT}"), "li").await;
    assert_eq!(s, StatusCode::OK);
    let (s, other) = svc.get(&format!("/v1/units/{UNIT}"), "h_clerk").await;
    assert_eq!((s, other["status"].as_str(), other["owners"].clone()), (StatusCode::OK, Some("unknown"), json!([])));
    for who in ["wang", "kiosk"] {
        let (s, p) = svc.get(&format!("/v1/units/{UNIT}"), who).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {p}");
        assert_eq!(p["code"], "query_not_permitted");
    }
    // Entries by unit and by case.
    let (s, e) = svc.get(&format!("/v1/units/{UNIT}/entries"), "registrar").await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["entries"][0]["seq"], 1);
    assert_eq!(e["entries"][0]["content"]["type"], "ownership");
    assert_eq!(e["entries"][0]["recorded_at"], "2026-03-02T10:00:00+08:00");
    let (_, e) = svc.get(&format!("/v1/units/{UNIT}/entries?from=2026-03-03"), "registrar").await;
    assert_eq!(e["entries"], json!([]));
    let (s, e) = svc.get(&format!("/v1/cases/{id}/entries"), "zhang").await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["entries"][0]["case"], json!(id));
    let (s, _) = svc.get(&format!("/v1/cases/{id}/entries"), "wang").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Bad input.
    let (s, p) = svc.get("/v1/units/630102", "clerk").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_identifier")));
    let (s, p) = svc.get(&format!("/v1/units/{UNIT}?at=yesterday"), "clerk").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_argument")));
    let (s, _) = svc.get(&format!("/v1/units/{UNIT}?when=now"), "clerk").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    svc.stop().await;
}
on_both!(the_unit_page_and_who_may_read_it, unit_pages);

async fn workbench_unit_page(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let id = record_first_registration(&svc).await;
    let cookie = page_session(&svc, "clerk", "/staff").await;
    let get = |path: String| {
        let (http, cookie) = (svc.http.clone(), cookie.clone());
        async move { http.get(path).header("cookie", cookie).send().await.unwrap() }
    };
    let case = get(format!("{}/staff/cases/{id}", svc.base)).await.text().await.unwrap();
    assert!(case.contains(&format!("href=\"/staff/units/{UNIT}\"")), "the case links its unit page");
    let res = get(format!("{}/staff/units/{UNIT}", svc.base)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    for needle in ["不动产登记簿", "已登记", "无限制", "张三", "1&#x2f;3", "630102********0015", "2026-03-02 10:00"]
    {
        assert!(html.contains(needle), "the unit page lacks {needle}");
    }
    assert!(!html.contains(ZHANG), "identifier numbers are masked");
    let past = get(format!("{}/staff/units/{UNIT}?at=2026-03-01", svc.base)).await.text().await.unwrap();
    assert!(past.contains("未登记"), "as of before the recording");
    let bad = get(format!("{}/staff/units/630102?at=", svc.base)).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    svc.stop().await;
}
on_both!(the_workbench_shows_the_unit_page_in_chinese, workbench_unit_page);

async fn reports_over_http(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    record_first_registration(&svc).await;
    let (s, list) = svc.get("/v1/register-entries", "reporter").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let report = &list["entries"][0]["reports"][0];
    assert_eq!(report["target"], "national");
    assert_eq!(report["state"], "queued");
    let id = report["message_id"].as_str().unwrap().to_owned();
    assert_eq!(id, "630102260302000001");
    let (s, p) = svc.get("/v1/register-entries", "clerk").await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden_role")));
    let ack = |body: Value| svc.post("/v1/register-entries/xining.1/reports/national/ack", "reporter", body);
    let (s, r) = ack(json!({"message_id": id, "result": "rejected", "reason": "证件号码有误"})).await;
    assert_eq!((s, r["state"].as_str()), (StatusCode::OK, Some("rejected")), "{r}");
    let (s, again) = ack(json!({"message_id": id, "result": "rejected", "reason": "证件号码有误"})).await;
    assert_eq!((s, &again), (StatusCode::OK, &r), "a repeated ack answers as the first");
    let (s, p) = ack(json!({"message_id": "630102260302000009", "result": "accepted"})).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("unknown_message")));
    let (s, p) = ack(json!({"message_id": "abc", "result": "accepted"})).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_argument")));
    let (s, p) = svc.post("/v1/register-entries/1/reports/national/retry", "reporter", json!({})).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden_role")));
    let (s, r) = svc.post("/v1/register-entries/1/reports/national/retry", "supervisor", json!({})).await;
    assert_eq!((s, r["state"].as_str()), (StatusCode::OK, Some("queued")), "{r}");
    assert_eq!(r["message_id"], "630102260302000002");
    let (s, p) = ack(json!({"message_id": id, "result": "accepted"})).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("unknown_message")), "the old id is unknown");
    // Another centre's entry id is not found.
    let (s, _) = svc.get("/v1/register-entries/haidong.1", "supervisor").await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, one) = svc.get("/v1/register-entries/xining.1", "supervisor").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one["reports"][0]["state"], "queued");
    // The day closes at midnight: then its log is there.
    let (s, _) = svc.get("/v1/register-logs/national/630102/2026-03-02", "reporter").await;
    assert_eq!(s, StatusCode::CONFLICT, "not closed yet");
    svc.engine.run_due(at("2026-03-03T00:00:01+08:00"), &regflow_executor::IgnoreAlerts).await.unwrap();
    let (s, log) = svc.get("/v1/register-logs/national/630102/2026-03-02", "reporter").await;
    assert_eq!(s, StatusCode::OK, "{log}");
    assert_eq!(log["recorded"]["total"], 1);
    assert_eq!(log["unreported"][0]["entry"], 1);
    svc.stop().await;
}
on_both!(reports_are_listed_answered_and_retried_over_http, reports_over_http);

/// What a report target's webhook receiver got: the status it answered, the message type
/// and id headers, the signature and the body.
type Posted = (u16, String, String, String, String);

async fn report_receiver(failures: usize) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Posted>>>) {
    let seen: std::sync::Arc<std::sync::Mutex<Vec<Posted>>> = Default::default();
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/reports",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let s = s.clone();
            async move {
                let mut seen = s.lock().unwrap();
                let status = if seen.len() < failures { 503 } else { 200 };
                let h = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
                seen.push((
                    status,
                    h("x-regflow-message-type"),
                    h("x-regflow-message-id"),
                    h("x-regflow-signature"),
                    body,
                ));
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/reports", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn report_webhook(db: &Db) {
    // SPEC 14.1: a target with a webhook gets each report POSTed, signed, retried under the
    // same message id until it answers 2xx; the adapter then acknowledges over HTTP.
    const SECRET: &str = "a national platform secret";
    let (url, seen) = report_receiver(1).await;
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n[[centres]]\nid = \"xining\"\n[[centres.report_targets]]\nname = \"national\"\n\
         url = \"{url}\"\nsecret = \"{SECRET}\"\nretry_initial_ms = 50\n"
    );
    let svc = Svc::start_with(db, Config::from_toml(&toml).unwrap()).await;
    let id = record_first_registration(&svc).await;
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !seen.lock().unwrap().iter().any(|p| p.0 == 503) && tokio::time::Instant::now() < until {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The engine waits 10 seconds of its clock before handing a refused report over again:
    // move the clock on by more than that until it does (the refusal may be written after
    // a first move).
    let mut now = at("2026-03-02T10:00:00+08:00");
    for _ in 0..60 {
        if seen.lock().unwrap().iter().any(|p| p.0 == 200) {
            break;
        }
        now += chrono::Duration::seconds(11);
        svc.clock.set(now);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let posted = seen.lock().unwrap().clone();
    // At least once: the refused post, then one taken (a slow answer may add another).
    assert!(posted.len() >= 2 && posted[0].0 == 503 && posted.iter().any(|p| p.0 == 200), "{posted:?}");
    for (_, kind, message_id, signature, body) in &posted {
        assert_eq!((kind.as_str(), message_id.as_str()), ("report", "630102260302000001"), "the same id each time");
        assert_eq!(signature, &regflow_server::alerts::signature(SECRET, body.as_bytes()));
        let doc: Value = serde_json::from_str(body).unwrap();
        assert_eq!(doc["message_id"], "630102260302000001");
        assert_eq!(
            (doc["target"].as_str(), doc["area"].as_str(), doc["class"].as_u64()),
            (Some("national"), Some("630102"), Some(100))
        );
        assert_eq!(doc["entry"]["content"]["owners"][0]["name"], "张三");
    }
    // The case shows its entry; the report is `sent`; the adapter accepts it.
    let (_, case) = svc.get(&format!("/v1/cases/{id}"), "clerk").await;
    assert_eq!(case["entries"][0]["seq"], 1, "{case}");
    let (s, entry) = svc.get("/v1/register-entries/1", "reporter").await;
    assert_eq!(s, StatusCode::OK, "{entry}");
    assert_eq!(entry["reports"][0]["state"], "sent", "{entry}");
    let ack = json!({"message_id": "630102260302000001", "result": "accepted"});
    let (s, r) = svc.post("/v1/register-entries/1/reports/national/ack", "reporter", ack).await;
    assert_eq!((s, r["state"].as_str()), (StatusCode::OK, Some("accepted")), "{r}");
    svc.stop().await;
}
on_both!(a_report_target_with_a_webhook_gets_each_report_signed, report_webhook);
