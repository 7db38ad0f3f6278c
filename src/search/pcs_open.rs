//! Which ICD-10-PCS axes a code search left open: when the first result is a PCS code, the codes among
//! the first results that share its section, body system and root operation (its first three
//! characters) and still differ in a later character leave that axis for the coder to choose
//! ("approach? device?"). Only codes that explain the query about as well as the first (score within
//! [`MARGIN`]) count: a code that contradicts an axis the query stated ("lap" against an open
//! approach) scores well below it, so a stated axis is not asked again. Shown under the results with a
//! pointer to the PCS browser at the characters the leading codes share.
use super::codes::CodeHit;
use crate::domain::CodeSystem;

/// How many results are compared with the first.
const WINDOW: usize = 10;
/// How far below the first result's score a code may be and still count as an open choice.
const MARGIN: f32 = 1.0;

/// Names of characters 4 to 7 in the Medical and Surgical and the Obstetrics sections (the PCS
/// reference manual's axis names); other sections are named by position.
const SURGICAL: [&str; 4] = ["body part", "approach", "device", "qualifier"];
const BY_POSITION: [&str; 4] = [
    "4th character",
    "5th character",
    "6th character",
    "7th character",
];

/// The axes (characters 4 to 7) that vary among the leading results of the first result's root
/// operation, in code order; empty when the first result is not a PCS code or nothing varies.
pub fn open_axes(hits: &[CodeHit]) -> Vec<&'static str> {
    let Some(lead) = hits.first() else {
        return Vec::new();
    };
    let code = lead.code.as_bytes();
    if lead.system != CodeSystem::Icd10Pcs || code.len() != 7 {
        return Vec::new();
    }
    let names = if matches!(code[0], b'0' | b'1') {
        SURGICAL
    } else {
        BY_POSITION
    };
    let same_op: Vec<&[u8]> = hits
        .iter()
        .take(WINDOW)
        .filter(|h| h.system == CodeSystem::Icd10Pcs && h.score >= lead.score - MARGIN)
        .map(|h| h.code.as_bytes())
        .filter(|c| c.len() == 7 && c[..3] == code[..3])
        .collect();
    (3..7)
        .filter(|&i| same_op.iter().any(|c| c[i] != code[i]))
        .map(|i| names[i - 3])
        .collect()
}

/// The characters the leading codes of the first result's root operation share, up to the first open
/// axis ("0SRC" when device and qualifier are open): where the PCS browser should start. Empty when
/// the first result is not a PCS code.
pub fn browse_prefix(hits: &[CodeHit]) -> String {
    let Some(lead) = hits.first() else {
        return String::new();
    };
    let code = lead.code.as_bytes();
    if lead.system != CodeSystem::Icd10Pcs || code.len() != 7 {
        return String::new();
    }
    let close: Vec<&[u8]> = hits
        .iter()
        .take(WINDOW)
        .filter(|h| h.system == CodeSystem::Icd10Pcs && h.score >= lead.score - MARGIN)
        .map(|h| h.code.as_bytes())
        .filter(|c| c.len() == 7 && c[..3] == code[..3])
        .collect();
    let shared = (3..7)
        .find(|&i| close.iter().any(|c| c[i] != code[i]))
        .unwrap_or(7);
    lead.code[..shared].to_string()
}

/// Where the PCS browser opens for a search: the code start typed, if the query is one ("0DT"),
/// else the characters the leading PCS results share ([`browse_prefix`]); empty for the start.
pub fn browse_start(query: &str, hits: &[CodeHit]) -> String {
    let typed = query.trim().to_ascii_uppercase();
    if !typed.is_empty()
        && typed.len() <= 7
        && typed.chars().all(|c| c.is_ascii_alphanumeric())
        && typed.chars().any(|c| c.is_ascii_digit())
    {
        return typed;
    }
    browse_prefix(hits)
}

/// "open: approach? device? (:pcs at 0SRC)", or None when no axis is open.
pub fn open_axes_line(hits: &[CodeHit]) -> Option<String> {
    let axes = open_axes(hits);
    if axes.is_empty() {
        return None;
    }
    let asks: Vec<String> = axes.iter().map(|a| format!("{a}?")).collect();
    Some(format!(
        "open: {} (:pcs at {})",
        asks.join(" "),
        browse_prefix(hits)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(code: &str, system: CodeSystem) -> CodeHit {
        CodeHit {
            system,
            code: code.into(),
            title: String::new(),
            billable: true,
            score: 1.0,
            matched: None,
        }
    }

    #[test]
    fn varying_characters_of_the_leading_root_operation_are_open() {
        let pcs = CodeSystem::Icd10Pcs;
        let hits = [
            hit("0SRC0JZ", pcs),
            hit("0SRC0J9", pcs),
            hit("0SRC07Z", pcs),
            hit("0SRD0JZ", pcs),
            hit("0QSB04Z", pcs), // another root operation: ignored
            hit("Z96.651", CodeSystem::Icd10Cm),
        ];
        assert_eq!(open_axes(&hits), ["body part", "device", "qualifier"]);
        assert_eq!(
            open_axes_line(&hits[..2]).as_deref(),
            Some("open: qualifier? (:pcs at 0SRC0J)")
        );
        assert_eq!(browse_prefix(&hits), "0SR");
        assert_eq!(browse_start("tka", &hits[..2]), "0SRC0J");
        assert_eq!(browse_start("0dt", &hits), "0DT");
        assert_eq!(browse_start("hip", &[]), "");
        // A code well below the first (it contradicts what the query stated) leaves its axis closed.
        let mut stated = hits[..3].to_vec();
        stated[2].score = -1.0;
        assert_eq!(open_axes(&stated), ["qualifier"]);
        // A single code, a diagnosis first, or another section's naming.
        assert!(open_axes(&hits[..1]).is_empty());
        assert!(open_axes(&[hit("I10", CodeSystem::Icd10Cm), hit("0SRC0JZ", pcs)]).is_empty());
        let admin = [hit("30233N1", pcs), hit("30243N1", pcs)];
        assert_eq!(open_axes(&admin), ["4th character"]);
    }
}
