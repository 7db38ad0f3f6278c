//! Writing the notes index: one writer per index, documents added in batches, one commit per batch
//! carrying the marks that say how far the index has come.
use super::{Marks, NotesIndex, WriterBusy};
use anyhow::{Context, Result};
use tantivy::directory::error::LockError;
use tantivy::{DateTime, IndexWriter, TantivyDocument, TantivyError, Term};

/// Memory the writer may use per indexing thread before it flushes a segment to disk.
const BUDGET_PER_THREAD: usize = 48 * 1024 * 1024;

/// One note as the index sees it (borrowed from the caller's row).
#[derive(Debug, Clone, Copy)]
pub struct NoteDoc<'a> {
    pub row_id: i64,
    pub encounter_id: i64,
    pub patient_id: i64,
    pub note_type: &'a str,
    pub enc_type: &'a str,
    pub author: &'a str,
    /// RFC 3339; a bare date is read as midnight UTC.
    pub written_at: &'a str,
    pub body: &'a str,
}

/// Seconds since the epoch for an RFC 3339 time or an ISO date; None if it is neither.
pub fn written_seconds(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

/// The index's single writer. Nothing is visible to searchers until `commit`.
pub struct NotesWriter {
    index: NotesIndex,
    writer: IndexWriter<TantivyDocument>,
    pending: usize,
}

impl NotesWriter {
    pub(super) fn new(index: NotesIndex, threads: usize) -> Result<NotesWriter> {
        let threads = threads.clamp(1, 4);
        let writer = match index
            .index()
            .writer_with_num_threads(threads, threads * BUDGET_PER_THREAD)
        {
            Ok(w) => w,
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                return Err(anyhow::Error::new(WriterBusy)).with_context(|| {
                    format!("opening the notes index in {}", index.dir().display())
                });
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "opening a writer on the notes index in {}",
                        index.dir().display()
                    )
                });
            }
        };
        Ok(NotesWriter {
            index,
            writer,
            pending: 0,
        })
    }

    fn document(&self, d: &NoteDoc<'_>) -> TantivyDocument {
        let f = self.index.fields();
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, d.row_id.max(0) as u64);
        doc.add_text(f.exact, d.body);
        doc.add_text(f.stem, d.body);
        doc.add_text(f.pairs, d.body);
        doc.add_text(f.note_type, d.note_type.trim().to_lowercase());
        doc.add_text(f.enc_type, d.enc_type.trim().to_lowercase());
        doc.add_text(f.author, d.author);
        doc.add_u64(f.encounter, d.encounter_id.max(0) as u64);
        doc.add_u64(f.patient, d.patient_id.max(0) as u64);
        let secs = written_seconds(d.written_at).unwrap_or(0);
        doc.add_date(f.written, DateTime::from_timestamp_secs(secs));
        doc
    }

    /// Adds a note known not to be in the index yet.
    pub fn add(&mut self, d: &NoteDoc<'_>) -> Result<()> {
        let doc = self.document(d);
        self.writer
            .add_document(doc)
            .with_context(|| format!("indexing note row {}", d.row_id))?;
        self.pending += 1;
        Ok(())
    }

    /// Replaces a note that may already be in the index.
    pub fn replace(&mut self, d: &NoteDoc<'_>) -> Result<()> {
        self.delete(d.row_id);
        self.add(d)
    }

    /// Removes a note from the index (no-op if it is not there).
    pub fn delete(&mut self, row_id: i64) {
        let f = self.index.fields();
        self.writer
            .delete_term(Term::from_field_u64(f.id, row_id.max(0) as u64));
        self.pending += 1;
    }

    /// Operations since the last commit.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Commits everything added so far with `marks`, and makes it visible to this process's readers.
    pub fn commit(&mut self, marks: Marks) -> Result<()> {
        let payload = serde_json::to_string(&marks)?;
        let mut prepared = self
            .writer
            .prepare_commit()
            .context("preparing a notes index commit")?;
        prepared.set_payload(&payload);
        prepared.commit().context("committing the notes index")?;
        self.pending = 0;
        crate::search::perms::share_files_like_dir(self.index.dir());
        self.index.refresh()?;
        Ok(())
    }

    /// Drops everything since the last commit.
    pub fn rollback(&mut self) -> Result<()> {
        self.writer
            .rollback()
            .context("rolling back the notes index")?;
        self.pending = 0;
        Ok(())
    }

    /// Removes files no commit uses any more (segments merged away, or left by a writer that was
    /// killed); returns how many.
    pub fn collect_garbage(&self) -> Result<usize> {
        let r = self
            .writer
            .garbage_collect_files()
            .wait()
            .context("removing unused notes index files")?;
        Ok(r.deleted_files.len())
    }

    /// Waits for background segment merges, then releases the writer.
    pub fn finish(self) -> Result<()> {
        let dir = self.index.dir().to_path_buf();
        self.writer
            .wait_merging_threads()
            .context("finishing notes index merges")?;
        crate::search::perms::share_files_like_dir(&dir);
        Ok(())
    }
}
