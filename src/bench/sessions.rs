//! `chartdesk bench sessions`: N workstations in pseudo-terminals on one data directory (locally,
//! or through the OpenSSH deployment with `ssh -tt`), K of them playing the scripted coding session
//! while the rest sit idle; then private memory per session, CPU per idle session per hour, key
//! latency of the active ones and errors.
use super::keys::{self, KindReport, PlayOptions, Sample, Workstation};
use super::script;
use anyhow::{Context, Result};
use portable_pty::CommandBuilder;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct SessionsOptions {
    pub play: PlayOptions,
    pub n: usize,
    pub active: usize,
    pub minutes: f64,
    /// `ssh` arguments (destination and options) to reach the deployment; None: local processes.
    pub ssh: Option<Vec<String>>,
}

/// Memory of one process from /proc/PID/smaps_rollup, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Memory {
    pub rss: u64,
    pub pss: u64,
    pub anonymous: u64,
    pub private_dirty: u64,
    pub private_clean: u64,
}

impl Memory {
    /// Memory only this session holds: anonymous memory plus file-backed private dirty pages.
    /// Written anonymous pages are also counted in Private_Dirty, so this is the larger of the two.
    pub fn private(&self) -> u64 {
        self.anonymous.max(self.private_dirty)
    }
}

/// Parses the text of /proc/PID/smaps_rollup (fields in kB).
pub fn parse_smaps_rollup(text: &str) -> Memory {
    let mut m = Memory::default();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let (Some(name), Some(kb)) = (it.next(), it.next().and_then(|v| v.parse::<u64>().ok()))
        else {
            continue;
        };
        let bytes = kb * 1024;
        match name {
            "Rss:" => m.rss = bytes,
            "Pss:" => m.pss = bytes,
            "Anonymous:" => m.anonymous = bytes,
            "Private_Dirty:" => m.private_dirty = bytes,
            "Private_Clean:" => m.private_clean = bytes,
            _ => {}
        }
    }
    m
}

/// A process's memory (None when it is gone or /proc is not there).
pub fn memory(pid: u32) -> Option<Memory> {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .map(|t| parse_smaps_rollup(&t))
}

/// CPU seconds (user + system) in the text of /proc/PID/stat, at `ticks` per second.
pub fn parse_stat_cpu(stat: &str, ticks: f64) -> Option<f64> {
    // Fields after the command name (which may hold spaces and parentheses) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 12th and 13th after the name.
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok());
    Some((t(11)? + t(12)?) / ticks)
}

/// A process's CPU seconds so far.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat_cpu(&stat, clock_ticks())
}

fn clock_ticks() -> f64 {
    // USER_HZ is 100 on every Linux architecture chartdesk builds for.
    100.0
}

/// Processes whose command line has `ssh-session` (the deployment's chartdesk sessions).
fn ssh_session_pids() -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline"))
            && cmd.split(|b| *b == 0).any(|a| a == b"ssh-session")
        {
            out.insert(pid);
        }
    }
    out
}

/// p50 and max of a list.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Spread {
    pub p50: f64,
    pub max: f64,
}

fn spread(mut v: Vec<f64>) -> Spread {
    v.sort_by(f64::total_cmp);
    Spread {
        p50: keys::percentile(&v, 0.5),
        max: v.last().copied().unwrap_or(0.0),
    }
}

/// What `bench sessions` measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionsReport {
    pub mode: String,
    pub sessions: usize,
    pub open: usize,
    pub active: usize,
    pub minutes: f64,
    pub startup_ms: Spread,
    /// Private memory (MB) per session at the end: all, the idle ones, the active ones.
    pub private_mb: Spread,
    pub private_idle_mb: Spread,
    pub private_active_mb: Spread,
    pub anonymous_mb: Spread,
    pub rss_mb: Spread,
    pub private_total_mb: f64,
    /// CPU seconds per idle session per hour, while the active ones worked.
    pub idle_cpu_s_per_hour: Spread,
    pub active_keys: KindReport,
    pub errors: Vec<String>,
    pub load_before: String,
    pub load_after: String,
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// One open session: the terminal, and the chartdesk process it runs.
struct Open {
    ws: Workstation,
    pid: Option<u32>,
}

