//! Clinical notes: bodies live here; the notes index only points at them.
use crate::domain::Note;
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// A note without its body, for lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NoteHeader {
    pub id: i64,
    pub note_id: String,
    pub encounter_id: i64,
    pub note_type: String,
    pub author: String,
    pub written_at: String,
    pub chars: i64,
}

/// Inserts a note for the encounter with the note's account. Returns the row id.
pub fn insert(conn: &Connection, n: &Note) -> Result<i64> {
    let enc: i64 = conn
        .query_row(
            "SELECT id FROM encounters WHERE account = ?1",
            [&n.account],
            |r| r.get(0),
        )
        .optional()?
        .with_context(|| {
            format!(
                "note {}: no encounter with account {}",
                n.note_id, n.account
            )
        })?;
    conn.execute(
        "INSERT INTO notes (note_id, encounter_id, note_type, author, written_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![n.note_id, enc, n.note_type, n.author, n.written_at, n.body],
    )
    .with_context(|| format!("inserting note {}", n.note_id))?;
    Ok(conn.last_insert_rowid())
}

pub fn for_encounter(conn: &Connection, encounter_id: i64) -> Result<Vec<NoteHeader>> {
    let mut st = conn.prepare(
        "SELECT id, note_id, encounter_id, note_type, author, written_at, length(body)
         FROM notes WHERE encounter_id = ?1 ORDER BY written_at, id",
    )?;
    let rows = st.query_map([encounter_id], |r| {
        Ok(NoteHeader {
            id: r.get(0)?,
            note_id: r.get(1)?,
            encounter_id: r.get(2)?,
            note_type: r.get(3)?,
            author: r.get(4)?,
            written_at: r.get(5)?,
            chars: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One note with its body.
pub fn get(conn: &Connection, id: i64) -> Result<Option<(NoteHeader, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, note_id, encounter_id, note_type, author, written_at, length(body), body
             FROM notes WHERE id = ?1",
            params![id],
            |r| {
                Ok((
                    NoteHeader {
                        id: r.get(0)?,
                        note_id: r.get(1)?,
                        encounter_id: r.get(2)?,
                        note_type: r.get(3)?,
                        author: r.get(4)?,
                        written_at: r.get(5)?,
                        chars: r.get(6)?,
                    },
                    r.get(7)?,
                ))
            },
        )
        .optional()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM notes", [], |r| r.get(0))?)
}

/// What an upsert did to a note, with its row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Added(i64),
    Updated(i64),
    Unchanged(i64),
}

impl Upsert {
    pub fn row_id(self) -> i64 {
        match self {
            Upsert::Added(id) | Upsert::Updated(id) | Upsert::Unchanged(id) => id,
        }
    }
}

/// Inserts a note, or updates the note with the same `note_id` if anything differs.
pub fn upsert(conn: &Connection, n: &Note, encounter_id: i64) -> Result<Upsert> {
    type Existing = (i64, i64, String, String, String, String);
    let existing: Option<Existing> = conn
        .prepare_cached(
            "SELECT id, encounter_id, note_type, author, written_at, body FROM notes WHERE note_id = ?1",
        )?
        .query_row([&n.note_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })
        .optional()
        .with_context(|| format!("reading note {}", n.note_id))?;
    match existing {
        None => {
            conn.prepare_cached(
                "INSERT INTO notes (note_id, encounter_id, note_type, author, written_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                n.note_id,
                encounter_id,
                n.note_type,
                n.author,
                n.written_at,
                n.body
            ])
            .with_context(|| format!("inserting note {}", n.note_id))?;
            Ok(Upsert::Added(conn.last_insert_rowid()))
        }
        Some((id, enc, t, a, w, b))
            if enc == encounter_id
                && t == n.note_type
                && a == n.author
                && w == n.written_at
                && b == n.body =>
        {
            Ok(Upsert::Unchanged(id))
        }
        Some((id, ..)) => {
            conn.prepare_cached(
                "UPDATE notes SET encounter_id = ?2, note_type = ?3, author = ?4, written_at = ?5,
                   body = ?6 WHERE id = ?1",
            )?
            .execute(params![
                id,
                encounter_id,
                n.note_type,
                n.author,
                n.written_at,
                n.body
            ])
            .with_context(|| format!("updating note {}", n.note_id))?;
            Ok(Upsert::Updated(id))
        }
    }
}

/// A note with everything the notes index holds about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRow {
    pub id: i64,
    pub encounter_id: i64,
    pub patient_id: i64,
    pub note_type: String,
    pub enc_type: String,
    pub author: String,
    pub written_at: String,
    pub body: String,
}

const INDEX_SELECT: &str =
    "SELECT n.id, n.encounter_id, e.patient_id, n.note_type, e.enc_type, n.author,
        n.written_at, n.body
   FROM notes n JOIN encounters e ON e.id = n.encounter_id";

fn index_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IndexRow> {
    Ok(IndexRow {
        id: r.get(0)?,
        encounter_id: r.get(1)?,
        patient_id: r.get(2)?,
        note_type: r.get(3)?,
        enc_type: r.get(4)?,
        author: r.get(5)?,
        written_at: r.get(6)?,
        body: r.get(7)?,
    })
}

/// Notes with row ids in `(after, upto]`, in row id order, at most `limit`.
pub fn index_rows_between(
    conn: &Connection,
    after: i64,
    upto: i64,
    limit: usize,
) -> Result<Vec<IndexRow>> {
    let sql = format!("{INDEX_SELECT} WHERE n.id > ?1 AND n.id <= ?2 ORDER BY n.id LIMIT ?3");
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params![after, upto, limit as i64], index_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One note as the index sees it; None if it no longer exists.
pub fn index_row_by_id(conn: &Connection, id: i64) -> Result<Option<IndexRow>> {
    let sql = format!("{INDEX_SELECT} WHERE n.id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], index_row)
        .optional()?)
}

/// The highest note row id (0 without notes).
pub fn max_rowid(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COALESCE(MAX(id), 0) FROM notes", [], |r| r.get(0))?)
}

/// Notes with row id up to `upto`.
pub fn count_upto(conn: &Connection, upto: i64) -> Result<i64> {
    Ok(
        conn.query_row("SELECT COUNT(*) FROM notes WHERE id <= ?1", [upto], |r| {
            r.get(0)
        })?,
    )
}

/// The highest note-change sequence (0 without changes).
pub fn max_change_seq(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM note_changes", [], |r| {
            r.get(0)
        })?,
    )
}

