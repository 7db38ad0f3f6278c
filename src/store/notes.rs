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
