//! Turning a parsed notes query into tantivy queries.
//!
//! Every word must be found in its stemmed form; the exact form adds to the score, so "fever" ranks
//! notes saying "fever" above notes saying only "fevers". Each query is built twice: `rank` (scored,
//! the shape tantivy can prune when it is a plain word) and `count` (matching only, cheap to count).
//! Both match exactly the same notes.
use super::analyzer::{self, QueryToken};
use super::guard::Forward;
use super::query::{Filter, ParsedQuery, Unit};
use super::{Fields, NotesIndex};
use anyhow::Result;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime, Searcher, Term};

/// Score multiplier for the exact (unstemmed) form of a word or phrase.
const EXACT_BOOST: f32 = 1.5;
/// A prefix expands to at most this many words (the most frequent ones).
const PREFIX_EXPANSIONS: usize = 48;
/// Prefixes shorter than this are searched as whole words.
const MIN_PREFIX_CHARS: usize = 2;
/// Terms scanned per segment when expanding a prefix.
const PREFIX_SCAN_LIMIT: usize = 20_000;

pub(super) struct Compiled {
    /// None: nothing to search for.
    pub rank: Option<Box<dyn Query>>,
    pub count: Option<Box<dyn Query>>,
    /// Stemmed tokens to highlight, with weights.
    pub highlight: BTreeMap<String, f32>,
    /// False when only filters constrain the search (results are then listed newest first).
    pub has_text: bool,
    /// The rank query is a plain union of term queries: collect top hits (pruned) and count
    /// separately. Otherwise one pass collects both.
    pub terms_only: bool,
}

struct Part {
    rank: Box<dyn Query>,
    count: Box<dyn Query>,
    /// A union of term queries: top hits can be pruned and counting is cheap.
    terms_only: bool,
}

struct Compiler<'a> {
    f: Fields,
    searcher: &'a Searcher,
    exact: TextAnalyzer,
    stem: TextAnalyzer,
    name: TextAnalyzer,
    highlight: BTreeMap<String, f32>,
}

pub(super) fn compile(
    ix: &NotesIndex,
    searcher: &Searcher,
    q: &ParsedQuery,
    encounter: Option<i64>,
    patient: Option<i64>,
) -> Result<Compiled> {
    let mut c = Compiler {
        f: ix.fields(),
        searcher,
        exact: analyzer::exact_analyzer(),
        stem: analyzer::stemmed_analyzer_uncached(),
        name: analyzer::name_analyzer(),
        highlight: BTreeMap::new(),
    };
    let mut must: Vec<Part> = Vec::new();
    for group in &q.groups {
        let mut alts: Vec<Part> = Vec::new();
        for u in group {
            if let Some(p) = c.unit(u)? {
                alts.push(p);
            }
        }
        match alts.len() {
            0 => {}
            1 => must.extend(alts),
            _ => {
                let (rank, count): (Vec<_>, Vec<_>) =
                    alts.into_iter().map(|p| (p.rank, p.count)).unzip();
                must.push(Part {
                    rank: Box::new(BooleanQuery::union(rank)),
                    count: Box::new(BooleanQuery::union(count)),
                    terms_only: false,
                });
            }
        }
    }
    let highlight = std::mem::take(&mut c.highlight);
    let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for u in &q.exclude {
        // Exclusions match stemmed forms; they are not highlighted.
        if let Some(p) = c.unit(u)? {
            filters.push((Occur::MustNot, p.count));
        }
    }
    c.highlight.clear();
    for (flt, neg) in &q.filters {
        if let Some(fq) = c.filter(flt) {
            filters.push((if *neg { Occur::MustNot } else { Occur::Must }, fq));
        }
    }
    if let Some(e) = encounter {
        filters.push((Occur::Must, Box::new(u64_term(c.f.encounter, e))));
    }
    if let Some(p) = patient {
        filters.push((Occur::Must, Box::new(u64_term(c.f.patient, p))));
    }
    let has_text = !must.is_empty();
    if must.is_empty() && filters.is_empty() {
        return Ok(Compiled {
            rank: None,
            count: None,
            highlight,
            has_text,
            terms_only: false,
        });
    }
    if must.len() == 1
        && filters.is_empty()
        && let Some(p) = must.pop()
    {
        // A lone word stays a plain union of term queries, which tantivy prunes (block-max WAND).
        return Ok(Compiled {
            rank: Some(p.rank),
            count: Some(p.count),
            highlight,
            has_text,
            terms_only: p.terms_only,
        });
    }
    let mut rank: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut count: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if must.is_empty() {
        rank.push((Occur::Must, Box::new(AllQuery)));
        count.push((Occur::Must, Box::new(AllQuery)));
    }
    for p in must {
        rank.push((Occur::Must, p.rank));
        count.push((Occur::Must, p.count));
    }
    for (occur, fq) in filters {
        let scored_off: Box<dyn Query> = Box::new(ConstScoreQuery::new(fq.box_clone(), 0.0));
        rank.push((occur, scored_off));
        count.push((occur, fq));
    }
    Ok(Compiled {
        rank: Some(Box::new(BooleanQuery::new(rank))),
        count: Some(Box::new(BooleanQuery::new(count))),
        highlight,
        has_text,
        terms_only: false,
    })
}

