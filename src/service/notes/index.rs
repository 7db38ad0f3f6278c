//! The notes index's life: opened at start-up (caught up, or rebuilt when missing, unreadable, of an
//! older schema or out of step with the database), rebuilt on request into a new generation that a
//! pointer file switches to, followed by running processes within a second.
use super::super::{DataDir, Service, SetupProgress, make_dir};
use crate::domain::Permission;
use crate::notes::sync;
use crate::search::notes::{Marks, NotesIndex, SCHEMA_VERSION, WriterBusy};
use crate::search::perms::{self, OnOpenError};
use crate::store;
use anyhow::{Context, Result, bail};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a running process looks for a rebuilt index generation.
const POINTER_CHECK: Duration = Duration::from_secs(1);

/// The notes index generation this process uses, re-checked against the pointer file.
#[derive(Clone)]
pub(in crate::service) struct NotesState {
    index: NotesIndex,
    generation: String,
    checked: Instant,
}

/// The pointer file naming the current notes index generation.
fn pointer_file(data: &DataDir) -> PathBuf {
    data.root.join("index").join("NOTES")
}

fn current_generation(data: &DataDir) -> Result<Option<(String, PathBuf)>> {
    let path = pointer_file(data);
    let name = match std::fs::read_to_string(&path) {
        Ok(name) => name,
        Err(e) if perms::on_io_error(e.kind()) == OnOpenError::Rebuild => return Ok(None),
        Err(error) => return Err(perms::IndexAccessDenied { path, error }.into()),
    };
    let name = name.trim();
    // A generation is a plain directory name; anything else (a path, a newline, escapes) means the
    // pointer is damaged or planted: rebuild rather than open or log what it names.
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > 128 || !name.chars().all(plain) || name.contains("..") {
        if !name.is_empty() {
            tracing::warn!(
                "{} does not name an index generation; rebuilding the notes index",
                path.display()
            );
        }
        return Ok(None);
    }
    let dir = data.root.join("index").join(name);
    if !dir.is_dir() {
        tracing::warn!(
            "{} names the notes index generation {name}, which does not exist; rebuilding",
            path.display()
        );
        return Ok(None);
    }
    Ok(Some((name.to_string(), dir)))
}

/// Removes what killed or finished processes left behind: index generations the pointer no longer
/// names, and files of the current generation no commit uses (merged-away segments, segments of a
/// killed writer). Best effort: skipped while another process holds the writer.
pub(super) fn clean_leftovers(data: &DataDir, ix: &NotesIndex, current: &str) {
    remove_old_generations(&data.root.join("index"), current);
    match ix.stray_files() {
        Ok(0) => {}
        Ok(n) => match ix.writer(1) {
            Ok(w) => match w.collect_garbage() {
                Ok(gone) => tracing::info!("removed {gone} of {n} unused notes index files"),
                Err(e) => tracing::debug!("could not remove unused notes index files: {e:#}"),
            },
            Err(e) => tracing::debug!("notes index busy; unused files left for later: {e:#}"),
        },
        Err(e) => tracing::debug!("could not list the notes index: {e:#}"),
    }
}

pub(super) fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<WriterBusy>().is_some())
}

/// Opens the notes index at start-up: rebuilt when missing, unreadable, of an older schema or out of
/// step with the database; otherwise brought up to date with notes (and changes) it has not seen.
/// Rebuilds hold `index/NOTES.lock`, so processes starting together build once.
pub(in crate::service) fn open_notes_index(
    conn: &Connection,
    data: &DataDir,
    progress: &mut SetupProgress<'_>,
) -> Result<NotesState> {
    if let Some(s) = try_open(conn, data, progress)? {
        return Ok(s);
    }
    let _lock = lock_notes(data)?;
    // Another process may have rebuilt it while we waited for the lock.
    if let Some(s) = try_open(conn, data, progress)? {
        return Ok(s);
    }
    rebuild(conn, data, progress)
}

