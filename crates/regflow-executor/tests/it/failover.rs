//! PostgreSQL failover for real: a throwaway primary and a synchronous streaming standby
//! (initdb and pg_basebackup on spare ports, run as the `postgres` user), a load of
//! commands with idempotency keys, the primary killed, the standby promoted by hand. Every
//! command acknowledged before the failover is on the new primary, none is applied twice,
//! alerts still fire once, and commands succeed again within seconds; the outage window is
//! printed. Runs when `REGFLOW_PG_URL` is set (the PostgreSQL binaries are then on this
//! machine).

use crate::support::*;
use regflow_executor::{Engine, IgnoreAlerts, ManualClock, Request};
use regflow_process::{CaseId, Centre, Channel, Role};
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

fn bin(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server binaries under /usr/lib/postgresql")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .collect();
    dirs.sort();
    dirs.pop().expect("a PostgreSQL version").join(name)
}

/// Runs a PostgreSQL tool as the `postgres` user (the server refuses to run as root).
fn as_postgres(tool: &str, args: &[&str]) {
    let out =
        Process::new("runuser").args(["-u", "postgres", "--"]).arg(bin(tool)).args(args).output().expect("runuser");
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Two servers under a temporary folder, stopped and removed however the test ends.
struct Cluster {
    dir: PathBuf,
    primary: (PathBuf, u16),
    standby: (PathBuf, u16),
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for (data, _) in [&self.primary, &self.standby] {
            let _ = Process::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(bin("pg_ctl"))
                .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
                .output();
        }
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// Settings of one server; the primary commits synchronously to its standby, which, once
/// promoted, has no standby of its own to wait for.
fn configure(data: &Path, port: u16, socket_dir: &Path, synchronous: bool) {
    let conf = format!(
        "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
         wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nsynchronous_standby_names = '{}'\n\
         max_connections = 60\nshared_buffers = 16MB\n",
        socket_dir.display(),
        if synchronous { "*" } else { "" }
    );
    let path = data.join("postgresql.conf");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&conf);
    std::fs::write(&path, text).unwrap();
}

fn start_cluster() -> Cluster {
    let dir = std::env::temp_dir().join(format!("regflow-failover-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let chown = Process::new("chown").args(["-R", "postgres:postgres", dir.to_str().unwrap()]).status().unwrap();
    assert!(chown.success());
    let (p1, p2) = (free_port(), free_port());
    let cluster = Cluster { primary: (dir.join("primary"), p1), standby: (dir.join("standby"), p2), dir: dir.clone() };
    let primary = cluster.primary.0.to_str().unwrap().to_owned();
    let standby = cluster.standby.0.to_str().unwrap().to_owned();
    as_postgres("initdb", &["-D", &primary, "-A", "trust", "-U", "postgres", "--no-sync"]);
    configure(&cluster.primary.0, p1, &dir, true);
    let log1 = dir.join("primary.log");
    as_postgres("pg_ctl", &["-D", &primary, "-l", log1.to_str().unwrap(), "-w", "start"]);
    as_postgres(
        "pg_basebackup",
        &["-h", "127.0.0.1", "-p", &p1.to_string(), "-U", "postgres", "-D", &standby, "-R", "-X", "stream"],
    );
    // The copy carries the primary's port: the standby gets its own.
    configure(&cluster.standby.0, p2, &dir, false);
    let log2 = dir.join("standby.log");
    as_postgres("pg_ctl", &["-D", &standby, "-l", log2.to_str().unwrap(), "-w", "start"]);
    as_postgres("psql", &["-h", "127.0.0.1", "-p", &p1.to_string(), "-U", "postgres", "-c", "CREATE DATABASE regflow"]);
    cluster
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promoted_standby_takes_over_without_a_restart() {
    if std::env::var(regflow_executor::testing::PG_URL_VAR).is_err() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), "SKIPPED: PostgreSQL failover — set REGFLOW_PG_URL to run it");
        return;
    }
    let cluster = start_cluster();
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/regflow?target_session_attrs=read-write",
        cluster.primary.1, cluster.standby.1
    );
    let clock = ManualClock::new(at("2026-03-02T09:00:00+08:00"));
    let engine = Engine::builder(&url).centre(Centre::new("xining")).clock(clock.clone()).build().await.unwrap();

    // The load: each command has its idempotency key and is retried until acknowledged.
    let clerk = staff("clerk-1", Role::Clerk);
    let mut acknowledged: Vec<(CaseId, Instant)> = Vec::new();
    let mut failures = 0usize;
    let mut outage: Option<(Instant, Instant)> = None;
    let mut killed_at = None;
    let total = 160;
    let mut n = 0;
    while n < total {
        if n == 80 && killed_at.is_none() {
            // Kill the primary the hard way, then promote the standby by hand.
            let data = cluster.primary.0.to_str().unwrap().to_owned();
            as_postgres("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
            killed_at = Some(Instant::now());
            let standby = cluster.standby.0.to_str().unwrap().to_owned();
            as_postgres("pg_ctl", &["-D", &standby, "-w", "promote"]);
        }
        let id = CaseId::new(format!("f{n:03}"));
        let req =
            Request::to(&id, clerk.clone(), accept(&engine, "change", Channel::Window)).idempotent(format!("key-{n}"));
        match engine.execute(req).await {
            Ok(_) => {
                if let (Some(k), None) = (killed_at, outage) {
                    outage = Some((k, Instant::now()));
                }
                acknowledged.push((id, Instant::now()));
                n += 1;
            }
            Err(_) => {
                failures += 1;
                assert!(
                    killed_at.is_some_and(|k| k.elapsed() < Duration::from_secs(60)),
                    "commands fail outside the failover"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    let (from, to) = outage.expect("commands succeeded after the failover");
    let window = to - from;
    println!("PostgreSQL failover: commands succeeded again {window:?} after the primary was killed ({failures} failed attempts, retried)");
    assert!(window < Duration::from_secs(30), "outage {window:?}");

    // Everything acknowledged is on the new primary, once.
    for (id, _) in &acknowledged {
        let history = engine.history(id).await.unwrap();
        assert_eq!(history.len(), 1, "{id} applied {} times", history.len());
        assert!(engine.verify(id).await.unwrap().is_intact());
    }
    // Repeating a key acknowledged before the failover applies nothing.
    let again =
        Request::to(&acknowledged[0].0, clerk.clone(), accept(&engine, "change", Channel::Window)).idempotent("key-0");
    assert!(engine.execute(again).await.unwrap().repeated);
    // Alerts fire once on the new primary.
    let pass = engine.run_due(at("2026-06-01T00:00:00+08:00"), &IgnoreAlerts).await.unwrap();
    assert_eq!(pass.alerts.len(), total * 4);
    let again = engine.run_due(at("2026-06-01T00:00:00+08:00"), &IgnoreAlerts).await.unwrap();
    assert!(again.alerts.is_empty());
    drop(engine);
    drop(cluster);
}
