//! Index-time analysis of a note body in one pass: the exact field's analyzer cuts the body once,
//! stems each token once and forms the stem pairs, and leaves the stems and pairs for the stemmed
//! and pair fields' analyzers, which tantivy runs next on the same body in the same thread.
//!
//! The three streams are exactly those of `exact_analyzer`, `stemmed_analyzer` and
//! `BigramTokenizer` (tests compare them): stems are the exact tokens stemmed one by one, and pairs
//! are the stems paired by position. If the stemmed or pair analyzer is handed a body the exact
//! analyzer did not just cut (another order of fields, another body), it cuts it itself.
use super::analyzer::exact_analyzer;
use super::stems::StemCache;
use std::cell::RefCell;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Tokens whose buffers are reused from one body to the next (no allocation once warm).
#[derive(Clone, Default)]
pub(crate) struct TokenBuf {
    tokens: Vec<Token>,
    len: usize,
}

impl TokenBuf {
    fn clear(&mut self) {
        self.len = 0;
    }

    /// A new token at `position` spanning `from..to`; its text is empty, to be filled.
    fn push(&mut self, position: usize, from: usize, to: usize) -> &mut String {
        if self.len == self.tokens.len() {
            self.tokens.push(Token::default());
        }
        let i = self.len;
        self.len += 1;
        let t = &mut self.tokens[i];
        t.position = position;
        t.offset_from = from;
        t.offset_to = to;
        t.position_length = 1;
        t.text.clear();
        &mut t.text
    }

    fn as_slice(&self) -> &[Token] {
        &self.tokens[..self.len]
    }
}

/// The exact tokens of `text` (the exact analyzer's stream) into `out`.
fn cut(analyzer: &mut TextAnalyzer, text: &str, out: &mut TokenBuf) {
    out.clear();
    let mut s = analyzer.token_stream(text);
    while s.advance() {
        let t = s.token();
        out.push(t.position, t.offset_from, t.offset_to)
            .push_str(&t.text);
    }
}

/// Each exact token stemmed, same positions and offsets.
fn stem_all(exact: &TokenBuf, cache: &mut StemCache, out: &mut TokenBuf) {
    out.clear();
    for t in exact.as_slice() {
        let text = out.push(t.position, t.offset_from, t.offset_to);
        cache.stem_into(&t.text, text);
    }
}

/// Every stem paired with each stem at the next position, at the first one's position (a word and
/// its signed variant share a position, so both pair).
fn pair_all(stems: &TokenBuf, out: &mut TokenBuf) {
    out.clear();
    let s = stems.as_slice();
    let n = s.len();
    let mut i = 0;
    while i < n {
        let pos = s[i].position;
        let mut j = i;
        while j < n && s[j].position == pos {
            j += 1;
        }
        let mut k = j;
        while k < n && s[k].position == pos.wrapping_add(1) {
            k += 1;
        }
        for a in &s[i..j] {
            for b in &s[j..k] {
                let text = out.push(pos, a.offset_from, b.offset_to);
                text.reserve(a.text.len() + 1 + b.text.len());
                text.push_str(&a.text);
                text.push(' ');
                text.push_str(&b.text);
            }
        }
        i = j;
    }
}

/// What the exact analyzer left for the other two fields of the same body, per thread.
#[derive(Default)]
struct Memo {
    text: String,
    stems: TokenBuf,
    stems_ready: bool,
    pairs: TokenBuf,
    pairs_ready: bool,
    cache: StemCache,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Which stream a one-pass analyzer gives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Stream {
    Exact,
    Stems,
    Pairs,
}

/// An index-time analyzer for one of the three body fields (see the module notes).
#[derive(Clone)]
pub(crate) struct OnePass {
    stream: Stream,
    cutter: TextAnalyzer,
    out: TokenBuf,
    /// Scratch for cutting a body the exact analyzer did not leave.
    exact: TokenBuf,
    stems: TokenBuf,
}

impl OnePass {
    pub(crate) fn new(stream: Stream) -> OnePass {
        OnePass {
            stream,
            cutter: exact_analyzer(),
            out: TokenBuf::default(),
            exact: TokenBuf::default(),
            stems: TokenBuf::default(),
        }
    }

    /// The exact field: cut, stem and pair; keep the exact tokens, leave the rest in the memo.
    fn exact_and_leave(&mut self, text: &str) {
        cut(&mut self.cutter, text, &mut self.out);
        // The memo is replaced whole under one borrow, so its stems and pairs are always those of
        // its text (a memo that cannot be borrowed is left alone; the others then cut themselves).
        MEMO.with(|m| {
            if let Ok(mut m) = m.try_borrow_mut() {
                let m = &mut *m;
                m.text.clear();
                m.text.push_str(text);
                stem_all(&self.out, &mut m.cache, &mut m.stems);
                pair_all(&m.stems, &mut m.pairs);
                m.stems_ready = true;
                m.pairs_ready = true;
            }
        });
    }

    /// Takes the memo's stream for `text` if the exact analyzer left it; false if it did not.
    fn take_left(&mut self, text: &str) -> bool {
        let stream = self.stream;
        MEMO.with(|m| {
            let Ok(mut m) = m.try_borrow_mut() else {
                return false;
            };
            let m = &mut *m;
            let (ready, buf) = match stream {
                Stream::Stems => (&mut m.stems_ready, &mut m.stems),
                Stream::Pairs => (&mut m.pairs_ready, &mut m.pairs),
                Stream::Exact => return false,
            };
            if !*ready || m.text != text {
                return false;
            }
            // Our old buffer goes back to the memo, to be refilled with the next body.
            std::mem::swap(&mut self.out, buf);
            *ready = false;
            true
        })
    }

    /// Cuts, stems (and pairs) `text` here.
    fn compute(&mut self, text: &str) {
        cut(&mut self.cutter, text, &mut self.exact);
        let stems = match self.stream {
            Stream::Stems => &mut self.out,
            _ => &mut self.stems,
        };
        let stemmed = MEMO.with(|m| match m.try_borrow_mut() {
            Ok(mut m) => {
                stem_all(&self.exact, &mut m.cache, stems);
                true
            }
            Err(_) => false,
        });
        if !stemmed {
            stem_all(&self.exact, &mut StemCache::default(), stems);
        }
        if self.stream == Stream::Pairs {
            pair_all(&self.stems, &mut self.out);
        }
    }
}

impl Tokenizer for OnePass {
    type TokenStream<'a> = Replay<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Replay<'a> {
        match self.stream {
            Stream::Exact => self.exact_and_leave(text),
            Stream::Stems | Stream::Pairs => {
                if !self.take_left(text) {
                    self.compute(text);
                }
            }
        }
        Replay {
            tokens: self.out.as_slice_mut(),
            next: 0,
            empty: Token::default(),
        }
    }
}

impl TokenBuf {
    fn as_slice_mut(&mut self) -> &mut [Token] {
        &mut self.tokens[..self.len]
    }
}

/// Replays analysed tokens.
pub(crate) struct Replay<'a> {
    tokens: &'a mut [Token],
    /// 1 + the index of the current token (0 before the first `advance`).
    next: usize,
    empty: Token,
}

impl TokenStream for Replay<'_> {
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

#[cfg(test)]
mod tests;
