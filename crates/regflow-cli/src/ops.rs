//! The operator's subcommands, each a few calls to the engine's public API.

use chrono::{DateTime, Utc};
use regflow_executor::signing::{Algorithm, PublicKey, SigningKey};
use regflow_executor::{Database, Engine, Figures, MigrationMode, ReportFilter};
use regflow_process::register::certificate::read_signed_file;
use regflow_process::{Actor, ApplicantCategory, CaseId, CentreId, Channel, KindId, OfficeHours, Role};
use regflow_sim::table;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::{Failure, Format, ImportArgs, KeyArgs, ReportArgs, TokenAddArgs};
use regflow_sim::simulation::Arrivals;

async fn engine(database: &str) -> Result<Engine, Failure> {
    Ok(Engine::builder(database).build().await?)
}

/// The actor the command line acts as: the engine's own role, which may load calendars.
fn operator() -> Actor {
    Actor::system(CentreId::new("operator"))
}

pub async fn migrate(database: &str) -> Result<ExitCode, Failure> {
    let db = Database::connect(database, MigrationMode::Apply).await?;
    let tables = db.regflow_tables().await?;
    println!("migrated: {} tables ({})", tables.len(), tables.join(", "));
    Ok(ExitCode::SUCCESS)
}

pub async fn backup(database: &str, file: &std::path::Path) -> Result<ExitCode, Failure> {
    let db = Database::connect(database, MigrationMode::Skip).await?;
    let bytes = db.backup(file).await?;
    println!("backed up to {} ({bytes} bytes)", file.display());
    println!("check it: regflow --database sqlite://{} verify", file.display());
    Ok(ExitCode::SUCCESS)
}

/// Which parts `verify` is limited to (neither: everything).
#[derive(Debug, Clone, Copy)]
pub struct Only {
    /// The registers.
    pub register: bool,
    /// The query logs.
    pub query_log: bool,
}

