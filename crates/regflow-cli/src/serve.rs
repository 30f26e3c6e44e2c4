//! `regflow serve`: the HTTP service with its alert watcher, until SIGTERM or Ctrl-C;
//! `--demo` adds a demo centre with its staff, channel systems and applicants.

use chrono::Utc;
use regflow_executor::{Database, Engine, MigrationMode};
use regflow_process::{Actor, CentreId, Role};
use regflow_server::config::Config;
use regflow_server::Server;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use crate::{Failure, ServeArgs, DEFAULT_DATABASE};

/// The database `--demo` uses unless one is named.
const DEMO_DATABASE: &str = "sqlite://regflow-demo.db";
/// Where `--demo` writes its tokens as shell variables.
const DEMO_ENV: &str = "regflow-demo.env";

/// The demo centre's people: (variable, actor, roles) and (variable, ID number, name).
const DEMO_STAFF: [(&str, &str, &[Role]); 10] = [
    ("CLERK", "clerk-1", &[Role::Clerk]),
    ("REVIEWER", "rev-1", &[Role::Reviewer]),
    ("REGISTRAR", "reg-1", &[Role::Registrar]),
    ("SUPERVISOR", "sup-1", &[Role::Supervisor]),
    ("TAX", "tax-1", &[Role::TaxOfficer]),
    ("TRANSACTION", "tr-1", &[Role::TransactionOfficer]),
    ("BANK", "bank-1", &[Role::Bank]),
    ("KIOSK", "kiosk-1", &[Role::Kiosk]),
    ("COURT", "court-1", &[Role::Court]),
    ("REPORTER", "adapter-1", &[Role::Reporter]),
];
const DEMO_APPLICANTS: [(&str, &str, &str); 3] = [
    ("ZHANGSAN", "630102198503120015", "张三"),
    ("LISI", "630102199211080028", "李四"),
    ("WANGWU", "630102198001010035", "王五"),
];

async fn demo_tokens(db: &Database) -> Result<String, Failure> {
    let centre = CentreId::new("xining");
    let now = Utc::now();
    let mut env = String::new();
    for (var, id, roles) in DEMO_STAFF {
        let t = db.issue_token(&Actor::new(id, roles.iter().copied(), centre.clone()), None, now).await?;
        writeln!(env, "export TOKEN_{var}={}", t.secret)?;
    }
    // A clerk of another centre, who must see nothing of xining's cases.
    let other = Actor::new("clerk-1", [Role::Clerk], CentreId::new("haidong"));
    writeln!(env, "export TOKEN_CLERK_HAIDONG={}", db.issue_token(&other, None, now).await?.secret)?;
    for (var, id, name) in DEMO_APPLICANTS {
        let t = db.issue_token(&Actor::applicant(id, centre.clone()), Some(name), now).await?;
        writeln!(env, "export TOKEN_{var}={}", t.secret)?;
    }
    Ok(env)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

pub async fn run(database: Option<String>, args: ServeArgs) -> Result<ExitCode, Failure> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .try_init()
        .ok();
    let text = match &args.config {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => String::new(),
    };
    let mut config = Config::from_toml(&text)?.with_env(|k| std::env::var(k).ok())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    config.demo = args.demo;
    let url = database
        .or_else(|| config.database.clone())
        .unwrap_or_else(|| if args.demo { DEMO_DATABASE } else { DEFAULT_DATABASE }.to_owned());
    let db = Database::connect_sized(&url, None, MigrationMode::Apply).await?;
    let demo_env = if args.demo { Some(demo_tokens(&db).await?) } else { None };
    let token_centres: BTreeSet<CentreId> =
        db.tokens().await?.into_iter().filter(|t| t.revoked_at.is_none()).map(|t| t.actor.centre().clone()).collect();
    let mut builder = Engine::builder_on(db);
    for mut centre in config.centres_with(token_centres)? {
        // The demo's two centres by their names, unless configured otherwise.
        if args.demo && centre.name == centre.id.as_str() {
            match centre.id.as_str() {
                "xining" => centre.name = "西宁市不动产登记中心".into(),
                "haidong" => centre.name = "海东市不动产登记中心".into(),
                _ => {}
            }
        }
        let key = crate::ops::load_or_make_key(&config.signing_key_file(&centre.id), &centre.id)?;
        builder = builder.signing_key(centre.id.clone(), key).centre(centre);
    }
    let engine = builder.build().await?;
    let server = Server::bind(engine, &config).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", server.url())?;
    if let Some(env) = &demo_env {
        std::fs::write(DEMO_ENV, format!("export REGFLOW={}\n{env}", server.url()))?;
        writeln!(out, "演示 demo: centre xining on {url}; tokens (also in {DEMO_ENV}, `source {DEMO_ENV}`):\n{env}")?;
    }
    out.flush()?;
    drop(out);
    server.run(shutdown_signal()).await?;
    eprintln!("regflow: stopped");
    Ok(ExitCode::SUCCESS)
}
