//! Encoder look-ups for the workstation: following a reference written in a tabular note to the code
//! it names, and browsing ICD-10-PCS one axis at a time. Code sets hold no patient data: not audited.
use super::{CodeDetail, Service, ServiceError};
use crate::codeset::pcs_axes::{self, AxisValue};
use crate::domain::CodeSystem;
use crate::domain::code::{display_code, undotted};
use crate::store;
use anyhow::Result;

/// The shape of a reference token in a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefShape {
    Code,
    /// "O00-O07": the first code of the range.
    Range,
    /// "K70.-", "T51.0X-": the category (the longest prefix that is a code).
    Wildcard,
}

fn shape(token: &str) -> (RefShape, &str) {
    let t = token.trim_end_matches('.');
    if let Some(head) = t.strip_suffix('-') {
        (RefShape::Wildcard, head.trim_end_matches('.'))
    } else if let Some((a, _)) = t.split_once('-') {
        (RefShape::Range, a)
    } else {
        (RefShape::Code, t)
    }
}

impl Service {
    /// The code a reference token in a note of `system` leads to: a code as written, the first code
    /// of a range, or the category of a wildcard ("K70.-"); None when the set holds no such code.
    pub fn resolve_reference(&self, system: CodeSystem, token: &str) -> Result<Option<String>> {
        let (shape, head) = shape(token.trim());
        let mut bare = undotted(head);
        while bare.len() >= 3 {
            let code = display_code(system, &bare);
            if store::codes::get(&self.conn, system, &code)?.is_some() {
                return Ok(Some(code));
            }
            if shape == RefShape::Code {
                break;
            }
            bare.pop();
        }
        Ok(None)
    }

    /// A code's detail in the first system that has it (ICD-10-CM, ICD-10-PCS, HCPCS, CPT), for
    /// look-ups that do not say which system ("GA" is an HCPCS modifier, "0DB60ZZ" a PCS code).
    pub fn code_detail_any(&self, code: &str) -> Result<CodeDetail> {
        for system in CodeSystem::ALL {
            let c = display_code(system, code);
            if store::codes::get(&self.conn, system, &c)?.is_some() {
                return self.code_detail(system, &c);
            }
        }
        Err(ServiceError::NotFound(format!(
            "{} is not a code of any loaded code set (ICD-10-CM, ICD-10-PCS, HCPCS, CPT)",
            code.trim()
        ))
        .into())
    }

    /// The ICD-10-PCS values that can follow `prefix` (0 to 6 characters), with labels derived from
    /// the titles (see `codeset::pcs_axes`).
    pub fn pcs_axis_values(&self, prefix: &str) -> Result<Vec<AxisValue>> {
        let prefix = undotted(prefix);
        if prefix.len() >= 7 {
            return Ok(Vec::new());
        }
        let system = CodeSystem::Icd10Pcs;
        if prefix.len() < 2 {
            // Sections and body systems: counts only; labels from the official tables.
            let rows = store::code_axes::next_characters(&self.conn, system, &prefix)?;
            let mut out = Vec::with_capacity(rows.len());
            for (ch, count, first) in rows {
                let title = store::codes::get(&self.conn, system, &first)?
                    .map(|e| e.title)
                    .unwrap_or_default();
                let codes = vec![(first, title)];
                let mut v = pcs_axes::axis_values(&prefix, &codes);
                if let Some(mut one) = v.pop() {
                    one.count = count;
                    if one.label == codes[0].1 && count > 1 {
                        one.label = format!("{count} codes, e.g. {}", codes[0].1);
                    }
                    out.push(AxisValue { ch, ..one });
                }
            }
            return Ok(out);
        }
        let codes = store::code_axes::billable_with_prefix(&self.conn, system, &prefix)?;
        Ok(pcs_axes::axis_values(&prefix, &codes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shapes() {
        assert_eq!(shape("K70.-"), (RefShape::Wildcard, "K70"));
        assert_eq!(shape("T51.0X-"), (RefShape::Wildcard, "T51.0X"));
        assert_eq!(shape("O00-O07"), (RefShape::Range, "O00"));
        assert_eq!(shape("I10."), (RefShape::Code, "I10"));
    }
}
