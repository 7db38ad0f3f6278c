//! A fast memory of English stems for indexing: words up to 23 bytes (nearly all of them) are kept
//! inline in the table, so looking one up touches one cache line and no string on the heap.
//!
//! Stemming is a pure function of the word, so the memory only saves work: it never changes a stem.
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer};

/// Distinct words remembered before the memory starts over (keeps memory flat).
const CAPACITY: usize = 200_000;

/// Bytes of a word kept inline.
const INLINE: usize = 23;

/// A short string packed into three words: the bytes, then its length in the last byte.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Inline([u64; 3]);

impl Inline {
    fn new(s: &str) -> Option<Inline> {
        let b = s.as_bytes();
        if b.len() > INLINE {
            return None;
        }
        let mut bytes = [0u8; 24];
        bytes[..b.len()].copy_from_slice(b);
        bytes[23] = b.len() as u8;
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        };
        Some(Inline([word(0), word(1), word(2)]))
    }

    /// Appends the string to `out`.
    fn push_to(&self, out: &mut String) -> bool {
        let mut bytes = [0u8; 24];
        for (i, w) in self.0.iter().enumerate() {
            bytes[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        let len = usize::from(bytes[23]).min(INLINE);
        match std::str::from_utf8(&bytes[..len]) {
            Ok(s) => {
                out.push_str(s);
                true
            }
            Err(_) => false,
        }
    }
}

impl Hash for Inline {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.0;
        state.write_u64(a ^ b.rotate_left(21) ^ c.rotate_left(42));
    }
}

/// A multiply-and-rotate hasher with a final mix: fast on short keys, spread over every bit (the
/// table indexes by the low bits and filters by the high ones).
#[derive(Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(w) ^ (rest.len() as u64) << 59);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

type Fast = BuildHasherDefault<WordHasher>;

/// Words and their stems, remembered.
#[derive(Clone)]
pub(crate) struct StemCache {
    short: HashMap<Inline, Inline, Fast>,
    long: HashMap<String, String, Fast>,
    /// Stems one word (a miss).
    one: TextAnalyzer,
}

impl Default for StemCache {
    fn default() -> Self {
        StemCache {
            short: HashMap::default(),
            long: HashMap::default(),
            one: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }
}

impl StemCache {
    /// Appends the English stem of `word` to `out`.
    pub(crate) fn stem_into(&mut self, word: &str, out: &mut String) {
        let key = Inline::new(word);
        if let Some(k) = key {
            if let Some(v) = self.short.get(&k)
                && v.push_to(out)
            {
                return;
            }
        } else if let Some(v) = self.long.get(word) {
            out.push_str(v);
            return;
        }
        let start = out.len();
        self.stem_uncached(word, out);
        if self.short.len() + self.long.len() >= CAPACITY {
            self.short.clear();
            self.long.clear();
        }
        let stem = &out[start..];
        match (key, Inline::new(stem)) {
            (Some(k), Some(v)) => {
                self.short.insert(k, v);
            }
            (Some(_), None) => {}
            (None, _) => {
                self.long.insert(word.to_string(), stem.to_string());
            }
        }
    }

    fn stem_uncached(&mut self, word: &str, out: &mut String) {
        let mut one = self.one.token_stream(word);
        match one.next() {
            Some(t) => out.push_str(&t.text),
            // The raw tokenizer gives one token for any word; keep the word if it ever does not.
            None => out.push_str(word),
        }
    }

    /// Words remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(word: &str) -> String {
        let mut a = TextAnalyzer::builder(RawTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build();
        let mut s = a.token_stream(word);
        s.next().map(|t| t.text.clone()).unwrap_or_default()
    }

    #[test]
    fn remembered_stems_equal_plain_stems() {
        let words = [
            "fevers",
            "hemorrhaging",
            "generalizations",
            "esophagogastroduodenoscopies",
            "a",
            "",
            "x2",
            "88%",
            "menier",
            "abcdefghijklmnopqrstuvw",
            "abcdefghijklmnopqrstuvwx",
            "ménière",
            "cholecystectomies",
        ];
        let mut c = StemCache::default();
        for _ in 0..3 {
            for w in words {
                let mut out = String::from("pre");
                c.stem_into(w, &mut out);
                assert_eq!(out, format!("pre{}", plain(w)), "{w}");
            }
        }
        assert_eq!(c.len(), words.len());
    }

    #[test]
    fn inline_round_trip_and_distinct_lengths() {
        for s in ["", "a", "abcdefgh", "abcdefghijklmnopqrstuvw", "é"] {
            let mut out = String::new();
            assert!(Inline::new(s).is_some_and(|i| i.push_to(&mut out)));
            assert_eq!(out, s);
        }
        assert!(Inline::new("abcdefghijklmnopqrstuvwx").is_none());
        // A word and the same word with a trailing NUL differ by their length byte.
        assert!(Inline::new("ab") != Inline::new("ab\0"));
    }

    #[test]
    fn hasher_spreads_short_keys() {
        let h = |s: &str| {
            let mut x = WordHasher::default();
            if let Some(i) = Inline::new(s) {
                i.hash(&mut x);
            }
            x.finish()
        };
        let mut low: Vec<u64> = ["fever", "fevers", "feve", "pain", "paint", "pains"]
            .iter()
            .map(|s| h(s) & 0xff)
            .collect();
        low.sort();
        low.dedup();
        assert!(low.len() >= 5, "low bits collide: {low:?}");
    }
}
