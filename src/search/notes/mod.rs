//! The notes index: a derived tantivy index over clinical note bodies held in SQLite.
//!
//! Text is indexed with positions as exact forms, English stems and stem pairs (so phrases are term
//! lookups) — and never stored: bodies
//! stay in SQLite, and snippets are cut from the body read there. Ids and filter fields (note type,
//! encounter type, author, written date, patient, encounter) are fast fields. Every commit carries
//! `Marks` in its payload: the highest note row id and note-change sequence it includes, so the
//! service can bring an index up to date cheaply and detect one that lost its way.
pub mod analyzer;
mod compile;
mod guard;
mod onepass;
pub mod query;
mod search;
mod stems;
mod writer;

pub use query::{Filter, ParsedQuery, Unit};
pub use search::{HitSnippet, RawHit, RawResult, SearchRequest, SnippetMaker};
pub use writer::{NoteDoc, NotesWriter};

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, ReloadPolicy};

/// Bumped whenever the schema or the analyzers change: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteOrder {
    /// Best match first (BM25, exact forms above stemmed ones).
    #[default]
    Relevance,
    /// Newest note first.
    Newest,
    /// Oldest note first.
    Oldest,
}

/// What an index commit includes, stored in the commit's payload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Marks {
    pub schema: u32,
    /// Every note with a row id up to this one is in the index (as of `change`).
    pub rowid: i64,
    /// Every note change (update, delete, encounter retype) up to this sequence is applied.
    pub change: i64,
}

/// The index's fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub exact: Field,
    pub stem: Field,
    pub pairs: Field,
    pub note_type: Field,
    pub enc_type: Field,
    pub author: Field,
    pub encounter: Field,
    pub patient: Field,
    pub written: Field,
}

pub(crate) const F_ID: &str = "id";
pub(crate) const F_WRITTEN: &str = "written";

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let id = b.add_u64_field(F_ID, INDEXED | FAST);
    let exact = b.add_text_field("exact", text(analyzer::EXACT));
    let stem = b.add_text_field("stem", text(analyzer::STEMMED));
    let pairs = b.add_text_field("pairs", text(analyzer::BIGRAM));
    let note_type = b.add_text_field("note_type", STRING | FAST);
    let enc_type = b.add_text_field("enc_type", STRING | FAST);
    let author = b.add_text_field(
        "author",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer::NAME)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    let encounter = b.add_u64_field("encounter", INDEXED | FAST);
    let patient = b.add_u64_field("patient", INDEXED | FAST);
    let written = b.add_date_field(F_WRITTEN, INDEXED | FAST);
    (
        b.build(),
        Fields {
            id,
            exact,
            stem,
            pairs,
            note_type,
            enc_type,
            author,
            encounter,
            patient,
            written,
        },
    )
}

/// An open notes index. Cheap to clone; searchers are taken per query and see new commits within a
/// second (the reader reloads when `meta.json` changes).
#[derive(Clone)]
pub struct NotesIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: PathBuf,
}

impl NotesIndex {
    /// Creates an empty index in `dir` (which must be empty) with zero marks committed, and returns
    /// it with its writer (held from the start, so nobody mistakes it for an abandoned index).
    pub fn create(dir: &Path, threads: usize) -> Result<(NotesIndex, NotesWriter)> {
        let (schema, _) = schema();
        let index = Index::create_in_dir(dir, schema)
            .with_context(|| format!("creating the notes index in {}", dir.display()))?;
        analyzer::register(&index);
        let ix = Self::wrap(index, dir)?;
        let mut w = ix.writer(threads)?;
        w.commit(Marks {
            schema: SCHEMA_VERSION,
            rowid: 0,
            change: 0,
        })?;
        Ok((ix, w))
    }

