//! `chartdesk search notes`, `import notes`, `bench notes` and the notes half of `reindex`.
use super::progress::Progress;
use crate::notes::{Format, ImportOptions, ImportReport};
use crate::search::notes::NoteOrder;
use crate::service::{NoteQuery, NoteSearchResult, NotesIndexInfo, Service, ServiceError};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrderArg {
    Relevance,
    Newest,
    Oldest,
}

/// `chartdesk search notes`.
#[derive(Debug, Args)]
pub struct SearchNotesArgs {
    /// The query: words (all must match), "quoted phrases", OR, -exclusion, word* prefix, and
    /// filters type:discharge author:smith after:2024-01-01 before:2024-02-01 enc:inpatient.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Result order.
    #[arg(long, value_enum, default_value = "relevance")]
    pub order: OrderArg,
    /// Only this encounter's notes.
    #[arg(long, value_name = "ACCOUNT")]
    pub encounter: Option<String>,
    /// One JSON object per line: note_id, account, note_type, author, written_at, score, snippet.
    #[arg(long, conflicts_with = "count")]
    pub json: bool,
    /// Print only the number of matching notes.
    #[arg(long)]
    pub count: bool,
}

pub fn search<W: Write>(svc: &mut Service, a: &SearchNotesArgs, out: &mut W) -> Result<()> {
    let encounter = match &a.encounter {
        Some(acc) => Some(svc.encounter_id(acc)?),
        None => None,
    };
    if a.limit == 0 && !a.count {
        return Err(ServiceError::Invalid(
            "--limit must be at least 1 (use --count for the number of matching notes)".into(),
        )
        .into());
    }
    let q = NoteQuery {
        limit: if a.count { 0 } else { a.limit.min(10_000) },
        order: match a.order {
            OrderArg::Relevance => NoteOrder::Relevance,
            OrderArg::Newest => NoteOrder::Newest,
            OrderArg::Oldest => NoteOrder::Oldest,
        },
        encounter,
        typing: false,
    };
    let text = a.query.join(" ");
    let r = svc.search_notes(&text, &q)?;
    if let Some(m) = &r.fallback_message {
        eprintln!("chartdesk: {}", super::sanitize::sanitize(m));
    }
    if r.total == 0 && !a.count {
        eprintln!(
            "chartdesk: no notes match '{}'",
            super::sanitize::sanitize_line(text.trim())
        );
    }
    if a.count {
        writeln!(out, "{}", r.total)?;
    } else if a.json {
        for h in &r.hits {
            serde_json::to_writer(
                &mut *out,
                &serde_json::json!({
                    "note_id": h.note_id, "account": h.account, "note_type": h.note_type,
                    "author": h.author, "written_at": h.written_at, "score": h.score,
                    "snippet": h.snippet.text,
                    "highlights": char_ranges(&h.snippet.text, &h.snippet.highlights),
                }),
            )?;
            writeln!(out)?;
        }
    } else {
        human(out, &r, std::io::stdout().is_terminal())?;
    }
    Ok(())
}

/// Byte ranges into `text` as character (Unicode scalar) ranges, the offsets `--json` consumers
/// slice by. Ranges that do not fall on character boundaries are dropped.
pub fn char_ranges(text: &str, bytes: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let chars_before = |b: usize| text.get(..b).map(|s| s.chars().count());
    bytes
        .iter()
        .filter_map(|r| Some(chars_before(r.start)?..chars_before(r.end)?))
        .collect()
}

fn human<W: Write>(out: &mut W, r: &NoteSearchResult, bold: bool) -> Result<()> {
    let (on, off) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    for h in &r.hits {
        let day = h.written_at.get(..10).unwrap_or(&h.written_at);
        writeln!(
            out,
            "{:<14} {:<10} {:<20} {day}  {}",
            h.note_id,
            h.account,
            super::output::fit(&h.note_type, 20),
            h.author
        )?;
        let t = &h.snippet.text;
        let mut line = String::with_capacity(t.len() + 16);
        let mut at = 0;
        for r in &h.snippet.highlights {
            if r.start < at
                || r.end > t.len()
                || !t.is_char_boundary(r.start)
                || !t.is_char_boundary(r.end)
            {
                continue;
            }
            line.push_str(&t[at..r.start]);
            line.push_str(on);
            line.push_str(&t[r.clone()]);
            line.push_str(off);
            at = r.end;
        }
        line.push_str(&t[at..]);
        writeln!(out, "    {line}")?;
    }
    writeln!(
        out,
        "{} note{} match{}",
        r.total,
        if r.total == 1 { "" } else { "s" },
        if r.hits.len() < r.total {
            format!(" (showing {})", r.hits.len())
        } else {
            String::new()
        }
    )?;
    Ok(())
}

