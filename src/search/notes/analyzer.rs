//! Text analysis for clinical notes: how a body is cut into searchable tokens.
//!
//! Clinical text is full of tokens a plain word tokenizer mangles: "E. coli", "NSTEMI", "2+" edema,
//! "T2DM", "O2 sat 88%". The clinical tokenizer cuts at every character that is not a letter or digit
//! (so "E. coli" and "E.coli" are the phrase `e coli`, "T2DM" stays one token), and when a token is
//! followed directly by `+` or `%` it also emits the token with that sign at the same position, so
//! "88%" is found by both `88` and `88%`, and "2+" by `2` and `2+`. Tokens are lower-cased and folded
//! to ASCII. The stemmed analyzer adds English (Porter 2) stemming on top.
use std::collections::HashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// The analyzer name for exact (unstemmed) note text.
pub const EXACT: &str = "notes_exact";
/// The analyzer name for stemmed note text.
pub const STEMMED: &str = "notes_stem";
/// The analyzer name for names (author): words, lower-cased, folded.
pub const NAME: &str = "notes_name";
/// The analyzer name for stemmed word pairs (phrase queries become term lookups).
pub const BIGRAM: &str = "notes_bigram";

/// Longest token kept, in bytes (longer ones are noise such as base64 or lines of dashes).
const MAX_TOKEN_BYTES: usize = 48;

/// Splits at non-alphanumeric characters; a token directly followed by `+` or `%` is also emitted
/// with that sign, at the same position.
#[derive(Clone, Default)]
pub struct ClinicalTokenizer {
    token: Token,
}

pub struct ClinicalTokenStream<'a> {
    text: &'a str,
    /// Byte offset where scanning resumes.
    cursor: usize,
    token: &'a mut Token,
    /// A signed variant ("88%") to emit after the plain token, at the same position.
    pending_sign: Option<(usize, usize)>,
}

impl Tokenizer for ClinicalTokenizer {
    type TokenStream<'a> = ClinicalTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> ClinicalTokenStream<'a> {
        self.token.reset();
        ClinicalTokenStream {
            text,
            cursor: 0,
            token: &mut self.token,
            pending_sign: None,
        }
    }
}

