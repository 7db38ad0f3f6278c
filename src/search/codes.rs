//! The code index: build, detect staleness, open, and search codes as the coder types.
//!
//! Layout of an index directory (schema [`SCHEMA_VERSION`]):
//! `manifest.json` (schema, fingerprint, table size and checksum — written last, so a torn build has
//! none), `table.bin` (the compact code table, see `table.rs`) and `tantivy/` (one document per code
//! that is not a 7th-character expansion; fields `own` = title and inclusion terms, `ctx` = ancestors'
//! names and 7th-character meanings, both as analysed terms with positions; `sys`; fast field `idx`).
use super::analyze::F_STOP;
use super::lookup;
use super::pcs_axes::AxisVocab;
use super::query::compile;
use super::rank::{Ranked, Ranker};
use super::synonyms::Synonyms;
use super::table::Table;
use super::variants::{SPREAD, spread_variants};
use crate::domain::code::display_code;
use crate::domain::{CodeEntry, CodeSystem};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

/// Bumped whenever the layout, the analysis or the table format changes: older indexes are rebuilt.
pub const SCHEMA_VERSION: u32 = 2;
const MANIFEST: &str = "manifest.json";
const TABLE: &str = "table.bin";
const TANTIVY: &str = "tantivy";
const TOKENIZER: &str = "chartdesk_terms";
/// Candidates fetched from tantivy for re-ranking.
const CANDIDATES: usize = 400;
const CTX_BOOST: f32 = 0.5;

#[derive(Serialize, Deserialize)]
struct Manifest {
    schema: u32,
    fingerprint: String,
    table_len: u64,
    table_checksum: u64,
    codes: usize,
    documents: usize,
}

/// Options of one search.
#[derive(Clone, Debug)]
pub struct CodeQuery {
    pub limit: usize,
    /// Systems to search; empty means all.
    pub systems: Vec<CodeSystem>,
    pub billable_only: bool,
}

impl Default for CodeQuery {
    fn default() -> Self {
        Self {
            limit: 50,
            systems: Vec::new(),
            billable_only: false,
        }
    }
}

/// One code found.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CodeHit {
    pub system: CodeSystem,
    /// Display form: dotted for ICD-10-CM.
    pub code: String,
    pub title: String,
    pub billable: bool,
    pub score: f32,
    /// The inclusion term or synonym that matched when it was not the title.
    pub matched: Option<String>,
}

struct Fields {
    idx: Field,
    sys: Field,
    own: Field,
    ctx: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let idx = b.add_u64_field("idx", FAST);
    let sys = b.add_text_field("sys", STRING);
    let own = b.add_text_field("own", text.clone());
    let ctx = b.add_text_field("ctx", text);
    (b.build(), Fields { idx, sys, own, ctx })
}

fn register_tokenizer(index: &Index) {
    index.tokenizers().register(
        TOKENIZER,
        TextAnalyzer::from(WhitespaceTokenizer::default()),
    );
}

fn sys_key(s: CodeSystem) -> &'static str {
    s.short()
}

struct Inner {
    table: Table,
    synonyms: Synonyms,
    axes: AxisVocab,
    reader: IndexReader,
    fields: Fields,
}

/// The code search index: one per process (cheap to clone), a searcher per query.
#[derive(Clone)]
pub struct CodeIndex {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for CodeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CodeIndex({} codes)", self.inner.table.entry_count())
    }
}

fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading code index manifest {}", path.display()))?;
    let m: Manifest = serde_json::from_str(&text).with_context(|| {
        format!(
            "code index manifest {} is corrupt; rebuild the index",
            path.display()
        )
    })?;
    if m.schema != SCHEMA_VERSION {
        bail!(
            "code index in {} has schema {} but this chartdesk needs {SCHEMA_VERSION}; rebuild the index",
            dir.display(),
            m.schema
        );
    }
    Ok(m)
}

/// Checks the table file's size against the manifest (cheap: one `stat`; the checksum is verified
/// at build and by `verify`).
fn check_table_size(dir: &Path, m: &Manifest) -> Result<()> {
    let path = dir.join(TABLE);
    let len = std::fs::metadata(&path)
        .with_context(|| format!("reading code table {}", path.display()))?
        .len();
    if len != m.table_len {
        bail!(
            "code table {} is {len} bytes but its manifest says {}: it is torn or replaced; \
             rebuild the index (chartdesk reindex)",
            path.display(),
            m.table_len
        );
    }
    Ok(())
}

