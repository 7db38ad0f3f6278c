//! Command-line interface: clap subcommands and their output (human tables and --json). Every
//! command goes through `service`, the same door as the TUI, with the same checks and audit.
mod audit;
mod bench_pty;
mod check;
mod drg_report;
mod edits;
mod group;
mod notes;
mod output;
mod progress;
mod queries;
mod report;
pub mod sanitize;
mod ssh;

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
        /// Also encounters imported as closed history.
        #[arg(long)]
        history: bool,
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
    /// Rebuild the search indexes from the database; with --verify, read the code index against
    /// its checksums instead and rebuild it only if it is damaged.
    Reindex {
        #[arg(long)]
        verify: bool,
    },
    /// Hand an encounter's claim to a coder (supervisors and admins; audited).
    Reassign {
        /// The encounter's account.
        account: String,
        /// Who gets it: a user whose role codes.
        login: String,
    },
    /// Show the audit log (an encounter's, or everything for supervisors); `audit verify` checks
    /// its hash chain; `audit --patient MRN` reports who saw or changed a patient's records.
    Audit(audit::AuditArgs),
    /// Measure code-search quality on a query set (chartdesk next to SQLite FTS5).
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Benchmarks that print figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Run the coding edits (Excludes1, manifestation, 7th character, MCE age/sex, POA...) on a
    /// code list; exit code 1 when an error fires.
    Check(check::CheckArgs),
    /// An encounter's coding edits as they fire now, errors first (rule, codes, message).
    Edits {
        /// The encounter's account.
        account: String,
        #[arg(long)]
        json: bool,
    },
    /// Override a coding error on an encounter so it no longer blocks marking coded (supervisors
    /// and admins; a reason is required and audited).
    Override(edits::OverrideArgs),
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
    /// For sshd: the AuthorizedKeysCommand and the sshd_config block (see README, Deploying for a team).
    #[command(subcommand)]
    Ssh(ssh::SshCommand),
    /// The forced command sshd runs for LOGIN's keys: the workstation (with a pty) or the command in
    /// SSH_ORIGINAL_COMMAND, as LOGIN.
    SshSession { login: String },
    /// MS-DRG v43.1 grouping of a claim (--pdx ...), an encounter (--encounter) or a JSON-lines
    /// file of claims (--cases); exit code 1 when a --cases line cannot be read.
    Group(group::GroupArgs),
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
        /// A public key line ("ssh-ed25519 AAAA... comment") that identifies the user over SSH.
        #[arg(long, value_name = "LINE")]
        ssh_key: Vec<String>,
        /// A .pub file whose key lines identify the user over SSH.
        #[arg(long, value_name = "FILE")]
        ssh_key_file: Vec<PathBuf>,
    },
    /// A user's SSH keys with their SHA256 fingerprints.
    Keys {
        login: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove one of a user's SSH keys (refused at their next connection).
    RemoveKey { login: String, fingerprint: String },
    /// Deactivate a user: their keys and sessions stop working; their history stays.
    Deactivate { login: String },
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
    /// MS-DRG grouper: table load time, claims per second, p50/p99 per claim.
    Group(group::BenchGroupArgs),
    /// Start-up cost as whole processes (median of --runs): a command that opens no index, `search
    /// codes`, the workstation's first worklist frame in a pseudo-terminal; an idle workstation's
    /// private memory and CPU per hour. Generates its own demo data (600 and 50,000 encounters).
    Startup(crate::bench::startup::BenchStartupArgs),
    /// Keystroke to frame: the workstation in a pseudo-terminal plays a scripted coding session
    /// (>= 1,000 keys); p50/p95/p99/max per kind of key.
    Keys(bench_pty::BenchKeysArgs),
    /// Many workstations on one data directory (local or over ssh): private memory per session,
    /// CPU per idle session, key latency of the active ones, errors.
    Sessions(bench_pty::BenchSessionsArgs),
}

