//! The `regflow` binary: each subcommand's happy path and bad usage, with the exit codes of
//! SPEC 11 (0 success, 1 failure, 2 bad usage).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("regflow-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn db(&self) -> String {
        format!("sqlite://{}", self.0.join("regflow.db").display())
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn regflow(dir: &Dir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regflow"))
        .args(args)
        .current_dir(&dir.0)
        .env_remove("REGFLOW_DATABASE_URL")
        .output()
        .unwrap()
}

/// Runs `regflow --database DB` with the whitespace-separated words of `line`.
fn on_db(dir: &Dir, db: &str, line: &str) -> Output {
    regflow(dir, &[&["--database", db][..], &words(line)].concat())
}

fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = Dir::new("usage");
    for args in [
        words("--help"),
        words("serve --help"),
        words("token add --help"),
        words("report --help"),
        words("calendar load --help"),
        words("simulate --help"),
    ] {
        let out = regflow(&dir, &args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("Usage"), "{args:?}");
    }
    for args in [
        words(""),
        words("frobnicate"),
        words("migrate --colour"),
        words("token add --centre xining"),
        words("token add --centre xining --actor clerk-1"),
        words("token add --centre xining --applicant 630102198503120015"),
        words("report --from 2026-03-01"),
        words("report --from 2026-03-01 --to 2026-04-01 --format pdf"),
        words("simulate --per-day 0"),
        words("simulate --month March"),
        words("calendar load"),
    ] {
        let out = regflow(&dir, &args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn migrate_tokens_verify_calendar_report() {
    let dir = Dir::new("ops");
    let db = dir.db();
    let out = on_db(&dir, &db, "migrate");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("regflow_cases"));

    // token add prints the token alone on one line.
    let out = on_db(&dir, &db, "token add --centre xining --actor clerk-1 --role clerk --role reviewer");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let token = stdout(&out);
    assert_eq!(token.lines().count(), 1);
    assert!(token.starts_with("rft_"));
    let out = on_db(&dir, &db, "token add --centre xining --applicant 630102198503120015 --name 张三");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A bad ID number, a role that is not one: failures, with the reason.
    let out = on_db(&dir, &db, "token add --centre xining --applicant 630102198503120016 --name x");
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("630102198503120016"), "{}", stderr(&out));
    let out = on_db(&dir, &db, "token add --centre xining --actor a --role wizard");
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("wizard"));
    let out = on_db(&dir, &db, "token list");
    assert_eq!(code(&out), 0);
    let listed = stdout(&out);
    assert!(listed.contains("clerk,reviewer") && listed.contains("张三"), "{listed}");
    assert!(!listed.contains(token.trim()), "secrets are never listed");
    let id = token.trim().split('_').nth(1).unwrap().to_owned();
    assert_eq!(code(&regflow(&dir, &["--database", &db, "token", "revoke", &id])), 0);
    assert_eq!(code(&regflow(&dir, &["--database", &db, "token", "revoke", &id])), 1, "revoked already");
    assert!(stdout(&on_db(&dir, &db, "token list")).contains("revoked"));

    // verify: every history (none yet), one unknown case.
    let out = on_db(&dir, &db, "verify");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("verified 0"));
    assert_eq!(code(&on_db(&dir, &db, "verify --case nope")), 1);

    // calendar: load the built-in schedules again (merged), show, a missing and a bad file.
    let csv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../regflow-process/data/cn_holidays_2016_2026.csv");
    let out = regflow(&dir, &["--database", &db, "calendar", "load", csv.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = on_db(&dir, &db, "calendar show");
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("2016") && stdout(&out).contains("2026"));
    assert_eq!(code(&on_db(&dir, &db, "calendar load no-such.csv")), 1);
    std::fs::write(dir.0.join("bad.csv"), "not,a\ncalendar").unwrap();
    let out = on_db(&dir, &db, "calendar load bad.csv");
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("invalid_calendar"), "{}", stderr(&out));

    // report in each format; a bad date fails.
    let mut report_json = String::new();
    for format in ["table", "json", "csv"] {
        let args = format!("--database {db} report --from 2026-03-01 --to 2026-04-01 --format {format}");
        let out = regflow(&dir, &args.split(' ').collect::<Vec<_>>());
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        if format == "json" {
            report_json = stdout(&out);
        }
    }
    let json: serde_json::Value = serde_json::from_str(&report_json).unwrap();
    assert_eq!(json["overall"]["opened"], 0);
    let out = on_db(&dir, &db, "report --from 2026-02-30 --to 2026-04-01");
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--from"));
    // An unreachable database is a failure, not a usage error.
    let out = regflow(&dir, &["--database", "mysql://x", "migrate"]);
    assert_eq!(code(&out), 1);
}

