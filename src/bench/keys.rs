//! `chartdesk bench keys`: the workstation in a real pseudo-terminal plays a scripted coding session
//! ([`super::script::SESSION`], rounds until enough keys) and every key is timed from its write to
//! the output chunk that made the screen show its effect; p50/p95/p99/max per kind of key.
use super::pty::Pty;
use super::script::{self, Row, Step};
use anyhow::{Context, Result, bail};
use portable_pty::CommandBuilder;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// After a timeout, how much longer to wait (untimed) for the effect before going on.
const RESYNC: Duration = Duration::from_secs(30);

/// How to run the workstation and the script.
#[derive(Debug, Clone)]
pub struct PlayOptions {
    /// The chartdesk binary to run (the release build for figures).
    pub bin: PathBuf,
    pub data: PathBuf,
    pub config: Option<PathBuf>,
    pub rows: u16,
    pub cols: u16,
    /// A key whose effect has not shown by then counts as a timeout.
    pub timeout: Duration,
    /// Before each key, wait for this long without output (the screen has settled).
    pub quiet: Duration,
    /// Extra environment (e.g. NO_COLOR).
    pub env: Vec<(String, String)>,
}

impl PlayOptions {
    pub fn new(bin: PathBuf, data: PathBuf) -> PlayOptions {
        PlayOptions {
            bin,
            data,
            config: None,
            rows: 24,
            cols: 80,
            timeout: Duration::from_secs(3),
            quiet: Duration::from_millis(30),
            env: Vec::new(),
        }
    }

    /// The workstation command (local).
    pub fn command(&self) -> CommandBuilder {
        let mut cmd = CommandBuilder::new(&self.bin);
        cmd.arg("--data-dir");
        cmd.arg(&self.data);
        if let Some(c) = &self.config {
            cmd.arg("--config");
            cmd.arg(c);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("CHARTDESK_DATA_DIR");
        cmd.env_remove("CHARTDESK_CONFIG");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        if let Some(dir) = self.data.parent() {
            cmd.cwd(dir);
        }
        cmd
    }
}

/// One key's measurement.
#[derive(Debug, Clone)]
pub struct Sample {
    pub kind: &'static str,
    /// Write to effect; None when the effect did not show within the timeout.
    pub ms: Option<f64>,
    /// The wait's text already held before the key: a script that no longer fits the screen.
    pub held_before: bool,
}

/// A started workstation, at its first screen.
pub struct Workstation {
    pub pty: Pty,
    /// Exec to the first frame showing [`script::HOME`].
    pub startup_ms: f64,
}

impl Workstation {
    /// Starts `cmd` and waits (up to `max`) for the worklist.
    pub fn start(cmd: CommandBuilder, rows: u16, cols: u16, max: Duration) -> Result<Workstation> {
        let t = Instant::now();
        let pty = Pty::spawn(cmd, rows, cols)?;
        let shown = pty.wait_until(t + max, |s| s.text().contains(script::HOME));
        let Some(at) = shown else {
            bail!(
                "the workstation did not show its worklist within {} s; screen:\n{}",
                max.as_secs(),
                crate::cli::sanitize::sanitize(&pty.text())
            );
        };
        Ok(Workstation {
            pty,
            startup_ms: at.saturating_duration_since(t).as_secs_f64() * 1e3,
        })
    }

    /// Gets back to the worklist with Esc (untimed), as a round starts.
    pub fn home(&mut self, quiet: Duration) -> Result<()> {
        for _ in 0..5 {
            self.pty.settle(quiet, Duration::from_secs(2));
            let text = self.pty.text();
            if text.contains(script::HOME) && !text.contains("Code search") {
                return Ok(());
            }
            self.pty.send(b"\x1b")?;
            self.pty
                .settle(Duration::from_millis(150), Duration::from_secs(2));
        }
        bail!(
            "could not get back to the worklist with Esc; screen:\n{}",
            crate::cli::sanitize::sanitize(&self.pty.text())
        )
    }

