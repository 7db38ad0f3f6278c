//! Notes search for the TUI and the CLI (audited views of patient data), the life of the notes
//! index (`index`) and note imports (`import`).
mod batched;
mod find;
mod import;
mod index;
mod searcher;

pub use index::NotesIndexInfo;
pub(super) use index::{LazyNotes, NotesState, share_like_db};
pub use searcher::NotesSearcher;

use super::Service;
use crate::domain::Permission;
use crate::search::notes::{SearchRequest, query};
use crate::store;
use anyhow::Result;
use std::collections::HashMap;
use std::ops::Range;

pub use crate::search::notes::{HitSnippet, NoteOrder};

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

impl Service {
    /// Searches notes (an audited view of patient data).
    pub fn search_notes(&mut self, text: &str, q: &NoteQuery) -> Result<NoteSearchResult> {
        self.require(Permission::ViewCharts, "search notes")?;
        let r = self.search_notes_unaudited(text, q)?;
        self.write(Permission::ViewCharts, "search notes", |tx, me| {
            audit_search(tx, &me.login, text, q, &r)
        })?;
        Ok(r)
    }

    /// The search itself, without the audit row: for benchmarks measuring the engine.
    pub(crate) fn search_notes_unaudited(
        &mut self,
        text: &str,
        q: &NoteQuery,
    ) -> Result<NoteSearchResult> {
        let notes = self.notes.get(&self.conn, &self.data)?;
        run_search(&self.conn, notes, &self.data, text, q)
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
        let ix = self
            .notes
            .get(&self.conn, &self.data)?
            .current(&self.data, false)
            .clone();
        Ok(ix.highlighter(&parsed)?.ranges(&body))
    }
}

/// Searches the notes index and reads the hits' rows (bodies for snippets) from `conn`; no audit.
fn run_search(
    conn: &rusqlite::Connection,
    notes: &mut NotesState,
    data: &super::DataDir,
    text: &str,
    q: &NoteQuery,
) -> Result<NoteSearchResult> {
    let parsed = query::parse(text, q.typing);
    let ix = notes.current(data, false).clone();
    let raw = ix.search(&SearchRequest {
        query: &parsed,
        limit: q.limit,
        order: q.order,
        encounter: q.encounter,
        patient: None,
    })?;
    let ids: Vec<i64> = raw.hits.iter().map(|h| h.row_id).collect();
    let mut rows: HashMap<i64, store::notes::HitRow> = store::notes::hit_rows(conn, &ids)?
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
    Ok(NoteSearchResult {
        hits,
        total,
        fallback_message,
    })
}

/// The audit row of one notes search, in the caller's transaction.
fn audit_search(
    tx: &rusqlite::Transaction<'_>,
    login: &str,
    text: &str,
    q: &NoteQuery,
    r: &NoteSearchResult,
) -> Result<()> {
    // The encounters whose notes were shown (their patients are found through the encounter).
    let subjects: Vec<store::audit::Subject> = r
        .hits
        .iter()
        .map(|h| store::audit::Subject {
            patient_id: None,
            encounter_id: Some(h.encounter_id),
        })
        .collect();
    store::audit::record(
        tx,
        &store::audit::Entry {
            encounter_id: q.encounter,
            object: text,
            detail: &format!("{} notes, {} shown", r.total, r.hits.len()),
            subjects: &subjects,
            ..store::audit::Entry::new(&store::now(), login, store::audit::AuditAction::SearchNotes)
        },
    )?;
    Ok(())
}