fn u64_term(field: tantivy::schema::Field, v: i64) -> TermQuery {
    TermQuery::new(
        Term::from_field_u64(field, v.max(0) as u64),
        IndexRecordOption::Basic,
    )
}

fn day_term(field: tantivy::schema::Field, d: chrono::NaiveDate) -> Term {
    let secs = d
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0);
    Term::from_field_date(field, DateTime::from_timestamp_secs(secs))
}

impl Compiler<'_> {
    fn note_highlight(&mut self, stem: &str) {
        let term = Term::from_field_text(self.f.stem, stem);
        let df = self.searcher.doc_freq(&term).unwrap_or(0);
        if df > 0 {
            self.highlight
                .insert(stem.to_string(), 1.0 / (1.0 + df as f32));
        }
    }

    fn unit(&mut self, u: &Unit) -> Result<Option<Part>> {
        let exact = analyzer::query_tokens(&mut self.exact, &u.text);
        let stem = analyzer::query_tokens(&mut self.stem, &u.text);
        if exact.is_empty() || exact.len() != stem.len() {
            return Ok(None);
        }
        if u.prefix {
            return self.prefix(&exact, &stem).map(Some);
        }
        for s in &stem {
            self.note_highlight(&s.text);
        }
        if exact.len() == 1 {
            return Ok(Some(self.word(&exact[0].text, &stem[0].text)));
        }
        // The stemmed phrase decides the match; exact forms of its words add to the score (one
        // positional scorer instead of two).
        let mut rank: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, self.pair_phrase(&stem))];
        for t in &exact {
            let term = TermQuery::new(
                Term::from_field_text(self.f.exact, &t.text),
                IndexRecordOption::WithFreqs,
            );
            rank.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(term), EXACT_BOOST)),
            ));
        }
        Ok(Some(Part {
            rank: Box::new(BooleanQuery::new(rank)),
            count: self.pair_phrase(&stem),
            terms_only: false,
        }))
    }

    fn word(&self, exact: &str, stem: &str) -> Part {
        let e = TermQuery::new(
            Term::from_field_text(self.f.exact, exact),
            IndexRecordOption::WithFreqs,
        );
        let s = TermQuery::new(
            Term::from_field_text(self.f.stem, stem),
            IndexRecordOption::WithFreqs,
        );
        Part {
            rank: Box::new(BooleanQuery::union(vec![
                Box::new(BoostQuery::new(Box::new(e), EXACT_BOOST)),
                Box::new(s),
            ])),
            count: Box::new(TermQuery::new(
                Term::from_field_text(self.f.stem, stem),
                IndexRecordOption::Basic,
            )),
            terms_only: true,
        }
    }

    /// The stemmed phrase as stem pairs: one term for two words, a phrase of pairs for more.
    fn pair_phrase(&self, stem: &[QueryToken]) -> Box<dyn Query> {
        let pairs: Vec<(usize, Term)> = stem
            .windows(2)
            .map(|w| {
                (
                    w[0].position,
                    Term::from_field_text(self.f.pairs, &analyzer::bigram(&w[0].text, &w[1].text)),
                )
            })
            .collect();
        let consecutive = stem.windows(2).all(|w| w[1].position == w[0].position + 1);
        if !consecutive {
            return self.phrase(self.f.stem, stem);
        }
        match pairs.len() {
            0 => Box::new(tantivy::query::EmptyQuery),
            1 => Box::new(TermQuery::new(
                pairs[0].1.clone(),
                IndexRecordOption::WithFreqs,
            )),
            _ => Box::new(Forward(Box::new(PhraseQuery::new_with_offset(pairs)))),
        }
    }

    /// A phrase query, guarded against backward seeks (see `guard`).
    fn phrase(&self, field: tantivy::schema::Field, toks: &[QueryToken]) -> Box<dyn Query> {
        Box::new(Forward(Box::new(PhraseQuery::new_with_offset(
            toks.iter()
                .map(|t| (t.position, Term::from_field_text(field, &t.text)))
                .collect(),
        ))))
    }

    /// The last token is a prefix: expand it to the most frequent indexed words that start with it.
    fn prefix(&mut self, exact: &[QueryToken], stem: &[QueryToken]) -> Result<Part> {
        let last = &exact[exact.len() - 1];
        if last.text.chars().count() < MIN_PREFIX_CHARS {
            let u = Unit {
                text: exact
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                phrase: exact.len() > 1,
                prefix: false,
            };
            return match self.unit(&u)? {
                Some(p) => Ok(p),
                None => Ok(Part {
                    rank: Box::new(tantivy::query::EmptyQuery),
                    count: Box::new(tantivy::query::EmptyQuery),
                    terms_only: false,
                }),
            };
        }
        for s in &stem[..stem.len() - 1] {
            self.note_highlight(&s.text);
        }
        let expansions = self.expand(&last.text)?;
        for w in &expansions {
            let s = analyzer::query_tokens(&mut self.stem, w);
            if let Some(t) = s.first() {
                let t = t.text.clone();
                self.note_highlight(&t);
            }
        }
        if exact.len() > 1 {
            let mut q = PhrasePrefixQuery::new_with_offset(
                exact
                    .iter()
                    .map(|t| (t.position, Term::from_field_text(self.f.exact, &t.text)))
                    .collect(),
            );
            q.set_max_expansions(PREFIX_EXPANSIONS as u32);
            return Ok(Part {
                rank: Box::new(Forward(Box::new(q.clone()))),
                count: Box::new(Forward(Box::new(q))),
                terms_only: false,
            });
        }
        // The word as typed ranks above its completions.
        let mut rank: Vec<Box<dyn Query>> = vec![Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(self.f.exact, &last.text),
                IndexRecordOption::WithFreqs,
            )),
            EXACT_BOOST * 2.0,
        ))];
        let mut count: Vec<Box<dyn Query>> = vec![Box::new(TermQuery::new(
            Term::from_field_text(self.f.exact, &last.text),
            IndexRecordOption::Basic,
        ))];
        for w in expansions.iter().filter(|w| **w != last.text) {
            rank.push(Box::new(TermQuery::new(
                Term::from_field_text(self.f.exact, w),
                IndexRecordOption::WithFreqs,
            )));
            count.push(Box::new(TermQuery::new(
                Term::from_field_text(self.f.exact, w),
                IndexRecordOption::Basic,
            )));
        }
        Ok(Part {
            rank: Box::new(BooleanQuery::union(rank)),
            count: Box::new(BooleanQuery::union(count)),
            terms_only: true,
        })
    }

    /// Indexed exact words starting with `prefix`, most frequent first.
    fn expand(&self, prefix: &str) -> Result<Vec<String>> {
        let mut freq: HashMap<Vec<u8>, u64> = HashMap::new();
        for seg in self.searcher.segment_readers() {
            let inv = seg.inverted_index(self.f.exact)?;
            let dict = inv.terms();
            let mut stream = dict.range().ge(prefix.as_bytes()).into_stream()?;
            let mut scanned = 0;
            while stream.advance() {
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) || scanned >= PREFIX_SCAN_LIMIT {
                    break;
                }
                scanned += 1;
                *freq.entry(key.to_vec()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
        let mut v: Vec<(Vec<u8>, u64)> = freq.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(v.into_iter()
            .take(PREFIX_EXPANSIONS)
            .filter_map(|(k, _)| String::from_utf8(k).ok())
            .collect())
    }

    fn filter(&mut self, f: &Filter) -> Option<Box<dyn Query>> {
        let fields = self.f;
        let terms = |field, values: Vec<String>| -> Box<dyn Query> {
            Box::new(BooleanQuery::union(
                values
                    .iter()
                    .map(|v| {
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, v),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>
                    })
                    .collect(),
            ))
        };
        match f {
            Filter::Types(ts) => Some(terms(
                fields.note_type,
                ts.iter().map(|t| t.to_lowercase()).collect(),
            )),
            Filter::Enc(es) => Some(terms(
                fields.enc_type,
                es.iter().map(|e| e.as_str().to_string()).collect(),
            )),
            Filter::Author(a) => {
                let words: Vec<Box<dyn Query>> = analyzer::tokens(&mut self.name, a)
                    .into_iter()
                    .map(|(_, w, _)| {
                        Box::new(TermQuery::new(
                            Term::from_field_text(fields.author, &w),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>
                    })
                    .collect();
                (!words.is_empty())
                    .then(|| Box::new(BooleanQuery::intersection(words)) as Box<dyn Query>)
            }
            Filter::After(d) => Some(Box::new(RangeQuery::new(
                Bound::Included(day_term(fields.written, *d)),
                Bound::Unbounded,
            ))),
            Filter::Before(d) => Some(Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Excluded(day_term(fields.written, *d)),
            ))),
        }
    }
}