fn start_one(opts: &SessionsOptions) -> Result<Open> {
    let before = opts.ssh.as_ref().map(|_| ssh_session_pids());
    let cmd = match &opts.ssh {
        Some(args) => {
            let mut c = CommandBuilder::new("ssh");
            c.arg("-tt");
            for a in args {
                c.arg(a);
            }
            c.env("TERM", "xterm-256color");
            c
        }
        None => opts.play.command(),
    };
    let ws = Workstation::start(
        cmd,
        opts.play.rows,
        opts.play.cols,
        Duration::from_secs(300),
    )?;
    let pid = match before {
        // The deployment's process that appeared for this session.
        Some(before) => ssh_session_pids().difference(&before).next().copied(),
        None => ws.pty.pid(),
    };
    Ok(Open { ws, pid })
}

/// Runs the benchmark; `progress` gets (stage, done, total).
pub fn run(
    opts: &SessionsOptions,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<SessionsReport> {
    let load_before = loadavg();
    let mut errors = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut startup = Vec::new();
    for i in 0..opts.n {
        progress("opening workstations", i, opts.n);
        match start_one(opts) {
            Ok(o) => {
                startup.push(o.ws.startup_ms);
                open.push(o);
            }
            Err(e) => errors.push(format!("session {}: {e:#}", i + 1)),
        }
    }
    progress("opening workstations", opts.n, opts.n);
    let active = opts.active.min(open.len());
    let idle: Vec<Open> = open.split_off(active);
    let idle_cpu0: Vec<Option<f64>> = idle.iter().map(|o| o.pid.and_then(cpu_seconds)).collect();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(opts.minutes.max(0.0) * 60.0);
    let steps = script::expand(script::SESSION)?;
    let mut workers = Vec::new();
    for (i, o) in open.into_iter().enumerate() {
        let steps = steps.clone();
        let play = opts.play.clone();
        workers.push(
            std::thread::Builder::new()
                .name(format!("session-{i}"))
                .spawn(move || {
                    let Open { mut ws, pid } = o;
                    // Staggered, so the active sessions do not all press the same key at once.
                    std::thread::sleep(Duration::from_millis(137 * i as u64 % 2000));
                    let mut samples: Vec<Sample> = Vec::new();
                    let mut err = None;
                    while Instant::now() < deadline {
                        if let Err(e) = ws
                            .home(play.quiet)
                            .and_then(|_| ws.play(&steps, &play, &mut samples))
                        {
                            err = Some(format!("active session {}: {e:#}", i + 1));
                            break;
                        }
                    }
                    (ws, pid, samples, err)
                })
                .context("starting a session thread")?,
        );
    }
    progress("sessions working", 0, 0);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500).min(deadline - Instant::now()));
    }
    let mut samples = Vec::new();
    let mut active_open = Vec::new();
    for w in workers {
        match w.join() {
            Ok((ws, pid, s, err)) => {
                samples.extend(s);
                errors.extend(err);
                active_open.push(Open { ws, pid });
            }
            Err(_) => errors.push("an active session's thread panicked".into()),
        }
    }
    let window = started.elapsed().as_secs_f64().max(1e-3);
    let idle_cpu: Vec<f64> = idle
        .iter()
        .zip(&idle_cpu0)
        .filter_map(|(o, c0)| Some((o.pid.and_then(cpu_seconds)? - (*c0)?) / window * 3600.0))
        .collect();
    let mem =
        |v: &[Open]| -> Vec<Memory> { v.iter().filter_map(|o| o.pid.and_then(memory)).collect() };
    let (mem_idle, mem_active) = (mem(&idle), mem(&active_open));
    let mb = |m: &[Memory], f: fn(&Memory) -> u64| -> Vec<f64> {
        m.iter().map(|x| f(x) as f64 / 1_048_576.0).collect()
    };
    let all_mem: Vec<Memory> = mem_idle.iter().chain(&mem_active).copied().collect();
    let sessions_open = idle.len() + active_open.len();
    for (i, o) in idle.iter().chain(&active_open).enumerate() {
        if o.pid.is_none() {
            errors.push(format!(
                "session {}: its chartdesk process was not found",
                i + 1
            ));
        }
    }
    let load_after = loadavg();
    progress("closing workstations", 0, sessions_open);
    let mut closed = 0;
    for (i, mut o) in idle.into_iter().chain(active_open).enumerate() {
        if o.ws.pty.exited() {
            errors.push(format!("session {}: ended by itself during the run", i + 1));
            continue;
        }
        if !o.ws.quit(opts.play.quiet) {
            errors.push(format!("session {}: did not quit cleanly with q", i + 1));
        }
        closed += 1;
        progress("closing workstations", closed, sessions_open);
    }
    let (_, all) = keys::by_kind(&samples);
    Ok(SessionsReport {
        mode: if opts.ssh.is_some() { "ssh" } else { "local" }.into(),
        sessions: opts.n,
        open: sessions_open,
        active,
        minutes: opts.minutes,
        startup_ms: spread(startup),
        private_mb: spread(mb(&all_mem, Memory::private)),
        private_idle_mb: spread(mb(&mem_idle, Memory::private)),
        private_active_mb: spread(mb(&mem_active, Memory::private)),
        anonymous_mb: spread(mb(&all_mem, |m| m.anonymous)),
        rss_mb: spread(mb(&all_mem, |m| m.rss)),
        private_total_mb: mb(&all_mem, Memory::private).iter().sum(),
        idle_cpu_s_per_hour: spread(idle_cpu),
        active_keys: all,
        errors,
        load_before,
        load_after,
    })
}

