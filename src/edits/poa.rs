//! The ICD-10-CM codes exempt from present-on-admission reporting, shipped in
//! `assets/edits/poa_exempt.txt`: categories written from the FY2026 guidelines' Appendix I, not
//! copied from the CMS file (the MCE reference carries no POA-exempt table; see the asset header).
use std::sync::OnceLock;

use super::refs::{CodeRef, parse_part};
use crate::domain::code::undotted;

const BUILTIN: &str = include_str!("../../assets/edits/poa_exempt.txt");

/// Where the list comes from, for messages.
pub const SOURCE: &str = "POA-exempt categories as chartdesk reads the ICD-10-CM Official Guidelines FY2026, Appendix I (not the CMS file)";

/// One line of the list: a code, category or range, optionally limited to codes whose 7th character
/// is one of `seventh` (written `S00-T88/7=DS`).
#[derive(Debug)]
struct Entry {
    range: CodeRef,
    seventh: Option<String>,
}

impl Entry {
    fn matches(&self, undotted: &str) -> bool {
        self.range.matches(undotted)
            && self.seventh.as_ref().is_none_or(|set| {
                undotted.len() == 7
                    && undotted
                        .get(6..)
                        .is_some_and(|s| s.chars().all(|c| set.contains(c)))
            })
    }
}

/// Exempt categories and codes, with their written exceptions.
#[derive(Debug, Default)]
pub struct PoaExempt {
    exempt: Vec<Entry>,
    except: Vec<Entry>,
    /// Lines that could not be read ("line N: ..."); empty for the shipped list (a test checks).
    pub errors: Vec<String>,
}

impl PoaExempt {
    /// Reads the list format described in the asset's header.
    pub fn parse(text: &str) -> PoaExempt {
        let mut out = PoaExempt::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let word = line.split_whitespace().next().unwrap_or_default();
            let (negated, word) = match word.strip_prefix('!') {
                Some(w) => (true, w),
                None => (false, word),
            };
            let (word, seventh) = match word.split_once("/7=") {
                Some((w, set))
                    if !set.is_empty() && set.chars().all(|c| c.is_ascii_uppercase()) =>
                {
                    (w, Some(set.to_string()))
                }
                Some(_) => {
                    out.errors.push(format!(
                        "line {}: '{word}': after '/7=' write the 7th characters, e.g. /7=DS",
                        n + 1
                    ));
                    continue;
                }
                None => (word, None),
            };
            match parse_part(word) {
                Some(range) => {
                    let e = Entry { range, seventh };
                    if negated {
                        out.except.push(e)
                    } else {
                        out.exempt.push(e)
                    }
                }
                None => out.errors.push(format!(
                    "line {}: '{word}' is not a code, category or range",
                    n + 1
                )),
            }
        }
        out
    }

    /// Whether `code` (dotted or not) may be reported without a POA indicator.
    pub fn is_exempt(&self, code: &str) -> bool {
        let u = undotted(code);
        self.exempt.iter().any(|e| e.matches(&u)) && !self.except.iter().any(|e| e.matches(&u))
    }

    pub fn entries(&self) -> usize {
        self.exempt.len()
    }
}

/// The shipped list, read once.
pub fn builtin() -> &'static PoaExempt {
    static LIST: OnceLock<PoaExempt> = OnceLock::new();
    LIST.get_or_init(|| PoaExempt::parse(BUILTIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_reads_cleanly() {
        let l = builtin();
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        assert!(l.entries() > 100);
        for code in [
            "Z79.4", "I25.2", "I69.351", "Q21.1", "Z37.0", "V43.52XA", "Y92.009", "B94.8",
            "Z77.123", "Z28.310", "Z71.89", "S72.001D", "S72.001S", "S72.001G", "T81.4XXD",
            "M84.451S", "M80.051K",
        ] {
            assert!(l.is_exempt(code), "{code} should be exempt");
        }
        for code in [
            "I10", "E11.9", "I25.10", "Z91.81", "V00.811A", "X71.0XXA", "Z77.010", "S72.001A",
            "S72.001B", "T81.4XXA", "M84.451A", "S06.0X0A",
        ] {
            assert!(!l.is_exempt(code), "{code} should need POA");
        }
    }
}
