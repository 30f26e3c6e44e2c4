//! `regflow`: one command for operators (SPEC 11). Exit 0 on success, 1 on failure, 2 on
//! bad usage.

mod ops;
mod serve;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc serves Rust's allocations and, through its `override` feature, SQLite's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// regflow — 不动产登记 workflow engine: serve it, migrate it, verify it, report on it.
#[derive(Parser, Debug)]
#[command(name = "regflow", version, about, propagate_version = true)]
struct Cli {
    /// The database: sqlite://FILE, sqlite::memory: or postgres://user@host/db.
    #[arg(long, global = true, env = "REGFLOW_DATABASE_URL")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// The database used when neither `--database` nor `REGFLOW_DATABASE_URL` names one.
const DEFAULT_DATABASE: &str = "sqlite://regflow.db";

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP service (SPEC 10) until SIGTERM or Ctrl-C.
    Serve(ServeArgs),
    /// Apply regflow's schema to the database.
    Migrate,
    /// Verify case histories (every hash chain and every stored column against the replay),
    /// each centre's register (its chain, the rebuild of every unit, events and entries one
    /// for one) and each centre's query log (its chain).
    Verify {
        /// Verify only this case.
        #[arg(long, conflicts_with_all = ["register", "query_log"])]
        case: Option<String>,
        /// Verify only the registers (with --query-log: the registers and the query logs).
        #[arg(long)]
        register: bool,
        /// Verify only the query logs (with --register: the registers and the query logs).
        #[arg(long)]
        query_log: bool,
    },
    /// The working-day calendar.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The SPEC 7 report for a period.
    Report(ReportArgs),
    /// Bearer tokens of the service.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import a centre's existing cases from a JSON-lines file (format in the README):
    /// every line is checked first, and a bad one stops the import before anything is
    /// written; running it again after a crash imports the rest.
    Import(ImportArgs),
    /// Import a centre's existing register (SPEC 13.6): JSON lines, one unit with its
    /// current rights a line; checked whole first (a bad line is named and nothing is
    /// written); running it again after a crash imports the rest.
    #[command(name = "import-register")]
    ImportRegister(ImportRegisterArgs),
    /// Back an SQLite database up to a new FILE while it serves (a consistent, compacted
    /// copy of everything committed when the backup began). PostgreSQL: use pg_dump.
    Backup {
        /// The new file to write (it must not exist).
        file: PathBuf,
    },
    /// The centres' certificate signing keys (SPEC 15.1): private keys only in their 0600
    /// files, public keys in the database.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Electronic certificates.
    #[command(subcommand)]
    Certificate(CertificateCommand),
    /// Simulate a month of the Xining centre (on a temporary SQLite file, removed at the end, unless
    /// --database is given).
    Simulate(regflow_sim::simulation::Arrivals),
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Make a centre's signing key: the private key to its file (mode 0600, never
    /// overwritten), the public key to the database as the current one.
    Init(KeyArgs),
    /// Replace a centre's signing key with a new one; the old public key stays in the
    /// database and keeps verifying what it signed.
    Rotate(KeyArgs),
    /// List a centre's public keys.
    List {
        /// The centre.
        #[arg(long)]
        centre: String,
    },
    /// Print a public key (PEM) alone on stdout: the current one, or `--key ID`.
    Export {
        /// The centre.
        #[arg(long)]
        centre: String,
        /// The key's id (as `keys list` shows it).
        #[arg(long)]
        key: Option<String>,
    },
}

