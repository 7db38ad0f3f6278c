//! Code titles fitted to a narrow column so that look-alike codes still read differently.
//!
//! ICD-10-CM siblings share long beginnings: S72.001A and S72.001D both start "Fracture of
//! unspecified part of neck of right femur, " and differ only in the 7th character's meaning at the
//! end, so plain truncation makes them read the same. `fit_title` keeps the part that tells a title
//! apart from its siblings (the other results of the same category): it shortens words the way CMS's
//! short descriptions do ("unsp", "init", "clos fx"), and when that is not enough it elides the
//! beginning shared with a sibling and keeps the distinguishing tail. Pure functions.
use crate::tui::widgets::text;

/// What the 7th character adds to an injury, poisoning or obstetric title (after ", ").
const SEVENTH_CHARACTER: [&str; 3] = ["initial encounter", "subsequent encounter", "sequela"];

/// Shared beginnings shorter than this (or than a third of the title) are not worth eliding: a
/// sibling that shares only "Fracture of " is not a look-alike.
const MIN_SHARED: usize = 12;

/// Whole-phrase abbreviations after CMS's ICD-10-CM short descriptions, longest phrases first.
const ABBREVIATIONS: [(&str, &str); 20] = [
    ("initial encounter for", "init for"),
    ("subsequent encounter for", "subs for"),
    ("initial encounter", "init"),
    ("subsequent encounter", "subs"),
    ("with routine healing", "w routn heal"),
    ("with delayed healing", "w delay heal"),
    ("closed fracture", "clos fx"),
    ("open fracture", "open fx"),
    ("Fracture", "Fx"),
    ("fracture", "fx"),
    ("unspecified", "unsp"),
    ("Unspecified", "Unsp"),
    ("without", "w/o"),
    ("with", "w"),
    ("displaced", "displ"),
    ("Displaced", "Displ"),
    ("nondisplaced", "nondisp"),
    ("Nondisplaced", "Nondisp"),
    ("encounter", "encntr"),
    ("congestive", "congest"),
];

/// `title` shortened with the abbreviations above (whole words only).
pub fn abbreviate(title: &str) -> String {
    let mut out = title.to_string();
    for (long, short) in ABBREVIATIONS {
        out = replace_words(&out, long, short);
    }
    out
}

/// Replaces `long` by `short` where it stands as whole words.
fn replace_words(s: &str, long: &str, short: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(long) {
        let before_ok = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
            && (i > 0 || out.chars().next_back().is_none_or(|c| !c.is_alphanumeric()));
        let after = &rest[i + long.len()..];
        let after_ok = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..i]);
        out.push_str(if before_ok && after_ok { short } else { long });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Bytes of `a` shared with `b` as a prefix, backed off to a word boundary: the shared part ends
/// with a space, or `a` goes on with a comma or space after it (or ends there).
fn shared_words(a: &str, b: &str) -> usize {
    let mut n = 0;
    for ((i, ca), cb) in a.char_indices().zip(b.chars()) {
        if ca != cb {
            break;
        }
        n = i + ca.len_utf8();
    }
    let boundary = |p: usize| {
        p == 0 || a[..p].ends_with(' ') || a[p..].starts_with([',', ' ']) || p == a.len()
    };
    let mut p = n;
    while !boundary(p) {
        p = a[..p].char_indices().next_back().map_or(0, |(i, _)| i);
    }
    p
}

/// Where the part of `title` that tells it apart begins (a byte offset; 0: nothing to elide).
///
/// Siblings sharing at least a few words with `title` count; the earliest point where any of them
/// differs is kept, so "right femur, init" and "left femur, init" stay apart as well as "init" and
/// "subs". A sibling that `title` is a beginning of (its header, shorter title) does not count
/// against it. Without such siblings, a 7th-character meaning (", initial encounter ...") is the
/// distinguishing tail.
pub fn distinguishing_start(title: &str, siblings: &[&str]) -> usize {
    let shared = siblings
        .iter()
        .filter(|s| **s != title)
        .map(|s| shared_words(title, s))
        .filter(|&p| p >= MIN_SHARED.max(title.len() / 3) && p < title.len())
        .min();
    if let Some(p) = shared {
        return p;
    }
    SEVENTH_CHARACTER
        .iter()
        .filter_map(|phrase| title.find(&format!(", {phrase}")))
        .min()
        .unwrap_or(0)
}