/// Runs the command line and maps errors to exit codes (2 for refusals, 1 otherwise).
pub fn main() -> ExitCode {
    ssh::set_umask(false);
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
    let result = run(cli);
    crate::bench::startup::report_peak_if_asked();
    match result {
        Ok(code) => code,
        // The reader went away (`| head`): nothing more to say, and nobody to say it to.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let code = exit_code_of(&e);
            eprintln!(
                "chartdesk: error: {}",
                sanitize::sanitize(&format!("{e:#}"))
            );
            ExitCode::from(code)
        }
    }
}

/// 2 for refusals, 1 for other errors.
pub(crate) fn exit_code_of(e: &anyhow::Error) -> u8 {
    e.chain()
        .find_map(|c| c.downcast_ref::<ServiceError>())
        .map(|s| s.exit_code())
        .unwrap_or(1)
}

/// True when the error is a write to a reader that went away (`| head`), however it is wrapped:
/// an I/O error, or one carried by serde_json (JSON output) or csv (CSV output).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let pipe = |k: std::io::ErrorKind| k == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| pipe(io.kind()))
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                .is_some_and(pipe)
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|x| match x.kind() {
                    csv::ErrorKind::Io(io) => pipe(io.kind()),
                    _ => false,
                })
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

fn run(cli: Cli) -> Result<ExitCode> {
    let config = Config::load(cli.global.config.as_deref())?;
    crate::limits::set(config.import.limits());
    ssh::set_umask(config.security.group_access);
    if let Some(Command::SshSession { login }) = &cli.command {
        return ssh::session(login, &cli.global, &config);
    }
    let data = resolve_data_dir(&cli.global, &config)?;
    if let Some(Command::Ssh(c)) = &cli.command {
        // sshd reads stdout: the one line and nothing else; no log, no index.
        return ssh::run(c, &data);
    }
    ssh::prepare_data_dir(&data, &config)?;
    let _log = if data.root.exists() || cli.command.is_none() {
        ssh::start_logging(&data)
    } else {
        None
    };
    let login = service::os_login()?;
    dispatch(cli.command, &data, &config, &login, None)
}

