//! Shape checks for codes read from release files, so a corrupt file is refused with a clear reason.
use crate::domain::CodeSystem;

/// Checks an ICD-10-CM code written without its dot ("I5023", "W06XXXA").
///
/// A code is 3 to 7 upper-case letters or digits; the first is a letter and the third is a digit or
/// letter. The second is normally a digit, but the April 2026 update brought category `QA0`, so a
/// letter is accepted there too. Returns what is wrong, for the caller to put in its error.
pub fn check_cm(code: &str) -> Result<(), String> {
    let bytes = code.as_bytes();
    if !(3..=7).contains(&bytes.len()) {
        return Err(format!(
            "ICD-10-CM code '{code}' has {} characters; it must have 3 to 7 (without the dot)",
            code.chars().count()
        ));
    }
    if let Some(bad) = code
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
    {
        return Err(format!(
            "ICD-10-CM code '{code}' contains '{bad}'; only upper-case letters and digits are allowed"
        ));
    }
    if !bytes[0].is_ascii_uppercase() {
        return Err(format!("ICD-10-CM code '{code}' must start with a letter"));
    }
    if !bytes[1].is_ascii_digit() && code.get(..3) != Some("QA0") {
        return Err(format!(
            "ICD-10-CM code '{code}' must have a digit as its second character"
        ));
    }
    Ok(())
}

/// Checks an ICD-10-PCS code: exactly 7 upper-case letters or digits.
pub fn check_pcs(code: &str) -> Result<(), String> {
    if code.len() != 7
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(format!(
            "ICD-10-PCS code '{code}' must be exactly 7 upper-case letters or digits"
        ));
    }
    Ok(())
}

/// Checks a PCS header row of an order file ("001": section, body system, operation), 1 to 7 chars.
pub fn check_pcs_header(code: &str) -> Result<(), String> {
    if code.is_empty()
        || code.len() > 7
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(format!(
            "ICD-10-PCS header code '{code}' must be 1 to 7 upper-case letters or digits"
        ));
    }
    Ok(())
}

/// Checks a billable code of `system`; HCPCS and CPT are 5 characters.
pub fn check_code(system: CodeSystem, code: &str) -> Result<(), String> {
    match system {
        CodeSystem::Icd10Cm => check_cm(code),
        CodeSystem::Icd10Pcs => check_pcs(code),
        CodeSystem::Hcpcs | CodeSystem::Cpt => {
            if code.len() == 5
                && code
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            {
                Ok(())
            } else {
                Err(format!(
                    "{system} code '{code}' must be exactly 5 upper-case letters or digits"
                ))
            }
        }
    }
}

/// Collapses runs of white space (tabs, line breaks) into single spaces and trims the ends.
pub fn squash_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cm_codes() {
        for ok in [
            "I10", "I5023", "W06XXXA", "S72001A", "C7A", "QA00101", "U071",
        ] {
            assert!(check_cm(ok).is_ok(), "{ok} should pass");
        }
        for bad in [
            "I1",
            "I50.23",
            "i5023",
            "15023",
            "IA023",
            "I50230000",
            "I50 23",
        ] {
            assert!(check_cm(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn pcs_codes() {
        assert!(check_pcs("0016070").is_ok());
        assert!(check_pcs("B020ZZZ").is_ok());
        assert!(check_pcs("001607").is_err());
        assert!(check_pcs("0016070A").is_err());
        assert!(check_pcs("00160-0").is_err());
        assert!(check_pcs_header("001").is_ok());
        assert!(check_pcs_header("").is_err());
    }

    #[test]
    fn spaces() {
        assert_eq!(squash_spaces("  a\t b\n\n c "), "a b c");
        assert_eq!(squash_spaces(""), "");
    }
}
