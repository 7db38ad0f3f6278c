//! Importing a JSON lines or CSV file in short write transactions, so an import of millions of notes
//! never keeps other users waiting for the database: the file is checked whole first (a bad record
//! still imports nothing), then stored in batches whose size adapts to hold the write lock about
//! 150 ms; each committed batch is read back and handed to the notes index writer (whose threads
//! tokenize while the next batch is parsed and stored), and the index is committed every few
//! seconds and at the end with marks saying how far it has come — a crash at any point leaves the
//! committed batches in the database and the index catching up with them at the next start.
use super::super::{Service, SetupProgress};
use crate::domain::Permission;
use crate::notes::import::{self, FileSummary, ImportOptions, ImportStages, RejectSink};
use crate::notes::prescan;
use crate::notes::shape::Shape;
use crate::notes::sync::{self, Position};
use crate::notes::{Format, ImportRecord, RecordError, open_reader};
use crate::search::notes::{Marks, NotesIndex, NotesWriter, SCHEMA_VERSION};
use crate::store;
use anyhow::{Context, Result, bail};
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// What a batch's write transaction aims to hold the lock for at most (the goal is ≤ 250 ms).
const LOCK_TARGET: Duration = Duration::from_millis(150);
/// Records in the first batch, and the bounds the batch size adapts within.
const FIRST_BATCH: usize = 256;
const MIN_BATCH: usize = 8;
const MAX_BATCH: usize = 8_192;
/// Note text parsed ahead for one batch at most (memory stays bounded whatever the notes' size).
const BATCH_BYTES: usize = 16 * 1024 * 1024;
/// During a long import the index is committed (made searchable) at most this often.
const INDEX_COMMIT_EVERY: Duration = Duration::from_secs(5);

/// The import's index writer and how far it has been fed.
pub(super) struct Feed {
    pub writer: NotesWriter,
    /// Everything up to here has been handed to the writer.
    pub pos: Position,
    /// Where the index's last commit stands.
    pub committed: Position,
    pub last_commit: Instant,
}

impl Feed {
    /// Takes the writer's index up to the database: notes and changes other processes stored
    /// while the index was not being written are handed to the writer first.
    pub fn start(conn: &Connection, ix: &NotesIndex, writer: NotesWriter) -> Result<Feed> {
        let m = ix.marks()?;
        let committed = Position {
            rowid: m.rowid,
            change: m.change,
        };
        let mut feed = Feed {
            writer,
            pos: committed,
            committed,
            last_commit: Instant::now(),
        };
        feed.catch_up(conn)?;
        Ok(feed)
    }

    /// Hands the writer everything the database holds beyond `pos` (in one read snapshot).
    pub fn catch_up(&mut self, conn: &Connection) -> Result<()> {
        let snap = conn
            .unchecked_transaction()
            .context("reading the database for the notes index")?;
        let to = Position::of_db(&snap)?;
        if self.pos.rowid > to.rowid || self.pos.change > to.change {
            bail!("the notes index is ahead of the database: run 'chartdesk reindex' first");
        }
        sync::feed(&snap, &mut self.writer, self.pos, to)?;
        drop(snap);
        self.pos = to;
        Ok(())
    }

    /// Commits what the writer holds, with marks saying how far that is.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit(Marks {
            schema: SCHEMA_VERSION,
            rowid: self.pos.rowid,
            change: self.pos.change,
        })?;
        self.committed = self.pos;
        self.last_commit = Instant::now();
        Ok(())
    }

    /// Drops what was fed since the last commit (for a transaction that was rolled back).
    pub fn rollback(&mut self) -> Result<()> {
        self.writer.rollback()?;
        self.pos = self.committed;
        Ok(())
    }
}

/// Whether a file can be read twice (checked, then imported): a regular file, not a pipe.
pub(super) fn rereadable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn stopped(file: &str) -> String {
    format!(
        "nothing from {file} was imported (fix the record, or pass --skip-bad to import the rest)"
    )
}

