//! Indexes opened on first use: a command that searches no codes opens no code index, and the
//! workstation opens it off the first-frame path (the search thread asks first, or a warm-up
//! thread). A missing or stale index is still rebuilt, by whoever asks first, under the index lock.
use super::{DataDir, SetupProgress, setup};
use crate::search::{CodeHit, CodeIndex, CodeQuery};
use crate::store;
use anyhow::{Context, Result};
use rusqlite::Connection;
use std::sync::{Arc, Mutex, MutexGuard};

/// The code index of one data directory, opened by the first caller (cheap to clone; share it with
/// search threads).
#[derive(Clone)]
pub struct CodeIndexHandle {
    inner: Arc<HandleInner>,
}

struct HandleInner {
    data: DataDir,
    index: Mutex<Option<CodeIndex>>,
}

impl std::fmt::Debug for CodeIndexHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CodeIndexHandle(open: {})", self.is_open())
    }
}

impl CodeIndexHandle {
    pub(super) fn new(data: &DataDir) -> CodeIndexHandle {
        CodeIndexHandle {
            inner: Arc::new(HandleInner {
                data: data.clone(),
                index: Mutex::new(None),
            }),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Option<CodeIndex>> {
        // A panic while opening leaves the slot empty or filled, never half-written.
        self.inner.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the index has been opened in this process.
    pub fn is_open(&self) -> bool {
        self.slot().is_some()
    }

    /// The index, opened (or rebuilt) now if this is the first use. Without `conn` a connection of
    /// its own is opened, so any thread may call this. Callers wait while another opens it.
    pub(super) fn get_with(
        &self,
        conn: Option<&Connection>,
        progress: &mut SetupProgress<'_>,
    ) -> Result<CodeIndex> {
        let mut slot = self.slot();
        if let Some(ix) = slot.as_ref() {
            return Ok(ix.clone());
        }
        let own;
        let conn = match conn {
            Some(c) => c,
            None => {
                let db = self.inner.data.db_path();
                own = store::open(&db)
                    .with_context(|| format!("opening {} to open the code index", db.display()))?;
                &own
            }
        };
        let ix = setup::ensure_code_index(conn, &self.inner.data, progress)?;
        *slot = Some(ix.clone());
        Ok(ix)
    }

    /// The index, opened now with a connection of its own if this is the first use.
    pub fn get(&self) -> Result<CodeIndex> {
        self.get_with(None, &mut |_, _, _| {})
    }

    /// Replaces the index (after an import or a rebuild in this process).
    pub(super) fn set(&self, ix: CodeIndex) {
        *self.slot() = Some(ix);
    }

    /// Searches codes, opening the index first if needed.
    pub fn search(&self, query: &str, q: &CodeQuery) -> Result<Vec<CodeHit>> {
        self.get()?.search(query, q)
    }

    /// Opens the index on a thread of its own, so it is ready by the time it is wanted; errors are
    /// logged (the next search reports them).
    pub fn warm_up(&self) {
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("code-index-open".into())
            .spawn(move || {
                if let Err(e) = me.get() {
                    tracing::warn!("opening the code index in the background: {e:#}");
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot start the code index thread: {e}");
        }
    }
}

/// What `chartdesk reindex --verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeIndexCheck {
    /// Every byte matched its checksum (the table's size in bytes).
    Sound {
        dir: std::path::PathBuf,
        table_bytes: u64,
    },
    /// It was damaged or missing (why) and has been rebuilt.
    Rebuilt { problem: String },
}

impl super::Service {
    /// Reads the whole current code index against its checksums (admins); a damaged or missing one
    /// is rebuilt. Opening never does this: it reads the table in place.
    pub fn verify_code_index(
        &mut self,
        progress: &mut SetupProgress<'_>,
    ) -> Result<CodeIndexCheck> {
        self.require(crate::domain::Permission::Administer, "rebuild indexes")?;
        let problem = match setup::current_index_dir(&self.data)? {
            None => "there is no current code index".to_string(),
            Some(dir) => match CodeIndex::verify(&dir) {
                Ok(table_bytes) => return Ok(CodeIndexCheck::Sound { dir, table_bytes }),
                Err(e) => format!("{e:#}"),
            },
        };
        tracing::warn!("code index failed verification, rebuilding: {problem}");
        self.reindex_codes(progress)?;
        Ok(CodeIndexCheck::Rebuilt { problem })
    }
}