/// `s` cut to at most `w` cells at a word boundary, ending in "…" when cut (mid-word only when
/// the first word alone is wider than `w`).
pub fn truncate_words(s: &str, w: usize) -> String {
    if text::width(s) <= w {
        return s.to_string();
    }
    let cut = text::truncate(s, w);
    let body = cut.strip_suffix('…').unwrap_or(&cut);
    // Back off to the last space inside the cut when the cut fell inside a word.
    let next = s[body.len()..].chars().next();
    if next.is_some_and(|c| !c.is_whitespace() && c != ',')
        && let Some(sp) = body.rfind(' ')
        && sp > 0
    {
        let kept = body[..sp].trim_end_matches([' ', ',', ';', ':']);
        if !kept.is_empty() {
            return format!("{kept}…");
        }
    }
    format!("{}…", body.trim_end_matches([' ', ',', ';', ':']))
}

/// `title` in at most `w` cells, keeping what tells it apart from `siblings` (see the module doc).
pub fn fit_title(title: &str, siblings: &[&str], w: usize) -> String {
    if text::width(title) <= w {
        return title.to_string();
    }
    let short = abbreviate(title);
    if text::width(&short) <= w {
        return short;
    }
    let p = distinguishing_start(title, siblings);
    if p == 0 {
        return truncate_words(&short, w);
    }
    let head = abbreviate(title[..p].trim_end_matches([' ', ',']));
    let comma = title[..p].trim_end().ends_with(',') || title[p..].starts_with(',');
    let tail = abbreviate(title[p..].trim_start_matches([' ', ',']));
    let sep = if comma { ", " } else { " " };
    let (hw, tw) = (text::width(&head), text::width(&tail));
    if hw + sep.len() + tw <= w {
        return format!("{head}{sep}{tail}");
    }
    // A few cells of the beginning say what kind of code it is; the rest goes to the tail.
    const HEAD_MIN: usize = 6;
    if tw + 1 + HEAD_MIN <= w {
        let head = truncate_words(&head, w - tw - 1);
        return format!("{head} {tail}");
    }
    // The tail alone: marked as the end of a longer title when there is room for the mark.
    if tw < w {
        return format!("…{tail}");
    }
    if tw == w {
        return tail;
    }
    format!("…{}", truncate_words(&tail, w.saturating_sub(1)))
}

