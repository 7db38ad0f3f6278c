//! Notes search for the TUI and the CLI, and the life of the notes index: opened (and brought up to
//! date, or rebuilt) at start-up, followed by imports, rebuilt on request.
use super::{DataDir, Service, SetupProgress, make_dir};
use crate::domain::Permission;
use crate::search::notes::{
    Marks, NoteDoc, NotesIndex, NotesWriter, SCHEMA_VERSION, SearchRequest, WriterBusy, query,
};
use crate::store;
use anyhow::{Context, Result, bail};
use rusqlite::Connection;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use crate::search::notes::{HitSnippet, NoteOrder};

/// Notes read from SQLite per indexing batch.
const BATCH: usize = 2_000;
/// How often a running process looks for a rebuilt index generation.
const POINTER_CHECK: Duration = Duration::from_secs(1);

/// How to search notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteQuery {
    /// Hits to return (0: only count them).
    pub limit: usize,
    pub order: NoteOrder,
    /// Only this encounter's notes (encounter row id).
    pub encounter: Option<i64>,
    /// The user is still typing: the last word is a prefix unless followed by a space.
    pub typing: bool,
}

impl Default for NoteQuery {
    fn default() -> Self {
        Self {
            limit: 20,
            order: NoteOrder::Relevance,
            encounter: None,
            typing: false,
        }
    }
}

/// One matching note.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NoteHit {
    /// The note's row id (for `read_note` and `note_hit_ranges`).
    pub id: i64,
    pub note_id: String,
    pub encounter_id: i64,
    pub account: String,
    pub note_type: String,
    pub author: String,
    pub written_at: String,
    /// Relevance (0 when ordered by date).
    pub score: f32,
    pub snippet: HitSnippet,
}

/// The answer to a notes search.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct NoteSearchResult {
    pub hits: Vec<NoteHit>,
    /// All matching notes, not only those returned.
    pub total: usize,
    /// Set when the query could not be read as written (searched as plain words) or a filter was
    /// left out; show it to the user.
    pub fallback_message: Option<String>,
}

/// The notes index generation this process uses, re-checked against the pointer file.
pub(super) struct NotesState {
    index: NotesIndex,
    generation: String,
    checked: Instant,
}

/// The pointer file naming the current notes index generation.
fn pointer_file(data: &DataDir) -> PathBuf {
    data.root.join("index").join("NOTES")
}

fn current_generation(data: &DataDir) -> Option<(String, PathBuf)> {
    let name = std::fs::read_to_string(pointer_file(data)).ok()?;
    let name = name.trim();
    if name.is_empty() || name.contains('/') || name.contains("..") {
        return None;
    }
    Some((name.to_string(), data.root.join("index").join(name)))
}

fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<WriterBusy>().is_some())
}

