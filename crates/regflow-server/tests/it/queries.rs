//! Information queries over HTTP (SPEC 15.2, 17 §10): the kiosk answers an owner and
//! refuses anyone else, an interested party reads identifiers masked, the answer and its
//! 查询结果证明 reach the querier and staff only, anyone verifies it, supervisors read the log.

use crate::support::*;
use crate::units::record_first_registration;
use regflow_executor::on_both;

const UNIT: &str = "630102001001GB00001F00010001";

fn query(name: &str, id: &str, channel: &str, extra: Value) -> Value {
    let mut body = json!({"command": "handle_instantly", "kind": "information_query",
        "applicant_category": "individual", "channel": channel, "unit": UNIT,
        "applicants": [{"name": name, "id": id}], "materials": ["identity_proof"]});
    if let (Some(b), Value::Object(more)) = (body.as_object_mut(), extra) {
        b.extend(more);
    }
    body
}

async fn queries(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    record_first_registration(&svc).await;

    // 张三 owns a share: the kiosk answers with the full page.
    let (s, case) = svc.post("/v1/cases", "kiosk", query("张三", ZHANG, "kiosk", json!({}))).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(case["state"], "completed");
    let result = &case["query_result"];
    assert_eq!(result["number"], "青(2026)西宁市不动产查询第0000001号", "{case}");
    assert_eq!(result["scope"], "full");
    let id = case["id"].as_str().unwrap();
    let (s, answer) = svc.get(&format!("/v1/cases/{id}/result"), "zhang").await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["page"]["owners"][1]["id"], LI, "the owner reads the full page");
    // Anyone may verify it, learning no name or identifier.
    let verify = result["verify"].as_str().unwrap();
    let (s, v) = svc.call(Method::GET, verify, None, None).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
    assert!(!v.to_string().contains(ZHANG) && !v.to_string().contains("张三"), "{v}");
    let rid = result["id"].as_str().unwrap();
    let (_, v) =
        svc.call(Method::GET, &format!("/v1/query-results/{rid}/verify?hash={}", "0".repeat(64)), None, None).await;
    assert_eq!(v["status"], "not_genuine");
    let (s, p) = svc.call(Method::GET, "/v1/query-results/no-such/verify", None, None).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("certificate_not_found")));
    // The result's file: for the querier and staff; another applicant is told it is not found.
    let (s, file) = svc.get(&format!("/v1/query-results/{rid}"), "clerk").await;
    assert_eq!((s, file["format"].as_str()), (StatusCode::OK, Some("regflow-query-result/1")));
    let (s, _) = svc.get(&format!("/v1/query-results/{rid}"), "wang").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // 王五 owns nothing here: refused at the kiosk, 403, and logged.
    let (s, p) = svc.post("/v1/cases", "kiosk", query("王五", WANG, "kiosk", json!({}))).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("query_not_permitted")), "{p}");
    // An interested party at the window: without proof refused, with it masked.
    let interested = json!({"querier": "interested_party", "purpose": "诉讼"});
    let (s, p) = svc.post("/v1/cases", "clerk", query("王五", WANG, "window", interested.clone())).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("query_not_permitted")));
    let mut with_proof = interested;
    with_proof["proof"] = json!("(2026)青01民初1号");
    let (s, case) = svc.post("/v1/cases", "clerk", query("王五", WANG, "window", with_proof)).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let (_, answer) = svc.get(&format!("/v1/cases/{}/result", case["id"].as_str().unwrap()), "wang").await;
    assert_eq!(answer["page"]["owners"][0]["id"], "630102********0015");
    // A querier class that does not exist is a bad argument.
    let (s, p) = svc.post("/v1/cases", "clerk", query("王五", WANG, "window", json!({"querier": "neighbour"}))).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_argument")));

    // Supervisors read the log; nobody else does.
    let (s, log) = svc.get("/v1/query-log", "supervisor").await;
    assert_eq!(s, StatusCode::OK, "{log}");
    let outcomes: Vec<&str> = log["lines"].as_array().unwrap().iter().map(|l| l["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["accepted", "answered", "refused", "refused", "accepted", "answered"]);
    assert_eq!(log["lines"][2]["code"], "query_not_permitted");
    let (_, by_unit) = svc.get(&format!("/v1/query-log?querier={WANG}"), "supervisor").await;
    assert_eq!(by_unit["lines"].as_array().unwrap().len(), 4);
    for bad in ["limit=0", "limit=1001", "from=yesterday", "after=-1"] {
        let (s, p) = svc.get(&format!("/v1/query-log?{bad}"), "supervisor").await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_argument")), "{bad}: {p}");
    }
    let (s, _) = svc.get("/v1/query-log", "clerk").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, h) = svc.get("/v1/query-log", "h_supervisor").await;
    assert_eq!((s, h["lines"].clone()), (StatusCode::OK, json!([])), "another centre's log is its own");
    // The report counts them per querier class and channel (SPEC 17 §7).
    let (s, r) = svc.get("/v1/reports?from=2026-03-01&to=2026-04-01", "supervisor").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let first = &r["queries"][0];
    assert_eq!((first["class"].as_str(), first["channel"].as_str()), (Some("owner"), Some("kiosk")), "{r}");
    assert_eq!((first["answered_on_the_spot"].as_u64(), first["refused"].as_u64()), (Some(1), Some(1)));
    // A staff read of the page is logged too.
    svc.get(&format!("/v1/units/{UNIT}"), "clerk").await;
    let (_, log) = svc.get("/v1/query-log?after=6", "supervisor").await;
    assert_eq!(log["lines"][0]["class"], "staff");
    svc.stop().await;
}
on_both!(queries_are_answered_only_to_whom_the_law_allows, queries);
