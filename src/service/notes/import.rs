//! Importing note files: JSON lines and CSV files in short batches (`batched`); FHIR exports and
//! pipes in one transaction with its audit row, the index writer fed as records are stored and
//! committed right after the database.
use super::super::{Service, ServiceError, SetupProgress};
use super::batched::{self, Feed};
use super::index::is_busy;
use crate::domain::Permission;
use crate::notes::import::{self, FileSummary, ImportOptions, ImportReport, RejectSink};
use crate::notes::sync::Position;
use crate::notes::{Format, open_reader, sync};
use crate::search::notes::{NotesIndex, NotesWriter};
use crate::store;
use anyhow::{Context, Result, bail};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often the wait for another process's notes index writer says so on stderr.
const WAIT_NOTICE: Duration = Duration::from_secs(10);

/// Takes the notes index writer, waiting for as long as another process holds it (an import, a
/// rebuild), with progress saying so, rather than failing after a fixed time.
fn take_writer(
    ix: &NotesIndex,
    threads: usize,
    progress: &mut SetupProgress<'_>,
) -> Result<NotesWriter> {
    let started = Instant::now();
    let mut told = Duration::ZERO;
    loop {
        match ix.writer(threads) {
            Ok(w) => return Ok(w),
            Err(e) if is_busy(&e) => {
                let waited = started.elapsed();
                if waited >= told {
                    progress(
                        &format!(
                            "waiting for another chartdesk process to finish with the notes \
                             index ({} s)",
                            waited.as_secs()
                        ),
                        0,
                        0,
                    );
                    told = waited + WAIT_NOTICE;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Where a file's rejected records are written: `--reject-report` for a single file, else beside it.
fn reject_path(file: &Path, given: Option<&Path>, files: usize) -> PathBuf {
    match given {
        Some(p) if files == 1 => p.to_path_buf(),
        _ => {
            let mut s = file.as_os_str().to_os_string();
            s.push(".rejects.jsonl");
            PathBuf::from(s)
        }
    }
}

impl Service {
    /// Imports note files (admins). Each file is one transaction with its audit row: a bad record
    /// stops the file and keeps nothing from it, unless `opts.skip_bad`, which keeps the good
    /// records and writes the bad ones to a reject report. Re-importing a file changes nothing.
    pub fn import_notes(
        &mut self,
        files: &[PathBuf],
        format: Option<Format>,
        opts: &ImportOptions,
        reject_report: Option<&Path>,
        progress: &mut SetupProgress<'_>,
    ) -> Result<ImportReport> {
        self.require(Permission::Administer, "import notes")?;
        let started = Instant::now();
        let mut plan = Vec::new();
        for f in files {
            let fmt = match format.or_else(|| Format::guess(f)) {
                Some(x) => x,
                None => {
                    return Err(ServiceError::Invalid(format!(
                        "cannot tell the format of {} from its name: pass --format jsonl, csv or fhir",
                        f.display()
                    ))
                    .into());
                }
            };
            plan.push((f, fmt));
        }
        let mut report = ImportReport {
            historical_before: opts
                .historical_before
                .map(|d| d.format("%Y-%m-%d").to_string()),
            ..Default::default()
        };
        let fhir = plan.iter().any(|(_, f)| *f == Format::Fhir);
        if fhir && plan.iter().any(|(_, f)| *f != Format::Fhir) {
            return Err(ServiceError::Invalid(
                "import FHIR files separately from JSON lines and CSV files".into(),
            )
            .into());
        }
        let shape = crate::notes::shape::Shape::new(&opts.set, &opts.map_values)
            .map_err(|e| ServiceError::Invalid(format!("{e:#}")))?;
        if fhir && !shape.is_empty() {
            return Err(ServiceError::Invalid(
                "--set and --map-values apply to JSON lines and CSV files, not FHIR".into(),
            )
            .into());
        }
        let ix = self
            .notes
            .get(&self.conn, &self.data)?
            .current(&self.data, true)
            .clone();
        let writer = take_writer(&ix, 2, progress)?;
        let mut feed = Feed::start(&self.conn, &ix, writer)?;
        if fhir {
            // One FHIR export: all its files in one transaction (resources refer across files).
            let paths: Vec<PathBuf> = plan.iter().map(|(p, _)| p.to_path_buf()).collect();
            let label = match paths.as_slice() {
                [one] => one.display().to_string(),
                many => format!("FHIR export ({} files)", many.len()),
            };
            let reject = reject_path(&paths[0], reject_report, 1);
            let s = self.import_one(
                &mut feed,
                &label,
                &reject,
                opts,
                progress,
                |tx, w, sink, p| crate::notes::fhir::import(tx, w, &paths, &label, sink, p),
            )?;
            report.files.push(s);
        } else {
            for (path, fmt) in &plan {
                let name = path.display().to_string();
                let reject = reject_path(path, reject_report, plan.len());
                let r = if batched::rereadable(path) {
                    self.import_batched(
                        &mut feed,
                        path,
                        *fmt,
                        &shape,
                        opts,
                        &reject,
                        &mut report.stages,
                        progress,
                    )
                } else {
                    // A pipe cannot be checked first: it is imported in one transaction.
                    let mut reader = open_reader(path, *fmt, &opts.map, &shape)?;
                    self.import_one(
                        &mut feed,
                        &name,
                        &reject,
                        opts,
                        progress,
                        |tx, w, sink, p| {
                            import::import_records(tx, w, &name, &mut *reader, sink, p)
                        },
                    )
                };
                match r {
                    Ok(s) => report.files.push(s),
                    Err(e) => {
                        // What earlier files and batches stored is committed: index it too.
                        if let Err(ie) = feed.commit() {
                            tracing::warn!(
                                "committing the notes index after a failed import: {ie:#}"
                            );
                        }
                        let done: Vec<&str> =
                            report.files.iter().map(|f| f.file.as_str()).collect();
                        return Err(if done.is_empty() {
                            e
                        } else {
                            e.context(format!("already imported: {}", done.join(", ")))
                        });
                    }
                }
            }
        }
        let t = Instant::now();
        feed.commit()?;
        if let Err(e) = feed.writer.collect_garbage() {
            tracing::debug!("{e:#}");
        }
        feed.writer.finish()?;
        report.stages.commit_seconds += t.elapsed().as_secs_f64();
        let generation = self
            .notes
            .get(&self.conn, &self.data)?
            .generation()
            .to_string();
        super::index::clean_leftovers(&self.data, &ix, &generation);
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}

impl Service {
    /// One import transaction: catch the index writer up, run `body`, write the audit row, commit
    /// the database, then the index. On failure nothing is kept in either.
    #[allow(clippy::too_many_arguments)]
    fn import_one(
        &mut self,
        feed: &mut Feed,
        label: &str,
        reject: &Path,
        opts: &ImportOptions,
        progress: &mut SetupProgress<'_>,
        body: impl FnOnce(
            &Connection,
            &mut NotesWriter,
            Option<&mut RejectSink>,
            &mut SetupProgress<'_>,
        ) -> Result<FileSummary>,
    ) -> Result<FileSummary> {
        let from = feed.pos;
        let writer = &mut feed.writer;
        let result = self.write(Permission::Administer, "import notes", |tx, me| {
            catch_up_in(tx, from, writer)?;
            let mut sink = opts.skip_bad.then(|| RejectSink::new(reject.to_path_buf()));
            let first_new = store::encounters::max_id(tx)?;
            let mut s = body(tx, writer, sink.as_mut(), progress)?;
            if let Some(day) = opts.historical_before {
                let day = day.format("%Y-%m-%d").to_string();
                s.encounters_historical = store::encounters::mark_history(tx, first_new, &day)?;
            }
            if let Some(sink) = sink {
                s.reject_report = sink.finish()?;
            }
            audit_import(tx, &me.login, &s)?;
            Ok((s, Position::of_db(tx)?))
        });
        match result {
            Ok((s, to)) => {
                feed.pos = to;
                feed.commit().with_context(|| {
                    format!(
                        "{label} was saved, but the notes index could not be updated; it will \
                         catch up at the next start"
                    )
                })?;
                Ok(s)
            }
            Err(e) => {
                feed.rollback()?;
                Err(e)
            }
        }
    }
}

/// Feeds the index writer what the transaction holds beyond `from` before an import adds to it.
fn catch_up_in(tx: &Connection, from: Position, w: &mut NotesWriter) -> Result<()> {
    let to = Position::of_db(tx)?;
    if from.rowid > to.rowid || from.change > to.change {
        bail!("the notes index is ahead of the database: run 'chartdesk reindex' first");
    }
    sync::feed(tx, w, from, to)?;
    Ok(())
}

/// The audit detail of a whole file's import.
pub(super) fn import_detail(s: &FileSummary) -> String {
    format!(
        "{} added, {} updated, {} unchanged, {} rejected; {} patients and {} encounters added{}",
        s.added,
        s.updated,
        s.unchanged,
        s.rejected,
        s.patients_added,
        s.encounters_added,
        if s.encounters_historical > 0 {
            format!(" ({} as closed history)", s.encounters_historical)
        } else {
            String::new()
        }
    )
}

fn audit_import(tx: &Connection, login: &str, s: &FileSummary) -> Result<()> {
    store::audit::record(
        tx,
        &store::audit::Entry {
            object: &s.file,
            detail: &import_detail(s),
            ..store::audit::Entry::new(&store::now(), login, store::audit::AuditAction::ImportNotes)
        },
    )
    .map(drop)
}
