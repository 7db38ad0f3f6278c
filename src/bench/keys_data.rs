//! The data directory the pty benchmarks run against: the demo generator's encounters (with their
//! notes), then more generated notes spread over those same encounters until the note count is
//! reached, imported through the normal import path. Made once in `DIR/data` and reused while its
//! stamp matches.
use super::corpus;
use super::notes::BENCH_MARKER;
use crate::demo;
use crate::notes::{Format, ImportOptions};
use crate::service::{self, DataDir, Service};
use crate::store;
use crate::store::encounters::WorklistFilter;
use anyhow::{Context, Result, bail};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

const STAMP: &str = "bench-data.json";

/// A benchmark data directory and what it holds.
pub struct BenchData {
    pub data: DataDir,
    pub encounters: i64,
    pub notes: i64,
    /// Seconds it took to make (0 when reused).
    pub setup_seconds: f64,
}

/// Counts in an existing data directory.
pub fn counts(data: &DataDir) -> Result<(i64, i64)> {
    let conn = store::open(&data.db_path())?;
    Ok((
        store::encounters::count(&conn)?,
        store::notes::count(&conn)?,
    ))
}

/// `DIR/data` with `encounters` demo encounters and `notes` notes in all: reused when a benchmark
/// made it with the same sizes, else (re)made. A directory a benchmark did not make is refused.
pub fn prepare(
    dir: &Path,
    encounters: usize,
    notes: usize,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<BenchData> {
    let data = DataDir::new(dir.join("data"));
    let want = serde_json::json!({"encounters": encounters, "notes": notes}).to_string();
    if data.root.exists() {
        if !data.root.join(BENCH_MARKER).is_file() {
            bail!(
                "{} exists and was not made by `chartdesk bench`: refusing to use or clear it; \
                 pass --dir with a new or benchmark-only directory",
                data.root.display()
            );
        }
        if std::fs::read_to_string(data.root.join(STAMP)).is_ok_and(|s| s.trim() == want) {
            let (encounters, notes) = counts(&data)?;
            return Ok(BenchData {
                data,
                encounters,
                notes,
                setup_seconds: 0.0,
            });
        }
        std::fs::remove_dir_all(&data.root)
            .with_context(|| format!("clearing {}", data.root.display()))?;
    }
    let started = Instant::now();
    std::fs::create_dir_all(&data.root)
        .with_context(|| format!("creating {}", data.root.display()))?;
    std::fs::write(
        data.root.join(BENCH_MARKER),
        "made by chartdesk bench keys\n",
    )
    .with_context(|| format!("marking {}", data.root.display()))?;
    let login = service::os_login()?;
    service::initialize(&data, &login, Some(encounters), &mut *progress)?;
    let (_, have) = counts(&data)?;
    let extra = notes.saturating_sub(usize::try_from(have).unwrap_or(0));
    if extra > 0 {
        let mut svc = Service::open(&data, &login, &mut *progress)?;
        let targets: Vec<(String, String)> = svc
            .worklist(&WorklistFilter::default())?
            .into_iter()
            .map(|e| (e.account, e.mrn))
            .collect();
        let gen_dir = dir.join("import");
        std::fs::create_dir_all(&gen_dir)
            .with_context(|| format!("creating {}", gen_dir.display()))?;
        let files = write_notes(&gen_dir, extra, &targets, progress)?;
        svc.import_notes(
            &files,
            Some(Format::Jsonl),
            &ImportOptions::default(),
            None,
            &mut *progress,
        )?;
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
    }
    std::fs::write(data.root.join(STAMP), &want)
        .with_context(|| format!("writing {}", data.root.join(STAMP).display()))?;
    let (encounters, notes) = counts(&data)?;
    Ok(BenchData {
        data,
        encounters,
        notes,
        setup_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Writes `n` generated notes as JSON lines, spread round-robin over `targets` (account, MRN), so
/// they join existing encounters instead of making new ones.
fn write_notes(
    dir: &Path,
    n: usize,
    targets: &[(String, String)],
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<Vec<std::path::PathBuf>> {
    if targets.is_empty() {
        bail!("the demo made no encounters to add notes to");
    }
    let mut files = Vec::new();
    let mut writer: Option<BufWriter<std::fs::File>> = None;
    let mut count = 0usize;
    let mut failure: Option<anyhow::Error> = None;
    demo::generate_notes(n, 0x6B65_7973, corpus::bench_today(), |note| {
        if failure.is_some() {
            return;
        }
        let r = (|| -> Result<()> {
            if count.is_multiple_of(corpus::NOTES_PER_FILE) {
                if let Some(mut w) = writer.take() {
                    w.flush()?;
                }
                let path = dir.join(format!("keys-{:03}.jsonl", count / corpus::NOTES_PER_FILE));
                writer = Some(BufWriter::with_capacity(
                    1 << 20,
                    std::fs::File::create(&path)
                        .with_context(|| format!("creating {}", path.display()))?,
                ));
                files.push(path);
            }
            let (account, mrn) = &targets[count % targets.len()];
            let obj = serde_json::json!({
                "note_id": format!("K{}", note.note_id), "account": account, "mrn": mrn,
                "note_type": note.note_type, "author": note.author,
                "written_at": note.written_at, "text": note.body,
            });
            if let Some(w) = writer.as_mut() {
                w.write_all(obj.to_string().as_bytes())?;
                w.write_all(b"\n")?;
            }
            count += 1;
            if count.is_multiple_of(5_000) {
                progress("generating notes", count, n);
            }
            Ok(())
        })();
        if let Err(e) = r {
            failure = Some(e);
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(mut w) = writer.take() {
        w.flush()?;
    }
    Ok(files)
}