/// The current generation, caught up; None if it must be rebuilt (missing, corrupt, out of step).
/// An index this process may not read or write is an error, never a reason to rebuild: another
/// OS user's process would rebuild it back, and so on forever.
fn try_open(
    conn: &Connection,
    data: &DataDir,
    progress: &mut SetupProgress<'_>,
) -> Result<Option<NotesState>> {
    let Some((name, dir)) = current_generation(data)? else {
        return Ok(None);
    };
    perms::check_readable(&dir)?;
    // An index written before modes were shared (or by a process with a narrow umask) is opened
    // up by its owner; for other users this changes nothing.
    share_like_db(data, &data.root.join("index"), &[&dir, &pointer_file(data)]);
    match NotesIndex::open(&dir) {
        Ok(ix) => match catch_up(conn, &ix, progress) {
            Ok(()) => {
                clean_leftovers(data, &ix, &name);
                Ok(Some(state(ix, name)))
            }
            Err(e) if is_busy(&e) => {
                tracing::info!("notes index busy at start-up; its writer will catch it up");
                Ok(Some(state(ix, name)))
            }
            Err(e) if perms::on_open_error(&e) == OnOpenError::Refuse => Err(e.context(format!(
                "bringing the notes index {} up to date",
                dir.display()
            ))),
            Err(e) => {
                tracing::warn!(
                    "notes index {} out of step, rebuilding: {e:#}",
                    dir.display()
                );
                Ok(None)
            }
        },
        Err(e) if perms::on_open_error(&e) == OnOpenError::Refuse => Err(e),
        Err(e) => {
            tracing::warn!("notes index {} unusable, rebuilding: {e:#}", dir.display());
            Ok(None)
        }
    }
}

/// An exclusive lock on `index/NOTES.lock` for rebuilding, held until dropped.
fn lock_notes(data: &DataDir) -> Result<std::fs::File> {
    super::super::setup::lock_index_file(data, "NOTES.lock")
}

/// Rebuilds under the lock.
fn rebuild_locked(
    conn: &Connection,
    data: &DataDir,
    progress: &mut SetupProgress<'_>,
) -> Result<NotesState> {
    let _lock = lock_notes(data)?;
    rebuild(conn, data, progress)
}

fn state(index: NotesIndex, generation: String) -> NotesState {
    NotesState {
        index,
        generation,
        checked: Instant::now(),
    }
}

/// Brings `ix` up to the database (read in one snapshot), then checks that it holds as many notes as
/// the database. Fails with `WriterBusy` if another process holds the writer.
fn catch_up(conn: &Connection, ix: &NotesIndex, progress: &mut SetupProgress<'_>) -> Result<()> {
    ix.refresh()?;
    let marks = ix.marks()?;
    let snapshot = conn
        .unchecked_transaction()
        .context("reading the database for the notes index")?;
    let rowid = store::notes::max_rowid(&snapshot)?;
    let change = store::notes::max_change_seq(&snapshot)?;
    if marks.rowid > rowid || marks.change > change {
        bail!(
            "the notes index is ahead of the database (index at note {}/change {}, database at {}/{})",
            marks.rowid,
            marks.change,
            rowid,
            change
        );
    }
    if marks.rowid < rowid || marks.change < change {
        let mut w = ix.writer(1)?;
        sync::apply_changes(&snapshot, &mut w, marks.change, change, marks.rowid)?;
        sync::index_new_rows(&snapshot, &mut w, marks.rowid, rowid, progress)?;
        w.commit(Marks {
            schema: SCHEMA_VERSION,
            rowid,
            change,
        })?;
        w.finish()?;
    }
    let in_db = store::notes::count_upto(&snapshot, rowid)?;
    drop(snapshot);
    let in_index = ix.num_docs();
    if in_db as u64 != in_index {
        // Another process may have committed to the index meanwhile; only a still index is wrong.
        if ix.marks()? != marks && ix.marks()?.rowid > rowid {
            return Ok(());
        }
        bail!("the notes index holds {in_index} notes, the database {in_db}");
    }
    Ok(())
}

