//! Turns what a coder typed into weighted slots of alternative term sets, ready for retrieval and ranking.
//!
//! Each slot stands for one idea of the query (a word, or a phrase a synonym recognised) and holds
//! alternatives: the literal words (exact, stemmed, compound, misspelling-corrected, or — for the word
//! still being typed — completed), and the synonym expansions. A slot is satisfied by its best alternative.
use super::analyze::{Analyzer, F_NEG, F_STOP, Word, split_words};
use super::fuzzy::{allowed_edits, distance};
use super::synonyms::Synonyms;
use super::table::Table;

/// One word an alternative needs: any of `terms` (term id, quality) satisfies it.
#[derive(Debug, Clone, Default)]
pub(crate) struct AltWord {
    pub terms: Vec<(u32, f32)>,
    /// The word is wanted absent ("without coma"): it matches negated title words.
    pub neg: bool,
    pub stop: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Alt {
    /// Indices into `Compiled::words`.
    pub words: Vec<usize>,
    pub quality: f32,
    /// "chf → congestive heart failure" when this alternative came from the synonym list.
    pub synonym: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub weight: f32,
    pub alts: Vec<Alt>,
}

#[derive(Debug, Default)]
pub(crate) struct Compiled {
    pub slots: Vec<Slot>,
    pub words: Vec<AltWord>,
    /// Terms to retrieve candidates with, and their boosts.
    pub retrieval: Vec<(u32, f32)>,
    /// The query names a procedure (root operation, "-ectomy" ...): ICD-10-PCS is not penalised.
    pub procedure_like: bool,
    /// The ICD-10-PCS axes the query states (root operation, approach, diagnostic qualifier).
    pub pcs: super::pcs_axes::Stated,
}

const Q_EXACT: f32 = 1.0;
const Q_SYNONYM: f32 = 0.97;
const Q_PREFIX: f32 = 0.95;
const Q_PREFIX_LOW: f32 = 0.8;
const Q_PREFIX_OF_WORD: f32 = 0.85;
const Q_FUZZY1: f32 = 0.85;
const Q_FUZZY2: f32 = 0.7;
const STOP_WEIGHT: f32 = 0.1;
const UNKNOWN_WEIGHT: f32 = 0.5;

/// A word's weight from its rarity: common words ("right", "initial") count less than rare ones.
fn idf_weight(df: u32, n: usize) -> f32 {
    let idf = ((n.max(2) as f32) / (df as f32 + 1.0)).ln().max(0.0);
    0.25 + 0.75 * (idf / 8.0).min(1.0)
}

const PROCEDURE_WORDS: &[&str] = &[
    "alteration",
    "bypass",
    "change",
    "control",
    "creation",
    "destruction",
    "detachment",
    "dilation",
    "division",
    "drainage",
    "excision",
    "extirpation",
    "extraction",
    "fragmentation",
    "fusion",
    "insertion",
    "inspection",
    "occlusion",
    "reattachment",
    "release",
    "removal",
    "repair",
    "replacement",
    "reposition",
    "resection",
    "restriction",
    "revision",
    "supplement",
    "transfer",
    "transplantation",
    "transfusion",
    "ventilation",
    "imaging",
    "fluoroscopy",
    "ultrasonography",
    "introduction",
    "irrigation",
    "measurement",
    "monitoring",
    "administration",
    "assistance",
    "performance",
    "restoration",
    "percutaneous",
    "endoscopic",
    "approach",
    "biopsy",
    "intubation",
    "catheterization",
    "amputation",
    "anastomosis",
    "implantation",
    "ligation",
    "dialysis",
];
const PROCEDURE_SUFFIXES: &[&str] = &[
    "ectomy", "otomy", "ostomy", "plasty", "scopy", "graphy", "pexy", "rrhaphy", "tripsy",
    "centesis", "desis",
];

fn is_procedure_word(w: &str) -> bool {
    PROCEDURE_WORDS.contains(&w)
        || PROCEDURE_SUFFIXES
            .iter()
            .any(|s| w.len() > s.len() + 2 && w.ends_with(s))
}

/// How many completions a word being typed expands to, by its length.
fn prefix_budget(len: usize) -> usize {
    match len {
        0 => 0,
        1 => 6,
        2 => 10,
        3 => 20,
        _ => 40,
    }
}

struct Compiler<'a> {
    table: &'a Table,
    analyzer: Analyzer,
    out: Compiled,
}

