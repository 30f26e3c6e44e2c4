//! The service over HTTP: alerts over Server-Sent Events and signed webhooks.

use crate::support::*;
use regflow_executor::on_both;

/// Reads Server-Sent Events from `res` until `n` alert events arrived or `wait` passed;
/// their ids and data.
pub async fn sse_events(res: &mut reqwest::Response, n: usize, wait: std::time::Duration) -> Vec<(u64, Value)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let until = tokio::time::Instant::now() + wait;
    while out.len() < n {
        let Ok(chunk) = tokio::time::timeout_at(until, res.chunk()).await else {
            break;
        };
        let Some(chunk) = chunk.unwrap() else { break };
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let id = block.lines().find_map(|l| l.strip_prefix("id:")).map(|v| v.trim().parse::<u64>().unwrap());
            let data =
                block.lines().find_map(|l| l.strip_prefix("data:")).map(|v| serde_json::from_str(v.trim()).unwrap());
            if let (Some(id), Some(data)) = (id, data) {
                out.push((id, data));
            }
        }
    }
    out
}

async fn open_stream(svc: &Svc, who: &str, last: Option<u64>) -> reqwest::Response {
    let mut req = svc.http.get(format!("{}/v1/alerts/stream", svc.base)).bearer_auth(&svc.tokens[who]);
    if let Some(id) = last {
        req = req.header("Last-Event-ID", id.to_string());
    }
    req.send().await.unwrap()
}

async fn alert_stream_resumes(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let mut live = open_stream(&svc, "supervisor", None).await;
    assert_eq!(live.status(), StatusCode::OK);
    assert!(live.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut other = open_stream(&svc, "h_supervisor", Some(0)).await;
    let (s, _) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED);
    // Everything comes due: a warning and a breach on each clock.
    svc.clock.set(at("2026-06-01T10:00:00+08:00"));
    let first = sse_events(&mut live, 2, std::time::Duration::from_secs(20)).await;
    assert_eq!(first.len(), 2, "{first:?}");
    assert_eq!(first[0].1["level"], "warning");
    assert!(first[0].1["due_at"].as_str().unwrap().ends_with("+08:00"));
    drop(live);
    // Resumed after the second: the two it missed, nothing twice.
    let mut resumed = open_stream(&svc, "supervisor", Some(first[1].0)).await;
    let rest = sse_events(&mut resumed, 2, std::time::Duration::from_secs(20)).await;
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert!(rest.iter().all(|(id, _)| *id > first[1].0));
    let mut all: Vec<u64> = first.iter().chain(&rest).map(|(id, _)| *id).collect();
    all.dedup();
    assert_eq!(all.len(), 4);
    // Another centre's stream carries none of them.
    assert!(sse_events(&mut other, 1, std::time::Duration::from_millis(1500)).await.is_empty());
    // Applicants and channel systems do not follow a centre's alerts.
    let (s, _) = svc.get("/v1/alerts/stream", "zhang").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = svc.get("/v1/alerts/stream", "bank").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let bad = svc
        .http
        .get(format!("{}/v1/alerts/stream", svc.base))
        .bearer_auth(&svc.tokens["supervisor"])
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    svc.stop().await;
}
on_both!(alert_stream, alert_stream_resumes);

/// One request a webhook receiver got: the status it answered, the alert id, the
/// signature header and the body.
type Received = (u16, u64, String, String);

/// A webhook receiver that fails its first `failures` requests.
#[derive(Clone, Default)]
struct Receiver {
    seen: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

async fn webhook_receiver(failures: usize) -> (String, Receiver) {
    use axum::http::HeaderMap as H;
    let rec = Receiver::default();
    let r = rec.clone();
    let app = axum::Router::new().route(
        "/alerts",
        axum::routing::post(move |headers: H, body: String| {
            let r = r.clone();
            async move {
                let mut seen = r.seen.lock().unwrap();
                let status = if seen.len() < failures { 500 } else { 200 };
                let id = headers["x-regflow-alert-id"].to_str().unwrap().parse().unwrap();
                let sig = headers["x-regflow-signature"].to_str().unwrap().to_owned();
                seen.push((status, id, sig, body));
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alerts", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rec)
}

fn hmac_hex(secret: &str, body: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn webhooks_retry_until_taken(db: &Db) {
    const SECRET: &str = "a shared secret of some length";
    let (url, rec) = webhook_receiver(2).await;
    let config = Config {
        listen: "127.0.0.1:0".into(),
        webhooks: vec![regflow_server::config::WebhookConfig {
            name: "desk".into(),
            url,
            secret: SECRET.into(),
            centre: Some("xining".into()),
            retry_initial_ms: 50,
        }],
        ..Config::default()
    };
    let svc = Svc::start_with(db, config).await;
    let (s, _) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED);
    svc.clock.set(at("2026-06-01T10:00:00+08:00"));
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ok = rec.seen.lock().unwrap().iter().filter(|s| s.0 == 200).count();
        if ok >= 4 || tokio::time::Instant::now() > until {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let seen = rec.seen.lock().unwrap().clone();
    let failed: Vec<_> = seen.iter().filter(|s| s.0 == 500).collect();
    let taken: Vec<_> = seen.iter().filter(|s| s.0 == 200).collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(taken.len(), 4, "each alert taken once: {seen:?}");
    // The first alert was retried until taken; the ids are in order and distinct.
    assert_eq!(failed[0].1, failed[1].1);
    assert_eq!(taken[0].1, failed[0].1);
    assert!(taken.windows(2).all(|w| w[0].1 < w[1].1));
    for (_, id, sig, body) in &seen {
        assert_eq!(sig, &format!("sha256={}", hmac_hex(SECRET, body)), "alert {id}");
        let doc: Value = serde_json::from_str(body).unwrap();
        assert_eq!(doc["id"], json!(id));
        assert_eq!(doc["centre"], "xining");
    }
    svc.stop().await;
}
on_both!(webhooks, webhooks_retry_until_taken);

async fn notices_on_the_stream(db: &Db) {
    // SPEC 17 §6: a notice travels the queue with a `type`; case alerts are `deadline`.
    let svc = Svc::start(db, Limits::default()).await;
    let mut live = open_stream(&svc, "supervisor", Some(0)).await;
    let seizure = json!({"command": "handle_instantly", "kind": "seizure", "applicant_category": "organisation",
        "channel": "court", "unit": "630102001001GB00001F00010001",
        "applicants": [{"name": "西宁中院", "id": "91630100MA7512347R"}],
        "materials": ["court_ruling", "assistance_notice"]});
    let (s, v) = svc.post("/v1/cases", "court", seizure).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Unacknowledged an hour after its id was minted (at 10:00): `report_overdue`.
    svc.clock.set(at("2026-03-02T11:00:01+08:00"));
    let got = sse_events(&mut live, 1, std::time::Duration::from_secs(20)).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let notice = &got[0].1;
    assert_eq!(notice["type"], "report_overdue", "{notice}");
    assert_eq!(notice["at"], "2026-03-02T11:00:00+08:00");
    assert_eq!(notice["body"]["message_id"], "630102260302000001");
    svc.stop().await;
}
on_both!(a_notice_arrives_on_the_alert_stream_with_its_type, notices_on_the_stream);
