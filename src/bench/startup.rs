//! `chartdesk bench startup`: what a start costs, as whole processes. For each data size it times
//! (median of `--runs`) a command that touches no index (`user list`, `encounters`), `search codes`,
//! and the workstation from exec to its first complete worklist frame in an 80x24 pseudo-terminal
//! (screen parsed with `vt100`); then one workstation is left idle to read its private memory
//! (`/proc/PID/smaps_rollup`), its CPU per hour and how many bytes it drew while nothing changed.
//!
//! Peak RSS is the child's own `VmHWM`, written at exit to the file named by [`PEAK_ENV`] (see
//! [`report_peak_if_asked`]): the standard library cannot read a child's rusage without `unsafe`.
use anyhow::{Context, Result, bail};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// When set, the process writes its peak RSS in bytes to this file as it exits.
pub const PEAK_ENV: &str = "CHARTDESK_BENCH_PEAK_FILE";
const ROWS: u16 = 24;
const COLS: u16 = 80;

/// `n`, or 1 for 0 (the screen sizes are constants above 0).
const fn nonzero(n: u16) -> std::num::NonZeroU16 {
    match std::num::NonZeroU16::new(n) {
        Some(n) => n,
        None => std::num::NonZeroU16::MIN,
    }
}
/// Longest wait for a first frame or an exit before the run counts as failed.
const PATIENCE: Duration = Duration::from_secs(60);
/// Linux reports CPU times in /proc in USER_HZ ticks, 100 per second on every architecture.
const USER_HZ: f64 = 100.0;

#[derive(Debug, clap::Args)]
pub struct BenchStartupArgs {
    /// Whole-process runs per figure (the median is reported).
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
    /// Data sizes: encounters of generated demo data (`init --demo --encounters N`), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "600,50000")]
    pub encounters: Vec<usize>,
    /// Keep the generated data directories here (`DIR/enc-N`) and reuse them on the next run.
    /// Default: a temporary directory, removed afterwards.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Seconds one workstation is left idle per size to measure its memory and CPU (0: skip).
    #[arg(long, default_value_t = 30)]
    pub idle_secs: u64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Writes this process's peak RSS (bytes) to the file in [`PEAK_ENV`], if set. Called as `main` ends.
pub fn report_peak_if_asked() {
    let Some(path) = std::env::var_os(PEAK_ENV) else {
        return;
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kb) = kb_field(&status, "VmHWM:")
        && let Err(e) = std::fs::write(&path, (kb * 1024).to_string())
    {
        tracing::warn!(
            "writing the peak RSS to {}: {e}",
            Path::new(&path).display()
        );
    }
}

/// A "Name:   123 kB" line's number.
fn kb_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Median, min and max of a series, in the unit given.
#[derive(Debug, Clone, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

fn spread(mut v: Vec<f64>) -> Spread {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = match n {
        0 => 0.0,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    };
    Spread {
        median,
        min: v.first().copied().unwrap_or(0.0),
        max: v.last().copied().unwrap_or(0.0),
    }
}

/// One measured figure: wall ms and peak RSS MB over `runs` whole processes.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub what: String,
    pub encounters: usize,
    pub runs: usize,
    pub wall_ms: Spread,
    pub peak_rss_mb: Spread,
    pub target_ms: f64,
    pub target_rss_mb: Option<f64>,
}

/// One idle workstation.
#[derive(Debug, Clone, Serialize)]
pub struct Idle {
    pub encounters: usize,
    pub seconds: u64,
    /// Private_Clean + Private_Dirty from smaps_rollup, MB.
    pub private_mb: f64,
    pub anonymous_mb: f64,
    pub private_dirty_mb: f64,
    pub rss_mb: f64,
    pub pss_mb: f64,
    /// CPU (user + system) per hour of idling, seconds.
    pub cpu_s_per_hour: f64,
    /// Bytes written to the terminal while idle (0: no redraw).
    pub bytes_drawn: u64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub build: &'static str,
    pub setup: Vec<(usize, f64)>,
    pub figures: Vec<Figure>,
    pub idle: Vec<Idle>,
}

