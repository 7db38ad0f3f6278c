//! Code references inside tabular notes: "type 2 diabetes mellitus (E11.-)", "(K50-K52)",
//! "(E08-E13 with .44)", "(I69. with final characters -23)". Parsed once into ranges that answer
//! "does this code fall under the note?" without touching the code set.
use crate::domain::code::undotted;

/// A condition on characters of the code beyond the range, from a note's "with ..." wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// The characters from `pos` (0-based, without the dot) start with `value`:
    /// "with .44" → (3, "44"); "with fifth character 2" → (4, "2"); "with 7th character B" → (6, "B").
    At { pos: usize, value: String },
    /// The characters from `pos` fall between `lo` and `hi` (prefix-wise): "with .51-.52".
    AtRange { pos: usize, lo: String, hi: String },
    /// The code ends with these characters: "I69. with final characters -23".
    Suffix(String),
}

/// One reference: every code whose leading characters fall between `lo` and `hi` (both written
/// without dot; a single code or a "-" wildcard has `lo == hi`), optionally filtered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRef {
    pub lo: String,
    pub hi: String,
    pub filter: Option<Filter>,
}

impl CodeRef {
    /// Whether `code` (written without dot, upper case) is covered by this reference.
    pub fn matches(&self, code: &str) -> bool {
        let cut = |n: usize| &code[..code.len().min(n)];
        if cut(self.lo.len()) < self.lo.as_str() || cut(self.hi.len()) > self.hi.as_str() {
            return false;
        }
        match &self.filter {
            None => true,
            Some(Filter::At { pos, value }) => code
                .get(*pos..)
                .is_some_and(|t| t.starts_with(value.as_str())),
            Some(Filter::AtRange { pos, lo, hi }) => code.get(*pos..).is_some_and(|t| {
                let a = &t[..t.len().min(lo.len())];
                let b = &t[..t.len().min(hi.len())];
                a >= lo.as_str() && b <= hi.as_str() && !t.is_empty()
            }),
            Some(Filter::Suffix(s)) => code.len() > self.lo.len() && code.ends_with(s.as_str()),
        }
    }

    /// How the reference reads in a message: "E11", "K50-K52".
    pub fn label(&self) -> String {
        let d = |c: &str| crate::domain::code::dotted_cm(c);
        if self.lo == self.hi {
            d(&self.lo)
        } else {
            format!("{}-{}", d(&self.lo), d(&self.hi))
        }
    }
}

/// Every code reference in `note`: the comma-separated parts of each innermost parenthesis that read
/// as codes or ranges. Parts that do not (words, "(acute)", qualifiers we cannot read) are skipped,
/// so an unusual note yields fewer references, never wrong ones.
pub fn extract(note: &str) -> Vec<CodeRef> {
    let mut out = Vec::new();
    let mut rest = note;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else { break };
        let inner = &after[..close];
        if let Some(nested) = inner.rfind('(') {
            // "((" cannot happen with find(')') first; keep scanning from the nested one.
            rest = &after[nested..];
            continue;
        }
        for part in inner.split([',', ';']) {
            if let Some(r) = parse_part(part) {
                out.push(r);
            }
        }
        rest = &after[close + 1..];
    }
    out
}

/// One reference as written: "E11.-", "K50-K52", "E08-E13 with .44", "S02.- with 7th character B".
pub fn parse_part(part: &str) -> Option<CodeRef> {
    let part = part.trim();
    let lower = part.to_ascii_lowercase();
    let (base, qualifier) = match lower.find(" with") {
        Some(i) => (&part[..i], Some(part[i + 5..].trim())),
        None if lower.contains("with") => return None, // "G35-with..." and other run-ons
        None => (part, None),
    };
    let base: String = base.chars().filter(|c| !c.is_whitespace()).collect();
    let (lo, after) = read_code(&base)?;
    let rest = after.trim_start_matches(['.', '-']);
    let separator = &after[..after.len() - rest.len()];
    let hi = if rest.is_empty() {
        // Only "-" and "." followed: a single code or a wildcard.
        lo.clone()
    } else {
        if !separator.contains('-') {
            return None;
        }
        let (hi, tail) = read_code(rest)?;
        if !tail.chars().all(|c| c == '.' || c == '-') || hi < lo {
            return None;
        }
        hi
    };
    let filter = match qualifier {
        None => None,
        Some(q) => Some(parse_filter(q, &lo)?),
    };
    Some(CodeRef { lo, hi, filter })
}

/// Reads an ICD-10-CM code (with or without dot) at the start of `s`; returns it without dot and
/// the unread rest.
fn read_code(s: &str) -> Option<(String, &str)> {
    let b = s.as_bytes();
    if b.len() < 3
        || !b[0].is_ascii_uppercase()
        || !(b[1].is_ascii_digit() || s.get(..3) == Some("QA0"))
    {
        return None;
    }
    if !(b[2].is_ascii_digit() || b[2].is_ascii_uppercase()) {
        return None;
    }
    let mut code = s[..3].to_string();
    let mut i = 3;
    if b.get(3) == Some(&b'.') {
        let mut j = 4;
        while j < b.len() && (b[j].is_ascii_digit() || b[j].is_ascii_uppercase()) && code.len() < 7
        {
            code.push(b[j] as char);
            j += 1;
        }
        i = if j > 4 { j } else { 3 };
    } else if b.get(3).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((code, &s[i..]))
}

