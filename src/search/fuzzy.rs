//! Bounded edit distance for misspelled query words ("pnemonia", "diabetis", "migrane").

/// Optimal-string-alignment distance between `a` and `b` (insert, delete, substitute, swap two
/// neighbours), or `None` when it exceeds `max`.
pub(crate) fn distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    let mut prev2 = vec![0usize; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= max).then_some(d)
}

/// How many edits a word of this length may carry and still be recognised.
pub(crate) fn allowed_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance(b"pnemonia", b"pneumonia", 2), Some(1));
        assert_eq!(distance(b"pnuemonia", b"pneumonia", 2), Some(1));
        assert_eq!(distance(b"diabetis", b"diabetes", 2), Some(1));
        assert_eq!(distance(b"migrane", b"migraine", 1), Some(1));
        assert_eq!(distance(b"hypertention", b"hypertension", 2), Some(1));
        assert_eq!(distance(b"asthma", b"asthma", 0), Some(0));
        assert_eq!(distance(b"kidney", b"liver", 2), None);
        assert_eq!(distance(b"ab", b"abcd", 1), None);
    }
}
