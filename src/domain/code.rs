//! Code sets: systems, tabular entries and their instructional notes.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A classification system chartdesk can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CodeSystem {
    #[serde(rename = "ICD-10-CM")]
    Icd10Cm,
    #[serde(rename = "ICD-10-PCS")]
    Icd10Pcs,
    #[serde(rename = "HCPCS")]
    Hcpcs,
    #[serde(rename = "CPT")]
    Cpt,
}

impl CodeSystem {
    pub const ALL: [CodeSystem; 4] = [Self::Icd10Cm, Self::Icd10Pcs, Self::Hcpcs, Self::Cpt];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Icd10Cm => "ICD-10-CM",
            Self::Icd10Pcs => "ICD-10-PCS",
            Self::Hcpcs => "HCPCS",
            Self::Cpt => "CPT",
        }
    }

    /// Short label for narrow screens.
    pub fn short(self) -> &'static str {
        match self {
            Self::Icd10Cm => "CM",
            Self::Icd10Pcs => "PCS",
            Self::Hcpcs => "HCPCS",
            Self::Cpt => "CPT",
        }
    }

    /// Diagnoses are sequenced apart from procedures.
    pub fn is_diagnosis(self) -> bool {
        matches!(self, Self::Icd10Cm)
    }
}

impl fmt::Display for CodeSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CodeSystem {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let norm: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase();
        match norm.as_str() {
            "ICD10CM" | "CM" | "DX" => Ok(Self::Icd10Cm),
            "ICD10PCS" | "PCS" | "PX" => Ok(Self::Icd10Pcs),
            "HCPCS" => Ok(Self::Hcpcs),
            "CPT" => Ok(Self::Cpt),
            _ => Err(format!(
                "unknown code system '{s}': use ICD-10-CM, ICD-10-PCS, HCPCS or CPT"
            )),
        }
    }
}

/// Where an entry sits in the tabular hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A chapter, e.g. "9" (Diseases of the circulatory system).
    Chapter,
    /// A block of categories, e.g. "I30-I5A".
    Section,
    /// A category, subcategory or full code (billable or header).
    Code,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chapter => "chapter",
            Self::Section => "section",
            Self::Code => "code",
        }
    }
}

impl FromStr for EntryKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "chapter" => Ok(Self::Chapter),
            "section" => Ok(Self::Section),
            "code" => Ok(Self::Code),
            _ => Err(format!("unknown entry kind '{s}'")),
        }
    }
}

/// The instructional notes the tabular list attaches to an entry, verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabularNotes {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inclusion_terms: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes1: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes2: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_first: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub use_additional_code: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_also: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// 7th-character definitions that apply at and below this entry: (character, meaning).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seventh_characters: Vec<(char, String)>,
}

impl TabularNotes {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One entry of a code set as stored in SQLite and indexed for search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeEntry {
    pub system: CodeSystem,
    pub kind: EntryKind,
    /// Codes carry their dot where the system has one ("I50.23", "W06.XXXA"); PCS and HCPCS have none.
    /// Chapters are "1".."22", sections are their range ("I30-I5A").
    pub code: String,
    pub title: String,
    /// Only billable (valid for submission) codes can be assigned.
    pub billable: bool,
    /// The entry this one sits under: code → parent code → section → chapter.
    pub parent: Option<String>,
    pub notes: TabularNotes,
}

/// Normalise what a user typed as a code: trim, upper-case, drop a trailing dot's absence issues.
/// Returns the code without dot ("I5023").
pub fn undotted(code: &str) -> String {
    // Dots first, then the trim: "I10 ." is "I10", not "I10 " (and the result is a fixed point).
    code.chars()
        .filter(|c| *c != '.')
        .collect::<String>()
        .trim()
        .to_ascii_uppercase()
}

/// ICD-10-CM codes are written with a dot after the third character.
pub fn dotted_cm(code: &str) -> String {
    let u = undotted(code);
    // Split after the third character, not byte: typed text may hold any character ("ÄÄ", "💩").
    match u.char_indices().nth(3) {
        Some((at, _)) => format!("{}.{}", &u[..at], &u[at..]),
        None => u,
    }
}

/// The code as shown for its system.
pub fn display_code(system: CodeSystem, code: &str) -> String {
    match system {
        CodeSystem::Icd10Cm => dotted_cm(code),
        _ => undotted(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots() {
        assert_eq!(dotted_cm("I5023"), "I50.23");
        assert_eq!(dotted_cm("i50.23"), "I50.23");
        assert_eq!(dotted_cm("I10"), "I10");
        assert_eq!(dotted_cm("W06XXXA"), "W06.XXXA");
        assert_eq!(display_code(CodeSystem::Icd10Pcs, "0016070"), "0016070");
    }

    #[test]
    fn non_ascii_codes_do_not_panic() {
        assert_eq!(dotted_cm("ÄÄ"), "ÄÄ");
        assert_eq!(dotted_cm("💩"), "💩");
        assert_eq!(dotted_cm("ÄÄÄÄ"), "ÄÄÄ.Ä");
        assert_eq!(dotted_cm("I5💩"), "I5💩");
        assert_eq!(dotted_cm("I5💩2"), "I5💩.2");
        assert_eq!(dotted_cm(".\t💩"), "💩");
        assert_eq!(undotted("I10 ."), "I10");
    }

    #[test]
    fn systems_parse() {
        assert_eq!("icd-10-cm".parse::<CodeSystem>(), Ok(CodeSystem::Icd10Cm));
        assert_eq!("PCS".parse::<CodeSystem>(), Ok(CodeSystem::Icd10Pcs));
        assert!("icd9".parse::<CodeSystem>().is_err());
    }
}
