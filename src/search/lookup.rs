//! Code lookup: a query that looks like a code (or the start of one) lists that code and its family.
use super::codes::CodeQuery;
use super::rank::Ranked;
use super::table::Table;
use crate::domain::CodeSystem;

/// The undotted, upper-case code prefix a query spells, if it looks like a code: letters and digits
/// (with at most one dot, after the third character), two to seven characters, at least one digit.
pub(crate) fn code_like(query: &str) -> Option<String> {
    let q = query.trim();
    if q.is_empty() || q.len() > 8 || !q.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        return None;
    }
    let dots = q.matches('.').count();
    if dots > 1 || (dots == 1 && q.find('.') != Some(3)) {
        return None;
    }
    let code: String = q
        .chars()
        .filter(|c| *c != '.')
        .collect::<String>()
        .to_ascii_uppercase();
    let has_digit = code.bytes().any(|b| b.is_ascii_digit());
    if !(2..=7).contains(&code.len()) || !has_digit {
        return None;
    }
    // A dotted query is ICD-10-CM: a letter then a digit.
    let b = code.as_bytes();
    if dots == 1 && !(b[0].is_ascii_alphabetic() && b[1].is_ascii_digit()) {
        return None;
    }
    Some(code)
}

/// Whether `code` (undotted, upper case) is exactly a code of some system.
pub(crate) fn is_exact_code(t: &Table, code: &str) -> bool {
    CodeSystem::ALL
        .iter()
        .any(|&sys| t.code_range(sys, code).any(|i| t.code(&t.entry(i)) == code))
}

/// Codes starting with `prefix`: the exact code when billable, then billable descendants in code order,
/// then the exact code when it is a header and header descendants. ICD-10-CM comes before other systems.
pub(crate) fn lookup(t: &Table, prefix: &str, q: &CodeQuery) -> Vec<Ranked> {
    let mut out = Vec::new();
    for sys in CodeSystem::ALL {
        if !q.systems.is_empty() && !q.systems.contains(&sys) {
            continue;
        }
        let range = t.code_range(sys, prefix);
        if range.is_empty() {
            continue;
        }
        let (billable, headers): (Vec<usize>, Vec<usize>) =
            range.partition(|&i| t.entry(i).billable);
        let mut order = billable;
        if !q.billable_only {
            order.extend(headers);
        }
        // The exact code leads its group (code order already puts it first within the group).
        for i in order {
            if out.len() >= q.limit {
                return out;
            }
            let score = 1000.0 - out.len() as f32;
            out.push(Ranked::plain(i as u32, score, None));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_codes_and_prefixes() {
        assert_eq!(code_like("E119").as_deref(), Some("E119"));
        assert_eq!(code_like("i50.2").as_deref(), Some("I502"));
        assert_eq!(code_like("K85.").as_deref(), Some("K85"));
        assert_eq!(code_like(" r55 ").as_deref(), Some("R55"));
        assert_eq!(code_like("0DTJ4ZZ").as_deref(), Some("0DTJ4ZZ"));
        assert_eq!(code_like("W10.9XXA").as_deref(), Some("W109XXA"));
        assert_eq!(code_like("copd"), None);
        assert_eq!(code_like("ra"), None);
        assert_eq!(code_like("i50 2"), None);
        assert_eq!(code_like("I5.02"), None);
    }
}
