//! Keeping the notes index in step with SQLite: indexing rows it has not seen and replaying the
//! note-change log (updates, deletes, encounter retypes) past the marks it committed.
use crate::search::notes::{NoteDoc, NotesWriter};
use crate::store;
use anyhow::Result;
use rusqlite::Connection;

/// Notes read from SQLite per indexing batch.
const BATCH: usize = 2_000;

/// Progress reporting: (stage, done, total).
pub type Progress<'a> = dyn FnMut(&str, usize, usize) + 'a;

/// Re-indexes notes changed in `(after, upto]` of the change log whose row id is at most
/// `rowid_upto` (rows above it are indexed as new rows). Returns how many notes were touched.
pub fn apply_changes(
    conn: &Connection,
    w: &mut NotesWriter,
    after: i64,
    upto: i64,
    rowid_upto: i64,
) -> Result<usize> {
    let changed = store::notes::changed_between(conn, after, upto, rowid_upto)?;
    for id in &changed {
        match store::notes::index_row_by_id(conn, *id)? {
            Some(r) => w.replace(&doc(&r))?,
            None => w.delete(*id),
        }
    }
    Ok(changed.len())
}

/// Indexes notes with row ids in `(after, upto]`.
pub fn index_new_rows(
    conn: &Connection,
    w: &mut NotesWriter,
    after: i64,
    upto: i64,
    progress: &mut Progress<'_>,
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

/// How far an index writer has been fed: every note with a row id up to `rowid` and every change
/// up to `change` (what its next commit's marks will say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub rowid: i64,
    pub change: i64,
}

impl Position {
    /// The database's position now (as `conn`'s transaction sees it).
    pub fn of_db(conn: &Connection) -> Result<Position> {
        Ok(Position {
            rowid: store::notes::max_rowid(conn)?,
            change: store::notes::max_change_seq(conn)?,
        })
    }
}

/// Feeds `w` what the database holds between `from` and `to`: changed notes re-indexed (or
/// deleted), new rows added, read in chunks (no counting: a batched import calls this per batch).
/// Returns how many notes were fed.
pub fn feed(conn: &Connection, w: &mut NotesWriter, from: Position, to: Position) -> Result<usize> {
    let mut n = apply_changes(conn, w, from.change, to.change, from.rowid)?;
    let mut last = from.rowid;
    loop {
        let rows = store::notes::index_rows_between(conn, last, to.rowid, BATCH)?;
        let Some(end) = rows.last().map(|r| r.id) else {
            break;
        };
        for r in &rows {
            w.add(&doc(r))?;
        }
        n += rows.len();
        last = end;
    }
    Ok(n)
}

/// The index's view of a stored note.
pub fn doc(r: &store::notes::IndexRow) -> NoteDoc<'_> {
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