    /// Opens the index in `dir`; fails if it is missing, unreadable, or of another schema version.
    pub fn open(dir: &Path) -> Result<NotesIndex> {
        let index = Index::open_in_dir(dir)
            .with_context(|| format!("opening the notes index in {}", dir.display()))?;
        let (expected, _) = schema();
        if index.schema() != expected {
            bail!("the notes index in {} has another schema", dir.display());
        }
        analyzer::register(&index);
        let ix = Self::wrap(index, dir)?;
        let marks = ix.marks()?;
        if marks.schema != SCHEMA_VERSION {
            bail!(
                "the notes index in {} is of schema version {}, this chartdesk uses {}",
                dir.display(),
                marks.schema,
                SCHEMA_VERSION
            );
        }
        Ok(ix)
    }

    fn wrap(index: Index, dir: &Path) -> Result<NotesIndex> {
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .with_context(|| format!("opening a reader on the notes index in {}", dir.display()))?;
        Ok(NotesIndex {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                dir: dir.to_path_buf(),
            }),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The marks of the last commit on disk.
    pub fn marks(&self) -> Result<Marks> {
        let meta = self.inner.index.load_metas().with_context(|| {
            format!("reading the notes index state in {}", self.dir().display())
        })?;
        let payload = meta.payload.with_context(|| {
            format!(
                "the notes index in {} has no chartdesk marks",
                self.dir().display()
            )
        })?;
        serde_json::from_str(&payload).with_context(|| {
            format!(
                "the notes index in {} has unreadable marks",
                self.dir().display()
            )
        })
    }

    /// Makes the latest commit visible now (instead of within a second).
    pub fn refresh(&self) -> Result<()> {
        self.inner
            .reader
            .reload()
            .context("reloading the notes index")
    }

    /// Notes in the index (as of the last reload).
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Bytes the index takes on disk.
    pub fn size_bytes(&self) -> u64 {
        dir_size(self.dir())
    }

    /// Files tantivy made in the index directory that no segment of the last commit uses: segments
    /// merged away or written by a process killed before its commit (tantivy removes them when a
    /// writer collects garbage; a writer that dies first leaves them). Bookkeeping and lock files
    /// are not counted.
    pub fn stray_files(&self) -> Result<usize> {
        let metas = self.inner.index.load_metas().with_context(|| {
            format!("reading the notes index state in {}", self.dir().display())
        })?;
        // A segment's files are named by its id; of its delete files only the current one counts.
        let ids: std::collections::HashSet<String> = metas
            .segments
            .iter()
            .map(|m| m.id().uuid_string())
            .collect();
        let dels: std::collections::HashSet<String> = metas
            .segments
            .iter()
            .map(|m| {
                m.relative_path(tantivy::index::SegmentComponent::Delete)
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        // Only files tantivy created count (it lists them before writing them): others it would
        // never remove.
        let managed: std::collections::HashSet<String> =
            match std::fs::read(self.dir().join(".managed.json")) {
                Ok(b) => serde_json::from_slice(&b).unwrap_or_default(),
                Err(_) => return Ok(0),
            };
        let rd = std::fs::read_dir(self.dir())
            .with_context(|| format!("listing the notes index in {}", self.dir().display()))?;
        Ok(rd
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                if !managed.contains(&name) {
                    return false;
                }
                let Some((id, _)) = name.split_once('.') else {
                    return false;
                };
                // Only files named like a segment's (32 hex digits, then an extension).
                if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return false;
                }
                !ids.contains(id) || (name.ends_with(".del") && !dels.contains(&name))
            })
            .count())
    }

    /// Takes the index's single writer. Fails with `WriterBusy` in the chain if another process
    /// (an import, a reindex) holds it.
    pub fn writer(&self, threads: usize) -> Result<NotesWriter> {
        NotesWriter::new(self.clone(), threads)
    }

    pub(crate) fn index(&self) -> &Index {
        &self.inner.index
    }

    pub(crate) fn reader(&self) -> &IndexReader {
        &self.inner.reader
    }

    pub(crate) fn fields(&self) -> Fields {
        self.inner.fields
    }
}

/// Another process holds the notes index writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterBusy;

impl std::fmt::Display for WriterBusy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("another chartdesk process is writing the notes index")
    }
}

impl std::error::Error for WriterBusy {}

fn dir_size(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