pub fn run(a: &BenchStartupArgs, out: &mut dyn Write) -> Result<()> {
    if a.runs == 0 || a.encounters.is_empty() {
        bail!("--runs and --encounters need at least one");
    }
    let exe = std::env::current_exe().context("finding the chartdesk binary to measure")?;
    let (work, temporary) = match &a.dir {
        Some(d) => (d.clone(), false),
        None => {
            let d = std::env::temp_dir()
                .join(format!("chartdesk-bench-startup-{}", std::process::id()));
            (d, true)
        }
    };
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let res = measure(a, &exe, &work);
    if temporary && let Err(e) = std::fs::remove_dir_all(&work) {
        eprintln!("chartdesk: could not remove {}: {e}", work.display());
    }
    let report = res?;
    if a.json {
        serde_json::to_writer(&mut *out, &report).context("writing JSON")?;
        writeln!(out)?;
    } else {
        print_report(&report, out)?;
    }
    Ok(())
}

fn measure(a: &BenchStartupArgs, exe: &Path, work: &Path) -> Result<Report> {
    let mut report = Report {
        build: if cfg!(debug_assertions) {
            "debug (figures not representative: use a release build)"
        } else {
            "release"
        },
        setup: Vec::new(),
        figures: Vec::new(),
        idle: Vec::new(),
    };
    let peak_file = work.join("peak-rss");
    for &n in &a.encounters {
        let data = work.join(format!("enc-{n}"));
        let started = Instant::now();
        prepare(exe, &data, n)?;
        report.setup.push((n, started.elapsed().as_secs_f64()));
        let cli: [(&str, &[&str], f64, Option<f64>); 3] = [
            ("user list", &["user", "list"], 30.0, Some(20.0)),
            ("encounters", &["encounters"], 30.0, Some(20.0)),
            (
                "search codes \"heart failure\"",
                &["search", "codes", "heart", "failure"],
                60.0,
                None,
            ),
        ];
        for (what, args, target_ms, target_rss) in cli {
            let mut walls = Vec::new();
            let mut peaks = Vec::new();
            for _ in 0..a.runs {
                let (wall, peak) = run_cli(exe, &data, args, &peak_file)?;
                walls.push(wall);
                peaks.push(peak);
            }
            report
                .figures
                .push(figure(what, n, walls, peaks, target_ms, target_rss));
        }
        let mut walls = Vec::new();
        let mut peaks = Vec::new();
        for _ in 0..a.runs {
            let s = workstation(exe, &data, &peak_file, 0)?;
            walls.push(s.first_frame_ms);
            peaks.push(s.peak_mb);
        }
        let target = if n <= 600 { 120.0 } else { 200.0 };
        report.figures.push(figure(
            "workstation first frame",
            n,
            walls,
            peaks,
            target,
            None,
        ));
        if a.idle_secs > 0 {
            let s = workstation(exe, &data, &peak_file, a.idle_secs)?;
            if let Some(mut idle) = s.idle {
                idle.encounters = n;
                report.idle.push(idle);
            }
        }
    }
    Ok(report)
}

fn figure(
    what: &str,
    n: usize,
    walls: Vec<f64>,
    peaks: Vec<f64>,
    target_ms: f64,
    target_rss_mb: Option<f64>,
) -> Figure {
    Figure {
        what: what.to_string(),
        encounters: n,
        runs: walls.len(),
        wall_ms: spread(walls),
        peak_rss_mb: spread(peaks),
        target_ms,
        target_rss_mb,
    }
}

