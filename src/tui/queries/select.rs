//! Selecting text in the note viewer with the keyboard, to pin it to a query as a clinical indicator.
//!
//! The viewer shows the note word-wrapped; a selection is kept as byte offsets into the note body
//! (the start of its anchor word and of its cursor word), so it survives a resize and the pinned
//! quote is the exact text of the note, line breaks included.
use crate::tui::widgets::text;

/// One word of the note as the viewer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Byte range in the note body.
    pub start: usize,
    pub end: usize,
    /// Wrapped line it is shown on, and its byte offset in that line's text.
    pub line: usize,
    pub col: usize,
}

/// The words of `body` wrapped at `width` cells, in order, with where each sits in the body and on
/// screen. Built from the same wrapping the viewer draws, so the two always agree.
pub fn words(body: &str, width: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let mut at = 0;
    for (i, line) in text::wrap(body, width).iter().enumerate() {
        let mut col_at = 0;
        for tok in line.split_whitespace() {
            let Some(col) = line.get(col_at..).and_then(|l| l.find(tok)) else {
                continue;
            };
            let col = col_at + col;
            col_at = col + tok.len();
            let Some(p) = body.get(at..).and_then(|b| b.find(tok)) else {
                continue;
            };
            let start = at + p;
            at = start + tok.len();
            out.push(Word {
                start,
                end: at,
                line: i,
                col,
            });
        }
    }
    out
}

/// A selection in the open note: the word it started on and the word the cursor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// The note's row id.
    pub note: i64,
    /// Byte offset (in the body) of the anchor word's start.
    pub anchor: usize,
    /// Byte offset of the cursor word's start.
    pub cursor: usize,
}

/// How `v`-mode moves the cursor end of a selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extend {
    WordForward,
    WordBack,
    LineDown,
    LineUp,
    /// To the end of the sentence the cursor is in (or the next one).
    SentenceEnd,
    /// The whole sentence around the anchor.
    Sentence,
}

/// Index of the word starting at (or nearest after) byte `at`.
pub fn word_at(words: &[Word], at: usize) -> Option<usize> {
    if words.is_empty() {
        return None;
    }
    Some(
        words
            .iter()
            .position(|w| w.end > at)
            .unwrap_or(words.len() - 1),
    )
}

impl Selection {
    /// Word indices of the first and last selected words.
    pub fn span(&self, words: &[Word]) -> Option<(usize, usize)> {
        let a = word_at(words, self.anchor)?;
        let c = word_at(words, self.cursor)?;
        Some((a.min(c), a.max(c)))
    }

    /// Byte range of the selected text in the body.
    pub fn range(&self, words: &[Word]) -> Option<(usize, usize)> {
        let (lo, hi) = self.span(words)?;
        Some((words.get(lo)?.start, words.get(hi)?.end))
    }

    /// Moves the cursor end (or, for `Sentence`, both ends).
    pub fn extend(&mut self, body: &str, words: &[Word], how: Extend) {
        let (Some(a), Some(c)) = (word_at(words, self.anchor), word_at(words, self.cursor)) else {
            return;
        };
        let last = words.len() - 1;
        let line_of = |i: usize| words[i].line;
        let to = match how {
            Extend::WordForward => (c + 1).min(last),
            Extend::WordBack => c.saturating_sub(1),
            Extend::LineDown | Extend::LineUp => {
                // The next (previous) line that has words: blank lines are stepped over.
                let target = if how == Extend::LineDown {
                    match words.iter().map(|w| w.line).find(|&l| l > line_of(c)) {
                        Some(l) => l,
                        None => return,
                    }
                } else {
                    match words.iter().rev().map(|w| w.line).find(|&l| l < line_of(c)) {
                        Some(l) => l,
                        None => return,
                    }
                };
                let on: Vec<usize> = (0..words.len()).filter(|&i| line_of(i) == target).collect();
                let pick = if target >= line_of(a) {
                    on.last()
                } else {
                    on.first()
                };
                match pick {
                    Some(&i) => i,
                    None => return,
                }
            }
            Extend::SentenceEnd => {
                let from = if ends_sentence(body, words, c) && c < last {
                    c + 1
                } else {
                    c
                };
                sentence_at(body, words, from).1
            }
            Extend::Sentence => {
                let (lo, hi) = sentence_at(body, words, a);
                self.anchor = words[lo].start;
                hi
            }
        };
        self.cursor = words[to].start;
    }
}

/// Words that end in a full stop without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr.", "mr.", "mrs.", "ms.", "vs.", "e.g.", "i.e.", "approx.", "pt.", "no.", "st.", "etc.",
];

/// True when a sentence ends after word `i`: a full stop, question or exclamation mark (not an
/// abbreviation), or a line break before the next word.
pub fn ends_sentence(body: &str, words: &[Word], i: usize) -> bool {
    let Some(w) = words.get(i) else {
        return true;
    };
    let Some(next) = words.get(i + 1) else {
        return true;
    };
    if body
        .get(w.end..next.start)
        .is_some_and(|g| g.contains('\n'))
    {
        return true;
    }
    let t = body.get(w.start..w.end).unwrap_or("");
    let t = t.trim_end_matches(['"', '\'', ')', ']']);
    if t.ends_with('?') || t.ends_with('!') {
        return true;
    }
    t.ends_with('.') && !ABBREVIATIONS.contains(&t.to_ascii_lowercase().as_str())
}

