//! Which ICD-10-PCS axes a code search left open: when the first result is a PCS code, the codes among
//! the first results that share its section, body system and root operation (its first three
//! characters) and still differ in a later character leave that axis for the coder to choose
//! ("approach? device?"). Shown under the results with a pointer to the PCS browser.
use super::codes::CodeHit;
use crate::domain::CodeSystem;

/// How many results are compared with the first.
const WINDOW: usize = 10;

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
        .filter(|h| h.system == CodeSystem::Icd10Pcs)
        .map(|h| h.code.as_bytes())
        .filter(|c| c.len() == 7 && c[..3] == code[..3])
        .collect();
    (3..7)
        .filter(|&i| same_op.iter().any(|c| c[i] != code[i]))
        .map(|i| names[i - 3])
        .collect()
}

/// "open: approach? device? (:pcs to browse)", or None when no axis is open.
pub fn open_axes_line(hits: &[CodeHit]) -> Option<String> {
    let axes = open_axes(hits);
    if axes.is_empty() {
        return None;
    }
    let asks: Vec<String> = axes.iter().map(|a| format!("{a}?")).collect();
    Some(format!("open: {} (:pcs to browse)", asks.join(" ")))
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
            Some("open: qualifier? (:pcs to browse)")
        );
        // A single code, a diagnosis first, or another section's naming.
        assert!(open_axes(&hits[..1]).is_empty());
        assert!(open_axes(&[hit("I10", CodeSystem::Icd10Cm), hit("0SRC0JZ", pcs)]).is_empty());
        let admin = [hit("30233N1", pcs), hit("30243N1", pcs)];
        assert_eq!(open_axes(&admin), ["4th character"]);
    }
}
