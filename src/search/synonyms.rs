//! The coder's abbreviation and synonym list (assets/search/synonyms.tsv), parsed and matched on query words.
//!
//! File format: one entry a line, `<term> TAB <expansion> [TAB <expansion> ...]`; `#` starts a comment
//! line; blank lines are ignored. A term is what a coder types (an abbreviation, a lay term, clinical
//! wording); each expansion is wording used in the tabular list. Matching is on normalised words, so
//! case and punctuation do not matter ("n/v" is the words "n v") and, for words of four letters or more,
//! neither do endings ("kidney stones" matches the term "kidney stone"). An expansion may use "without",
//! "not" or "non" to say what must be absent ("nstemi" → "non st elevation myocardial infarction").
use super::analyze::{Analyzer, F_STOP, Word, is_stop, split_words};
use anyhow::{Result, bail};
use std::collections::HashMap;

/// The built-in list, embedded in the binary.
pub(crate) const BUILTIN: &str = include_str!("../../assets/search/synonyms.tsv");

/// Drug brand names and supply words for HCPCS Level II (assets/search/synonyms_hcpcs.tsv). HCPCS is
/// an imported code set, so these expansions are not checked against the built-in code sets' words.
pub(crate) const BUILTIN_HCPCS: &str = include_str!("../../assets/search/synonyms_hcpcs.tsv");

/// A key word: its text, and its term when endings may be ignored.
#[derive(Debug, Clone)]
struct KeyWord {
    text: String,
    term: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Synonym {
    key: Vec<KeyWord>,
    /// Keys with function words or one- and two-letter words ("a fib", "n/v") must be typed in order;
    /// other keys match their words in any order ("fracture hip" = "hip fracture").
    ordered: bool,
    /// The key as written in the file, for showing what matched.
    pub key_text: String,
    /// Each expansion: its text and its words.
    pub expansions: Vec<(String, Vec<Word>)>,
    /// Whether every expansion word must occur in the built-in code sets (see `unknown_synonym_words`).
    pub checked: bool,
}

/// A synonym found in a query: query words `start..end` matched entry `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub index: usize,
    /// The last query word is still being typed and only starts the key's word ("heart att").
    pub prefix_last: bool,
}

pub(crate) struct Synonyms {
    pub entries: Vec<Synonym>,
    /// Entries by the text (and the term) of their first key word.
    by_first: HashMap<String, Vec<usize>>,
}

fn key_term(analyzer: &mut Analyzer, text: &str) -> Option<String> {
    (text.len() >= 4).then(|| analyzer.term(text))
}

impl Synonyms {
    /// Parses a synonym list; errors name the line and what to fix.
    #[cfg(test)]
    pub(crate) fn parse(source: &str, origin: &str) -> Result<Synonyms> {
        Self::parse_all(&[(source, origin, true)])
    }