/// Reads the whole table file and compares it with the checksum written at build.
fn verify_table(dir: &Path, m: &Manifest) -> Result<()> {
    check_table_size(dir, m)?;
    let path = dir.join(TABLE);
    let data =
        std::fs::read(&path).with_context(|| format!("reading code table {}", path.display()))?;
    if data.len() as u64 != m.table_len || super::binio::checksum(&data) != m.table_checksum {
        bail!(
            "code table {} is corrupt (size or checksum differ); rebuild the index \
             (chartdesk reindex)",
            path.display()
        );
    }
    Ok(())
}

/// Where a build is written before it replaces `dir`.
fn staging_dir(dir: &Path) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .with_context(|| format!("index directory {} has no name", dir.display()))?;
    let mut staged = name.to_os_string();
    staged.push(format!(".building-{}", std::process::id()));
    Ok(dir.with_file_name(staged))
}

impl CodeIndex {
    /// Builds (replacing) the index in `dir` from code-set entries. Only `EntryKind::Code` entries
    /// are indexed. `fingerprint` is stored so callers can detect staleness. Reports progress(done, total)
    /// in documents.
    pub fn build(
        dir: &Path,
        entries: &[CodeEntry],
        fingerprint: &str,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<()> {
        let table = Table::build(entries).context("analysing code-set entries for the index")?;
        let staging = staging_dir(dir)?;
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("removing stale build directory {}", staging.display()))?;
        }
        let tdir = staging.join(TANTIVY);
        std::fs::create_dir_all(&tdir)
            .with_context(|| format!("creating index directory {}", tdir.display()))?;
        let (schema, f) = schema();
        let index = Index::create_in_dir(&tdir, schema)
            .with_context(|| format!("creating tantivy index in {}", tdir.display()))?;
        register_tokenizer(&index);
        let mut writer = index
            .writer_with_num_threads::<TantivyDocument>(1, 200_000_000)
            .context("opening the code index writer")?;
        let docs: Vec<usize> = (0..table.entry_count())
            .filter(|&i| table.entry(i).seventh == 0)
            .collect();
        let total = docs.len();
        progress(0, total);
        let mut own = String::new();
        let mut ctx = String::new();
        for (n, &i) in docs.iter().enumerate() {
            document_text(&table, i, &mut own, &mut ctx);
            let mut doc = TantivyDocument::new();
            doc.add_u64(f.idx, i as u64);
            doc.add_text(f.sys, sys_key(table.entry(i).system));
            doc.add_text(f.own, &own);
            doc.add_text(f.ctx, &ctx);
            writer
                .add_document(doc)
                .context("adding a code to the index")?;
            if (n + 1) % 10_000 == 0 {
                progress(n + 1, total);
            }
        }
        writer.commit().context("committing the code index")?;
        let segments = index
            .searchable_segment_ids()
            .context("listing index segments")?;
        if segments.len() > 1 {
            writer
                .merge(&segments)
                .wait()
                .context("merging index segments")?;
        }
        writer
            .wait_merging_threads()
            .context("finishing index merges")?;
        let bytes = table.as_bytes();
        std::fs::write(staging.join(TABLE), bytes)
            .with_context(|| format!("writing code table in {}", staging.display()))?;
        let manifest = Manifest {
            schema: SCHEMA_VERSION,
            fingerprint: fingerprint.to_string(),
            table_len: bytes.len() as u64,
            table_checksum: super::binio::checksum(bytes),
            codes: table.entry_count(),
            documents: total,
        };
        let json =
            serde_json::to_string_pretty(&manifest).context("encoding the index manifest")?;
        std::fs::write(staging.join(MANIFEST), json)
            .with_context(|| format!("writing index manifest in {}", staging.display()))?;
        // The one full read of the table: what reached the disk is what was built.
        verify_table(&staging, &manifest)?;
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("removing the old code index {}", dir.display()))?;
        }
        std::fs::rename(&staging, dir).with_context(|| {
            format!(
                "moving the new code index from {} to {}",
                staging.display(),
                dir.display()
            )
        })?;
        progress(total, total);
        Ok(())
    }

    /// The fingerprint stored by `build`, or None if the index is missing, corrupt or of an older
    /// schema version.
    pub fn stored_fingerprint(dir: &Path) -> Option<String> {
        let m = read_manifest(dir).ok()?;
        check_table_size(dir, &m).ok()?;
        dir.join(TANTIVY)
            .join("meta.json")
            .is_file()
            .then_some(m.fingerprint)
    }

    /// Reads every byte of the index: the table against its checksum and tantivy's files against
    /// theirs (`chartdesk reindex --verify`). Returns the size checked.
    pub fn verify(dir: &Path) -> Result<u64> {
        let m = read_manifest(dir)?;
        verify_table(dir, &m)?;
        let tdir = dir.join(TANTIVY);
        let index = Index::open_in_dir(&tdir)
            .with_context(|| format!("opening tantivy code index in {}", tdir.display()))?;
        let bad = index
            .validate_checksum()
            .with_context(|| format!("checking the files of {}", tdir.display()))?;
        if let Some(f) = bad.iter().next() {
            bail!(
                "code index file {} is corrupt ({} file(s) fail their checksum); rebuild the index \
                 (chartdesk reindex)",
                tdir.join(f).display(),
                bad.len()
            );
        }
        Ok(m.table_len)
    }

    pub fn open(dir: &Path) -> Result<CodeIndex> {
        let m = read_manifest(dir)?;
        check_table_size(dir, &m)?;
        let table = Table::open(dir, TABLE)?;
        let tdir = dir.join(TANTIVY);
        let index = Index::open_in_dir(&tdir).with_context(|| {
            format!(
                "opening tantivy code index in {}; rebuild the index",
                tdir.display()
            )
        })?;
        register_tokenizer(&index);
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("opening a code index reader")?;
        let synonyms = Synonyms::builtin()?;
        let axes = AxisVocab::builtin()?;
        Ok(CodeIndex {
            inner: Arc::new(Inner {
                table,
                synonyms,
                axes,
                reader,
                fields,
            }),
        })
    }

    /// Searches codes: a code or code prefix ("E119", "I50.2", "K21.") lists that code then its
    /// descendants; anything else is a free-text search over titles, inclusion terms and synonyms.
    pub fn search(&self, query: &str, q: &CodeQuery) -> Result<Vec<CodeHit>> {
        let query = query.trim_start();
        if query.trim().is_empty() || q.limit == 0 {
            return Ok(Vec::new());
        }
        let t = &self.inner.table;
        // A known term that also spells the start of a code ("dm2", "mi") searches as the term, unless
        // it is typed as a code: with a dot, or exactly a code.
        let as_term = |prefix: &str| {
            !query.contains('.')
                && self.inner.synonyms.is_whole_key(query)
                && !lookup::is_exact_code(t, prefix)
        };
        if let Some(prefix) = lookup::code_like(query).filter(|p| !as_term(p)) {
            let found = lookup::lookup(t, &prefix, q);
            if !found.is_empty() {
                return Ok(found.into_iter().map(|r| self.hit(&r)).collect());
            }
        }
        // A two-letter HCPCS modifier ("GA", "LT") when only HCPCS is searched.
        let word = query.trim().to_ascii_uppercase();
        if q.systems == [CodeSystem::Hcpcs]
            && word.len() == 2
            && word.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            let found = lookup::lookup(t, &word, q);
            if !found.is_empty() {
                return Ok(found.into_iter().map(|r| self.hit(&r)).collect());
            }
        }
        let mut compiled = compile(t, &self.inner.synonyms, query);
        compiled.pcs = self.inner.axes.read(query);
        if compiled.retrieval.is_empty() {
            return Ok(Vec::new());
        }
        let candidates = self.candidates(&compiled.retrieval, q)?;
        let ranker = Ranker::new(t, &compiled);
        let mut ranked: Vec<Ranked> = Vec::with_capacity(candidates.len() * 2);
        for (idx, bm25) in candidates {
            ranker.score(idx, bm25, &mut ranked);
        }
        ranked.retain(|r| {
            let e = t.entry(r.entry as usize);
            (!q.billable_only || e.billable)
                && (q.systems.is_empty() || q.systems.contains(&e.system))
        });
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        ranked.dedup_by_key(|r| r.entry);
        let mut ranked = spread_variants(ranked, SPREAD);
        ranked.truncate(q.limit);
        Ok(ranked.iter().map(|r| self.hit(r)).collect())
    }

    /// Words of synonym expansions that occur nowhere in the indexed code sets, as (term, word): such
    /// an expansion can never match fully, which usually means a typo in the synonym list.
    pub fn unknown_synonym_words(&self) -> Vec<(String, String)> {
        let t = &self.inner.table;
        let mut analyzer = super::analyze::Analyzer::new();
        let mut out = Vec::new();
        for e in &self.inner.synonyms.entries {
            for (_, words) in &e.expansions {
                for w in words {
                    if e.checked
                        && w.flags & F_STOP == 0
                        && t.term_id(&analyzer.term(&w.text)).is_none()
                    {
                        out.push((e.key_text.clone(), w.text.clone()));
                    }
                }
            }
        }
        out
    }

    fn hit(&self, r: &Ranked) -> CodeHit {
        let t = &self.inner.table;
        let e = t.entry(r.entry as usize);
        CodeHit {
            system: e.system,
            code: display_code(e.system, t.code(&e)),
            title: t.title(&e).to_string(),
            billable: e.billable,
            score: r.score,
            matched: r.matched.clone(),
        }
    }

    /// BM25 candidates over the query's terms (title/inclusion terms, and ancestors with less weight).
    fn candidates(&self, terms: &[(u32, f32)], q: &CodeQuery) -> Result<Vec<(u32, f32)>> {
        let f = &self.inner.fields;
        let t = &self.inner.table;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &(term, boost) in terms.iter().take(96) {
            let text = t.term_text(term);
            for (field, b) in [(f.own, boost), (f.ctx, boost * CTX_BOOST)] {
                let tq = TermQuery::new(
                    Term::from_field_text(field, text),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(tq), b))));
            }
        }
        let mut query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        if !q.systems.is_empty() {
            let sys: Vec<(Occur, Box<dyn Query>)> = q
                .systems
                .iter()
                .map(|s| {
                    let tq = TermQuery::new(
                        Term::from_field_text(f.sys, sys_key(*s)),
                        IndexRecordOption::Basic,
                    );
                    (Occur::Should, Box::new(tq) as Box<dyn Query>)
                })
                .collect();
            query = Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (Occur::Must, Box::new(BooleanQuery::new(sys))),
            ]));
        }
        let searcher = self.inner.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())
            .context("searching the code index")?;
        let mut columns = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let col = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .u64("idx")
                        .context("reading code ids from the index; rebuild the index")?,
                ),
            };
            if let Some(idx) = col.first(addr.doc_id)
                && (idx as usize) < t.entry_count()
            {
                out.push((idx as u32, score));
            }
        }
        Ok(out)
    }
}

/// The analysed text of entry `i`: `own` = its names, `ctx` = its ancestors' names and the meanings of
/// its 7th characters.
fn document_text(t: &Table, i: usize, own: &mut String, ctx: &mut String) {
    own.clear();
    ctx.clear();
    let push = |out: &mut String, toks: &[u32]| {
        for &tok in toks {
            if (tok & 0xff) as u8 & F_STOP != 0 {
                continue;
            }
            out.push_str(t.term_text(tok >> 8));
            out.push(' ');
        }
    };
    let e = t.entry(i);
    for n in t.names_of(&e) {
        push(own, t.toks(&n));
    }
    let mut p = e.parent;
    let mut depth = 0;
    while let Some(pe) = t.get_entry(p as usize) {
        for n in t.names_of(&pe) {
            push(ctx, t.toks(&n));
        }
        p = pe.parent;
        depth += 1;
        if depth > 8 {
            break;
        }
    }
    let first = i + 1;
    for k in first..(first + e.ext_count as usize).min(t.entry_count()) {
        for n in t.names_of(&t.entry(k)) {
            push(ctx, t.toks(&n));
        }
    }
}
