//! Notes search from a background thread (search as you type): a handle with its own database
//! connection and notes index reader, which checks the role and audits every search it runs, like
//! `Service::search_notes`.
use super::{LazyNotes, NoteQuery, NoteSearchResult, audit_search, run_search};
use crate::domain::Permission;
use crate::service::{DataDir, Service, ServiceError, require};
use crate::store;
use anyhow::{Context, Result};
use rusqlite::{Connection, TransactionBehavior};

/// Searches notes as the user who opened it. `Send`: move it into a search thread.
pub struct NotesSearcher {
    conn: Connection,
    login: String,
    data: DataDir,
    notes: LazyNotes,
}

impl Service {
    /// A notes searcher for a background thread, acting as this service's user (its own connection
    /// to the database; the same notes index).
    pub fn notes_searcher(&self) -> Result<NotesSearcher> {
        self.require(Permission::ViewCharts, "search notes")?;
        let conn = store::open(&self.data.db_path()).with_context(|| {
            format!(
                "opening {} for the notes search thread",
                self.data.db_path().display()
            )
        })?;
        Ok(NotesSearcher {
            conn,
            login: self.user.login.clone(),
            data: self.data.clone(),
            notes: self.notes.clone(),
        })
    }
}

impl NotesSearcher {
    /// Searches notes: the role is checked again and the search audited in one transaction, as
    /// `Service::search_notes` does.
    pub fn search(&mut self, text: &str, q: &NoteQuery) -> Result<NoteSearchResult> {
        let notes = self.notes.get(&self.conn, &self.data)?;
        let r = run_search(&self.conn, notes, &self.data, text, q)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("waiting for the database write lock")?;
        let me = store::users::get(&tx, &self.login)?
            .filter(|u| u.active)
            .ok_or_else(|| ServiceError::UnknownUser {
                login: self.login.clone(),
            })?;
        require(&me, Permission::ViewCharts, "search notes")?;
        audit_search(&tx, &me.login, text, q, &r)?;
        tx.commit()
            .context("committing the notes search audit row")?;
        Ok(r)
    }
}