    /// Parses several lists into one: (text, origin, whether its expansions are checked against the
    /// built-in code sets).
    pub(crate) fn parse_all(sources: &[(&str, &str, bool)]) -> Result<Synonyms> {
        let mut analyzer = Analyzer::new();
        let mut merged: HashMap<Vec<String>, usize> = HashMap::new();
        let mut entries: Vec<Synonym> = Vec::new();
        for &(source, origin, checked) in sources {
            for (no, line) in source.lines().enumerate() {
                let line = line.trim_end_matches('\r');
                if line.trim().is_empty() || line.trim_start().starts_with('#') {
                    continue;
                }
                let mut fields = line.split('\t');
                let key_text = fields.next().unwrap_or("").trim();
                let key: Vec<KeyWord> = split_words(key_text)
                    .into_iter()
                    .map(|w| KeyWord {
                        term: key_term(&mut analyzer, &w.text),
                        text: w.text,
                    })
                    .collect();
                if key.is_empty() {
                    bail!(
                        "{origin} line {}: the term before the first tab has no words",
                        no + 1
                    );
                }
                let expansions: Vec<(String, Vec<Word>)> = fields
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(|f| (f.to_string(), split_words(f)))
                    .collect();
                if expansions.is_empty() || expansions.iter().any(|(_, w)| w.is_empty()) {
                    bail!(
                        "{origin} line {}: '{key_text}' needs at least one expansion after a tab \
                     (format: term TAB expansion [TAB expansion ...])",
                        no + 1
                    );
                }
                let norm: Vec<String> = key.iter().map(|k| k.text.clone()).collect();
                if let Some(&i) = merged.get(&norm) {
                    entries[i].expansions.extend(expansions);
                    entries[i].checked &= checked;
                    continue;
                }
                merged.insert(norm, entries.len());
                let ordered = key.iter().any(|k| k.text.len() <= 2 || is_stop(&k.text));
                entries.push(Synonym {
                    key,
                    ordered,
                    key_text: key_text.to_string(),
                    expansions,
                    checked,
                });
            }
        }
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let n = if e.ordered { 1 } else { e.key.len() };
            for k in &e.key[..n] {
                by_first.entry(k.text.clone()).or_default().push(i);
                if let Some(t) = &k.term {
                    by_first.entry(format!("~{t}")).or_default().push(i);
                }
            }
        }
        for v in by_first.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        Ok(Synonyms { entries, by_first })
    }

    /// The built-in lists, with the lay names of ICD-10-PCS body parts, devices, laterality and counts
    /// from the axis vocabulary (`assets/search/pcs_axes.tsv`).
    pub(crate) fn builtin() -> Result<Synonyms> {
        let axes = super::pcs_axes::AxisVocab::builtin()?.synonym_lines();
        Self::parse_all(&[
            (BUILTIN, "assets/search/synonyms.tsv", true),
            (BUILTIN_HCPCS, "assets/search/synonyms_hcpcs.tsv", false),
            (&axes, "assets/search/pcs_axes.tsv", true),
        ])
    }

    /// Whether the whole query is one synonym term ("dm2", "mi"): such a query searches as the term
    /// even when it also looks like the start of a code.
    pub(crate) fn is_whole_key(&self, query: &str) -> bool {
        let words = split_words(query);
        let Some(first) = words.first() else {
            return false;
        };
        self.by_first.get(&first.text).is_some_and(|v| {
            v.iter().any(|&i| {
                let k = &self.entries[i].key;
                k.len() == words.len() && k.iter().zip(&words).all(|(k, w)| k.text == w.text)
            })
        })
    }

    /// Finds synonyms in query words, longest first, left to right, without overlaps.
    /// `terms[i]` is the term of `words[i]`; when `open_last` the last word may still be growing and
    /// matches a key word it starts (three letters or more).
    pub(crate) fn find(&self, words: &[Word], terms: &[String], open_last: bool) -> Vec<Found> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut best: Option<Found> = None;
            let mut cands: Vec<usize> = Vec::new();
            if let Some(v) = self.by_first.get(&words[i].text) {
                cands.extend(v);
            }
            if let Some(v) = self.by_first.get(&format!("~{}", terms[i])) {
                cands.extend(v);
            }
            cands.sort_unstable();
            cands.dedup();
            for &c in &cands {
                let e = &self.entries[c];
                let end = if e.ordered {
                    self.match_ordered(e, words, terms, open_last, i)
                } else {
                    self.match_unordered(e, words, terms, open_last, i)
                };
                if let Some((end, prefix_last)) = end
                    && best.is_none_or(|b| end > b.end)
                {
                    best = Some(Found {
                        start: i,
                        end,
                        index: c,
                        prefix_last,
                    });
                }
            }
            match best {
                Some(f) => {
                    out.push(f);
                    i = f.end;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// Whether key word `k` matches query word `w`: Some(false) fully, Some(true) as a prefix of a word
/// still being typed (only for keys of several words, so "hypert" does not become "hyperthyroid").
fn key_matches(k: &KeyWord, w: &Word, term: &str, last_open: bool, multi: bool) -> Option<bool> {
    if k.text == w.text || (k.term.is_some() && k.term.as_deref() == Some(term)) {
        Some(false)
    } else if last_open && multi && w.text.len() >= 3 && k.text.starts_with(&w.text) {
        Some(true)
    } else {
        None
    }
}

impl Synonyms {
    /// The end of the query words matching key `e` word for word from `i`.
    fn match_ordered(
        &self,
        e: &Synonym,
        words: &[Word],
        terms: &[String],
        open_last: bool,
        i: usize,
    ) -> Option<(usize, bool)> {
        let end = i + e.key.len();
        if end > words.len() {
            return None;
        }
        let multi = e.key.len() > 1;
        let mut prefix = false;
        for (j, k) in e.key.iter().enumerate() {
            let last_open = open_last && i + j + 1 == words.len();
            prefix |= key_matches(k, &words[i + j], &terms[i + j], last_open, multi)?;
        }
        Some((end, prefix))
    }

    /// The end of a run of query words from `i` whose content words are exactly the key's words, in any
    /// order (function words in between are skipped).
    fn match_unordered(
        &self,
        e: &Synonym,
        words: &[Word],
        terms: &[String],
        open_last: bool,
        i: usize,
    ) -> Option<(usize, bool)> {
        let multi = e.key.len() > 1;
        let mut prefix = false;
        let mut used = vec![false; e.key.len()];
        let mut need = e.key.len();
        let mut j = i;
        while j < words.len() && need > 0 {
            let w = &words[j];
            let last_open = open_last && j + 1 == words.len();
            if w.flags & F_STOP != 0 && j > i {
                j += 1;
                continue;
            }
            let (k, p) = (0..e.key.len()).find_map(|k| {
                if used[k] {
                    return None;
                }
                key_matches(&e.key[k], w, &terms[j], last_open, multi).map(|p| (k, p))
            })?;
            prefix |= p;
            used[k] = true;
            need -= 1;
            j += 1;
        }
        (need == 0).then_some((j, prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &Synonyms, q: &str, open: bool) -> Vec<(String, Vec<String>)> {
        let mut a = Analyzer::new();
        let words = split_words(q);
        let terms: Vec<String> = words.iter().map(|w| a.term(&w.text)).collect();
        s.find(&words, &terms, open)
            .into_iter()
            .map(|f| {
                let e = &s.entries[f.index];
                (
                    e.key_text.clone(),
                    e.expansions.iter().map(|x| x.0.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn parses_and_matches_longest_first() {
        let s = Synonyms::parse(
            "# test\nchf\tcongestive heart failure\na fib\tatrial fibrillation\nafib\tatrial fibrillation\n\
             kidney stone\tcalculus of kidney\nheart attack\tacute myocardial infarction\n\
             heart\tcardiac\nchf\theart failure\n",
            "test",
        )
        .unwrap();
        let f = find(&s, "Chronic CHF", false);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].1, ["congestive heart failure", "heart failure"]);
        assert_eq!(find(&s, "a-fib with rvr", false)[0].0, "a fib");
        assert_eq!(find(&s, "kidney stones", false)[0].0, "kidney stone");
        assert_eq!(find(&s, "heart attack", false)[0].0, "heart attack");
        assert_eq!(find(&s, "stones of the kidney", false)[0].0, "kidney stone");
        assert!(find(&s, "fib a", false).is_empty());
        assert_eq!(find(&s, "heart att", true)[0].0, "heart attack");
        assert_eq!(find(&s, "heart att", false)[0].0, "heart");
        assert!(find(&s, "a", false).is_empty());
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let err = Synonyms::parse("chf\tcongestive heart failure\nhtn\n", "x.tsv")
            .err()
            .unwrap();
        assert!(err.to_string().contains("x.tsv line 2"), "{err}");
    }

    #[test]
    fn builtin_list_parses_and_is_substantial() {
        let s = Synonyms::builtin().unwrap();
        assert!(
            s.entries.len() >= 300,
            "only {} synonym entries",
            s.entries.len()
        );
    }
}
