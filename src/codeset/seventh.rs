//! 7th-character extensions of ICD-10-CM: building full codes from a tabular `sevenChrDef`, and the
//! tabular's written exceptions to them ("7th characters D and S do not apply to ... S06 with 6th
//! character 7 ... or 8 ...").
use crate::domain::code::dotted_cm;

/// The placeholder that fills a code shorter than 6 characters before its 7th character.
pub const PLACEHOLDER: char = 'X';

/// The full code, dotted, for a 7th character added to `code` (dotted or not): "W06" + 'A' →
/// "W06.XXXA". `None` when `code` already has 6 or more characters without its dot plus
/// placeholders would make it longer than 7.
pub fn extend(code: &str, seventh: char) -> Option<String> {
    let mut bare: String = code.chars().filter(|c| *c != '.').collect();
    if bare.len() > 6 {
        return None;
    }
    while bare.len() < 6 {
        bare.push(PLACEHOLDER);
    }
    bare.push(seventh);
    Some(dotted_cm(&bare))
}

/// The title CMS gives an extended code: "<code title>, <meaning of the 7th character>".
pub fn extended_title(title: &str, meaning: &str) -> String {
    if meaning.is_empty() {
        title.to_string()
    } else {
        format!("{title}, {meaning}")
    }
}

/// A written rule that some 7th characters do not apply to part of a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// The 7th characters that do not apply ('D', 'S').
    pub sevenths: Vec<char>,
    /// The category or subcategory it is about, without dot ("S06").
    pub prefix: String,
    /// Which character of the code (1-based, placeholders counted) the condition is on: 6.
    pub position: usize,
    /// The values of that character for which the 7th characters do not apply ('7', '8').
    pub values: Vec<char>,
}

impl Exclusion {
    /// Whether `seventh` is not allowed on `code` (dotted or not, before its 7th character).
    pub fn forbids(&self, code: &str, seventh: char) -> bool {
        if !self.sevenths.contains(&seventh) {
            return false;
        }
        let mut bare: Vec<char> = code.chars().filter(|c| *c != '.').collect();
        while bare.len() < 6 {
            bare.push(PLACEHOLDER);
        }
        let prefix_ok = bare.iter().collect::<String>().starts_with(&self.prefix);
        let at = self.position.checked_sub(1).and_then(|i| bare.get(i));
        prefix_ok && at.is_some_and(|c| self.values.contains(c))
    }
}

fn ordinal(word: &str) -> Option<usize> {
    match word {
        "1st" | "first" => Some(1),
        "2nd" | "second" => Some(2),
        "3rd" | "third" => Some(3),
        "4th" | "fourth" => Some(4),
        "5th" | "fifth" => Some(5),
        "6th" | "sixth" => Some(6),
        "7th" | "seventh" => Some(7),
        _ => None,
    }
}

fn single_value(word: &str) -> Option<char> {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_uppercase() || c.is_ascii_digit() => Some(c),
        _ => None,
    }
}

/// Reads a note of the form "7th characters D and S do not apply to codes in category S06 with 6th
/// character 7 - ..., or 8 - ...". Returns `None` for any other note.
pub fn parse_exclusion(note: &str) -> Option<Exclusion> {
    if !(note.contains("7th") || note.to_ascii_lowercase().contains("seventh")) {
        return None;
    }
    let words: Vec<&str> = note
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '(' | ')')))
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let is_char_word = |i: usize| {
        lower
            .get(i)
            .is_some_and(|w| w == "character" || w == "characters")
    };

    // "7th characters D and S do not apply"
    let start = (0..lower.len()).find(|&i| ordinal(&lower[i]) == Some(7) && is_char_word(i + 1))?;
    let mut i = start + 2;
    let mut sevenths = Vec::new();
    while i < words.len() && lower[i] != "do" && lower[i] != "does" {
        if let Some(c) = single_value(words[i]) {
            sevenths.push(c);
        } else if lower[i] != "and" && lower[i] != "or" {
            return None;
        }
        i += 1;
    }
    if sevenths.is_empty()
        || lower.get(i + 1).map(String::as_str) != Some("not")
        || lower.get(i + 2).map(String::as_str) != Some("apply")
    {
        return None;
    }

    // "... category S06 ..."
    let cat = (i..lower.len()).find(|&j| lower[j] == "category" || lower[j] == "subcategory")?;
    let prefix: String = words.get(cat + 1)?.chars().filter(|c| *c != '.').collect();
    if prefix.len() < 3 || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }

    // "... with 6th character 7 - ..., or 8 - ..."
    let pos_at =
        (cat..lower.len()).find(|&j| ordinal(&lower[j]).is_some() && is_char_word(j + 1))?;
    let position = ordinal(&lower[pos_at])?;
    let mut values = Vec::new();
    let mut j = pos_at + 2;
    let mut expect_value = true;
    while j < words.len() {
        if expect_value && let Some(c) = single_value(words[j]) {
            values.push(c);
            expect_value = false;
        } else if lower[j] == "or" || lower[j] == "and" {
            expect_value = true;
        }
        j += 1;
    }
    if values.is_empty() {
        return None;
    }
    Some(Exclusion {
        sevenths,
        prefix,
        position,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extends_with_placeholders() {
        assert_eq!(extend("W06", 'A').as_deref(), Some("W06.XXXA"));
        assert_eq!(extend("S72.001", 'A').as_deref(), Some("S72.001A"));
        assert_eq!(extend("T36.0X1", 'A').as_deref(), Some("T36.0X1A"));
        assert_eq!(extend("H40.10", '3').as_deref(), Some("H40.10X3"));
        assert_eq!(extend("S72.001A", 'D'), None);
        assert_eq!(
            extended_title("Fall from bed", "initial encounter"),
            "Fall from bed, initial encounter"
        );
    }

    #[test]
    fn reads_the_s06_exception() {
        let note = "7th characters D and S do not apply to codes in category S06 with 6th character \
                    7 - death due to brain injury prior to regaining consciousness, or 8 - death due \
                    to other cause prior to regaining consciousness.";
        let ex = parse_exclusion(note).unwrap();
        assert_eq!(ex.sevenths, vec!['D', 'S']);
        assert_eq!(ex.prefix, "S06");
        assert_eq!(ex.position, 6);
        assert_eq!(ex.values, vec!['7', '8']);
        assert!(ex.forbids("S06.1X7", 'D'));
        assert!(ex.forbids("S06.308", 'S'));
        assert!(!ex.forbids("S06.1X7", 'A'));
        assert!(!ex.forbids("S06.1X1", 'D'));
        assert!(!ex.forbids("S07.0X7", 'D'));
        // A 5-character code padded with X never has 7 or 8 in 6th place.
        assert!(!ex.forbids("S06.A0", 'D'));
    }

    #[test]
    fn ignores_other_notes() {
        assert_eq!(parse_exclusion("Fall from stool"), None);
        assert_eq!(
            parse_exclusion(
                "The appropriate 7th character is to be added to each code from category S06"
            ),
            None
        );
        assert_eq!(
            parse_exclusion("aftercare for healing fracture-code to fracture with 7th character D"),
            None
        );
    }
}
