//! Reader for a plain ICD-10-PCS code list: CSV rows of `"code","long title"`, no header row.
use std::collections::HashMap;
use std::io::BufRead;

use anyhow::{Result, bail};

use super::CodeSetRelease;
use super::validate::check_pcs;
use crate::domain::{CodeEntry, CodeSystem, EntryKind, TabularNotes};

/// Parses a PCS code list; every row is a billable code.
pub fn parse<R: BufRead>(reader: R, version: &str, source: &str) -> Result<CodeSetRelease> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let mut entries = Vec::with_capacity(80_000);
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        let more = match csv.read_record(&mut record) {
            Ok(more) => more,
            Err(err) => {
                let line = err.position().map(|p| p.line());
                match line {
                    Some(line) => {
                        bail!("{source}, line {line}: not a valid PCS code-list row: {err}")
                    }
                    None => bail!("{source}: cannot read the PCS code list: {err}"),
                }
            }
        };
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let is_first = std::mem::replace(&mut first, false);
        if record.len() != 2 {
            bail!(
                "{source}, line {line}: expected 2 fields (code, long title) but found {}",
                record.len()
            );
        }
        let code = record.get(0).unwrap_or_default();
        let title = record.get(1).unwrap_or_default();
        if let Err(why) = check_pcs(code) {
            // Tolerate a header row such as "Code,Description" on the first line.
            if is_first && code.to_ascii_lowercase().contains("code") {
                continue;
            }
            bail!("{source}, line {line}: {why}");
        }
        if title.is_empty() {
            bail!("{source}, line {line}: code {code} has an empty title");
        }
        if let Some(prev) = seen.insert(code.to_string(), line) {
            bail!("{source}, line {line}: code {code} already appeared on line {prev}");
        }
        entries.push(CodeEntry {
            system: CodeSystem::Icd10Pcs,
            kind: EntryKind::Code,
            code: code.to_string(),
            title: title.to_string(),
            billable: true,
            parent: None,
            notes: TabularNotes::default(),
        });
    }
    if entries.is_empty() {
        bail!("{source}: the PCS code list holds no codes");
    }
    Ok(CodeSetRelease {
        system: CodeSystem::Icd10Pcs,
        version: version.to_string(),
        source: source.to_string(),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows() {
        let text = "\"0016070\",\"Bypass Cerebral Ventricle to Nasopharynx, Open Approach\"\n\
                    \"0016071\",\"Bypass Cerebral Ventricle to Mastoid Sinus, Open Approach\"\n";
        let rel = parse(text.as_bytes(), "FY2024", "t.csv").unwrap();
        assert_eq!(rel.entries.len(), 2);
        assert_eq!(rel.billable_count(), 2);
        assert_eq!(rel.entries[1].code, "0016071");
    }

    #[test]
    fn rejects_bad_codes_with_line() {
        let text = "\"0016070\",\"Bypass\"\n\"00160\",\"Short\"\n";
        let err = format!(
            "{:#}",
            parse(text.as_bytes(), "FY2024", "t.csv").unwrap_err()
        );
        assert!(
            err.contains("t.csv, line 2") && err.contains("'00160'"),
            "{err}"
        );
    }
}
