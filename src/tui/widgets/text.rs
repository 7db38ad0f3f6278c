//! Fitting text into cells: display width, truncation with an ellipsis, word wrapping.
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `w` cells (ending in "…" when cut), not padded.
pub fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > w - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// `s` cut or padded with spaces to exactly `w` cells.
pub fn fit(s: &str, w: usize) -> String {
    let mut t = truncate(s, w);
    let pad = w.saturating_sub(width(&t));
    t.extend(std::iter::repeat_n(' ', pad));
    t
}

/// `s` cut to at most `w` cells by taking out its middle ("A1B2…C3D4"): for identifiers such as
/// long accounts, whose start and end both tell them apart. Not padded.
pub fn shorten_middle(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w < 3 {
        return truncate(s, w);
    }
    let room = w - 1;
    let (head_w, tail_w) = (room.div_ceil(2), room / 2);
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > head_w {
            break;
        }
        head.push(c);
        used += cw;
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used_tail = 0;
    for c in s.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if used_tail + cw > tail_w {
            break;
        }
        tail.push(c);
        used_tail += cw;
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

/// Word-wraps `text` to `w` cells. Line breaks are kept, runs of spaces inside a line are kept
/// (notes are often laid out with them), words longer than a line are split.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    super::wrap::wrap_mapped(text, w)
        .into_iter()
        .map(|l| l.text)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_in_the_middle() {
        let uuid = "1b0c6a2e-2f3a-4c1e-9d55-7e0f3c2a9b11";
        assert_eq!(shorten_middle(uuid, 14), "1b0c6a2…2a9b11");
        assert_eq!(shorten_middle(uuid, 15), "1b0c6a2…c2a9b11");
        assert_eq!(shorten_middle("A12345678", 9), "A12345678");
        assert_eq!(shorten_middle("A12345678", 2), "A…");
        assert_eq!(shorten_middle("病院病院病院", 7), "病…院");
    }

    #[test]
    fn fits_and_truncates() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(width(&fit("Zoë Ångström", 6)), 6);
    }

    #[test]
    fn wraps_words_and_keeps_blank_lines() {
        let w = wrap("the quick brown fox\n\njumps", 10);
        assert_eq!(w, vec!["the quick", "brown fox", "", "jumps"]);
        let long = wrap("abcdefghijklmnop qr", 5);
        assert_eq!(long, vec!["abcde", "fghij", "klmno", "p qr"]);
        for l in wrap(
            "HPI: 72 y/o  female with   CHF exacerbation and more words here",
            12,
        ) {
            assert!(width(&l) <= 12, "{l:?}");
        }
    }
}
