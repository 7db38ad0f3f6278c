//! `chartdesk bench notes`: generate N notes, import them, and time a fixed query mix against the
//! chartdesk notes index and an SQLite FTS5 index over the same notes, in the same run.
//!
//! Both engines return the top 20 notes with a highlighted snippet; chartdesk also counts every
//! match. Latencies are per query class (single words, two-word AND, phrases, prefix while typing,
//! filtered), p50/p95/p99 over `rounds` passes after a warm-up pass.
use super::corpus::{self, Sentences};
use crate::domain::Role;
use crate::notes::{Format, ImportOptions, ImportStages};
use crate::search::notes::NoteOrder;
use crate::service::{DataDir, NoteQuery, Service};
use crate::store::{self, notes::FtsFilter};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub notes: usize,
    /// A CSV with a `transcription` column whose sentences replace the generated bodies.
    pub corpus: Option<PathBuf>,
    /// Measured passes over the query mix.
    pub rounds: usize,
    /// Work in (and keep) this directory instead of a temporary one.
    pub dir: Option<PathBuf>,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassReport {
    pub class: String,
    pub queries: usize,
    pub chartdesk: Latency,
    pub fts5: Latency,
    /// FTS5 p50 / chartdesk p50.
    pub p50_speedup: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchReport {
    pub notes: usize,
    pub corpus: Option<String>,
    pub text_bytes: u64,
    pub import_seconds: f64,
    pub import_notes_per_s: f64,
    /// CPU time the import used (all threads), and notes per CPU second: a figure that does not
    /// depend on what else the machine is running.
    pub import_cpu_seconds: f64,
    pub import_notes_per_cpu_s: f64,
    pub import_mb_per_s: f64,
    /// Where the import's time went (wall seconds in the importing thread), batches and the
    /// longest write-lock hold.
    pub import_stages: ImportStages,
    /// CPU seconds of the importing thread (parsing, SQLite, feeding the index); the rest of
    /// `import_cpu_seconds` is the index's own threads (tokenizing, writing and merging segments).
    pub import_main_thread_cpu_seconds: f64,
    pub index_bytes: u64,
    pub fts5_build_seconds: f64,
    pub fts5_bytes: u64,
    /// Peak resident memory of the benchmark process (generation, import and both engines),
    /// mapped index files included.
    pub peak_rss_bytes: u64,
    /// Peak anonymous (heap) memory while importing, sampled every 50 ms: flat whatever the size.
    pub import_heap_peak_bytes: u64,
    /// A separate workstation process with the index open after running the query mix.
    pub workstation_rss_bytes: u64,
    pub workstation_peak_rss_bytes: u64,
    /// An audited search (the audit row is one small write transaction) at p50.
    pub audited_search_p50_ms: f64,
    pub classes: Vec<ClassReport>,
}

/// One query of the mix, in both engines' languages.
struct MixQuery {
    class: &'static str,
    chartdesk: &'static str,
    typing: bool,
    fts: &'static str,
    filter: FtsFilter,
}

fn mix() -> Vec<MixQuery> {
    let q = |class, chartdesk, fts| MixQuery {
        class,
        chartdesk,
        typing: class == "prefix",
        fts,
        filter: FtsFilter::default(),
    };
    let f = |chartdesk, fts, t: Option<&str>, e: Option<&str>, from: Option<&str>| MixQuery {
        class: "filtered",
        chartdesk,
        typing: false,
        fts,
        filter: FtsFilter {
            note_type: t.map(String::from),
            enc_type: e.map(String::from),
            written_from: from.map(String::from),
        },
    };
    let mut v = Vec::new();
    for w in [
        "troponin",
        "pneumonia",
        "hypertension",
        "edema",
        "sepsis",
        "creatinine",
        "nausea",
        "patient",
    ] {
        v.push(q("word", w, w));
    }
    for w in [
        "chest pain",
        "heart failure",
        "blood cultures",
        "lisinopril daily",
        "acute kidney",
        "tobacco use",
        "left arm",
        "shortness breath",
    ] {
        v.push(q("and2", w, w));
    }
    for w in [
        "\"chest pain\"",
        "\"heart failure\"",
        "\"shortness of breath\"",
        "\"no edema\"",
        "\"blood cultures\"",
        "\"st depression\"",
        "\"lungs clear\"",
        "\"acute kidney injury\"",
    ] {
        v.push(q("phrase", w, w));
    }
    for (w, x) in [
        ("trop", "trop*"),
        ("pneu", "pneu*"),
        ("hyperl", "hyperl*"),
        ("diaph", "diaph*"),
        ("card", "card*"),
        ("nitro", "nitro*"),
        ("ceft", "ceft*"),
        ("hemog", "hemog*"),
    ] {
        v.push(q("prefix", w, x));
    }
    v.push(f(
        "type:discharge sepsis",
        "sepsis",
        Some("Discharge Summary"),
        None,
        None,
    ));
    v.push(f(
        "enc:inpatient pneumonia",
        "pneumonia",
        None,
        Some("inpatient"),
        None,
    ));
    v.push(f(
        "type:progress edema",
        "edema",
        Some("Progress Note"),
        None,
        None,
    ));
    v.push(f(
        "enc:emergency \"chest pain\"",
        "\"chest pain\"",
        None,
        Some("emergency"),
        None,
    ));
    v.push(f(
        "type:consult troponin",
        "troponin",
        Some("Consultation"),
        None,
        None,
    ));
    v.push(f(
        "after:2025-12-20 nausea",
        "nausea",
        None,
        None,
        Some("2025-12-20"),
    ));
    v.push(f(
        "type:h&p hypertension",
        "hypertension",
        Some("History and Physical"),
        None,
        None,
    ));
    v.push(f(
        "enc:outpatient diabetes",
        "diabetes",
        None,
        Some("outpatient"),
        None,
    ));
    v
}

const CLASSES: [&str; 5] = ["word", "and2", "phrase", "prefix", "filtered"];
const TOP: usize = 20;

/// Resident memory of this process: (peak, current) in bytes, from /proc (0 where unavailable).
pub fn rss() -> (u64, u64) {
    (status_field("VmHWM:"), status_field("VmRSS:"))
}

/// A memory figure from /proc/self/status in bytes (0 where unavailable).
fn status_field(name: &str) -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    s.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// CPU seconds (user + system, all threads) this process has used, from /proc (0 where unavailable).
fn cpu_seconds() -> f64 {
    stat_cpu_seconds("/proc/self/stat")
}

/// CPU seconds the calling thread has used (0 where unavailable).
fn thread_cpu_seconds() -> f64 {
    stat_cpu_seconds("/proc/thread-self/stat")
}

fn stat_cpu_seconds(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 11 and 12 after the name and state.
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Clock ticks are 1/100 s on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// Samples anonymous memory every 50 ms until dropped; `peak` gives the highest seen.
struct HeapSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<u64>>,
}

impl HeapSampler {
    fn start() -> HeapSampler {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut peak = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(status_field("RssAnon:"));
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            peak
        });
        HeapSampler {
            stop,
            handle: Some(handle),
        }
    }

    fn peak(mut self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.handle.take().and_then(|h| h.join().ok()).unwrap_or(0)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn latency(mut v: Vec<f64>) -> Latency {
    v.sort_by(|a, b| a.total_cmp(b));
    Latency {
        p50_ms: percentile(&v, 0.50),
        p95_ms: percentile(&v, 0.95),
        p99_ms: percentile(&v, 0.99),
    }
}

fn chartdesk_query(svc: &mut Service, q: &MixQuery) -> Result<usize> {
    let nq = NoteQuery {
        limit: TOP,
        order: NoteOrder::Relevance,
        encounter: None,
        typing: q.typing,
    };
    Ok(svc.search_notes_unaudited(q.chartdesk, &nq)?.hits.len())
}

/// The marker a benchmark leaves in the directories it creates: only those are ever cleared.
pub const BENCH_MARKER: &str = ".chartdesk-bench";

/// Sets up an empty data directory whose admin is the login running the benchmark. An existing
/// `DIR/data` is cleared only if this benchmark created it (it holds [`BENCH_MARKER`]); anything
/// else there — a real data directory — is refused, never deleted.
fn prepare_dir(dir: &Path, login: &str) -> Result<DataDir> {
    let data = DataDir::new(dir.join("data"));
    if data.root.exists() {
        if !data.root.join(BENCH_MARKER).is_file() {
            anyhow::bail!(
                "{} exists and was not made by `chartdesk bench`: refusing to clear it; pass \
                 --dir with a new or benchmark-only directory",
                data.root.display()
            );
        }
        std::fs::remove_dir_all(&data.root)
            .with_context(|| format!("clearing {}", data.root.display()))?;
    }
    std::fs::create_dir_all(&data.root)
        .with_context(|| format!("creating {}", data.root.display()))?;
    std::fs::write(
        data.root.join(BENCH_MARKER),
        "made by chartdesk bench notes\n",
    )
    .with_context(|| format!("marking {}", data.root.display()))?;
    let conn = store::open(&data.db_path())?;
    store::users::upsert(&conn, login, Role::Admin, "", None, &store::now())?;
    Ok(data)
}

/// Runs the benchmark. `progress` gets (stage, done, total).
pub fn run(
    opts: &BenchOptions,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<BenchReport> {
    let login = crate::service::os_login()?;
    let (work, temporary) = match &opts.dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("chartdesk-bench-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let result = run_in(&work, &login, opts, progress);
    if temporary {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

fn run_in(
    work: &Path,
    login: &str,
    opts: &BenchOptions,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<BenchReport> {
    let data = prepare_dir(work, login)?;
    let mut sentences = match &opts.corpus {
        Some(p) => {
            progress("reading the corpus", 0, 0);
            Some(Sentences::read(p)?)
        }
        None => None,
    };
    let gen_dir = work.join("import");
    std::fs::create_dir_all(&gen_dir)?;
    let written = corpus::write_files(
        &gen_dir,
        opts.notes,
        opts.seed,
        sentences.as_mut(),
        progress,
    )?;

    let mut svc = Service::open(&data, login, &mut *progress)?;
    let sampler = HeapSampler::start();
    let cpu_before = cpu_seconds();
    let main_cpu_before = thread_cpu_seconds();
    let started = Instant::now();
    let report = svc.import_notes(
        &written.files,
        Some(Format::Jsonl),
        &ImportOptions::default(),
        None,
        &mut *progress,
    )?;
    let import_seconds = started.elapsed().as_secs_f64();
    let import_cpu_seconds = cpu_seconds() - cpu_before;
    let import_main_thread_cpu_seconds = thread_cpu_seconds() - main_cpu_before;
    let import_stages = report.stages.clone();
    let import_heap_peak_bytes = sampler.peak();
    let imported: usize = report.files.iter().map(|f| f.added).sum();
    anyhow::ensure!(
        imported == opts.notes,
        "the benchmark imported {imported} of {} notes",
        opts.notes
    );
    for f in &written.files {
        let _ = std::fs::remove_file(f);
    }
    let index_bytes = svc.notes_index_info()?.bytes;

    progress("building the FTS5 baseline", 0, 0);
    let fts = store::open(&data.db_path())?;
    let db_before = file_bytes(&data.db_path());
    let t = Instant::now();
    store::notes::fts_baseline_build(&fts)?;
    let fts5_build_seconds = t.elapsed().as_secs_f64();
    fts.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").ok();
    let fts5_bytes = match store::notes::fts_baseline_bytes(&fts)? {
        0 => file_bytes(&data.db_path()).saturating_sub(db_before),
        n => n,
    };

    let queries = mix();
    let mut times: Vec<(Vec<f64>, Vec<f64>)> = vec![(vec![], vec![]); CLASSES.len()];
    let rounds = opts.rounds.max(1);
    for round in 0..=rounds {
        progress("running the query mix", round, rounds);
        for q in &queries {
            let class = CLASSES.iter().position(|c| *c == q.class).unwrap_or(0);
            let t = Instant::now();
            chartdesk_query(&mut svc, q)?;
            let a = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            store::notes::fts_baseline_search(&fts, q.fts, &q.filter, TOP)
                .with_context(|| format!("FTS5 query {}", q.fts))?;
            let b = t.elapsed().as_secs_f64() * 1e3;
            if round > 0 {
                times[class].0.push(a);
                times[class].1.push(b);
            }
        }
    }
    let mut audited = Vec::new();
    for q in queries.iter().take(8) {
        let t = Instant::now();
        svc.search_notes(q.chartdesk, &NoteQuery::default())?;
        audited.push(t.elapsed().as_secs_f64() * 1e3);
    }
    drop(fts);
    drop(svc);
    let (peak, _) = rss();
    progress("measuring a workstation's memory", 0, 0);
    let (ws_peak, ws_rss) = probe_process(&data.root).unwrap_or((0, 0));

    let classes = CLASSES
        .iter()
        .zip(times)
        .map(|(c, (a, b))| {
            let n = a.len() / rounds;
            let (a, b) = (latency(a), latency(b));
            ClassReport {
                class: c.to_string(),
                queries: n,
                p50_speedup: if a.p50_ms > 0.0 {
                    b.p50_ms / a.p50_ms
                } else {
                    0.0
                },
                chartdesk: a,
                fts5: b,
            }
        })
        .collect();
    Ok(BenchReport {
        notes: opts.notes,
        corpus: opts.corpus.as_ref().map(|p| p.display().to_string()),
        text_bytes: written.text_bytes,
        import_seconds,
        import_notes_per_s: opts.notes as f64 / import_seconds.max(1e-9),
        import_cpu_seconds,
        import_notes_per_cpu_s: opts.notes as f64 / import_cpu_seconds.max(1e-9),
        import_mb_per_s: written.bytes as f64 / 1e6 / import_seconds.max(1e-9),
        import_stages,
        import_main_thread_cpu_seconds,
        index_bytes,
        fts5_build_seconds,
        fts5_bytes,
        peak_rss_bytes: peak,
        import_heap_peak_bytes,
        workstation_rss_bytes: ws_rss,
        workstation_peak_rss_bytes: ws_peak,
        audited_search_p50_ms: latency(audited).p50_ms,
        classes,
    })
}

fn file_bytes(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// Runs `chartdesk bench notes --probe DIR` in a new process and reads its memory figures.
fn probe_process(data_root: &Path) -> Result<(u64, u64)> {
    let exe = std::env::current_exe().context("finding the chartdesk executable")?;
    let out = std::process::Command::new(exe)
        .args(["bench", "notes", "--probe"])
        .arg(data_root)
        .output()
        .context("running the workstation memory probe")?;
    anyhow::ensure!(
        out.status.success(),
        "the memory probe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("reading the probe's output")?;
    Ok((
        v["peak_rss_bytes"].as_u64().unwrap_or(0),
        v["rss_bytes"].as_u64().unwrap_or(0),
    ))
}

/// The probe: opens a workstation on `data_root`, runs the chartdesk query mix once, and returns
/// (peak RSS, RSS) of this process.
pub fn probe(data_root: &Path) -> Result<(u64, u64)> {
    let login = crate::service::os_login()?;
    let data = DataDir::new(data_root);
    let mut svc = Service::open(&data, &login, &mut |_, _, _| {})?;
    for q in mix() {
        chartdesk_query(&mut svc, &q)?;
    }
    Ok(rss())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_clears_only_a_directory_it_made() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("data");
        std::fs::create_dir_all(&real).unwrap();
        std::fs::write(real.join("chartdesk.db"), "precious").unwrap();
        let e = prepare_dir(tmp.path(), "bench").unwrap_err();
        assert!(
            format!("{e:#}").contains("not made by `chartdesk bench`"),
            "{e:#}"
        );
        assert_eq!(
            std::fs::read_to_string(real.join("chartdesk.db")).unwrap(),
            "precious"
        );

        let own = tempfile::tempdir().unwrap();
        prepare_dir(own.path(), "bench").unwrap();
        let data = prepare_dir(own.path(), "bench").unwrap();
        assert!(data.root.join(BENCH_MARKER).is_file());
    }
}
