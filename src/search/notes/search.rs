//! Running a notes query: top hits by relevance or date, the total count, and snippets cut from the
//! bodies the caller reads from SQLite.
use super::compile::{self, Compiled};
use super::query::ParsedQuery;
use super::{F_ID, F_WRITTEN, NoteOrder, NotesIndex, analyzer};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::ops::Range;
use tantivy::collector::{Count, TopDocs};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, Order, Searcher};

/// Characters of body around the best-matching place shown in a result list.
pub const SNIPPET_CHARS: usize = 160;

/// A search over the notes index.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    pub query: &'a ParsedQuery,
    /// How many hits to return (0: only count).
    pub limit: usize,
    pub order: NoteOrder,
    /// Only this encounter's notes (encounter row id).
    pub encounter: Option<i64>,
    /// Only this patient's notes (patient row id).
    pub patient: Option<i64>,
}

/// A hit as the index knows it: the note's row id in SQLite and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawHit {
    pub row_id: i64,
    pub score: f32,
}

pub struct RawResult {
    pub hits: Vec<RawHit>,
    /// All notes matching, not only those returned.
    pub total: usize,
    /// Cuts snippets from bodies for this query.
    pub snippets: SnippetMaker,
}

/// A piece of a note body with the matching words marked (byte ranges into `text`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HitSnippet {
    pub text: String,
    pub highlights: Vec<Range<usize>>,
}

/// Makes snippets and highlight ranges for one query, over bodies read from SQLite.
pub struct SnippetMaker {
    terms: BTreeMap<String, f32>,
    field: tantivy::schema::Field,
    analyzer: tantivy::tokenizer::TextAnalyzer,
}

impl SnippetMaker {
    fn new(terms: BTreeMap<String, f32>, field: tantivy::schema::Field) -> SnippetMaker {
        let stems: Vec<String> = terms.keys().cloned().collect();
        SnippetMaker {
            analyzer: analyzer::highlight_analyzer(&stems),
            terms,
            field,
        }
    }

    fn generator(&self, max_chars: usize) -> SnippetGenerator {
        SnippetGenerator::new(
            self.terms.clone(),
            self.analyzer.clone(),
            self.field,
            max_chars,
        )
    }

    /// The best ~160 characters of `body` for this query, on one line, with highlights.
    pub fn snippet(&self, body: &str) -> HitSnippet {
        let s = if self.terms.is_empty() {
            None
        } else {
            let sn = self.generator(SNIPPET_CHARS).snippet(body);
            (!sn.highlighted().is_empty()).then_some(sn)
        };
        let (range, highlights) = match s {
            Some(sn) => (sn.fragment_range(), sn.highlighted().to_vec()),
            None => {
                let mut end = SNIPPET_CHARS.min(body.len());
                while !body.is_char_boundary(end) {
                    end -= 1;
                }
                (0..end, vec![])
            }
        };
        let mut text = String::with_capacity(range.len() + 8);
        let mut shift = 0;
        if range.start > 0 {
            text.push('…');
            shift = '…'.len_utf8();
        }
        // Whitespace becomes spaces of the same byte length, so ranges stay valid.
        text.extend(body[range.clone()].chars().map(
            |c| {
                if c.is_ascii_whitespace() { ' ' } else { c }
            },
        ));
        if range.end < body.trim_end().len() {
            text.push('…');
        }
        HitSnippet {
            text,
            highlights: highlights
                .into_iter()
                .map(|r| r.start + shift..r.end + shift)
                .collect(),
        }
    }

    /// Every place in `body` matching this query (byte ranges, sorted, not overlapping).
    pub fn ranges(&self, body: &str) -> Vec<Range<usize>> {
        if self.terms.is_empty() || body.is_empty() {
            return vec![];
        }
        let sn = self.generator(body.len() + 1).snippet(body);
        let base = sn.fragment_range().start;
        let shifted: Vec<Range<usize>> = sn
            .highlighted()
            .iter()
            .map(|r| r.start + base..r.end + base)
            .collect();
        tantivy::snippet::collapse_overlapped_ranges(&shifted)
    }
}

