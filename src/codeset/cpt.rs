//! Reader for a site's licensed CPT file: CSV rows of code, short descriptor, long descriptor (a
//! header row is allowed). CPT is the AMA's copyright: chartdesk ships none of it, a site imports
//! the file its licence gives it.
use std::collections::HashMap;
use std::io::BufRead;

use anyhow::{Result, bail};

use super::CodeSetRelease;
use crate::domain::{CodeEntry, CodeSystem, EntryKind, TabularNotes};

/// Checks a CPT code: four digits and a fifth character that is a digit (Category I), F (Category
/// II), T (Category III), U (proprietary laboratory analyses) or M (multianalyte assays).
pub fn check_cpt(code: &str) -> Result<(), String> {
    let b = code.as_bytes();
    let ok = b.len() == 5
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b[4].is_ascii_digit() || matches!(b[4], b'F' | b'T' | b'U' | b'M'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "CPT code '{code}' must be four digits and a digit, F, T, U or M (e.g. 12345, 1234F)"
        ))
    }
}

/// Parses a licensed CPT CSV file; every code is billable.
pub fn parse<R: BufRead>(reader: R, version: &str, source: &str) -> Result<CodeSetRelease> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let mut entries = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        let more = match csv.read_record(&mut record) {
            Ok(more) => more,
            Err(err) => match err.position().map(|p| p.line()) {
                Some(line) => bail!(
                    "{source}, line {line}: not a readable CSV row ({err}); save the file as UTF-8 \
                     CSV"
                ),
                None => bail!("{source}: cannot read the CPT file: {err}"),
            },
        };
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let is_first = std::mem::replace(&mut first, false);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let code = record
            .get(0)
            .unwrap_or_default()
            .trim_start_matches('\u{feff}')
            .to_ascii_uppercase();
        if let Err(why) = check_cpt(&code) {
            if is_first && code.to_ascii_lowercase().contains("code") {
                continue; // a header row
            }
            bail!("{source}, line {line}, field 1 (code): {why}");
        }
        if record.len() != 3 {
            bail!(
                "{source}, line {line}: expected 3 fields (code, short descriptor, long descriptor) \
                 but found {}",
                record.len()
            );
        }
        let short = record.get(1).unwrap_or_default();
        let long = record.get(2).unwrap_or_default();
        let title = if long.is_empty() { short } else { long };
        if title.is_empty() {
            bail!(
                "{source}, line {line}, fields 2-3 (descriptors): code {code} has neither a short \
                 nor a long descriptor"
            );
        }
        if let Some(prev) = seen.insert(code.clone(), line) {
            bail!("{source}, line {line}, field 1 (code): {code} already appeared on line {prev}");
        }
        let inclusion_terms = if short.is_empty() || short == title {
            Vec::new()
        } else {
            vec![short.to_string()]
        };
        entries.push(CodeEntry {
            system: CodeSystem::Cpt,
            kind: EntryKind::Code,
            code,
            title: title.to_string(),
            billable: true,
            parent: None,
            notes: TabularNotes {
                inclusion_terms,
                ..TabularNotes::default()
            },
        });
    }
    if entries.is_empty() {
        bail!("{source}: the CPT file holds no codes");
    }
    Ok(CodeSetRelease {
        system: CodeSystem::Cpt,
        version: version.to_string(),
        source: source.to_string(),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_shapes() {
        for ok in ["12345", "1234F", "0001T", "0002U", "0003M"] {
            assert!(check_cpt(ok).is_ok(), "{ok}");
        }
        for bad in ["1234", "A1234", "1234X", "123456", "12 45"] {
            assert!(check_cpt(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_rows_with_or_without_header() {
        let text = "Code,Short,Long\n99991,Test alpha,Test procedure alpha\n0001T,Test beta,\n";
        let rel = parse(text.as_bytes(), "2026", "c.csv").unwrap();
        assert_eq!(rel.entries.len(), 2);
        assert_eq!(rel.entries[0].title, "Test procedure alpha");
        assert_eq!(rel.entries[0].notes.inclusion_terms, vec!["Test alpha"]);
        assert_eq!(rel.entries[1].title, "Test beta");
        let err = format!(
            "{:#}",
            parse("99991,a,b\n9999,c,d\n".as_bytes(), "2026", "c.csv").unwrap_err()
        );
        assert!(err.contains("c.csv, line 2, field 1"), "{err}");
    }
}