#[test]
fn simulate_prints_the_month() {
    let dir = Dir::new("simulate");
    let out = regflow(&dir, &["simulate", "--days", "3", "--per-day", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("申请 opened"), "{}", stdout(&out));
    let out = regflow(&dir, &["simulate", "--month", "2015-06", "--days", "2"]);
    assert_eq!(code(&out), 1, "no policy in force before the reform history starts");
    let out = regflow(&dir, &["simulate", "--days", "3", "--per-day", "10", "--centres", "2"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("2 个中心并行 centres side by side"), "{}", stdout(&out));
    let out = regflow(&dir, &["simulate", "--days", "3", "--per-day", "2", "--centres", "3"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--centres 3 is more than --per-day 2"), "{}", stderr(&out));
}

/// One HTTP/1.1 request on a fresh connection; the status and body.
fn http(addr: &str, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

#[test]
fn serve_prints_its_address_answers_and_stops_on_sigterm() {
    let dir = Dir::new("serve");
    let db = dir.db();
    let token = stdout(&on_db(&dir, &db, "token add --centre haidong --actor sup-1 --role supervisor"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_regflow"))
        .args(["--database", &db, "serve", "--listen", "127.0.0.1:0"])
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let addr = first.trim().strip_prefix("http://").expect("serve prints http://HOST:PORT").to_owned();
    let (status, body) = http(&addr, "GET", "/v1/health", None);
    assert_eq!(status, 200, "{body}");
    // The token's centre (not in any configuration) was created with the defaults.
    let (status, body) = http(&addr, "GET", "/v1/calendar", Some(token.trim()));
    assert_eq!(status, 200, "{body}");
    let (status, _) = http(&addr, "GET", "/v1/calendar", Some("rft_000000000000_nope"));
    assert_eq!(status, 401);
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stops gracefully on SIGTERM");

    // A bad configuration is a failure saying what is wrong.
    std::fs::write(dir.0.join("bad.toml"), "lisen = \"x\"").unwrap();
    let out = on_db(&dir, &db, "serve --config bad.toml");
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("lisen"), "{}", stderr(&out));
}

/// `n` change registrations accepted on 2025-11-03, one JSON line each.
fn import_lines(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                r#"{{"id":"BULK-{i:06}","intake":{{"kind":"change","applicant_category":"individual","applicants":[{{"name":"张三","id":"630102198503120015"}}],"unit":"630102001001GB00001F{:08}","channel":"window","priority":"standard"}},"materials":["application_form","identity_proof","title_certificate","change_proof"],"accepted_at":"2025-11-03T09:00:00+08:00","reviewed_at":"2025-11-04T09:00:00+08:00"}}"#,
                i
            ) + "\n"
        })
        .collect()
}

#[test]
fn import_brings_the_example_in_once_and_names_a_bad_line() {
    let dir = Dir::new("import");
    let db = dir.db();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/import/cases.jsonl");
    let out = regflow(&dir, &["--database", &db, "import", example, "--centre", "xining"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("imported 5 of 5 records (0 imported before)"), "{}", stdout(&out));
    let out = regflow(&dir, &["--database", &db, "import", example, "--centre", "xining"]);
    assert!(stdout(&out).contains("imported 0 of 5 records (5 imported before)"), "{}", stdout(&out));
    let out = on_db(&dir, &db, "verify");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("5 件"), "{}", stdout(&out));

    // A bad third line: exit 1, the line named, nothing written.
    let mut text = import_lines(4);
    let lines: Vec<&str> = text.lines().collect();
    let broken = lines[2].replace("\"reviewed_at\"", "\"reviewd_at\"");
    text = [lines[0], lines[1], &broken, lines[3]].join("\n");
    let bad = dir.0.join("bad.jsonl");
    std::fs::write(&bad, text).unwrap();
    let out = regflow(&dir, &["--database", &db, "import", bad.to_str().unwrap(), "--centre", "xining"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("line 3:") && stderr(&out).contains("reviewd_at"), "{}", stderr(&out));
    let out = on_db(&dir, &db, "verify");
    assert!(stdout(&out).contains("5 件"), "nothing of the bad file was written: {}", stdout(&out));
    // Bad usage: no transaction holds no case.
    let out = regflow(&dir, &["--database", &db, "import", example, "--batch", "0"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn an_import_killed_half_way_finishes_when_run_again() {
    let dir = Dir::new("import-crash");
    let db = dir.db();
    let n = 10_000;
    let file = dir.0.join("bulk.jsonl");
    std::fs::write(&file, import_lines(n)).unwrap();
    let args = ["--database", &db, "import", file.to_str().unwrap(), "--centre", "xining", "--batch", "100"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_regflow"))
        .args(args)
        .current_dir(&dir.0)
        .env_remove("REGFLOW_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Killed after its fifth transaction (each logs a line), mid-write.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for _ in 0..5 {
        let line = lines.next().expect("progress").unwrap();
        assert!(line.contains("imported through line"), "{line}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let out = regflow(&dir, &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let before: usize = text
        .split("records (")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!(before >= 500 && before < n, "killed half-way: {text}");
    assert!(text.contains(&format!("imported {} of {n} records", n - before)), "{text}");
    let out = on_db(&dir, &db, "verify");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("{n} 件")), "every case once, intact: {}", stdout(&out));
}

#[test]
fn backup_writes_a_copy_that_verifies_and_never_overwrites() {
    let dir = Dir::new("backup");
    let db = dir.db();
    assert_eq!(code(&on_db(&dir, &db, "migrate")), 0);
    let out = on_db(&dir, &db, "token add --centre xining --actor clerk-1 --role clerk");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = on_db(&dir, &db, "backup copy.db");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("backed up to copy.db"), "{}", stdout(&out));
    // The copy is a database regflow serves: its token is there and it verifies.
    let copy = format!("sqlite://{}", dir.0.join("copy.db").display());
    let out = on_db(&dir, &copy, "token list");
    assert!(stdout(&out).contains("clerk-1"), "{}", stdout(&out));
    assert_eq!(code(&on_db(&dir, &copy, "verify")), 0);
    // Never over an existing file; a folder that is not there is named.
    let out = on_db(&dir, &db, "backup copy.db");
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("copy.db exists"), "{}", stderr(&out));
    let out = on_db(&dir, &db, "backup nowhere/copy.db");
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("nowhere"), "{}", stderr(&out));
}

/// Issues a title certificate for a first registration and answers its owner's query at
/// the kiosk, signed with the key in `key_file`; returns the two files' bytes.
fn issue_and_answer(db: &str, key_file: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
    use regflow_executor::signing::SigningKey;
    use regflow_executor::{Engine, Request};
    use regflow_process::{
        Actor, ApplicantCategory, ApplicantInput, CaseId, CentreId, Channel, Command, IntakeInput, Role,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let xining = CentreId::new("xining");
        let key = SigningKey::read_file(key_file).unwrap();
        let engine = Engine::builder(db)
            .centre(regflow_process::Centre::new("xining"))
            .signing_key(xining.clone(), key)
            .build()
            .await
            .unwrap();
        let staff = |id: &str, role: Role| Actor::new(id, [role], xining.clone());
        let id = CaseId::new("F-1");
        let intake = IntakeInput::new(
            "first_registration",
            ApplicantCategory::Individual,
            vec![ApplicantInput::new("王五", "630102198001010035")],
            "630102001001GB00001F00010001",
            Channel::Window,
        );
        let materials =
            engine.catalogue().get("first_registration").unwrap().materials.iter().map(|m| m.id.to_string()).collect();
        let steps = [
            (staff("clerk-1", Role::Clerk), Command::Accept { intake: Some(intake), materials }),
            (staff("rev-1", Role::Reviewer), Command::Review),
            (staff("reg-1", Role::Registrar), Command::Record),
            (staff("clerk-2", Role::Clerk), Command::IssueCertificate),
        ];
        for (actor, command) in steps {
            engine.execute(Request::to(&id, actor, command)).await.unwrap();
        }
        let id = regflow_process::register::certificate::certificate_id("xining", "F-1");
        let certificate = engine.certificate(&id).await.unwrap().file;
        let query = IntakeInput::new(
            "information_query",
            ApplicantCategory::Individual,
            vec![ApplicantInput::new("王五", "630102198001010035")],
            "630102001001GB00001F00010001",
            Channel::Kiosk,
        );
        let answer = Command::HandleInstantly { intake: query, materials: vec!["identity_proof".into()] };
        let done =
            engine.execute(Request::to(&CaseId::new("Q-1"), staff("kiosk-1", Role::Kiosk), answer)).await.unwrap();
        let result = engine.query_result(&done.case.answer().unwrap().id).await.unwrap().file;
        (certificate, result)
    })
}

/// Runs `sql` on the SQLite database `db` behind regflow's back.
fn tamper(db: &str, sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(db).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
    });
}

#[test]
fn keys_sign_certificates_that_verify_offline_and_with_openssl() {
    let dir = Dir::new("certificates");
    let db = dir.db();
    let out = on_db(&dir, &db, "keys init --centre xining");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let meta = std::fs::metadata(dir.0.join("keys/xining.pem")).unwrap();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777, 0o600);
    let again = on_db(&dir, &db, "keys init --centre xining");
    assert_eq!(code(&again), 1, "a key file is never overwritten by init");
    let (file, result) = issue_and_answer(&db, &dir.0.join("keys/xining.pem"));
    std::fs::write(dir.0.join("cert.json"), &file).unwrap();
    std::fs::write(dir.0.join("result.json"), &result).unwrap();
    let public = on_db(&dir, &db, "keys export --centre xining");
    assert_eq!(code(&public), 0, "{}", stderr(&public));
    std::fs::write(dir.0.join("old.pem"), &public.stdout).unwrap();
    let verify = |file: &str, key: &str| regflow(&dir, &["certificate", "verify", file, "--public-key", key]);
    let ok = verify("cert.json", "old.pem");
    assert_eq!(code(&ok), 0, "{}{}", stdout(&ok), stderr(&ok));
    assert!(stdout(&ok).starts_with("signature valid"), "{}", stdout(&ok));
    // The query's 查询结果证明 verifies the same way; changed, it does not.
    assert_eq!(code(&verify("result.json", "old.pem")), 0);
    let forged = String::from_utf8(result.clone()).unwrap().replace("王五", "王六");
    std::fs::write(dir.0.join("forged-result.json"), forged).unwrap();
    assert_eq!(code(&verify("forged-result.json", "old.pem")), 1);
    // The query log: intact, then an edited line is found.
    let out = on_db(&dir, &db, "verify --query-log");
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("query log xining: 2"), "{}", stdout(&out));
    tamper(&db, "UPDATE regflow_query_log SET line = replace(line, 'kiosk-1', 'kiosk-2') WHERE seq = 2");
    let out = on_db(&dir, &db, "verify --query-log");
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("TAMPERED query log xining at line 2"), "{}", stdout(&out));

    // One changed character, an added space, a cut file: each fails.
    let text = String::from_utf8(file.clone()).unwrap();
    let changed = text.replace("0000001", "0000002");
    assert_ne!(changed, text);
    let spaced = text.replacen(':', ": ", 1);
    for (name, bytes) in [
        ("changed.json", changed.as_bytes()),
        ("spaced.json", spaced.as_bytes()),
        ("cut.json", &file[..file.len() - 2]),
    ] {
        std::fs::write(dir.0.join(name), bytes).unwrap();
        let out = verify(name, "old.pem");
        assert_eq!(code(&out), 1, "{name}: {}", stdout(&out));
        assert!(stdout(&out).starts_with("signature invalid"), "{name}: {}", stdout(&out));
    }

    // A bank's engineer with jq and OpenSSL 3 checks the same file (SM2, default id).
    let script =
        "jq -cjS 'del(.signature)' cert.json > signed.bin && jq -r .signature cert.json | base64 -d > sig.der \
        && openssl pkeyutl -verify -pubin -inkey old.pem -rawin -in signed.bin -sigfile sig.der \
           -digest sm3 -pkeyopt distid:1234567812345678";
    let openssl = Command::new("sh").args(["-c", script]).current_dir(&dir.0).output().unwrap();
    assert!(openssl.status.success(), "{}{}", stdout(&openssl), stderr(&openssl));
    assert!(stdout(&openssl).contains("Signature Verified Successfully"), "{}", stdout(&openssl));

    // After a rotation the new key does not verify the old file; the old key, exported by
    // its id, still does.
    let rotated = on_db(&dir, &db, "keys rotate --centre xining --algorithm ed25519");
    assert_eq!(code(&rotated), 0, "{}", stderr(&rotated));
    let list = stdout(&on_db(&dir, &db, "keys list --centre xining"));
    assert_eq!(list.lines().count(), 2, "{list}");
    let old_id = list.lines().find(|l| l.contains("retired")).unwrap().split('\t').next().unwrap().to_owned();
    std::fs::write(dir.0.join("new.pem"), on_db(&dir, &db, "keys export --centre xining").stdout).unwrap();
    let wrong = verify("cert.json", "new.pem");
    assert_eq!(code(&wrong), 1, "{}", stdout(&wrong));
    std::fs::write(
        dir.0.join("by-id.pem"),
        on_db(&dir, &db, &format!("keys export --centre xining --key {old_id}")).stdout,
    )
    .unwrap();
    assert_eq!(code(&verify("cert.json", "by-id.pem")), 0);
}