fn ordinal(word: &str) -> Option<usize> {
    Some(match word {
        "4th" | "fourth" => 4,
        "5th" | "fifth" => 5,
        "6th" | "sixth" => 6,
        "7th" | "seventh" => 7,
        _ => return None,
    })
}

/// Reads a note's "with ..." wording into a filter; `None` when it cannot be read confidently.
fn parse_filter(q: &str, lo: &str) -> Option<Filter> {
    let q = q.trim();
    let alnum = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    // "with .44", "with .62-", "with .51-.52"
    if let Some(t) = q.strip_prefix('.') {
        let t = t.trim_end_matches('-');
        if let Some((a, b)) = t.split_once("-.") {
            return (alnum(a) && alnum(b)).then(|| Filter::AtRange {
                pos: 3,
                lo: a.into(),
                hi: b.into(),
            });
        }
        return alnum(t).then(|| Filter::At {
            pos: 3,
            value: t.into(),
        });
    }
    let words: Vec<String> = q
        .to_ascii_lowercase()
        .replace('-', " ")
        .split_whitespace()
        .map(String::from)
        .collect();
    let raw_last = q.split_whitespace().last()?.trim_start_matches(['.', '-']);
    let value = raw_last.to_ascii_uppercase();
    if !alnum(&value) {
        return None;
    }
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        // "final characters -23" (I69.)
        ["final", "characters", _] if lo.len() == 3 => Some(Filter::Suffix(value)),
        // "fifth character 2", "7th character B"
        [n, "character", _] => Some(Filter::At {
            pos: ordinal(n)? - 1,
            value,
        }),
        // "fifth to sixth characters 51"
        [a, "to", b, "characters", _] => {
            let (a, b) = (ordinal(a)?, ordinal(b)?);
            (b >= a && value.len() == b - a + 1).then_some(Filter::At { pos: a - 1, value })
        }
        _ => None,
    }
}

/// Whether any of `refs` covers `code` (dotted or not).
pub fn any_matches(refs: &[CodeRef], code: &str) -> bool {
    let u = undotted(code);
    refs.iter().any(|r| r.matches(&u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(note: &str) -> Vec<String> {
        extract(note).iter().map(CodeRef::label).collect()
    }

    #[test]
    fn plain_codes_ranges_and_wildcards() {
        assert_eq!(labels("type 2 diabetes mellitus (E11.-)"), ["E11"]);
        assert_eq!(
            labels("hypertensive heart disease with heart failure (I11.0)"),
            ["I11.0"]
        );
        assert_eq!(labels("congenital heart failure (Q20-Q28)"), ["Q20-Q28"]);
        assert_eq!(labels("angina (I20.0-I20.9)"), ["I20.0-I20.9"]);
        assert_eq!(labels("asthma (J45.-)"), ["J45"]);
        assert_eq!(
            labels("skin (C51-C52, C60.-, C63.2)"),
            ["C51-C52", "C60", "C63.2"]
        );
        assert_eq!(labels("hypothyroidism, acquired (E00-E03.-)"), ["E00-E03"]);
        assert_eq!(labels("x (D29.2.-)"), ["D29.2"]);
        assert_eq!(labels("x (F98.2.-F98.3)"), ["F98.2-F98.3"]);
        assert_eq!(labels("multiple sclerosis (G35-)"), ["G35"]);
        assert_eq!(labels("gout (M1A.-, M10.-)"), ["M1A", "M10"]);
        assert_eq!(
            labels("ischemic (I21.0-I21.B, I22.-)"),
            ["I21.0-I21.B", "I22"]
        );
    }

    #[test]
    fn words_in_parentheses_are_not_codes() {
        assert!(extract("hypertension (arterial) (benign) (essential)").is_empty());
        assert!(extract("dysplasia (mild) (moderate) (AIDS) (NOS)").is_empty());
        assert_eq!(
            labels("nerve root compression (due to) (in) spondylosis (M47.0-, M47.2.-)"),
            ["M47.0", "M47.2"]
        );
        assert!(extract("benign neoplasms of prostate (adenoma, benign) (D29.1").is_empty());
    }

    #[test]
    fn qualifiers() {
        let r = &extract("neuralgic amyotrophy in diabetes mellitus (E08-E13 with .44)")[0];
        assert!(r.matches("E1144") && r.matches("E0844"));
        assert!(!r.matches("E1140") && !r.matches("E1444"));
        let r = &extract("angiopathy (E08-E13 with .51-.52)")[0];
        assert!(r.matches("E1151") && r.matches("E1052") && !r.matches("E1159"));
        let r = &extract("stuttering (I69. with final characters -23)")[0];
        assert!(r.matches("I69123") && !r.matches("I69120") && !r.matches("I69"));
        let r = &extract("mono (B27.- with fifth character 2)")[0];
        assert!(r.matches("B2702") && !r.matches("B2701"));
        let r = &extract("open skull fracture (S02.- with 7th character B)")[0];
        assert!(r.matches("S02101B") && !r.matches("S02101A"));
        let r = &extract("hallucinations (F11-F19 with fifth to sixth characters 51)")[0];
        assert!(r.matches("F11151") && r.matches("F19251") && !r.matches("F11150"));
        let r = &extract("amnestic (F10-F19 with 5th character .6)")[0];
        assert!(r.matches("F1026") && !r.matches("F1020"));
        // Unreadable qualifiers drop the reference rather than guess.
        assert!(extract("open fracture (S52.- with open fracture 7th character)").is_empty());
    }
}