pub fn reindexed<W: Write>(out: &mut W, info: &NotesIndexInfo) -> Result<()> {
    writeln!(
        out,
        "notes index rebuilt in {}: {} notes, {:.1} MB",
        info.dir,
        info.notes,
        info.bytes as f64 / 1e6
    )?;
    Ok(())
}

/// Runs `f` with a progress callback on stderr, then ends the progress line.
pub fn with_progress<T>(
    progress: &mut Progress,
    f: impl FnOnce(&mut dyn FnMut(&str, usize, usize)) -> Result<T>,
) -> Result<T> {
    let r = f(&mut |s, d, t| progress.update(s, d, t));
    progress.finish();
    r
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Jsonl,
    Csv,
    Fhir,
}

/// `chartdesk import notes`.
#[derive(Debug, Args)]
pub struct ImportNotesArgs {
    /// Files to import (`.gz` accepted). Each file is all or nothing unless --skip-bad.
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// jsonl, csv or fhir (default: from the file name: .jsonl, .csv, .ndjson/.json).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// CSV column mapping HEADER=field (repeatable); HEADER= ignores a column.
    #[arg(long, value_name = "HEADER=FIELD")]
    pub map: Vec<String>,
    /// A constant for a field the file lacks (or leaves empty), e.g. --set author="Transcription";
    /// {field} puts in another field's value: --set account=MT-{note_id}. Repeatable.
    #[arg(long, value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Rewrite a field's values through a two-column CSV/TSV (value in the file, value to use),
    /// e.g. --map-values note_type specialties.csv. Repeatable (one file per field).
    #[arg(long, num_args = 2, value_names = ["FIELD", "FILE"])]
    pub map_values: Vec<String>,
    /// Keep the good records of a file with bad ones; write the bad ones to a reject report.
    #[arg(long)]
    pub skip_bad: bool,
    /// Where the reject report goes (one file only; default: FILE.rejects.jsonl beside the file).
    #[arg(long, value_name = "PATH", requires = "skip_bad")]
    pub reject_report: Option<PathBuf>,
    /// Encounters this import adds that were discharged before DATE (YYYY-MM-DD) come in as closed
    /// history: searchable, not on worklists or in the backlog (default: import.historical_days
    /// before today, 120).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub historical_before: Option<chrono::NaiveDate>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date; write YYYY-MM-DD"))
}

/// The day before which imported encounters are history: `--historical-before`, else
/// `historical_days` before `today` (None when that is 0).
pub fn history_cutoff(
    given: Option<chrono::NaiveDate>,
    historical_days: u64,
    today: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    given.or_else(|| {
        (historical_days > 0)
            .then(|| today.checked_sub_days(chrono::Days::new(historical_days)))
            .flatten()
    })
}