impl TokenStream for ClinicalTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some((from, to)) = self.pending_sign.take() {
            // Same position as the plain token just emitted.
            self.token.offset_from = from;
            self.token.offset_to = to;
            self.token.text.clear();
            self.token.text.push_str(&self.text[from..to]);
            return true;
        }
        let rest = &self.text[self.cursor..];
        let Some((start_rel, _)) = rest.char_indices().find(|(_, c)| c.is_alphanumeric()) else {
            self.cursor = self.text.len();
            return false;
        };
        let from = self.cursor + start_rel;
        let end_rel = self.text[from..]
            .char_indices()
            .find(|(_, c)| !c.is_alphanumeric())
            .map(|(i, _)| i)
            .unwrap_or(self.text.len() - from);
        let to = from + end_rel;
        self.cursor = to;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        if matches!(self.text.as_bytes().get(to), Some(b'+') | Some(b'%')) {
            self.pending_sign = Some((from, to + 1));
        }
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Exact forms: clinical tokens, lower-cased, ASCII-folded.
pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ClinicalTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Stemmed forms: the exact analyzer plus English stemming (remembered per word).
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ClinicalTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// Stemmed forms without the per-word memory: for short-lived uses (snippets of a few notes), where
/// filling a cache costs more than it saves.
pub fn stemmed_analyzer_uncached() -> TextAnalyzer {
    TextAnalyzer::builder(ClinicalTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Stemmed forms for highlighting: only words that begin like one of `stems` are stemmed (the others
/// cannot match, and stemming is most of the cost of cutting a snippet).
pub fn highlight_analyzer(stems: &[String]) -> TextAnalyzer {
    let mut prefixes: Vec<String> = stems
        .iter()
        .map(|s| s.chars().take(2).collect::<String>())
        .collect();
    prefixes.sort();
    prefixes.dedup();
    TextAnalyzer::builder(ClinicalTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(SomeStemmer { prefixes })
        .build()
}

/// Stems only tokens starting with one of `prefixes` (the rest pass unchanged).
#[derive(Clone)]
pub struct SomeStemmer {
    prefixes: Vec<String>,
}

impl TokenFilter for SomeStemmer {
    type Tokenizer<T: Tokenizer> = SomeStemmerFilter<T>;
    fn transform<T: Tokenizer>(self, inner: T) -> SomeStemmerFilter<T> {
        SomeStemmerFilter {
            inner,
            one: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
            prefixes: self.prefixes,
        }
    }
}

#[derive(Clone)]
pub struct SomeStemmerFilter<T> {
    inner: T,
    one: TextAnalyzer,
    prefixes: Vec<String>,
}

impl<T: Tokenizer> Tokenizer for SomeStemmerFilter<T> {
    type TokenStream<'a> = SomeStemmerStream<'a, T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SomeStemmerStream {
            tail: self.inner.token_stream(text),
            one: &mut self.one,
            prefixes: &self.prefixes,
        }
    }
}

pub struct SomeStemmerStream<'a, S> {
    tail: S,
    one: &'a mut TextAnalyzer,
    prefixes: &'a [String],
}

impl<S: TokenStream> TokenStream for SomeStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if self
            .prefixes
            .iter()
            .any(|p| token.text.starts_with(p.as_str()))
        {
            let mut one = self.one.token_stream(&token.text);
            let stem = one.next().map(|t| t.text.clone());
            drop(one);
            if let Some(stem) = stem {
                token.text = stem;
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Distinct words whose stems one analyzer remembers before it starts over.
const STEM_CACHE: usize = 200_000;

/// English (Porter 2) stemming that remembers the stems of words it has seen: clinical notes
/// repeat a small vocabulary, and stemming is most of the cost of indexing them.
#[derive(Clone, Copy, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;
    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            one: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
            cache: HashMap::new(),
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    /// Stems one word (a miss).
    one: TextAnalyzer,
    cache: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            one: &mut self.one,
            cache: &mut self.cache,
        }
    }
}

pub struct CachedStemmerStream<'a, S> {
    tail: S,
    one: &'a mut TextAnalyzer,
    cache: &'a mut HashMap<String, String>,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let mut one = self.one.token_stream(&token.text);
        let stem = one.next().map(|t| t.text.clone());
        drop(one);
        if let Some(stem) = stem {
            if self.cache.len() >= STEM_CACHE {
                self.cache.clear();
            }
            self.cache
                .insert(std::mem::take(&mut token.text), stem.clone());
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Names: simple words, lower-cased, ASCII-folded.
pub fn name_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzers on an index (needed on every open: they are not stored in the index).
/// The three body fields get the one-pass analyzers, which give the streams of `exact_analyzer`,
/// `stemmed_analyzer` and `BigramTokenizer` from one cut of each body.
pub fn register(index: &tantivy::Index) {
    use super::onepass::{OnePass, Stream};
    let m = index.tokenizers();
    m.register(EXACT, TextAnalyzer::from(OnePass::new(Stream::Exact)));
    m.register(STEMMED, TextAnalyzer::from(OnePass::new(Stream::Stems)));
    m.register(NAME, name_analyzer());
    m.register(BIGRAM, TextAnalyzer::from(OnePass::new(Stream::Pairs)));
}

/// The bigram term for two stemmed tokens.
pub fn bigram(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len() + 1);
    s.push_str(a);
    s.push(' ');
    s.push_str(b);
    s
}

/// Emits every pair of stemmed tokens at consecutive positions ("lungs clear" → `lung clear`), at
/// the position of the first. A two-word phrase is then one term; longer phrases are phrases of
/// pairs, over postings far shorter than single words'.
#[derive(Clone)]
pub struct BigramTokenizer {
    inner: TextAnalyzer,
    unigrams: Vec<(usize, String, usize, usize)>,
    out: Vec<Token>,
}

impl Default for BigramTokenizer {
    fn default() -> Self {
        BigramTokenizer {
            inner: stemmed_analyzer(),
            unigrams: Vec::new(),
            out: Vec::new(),
        }
    }
}

/// Appends the pair tokens of `unigrams` — (position, text, from, to), in position order — to `out`.
pub fn pair_tokens<S: AsRef<str>>(unigrams: &[(usize, S, usize, usize)], out: &mut Vec<Token>) {
    let n = unigrams.len();
    let mut i = 0;
    while i < n {
        let pos = unigrams[i].0;
        // Tokens at this position (a word and its signed variant) and at the next one.
        let mut j = i;
        while j < n && unigrams[j].0 == pos {
            j += 1;
        }
        let mut k = j;
        while k < n && unigrams[k].0 == pos + 1 {
            k += 1;
        }
        for a in &unigrams[i..j] {
            for b in &unigrams[j..k] {
                out.push(Token {
                    offset_from: a.2,
                    offset_to: b.3,
                    position: pos,
                    text: bigram(a.1.as_ref(), b.1.as_ref()),
                    position_length: 1,
                });
            }
        }
        i = j;
    }
}

pub struct BigramStream<'a> {
    tokens: &'a mut [Token],
    /// 1 + the index of the current token (0 before the first `advance`).
    next: usize,
    empty: Token,
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream<'a> {
        self.unigrams.clear();
        self.out.clear();
        let mut stream = self.inner.token_stream(text);
        while let Some(t) = stream.next() {
            self.unigrams
                .push((t.position, t.text.clone(), t.offset_from, t.offset_to));
        }
        drop(stream);
        pair_tokens(&self.unigrams, &mut self.out);
        BigramStream {
            tokens: &mut self.out,
            next: 0,
            empty: Token::default(),
        }
    }
}