/// Runs one command (the workstation without one) as `login`; `client` is the SSH client address
/// when the session came through sshd.
pub(crate) fn dispatch(
    command: Option<Command>,
    data: &DataDir,
    config: &Config,
    login: &str,
    client: Option<String>,
) -> Result<ExitCode> {
    let login = login.to_string();
    let mut progress = Progress::new();
    match command {
        None => open_workstation(data, &login, config, &mut progress, client),
        Some(Command::Init { demo, encounters }) => {
            let demo = demo.then(|| encounters.unwrap_or(config.demo.encounters));
            let report =
                service::initialize(data, &login, demo, &mut |s, d, t| progress.update(s, d, t))?;
            progress.finish();
            output::init_report(
                &mut sanitize::SafeWriter::new(std::io::stdout().lock()),
                &report,
                demo.is_some(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Restore { src }) => {
            service::backup::restore(data, &src, &login, &mut |s, d, t| progress.update(s, d, t))?;
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
        Some(Command::Bench(BenchCommand::Keys(a))) => {
            bench_pty::bench_keys(&a, &mut progress)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Bench(BenchCommand::Sessions(a))) => {
            bench_pty::bench_sessions(&a, &mut progress)?;
            Ok(ExitCode::SUCCESS)
        }
        // The grouper is pure: a claim or a cases file needs no data directory.
        Some(Command::Group(a)) if a.encounter.is_none() => {
            let mut out = std::io::stdout().lock();
            let code = group::run_offline(&a, config.grouper.poa_exempt, &mut out)?;
            out.flush().context("writing output")?;
            Ok(code)
        }
        Some(Command::Bench(BenchCommand::Startup(a))) => {
            let mut out = std::io::stdout().lock();
            crate::bench::startup::run(&a, &mut out)?;
            out.flush().context("writing output")?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Bench(BenchCommand::Group(a))) => {
            let mut out = std::io::stdout().lock();
            group::bench(&a, &mut out)?;
            out.flush().context("writing output")?;
            Ok(ExitCode::SUCCESS)
        }
        Some(cmd) => {
            if let Some(action) = admin_only(&cmd) {
                service::require_role(data, &login, crate::domain::Permission::Administer, action)?;
            }
            let mut svc = Service::open_lazy(data, &login)?;
            let (codes, notes) = indexes_needed(&cmd);
            if codes {
                svc.open_code_index(&mut |s, d, t| progress.update(s, d, t))?;
            }
            if notes {
                svc.open_notes_index(&mut |s, d, t| progress.update(s, d, t))?;
            }
            progress.finish();
            svc.set_query_config(config.queries.clone());
            svc.set_audit_config(config.audit.clone());
            svc.set_grouper_options(crate::grouper::Options {
                poa_exempt: config.grouper.poa_exempt,
            });
            svc.set_claims_config(config.claims.clone());
            svc.set_client(client);
            run_command(&mut svc, cmd, data, config, &mut progress)
        }
    }
}

/// The indexes a command searches, opened (or rebuilt, with progress) before it runs: (codes,
/// notes). Every other command opens neither; should one need an index after all, it opens on
/// first use.
fn indexes_needed(cmd: &Command) -> (bool, bool) {
    match cmd {
        Command::Search(SearchCommand::Codes { .. })
        | Command::Eval(_)
        | Command::Bench(BenchCommand::Codes { .. }) => (true, false),
        Command::Search(SearchCommand::Notes(_)) | Command::Import(ImportCommand::Notes(_)) => {
            (false, true)
        }
        _ => (false, false),
    }
}

/// Commands only admins may run: refused before any index is opened or rebuilt.
fn admin_only(cmd: &Command) -> Option<&'static str> {
    match cmd {
        Command::Import(ImportCommand::Notes(_)) => Some("import notes"),
        Command::Import(ImportCommand::Codes { .. }) => Some("import code sets"),
        Command::Reindex { .. } => Some("rebuild indexes"),
        Command::Backup { .. } => Some("back up the database"),
        Command::User(
            UserCommand::Add { .. }
            | UserCommand::Keys { .. }
            | UserCommand::RemoveKey { .. }
            | UserCommand::Deactivate { .. },
        ) => Some("manage users and keys"),
        _ => None,
    }
}

fn open_workstation(
    data: &DataDir,
    login: &str,
    config: &Config,
    progress: &mut Progress,
    client: Option<String>,
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
    // The indexes open off the first-frame path: the search thread opens the code index (see
    // `tui::App::new`), the notes index opens when notes are first searched.
    let mut svc = Service::open_lazy(data, login)?;
    svc.set_query_config(config.queries.clone());
    svc.set_audit_config(config.audit.clone());
    svc.set_grouper_options(crate::grouper::Options {
        poa_exempt: config.grouper.poa_exempt,
    });
    svc.set_claims_config(config.claims.clone());
    svc.set_client(client);
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
        Command::User(UserCommand::Add {
            login,
            role,
            team,
            ssh_key,
            ssh_key_file,
        }) => {
            let role: Role = role.parse().map_err(ServiceError::Invalid)?;
            // Every key is checked before anything is stored.
            let keys = ssh::key_lines(&ssh_key, &ssh_key_file)?;
            let new = svc.add_user(&login, role)?;
            if let Some(t) = &team {
                svc.set_team(login.trim(), t)?;
            }
            writeln!(
                out,
                "{} {login} as {role}",
                if new { "added" } else { "updated" }
            )?;
            for k in &keys {
                svc.add_key(login.trim(), k)?;
                writeln!(
                    out,
                    "key {} {} added for {login}",
                    k.fingerprint, k.key_type
                )?;
            }
        }
        Command::User(UserCommand::Keys { login, json }) => {
            ssh::print_keys(svc, &login, json)?;
        }
        Command::User(UserCommand::RemoveKey { login, fingerprint }) => {
            svc.remove_key(&login, &fingerprint)?;
            writeln!(out, "removed key {fingerprint} of {login}")?;
        }
        Command::User(UserCommand::Deactivate { login }) => {
            svc.deactivate_user(&login)?;
            writeln!(
                out,
                "deactivated {login}: their keys and sessions no longer work"
            )?;
        }
        Command::User(UserCommand::List { json }) => output::users(&mut out, &svc.users()?, json)?,
        Command::Encounters {
            status,
            mine,
            history,
            json,
        } => {
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
                include_history: history,
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
        Command::Reindex { verify: true } => {
            match svc.verify_code_index(&mut |s, d, t| progress.update(s, d, t))? {
                service::CodeIndexCheck::Sound { dir, table_bytes } => {
                    progress.finish();
                    writeln!(
                        out,
                        "code index {} verified: table ({table_bytes} bytes) and index files match their checksums",
                        dir.display()
                    )?;
                }
                service::CodeIndexCheck::Rebuilt { problem } => {
                    progress.finish();
                    writeln!(out, "code index was damaged ({problem}); rebuilt")?;
                }
            }
        }
        Command::Reindex { verify: false } => {
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
        Command::Import(ImportCommand::Notes(a)) => {
            notes::import(svc, &a, config.import.historical_days, progress, &mut out)?
        }
        Command::Reassign { account, login } => {
            let enc = svc.encounter_id(account.trim())?;
            svc.reassign_to(enc, Some(login.trim()))?;
            writeln!(out, "{} is now held by {}", account.trim(), login.trim())?;
        }
        Command::Audit(a) => {
            let code = audit::run(svc, a, &mut out)?;
            out.flush().context("writing output")?;
            return Ok(code);
        }
        Command::Eval(EvalCommand::Codes { file }) => {
            let file = file.unwrap_or_else(|| PathBuf::from("../shared/eval/code_queries_dev.tsv"));
            let report = svc.evaluate_codes(&file)?;
            writeln!(out, "{report}")?;
        }
        Command::Edits { account, json } => edits::list(svc, &account, json, &mut out)?,
        Command::Override(a) => edits::override_error(svc, &a, &mut out)?,
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
        Command::Bench(
            BenchCommand::Notes(_)
            | BenchCommand::Group(_)
            | BenchCommand::Startup(_)
            | BenchCommand::Keys(_)
            | BenchCommand::Sessions(_),
        ) => {
            anyhow::bail!("internal error: this benchmark runs without a data directory")
        }
        Command::Group(a) => {
            let code = group::run_encounter(svc, &a, config.grouper.poa_exempt, &mut out)?;
            out.flush().context("writing output")?;
            return Ok(code);
        }
        Command::Ssh(_) | Command::SshSession { .. } => {
            anyhow::bail!("internal error: ssh commands are handled before opening")
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

#[cfg(test)]
mod pipe_tests {
    use super::is_broken_pipe;
    use std::io::Write;

    /// A reader that went away.
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn a_closed_pipe_is_recognised_through_every_writer() {
        let io = anyhow::Error::from(writeln!(Closed, "x").unwrap_err());
        assert!(is_broken_pipe(&io.context("writing output")));
        let json = serde_json::to_writer(Closed, &serde_json::json!({"a": [1, 2]})).unwrap_err();
        assert!(is_broken_pipe(&anyhow::Error::from(json)));
        let mut w = csv::Writer::from_writer(Closed);
        let csv = w
            .write_record(["a", "b"])
            .and_then(|_| w.flush().map_err(csv::Error::from))
            .unwrap_err();
        assert!(is_broken_pipe(&anyhow::Error::from(csv)));
        let other = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert!(!is_broken_pipe(&anyhow::Error::from(other)));
        assert!(!is_broken_pipe(&anyhow::anyhow!("Broken pipe")));
    }
}