/// The report as text.
pub fn print(r: &SessionsReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "bench sessions ({}): {} opened of {}, {} active for {} min (load average {} before, {} after)",
        r.mode, r.open, r.sessions, r.active, r.minutes, r.load_before, r.load_after
    )?;
    writeln!(
        out,
        "start to worklist:            p50 {:.0} ms, max {:.0} ms (opened one after another)",
        r.startup_ms.p50, r.startup_ms.max
    )?;
    let line =
        |name: &str, s: &Spread| format!("{name:<30}p50 {:.1} MB, max {:.1} MB", s.p50, s.max);
    writeln!(
        out,
        "{}",
        line("private memory per session:", &r.private_mb)
    )?;
    writeln!(out, "{}", line("  idle sessions:", &r.private_idle_mb))?;
    writeln!(out, "{}", line("  active sessions:", &r.private_active_mb))?;
    writeln!(
        out,
        "{}",
        line("anonymous memory per session:", &r.anonymous_mb)
    )?;
    writeln!(out, "{}", line("RSS per session:", &r.rss_mb))?;
    writeln!(
        out,
        "private memory, all sessions: {:.0} MB",
        r.private_total_mb
    )?;
    writeln!(
        out,
        "CPU per idle session:         p50 {:.2} s/hour, max {:.2} s/hour",
        r.idle_cpu_s_per_hour.p50, r.idle_cpu_s_per_hour.max
    )?;
    let k = &r.active_keys;
    writeln!(
        out,
        "active keys:                  {} keys, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} timeouts",
        k.keys, k.p50_ms, k.p99_ms, k.max_ms, k.timeouts
    )?;
    writeln!(out, "errors: {}", r.errors.len())?;
    for e in r.errors.iter().take(20) {
        writeln!(out, "  {e}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smaps_rollup_fields_are_read_in_bytes() {
        let text = "55a0c0000000-7ffd0000000 ---p 00000000 00:00 0   [rollup]\n\
                    Rss:               75000 kB\nPss:               40000 kB\n\
                    Pss_Anon:          30000 kB\nShared_Clean:      12000 kB\n\
                    Private_Clean:      2000 kB\nPrivate_Dirty:     31000 kB\n\
                    Anonymous:         30500 kB\nSwap:                  0 kB\n";
        let m = parse_smaps_rollup(text);
        assert_eq!(m.rss, 75000 * 1024);
        assert_eq!(m.pss, 40000 * 1024);
        assert_eq!(m.anonymous, 30500 * 1024);
        assert_eq!(m.private_dirty, 31000 * 1024);
        assert_eq!(m.private_clean, 2000 * 1024);
        assert_eq!(m.private(), 31000 * 1024);
        assert_eq!(parse_smaps_rollup("garbage\nRss: x kB"), Memory::default());
    }

    #[test]
    fn stat_cpu_reads_utime_and_stime_after_the_name() {
        // A command name with spaces and a parenthesis must not shift the fields.
        let stat =
            "4242 (chart desk) x) S 1 4242 4242 0 -1 4194560 500 0 0 0 150 50 0 0 20 0 3 0 1 2 3";
        assert_eq!(parse_stat_cpu(stat, 100.0), Some(2.0));
        assert_eq!(parse_stat_cpu("4242 (x) S 1", 100.0), None);
        assert_eq!(parse_stat_cpu("no parenthesis", 100.0), None);
    }

    #[test]
    fn this_process_has_memory_and_cpu_figures() {
        let me = std::process::id();
        let m = memory(me).expect("smaps_rollup of this process");
        assert!(m.rss > 0 && m.private() > 0, "{m:?}");
        assert!(cpu_seconds(me).is_some());
    }
}