/// The visible titles a result is compared with: the other results of its category (same first
/// three characters of the code).
pub fn siblings_of<'a>(code: &str, all: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<&'a str> {
    let cat = code.get(..3).unwrap_or(code);
    all.filter(|(c, _)| *c != code && c.get(..3).unwrap_or(c) == cat)
        .map(|(_, t)| t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const S001: &str = "Fracture of unspecified part of neck of right femur";
    const S001A: &str = "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture";
    const S001B: &str = "Fracture of unspecified part of neck of right femur, initial encounter for open fracture type I or II";
    const S001D: &str = "Fracture of unspecified part of neck of right femur, subsequent encounter for closed fracture with routine healing";
    const S001F: &str = "Fracture of unspecified part of neck of right femur, subsequent encounter for open fracture type IIIA, IIIB, or IIIC with routine healing";
    const S001S: &str = "Fracture of unspecified part of neck of right femur, sequela";
    const S002A: &str =
        "Fracture of unspecified part of neck of left femur, initial encounter for closed fracture";

    #[rstest]
    #[case::fits("Heart failure, unspecified", 40, "Heart failure, unspecified")]
    #[case::abbreviation_is_enough(S001S, 48, "Fx of unsp part of neck of right femur, sequela")]
    #[case::elides_shared_beginning(S001A, 28, "Fx of unsp… init for clos fx")]
    #[case::long_tail_alone(S001D, 28, "…subs for clos fx w routn…")]
    #[case::sequela(S001S, 28, "Fx of unsp part of… sequela")]
    #[case::header_is_not_elided(S001, 28, "Fx of unsp part of neck of…")]
    fn fits_femur_fractures(#[case] title: &str, #[case] w: usize, #[case] want: &str) {
        let all = [S001, S001A, S001B, S001D, S001F, S001S];
        let got = fit_title(title, &all, w);
        assert_eq!(got, want);
        assert!(text::width(&got) <= w, "{got:?} is wider than {w}");
    }

    #[rstest]
    #[case::tail_without_its_mark(28, "left femur, init for clos fx")]
    #[case::tail_with_its_mark(29, "…left femur, init for clos fx")]
    #[case::room_for_a_head(36, "Fx of… left femur, init for clos fx")]
    fn left_beside_right(#[case] w: usize, #[case] want: &str) {
        assert_eq!(fit_title(S002A, &[S001A, S001D], w), want);
    }

    #[test]
    fn seven_variants_at_28_columns_all_read_differently() {
        let all = [S001A, S001B, S001D, S001F, S001S];
        let shown: Vec<String> = all.iter().map(|t| fit_title(t, &all, 28)).collect();
        for (i, a) in shown.iter().enumerate() {
            assert!(text::width(a) <= 28, "{a:?}");
            for b in &shown[i + 1..] {
                assert_ne!(a, b, "two variants read the same: {shown:#?}");
            }
        }
    }

    #[test]
    fn laterality_is_kept_when_both_sides_are_listed() {
        let all = [S001A, S002A, S001D];
        let right = fit_title(S001A, &all, 34);
        let left = fit_title(S002A, &all, 34);
        assert!(right.contains("right"), "{right:?}");
        assert!(left.contains("left"), "{left:?}");
    }

    #[rstest]
    #[case::seventh_character(S001A, &[], S001.len())]
    #[case::sibling_wins_over_seventh(S001A, &[S002A], "Fracture of unspecified part of neck of ".len())]
    #[case::header_counts(S001A, &[S001], S001.len())]
    #[case::short_shared_start_ignored("Heart failure, unspecified", &["Heart block"], 0)]
    #[case::category_title_ignored(S001A, &["Fracture of femur"], S001.len())]
    #[case::nothing_shared("Essential (primary) hypertension", &["Type 2 diabetes mellitus"], 0)]
    fn where_the_difference_starts(
        #[case] title: &str,
        #[case] siblings: &[&str],
        #[case] want: usize,
    ) {
        assert_eq!(distinguishing_start(title, siblings), want);
    }

    #[rstest]
    #[case("the quick brown fox", 12, "the quick…")]
    #[case("the quick brown fox", 19, "the quick brown fox")]
    #[case("supercalifragilistic", 8, "superca…")]
    #[case("edits: 2 errors, 1 warning", 17, "edits: 2 errors…")]
    fn truncates_at_words(#[case] s: &str, #[case] w: usize, #[case] want: &str) {
        assert_eq!(truncate_words(s, w), want);
    }

    #[rstest]
    #[case("with routine healing", "w routn heal")]
    #[case("Fracture of femur without mention", "Fx of femur w/o mention")]
    #[case("withdrawal", "withdrawal")]
    #[case(
        "unspecified, initial encounter for closed fracture",
        "unsp, init for clos fx"
    )]
    fn abbreviates_whole_words(#[case] s: &str, #[case] want: &str) {
        assert_eq!(abbreviate(s), want);
    }

    #[test]
    fn siblings_are_the_same_category() {
        let all = [
            ("S72.001A", S001A),
            ("S72.001D", S001D),
            ("I50.9", "Heart failure, unspecified"),
        ];
        assert_eq!(siblings_of("S72.001A", all.iter().copied()), vec![S001D]);
    }
}