/// Builds a new generation from SQLite and switches the pointer to it.
fn rebuild(
    conn: &Connection,
    data: &DataDir,
    progress: &mut SetupProgress<'_>,
) -> Result<NotesState> {
    let base = data.root.join("index");
    make_dir(&base)?;
    let name = generation_name();
    let dir = base.join(&name);
    make_dir(&dir)?;
    // Before the first commit, so every file tantivy writes takes the shared mode (see perms).
    share_like_db(data, &base, &[&dir]);
    progress("building the notes index", 0, 0);
    // The writer is held from creation to the end, so no other process removes this generation.
    let (ix, mut w) = NotesIndex::create(&dir, 2)?;
    let snapshot = conn
        .unchecked_transaction()
        .context("reading the database for the notes index")?;
    let rowid = store::notes::max_rowid(&snapshot)?;
    let change = store::notes::max_change_seq(&snapshot)?;
    sync::index_new_rows(&snapshot, &mut w, 0, rowid, progress)?;
    let in_db = store::notes::count_upto(&snapshot, rowid)?;
    drop(snapshot);
    w.commit(Marks {
        schema: SCHEMA_VERSION,
        rowid,
        change,
    })?;
    w.finish()?;
    if ix.num_docs() != in_db as u64 {
        bail!(
            "the rebuilt notes index in {} holds {} notes, the database {in_db}",
            dir.display(),
            ix.num_docs()
        );
    }
    let tmp = base.join(format!("NOTES.tmp-{name}"));
    std::fs::write(&tmp, &name).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, pointer_file(data))
        .with_context(|| format!("switching to the new notes index {}", dir.display()))?;
    share_like_db(
        data,
        &base,
        &[&dir, &pointer_file(data), &base.join("NOTES.lock")],
    );
    remove_old_generations(&base, &name);
    Ok(state(ix, name))
}

/// Gives `base` and `paths` (directories recursively) the database file's permission bits, so
/// every OS user who can write the database can read and write the index too.
pub(in crate::service) fn share_like_db(data: &DataDir, base: &Path, paths: &[&Path]) {
    if let Some(mode) = perms::mode_of(&data.db_path()) {
        perms::share_one(base, mode);
        for p in paths {
            perms::share_tree(p, mode);
        }
    }
}

/// A new generation's directory name: time, process and a per-process counter.
fn generation_name() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S%3f");
    format!("notes-{stamp}-{}-{n}", std::process::id())
}

/// Generations younger than this are never removed (one may be in the making).
const KEEP_YOUNG: Duration = Duration::from_secs(120);

/// Best effort: other generations are garbage once the pointer has moved on, unless another process
/// is still writing one (building it, or importing into it) or it is very new.
fn remove_old_generations(base: &Path, keep: &str) {
    let Ok(rd) = std::fs::read_dir(base) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.starts_with("notes-") || name == keep {
            continue;
        }
        let young = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_none_or(|age| age < KEEP_YOUNG);
        if young {
            continue;
        }
        if let Ok(ix) = NotesIndex::open(&e.path()) {
            match ix.writer(1) {
                Ok(w) => drop(w),
                Err(_) => continue,
            }
        }
        if let Err(err) = std::fs::remove_dir_all(e.path()) {
            tracing::debug!("could not remove old notes index {name}: {err}");
        }
    }
}

/// The notes index, opened (caught up, or rebuilt) on first use.
#[derive(Clone, Default)]
pub(in crate::service) struct LazyNotes(Option<NotesState>);