fn chartdesk(exe: &Path, data: &Path) -> Command {
    let mut c = Command::new(exe);
    c.env("CHARTDESK_DATA_DIR", data)
        .env_remove(PEAK_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn check(what: &str, o: &std::process::Output) -> Result<()> {
    if !o.status.success() {
        bail!(
            "'chartdesk {what}' failed ({}): {}",
            o.status,
            crate::cli::sanitize::sanitize(String::from_utf8_lossy(&o.stderr).trim())
        );
    }
    Ok(())
}

/// A data directory with `n` demo encounters and both indexes built (so no run measures a build).
fn prepare(exe: &Path, data: &Path, n: usize) -> Result<()> {
    if !data.join("chartdesk.db").exists() {
        eprintln!(
            "chartdesk: generating {n} demo encounters in {}",
            data.display()
        );
        let o = chartdesk(exe, data)
            .args(["init", "--demo", "--encounters", &n.to_string()])
            .output()
            .context("running chartdesk init")?;
        check("init --demo", &o)?;
    }
    for args in [
        &["search", "codes", "warm"][..],
        &["search", "notes", "warm"],
    ] {
        let o = chartdesk(exe, data)
            .args(args)
            .output()
            .context("opening the indexes")?;
        check(&args.join(" "), &o)?;
    }
    Ok(())
}

fn read_peak_mb(file: &Path) -> Result<f64> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading the child's peak RSS from {}", file.display()))?;
    let bytes: f64 = text
        .trim()
        .parse()
        .with_context(|| format!("{} does not hold a number", file.display()))?;
    Ok(bytes / 1_048_576.0)
}

/// One whole process: (wall ms, peak RSS MB).
fn run_cli(exe: &Path, data: &Path, args: &[&str], peak_file: &Path) -> Result<(f64, f64)> {
    let _ = std::fs::remove_file(peak_file);
    let mut c = chartdesk(exe, data);
    c.args(args).env(PEAK_ENV, peak_file);
    let started = Instant::now();
    let o = c.output().context("running chartdesk")?;
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    check(&args.join(" "), &o)?;
    Ok((wall, read_peak_mb(peak_file)?))
}

struct Session {
    first_frame_ms: f64,
    peak_mb: f64,
    idle: Option<Idle>,
}

/// True once the screen shows a whole worklist frame: the header row, a row under it and the
/// footer on the last line (ratatui writes rows top to bottom, so the footer comes last).
fn worklist_complete(screen: &vt100::Screen) -> bool {
    let rows: Vec<String> = screen.rows(0, COLS).collect();
    let Some(h) = rows.iter().position(|r| r.contains("Account")) else {
        return false;
    };
    rows.iter().any(|r| r.contains("Worklist"))
        && rows.get(h + 1).is_some_and(|r| !r.trim().is_empty())
        && rows.last().is_some_and(|r| !r.trim().is_empty())
}

/// Starts the workstation in a pseudo-terminal, waits for its first complete worklist frame, then
/// (when `idle_secs` > 0) leaves it idle and measures it, and quits with `q`.
fn workstation(exe: &Path, data: &Path, peak_file: &Path, idle_secs: u64) -> Result<Session> {
    let _ = std::fs::remove_file(peak_file);
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .map_err(|e| anyhow::anyhow!("opening a pseudo-terminal: {e}"))?;
    let mut cmd = CommandBuilder::new(exe);
    cmd.env("CHARTDESK_DATA_DIR", data);
    cmd.env("TERM", "xterm-256color");
    cmd.env("NO_COLOR", "1");
    cmd.env(PEAK_ENV, peak_file);
    let started = Instant::now();
    let mut child = pair
        .slave
        .spawn_command(cmd)
        .map_err(|e| anyhow::anyhow!("starting the workstation in a pseudo-terminal: {e}"))?;
    drop(pair.slave);
    let mut reader = pair
        .master
        .try_clone_reader()
        .map_err(|e| anyhow::anyhow!("reading the pseudo-terminal: {e}"))?;
    let mut writer = pair
        .master
        .take_writer()
        .map_err(|e| anyhow::anyhow!("writing to the pseudo-terminal: {e}"))?;
    let screen = Arc::new(Mutex::new(vt100::Parser::new(
        nonzero(ROWS),
        nonzero(COLS),
        0,
    )));
    let bytes = Arc::new(AtomicU64::new(0));
    let first: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
    let (s2, b2, f2) = (Arc::clone(&screen), Arc::clone(&bytes), Arc::clone(&first));
    let master = pair.master;
    let thread = std::thread::spawn(move || {
        let _master = master;
        let mut buf = [0u8; 16384];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    b2.fetch_add(n as u64, Ordering::Relaxed);
                    let mut p = s2.lock().unwrap_or_else(|e| e.into_inner());
                    p.process(&buf[..n]);
                    let mut f = f2.lock().unwrap_or_else(|e| e.into_inner());
                    if f.is_none() && worklist_complete(p.screen()) {
                        *f = Some(Instant::now());
                    }
                }
            }
        }
    });
    let pid = child.process_id();
    let deadline = started + PATIENCE;
    let first_frame = loop {
        if let Some(t) = *first.lock().unwrap_or_else(|e| e.into_inner()) {
            break t;
        }
        if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            let _ = child.kill();
            let text = screen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .screen()
                .contents();
            bail!(
                "no worklist frame within {} s; the screen shows:\n{}",
                PATIENCE.as_secs(),
                crate::cli::sanitize::sanitize(&text)
            );
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    let first_frame_ms = first_frame.duration_since(started).as_secs_f64() * 1000.0;
    let idle = match (idle_secs, pid) {
        (0, _) | (_, None) => None,
        (secs, Some(pid)) => {
            // Let the background opening of the code index finish before counting.
            std::thread::sleep(Duration::from_secs(3));
            let cpu0 = cpu_ticks(pid)?;
            let drawn0 = bytes.load(Ordering::Relaxed);
            std::thread::sleep(Duration::from_secs(secs));
            let cpu1 = cpu_ticks(pid)?;
            let drawn = bytes.load(Ordering::Relaxed) - drawn0;
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
                .with_context(|| format!("reading /proc/{pid}/smaps_rollup"))?;
            let mb = |k: &str| kb_field(&rollup, k).unwrap_or(0) as f64 / 1024.0;
            Some(Idle {
                encounters: 0,
                seconds: secs,
                private_mb: mb("Private_Clean:") + mb("Private_Dirty:"),
                anonymous_mb: mb("Anonymous:"),
                private_dirty_mb: mb("Private_Dirty:"),
                rss_mb: mb("Rss:"),
                pss_mb: mb("Pss:"),
                cpu_s_per_hour: (cpu1.saturating_sub(cpu0)) as f64 / USER_HZ * 3600.0 / secs as f64,
                bytes_drawn: drawn,
            })
        }
    };
    writer.write_all(b"q").context("sending q")?;
    writer.flush().context("sending q")?;
    let deadline = Instant::now() + PATIENCE;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(status)) => bail!("the workstation exited with {status:?}"),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                bail!("the workstation did not quit on q");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => bail!("waiting for the workstation: {e}"),
        }
    }
    drop(writer);
    let _ = thread.join();
    Ok(Session {
        first_frame_ms,
        peak_mb: read_peak_mb(peak_file)?,
        idle,
    })
}

