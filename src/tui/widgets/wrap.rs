//! Word wrapping that remembers where each character came from, so places found in a note's text
//! (byte ranges) can be highlighted on the wrapped lines, also when a place spans a line break.
use super::text::width;
use std::ops::Range;
use unicode_width::UnicodeWidthChar;

/// One wrapped line and, for each of its characters, (byte offset in `text`, byte offset in the
/// source text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WrappedLine {
    pub text: String,
    pub map: Vec<(usize, usize)>,
}

impl WrappedLine {
    fn from_cells(cells: &[(char, usize)]) -> WrappedLine {
        let mut l = WrappedLine::default();
        let keep = cells
            .iter()
            .rposition(|(c, _)| !c.is_whitespace())
            .map_or(0, |i| i + 1);
        for &(c, src) in &cells[..keep] {
            l.map.push((l.text.len(), src));
            l.text.push(c);
        }
        l
    }

    /// The source range covered by this line (empty at its start for an empty line).
    pub fn source_span(&self) -> Option<Range<usize>> {
        let first = self.map.first()?.1;
        let last = self.map.last()?.1;
        Some(first..last + 1)
    }

    /// Byte ranges of this line's text whose characters come from inside one of `places` (source
    /// byte ranges, sorted).
    pub fn highlights(&self, places: &[Range<usize>]) -> Vec<(Range<usize>, usize)> {
        let mut out: Vec<(Range<usize>, usize)> = Vec::new();
        for (i, &(at, src)) in self.map.iter().enumerate() {
            let Some(p) = places.iter().position(|r| r.start <= src && src < r.end) else {
                continue;
            };
            let end = self.map.get(i + 1).map_or(self.text.len(), |n| n.0);
            match out.last_mut() {
                Some((r, q)) if r.end == at && *q == p => r.end = end,
                _ => out.push((at..end, p)),
            }
        }
        out
    }
}

fn string(cells: &[(char, usize)]) -> String {
    cells.iter().map(|(c, _)| *c).collect()
}

/// Source lines as `str::lines` cuts them, with the byte offset each starts at.
fn lines_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let (end, next) = match text[start..].find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (text.len(), text.len()),
        };
        let line = &text[start..end];
        out.push((start, line.strip_suffix('\r').unwrap_or(line)));
        start = next;
    }
    out
}

/// Wraps `text` to `w` cells exactly as `text::wrap` does, keeping where each character came from.
pub fn wrap_mapped(text: &str, w: usize) -> Vec<WrappedLine> {
    let w = w.max(1);
    let mut out = Vec::new();
    for (base, raw) in lines_with_offsets(text) {
        let mut cells: Vec<(char, usize)> = Vec::with_capacity(raw.len());
        for (i, c) in raw.char_indices() {
            if c == '\t' {
                cells.extend(std::iter::repeat_n((' ', base + i), 4));
            } else {
                cells.push((c, base + i));
            }
        }
        if width(&string(&cells)) <= w {
            out.push(WrappedLine::from_cells(&cells));
            continue;
        }
        let mut cur: Vec<(char, usize)> = Vec::new();
        let mut cur_w = 0;
        for word in split_keep_spaces(&cells) {
            let ww = width(&string(word));
            if cur_w + ww <= w {
                cur.extend_from_slice(word);
                cur_w += ww;
                continue;
            }
            if word.iter().all(|(c, _)| c.is_whitespace()) {
                // Spaces at a break are dropped.
                out.push(WrappedLine::from_cells(&std::mem::take(&mut cur)));
                cur_w = 0;
                continue;
            }
            if cur_w > 0 {
                out.push(WrappedLine::from_cells(&std::mem::take(&mut cur)));
            }
            // A word longer than the line is split at the width.
            let mut piece: Vec<(char, usize)> = Vec::new();
            let mut pw = 0;
            for &(c, src) in word {
                let cw = c.width().unwrap_or(0);
                if pw + cw > w {
                    out.push(WrappedLine::from_cells(&std::mem::take(&mut piece)));
                    pw = 0;
                }
                piece.push((c, src));
                pw += cw;
            }
            cur = piece;
            cur_w = pw;
        }
        if cur_w > 0 || cur.is_empty() {
            out.push(WrappedLine::from_cells(&cur));
        }
    }
    out
}