pub async fn verify(database: &str, case: Option<String>, only: Only) -> Result<ExitCode, Failure> {
    let engine = engine(database).await?;
    let all = !only.register && !only.query_log && case.is_none();
    let registers_intact = if all || only.register { verify_registers(&engine).await? } else { true };
    let logs_intact = if all || only.query_log { verify_query_logs(&engine).await? } else { true };
    if only.register || only.query_log {
        return Ok(if registers_intact && logs_intact { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    let ids = match case {
        Some(id) => {
            let id = CaseId::new(id);
            if engine.case(&id).await?.is_none() {
                return Err(format!("no case `{id}`").into());
            }
            vec![id]
        }
        None => {
            let mut all = Vec::new();
            loop {
                let page = engine.case_ids(all.last(), 1000).await?;
                if page.is_empty() {
                    break;
                }
                all.extend(page);
            }
            all
        }
    };
    let (mut entries, mut broken) = (0u64, 0usize);
    for id in &ids {
        let v = engine.verify(id).await?;
        entries += v.entries;
        if !v.is_intact() {
            broken += 1;
            println!("篡改 TAMPERED {id}: {}", serde_json::to_string(&v.problems)?);
        }
    }
    println!(
        "核验 verified {} 件 cases, {entries} 条记录 history entries: {}",
        ids.len(),
        if broken == 0 { "完整 intact".to_owned() } else { format!("{broken} 件被篡改 tampered") }
    );
    Ok(if broken == 0 && registers_intact && logs_intact { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Verifies every centre's query log, printing a line per centre; whether all are intact.
async fn verify_query_logs(engine: &Engine) -> Result<bool, Failure> {
    let mut intact = true;
    for v in engine.verify_query_logs().await? {
        match &v.broken {
            None => println!("查询日志 query log {}: {} 条 lines: 完整 intact", v.centre, v.lines),
            Some(b) => {
                intact = false;
                println!("篡改 TAMPERED query log {} at line {}: {}", v.centre, b.seq, b.reason);
            }
        }
    }
    Ok(intact)
}

/// Verifies every centre's register, printing a line per centre; whether all are intact.
async fn verify_registers(engine: &Engine) -> Result<bool, Failure> {
    let mut intact = true;
    for v in engine.verify_registers().await? {
        if v.is_intact() {
            println!("登记簿 register {}: {} 条 entries, {} 个单元 units: 完整 intact", v.centre, v.entries, v.units);
        } else {
            intact = false;
            for p in &v.problems {
                println!("篡改 TAMPERED register {}: {}", v.centre, serde_json::to_string(p)?);
            }
        }
    }
    Ok(intact)
}

pub async fn calendar_load(database: &str, file: &Path, replace: bool) -> Result<ExitCode, Failure> {
    let csv = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let engine = engine(database).await?;
    let done = if replace {
        engine.replace_calendar(&operator(), &csv).await?
    } else {
        engine.load_calendar(&operator(), &csv).await?
    };
    println!(
        "日历 calendar {} ({}): 年份 years {:?}, 变更 changed {:?}; 重算 re-projected {} of {} open cases examined",
        done.load.version,
        done.load.mode.as_str(),
        done.load.years,
        done.load.changed_years,
        done.moved.len(),
        done.examined
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn import_register(database: &str, file: &Path, centre: &str) -> Result<ExitCode, Failure> {
    let centre = regflow_process::Centre::new(centre);
    let operator = Actor::new("operator", [Role::Supervisor], centre.id.clone());
    let engine = Engine::builder(database).centre(centre).build().await?;
    let started = std::time::Instant::now();
    let report = engine.import_register(&operator, file).await?;
    println!(
        "登记簿导入 imported {} of {} units ({} imported before), {} entries, in {:.1} s",
        report.imported,
        report.units,
        report.already,
        report.entries,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn import(database: &str, args: ImportArgs) -> Result<ExitCode, Failure> {
    let centre = regflow_process::Centre::new(args.centre.as_str());
    let operator = Actor::new("operator", [Role::Supervisor], centre.id.clone());
    let engine = Engine::builder(database).centre(centre).build().await?;
    let bar = indicatif::ProgressBar::new_spinner().with_message("导入 importing");
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}: {pos} 行 lines ({per_sec})")
            .map_err(|e| e.to_string())?,
    );
    // A bar on a terminal; a line per transaction in a log.
    let logged = !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = {
        let bar = bar.clone();
        Arc::new(move |lines: u64| {
            if logged {
                eprintln!("导入 imported through line {lines}");
            } else {
                bar.set_position(lines);
            }
        })
    };
    let options = regflow_executor::ImportOptions {
        batch: usize::try_from(args.batch).unwrap_or(1000),
        progress: Some(progress),
    };
    let started = std::time::Instant::now();
    let report = engine.import(&operator, &args.file, options).await;
    bar.finish_and_clear();
    let report = report?;
    println!(
        "导入 imported {} of {} records ({} imported before) in {:.1} s",
        report.imported,
        report.records,
        report.already,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn calendar_show(database: &str) -> Result<ExitCode, Failure> {
    let engine = engine(database).await?;
    let calendar = engine.current_calendar().await?;
    let years: Vec<String> = calendar.covered_years().map(|y| y.to_string()).collect();
    println!("日历版本 calendar version: {}", calendar.version());
    println!("覆盖年份 years covered: {}", years.join(" "));
    for load in engine.calendar_loads().await? {
        println!(
            "  #{} {} {} by {}: years {:?}, changed {:?}{}",
            load.seq,
            load.loaded_at.to_rfc3339(),
            load.mode.as_str(),
            load.loaded_by,
            load.years,
            load.changed_years,
            if load.reprojected_at.is_none() { " (re-projection pending)" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn instant(field: &str, text: &str, hours: &OfficeHours) -> Result<DateTime<Utc>, Failure> {
    Ok(hours.parse_instant(text).map_err(|e| format!("--{field}: {e}"))?)
}

fn csv_row(scope: &str, name: &str, f: &Figures) -> String {
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.4}"));
    format!(
        "{scope},{name},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        f.opened,
        f.accepted,
        f.completed,
        f.completed_instantly,
        f.not_accepted,
        f.rejected,
        f.withdrawn,
        f.suspended,
        f.extended,
        opt(f.on_time_rate),
        opt(f.within_statute_rate),
        opt(f.mean_working_days),
        opt(f.median_working_days),
        opt(f.reduction_vs_statute),
        f.evaluations,
        opt(f.average_rating),
    )
}

pub async fn report(database: &str, args: ReportArgs) -> Result<ExitCode, Failure> {
    let hours = OfficeHours::parse(&args.time_zone, "18:00").map_err(|e| format!("--time-zone: {e}"))?;
    let (from, to) = (instant("from", &args.from, &hours)?, instant("to", &args.to, &hours)?);
    if to <= from {
        return Err("--to must be after --from".into());
    }
    let filter = ReportFilter {
        from,
        to,
        centre: args.centre.map(CentreId::new),
        kind: args.kind.as_deref().map(KindId::parse).transpose().map_err(|e| format!("--kind: {e}"))?,
        category: args
            .applicant_category
            .as_deref()
            .map(str::parse::<ApplicantCategory>)
            .transpose()
            .map_err(|e| format!("--applicant-category: {e}"))?,
        channel: args
            .channel
            .as_deref()
            .map(str::parse::<Channel>)
            .transpose()
            .map_err(|e| format!("--channel: {e}"))?,
        basis: args.basis,
    };
    let report = engine(database).await?.report(&filter).await?;
    let mut s = String::new();
    match args.format {
        Format::Json => writeln!(s, "{}", serde_json::to_string_pretty(&report)?)?,
        Format::Csv => {
            writeln!(s, "scope,name,opened,accepted,completed,completed_instantly,not_accepted,rejected,withdrawn,suspended,extended,on_time_rate,within_statute_rate,mean_working_days,median_working_days,reduction_vs_statute,evaluations,average_rating")?;
            writeln!(s, "{}", csv_row("overall", "all", &report.overall))?;
            for (c, f) in &report.by_category {
                writeln!(s, "{}", csv_row("applicant_category", c.as_str(), f))?;
            }
            for (k, f) in &report.by_kind {
                writeln!(s, "{}", csv_row("kind", k.as_str(), f))?;
            }
            for (c, f) in &report.by_channel {
                writeln!(s, "{}", csv_row("channel", c.as_str(), f))?;
            }
        }
        Format::Table => {
            writeln!(s, "报告 report {} — {}", hours.format(from), hours.format(to))?;
            writeln!(s, "{}\n", table::outcome_line(&report.overall))?;
            let mut rows: Vec<(String, &Figures)> =
                report.by_category.iter().map(|(c, f)| (format!("{} {c}", table::category_zh(*c)), f)).collect();
            rows.push(("合计 all".into(), &report.overall));
            s.push_str(&table::figures_table("类别 category", rows));
            s.push('\n');
            s.push_str(&table::figures_table(
                "渠道 channel",
                report.by_channel.iter().map(|(c, f)| (c.to_string(), f)),
            ));
            s.push('\n');
            s.push_str(&table::figures_table("业务 kind", report.by_kind.iter().map(|(k, f)| (k.to_string(), f))));
            writeln!(s, "\n超期 overdue: {}", report.overdue.len())?;
            if !report.queries.is_empty() {
                writeln!(s, "\n查询 queries: class/channel, on the spot, later, deferred (on time, late), refused")?;
                for q in &report.queries {
                    writeln!(
                        s,
                        "  {}/{}: {} {} {} ({}, {}) {}",
                        q.class.as_str(),
                        q.channel,
                        q.answered_on_the_spot,
                        q.answered_later,
                        q.deferred,
                        q.deferred_on_time,
                        q.deferred_late,
                        q.refused
                    )?;
                }
            }
        }
    }
    Ok(regflow_sim::write_stdout(&s))
}

pub async fn token_add(database: &str, args: TokenAddArgs) -> Result<ExitCode, Failure> {
    let centre = CentreId::new(args.centre);
    let (actor, name) = match (args.actor, args.applicant) {
        (Some(id), None) => {
            let roles = args
                .role
                .iter()
                .map(|r| r.parse::<Role>().map_err(|e| format!("--role: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            (Actor::new(id, roles, centre), None)
        }
        (None, Some(id)) => (Actor::applicant(id, centre), args.name),
        _ => return Err("give --actor with --role, or --applicant with --name".into()),
    };
    let db = Database::connect(database, MigrationMode::Apply).await?;
    let issued = db.issue_token(&actor, name.as_deref(), Utc::now()).await?;
    println!("{}", issued.secret);
    Ok(ExitCode::SUCCESS)
}

pub async fn token_revoke(database: &str, id: &str) -> Result<ExitCode, Failure> {
    let db = Database::connect(database, MigrationMode::Apply).await?;
    if db.revoke_token(id, Utc::now()).await? {
        println!("已吊销 revoked {id}");
        Ok(ExitCode::SUCCESS)
    } else {
        Err(format!("no live token `{id}` (see `regflow token list`)").into())
    }
}

pub async fn token_list(database: &str) -> Result<ExitCode, Failure> {
    let db = Database::connect(database, MigrationMode::Apply).await?;
    let mut s = String::new();
    writeln!(s, "{:<14} {:<12} {:<22} {:<34} {:<26} 状态 status", "id", "centre", "actor", "roles", "issued")?;
    for t in db.tokens().await? {
        let roles: Vec<&str> = t.actor.roles().iter().map(|r| r.as_str()).collect();
        let who = match &t.name {
            Some(n) => format!("{} {n}", t.actor.id()),
            None => t.actor.id().to_string(),
        };
        let status = match t.revoked_at {
            Some(at) => format!("已吊销 revoked {}", at.to_rfc3339()),
            None => "有效 live".into(),
        };
        writeln!(
            s,
            "{:<14} {:<12} {:<22} {:<34} {:<26} {status}",
            t.id,
            t.actor.centre(),
            who,
            roles.join(","),
            t.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        )?;
    }
    Ok(regflow_sim::write_stdout(&s))
}

pub async fn simulate(database: Option<String>, args: Arrivals) -> Result<ExitCode, Failure> {
    use regflow_sim::simulation::{simulate, Config, Outcome};
    let cfg = Config {
        progress: Some(Arc::new(|done, total, _| eprint!("\r{done}/{total} 天 days"))),
        ..args.config(database, regflow_process::PolicyTimeline::builtin())
    };
    let out = simulate(cfg.clone()).await.map_err(|e| e.to_string())?;
    eprintln!();
    out.exit_unless_something_was_accepted(&format!("{} days from {}", cfg.days, cfg.start));
    let mut s = String::new();
    s.push_str(&Outcome::heading(&cfg));
    s.push_str(&out.summary());
    Ok(regflow_sim::write_stdout(&s))
}

/// The key in `path`, or a new SM2 key written there (as `keys init` would) when there is
/// none; its id is logged either way.
pub fn load_or_make_key(path: &Path, centre: &CentreId) -> Result<SigningKey, Failure> {
    if path.exists() {
        let key = SigningKey::read_file(path)?;
        tracing::info!(centre = %centre, key_id = %key.public().key_id, file = %path.display(), "signing key");
        return Ok(key);
    }
    let key = SigningKey::generate(Algorithm::Sm2)?;
    key.write_file(path, false)?;
    tracing::warn!(
        centre = %centre,
        key_id = %key.public().key_id,
        file = %path.display(),
        "no signing key: made one (back the file up; `regflow keys rotate` replaces it)"
    );
    Ok(key)
}

fn key_file(args: &KeyArgs) -> std::path::PathBuf {
    args.key_file
        .clone()
        .unwrap_or_else(|| regflow_server::config::default_key_file(&CentreId::new(args.centre.as_str())))
}

pub async fn keys_init(database: &str, args: KeyArgs) -> Result<ExitCode, Failure> {
    let path = key_file(&args);
    let algorithm: Algorithm = args.algorithm.as_deref().unwrap_or("sm2").parse()?;
    let key = SigningKey::generate(algorithm)?;
    let public = key.public().clone();
    let centre = CentreId::new(args.centre.as_str());
    // The database first: a key file is only written once its public half is stored.
    let engine = engine(database).await?;
    if path.exists() {
        return Err(format!(
            "signing key file `{}` exists: `regflow keys rotate --centre {centre}` replaces it",
            path.display()
        )
        .into());
    }
    engine.rotate_public_key(&centre, &public).await?;
    key.write_file(&path, false)?;
    println!("key {} ({algorithm}) of centre {centre} written to {} (mode 0600)", public.key_id, path.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn keys_rotate(database: &str, args: KeyArgs) -> Result<ExitCode, Failure> {
    let path = key_file(&args);
    let old = SigningKey::read_file(&path)
        .map_err(|e| format!("{e} (`regflow keys init --centre {}` makes the first key)", args.centre))?;
    let algorithm = match args.algorithm.as_deref() {
        Some(a) => a.parse()?,
        None => old.public().algorithm,
    };
    let key = SigningKey::generate(algorithm)?;
    let centre = CentreId::new(args.centre.as_str());
    let engine = engine(database).await?;
    // The old key's public half stays stored, so what it signed keeps verifying.
    engine.rotate_public_key(&centre, old.public()).await?;
    engine.rotate_public_key(&centre, key.public()).await?;
    key.write_file(&path, true)?;
    println!(
        "key {} ({algorithm}) of centre {centre} is current, in {}; key {} keeps verifying what it signed. Restart `serve` to sign with the new key.",
        key.public().key_id,
        path.display(),
        old.public().key_id
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn keys_list(database: &str, centre: &str) -> Result<ExitCode, Failure> {
    let engine = engine(database).await?;
    let keys = engine.public_keys(&CentreId::new(centre)).await?;
    if keys.is_empty() {
        println!("centre {centre} has no keys yet: `regflow keys init --centre {centre}`");
    }
    for (key, retired) in keys {
        let state = retired.map_or_else(|| "current".to_owned(), |at| format!("retired {}", at.to_rfc3339()));
        println!("{}\t{}\t{state}", key.key_id, key.algorithm);
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn keys_export(database: &str, centre: &str, key_id: Option<String>) -> Result<ExitCode, Failure> {
    let engine = engine(database).await?;
    let keys = engine.public_keys(&CentreId::new(centre)).await?;
    let found = match &key_id {
        Some(id) => keys.iter().find(|(k, _)| &k.key_id == id),
        None => keys.iter().rev().find(|(_, retired)| retired.is_none()),
    };
    let Some((key, _)) = found else {
        return Err(match key_id {
            Some(id) => format!("centre {centre} has no key `{id}`: `regflow keys list --centre {centre}`"),
            None => format!("centre {centre} has no current key: `regflow keys init --centre {centre}`"),
        }
        .into());
    };
    print!("{}", key.pem);
    Ok(ExitCode::SUCCESS)
}

pub fn certificate_verify(file: &Path, public_key: &Path) -> Result<ExitCode, Failure> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let pem = std::fs::read_to_string(public_key).map_err(|e| format!("{}: {e}", public_key.display()))?;
    let key = PublicKey::from_pem(&pem).map_err(|e| format!("{}: {e}", public_key.display()))?;
    let verdict = match read_signed_file(&bytes) {
        Err(e) => Err(e.to_string()),
        Ok(signed) if signed.algorithm != key.algorithm.as_str() => {
            Err(format!("the file is signed with {}, the key is {}", signed.algorithm, key.algorithm))
        }
        Ok(signed) if !key.verifies(&signed.signed_bytes, &signed.signature) => Err(if signed.key_id == key.key_id {
            "the signature does not match the file: it was changed after signing".to_owned()
        } else {
            format!("signed by key {}, not by key {}", signed.key_id, key.key_id)
        }),
        Ok(signed) => Ok(signed),
    };
    match verdict {
        Ok(signed) => {
            println!("signature valid (key {}, {}, sha256 {})", signed.key_id, signed.algorithm, signed.hash);
            Ok(ExitCode::SUCCESS)
        }
        Err(why) => {
            println!("signature invalid: {why}");
            Ok(ExitCode::FAILURE)
        }
    }
}