#[derive(Args, Debug)]
struct KeyArgs {
    /// The centre.
    #[arg(long)]
    centre: String,
    /// The algorithm (init: default sm2; rotate: default the current key's).
    #[arg(long, value_parser = ["sm2", "ed25519"])]
    algorithm: Option<String>,
    /// The private key file (default keys/CENTRE.pem, as `serve` reads it).
    #[arg(long)]
    key_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum CertificateCommand {
    /// Check a certificate or query-result file's signature offline, without a database:
    /// prints `signature valid` (exit 0) or `signature invalid` with why (exit 1).
    Verify {
        /// The certificate file (its exact bytes as issued).
        file: PathBuf,
        /// The centre's public key, PEM (`regflow keys export` or `GET /v1/keys/{centre}`).
        #[arg(long)]
        public_key: PathBuf,
    },
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "REGFLOW_LISTEN")]
    listen: Option<String>,
    /// Configuration file (TOML).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Start on an SQLite file with a demo centre, its staff and applicants, and print
    /// their tokens (also written to regflow-demo.env).
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand, Debug)]
enum CalendarCommand {
    /// Load a holiday schedule (CSV `date,kind,name,source`), merged by year.
    Load {
        /// The CSV file.
        file: PathBuf,
        /// Replace the whole calendar instead of merging by year.
        #[arg(long)]
        replace: bool,
    },
    /// Show the calendar in force and the loads so far.
    Show,
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// 中文 table with English ids.
    Table,
    /// The whole report as JSON.
    Json,
    /// One CSV row per scope (overall, category, kind, channel).
    Csv,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// Start of the period: YYYY-MM-DD (midnight at the centre) or RFC 3339.
    #[arg(long)]
    from: String,
    /// End of the period (exclusive), same forms.
    #[arg(long)]
    to: String,
    /// Only this centre.
    #[arg(long)]
    centre: Option<String>,
    /// Only this kind.
    #[arg(long)]
    kind: Option<String>,
    /// Only this applicant category (individual, organisation).
    #[arg(long)]
    applicant_category: Option<String>,
    /// Only this channel.
    #[arg(long)]
    channel: Option<String>,
    /// Which cases the period holds: `opened` in it, or `completed` in it.
    #[arg(long, default_value = "opened")]
    basis: regflow_executor::ReportBasis,
    /// The centre's time zone, for dates.
    #[arg(long, default_value = "Asia/Shanghai")]
    time_zone: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Issue a token; prints it alone on one line of stdout.
    Add(TokenAddArgs),
    /// Revoke a token by its id (as `token list` shows it).
    Revoke {
        /// The token's id.
        id: String,
    },
    /// List tokens (never their secrets).
    List,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["actor", "applicant"])))]
struct TokenAddArgs {
    /// The centre the actor belongs to.
    #[arg(long)]
    centre: String,
    /// A staff member's or channel system's id (with --role).
    #[arg(long, requires = "role")]
    actor: Option<String>,
    /// A role of the actor; repeat for several.
    #[arg(long)]
    role: Vec<String>,
    /// An applicant's verified ID number or credit code (with --name).
    #[arg(long, requires = "name", conflicts_with = "role")]
    applicant: Option<String>,
    /// The applicant's name.
    #[arg(long)]
    name: Option<String>,
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// The JSON-lines file, one case per line.
    file: PathBuf,
    /// The centre the cases belong to (its office hours: Asia/Shanghai, closing 18:00);
    /// `default` is the centre an engine serves when none is configured.
    #[arg(long, default_value = "default")]
    centre: String,
    /// Cases per transaction.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    batch: u64,
}

#[derive(Args, Debug)]
struct ImportRegisterArgs {
    /// The JSON-lines file, one unit per line.
    file: PathBuf,
    /// The centre whose register it is.
    #[arg(long)]
    centre: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("regflow: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("regflow: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What a subcommand failed with.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let explicit = cli.database.clone();
    let database = cli.database.unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
    match cli.command {
        Command::Serve(args) => serve::run(explicit, args).await,
        Command::Migrate => ops::migrate(&database).await,
        Command::Verify { case, register, query_log } => {
            ops::verify(&database, case, ops::Only { register, query_log }).await
        }
        Command::Calendar(CalendarCommand::Load { file, replace }) => {
            ops::calendar_load(&database, &file, replace).await
        }
        Command::Calendar(CalendarCommand::Show) => ops::calendar_show(&database).await,
        Command::Report(args) => ops::report(&database, args).await,
        Command::Token(TokenCommand::Add(args)) => ops::token_add(&database, args).await,
        Command::Token(TokenCommand::Revoke { id }) => ops::token_revoke(&database, &id).await,
        Command::Token(TokenCommand::List) => ops::token_list(&database).await,
        Command::Import(args) => ops::import(&database, args).await,
        Command::ImportRegister(args) => ops::import_register(&database, &args.file, &args.centre).await,
        Command::Backup { file } => ops::backup(&database, &file).await,
        Command::Keys(KeysCommand::Init(args)) => ops::keys_init(&database, args).await,
        Command::Keys(KeysCommand::Rotate(args)) => ops::keys_rotate(&database, args).await,
        Command::Keys(KeysCommand::List { centre }) => ops::keys_list(&database, &centre).await,
        Command::Keys(KeysCommand::Export { centre, key }) => ops::keys_export(&database, &centre, key).await,
        Command::Certificate(CertificateCommand::Verify { file, public_key }) => {
            ops::certificate_verify(&file, &public_key)
        }
        Command::Simulate(args) => ops::simulate(explicit, args).await,
    }
}