/// Opens the notes index at start-up: rebuilt when missing, unreadable, of an older schema or out of
/// step with the database; otherwise brought up to date with notes (and changes) it has not seen.
pub(super) fn open_notes_index(
    conn: &Connection,
    data: &DataDir,
    progress: &mut SetupProgress<'_>,
) -> Result<NotesState> {
    if let Some((name, dir)) = current_generation(data) {
        match NotesIndex::open(&dir) {
            Ok(ix) => match catch_up(conn, &ix, progress) {
                Ok(()) => return Ok(state(ix, name)),
                Err(e) if is_busy(&e) => {
                    tracing::info!("notes index busy at start-up; the writer will catch it up");
                    return Ok(state(ix, name));
                }
                Err(e) => tracing::warn!(
                    "notes index {} out of step, rebuilding: {e:#}",
                    dir.display()
                ),
            },
            Err(e) => tracing::warn!("notes index {} unusable, rebuilding: {e:#}", dir.display()),
        }
    }
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
        apply_changes(&snapshot, &mut w, marks, change)?;
        index_new_rows(&snapshot, &mut w, marks.rowid, rowid, progress)?;
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

/// Re-indexes notes changed (updated, deleted, their encounter retyped) since `marks.change`.
fn apply_changes(conn: &Connection, w: &mut NotesWriter, marks: Marks, upto: i64) -> Result<usize> {
    let changed = store::notes::changed_between(conn, marks.change, upto, marks.rowid)?;
    for id in &changed {
        match store::notes::index_row_by_id(conn, *id)? {
            Some(r) => w.replace(&doc(&r))?,
            None => w.delete(*id),
        }
    }
    Ok(changed.len())
}

/// Indexes notes with row ids in `(after, upto]`.
fn index_new_rows(
    conn: &Connection,
    w: &mut NotesWriter,
    after: i64,
    upto: i64,
    progress: &mut SetupProgress<'_>,
) -> Result<usize> {
    let total = store::notes::count_upto(conn, upto)? - store::notes::count_upto(conn, after)?;
    let total = total.max(0) as usize;
    let mut last = after;
    let mut done = 0;
    loop {
        let rows = store::notes::index_rows_between(conn, last, upto, BATCH)?;
        let Some(end) = rows.last().map(|r| r.id) else {
            break;
        };
        for r in &rows {
            w.add(&doc(r))?;
        }
        done += rows.len();
        last = end;
        progress("indexing notes", done, total);
    }
    Ok(done)
}

pub(crate) fn doc(r: &store::notes::IndexRow) -> NoteDoc<'_> {
    NoteDoc {
        row_id: r.id,
        encounter_id: r.encounter_id,
        patient_id: r.patient_id,
        note_type: &r.note_type,
        enc_type: &r.enc_type,
        author: &r.author,
        written_at: &r.written_at,
        body: &r.body,
    }
}

/// Builds a new generation from SQLite and switches the pointer to it.
fn rebuild(
    conn: &Connection,
    data: &DataDir,
    progress: &mut SetupProgress<'_>,
) -> Result<NotesState> {
    let base = data.root.join("index");
    make_dir(&base)?;
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S%3f");
    let name = format!("notes-{stamp}-{}", std::process::id());
    let dir = base.join(&name);
    make_dir(&dir)?;
    progress("building the notes index", 0, 0);
    let ix = NotesIndex::create(&dir)?;
    let mut w = ix.writer(2)?;
    let snapshot = conn
        .unchecked_transaction()
        .context("reading the database for the notes index")?;
    let rowid = store::notes::max_rowid(&snapshot)?;
    let change = store::notes::max_change_seq(&snapshot)?;
    index_new_rows(&snapshot, &mut w, 0, rowid, progress)?;
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
    let tmp = base.join(format!("NOTES.tmp-{}", std::process::id()));
    std::fs::write(&tmp, &name).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, pointer_file(data))
        .with_context(|| format!("switching to the new notes index {}", dir.display()))?;
    remove_old_generations(&base, &name);
    Ok(state(ix, name))
}

/// Best effort: other generations are garbage once the pointer has moved on.
fn remove_old_generations(base: &Path, keep: &str) {
    let Ok(rd) = std::fs::read_dir(base) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("notes-")
            && name != keep
            && let Err(err) = std::fs::remove_dir_all(e.path())
        {
            tracing::debug!("could not remove old notes index {name}: {err}");
        }
    }
}

