//! Verifying certificates (issue 27's targets): the public `GET /v1/certificates/{id}/verify`
//! over HTTP with 8 clients (p99 ≤ 5 ms), and the offline check of a file against a public
//! key (≤ 10 ms a file), for SM2 and Ed25519, on SQLite and, with `REGFLOW_PG_URL`,
//! PostgreSQL.
//!
//! `REGFLOW_PG_URL=… cargo bench -p regflow-server --bench verify -- [--certificates 200] [--seconds 3] [--rounds 3]`
//!
//! Each backend and algorithm: `--certificates` change registrations recorded and issued
//! on a fresh database; a server in this process on loopback; `--rounds` rounds of
//! `--seconds` in which 8 clients ask for the verification of the certificates in turn,
//! each with its hash; the median round's p50 / p99. Then every file read back, checked
//! for canonical form and its signature verified with the public key; the p50 / p99; and
//! what signing the same bytes alone costs.

use regflow_executor::signing::{Algorithm, PublicKey, SigningKey};
use regflow_executor::testing::TestDb;
use regflow_executor::{Engine, Request};
use regflow_process::register::certificate::{certificate_id, read_signed_file};
use regflow_process::{
    Actor, ApplicantCategory, ApplicantInput, CaseId, Centre, CentreId, Channel, Command, IntakeInput, Role,
};
use regflow_server::config::Config;
use regflow_server::Server;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn staff(id: &str, role: Role) -> Actor {
    Actor::new(id, [role], CentreId::new("xining"))
}

/// Issues `n` title certificates; their (id, hash) and files.
async fn issue(engine: &Engine, n: usize) -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let id = CaseId::new(format!("v{i:06}"));
        let intake = IntakeInput::new(
            "change",
            ApplicantCategory::Individual,
            vec![ApplicantInput::new("张三", "630102198503120015")],
            format!("630102001001GB00001F{i:08}"),
            Channel::Window,
        );
        let materials =
            ["application_form", "identity_proof", "title_certificate", "change_proof"].map(String::from).to_vec();
        let steps = [
            (staff("clerk-1", Role::Clerk), Command::Accept { intake: Some(intake), materials }),
            (staff("rev-1", Role::Reviewer), Command::Review),
            (staff("reg-1", Role::Registrar), Command::Record),
            (staff("clerk-2", Role::Clerk), Command::IssueCertificate),
        ];
        for (actor, command) in steps {
            engine.execute(Request::to(&id, actor, command)).await.unwrap();
        }
        let c = engine.certificate(&certificate_id("xining", id.as_str())).await.unwrap();
        out.push((c.document.id.clone(), c.hash.clone(), c.file));
    }
    out
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

/// 8 clients verifying the certificates in turn for `seconds`; (requests/s, latencies).
async fn online(url: &str, certs: Arc<Vec<(String, String)>>, seconds: f64) -> (f64, Vec<Duration>) {
    let http = reqwest::Client::new();
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|c| {
            let (http, certs, url) = (http.clone(), certs.clone(), url.to_owned());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut i = c;
                while Instant::now() < until {
                    let (id, hash) = &certs[i % certs.len()];
                    let t = Instant::now();
                    let res = http.get(format!("{url}/v1/certificates/{id}/verify?hash={hash}")).send().await.unwrap();
                    assert_eq!(res.status(), 200);
                    let body = res.text().await.unwrap();
                    assert!(body.contains("\"status\":\"valid\""), "{body}");
                    lat.push(t.elapsed());
                    i += 8;
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (all.len() as f64 / started.elapsed().as_secs_f64(), all)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n: usize = arg("--certificates").and_then(|s| s.parse().ok()).unwrap_or(200);
    let seconds: f64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let rounds: usize = arg("--rounds").and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut backends = vec!["sqlite"];
    if std::env::var("REGFLOW_PG_URL").is_ok() {
        backends.push("postgres");
    }
    for backend in backends {
        for algorithm in [Algorithm::Sm2, Algorithm::Ed25519] {
            let db = if backend == "sqlite" {
                TestDb::sqlite()
            } else {
                TestDb::postgres("verify benchmark").await.unwrap()
            };
            let key = SigningKey::generate(algorithm).unwrap();
            let public = key.public().clone();
            let engine = Engine::builder(&db.url)
                .centre(Centre::new("xining"))
                .signing_key(CentreId::new("xining"), key)
                .build()
                .await
                .unwrap();
            let issued = issue(&engine, n).await;
            let server = Server::bind(engine.clone(), &Config { listen: "127.0.0.1:0".into(), ..Config::default() })
                .await
                .unwrap();
            let url = server.url();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let running = tokio::spawn(server.run(async move {
                let _ = stopped.await;
            }));
            let certs: Arc<Vec<(String, String)>> =
                Arc::new(issued.iter().map(|(i, h, _)| (i.clone(), h.clone())).collect());
            let mut results = Vec::new();
            for _ in 0..rounds {
                let (rate, mut lat) = online(&url, certs.clone(), seconds).await;
                lat.sort();
                results.push((rate, pct(&lat, 0.5), pct(&lat, 0.99)));
            }
            results.sort_by(|a, b| a.2.total_cmp(&b.2));
            let (rate, p50, p99) = results[results.len() / 2];
            println!(
                "verify online {backend} {algorithm}, 8 clients: {rate:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms (p99 of rounds {})",
                results.iter().map(|r| format!("{:.2}", r.2)).collect::<Vec<_>>().join("/")
            );
            let _ = stop.send(());
            running.await.unwrap().unwrap();
            let mut offline = Vec::with_capacity(issued.len());
            for (_, _, file) in &issued {
                let t = Instant::now();
                let key = PublicKey::from_pem(&public.pem).unwrap();
                let signed = read_signed_file(file).unwrap();
                assert!(key.verifies(&signed.signed_bytes, &signed.signature));
                offline.push(t.elapsed());
            }
            offline.sort();
            // What signing alone costs, over the same bytes, with a key of the algorithm.
            let signer = SigningKey::generate(algorithm).unwrap();
            let mut signing = Vec::with_capacity(issued.len());
            for (_, _, file) in &issued {
                let signed = read_signed_file(file).unwrap();
                let t = Instant::now();
                std::hint::black_box(signer.sign(&signed.signed_bytes));
                signing.push(t.elapsed());
            }
            signing.sort();
            println!(
                "sign {algorithm}: p50 {:.3} ms, p99 {:.3} ms a document",
                pct(&signing, 0.5),
                pct(&signing, 0.99)
            );
            println!(
                "verify offline {algorithm} ({} files of {} bytes): p50 {:.3} ms, p99 {:.3} ms a file",
                issued.len(),
                issued[0].2.len(),
                pct(&offline, 0.5),
                pct(&offline, 0.99)
            );
            db.finish().await;
        }
    }
}