    /// Plays `steps`, timing each key.
    pub fn play(
        &mut self,
        steps: &[Step],
        opts: &PlayOptions,
        out: &mut Vec<Sample>,
    ) -> Result<()> {
        let mut last_sent = Instant::now();
        for step in steps {
            self.pty.settle(opts.quiet, Duration::from_secs(1));
            let before = if step.wait.needs_formatted() {
                self.pty.formatted()
            } else {
                String::new()
            };
            let held_before = !step.bytes.is_empty()
                && !step.wait.needs_formatted()
                && step.wait.holds(&self.pty.text(), &before, &before);
            if !step.bytes.is_empty() {
                last_sent = self.pty.send(&step.bytes)?;
            }
            let formatted = step.wait.needs_formatted();
            let shown = self.pty.wait_until(Instant::now() + opts.timeout, |s| {
                let f = if formatted {
                    s.formatted()
                } else {
                    String::new()
                };
                step.wait.holds(&s.text(), &f, &before)
            });
            if shown.is_none() {
                // Late rather than never: wait on (untimed) so the rest of the script stays in step.
                let _ = self.pty.wait_until(Instant::now() + RESYNC, |s| {
                    let f = if formatted {
                        s.formatted()
                    } else {
                        String::new()
                    };
                    step.wait.holds(&s.text(), &f, &before)
                });
            }
            if step.untimed {
                continue;
            }
            out.push(Sample {
                kind: step.kind,
                ms: shown.map(|t| t.saturating_duration_since(last_sent).as_secs_f64() * 1e3),
                held_before,
            });
            if self.pty.exited() {
                bail!(
                    "the workstation ended during the script (after a {} key)",
                    step.kind
                );
            }
        }
        Ok(())
    }

    /// Quits with `q` from the worklist; kills the program if it does not end.
    pub fn quit(mut self, quiet: Duration) -> bool {
        if self.home(quiet).is_err() {
            return self.pty.finish(Duration::ZERO);
        }
        if self.pty.send(b"q").is_err() {
            return self.pty.finish(Duration::ZERO);
        }
        self.pty.finish(Duration::from_secs(10))
    }
}

/// Latency figures of one kind of key (or all of them).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct KindReport {
    pub kind: String,
    pub keys: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Keys whose effect never showed within the timeout (not in the percentiles).
    pub timeouts: usize,
    /// Keys whose awaited text was already on screen before the key (the script needs adjusting).
    pub held_before: usize,
}

/// The nearest-rank percentile of sorted values (0 when empty).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Figures for `samples` under the name `kind`.
pub fn summarize(kind: &str, samples: &[&Sample]) -> KindReport {
    let mut v: Vec<f64> = samples.iter().filter_map(|s| s.ms).collect();
    v.sort_by(f64::total_cmp);
    KindReport {
        kind: kind.to_string(),
        keys: samples.len(),
        p50_ms: percentile(&v, 0.50),
        p95_ms: percentile(&v, 0.95),
        p99_ms: percentile(&v, 0.99),
        max_ms: v.last().copied().unwrap_or(0.0),
        timeouts: samples.iter().filter(|s| s.ms.is_none()).count(),
        held_before: samples.iter().filter(|s| s.held_before).count(),
    }
}

/// Per kind in first-played order, then "all keys" (keys pressed; timed waits such as search
/// results are reported as their own kinds but not counted as keys).
pub fn by_kind(samples: &[Sample]) -> (Vec<KindReport>, KindReport) {
    let mut kinds: Vec<&str> = Vec::new();
    for s in samples {
        if !kinds.contains(&s.kind) {
            kinds.push(s.kind);
        }
    }
    let per = kinds
        .iter()
        .map(|k| {
            let v: Vec<&Sample> = samples.iter().filter(|s| s.kind == *k).collect();
            summarize(k, &v)
        })
        .collect();
    let keys: Vec<&Sample> = samples
        .iter()
        .filter(|s| !s.kind.ends_with("results"))
        .collect();
    (per, summarize("all keys", &keys))
}