pub fn import<W: Write>(
    svc: &mut Service,
    a: &ImportNotesArgs,
    historical_days: u64,
    progress: &mut Progress,
    out: &mut W,
) -> Result<()> {
    let format = a.format.map(|f| match f {
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Csv => Format::Csv,
        FormatArg::Fhir => Format::Fhir,
    });
    let opts = ImportOptions {
        skip_bad: a.skip_bad,
        map: a.map.clone(),
        set: a.set.clone(),
        map_values: a
            .map_values
            .chunks(2)
            .filter_map(|c| match c {
                [f, p] => Some((f.clone(), PathBuf::from(p))),
                _ => None,
            })
            .collect(),
        historical_before: history_cutoff(
            a.historical_before,
            historical_days,
            chrono::Local::now().date_naive(),
        ),
    };
    let report = with_progress(progress, |p| {
        svc.import_notes(&a.files, format, &opts, a.reject_report.as_deref(), p)
    })?;
    if a.json {
        serde_json::to_writer(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    summary(out, &report)
}

fn summary<W: Write>(out: &mut W, r: &ImportReport) -> Result<()> {
    for f in &r.files {
        writeln!(
            out,
            "{}: {} added, {} updated, {} unchanged, {} rejected",
            f.file, f.added, f.updated, f.unchanged, f.rejected
        )?;
        if f.skipped > 0 {
            writeln!(out, "  skipped: {} entered in error", f.skipped)?;
        }
        if f.patients_added + f.patients_updated + f.encounters_added + f.encounters_updated > 0 {
            writeln!(
                out,
                "  patients: {} added, {} updated; encounters: {} added, {} updated",
                f.patients_added, f.patients_updated, f.encounters_added, f.encounters_updated
            )?;
        }
        if f.encounters_historical > 0 {
            writeln!(
                out,
                "  {} encounter{} discharged before {} came in as closed history (not on worklists)",
                f.encounters_historical,
                if f.encounters_historical == 1 {
                    ""
                } else {
                    "s"
                },
                r.historical_before.as_deref().unwrap_or("")
            )?;
        }
        if f.rejected > 0 {
            let by: Vec<String> = f
                .rejected_by_field
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            writeln!(out, "  rejected by field: {}", by.join(", "))?;
            for e in &f.first_rejects {
                writeln!(out, "  {e}")?;
            }
            if f.rejected > f.first_rejects.len() {
                writeln!(out, "  ... {} more", f.rejected - f.first_rejects.len())?;
            }
            if let Some(p) = &f.reject_report {
                writeln!(out, "  reject report: {p}")?;
            }
        }
    }
    let n = r.notes_read();
    let secs = r.seconds.max(1e-6);
    writeln!(
        out,
        "{n} notes read in {:.1} s ({:.0} notes/s, {:.1} MB/s)",
        r.seconds,
        n as f64 / secs,
        r.bytes() as f64 / 1e6 / secs
    )?;
    Ok(())
}

/// `chartdesk bench notes`.
#[derive(Debug, Args)]
pub struct BenchNotesArgs {
    /// How many notes to generate and import.
    #[arg(long, required_unless_present = "probe")]
    pub notes: Option<usize>,
    /// Draw note bodies from the sentences of this CSV (a `transcription` column, e.g. mtsamples.csv).
    #[arg(long, value_name = "FILE")]
    pub corpus: Option<PathBuf>,
    /// Measured passes over the query mix (after one warm-up pass).
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    /// Work in this directory and keep it (default: a temporary directory, removed afterwards).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Internal: measure a workstation process's memory on a benchmark data directory.
    #[arg(long, hide = true, value_name = "DATA_DIR")]
    pub probe: Option<PathBuf>,
}

pub fn bench(a: &BenchNotesArgs, progress: &mut Progress) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if let Some(dir) = &a.probe {
        let (peak, rss) = crate::bench::notes::probe(dir)?;
        writeln!(
            out,
            "{}",
            serde_json::json!({"peak_rss_bytes": peak, "rss_bytes": rss})
        )?;
        return Ok(());
    }
    let opts = crate::bench::notes::BenchOptions {
        notes: a.notes.unwrap_or(0).max(1),
        corpus: a.corpus.clone(),
        rounds: a.rounds,
        dir: a.dir.clone(),
        seed: 20_260_115,
    };
    let r = with_progress(progress, |p| crate::bench::notes::run(&opts, p))?;
    if a.json {
        let classes: Vec<serde_json::Value> = r
            .classes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "class": c.class, "queries": c.queries, "chartdesk": c.chartdesk,
                    "fts5": c.fts5, "p50_speedup": c.p50_speedup,
                })
            })
            .collect();
        let v = serde_json::json!({
            "notes": r.notes, "corpus": r.corpus, "text_bytes": r.text_bytes,
            "import_seconds": r.import_seconds, "import_notes_per_s": r.import_notes_per_s,
            "import_mb_per_s": r.import_mb_per_s, "import_cpu_seconds": r.import_cpu_seconds,
            "import_notes_per_cpu_s": r.import_notes_per_cpu_s, "index_bytes": r.index_bytes,
            "import_stages": r.import_stages,
            "import_main_thread_cpu_seconds": r.import_main_thread_cpu_seconds,
            "fts5_build_seconds": r.fts5_build_seconds, "fts5_bytes": r.fts5_bytes,
            "peak_rss_bytes": r.peak_rss_bytes, "import_heap_peak_bytes": r.import_heap_peak_bytes,
            "workstation_rss_bytes": r.workstation_rss_bytes,
            "workstation_peak_rss_bytes": r.workstation_peak_rss_bytes,
            "audited_search_p50_ms": r.audited_search_p50_ms, "classes": classes,
        });
        writeln!(out, "{v}")?;
        return Ok(());
    }
    let mb = |b: u64| b as f64 / 1e6;
    writeln!(
        out,
        "notes: {} ({:.0} MB of text{})",
        r.notes,
        mb(r.text_bytes),
        r.corpus
            .as_deref()
            .map(|c| format!(", sentences from {c}"))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "import: {:.1} s, {:.0} notes/s, {:.1} MB/s ({:.1} CPU s: {:.0} notes per CPU second); \
         notes index {:.0} MB",
        r.import_seconds,
        r.import_notes_per_s,
        r.import_mb_per_s,
        r.import_cpu_seconds,
        r.import_notes_per_cpu_s,
        mb(r.index_bytes)
    )?;
    let st = &r.import_stages;
    writeln!(
        out,
        "import stages (s): parse {:.2}, check {:.2}, SQLite {:.2}, index {:.2}, commit {:.2}; \
         {} batches, longest write lock {:.0} ms; CPU: importing thread {:.1} s, index threads \
         {:.1} s",
        st.parse_seconds,
        st.check_seconds,
        st.sqlite_seconds,
        st.index_seconds,
        st.commit_seconds,
        st.batches,
        st.longest_lock_ms,
        r.import_main_thread_cpu_seconds,
        (r.import_cpu_seconds - r.import_main_thread_cpu_seconds).max(0.0)
    )?;
    writeln!(
        out,
        "FTS5 baseline (porter, external content): built in {:.1} s, {:.0} MB",
        r.fts5_build_seconds,
        mb(r.fts5_bytes)
    )?;
    writeln!(
        out,
        "memory: benchmark peak RSS {:.0} MB (import heap peak {:.0} MB); a workstation after the \
         query mix {:.0} MB (peak {:.0} MB)",
        mb(r.peak_rss_bytes),
        mb(r.import_heap_peak_bytes),
        mb(r.workstation_rss_bytes),
        mb(r.workstation_peak_rss_bytes)
    )?;
    writeln!(out, "top {} with snippets, ms:", 20)?;
    writeln!(
        out,
        "{:<9} {:>8} {:>8} {:>8}   {:>8} {:>8} {:>8}   {:>9}",
        "class", "cd p50", "cd p95", "cd p99", "fts p50", "fts p95", "fts p99", "p50 ratio"
    )?;
    for c in &r.classes {
        writeln!(
            out,
            "{:<9} {:>8.2} {:>8.2} {:>8.2}   {:>8.2} {:>8.2} {:>8.2}   {:>8.1}x",
            c.class,
            c.chartdesk.p50_ms,
            c.chartdesk.p95_ms,
            c.chartdesk.p99_ms,
            c.fts5.p50_ms,
            c.fts5.p95_ms,
            c.fts5.p99_ms,
            c.p50_speedup
        )?;
    }
    writeln!(
        out,
        "an audited search (with its audit row committed) takes {:.2} ms at p50",
        r.audited_search_p50_ms
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{char_ranges, history_cutoff};

    #[test]
    fn history_cutoff_comes_from_the_flag_or_the_configured_days() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = day("2026-12-05");
        assert_eq!(history_cutoff(None, 120, today), Some(day("2026-08-07")));
        assert_eq!(history_cutoff(None, 0, today), None);
        assert_eq!(
            history_cutoff(Some(day("2020-01-01")), 0, today),
            Some(day("2020-01-01"))
        );
    }

    #[test]
    fn highlights_are_character_offsets() {
        let text = "…acute systolic heart failure, BNP 1,250 — elevated";
        let word = |w: &str| {
            let b = text.find(w).unwrap();
            b..b + w.len()
        };
        let chars = char_ranges(text, &[word("systolic"), word("elevated")]);
        let sliced: Vec<String> = chars
            .iter()
            .map(|r| text.chars().skip(r.start).take(r.end - r.start).collect())
            .collect();
        assert_eq!(sliced, ["systolic", "elevated"]);
        assert_eq!(chars[0].start, 7, "'…' is one character, three bytes");
        // A range inside a multi-byte character is dropped, not misreported.
        let inside = std::iter::once(1..3).collect::<Vec<_>>();
        assert!(char_ranges(text, &inside).is_empty());
    }
}
