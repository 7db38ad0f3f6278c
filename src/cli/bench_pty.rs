//! `chartdesk bench keys` and `chartdesk bench sessions`: the workstation in pseudo-terminals.
use super::notes::with_progress;
use super::progress::Progress;
use crate::bench::keys::{self, KeysReport, PlayOptions};
use crate::bench::{keys_data, script};
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Where a pty benchmark's data comes from.
#[derive(Debug, Args)]
pub struct BenchDataArgs {
    /// Run against this existing data directory as it is (nothing generated or changed but what
    /// the script does: claims, assignments, audit rows).
    #[arg(long, value_name = "DATA_DIR", conflicts_with_all = ["dir", "encounters", "notes"])]
    pub against: Option<PathBuf>,
    /// Make (or reuse) the benchmark's data directory in DIR/data (default: a
    /// chartdesk-bench-keys directory under the temporary directory, kept for the next run).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Demo encounters to generate.
    #[arg(long, default_value_t = 50_000)]
    pub encounters: usize,
    /// Notes in all (the demo's own, then generated notes spread over its encounters).
    #[arg(long, default_value_t = 1_000_000)]
    pub notes: usize,
    /// The chartdesk binary to run (default: this one; use a release build for figures).
    #[arg(long, value_name = "FILE")]
    pub bin: Option<PathBuf>,
    /// Milliseconds after which a key whose effect has not shown counts as a timeout.
    #[arg(long, default_value_t = 3000)]
    pub timeout_ms: u64,
}

/// `chartdesk bench keys`.
#[derive(Debug, Args)]
pub struct BenchKeysArgs {
    #[command(flatten)]
    pub data: BenchDataArgs,
    /// Keys to press at least (whole rounds of the script are played).
    #[arg(long, default_value_t = 1000)]
    pub keys: usize,
    /// Play the short smoke script (a handful of keys) instead of the coding session.
    #[arg(long, hide = true)]
    pub smoke: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The data directory a pty benchmark runs against: (dir, encounters, notes, setup seconds).
fn data_dir(a: &BenchDataArgs, progress: &mut Progress) -> Result<(PathBuf, i64, i64, f64)> {
    if let Some(d) = &a.against {
        let (e, n) = keys_data::counts(&crate::service::DataDir::new(d))?;
        return Ok((d.clone(), e, n, 0.0));
    }
    let dir = a
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("chartdesk-bench-keys"));
    let made = with_progress(progress, |p| {
        keys_data::prepare(&dir, a.encounters, a.notes, p)
    })?;
    Ok((
        made.data.root,
        made.encounters,
        made.notes,
        made.setup_seconds,
    ))
}

pub fn bench_keys(a: &BenchKeysArgs, progress: &mut Progress) -> Result<()> {
    let (data, encounters, notes, setup_seconds) = data_dir(&a.data, progress)?;
    let mut opts = PlayOptions::new(keys::binary(a.data.bin.as_deref())?, data.clone());
    opts.timeout = Duration::from_millis(a.data.timeout_ms.max(1));
    let rows = if a.smoke {
        script::SMOKE
    } else {
        script::SESSION
    };
    let (samples, rounds, startup_ms) = keys::run(&opts, rows, a.keys)?;
    let (kinds, all) = keys::by_kind(&samples);
    let (goal_p99_ms, goal_max_ms) = (16.0, 50.0);
    let r = KeysReport {
        data_dir: data.display().to_string(),
        encounters,
        notes,
        setup_seconds,
        startup_ms,
        rounds,
        keys: all.keys,
        met: all.timeouts == 0 && all.p99_ms <= goal_p99_ms && all.max_ms <= goal_max_ms,
        all,
        kinds,
        goal_p99_ms,
        goal_max_ms,
    };
    let mut out = super::sanitize::SafeWriter::new(std::io::stdout().lock());
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
    } else {
        keys::print(&r, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// `chartdesk bench sessions`.
#[derive(Debug, Args)]
pub struct BenchSessionsArgs {
    #[command(flatten)]
    pub data: BenchDataArgs,
    /// Workstations to open.
    #[arg(long)]
    pub n: usize,
    /// How many of them play the scripted coding session (the rest stay idle).
    #[arg(long, default_value_t = 5)]
    pub active: usize,
    /// How long the active ones work (idle CPU is measured over the same time).
    #[arg(long, default_value_t = 5.0)]
    pub minutes: f64,
    /// Open the sessions with `ssh -tt ARGS` through the OpenSSH deployment (README: Deploying for
    /// a team), e.g. --ssh "-p 22 -i ~/.ssh/coder chartdesk@127.0.0.1"; the deployment's data
    /// directory is used then (and its security.idle_minutes: keep --minutes below it).
    #[arg(long, value_name = "ARGS")]
    pub ssh: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn bench_sessions(a: &BenchSessionsArgs, progress: &mut Progress) -> Result<()> {
    anyhow::ensure!(a.n >= 1, "--n must be at least 1");
    anyhow::ensure!(
        a.minutes.is_finite() && (0.0..=1200.0).contains(&a.minutes),
        "--minutes must be between 0 and 1200"
    );
    let ssh = match &a.ssh {
        Some(s) => Some(
            shell_words::split(s)
                .map_err(|e| anyhow::anyhow!("--ssh {s:?}: {e} (quote it as a shell would)"))?,
        ),
        None => None,
    };
    let (data, _, _, _) = if ssh.is_some() {
        (PathBuf::new(), 0, 0, 0.0)
    } else {
        data_dir(&a.data, progress)?
    };
    // The idle sessions must outlive the run: no idle log-off before it ends.
    let config = std::env::temp_dir().join(format!(
        "chartdesk-bench-sessions-{}.toml",
        std::process::id()
    ));
    let idle_minutes = (a.minutes.ceil() as u64 + 15).min(1440);
    std::fs::write(
        &config,
        format!("[security]\nidle_minutes = {idle_minutes}\n"),
    )
    .map_err(|e| anyhow::anyhow!("writing {}: {e}", config.display()))?;
    let mut play = PlayOptions::new(keys::binary(a.data.bin.as_deref())?, data);
    play.config = Some(config.clone());
    play.timeout = Duration::from_millis(a.data.timeout_ms.max(1));
    let opts = crate::bench::sessions::SessionsOptions {
        play,
        n: a.n,
        active: a.active,
        minutes: a.minutes,
        ssh,
    };
    let r = with_progress(progress, |p| crate::bench::sessions::run(&opts, p));
    let _ = std::fs::remove_file(&config);
    let r = r?;
    let mut out = super::sanitize::SafeWriter::new(std::io::stdout().lock());
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
    } else {
        crate::bench::sessions::print(&r, &mut out)?;
    }
    out.flush()?;
    Ok(())
}