impl Compiler<'_> {
    fn push_word(&mut self, w: AltWord) -> usize {
        self.out.words.push(w);
        self.out.words.len() - 1
    }

    /// The literal alternatives of one query word: [the word itself] and, for a word written as one
    /// that the tabular hyphenates, [its parts]; and the word's weight (rarer words weigh more).
    fn literal(
        &mut self,
        w: &Word,
        term: &str,
        open: bool,
        from_synonym: bool,
    ) -> (usize, Option<Vec<usize>>, f32) {
        let t = self.table;
        let neg = w.flags & F_NEG != 0;
        let stop = w.flags & F_STOP != 0;
        let mut aw = AltWord {
            terms: Vec::new(),
            neg,
            stop,
        };
        let stem = t.term_id(term);
        let known = t.surface(&w.text).is_some();
        let compound = t.compound(&w.text).map(<[u32]>::to_vec);
        let digits = w.text.bytes().any(|b| b.is_ascii_digit());
        let df = |id: u32| t.df(id);
        if let Some(id) = stem {
            aw.terms.push((id, Q_EXACT));
        }
        let mut completed = false;
        // A short word that is already a word ("c" in "hepatitis c") is not a prefix of another.
        let short_word = stem.is_some() && w.text.len() <= 2;
        if open && !from_synonym && !digits && !short_word {
            let mut found: Vec<(u32, u32)> = t
                .surfaces_with_prefix(&w.text)
                .filter(|(s, _)| s.len() > w.text.len())
                .map(|(_, id)| (df(id), id))
                .collect();
            found.sort_unstable_by(|a, b| b.cmp(a));
            found.dedup_by_key(|x| x.1);
            let top = found.first().map_or(1, |x| x.0.max(1)) as f32;
            for (d, id) in found.into_iter().take(prefix_budget(w.text.len())) {
                if !aw.terms.iter().any(|x| x.0 == id) {
                    let mut q = Q_PREFIX_LOW + (Q_PREFIX - Q_PREFIX_LOW) * (d as f32 / top).sqrt();
                    if stem.is_some() {
                        // The word is complete as typed; completions are the lesser reading.
                        q = q.min(Q_PREFIX_OF_WORD);
                    }
                    aw.terms.push((id, q));
                    completed = true;
                }
            }
        }
        let max = allowed_edits(w.text.len());
        if !known && compound.is_none() && !completed && max > 0 && !digits && !from_synonym {
            let near = self.fuzzy(&w.text, max);
            // A misspelling whose stem happens to be a rare word ("migrane" → "migrans") should not
            // beat the common word it was meant to be ("migraine").
            let keep_stem = match (stem, near.first()) {
                (_, None) => true,
                (Some(s), Some(&(_, id))) => id == s || df(id) <= 3 * df(s).max(1),
                (None, Some(_)) => false,
            };
            if !keep_stem {
                aw.terms.clear();
                if let Some(s) = stem {
                    aw.terms.push((s, Q_FUZZY2));
                }
                for (i, &(_, id)) in near.iter().enumerate() {
                    let q = if i == 0 { Q_FUZZY1 } else { Q_FUZZY2 };
                    match aw.terms.iter_mut().find(|x| x.0 == id) {
                        Some(x) => x.1 = x.1.max(q),
                        None => aw.terms.push((id, q)),
                    }
                }
            }
        }
        let weight = if stop {
            STOP_WEIGHT
        } else {
            let base = stem
                .or_else(|| aw.terms.first().map(|x| x.0))
                .or(compound.as_ref().and_then(|c| c.first().copied()));
            match base {
                Some(id) => idf_weight(df(id), t.entry_count()),
                None => UNKNOWN_WEIGHT,
            }
        };
        let main = self.push_word(aw);
        let parts = compound.map(|ids| {
            ids.into_iter()
                .map(|t| {
                    self.push_word(AltWord {
                        terms: vec![(t, Q_EXACT)],
                        neg,
                        stop: false,
                    })
                })
                .collect()
        });
        (main, parts, weight)
    }

    /// Vocabulary words within the allowed edits (same first letter), nearest and most common first:
    /// (distance, term).
    fn fuzzy(&mut self, word: &str, max: usize) -> Vec<(usize, u32)> {
        let first = &word[..1];
        let mut best: Vec<(usize, u32, u32)> = Vec::new();
        for (s, t) in self.table.surfaces_with_prefix(first) {
            if s.len().abs_diff(word.len()) > max || s.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            if let Some(d) = distance(word.as_bytes(), s.as_bytes(), max) {
                let df = self.table.df(t);
                best.push((d, u32::MAX - df, t));
            }
        }
        best.sort_unstable();
        let d0 = best.first().map_or(0, |x| x.0);
        let mut out: Vec<(usize, u32)> = Vec::new();
        for (d, _, t) in best.into_iter().filter(|x| x.0 == d0) {
            if !out.iter().any(|x| x.1 == t) {
                out.push((d, t));
            }
            if out.len() == 4 {
                break;
            }
        }
        out
    }

    fn expansion_words(&mut self, words: &[Word], negate: bool) -> Vec<usize> {
        let content: Vec<&Word> = words.iter().filter(|w| w.flags & F_STOP == 0).collect();
        let chosen: Vec<&Word> = if content.is_empty() {
            words.iter().collect()
        } else {
            content
        };
        chosen
            .into_iter()
            .map(|w| {
                let term = self.analyzer.term(&w.text);
                let terms = self
                    .table
                    .term_id(&term)
                    .map(|t| vec![(t, Q_EXACT)])
                    .unwrap_or_default();
                let neg = negate ^ (w.flags & F_NEG != 0);
                self.push_word(AltWord {
                    terms,
                    neg,
                    stop: w.flags & F_STOP != 0,
                })
            })
            .collect()
    }
}