impl NotesIndex {
    /// Runs a search. Hits carry note row ids; the caller reads bodies from SQLite for snippets.
    pub fn search(&self, req: &SearchRequest<'_>) -> Result<RawResult> {
        let searcher = self.reader().searcher();
        let c = compile::compile(self, &searcher, req.query, req.encounter, req.patient)?;
        let snippets = SnippetMaker::new(c.highlight.clone(), self.fields().stem);
        let Compiled {
            rank,
            count,
            has_text,
            terms_only,
            ..
        } = c;
        let (Some(rank), Some(count)) = (rank, count) else {
            return Ok(RawResult {
                hits: vec![],
                total: 0,
                snippets,
            });
        };
        let order = match (req.order, has_text) {
            (NoteOrder::Relevance, false) => NoteOrder::Newest,
            (o, _) => o,
        };
        let (addrs, total): (Vec<(f32, DocAddress)>, usize) = if req.limit == 0 {
            let n = count.count(&searcher).context("counting matching notes")?;
            (vec![], n)
        } else if order == NoteOrder::Relevance && terms_only {
            // Pruned top hits (block-max WAND), and a count from document frequencies.
            let top = searcher
                .search(&*rank, &TopDocs::with_limit(req.limit).order_by_score())
                .context("searching the notes index")?;
            let n = count.count(&searcher).context("counting matching notes")?;
            (top, n)
        } else if order == NoteOrder::Relevance {
            // One pass collects the top hits and the count.
            let collector = (TopDocs::with_limit(req.limit).order_by_score(), Count);
            searcher
                .search(&*rank, &collector)
                .context("searching the notes index")?
        } else {
            let dir = if order == NoteOrder::Newest {
                Order::Desc
            } else {
                Order::Asc
            };
            let top =
                TopDocs::with_limit(req.limit).order_by_fast_field::<DateTime>(F_WRITTEN, dir);
            let (by_date, n): (Vec<(Option<DateTime>, DocAddress)>, usize) = searcher
                .search(&*count, &(top, Count))
                .context("searching the notes index by date")?;
            (by_date.into_iter().map(|(_, a)| (0.0, a)).collect(), n)
        };
        let hits = row_ids(&searcher, &addrs)?;
        Ok(RawResult {
            hits,
            total,
            snippets,
        })
    }

    /// A snippet maker for `query` without searching (for highlighting one note in a viewer).
    pub fn highlighter(&self, query: &ParsedQuery) -> Result<SnippetMaker> {
        let searcher = self.reader().searcher();
        let c = compile::compile(self, &searcher, query, None, None)?;
        Ok(SnippetMaker::new(c.highlight, self.fields().stem))
    }

    /// Row ids of every note in the index, sorted (for consistency checks and tests).
    pub fn all_row_ids(&self) -> Result<Vec<i64>> {
        let searcher = self.reader().searcher();
        let mut out = Vec::new();
        for seg in searcher.segment_readers() {
            let col = seg.fast_fields().u64(F_ID)?;
            let alive = seg.alive_bitset();
            for doc in 0..seg.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                if let Some(id) = col.first(doc) {
                    out.push(id as i64);
                }
            }
        }
        out.sort_unstable();
        Ok(out)
    }
}

fn row_ids(searcher: &Searcher, addrs: &[(f32, DocAddress)]) -> Result<Vec<RawHit>> {
    let mut cols: BTreeMap<u32, tantivy::columnar::Column<u64>> = BTreeMap::new();
    let mut out = Vec::with_capacity(addrs.len());
    for (score, a) in addrs {
        let col = match cols.entry(a.segment_ord) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => v.insert(
                searcher
                    .segment_reader(a.segment_ord)
                    .fast_fields()
                    .u64(F_ID)
                    .context("reading note ids from the notes index")?,
            ),
        };
        if let Some(id) = col.first(a.doc_id) {
            out.push(RawHit {
                row_id: id as i64,
                score: *score,
            });
        }
    }
    Ok(out)
}
