//! Text analysis for clinical notes: how a body is cut into searchable tokens.
//!
//! Clinical text is full of tokens a plain word tokenizer mangles: "E. coli", "NSTEMI", "2+" edema,
//! "T2DM", "O2 sat 88%". The clinical tokenizer cuts at every character that is not a letter or digit
//! (so "E. coli" and "E.coli" are the phrase `e coli`, "T2DM" stays one token), and when a token is
//! followed directly by `+` or `%` it also emits the token with that sign at the same position, so
//! "88%" is found by both `88` and `88%`, and "2+" by `2` and `2+`. Tokens are lower-cased and folded
//! to ASCII. The stemmed analyzer adds English (Porter 2) stemming on top.
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The analyzer name for exact (unstemmed) note text.
pub const EXACT: &str = "notes_exact";
/// The analyzer name for stemmed note text.
pub const STEMMED: &str = "notes_stem";
/// The analyzer name for names (author): words, lower-cased, folded.
pub const NAME: &str = "notes_name";

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

/// Stemmed forms: the exact analyzer plus English stemming.
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ClinicalTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Names: simple words, lower-cased, ASCII-folded.
pub fn name_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzers on an index (needed on every open: they are not stored in the index).
pub fn register(index: &tantivy::Index) {
    let m = index.tokenizers();
    m.register(EXACT, exact_analyzer());
    m.register(STEMMED, stemmed_analyzer());
    m.register(NAME, name_analyzer());
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
    fn offsets_point_into_the_text() {
        let mut a = exact_analyzer();
        let s = "pH 7.5, K+ 3.1";
        for (_, w, r) in tokens(&mut a, s) {
            assert_eq!(s[r].to_lowercase(), w);
        }
    }
}
