//! A service killed between the commit of its alerts and their delivery delivers them after
//! a restart: each runtime below is a process — dropping it ends every task it ran, with
//! no graceful shutdown.

use chrono::{DateTime, Utc};
use regflow_executor::{Engine, ManualClock};
use regflow_process::{Actor, Centre, CentreId, Role};
use regflow_server::config::{Config, WebhookConfig};
use regflow_server::Server;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[derive(Clone, Default)]
struct Receiver {
    up: Arc<AtomicBool>,
    attempts: Arc<Mutex<Vec<(bool, u64)>>>,
}

async fn receiver() -> (String, Receiver) {
    let rec = Receiver::default();
    let r = rec.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let r = r.clone();
            async move {
                let up = r.up.load(Ordering::SeqCst);
                let id = headers["x-regflow-alert-id"].to_str().unwrap().parse().unwrap();
                r.attempts.lock().unwrap().push((up, id));
                if up {
                    axum::http::StatusCode::OK
                } else {
                    axum::http::StatusCode::SERVICE_UNAVAILABLE
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rec)
}

fn config(url: &str) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        webhooks: vec![WebhookConfig {
            name: "desk".into(),
            url: url.into(),
            secret: "a shared secret of some length".into(),
            centre: None,
            retry_initial_ms: 50,
        }],
        ..Config::default()
    }
}

/// Starts a service on `db` in `rt`; returns its address and the clerk's token.
fn start(rt: &tokio::runtime::Runtime, db: &str, hook: &str, clock: &ManualClock) -> (String, String) {
    rt.block_on(async {
        let engine = Engine::builder(db).centre(Centre::new("xining")).clock(clock.clone()).build().await.unwrap();
        let clerk = Actor::new("clerk-1", [Role::Clerk], CentreId::new("xining"));
        let token = engine.database().issue_token(&clerk, None, Utc::now()).await.unwrap().secret;
        let server = Server::bind(engine, &config(hook)).await.unwrap();
        let url = server.url();
        tokio::spawn(server.run(std::future::pending()));
        (url, token)
    })
}

fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let until = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn killed_then_restarted(db: &str) {
    let side = tokio::runtime::Runtime::new().unwrap();
    let (hook, rec) = side.block_on(receiver());
    let clock = ManualClock::new(at("2026-03-02T10:00:00+08:00"));

    let first = tokio::runtime::Runtime::new().unwrap();
    let (url, token) = start(&first, db, &hook, &clock);
    let created = side.block_on(async {
        reqwest::Client::new()
            .post(format!("{url}/v1/cases"))
            .bearer_auth(&token)
            .json(&json!({"command": "accept", "kind": "change", "applicant_category": "individual",
                          "channel": "window", "unit": "630102001001GB00001F00010001",
                          "applicants": [{"name": "张三", "id": "630102198503120015"}],
                          "materials": ["application_form", "identity_proof", "title_certificate", "change_proof"]}))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(created, 201);
    // Everything comes due; the receiver is down, so nothing is taken.
    clock.set(at("2026-06-01T10:00:00+08:00"));
    wait_until("a first delivery attempt", Duration::from_secs(20), || !rec.attempts.lock().unwrap().is_empty());
    first.shutdown_background(); // killed: no graceful stop, nothing flushed
    let before_restart = rec.attempts.lock().unwrap().len();
    assert!(rec.attempts.lock().unwrap().iter().all(|(up, _)| !up));

    rec.up.store(true, Ordering::SeqCst);
    let second = tokio::runtime::Runtime::new().unwrap();
    let _ = start(&second, db, &hook, &clock);
    // A delivery cut off inside its lease waits for the lease (30 s) at most.
    wait_until("the four alerts taken after the restart", Duration::from_secs(45), || {
        rec.attempts.lock().unwrap().iter().filter(|(up, _)| *up).count() >= 4
    });
    std::thread::sleep(Duration::from_millis(300));
    let attempts = rec.attempts.lock().unwrap().clone();
    let mut taken: Vec<u64> = attempts.iter().filter(|(up, _)| *up).map(|(_, id)| *id).collect();
    assert_eq!(taken.len(), 4, "{attempts:?}");
    taken.dedup();
    assert_eq!(taken.len(), 4, "each alert taken once: {attempts:?}");
    assert!(attempts.len() > before_restart);
    second.shutdown_background();
    side.shutdown_background();
}

#[test]
fn a_killed_service_delivers_after_restart_sqlite() {
    let dir = std::env::temp_dir().join(format!("regflow-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    killed_then_restarted(&format!("sqlite://{}", dir.join("cases.db").display()));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_killed_service_delivers_after_restart_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(pg) =
        rt.block_on(regflow_executor::testing::PgDatabase::create("a_killed_service_delivers_after_restart"))
    else {
        return;
    };
    killed_then_restarted(pg.url());
    rt.block_on(pg.drop());
}
