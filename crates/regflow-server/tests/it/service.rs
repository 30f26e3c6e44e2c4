//! The service over HTTP: metrics and the OpenAPI document.

use crate::support::*;
use regflow_executor::on_both;

async fn metrics_count_commands_and_read_the_database(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let (s, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = case["id"].as_str().unwrap();
    let (s, _) = svc.command(id, "registrar", json!({"command": "record"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    svc.clock.set(at("2026-06-01T10:00:00+08:00"));
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let text = loop {
        let res = svc.http.get(format!("{}/metrics", svc.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        if text.contains("regflow_alerts_fired_total 4") || tokio::time::Instant::now() > until {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    for line in [
        "regflow_commands_total{command=\"accept\",outcome=\"ok\"} 1",
        "regflow_commands_total{command=\"record\",outcome=\"invalid_transition\"} 1",
        "regflow_command_duration_seconds_count{command=\"accept\"} 1",
        "regflow_alerts_fired_total 4",
        "regflow_open_cases{state=\"accepted\"} 1",
        "regflow_delivery_backlog{consumer=\"handler\"} 0",
        "regflow_pool_connections{connections=\"max\"}",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    assert!(text.trim_end().ends_with("# EOF"));
    assert_eq!(text.matches("# EOF").count(), 1);
    svc.stop().await;
}
on_both!(metrics, metrics_count_commands_and_read_the_database);

async fn the_document_describes_the_routes(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let (s, doc) = svc.call(Method::GET, "/v1/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 32);
    // Every documented path is a route (the fallback answers `not_found` for the rest).
    for (path, ops) in paths {
        if path == "/v1/alerts/stream" {
            continue;
        }
        let concrete = path
            .replace("{id}", "nope")
            .replace("{kind}", "change")
            .replace("{role}", "clerk")
            .replace("{unit}", "630102001001GB00001F00010001")
            .replace("{target}", "national")
            .replace("{area}", "630102")
            .replace("{date}", "2026-03-02");
        for method in ops.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (_, body) = svc.call(m, &concrete, Some("clerk"), None).await;
            assert_ne!(body["code"], "not_found", "{method} {path} is documented but not routed");
        }
    }
    // Every command a caller may send has a body schema, with exactly the fields it reads.
    let bodies = doc["components"]["schemas"]["CaseCommand"]["oneOf"].as_array().unwrap();
    for name in regflow_process::wire::COMMANDS {
        let body = bodies
            .iter()
            .find(|b| b["properties"]["command"]["const"] == name.as_str())
            .unwrap_or_else(|| panic!("no schema for {name}"));
        let fields: Vec<&String> = body["properties"].as_object().unwrap().keys().collect();
        assert_eq!(fields.len(), regflow_process::wire::fields_of(*name).len() + 2, "{name}: {fields:?}");
    }
    svc.stop().await;
}
on_both!(openapi_document, the_document_describes_the_routes);