/// The first and last word of the sentence word `i` is in.
pub fn sentence_at(body: &str, words: &[Word], i: usize) -> (usize, usize) {
    if words.is_empty() {
        return (0, 0);
    }
    let i = i.min(words.len() - 1);
    let mut lo = i;
    while lo > 0 && !ends_sentence(body, words, lo - 1) {
        lo -= 1;
    }
    let mut hi = i;
    while hi + 1 < words.len() && !ends_sentence(body, words, hi) {
        hi += 1;
    }
    (lo, hi)
}

/// The word where the current find match starts (`hit_start`: a byte offset in the note body).
pub fn find_word(words: &[Word], hit_start: usize) -> Option<usize> {
    words.iter().position(|w| w.end > hit_start)
}

/// For each wrapped line that holds selected words: the byte range (in the line's text) to mark.
pub fn marked_on_line(words: &[Word], span: (usize, usize), line: usize) -> Option<(usize, usize)> {
    let sel = words.get(span.0..=span.1)?;
    let first = sel.iter().find(|w| w.line == line)?;
    let last = sel.iter().rev().find(|w| w.line == line)?;
    Some((first.col, last.col + (last.end - last.start)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "HPI: 74 y/o female seen by Dr. Rivera.\nAssessment: acute on chronic systolic \
                        heart failure. BNP 1200 on admission!\n\n\tPlan: diuresis.";

    fn quote(sel: &Selection, words: &[Word]) -> String {
        let (s, e) = sel.range(words).unwrap();
        BODY[s..e].to_string()
    }

    #[test]
    fn words_map_back_to_the_body_and_the_screen() {
        for width in [12, 20, 80] {
            let ws = words(BODY, width);
            let lines = text::wrap(BODY, width);
            assert_eq!(ws.len(), BODY.split_whitespace().count(), "width {width}");
            for w in &ws {
                let tok = &BODY[w.start..w.end];
                assert_eq!(&lines[w.line][w.col..w.col + tok.len()], tok);
            }
        }
    }

    #[test]
    fn extends_by_word_line_and_sentence() {
        let ws = words(BODY, 20);
        let start = ws[5].start; // "by"
        let mut sel = Selection {
            note: 1,
            anchor: start,
            cursor: start,
        };
        sel.extend(BODY, &ws, Extend::WordForward);
        sel.extend(BODY, &ws, Extend::WordForward);
        assert_eq!(quote(&sel, &ws), "by Dr. Rivera.");
        sel.extend(BODY, &ws, Extend::WordBack);
        sel.extend(BODY, &ws, Extend::WordBack);
        sel.extend(BODY, &ws, Extend::WordBack);
        assert_eq!(quote(&sel, &ws), "seen by");
        // The abbreviation does not end the sentence; the line break does.
        sel.extend(BODY, &ws, Extend::Sentence);
        assert_eq!(quote(&sel, &ws), "HPI: 74 y/o female seen by Dr. Rivera.");
        sel.extend(BODY, &ws, Extend::SentenceEnd);
        assert_eq!(
            quote(&sel, &ws),
            "HPI: 74 y/o female seen by Dr. Rivera.\nAssessment: acute on chronic systolic heart \
             failure."
        );
        // Down a line takes the last word of the next line; up comes back.
        let line = ws[word_at(&ws, sel.cursor).unwrap()].line;
        sel.extend(BODY, &ws, Extend::LineDown);
        let c = word_at(&ws, sel.cursor).unwrap();
        assert_eq!(ws[c].line, line + 1);
        assert!(ws.get(c + 1).is_none_or(|w| w.line > line + 1));
        sel.extend(BODY, &ws, Extend::LineUp);
        assert_eq!(ws[word_at(&ws, sel.cursor).unwrap()].line, line);
        // The blank line is stepped over.
        let mut end = Selection {
            note: 1,
            anchor: ws[13].start,
            cursor: ws[13].start,
        };
        for _ in 0..10 {
            end.extend(BODY, &ws, Extend::LineDown);
        }
        assert!(quote(&end, &ws).ends_with("Plan: diuresis."));
    }

    #[test]
    fn find_match_gives_its_sentence_and_marks() {
        let ws = words(BODY, 30);
        let lines = text::wrap(BODY, 30);
        let line = lines.iter().position(|l| l.contains("BNP")).unwrap();
        let i = find_word(&ws, BODY.find("BNP").unwrap()).unwrap();
        assert_eq!(&BODY[ws[i].start..ws[i].end], "BNP");
        let (lo, hi) = sentence_at(BODY, &ws, i);
        assert_eq!(&BODY[ws[lo].start..ws[hi].end], "BNP 1200 on admission!");
        let (s, e) = marked_on_line(&ws, (lo, hi), line).unwrap();
        assert!(lines[line][s..e].starts_with("BNP"));
        assert!(marked_on_line(&ws, (lo, hi), 0).is_none());
    }
}