/// Distinct note row ids changed in `(after, upto]` that are at or below `rowid_upto` (newer rows
/// are indexed as new rows anyway).
pub fn changed_between(
    conn: &Connection,
    after: i64,
    upto: i64,
    rowid_upto: i64,
) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT note_id FROM note_changes WHERE seq > ?1 AND seq <= ?2 AND note_id <= ?3
         ORDER BY note_id",
    )?;
    let rows = st.query_map(params![after, upto, rowid_upto], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A search hit's note: header, account and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitRow {
    pub header: NoteHeader,
    pub account: String,
    pub body: String,
}

/// Notes by row id (missing ones are left out), in no particular order.
pub fn hit_rows(conn: &Connection, ids: &[i64]) -> Result<Vec<HitRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT n.id, n.note_id, n.encounter_id, n.note_type, n.author, n.written_at, length(n.body),
                    e.account, n.body
               FROM notes n JOIN encounters e ON e.id = n.encounter_id WHERE n.id IN ({marks})"
        );
        let mut st = conn.prepare_cached(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(chunk.iter()), |r| {
            Ok(HitRow {
                header: NoteHeader {
                    id: r.get(0)?,
                    note_id: r.get(1)?,
                    encounter_id: r.get(2)?,
                    note_type: r.get(3)?,
                    author: r.get(4)?,
                    written_at: r.get(5)?,
                    chars: r.get(6)?,
                },
                account: r.get(7)?,
                body: r.get(8)?,
            })
        })?;
        for r in rows {
            out.push(r?);
        }
    }
    Ok(out)
}

/// Every note's row id and body, in row id order, for brute-force checks and benchmarks.
pub fn for_each_body(
    conn: &Connection,
    mut each: impl FnMut(i64, &str) -> Result<()>,
) -> Result<()> {
    let mut st = conn.prepare("SELECT id, body FROM notes ORDER BY id")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let body: String = r.get(1)?;
        each(id, &body)?;
    }
    Ok(())
}

/// Starts tracking note ids seen by one import (a temporary table: memory stays flat).
pub fn import_seen_reset(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS import_seen (note_id TEXT PRIMARY KEY, at TEXT NOT NULL);
         DELETE FROM temp.import_seen;",
    )?;
    Ok(())
}