impl Service {
    /// Imports one JSON lines or CSV file in batches (see the module notes).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn import_batched(
        &mut self,
        feed: &mut Feed,
        path: &Path,
        fmt: Format,
        shape: &Shape,
        opts: &ImportOptions,
        reject: &Path,
        stages: &mut ImportStages,
        progress: &mut SetupProgress<'_>,
    ) -> Result<FileSummary> {
        let name = path.display().to_string();
        if !opts.skip_bad {
            let mut reader = open_reader(path, fmt, &opts.map, shape)?;
            let checked = prescan::first_reject(&self.conn, &mut *reader, &name, progress)?;
            stages.parse_seconds += checked.parse_seconds;
            stages.check_seconds += checked.check_seconds;
            if let Some(e) = checked.reject {
                return Err(anyhow::Error::new(e).context(stopped(&name)));
            }
        }
        let mut reader = open_reader(path, fmt, &opts.map, shape)?;
        store::notes::import_seen_reset(&self.conn)?;
        let mut sink = opts.skip_bad.then(|| RejectSink::new(reject.to_path_buf()));
        let mut s = FileSummary {
            file: name.clone(),
            ..Default::default()
        };
        let first_new = store::encounters::max_id(&self.conn)?;
        let day = opts
            .historical_before
            .map(|d| d.format("%Y-%m-%d").to_string());
        let label = format!("importing {name}");
        let mut size = FIRST_BATCH;
        let mut batch: Vec<Result<ImportRecord, RecordError>> = Vec::new();
        let mut at_end = false;
        let mut records = 0usize;
        let mut part = 0usize;
        while !at_end {
            let t = Instant::now();
            let mut bytes = 0usize;
            while batch.len() < size && bytes < BATCH_BYTES {
                match reader.next_record()? {
                    Some(item) => {
                        bytes += item.as_ref().map_or(0, |r| r.note.body.len());
                        batch.push(item);
                    }
                    None => {
                        at_end = true;
                        break;
                    }
                }
            }
            stages.parse_seconds += t.elapsed().as_secs_f64();
            let n = batch.len();
            part += 1;
            let before = s.clone();
            let mut locked: Option<Instant> = None;
            let t = Instant::now();
            let stored = self.write(Permission::Administer, "import notes", |tx, me| {
                locked = Some(Instant::now());
                for item in batch.drain(..) {
                    let outcome = match item {
                        Ok(rec) => import::apply(tx, None, &rec, &mut s)?,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = outcome {
                        if sink.is_none() {
                            // Checked before: something changed the database meanwhile.
                            return Err(anyhow::Error::new(e).context(stopped(&name)));
                        }
                        import::record_reject(sink.as_mut(), &mut s, e)?;
                    }
                }
                if let Some(day) = &day {
                    s.encounters_historical += store::encounters::mark_history(tx, first_new, day)?;
                }
                audit_batch(tx, &me.login, &s, &before, part, at_end)
            });
            let held = locked.map_or(Duration::ZERO, |l| l.elapsed());
            stages.sqlite_seconds += t.elapsed().as_secs_f64();
            if let Err(e) = stored {
                batch.clear();
                return Err(if records > 0 {
                    e.context(format!(
                        "the first {records} records of {name} were saved in earlier batches; \
                         fix the problem and import the file again (notes already imported are \
                         left as they are)"
                    ))
                } else {
                    e
                });
            }
            records += n;
            stages.batches += 1;
            stages.longest_lock_ms = stages.longest_lock_ms.max(held.as_secs_f64() * 1e3);
            // Aim the next batch at the lock target from this one's pace.
            let per = held.as_secs_f64() / n.max(1) as f64;
            if per > 0.0 {
                let fit = (LOCK_TARGET.as_secs_f64() / per) as usize;
                size = fit.clamp(MIN_BATCH, MAX_BATCH).min(size.saturating_mul(2));
            }

            let t = Instant::now();
            feed.catch_up(&self.conn).with_context(|| {
                format!(
                    "{name}: the notes were saved, but the notes index could not be fed; it \
                     will catch up at the next start"
                )
            })?;
            stages.index_seconds += t.elapsed().as_secs_f64();
            if feed.last_commit.elapsed() >= INDEX_COMMIT_EVERY {
                let t = Instant::now();
                feed.commit().with_context(|| {
                    format!(
                        "{name}: the notes were saved, but the notes index could not be \
                         updated; it will catch up at the next start"
                    )
                })?;
                stages.commit_seconds += t.elapsed().as_secs_f64();
            }
            let (done, total) = reader.progress();
            progress(&label, done as usize, total as usize);
        }
        let (done, total) = reader.progress();
        s.bytes = done;
        progress(&label, total as usize, total as usize);
        if let Some(sink) = sink {
            s.reject_report = sink.finish()?;
        }
        Ok(s)
    }
}

/// One audit row per batch; the last carries the whole file's figures (a file of one batch is
/// audited exactly as an import in one transaction was).
fn audit_batch(
    tx: &Connection,
    login: &str,
    s: &FileSummary,
    before: &FileSummary,
    part: usize,
    last: bool,
) -> Result<()> {
    let detail = if last {
        let mut detail = super::import::import_detail(s);
        if part > 1 {
            detail.push_str(&format!(" (in {part} batches)"));
        }
        detail
    } else {
        format!(
            "batch {part}: {} added, {} updated, {} unchanged, {} rejected (import continuing)",
            s.added - before.added,
            s.updated - before.updated,
            s.unchanged - before.unchanged,
            s.rejected - before.rejected,
        )
    };
    store::audit::record(
        tx,
        &store::audit::Entry {
            object: &s.file,
            detail: &detail,
            ..store::audit::Entry::new(&store::now(), login, store::audit::AuditAction::ImportNotes)
        },
    )
    .map(drop)
}