impl NotesState {
    /// The index to use now: follows a rebuild done by another process (checked once a second).
    fn current(&mut self, data: &DataDir, force: bool) -> &NotesIndex {
        if force || self.checked.elapsed() >= POINTER_CHECK {
            self.checked = Instant::now();
            if let Some((name, dir)) = current_generation(data)
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
    /// Searches notes (an audited view of patient data).
    pub fn search_notes(&mut self, text: &str, q: &NoteQuery) -> Result<NoteSearchResult> {
        self.require(Permission::ViewCharts, "search notes")?;
        let parsed = query::parse(text, q.typing);
        let ix = self.notes.current(&self.data, false).clone();
        let raw = ix.search(&SearchRequest {
            query: &parsed,
            limit: q.limit,
            order: q.order,
            encounter: q.encounter,
            patient: None,
        })?;
        let ids: Vec<i64> = raw.hits.iter().map(|h| h.row_id).collect();
        let mut rows: HashMap<i64, store::notes::HitRow> =
            store::notes::hit_rows(&self.conn, &ids)?
                .into_iter()
                .map(|r| (r.header.id, r))
                .collect();
        let hits: Vec<NoteHit> = raw
            .hits
            .iter()
            .filter_map(|h| {
                let r = rows.remove(&h.row_id)?;
                Some(NoteHit {
                    id: r.header.id,
                    snippet: raw.snippets.snippet(&r.body),
                    note_id: r.header.note_id,
                    encounter_id: r.header.encounter_id,
                    account: r.account,
                    note_type: r.header.note_type,
                    author: r.header.author,
                    written_at: r.header.written_at,
                    score: h.score,
                })
            })
            .collect();
        let total = raw.total;
        let fallback_message = (!parsed.messages.is_empty()).then(|| parsed.messages.join("; "));
        self.write(Permission::ViewCharts, "search notes", |tx, me| {
            store::audit::append(
                tx,
                &store::now(),
                &me.login,
                "search_notes",
                None,
                q.encounter,
                text,
                &format!("{total} notes, {} shown", hits.len()),
            )
        })?;
        Ok(NoteSearchResult {
            hits,
            total,
            fallback_message,
        })
    }

    /// Where `query` matches inside one note's body: byte ranges for highlighting in a viewer.
    pub fn note_hit_ranges(&mut self, note_row_id: i64, query: &str) -> Result<Vec<Range<usize>>> {
        self.require(Permission::ViewCharts, "read notes")?;
        let Some((_, body)) = store::notes::get(&self.conn, note_row_id)? else {
            return Err(
                super::ServiceError::NotFound(format!("no note with id {note_row_id}")).into(),
            );
        };
        let parsed = query::parse(query, false);
        let ix = self.notes.current(&self.data, false).clone();
        Ok(ix.highlighter(&parsed)?.ranges(&body))
    }

    /// Rebuilds the notes index from SQLite (admins).
    pub fn reindex_notes(&mut self, progress: &mut SetupProgress<'_>) -> Result<NotesIndexInfo> {
        self.require(Permission::Administer, "rebuild indexes")?;
        self.notes = rebuild(&self.conn, &self.data, progress)?;
        self.write(Permission::Administer, "rebuild indexes", |tx, me| {
            store::audit::append(
                tx,
                &store::now(),
                &me.login,
                "reindex_notes",
                None,
                None,
                "notes",
                "",
            )
        })?;
        self.notes_index_info()
    }

    /// Where the notes index is and what it holds.
    pub fn notes_index_info(&mut self) -> Result<NotesIndexInfo> {
        let ix = self.notes.current(&self.data, true);
        Ok(NotesIndexInfo {
            dir: ix.dir().display().to_string(),
            notes: ix.num_docs(),
            bytes: ix.size_bytes(),
            marks: ix.marks()?,
        })
    }

    /// Every note row id in the notes index (for consistency checks).
    pub fn notes_index_row_ids(&mut self) -> Result<Vec<i64>> {
        let ix = self.notes.current(&self.data, true).clone();
        ix.refresh()?;
        ix.all_row_ids()
    }

    /// Brings the notes index up to the database now (another process may have added notes).
    pub fn catch_up_notes(&mut self, progress: &mut SetupProgress<'_>) -> Result<()> {
        let ix = self.notes.current(&self.data, true).clone();
        match catch_up(&self.conn, &ix, progress) {
            Ok(()) => Ok(()),
            Err(e) if is_busy(&e) => Ok(()),
            Err(e) => {
                tracing::warn!("notes index out of step, rebuilding: {e:#}");
                self.notes = rebuild(&self.conn, &self.data, progress)?;
                Ok(())
            }
        }
    }
}
