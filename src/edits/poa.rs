//! The CMS list of ICD-10-CM codes exempt from present-on-admission reporting (FY2026 guidelines,
//! Appendix I), shipped in `assets/edits/poa_exempt.txt`.
use std::sync::OnceLock;

use super::refs::{CodeRef, parse_part};
use crate::domain::code::undotted;

const BUILTIN: &str = include_str!("../../assets/edits/poa_exempt.txt");

/// Where the list comes from, for messages.
pub const SOURCE: &str = "CMS POA exempt list (ICD-10-CM Official Guidelines FY2026, Appendix I)";

/// Exempt categories and codes, with their written exceptions.
#[derive(Debug, Default)]
pub struct PoaExempt {
    exempt: Vec<CodeRef>,
    except: Vec<CodeRef>,
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
            match parse_part(word) {
                Some(r) if negated => out.except.push(r),
                Some(r) => out.exempt.push(r),
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
        self.exempt.iter().any(|r| r.matches(&u)) && !self.except.iter().any(|r| r.matches(&u))
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
            "Z77.123",
        ] {
            assert!(l.is_exempt(code), "{code} should be exempt");
        }
        for code in [
            "I10", "E11.9", "I25.10", "Z91.81", "V00.811A", "X71.0XXA", "Z28.310", "Z77.010",
        ] {
            assert!(!l.is_exempt(code), "{code} should need POA");
        }
    }
}