/// utime + stime of a process, in ticks.
fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at state (field 3).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let get = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    // utime is field 14, stime 15: indexes 11 and 12 counting from state.
    Ok(get(11) + get(12))
}

fn print_report(r: &Report, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "chartdesk bench startup ({} build)", r.build)?;
    for (n, s) in &r.setup {
        writeln!(out, "  data with {n} encounters ready in {s:.1} s")?;
    }
    writeln!(
        out,
        "\n{:<32} {:>7} {:>5} {:>22} {:>20} {:>14}",
        "whole process", "enc", "runs", "wall ms med (min-max)", "peak RSS MB med", "target"
    )?;
    for f in &r.figures {
        let target = match f.target_rss_mb {
            Some(mb) => format!("{:.0} ms, {mb:.0} MB", f.target_ms),
            None => format!("{:.0} ms", f.target_ms),
        };
        let ok = f.wall_ms.median <= f.target_ms
            && f.target_rss_mb.is_none_or(|mb| f.peak_rss_mb.median <= mb);
        writeln!(
            out,
            "{:<32} {:>7} {:>5} {:>8.1} ({:>5.1}-{:>6.1}) {:>20.1} {:>14} {}",
            f.what,
            f.encounters,
            f.runs,
            f.wall_ms.median,
            f.wall_ms.min,
            f.wall_ms.max,
            f.peak_rss_mb.median,
            target,
            if ok { "ok" } else { "MISSED" }
        )?;
    }
    for i in &r.idle {
        writeln!(
            out,
            "\nidle workstation, {} encounters, {} s: private {:.1} MB (private dirty {:.1}, \
             anonymous {:.1}; RSS {:.1}, PSS {:.1}); CPU {:.2} s per hour; {} bytes drawn while idle",
            i.encounters,
            i.seconds,
            i.private_mb,
            i.private_dirty_mb,
            i.anonymous_mb,
            i.rss_mb,
            i.pss_mb,
            i.cpu_s_per_hour,
            i.bytes_drawn
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_proc_fields() {
        let s = spread(vec![5.0, 1.0, 3.0]);
        assert_eq!((s.median, s.min, s.max), (3.0, 1.0, 5.0));
        assert_eq!(spread(vec![4.0, 1.0, 2.0, 3.0]).median, 2.5);
        assert_eq!(spread(Vec::new()).median, 0.0);
        let status = "Name:\tchartdesk\nVmHWM:\t   20480 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(kb_field(status, "VmHWM:"), Some(20480));
        assert_eq!(kb_field(status, "Pss:"), None);
    }

    #[test]
    fn a_worklist_frame_is_complete_only_with_rows_and_footer() {
        let mut p = vt100::Parser::new(nonzero(ROWS), nonzero(COLS), 0);
        p.process(b"\x1b[1;1HWorklist\r\n Account  Patient\r\n");
        assert!(!worklist_complete(p.screen()));
        p.process(b" A0001    Doe, Jane");
        assert!(!worklist_complete(p.screen()));
        p.process(b"\x1b[24;1H q quit  / filter");
        assert!(worklist_complete(p.screen()));
    }
}