/// Records that this import has seen `note_id` at `at`; returns where it was first seen if it was.
pub fn import_seen_before(conn: &Connection, note_id: &str, at: &str) -> Result<Option<String>> {
    let n = conn
        .prepare_cached("INSERT OR IGNORE INTO temp.import_seen (note_id, at) VALUES (?1, ?2)")?
        .execute(params![note_id, at])?;
    if n == 1 {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached("SELECT at FROM temp.import_seen WHERE note_id = ?1")?
        .query_row([note_id], |r| r.get(0))
        .optional()?)
}

/// Filters the FTS5 baseline applies next to its MATCH (benchmarks only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FtsFilter {
    pub note_type: Option<String>,
    pub enc_type: Option<String>,
    /// Written at or after this RFC 3339 prefix (compared as text).
    pub written_from: Option<String>,
}

/// Builds an SQLite FTS5 index over note bodies (external content: the bodies stay in `notes`), with
/// the porter stemmer, as the baseline `chartdesk bench notes` compares against.
pub fn fts_baseline_build(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DROP TABLE IF EXISTS notes_fts_baseline;
         CREATE VIRTUAL TABLE notes_fts_baseline USING fts5(
             body, content='notes', content_rowid='id', tokenize='porter unicode61');
         INSERT INTO notes_fts_baseline(notes_fts_baseline) VALUES ('rebuild');",
    )
    .context("building the FTS5 baseline")?;
    Ok(())
}

/// Top `limit` notes for an FTS5 MATCH expression with a highlighted snippet each, best first.
pub fn fts_baseline_search(
    conn: &Connection,
    match_expr: &str,
    f: &FtsFilter,
    limit: usize,
) -> Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT n.id, snippet(notes_fts_baseline, 0, '[', ']', '…', 24)
           FROM notes_fts_baseline
           JOIN notes n ON n.id = notes_fts_baseline.rowid
           JOIN encounters e ON e.id = n.encounter_id
          WHERE notes_fts_baseline MATCH ?1
            AND (?2 IS NULL OR n.note_type = ?2)
            AND (?3 IS NULL OR e.enc_type = ?3)
            AND (?4 IS NULL OR n.written_at >= ?4)
          ORDER BY notes_fts_baseline.rank
          LIMIT ?5",
    )?;
    let rows = st.query_map(
        params![
            match_expr,
            f.note_type,
            f.enc_type,
            f.written_from,
            limit as i64
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Pages the FTS5 baseline takes (its shadow tables), in bytes.
pub fn fts_baseline_bytes(conn: &Connection) -> Result<u64> {
    let n: Option<i64> = conn
        .query_row(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'notes_fts_baseline%'",
            [],
            |r| r.get(0),
        )
        .optional()
        .ok()
        .flatten()
        .flatten();
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Starts a FHIR import's id maps (temporary tables: FHIR ids to MRNs and accounts, Binary
/// resources kept until the documents that point at them are read).
pub fn fhir_reset(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS fhir_map (
             kind TEXT NOT NULL, fhir_id TEXT NOT NULL, key TEXT NOT NULL,
             PRIMARY KEY (kind, fhir_id));
         CREATE TEMP TABLE IF NOT EXISTS fhir_binary (
             id TEXT PRIMARY KEY, content_type TEXT NOT NULL, data TEXT NOT NULL);
         DELETE FROM temp.fhir_map;
         DELETE FROM temp.fhir_binary;",
    )?;
    Ok(())
}

/// Remembers that FHIR resource `kind/fhir_id` is chartdesk's `key` (an MRN, an account).
pub fn fhir_map_put(conn: &Connection, kind: &str, fhir_id: &str, key: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO temp.fhir_map (kind, fhir_id, key) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, fhir_id) DO UPDATE SET key = excluded.key",
    )?
    .execute(params![kind, fhir_id, key])?;
    Ok(())
}

pub fn fhir_map_get(conn: &Connection, kind: &str, fhir_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT key FROM temp.fhir_map WHERE kind = ?1 AND fhir_id = ?2")?
        .query_row(params![kind, fhir_id], |r| r.get(0))
        .optional()?)
}

/// Keeps a Binary resource's base64 data for documents that refer to it.
pub fn fhir_binary_put(conn: &Connection, id: &str, content_type: &str, data: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO temp.fhir_binary (id, content_type, data) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![id, content_type, data])?;
    Ok(())
}

pub fn fhir_binary_get(conn: &Connection, id: &str) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT content_type, data FROM temp.fhir_binary WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The MRN of the patient an encounter belongs to.
pub fn mrn_of_account(conn: &Connection, account: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT p.mrn FROM encounters e JOIN patients p ON p.id = e.patient_id WHERE e.account = ?1",
        )?
        .query_row([account], |r| r.get(0))
        .optional()?)
}