impl LazyNotes {
    /// The state, opening the index now (with `progress`) if this is the first use.
    pub(in crate::service) fn get_with(
        &mut self,
        conn: &Connection,
        data: &DataDir,
        progress: &mut SetupProgress<'_>,
    ) -> Result<&mut NotesState> {
        if self.0.is_none() {
            self.0 = Some(open_notes_index(conn, data, progress)?);
        }
        self.0
            .as_mut()
            .context("internal error: the notes index was opened but not kept")
    }

    pub(in crate::service) fn get(
        &mut self,
        conn: &Connection,
        data: &DataDir,
    ) -> Result<&mut NotesState> {
        self.get_with(conn, data, &mut |_, _, _| {})
    }

    pub(in crate::service) fn set(&mut self, s: NotesState) {
        self.0 = Some(s);
    }
}

impl NotesState {
    /// The generation this process uses.
    pub(super) fn generation(&self) -> &str {
        &self.generation
    }

    /// The index to use now: follows a rebuild done by another process (checked once a second).
    pub(super) fn current(&mut self, data: &DataDir, force: bool) -> &NotesIndex {
        if force || self.checked.elapsed() >= POINTER_CHECK {
            self.checked = Instant::now();
            if let Ok(Some((name, dir))) = current_generation(data)
                && name != self.generation
            {
                match NotesIndex::open(&dir) {
                    Ok(ix) => {
                        self.index = ix;
                        self.generation = name;
                    }
                    Err(e) => tracing::warn!("cannot open notes index {}: {e:#}", dir.display()),
                }
            }
        }
        &self.index
    }
}

/// Facts about the notes index, for `chartdesk reindex` and diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotesIndexInfo {
    pub dir: String,
    pub notes: u64,
    pub bytes: u64,
    pub marks: Marks,
}

impl Service {
    /// Rebuilds the notes index from SQLite (admins).
    pub fn reindex_notes(&mut self, progress: &mut SetupProgress<'_>) -> Result<NotesIndexInfo> {
        self.require(Permission::Administer, "rebuild indexes")?;
        self.notes
            .set(rebuild_locked(&self.conn, &self.data, progress)?);
        self.write(Permission::Administer, "rebuild indexes", |tx, me| {
            store::audit::record(
                tx,
                &store::audit::Entry {
                    object: "notes",
                    ..store::audit::Entry::new(
                        &store::now(),
                        &me.login,
                        store::audit::AuditAction::ReindexNotes,
                    )
                },
            )
        })?;
        self.notes_index_info()
    }

    /// Where the notes index is and what it holds.
    pub fn notes_index_info(&mut self) -> Result<NotesIndexInfo> {
        let ix = self
            .notes
            .get(&self.conn, &self.data)?
            .current(&self.data, true);
        Ok(NotesIndexInfo {
            dir: ix.dir().display().to_string(),
            notes: ix.num_docs(),
            bytes: ix.size_bytes(),
            marks: ix.marks()?,
        })
    }

    /// Every note row id in the notes index (for consistency checks).
    pub fn notes_index_row_ids(&mut self) -> Result<Vec<i64>> {
        let ix = self
            .notes
            .get(&self.conn, &self.data)?
            .current(&self.data, true)
            .clone();
        ix.refresh()?;
        ix.all_row_ids()
    }

    /// Brings the notes index up to the database now (another process may have added notes).
    pub fn catch_up_notes(&mut self, progress: &mut SetupProgress<'_>) -> Result<()> {
        let ix = self
            .notes
            .get(&self.conn, &self.data)?
            .current(&self.data, true)
            .clone();
        match catch_up(&self.conn, &ix, progress) {
            Ok(()) => Ok(()),
            Err(e) if is_busy(&e) => Ok(()),
            Err(e) if perms::on_open_error(&e) == OnOpenError::Refuse => Err(e),
            Err(e) => {
                tracing::warn!("notes index out of step, rebuilding: {e:#}");
                self.notes
                    .set(rebuild_locked(&self.conn, &self.data, progress)?);
                Ok(())
            }
        }
    }
}