impl TokenStream for BigramStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.next.checked_sub(1) {
            Some(i) => self.tokens.get(i).unwrap_or(&self.empty),
            None => &self.empty,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self
            .next
            .checked_sub(1)
            .and_then(|i| self.tokens.get_mut(i))
        {
            Some(t) => t,
            None => &mut self.empty,
        }
    }
}

/// One analysed query token: its position in the query and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryToken {
    pub position: usize,
    pub text: String,
}

/// Analyses query text for matching. Where a token has a signed variant ("88%"), only the signed
/// variant is kept: the user asked for the sign.
pub fn query_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<QueryToken> {
    let mut out: Vec<QueryToken> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        match out.last_mut() {
            Some(last) if last.position == t.position => last.text = t.text.clone(),
            _ => out.push(QueryToken {
                position: t.position,
                text: t.text.clone(),
            }),
        }
    }
    // Positions relative to the first token.
    if let Some(first) = out.first().map(|t| t.position) {
        for t in &mut out {
            t.position -= first;
        }
    }
    out
}

/// All tokens of `text` as (position, text, byte range), for tests and highlighting.
pub fn tokens(
    analyzer: &mut TextAnalyzer,
    text: &str,
) -> Vec<(usize, String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push((t.position, t.text.clone(), t.offset_from..t.offset_to));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(a: &mut TextAnalyzer, s: &str) -> Vec<(usize, String)> {
        tokens(a, s).into_iter().map(|(p, t, _)| (p, t)).collect()
    }

    #[test]
    fn clinical_tokens() {
        let mut a = exact_analyzer();
        let t = texts(&mut a, "E. coli UTI; NSTEMI, 2+ edema, T2DM, O2 sat 88%.");
        let words: Vec<&str> = t.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "e", "coli", "uti", "nstemi", "2", "2+", "edema", "t2dm", "o2", "sat", "88", "88%"
            ]
        );
        // Signed variants share the position of the plain token.
        assert_eq!(t[4].0, t[5].0);
        assert_eq!(t[10].0, t[11].0);
        // Positions advance by one per word otherwise.
        assert_eq!(t[1].0, t[0].0 + 1);
        assert_eq!(t[6].0, t[4].0 + 1);
    }

    #[test]
    fn stemming_and_folding() {
        let mut a = stemmed_analyzer();
        let t = texts(&mut a, "Fevers Ménière hemorrhaging");
        let words: Vec<&str> = t.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(words, ["fever", "menier", "hemorrhag"]);
    }

    #[test]
    fn query_prefers_signed_variant() {
        let mut a = exact_analyzer();
        let q = query_tokens(&mut a, "O2 sat 88%");
        let words: Vec<&str> = q.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["o2", "sat", "88%"]);
        assert_eq!(q.iter().map(|t| t.position).collect::<Vec<_>>(), [0, 1, 2]);
    }

    #[test]
    fn bigrams_pair_consecutive_stems() {
        let mut a = TextAnalyzer::from(BigramTokenizer::default());
        let t = texts(&mut a, "Lungs clear; O2 sat 88% today");
        let words: Vec<&str> = t.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "lung clear",
                "clear o2",
                "o2 sat",
                "sat 88",
                "sat 88%",
                "88 today",
                "88% today"
            ]
        );
        assert_eq!(t[0].0 + 1, t[1].0);
        assert_eq!(t[3].0, t[4].0);
        assert!(texts(&mut a, "alone").is_empty());
    }

    #[test]
    fn cached_stems_equal_plain_stems() {
        let plain = stemmed_analyzer_uncached;
        let text =
            "Fevers and fevers; hemorrhaging, hemorrhaged; generalized generalizations x2 2+ 88%";
        let mut cached = stemmed_analyzer();
        for _ in 0..3 {
            assert_eq!(texts(&mut cached, text), texts(&mut plain(), text));
        }
    }

    #[test]
    fn offsets_point_into_the_text() {
        let mut a = exact_analyzer();
        let s = "pH 7.5, K+ 3.1";
        for (_, w, r) in tokens(&mut a, s) {
            assert_eq!(s[r].to_lowercase(), w);
        }
    }
}