/// Compiles a free-text query. `synonyms` are matched on the query's words.
pub(crate) fn compile(table: &Table, synonyms: &Synonyms, query: &str) -> Compiled {
    let words = split_words(query);
    let open_last = !query.ends_with(|c: char| c.is_whitespace() || c == ',' || c == ';');
    let mut c = Compiler {
        table,
        analyzer: Analyzer::new(),
        out: Compiled::default(),
    };
    let terms: Vec<String> = words.iter().map(|w| c.analyzer.term(&w.text)).collect();
    let found = synonyms.find(&words, &terms, open_last);
    let mut procedure = words.iter().any(|w| is_procedure_word(&w.text));
    let mut i = 0;
    let mut next_syn = found.iter().peekable();
    while i < words.len() {
        let syn = next_syn.next_if(|f| f.start == i).copied();
        let end = syn.map_or(i + 1, |f| f.end);
        let span = &words[i..end];
        let content = span.iter().filter(|w| w.flags & F_STOP == 0).count();
        let mut slot = Slot {
            weight: 0.0,
            alts: Vec::new(),
        };
        // Literal alternatives: every content word of the span (or the stop word alone).
        let mut lit = Vec::new();
        let mut compound_alt: Option<Vec<usize>> = None;
        for (k, w) in span.iter().enumerate() {
            let j = i + k;
            if content > 0 && w.flags & F_STOP != 0 {
                continue;
            }
            let open = open_last && j + 1 == words.len();
            // A word a synonym recognised in full is not completed or corrected; one it only
            // recognised by its start ("heart att") still is.
            let settled = syn.is_some_and(|f| !(f.prefix_last && open));
            let (main, parts, weight) = c.literal(w, &terms[j], open, settled);
            slot.weight += weight;
            lit.push(main);
            if span.len() == 1 {
                compound_alt = parts;
            }
        }
        slot.alts.push(Alt {
            words: lit,
            quality: Q_EXACT,
            synonym: None,
        });
        if let Some(parts) = compound_alt {
            slot.alts.push(Alt {
                words: parts,
                quality: Q_EXACT,
                synonym: None,
            });
        }
        if let Some(f) = syn {
            slot.weight = slot.weight.max(1.0);
            let entry = &synonyms.entries[f.index];
            let negate = span.first().is_some_and(|w| w.flags & F_NEG != 0);
            for (text, ewords) in &entry.expansions {
                procedure |= ewords.iter().any(|w| is_procedure_word(&w.text));
                let ws = c.expansion_words(ewords, negate);
                let label = format!("{} → {}", entry.key_text, text);
                slot.alts.push(Alt {
                    words: ws,
                    quality: Q_SYNONYM,
                    synonym: Some(label),
                });
            }
        }
        c.out.slots.push(slot);
        i = end;
    }
    c.out.procedure_like = procedure;
    let mut retrieval: Vec<(u32, f32)> = Vec::new();
    for w in &c.out.words {
        if w.stop {
            continue;
        }
        for &(t, q) in &w.terms {
            match retrieval.iter_mut().find(|x| x.0 == t) {
                Some(x) => x.1 = x.1.max(q),
                None => retrieval.push((t, q)),
            }
        }
    }
    c.out.retrieval = retrieval;
    c.out
}
