//! Command-line interface: clap subcommands and their output (human tables and --json). Every
//! command goes through `service`, the same door as the TUI, with the same checks and audit.
mod check;
mod notes;
mod output;
mod progress;
mod queries;
mod report;
pub mod sanitize;

use crate::config::Config;
use crate::domain::{CodeSystem, EncounterStatus, Role};
use crate::search::CodeQuery;
use crate::service::{self, DataDir, Service, ServiceError};
use crate::store::encounters::WorklistFilter;
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use progress::Progress;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "chartdesk",
    version,
    about = "Terminal coding workstation for hospital HIM: worklist, notes, code search, coding, audit.",
    long_about = "Terminal coding workstation for hospital HIM.\n\nWithout a command, opens the \
                  workstation (on first start it sets up the data directory with the built-in \
                  ICD-10-CM/PCS code sets and demo encounters). The acting user is your \
                  operating-system login.\n\nExit codes: 0 ok, 1 error, 2 refused (unknown user, \
                  role not allowed, or bad usage)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Data directory (database, indexes, logs). Default: the platform data directory.
    #[arg(long, global = true, env = "CHARTDESK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file. Default: ~/.config/chartdesk/config.toml if it exists.
    #[arg(long, global = true, env = "CHARTDESK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or complete a data directory; the login running it becomes the first admin.
    Init {
        /// Also generate demo patients, encounters and notes (only into an empty database).
        #[arg(long)]
        demo: bool,
        /// How many demo encounters (default: demo.encounters in the config, 300).
        #[arg(long, requires = "demo", value_name = "N")]
        encounters: Option<usize>,
    },
    /// Manage users and roles.
    #[command(subcommand)]
    User(UserCommand),
    /// List encounters (account, patient, type, status).
    Encounters {
        /// Only this status: uncoded, in_progress, hold, coded.
        #[arg(long)]
        status: Option<String>,
        /// Only encounters you hold.
        #[arg(long)]
        mine: bool,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Search the code sets or notes.
    #[command(subcommand)]
    Search(SearchCommand),
    /// Show a code with its tabular notes.
    Code {
        code: String,
        /// The code's system; without it, the first of ICD-10-CM, ICD-10-PCS, HCPCS, CPT that has it.
        #[arg(long)]
        system: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Export coded encounters' codes.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Import code sets.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Rebuild the search indexes from the database.
    Reindex,
    /// Show the audit log (an encounter's, or everything for supervisors).
    Audit {
        #[arg(long, value_name = "ACCOUNT")]
        encounter: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Measure code-search quality on a query set (chartdesk next to SQLite FTS5).
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Benchmarks that print figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Run the coding edits (Excludes1, manifestation, 7th character, MCE age/sex, POA...) on a
    /// code list; exit code 1 when an error fires.
    Check(check::CheckArgs),
    /// Supervisor figures: throughput, backlog, queries, accuracy (table, CSV or JSON).
    Report(report::ReportArgs),
    /// Second-level coding review: sample, list, show, record.
    #[command(subcommand)]
    Review(report::ReviewCommand),
    /// List documentation queries (the CDI queue; coders see their encounters' queries).
    Queries(queries::QueriesArgs),
    /// Work one documentation query: show, new, pin, send, answer, close, cancel, templates...
    #[command(subcommand)]
    Query(queries::QueryCommand),
    /// Copy the live database to DEST (a new file) while others work, verify the copy and write
    /// the indexes' rebuild recipe beside it (admins).
    Backup { dest: PathBuf },
    /// Restore a backup onto a new, empty data directory and rebuild the indexes.
    Restore { src: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user (or change their role).
    Add {
        login: String,
        #[arg(long)]
        role: String,
        /// The user's team, for team filters in reports.
        #[arg(long)]
        team: Option<String>,
    },
    /// List users and roles.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Search ICD-10-CM, ICD-10-PCS (and imported) codes by words, abbreviations or code.
    Codes {
        /// The query, as a coder types it ("chf", "E119", "fracture left distal radius").
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Only this code system (ICD-10-CM, ICD-10-PCS, HCPCS, CPT).
        #[arg(long)]
        system: Option<String>,
        /// Only billable codes.
        #[arg(long)]
        billable: bool,
        /// One JSON object per line: code, title, system, billable, score, matched.
        #[arg(long)]
        json: bool,
    },
    /// Search clinical notes: words, "phrases", OR, -exclusion, prefix*, type: author: after:
    /// before: enc: filters. Every search is audited.
    Notes(notes::SearchNotesArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Codes of coded encounters (or of one encounter) in sequence, with principal flag and POA.
    Codes {
        #[arg(long, value_name = "ACCOUNT")]
        encounter: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A code-set release: CDC ICD-10-CM tabular XML, CMS order file, ICD-10-PCS code list, CMS HCPCS
    /// Level II file, or a licensed CPT CSV with --system cpt (.gz ok).
    Codes {
        file: PathBuf,
        /// Override the detected system.
        #[arg(long)]
        system: Option<String>,
        /// Override the detected version label (e.g. FY2027).
        #[arg(long)]
        version: Option<String>,
    },
    /// Clinical notes: JSON lines, CSV (with --map) or FHIR R4 (NDJSON bulk export, Bundles).
    Notes(notes::ImportNotesArgs),
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Top-1 / top-5 accuracy of code search on a TSV of queries and accepted codes.
    Codes {
        /// Default: ../shared/eval/code_queries_dev.tsv
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Code-search latency (p50/p95/p99) for chartdesk and SQLite FTS5 on the same codes.
    Codes {
        /// Queries, one per line or a TSV whose first column is the query (default: the dev eval
        /// set). Every prefix of each query is searched, as while typing.
        #[arg(long)]
        queries: Option<PathBuf>,
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
    /// Notes search at scale: import N generated notes, then time a query mix (words, AND, phrases,
    /// prefix, filtered) for chartdesk and SQLite FTS5 on the same notes (p50/p95/p99, memory).
    Notes(notes::BenchNotesArgs),
}

/// Runs the command line and maps errors to exit codes (2 for refusals, 1 otherwise).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`| head`): nothing more to say, and nobody to say it to.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e
                .chain()
                .find_map(|c| c.downcast_ref::<ServiceError>())
                .map(|s| s.exit_code())
                .unwrap_or(1);
            eprintln!(
                "chartdesk: error: {}",
                sanitize::sanitize(&format!("{e:#}"))
            );
            ExitCode::from(code)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn resolve_data_dir(global: &GlobalArgs, config: &Config) -> Result<DataDir> {
    let root = match (&global.data_dir, &config.data_dir) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => service::default_data_dir()?,
    };
    Ok(DataDir::new(root))
}

/// File logging in the data directory; nothing goes to the terminal.
fn start_logging(data: &DataDir) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = data.log_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "chartdesk.log");
    // Log lines pass the sanitiser too: a name or note text never writes raw escapes into the log.
    let (writer, guard) = tracing_appender::non_blocking(sanitize::SafeWriter::records(appender));
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHARTDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ok = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .is_ok();
    ok.then_some(guard)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let config = Config::load(cli.global.config.as_deref())?;
    crate::limits::set(config.import);
    let data = resolve_data_dir(&cli.global, &config)?;
    let _log = if data.root.exists() || cli.command.is_none() {
        start_logging(&data)
    } else {
        None
    };
    let login = service::os_login()?;
    let mut progress = Progress::new();
    match cli.command {
        None => open_workstation(&data, &login, &config, &mut progress),
        Some(Command::Init { demo, encounters }) => {
            let demo = demo.then(|| encounters.unwrap_or(config.demo.encounters));
            let report =
                service::initialize(&data, &login, demo, &mut |s, d, t| progress.update(s, d, t))?;
            progress.finish();
            output::init_report(
                &mut sanitize::SafeWriter::new(std::io::stdout().lock()),
                &report,
                demo.is_some(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Restore { src }) => {
            service::backup::restore(&data, &src, &login, &mut |s, d, t| progress.update(s, d, t))?;
            progress.finish();
            writeln!(
                sanitize::SafeWriter::new(std::io::stdout().lock()),
                "restored {} into {}; indexes rebuilt",
                src.display(),
                data.root.display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Bench(BenchCommand::Notes(a))) => {
            notes::bench(&a, &mut progress)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(cmd) => {
            if let Some(action) = admin_only(&cmd) {
                service::require_role(
                    &data,
                    &login,
                    crate::domain::Permission::Administer,
                    action,
                )?;
            }
            let mut svc = Service::open(&data, &login, &mut |s, d, t| progress.update(s, d, t))?;
            progress.finish();
            svc.set_query_config(config.queries.clone());
            run_command(&mut svc, cmd, &data, &config, &mut progress)
        }
    }
}

/// Commands only admins may run: refused before any index is opened or rebuilt.
fn admin_only(cmd: &Command) -> Option<&'static str> {
    match cmd {
        Command::Import(ImportCommand::Notes(_)) => Some("import notes"),
        Command::Import(ImportCommand::Codes { .. }) => Some("import code sets"),
        Command::Reindex => Some("rebuild indexes"),
        Command::Backup { .. } => Some("back up the database"),
        Command::User(UserCommand::Add { .. }) => Some("add users"),
        _ => None,
    }
}

fn open_workstation(
    data: &DataDir,
    login: &str,
    config: &Config,
    progress: &mut Progress,
) -> Result<ExitCode> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the workstation needs a terminal (stdin and stdout): run it from an interactive shell, \
             or use a subcommand such as 'chartdesk encounters' in scripts (see --help)"
        );
    }
    if !data.is_initialized() {
        eprintln!(
            "chartdesk: first start: setting up {} with the built-in code sets and {} demo encounters",
            data.root.display(),
            config.demo.encounters
        );
        let started = std::time::Instant::now();
        service::initialize(data, login, Some(config.demo.encounters), &mut |s, d, t| {
            progress.update(s, d, t)
        })?;
        progress.finish();
        eprintln!(
            "chartdesk: ready in {:.1} s; you ({login}) are the admin",
            started.elapsed().as_secs_f64()
        );
    }
    let mut svc = Service::open(data, login, &mut |s, d, t| progress.update(s, d, t))?;
    progress.finish();
    svc.set_query_config(config.queries.clone());
    crate::tui::run(svc, config)?;
    Ok(ExitCode::SUCCESS)
}

fn parse_system(s: &str) -> Result<CodeSystem> {
    s.parse::<CodeSystem>()
        .map_err(|e| ServiceError::Invalid(e).into())
}

fn run_command(
    svc: &mut Service,
    cmd: Command,
    data: &DataDir,
    config: &Config,
    progress: &mut Progress,
) -> Result<ExitCode> {
    // Every line of output passes the sanitiser: text from the database never reaches the terminal raw.
    let mut out = sanitize::SafeWriter::new(std::io::stdout().lock());
    match cmd {
        Command::Init { .. } => anyhow::bail!("internal error: init is handled before opening"),
        Command::User(UserCommand::Add { login, role, team }) => {
            let role: Role = role.parse().map_err(ServiceError::Invalid)?;
            let new = svc.add_user(&login, role)?;
            if let Some(t) = &team {
                svc.set_team(login.trim(), t)?;
            }
            writeln!(
                out,
                "{} {login} as {role}",
                if new { "added" } else { "updated" }
            )?;
        }
        Command::User(UserCommand::List { json }) => output::users(&mut out, &svc.users()?, json)?,
        Command::Encounters { status, mine, json } => {
            let statuses = match status {
                Some(s) => vec![
                    s.parse::<EncounterStatus>()
                        .map_err(ServiceError::Invalid)?,
                ],
                None => vec![],
            };
            let filter = WorklistFilter {
                claimed_by: mine.then(|| svc.user().login.clone()),
                statuses,
                ..Default::default()
            };
            let rows = svc.worklist(&filter)?;
            output::encounters(&mut out, &rows, json)?;
        }
        Command::Search(SearchCommand::Codes {
            query,
            limit,
            system,
            billable,
            json,
        }) => {
            if limit == 0 {
                return Err(ServiceError::Invalid("--limit must be at least 1".into()).into());
            }
            let q = CodeQuery {
                limit: limit.min(1000),
                systems: system
                    .as_deref()
                    .map(parse_system)
                    .transpose()?
                    .into_iter()
                    .collect(),
                billable_only: billable,
            };
            let text = query.join(" ");
            let hits = svc.search_codes(&text, &q)?;
            if hits.is_empty() {
                eprintln!(
                    "chartdesk: no codes match '{}'",
                    sanitize::sanitize_line(text.trim())
                );
            }
            output::code_hits(&mut out, &hits, json)?;
        }
        Command::Code { code, system, json } => {
            let d = match system {
                Some(s) => svc.code_detail(parse_system(&s)?, &code)?,
                None => svc.code_detail_any(&code)?,
            };
            output::code_detail(&mut out, &d, json)?;
        }
        Command::Export(ExportCommand::Codes { encounter, format }) => {
            let rows = svc.export_codes(encounter.as_deref())?;
            output::export(&mut out, &rows, format)?;
        }
        Command::Import(ImportCommand::Codes {
            file,
            system,
            version,
        }) => {
            let system = system.as_deref().map(parse_system).transpose()?;
            let msg = svc.import_code_file(&file, system, version.as_deref(), &mut |s, d, t| {
                progress.update(s, d, t)
            })?;
            progress.finish();
            writeln!(out, "{msg}")?;
        }
        Command::Reindex => {
            svc.reindex_codes(&mut |s, d, t| progress.update(s, d, t))?;
            progress.finish();
            writeln!(
                out,
                "code index rebuilt in {}",
                data.code_index_dir().display()
            )?;
            let info = notes::with_progress(progress, |p| svc.reindex_notes(p))?;
            notes::reindexed(&mut out, &info)?;
        }
        Command::Search(SearchCommand::Notes(a)) => notes::search(svc, &a, &mut out)?,
        Command::Import(ImportCommand::Notes(a)) => notes::import(svc, &a, progress, &mut out)?,
        Command::Audit {
            encounter,
            limit,
            json,
        } => {
            let enc = match encounter {
                Some(a) => Some(svc.encounter_id(&a)?),
                None => None,
            };
            let rows = svc.audit_log(enc, limit)?;
            output::audit(&mut out, &rows, json)?;
        }
        Command::Eval(EvalCommand::Codes { file }) => {
            let file = file.unwrap_or_else(|| PathBuf::from("../shared/eval/code_queries_dev.tsv"));
            let report = svc.evaluate_codes(&file)?;
            writeln!(out, "{report}")?;
        }
        Command::Check(args) => {
            let code = check::run(svc, &args, &mut out)?;
            out.flush().context("writing output")?;
            return Ok(code);
        }
        Command::Bench(BenchCommand::Codes { queries, rounds }) => {
            let report = svc.bench_codes(queries.as_deref(), rounds)?;
            writeln!(out, "{report}")?;
        }
        Command::Report(a) => report::report(svc, &a, &config.standards, &mut out)?,
        Command::Review(c) => report::review(svc, &c, &mut out)?,
        Command::Queries(a) => queries::list(svc, &a, &mut out)?,
        Command::Query(q) => {
            let code = queries::run(svc, q, &mut out)?;
            out.flush().context("writing output")?;
            return Ok(code);
        }
        Command::Bench(BenchCommand::Notes(_)) => {
            anyhow::bail!("internal error: bench notes runs without a data directory")
        }
        Command::Restore { .. } => anyhow::bail!("internal error: restore runs before opening"),
        Command::Backup { dest } => {
            let r = svc.backup(&dest)?;
            writeln!(
                out,
                "backed up {} bytes (schema {}) to {}; integrity check ok; rebuild recipe: {}",
                r.bytes,
                r.schema_version,
                r.database.display(),
                r.recipe.display()
            )?;
        }
    }
    out.flush().context("writing output")?;
    Ok(ExitCode::SUCCESS)
}
