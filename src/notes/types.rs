//! The note types chartdesk accepts, their aliases, and how FHIR/LOINC document types map onto them.
//!
//! Imports store the canonical name ("Discharge Summary"); a file may say "DS", "discharge summary",
//! "Discharge summary note" or carry LOINC code 18842-5. Matching ignores case, punctuation and a
//! trailing "note"/"report".

/// A canonical note type: its name, aliases, and LOINC document codes that mean it.
pub struct NoteType {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub loinc: &'static [&'static str],
}

/// Every accepted note type. Aliases are compared after `normalize`.
pub const NOTE_TYPES: &[NoteType] = &[
    NoteType {
        name: "History and Physical",
        aliases: &[
            "h and p",
            "hp",
            "hnp",
            "history physical",
            "admission h and p",
            "admission history and physical",
            "brief history and physical",
            "admission note",
            "h p",
        ],
        loinc: &["34117-2", "47039-3", "28626-0"],
    },
    NoteType {
        name: "Progress Note",
        aliases: &[
            "progress",
            "pn",
            "daily progress",
            "soap",
            "soap note",
            "subsequent evaluation",
            "hospital progress",
        ],
        loinc: &["11506-3", "18733-6"],
    },
    NoteType {
        name: "Discharge Summary",
        aliases: &[
            "ds",
            "discharge",
            "dc summary",
            "d c summary",
            "physician discharge summary",
        ],
        loinc: &["18842-5", "11490-0"],
    },
    NoteType {
        name: "Operative Report",
        aliases: &[
            "operative",
            "op note",
            "operative note",
            "op report",
            "surgical operation",
            "brief operative",
            "brief op",
        ],
        loinc: &["11504-8"],
    },
    NoteType {
        name: "ED Note",
        aliases: &[
            "ed",
            "er",
            "er note",
            "emergency",
            "emergency department",
            "ed provider",
            "emergency medicine",
        ],
        loinc: &["34111-5", "34878-9"],
    },
    NoteType {
        name: "Consultation",
        aliases: &["consult", "consultation note", "consult note", "consults"],
        loinc: &["11488-4"],
    },
    NoteType {
        name: "Office Visit",
        aliases: &[
            "office",
            "office note",
            "clinic",
            "clinic note",
            "clinic visit",
            "outpatient",
            "outpatient note",
            "visit",
        ],
        loinc: &["34108-1"],
    },
    NoteType {
        name: "Procedure Note",
        aliases: &["procedure", "proc", "proc note", "procedure report"],
        loinc: &["28570-0"],
    },
    NoteType {
        name: "Radiology Report",
        aliases: &[
            "radiology",
            "imaging",
            "diagnostic imaging",
            "diagnostic imaging study",
            "x ray",
            "xray",
            "ct report",
            "mri report",
        ],
        loinc: &["18748-4", "18726-0"],
    },
    NoteType {
        name: "Pathology Report",
        aliases: &[
            "pathology",
            "path",
            "path report",
            "surgical pathology",
            "pathology study",
        ],
        loinc: &["11526-1", "60568-3"],
    },
    NoteType {
        name: "Nursing Note",
        aliases: &[
            "nursing",
            "nurse",
            "nurse note",
            "rn note",
            "nursing progress",
        ],
        loinc: &["34746-8"],
    },
    NoteType {
        name: "Laboratory Report",
        aliases: &["laboratory", "lab", "lab report", "labs"],
        loinc: &["11502-2"],
    },
    NoteType {
        name: "Transfer Note",
        aliases: &["transfer", "transfer summary"],
        loinc: &["18761-7"],
    },
    NoteType {
        name: "Therapy Note",
        aliases: &[
            "therapy",
            "physical therapy",
            "occupational therapy",
            "speech therapy",
            "pt note",
            "ot note",
            "rehab",
        ],
        loinc: &[],
    },
    NoteType {
        name: "Anesthesia Note",
        aliases: &[
            "anesthesia",
            "anesthesia record",
            "pre anesthesia",
            "post anesthesia",
        ],
        loinc: &[],
    },
];

/// Lower-cases, spells `&` as "and", turns punctuation into spaces and collapses spaces.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let c = if c == '&' {
            out.push_str(" and ");
            continue;
        } else if c.is_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            ' '
        };
        out.push(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn lookup(norm: &str) -> Option<&'static str> {
    NOTE_TYPES
        .iter()
        .find(|t| normalize(t.name) == norm || t.aliases.contains(&norm))
        .map(|t| t.name)
}

/// The canonical note type for a name or alias, ignoring case and punctuation.
pub fn canonical(s: &str) -> Option<&'static str> {
    let norm = normalize(s);
    if norm.is_empty() {
        return None;
    }
    if let Some(t) = lookup(&norm) {
        return Some(t);
    }
    for suffix in [" note", " report", " notes"] {
        if let Some(t) = norm.strip_suffix(suffix).and_then(lookup) {
            return Some(t);
        }
    }
    None
}

/// The note type a LOINC document code stands for.
pub fn from_loinc(code: &str) -> Option<&'static str> {
    let code = code.trim();
    NOTE_TYPES
        .iter()
        .find(|t| t.loinc.contains(&code))
        .map(|t| t.name)
}

/// Note types whose name has a word starting with each word of `s` (for `type:discharge`).
pub fn matching(s: &str) -> Vec<&'static str> {
    if let Some(t) = canonical(s) {
        return vec![t];
    }
    let want: Vec<String> = normalize(s).split(' ').map(String::from).collect();
    if want.iter().all(|w| w.is_empty()) {
        return vec![];
    }
    NOTE_TYPES
        .iter()
        .filter(|t| {
            let words: Vec<String> = normalize(t.name).split(' ').map(String::from).collect();
            want.iter()
                .all(|w| words.iter().any(|x| x.starts_with(w.as_str())))
        })
        .map(|t| t.name)
        .collect()
}

/// The accepted names, for error messages.
pub fn names() -> String {
    NOTE_TYPES
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        assert_eq!(canonical("H&P"), Some("History and Physical"));
        assert_eq!(
            canonical("history and physical"),
            Some("History and Physical")
        );
        assert_eq!(canonical("DS"), Some("Discharge Summary"));
        assert_eq!(
            canonical("Discharge summary note"),
            Some("Discharge Summary")
        );
        assert_eq!(canonical("  ed NOTE "), Some("ED Note"));
        assert_eq!(canonical("Consult note"), Some("Consultation"));
        assert_eq!(canonical("Progress Note"), Some("Progress Note"));
        assert_eq!(canonical("haiku"), None);
        assert_eq!(canonical(""), None);
    }

    #[test]
    fn every_name_is_its_own_alias_and_unique() {
        for t in NOTE_TYPES {
            assert_eq!(canonical(t.name), Some(t.name));
            for a in t.aliases {
                assert_eq!(canonical(a), Some(t.name), "alias {a}");
                assert_eq!(normalize(a), *a, "alias {a} must be stored normalized");
            }
        }
    }

    #[test]
    fn loinc_and_prefix_matching() {
        assert_eq!(from_loinc("18842-5"), Some("Discharge Summary"));
        assert_eq!(from_loinc("34117-2"), Some("History and Physical"));
        assert_eq!(from_loinc("99999-9"), None);
        assert_eq!(matching("discharge"), vec!["Discharge Summary"]);
        assert_eq!(
            matching("rep"),
            vec![
                "Operative Report",
                "Radiology Report",
                "Pathology Report",
                "Laboratory Report"
            ]
        );
        assert!(matching("zzz").is_empty());
    }
}