/// What `bench keys` measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeysReport {
    pub data_dir: String,
    pub encounters: i64,
    pub notes: i64,
    /// How long making the data directory took (0 when it was reused).
    pub setup_seconds: f64,
    pub startup_ms: f64,
    pub rounds: usize,
    pub keys: usize,
    pub all: KindReport,
    pub kinds: Vec<KindReport>,
    pub goal_p99_ms: f64,
    pub goal_max_ms: f64,
    pub met: bool,
}

/// Plays rounds of `rows` until at least `keys` keys were pressed.
pub fn run(opts: &PlayOptions, rows: &[Row], keys: usize) -> Result<(Vec<Sample>, usize, f64)> {
    let steps = script::expand(rows)?;
    let per_round = script::key_count(&steps).max(1);
    let rounds = keys.div_ceil(per_round).max(1);
    let mut ws = Workstation::start(
        opts.command(),
        opts.rows,
        opts.cols,
        Duration::from_secs(120),
    )
    .with_context(|| format!("starting {}", opts.bin.display()))?;
    let startup = ws.startup_ms;
    let mut samples = Vec::with_capacity(rounds * steps.len());
    for _ in 0..rounds {
        ws.home(opts.quiet)?;
        ws.play(&steps, opts, &mut samples)?;
    }
    if !ws.quit(opts.quiet) {
        bail!("the workstation did not quit cleanly with q");
    }
    Ok((samples, rounds, startup))
}

/// The chartdesk binary to benchmark: `explicit`, or this executable.
pub fn binary(explicit: Option<&Path>) -> Result<PathBuf> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => std::env::current_exe().context("finding the chartdesk executable"),
    }
}

/// The report as a table.
pub fn print(r: &KeysReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "bench keys: {} keys in {} rounds against {} ({} encounters, {} notes); first worklist \
         frame {:.0} ms{}",
        r.keys,
        r.rounds,
        r.data_dir,
        r.encounters,
        r.notes,
        r.startup_ms,
        if r.setup_seconds > 0.0 {
            format!("; data generated in {:.0} s", r.setup_seconds)
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "{:<22} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "kind", "keys", "p50 ms", "p95 ms", "p99 ms", "max ms", "timeout"
    )?;
    for k in r.kinds.iter().chain(std::iter::once(&r.all)) {
        writeln!(
            out,
            "{:<22} {:>5} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8}{}",
            k.kind,
            k.keys,
            k.p50_ms,
            k.p95_ms,
            k.p99_ms,
            k.max_ms,
            k.timeouts,
            if k.held_before > 0 {
                format!(
                    "  ({} shown before the key: adjust the script)",
                    k.held_before
                )
            } else {
                String::new()
            }
        )?;
    }
    writeln!(
        out,
        "goal: p99 <= {} ms and max <= {} ms over all keys: {}",
        r.goal_p99_ms,
        r.goal_max_ms,
        if r.met { "met" } else { "NOT met" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(kind: &'static str, ms: Option<f64>) -> Sample {
        Sample {
            kind,
            ms,
            held_before: false,
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.50), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v, 1.0), 100.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
        assert_eq!(percentile(&[1.0, 2.0], 0.0), 1.0);
    }

    #[test]
    fn kinds_keep_play_order_and_timeouts_stay_out_of_percentiles() {
        let samples = vec![
            s("move", Some(2.0)),
            s("open", Some(40.0)),
            s("move", Some(4.0)),
            s("move", None),
            s("code search results", Some(90.0)),
        ];
        let (per, all) = by_kind(&samples);
        let names: Vec<&str> = per.iter().map(|k| k.kind.as_str()).collect();
        assert_eq!(names, ["move", "open", "code search results"]);
        assert_eq!(per[0].keys, 3);
        assert_eq!(per[0].timeouts, 1);
        assert_eq!(per[0].max_ms, 4.0);
        assert_eq!(per[0].p50_ms, 2.0);
        // Results are waits, not keys.
        assert_eq!(all.keys, 4);
        assert_eq!(all.max_ms, 40.0);
    }
}