/// Splits into alternating runs of non-spaces and spaces.
fn split_keep_spaces(cells: &[(char, usize)]) -> Vec<&[(char, usize)]> {
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..cells.len() {
        if (cells[i].0 == ' ') != (cells[i - 1].0 == ' ') {
            parts.push(&cells[start..i]);
            start = i;
        }
    }
    if start < cells.len() {
        parts.push(&cells[start..]);
    }
    parts
}

/// The wrapped line holding source byte `at` (the last line starting at or before it).
pub fn line_of(lines: &[WrappedLine], at: usize) -> usize {
    let mut best = 0;
    for (i, l) in lines.iter().enumerate() {
        match l.map.first() {
            Some(&(_, src)) if src <= at => best = i,
            Some(_) => break,
            None => {}
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word wrap as it was before it kept sources: wrapped lines must not change.
    fn reference_wrap(text: &str, w: usize) -> Vec<String> {
        let w = w.max(1);
        let mut out = Vec::new();
        for raw in text.lines() {
            let line = raw.replace('\t', "    ");
            if width(&line) <= w {
                out.push(line.trim_end().to_string());
                continue;
            }
            let mut cur = String::new();
            let mut cur_w = 0;
            for word in split_keep_spaces(&line) {
                let ww = width(word);
                if cur_w + ww <= w {
                    cur.push_str(word);
                    cur_w += ww;
                    continue;
                }
                if word.trim().is_empty() {
                    // Spaces at a break are dropped.
                    out.push(std::mem::take(&mut cur).trim_end().to_string());
                    cur_w = 0;
                    continue;
                }
                if cur_w > 0 {
                    out.push(std::mem::take(&mut cur).trim_end().to_string());
                }
                // A word longer than the line is split at the width.
                let mut piece = String::new();
                let mut pw = 0;
                for c in word.chars() {
                    let cw = c.width().unwrap_or(0);
                    if pw + cw > w {
                        out.push(std::mem::take(&mut piece));
                        pw = 0;
                    }
                    piece.push(c);
                    pw += cw;
                }
                cur = piece;
                cur_w = pw;
            }
            if cur_w > 0 || cur.is_empty() {
                out.push(cur.trim_end().to_string());
            }
        }
        out
    }

    fn split_keep_spaces(s: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut start = 0;
        let mut in_space = None;
        for (i, c) in s.char_indices() {
            let sp = c == ' ';
            match in_space {
                Some(prev) if prev != sp => {
                    parts.push(&s[start..i]);
                    start = i;
                }
                _ => {}
            }
            in_space = Some(sp);
        }
        if start < s.len() {
            parts.push(&s[start..]);
        }
        parts
    }

    #[test]
    fn same_lines_as_plain_wrap_and_sources_point_back() {
        let texts = [
            "the quick brown fox\n\njumps",
            "abcdefghijklmnop qr",
            "HPI: 72 y/o  female with   CHF exacerbation and more words here",
            "tab\there and\r\nwindows lines   \nZoë Ångström über lange Wörter",
            "",
            "trailing\n",
        ];
        for t in texts {
            for w in [1, 5, 12, 30, 80] {
                let mapped = wrap_mapped(t, w);
                let plain: Vec<String> = mapped.iter().map(|l| l.text.clone()).collect();
                assert_eq!(plain, reference_wrap(t, w), "{t:?} at {w}");
                for l in &mapped {
                    for &(at, src) in &l.map {
                        let c = l.text[at..].chars().next().unwrap();
                        let s = t[src..].chars().next().unwrap();
                        assert!(c == s || (s == '\t' && c == ' '), "{t:?} {w}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_place_across_a_wrap_is_highlighted_on_both_lines() {
        let t = "patient reports chest pain since noon";
        let lines = wrap_mapped(t, 21);
        assert_eq!(lines[0].text, "patient reports chest");
        assert_eq!(lines[1].text, "pain since noon");
        let start = t.find("chest").unwrap();
        let end = start + "chest pain".len();
        let place: Vec<Range<usize>> = std::iter::once(start..end).collect();
        assert_eq!(lines[0].highlights(&place), vec![(16..21, 0)]);
        assert_eq!(lines[1].highlights(&place), vec![(0..4, 0)]);
        assert_eq!(line_of(&lines, start), 0);
        assert_eq!(line_of(&lines, t.find("since").unwrap()), 1);
    }
}
