//! Reader for the CMS fixed-width "order" files (`icd10cm_order_2026.txt`, `icd10pcs_order_2026.txt`):
//! every code and header in tabular order with its short and long title.
use std::collections::HashMap;
use std::io::BufRead;

use anyhow::{Context, Result, bail};

use super::CodeSetRelease;
use super::validate::{check_cm, check_code, check_pcs_header};
use crate::domain::code::display_code;
use crate::domain::{CodeEntry, CodeSystem, EntryKind, TabularNotes};

/// Columns of the layout, 0-based byte ranges (the CMS layout counts from 1).
const ORDER: std::ops::Range<usize> = 0..5;
const CODE: std::ops::Range<usize> = 6..13;
const FLAG: usize = 14;
const SHORT: std::ops::Range<usize> = 16..76;
const LONG_START: usize = 77;
const BLANKS: [usize; 4] = [5, 13, 15, 76];

/// One decoded line of an order file.
struct Row {
    code: String,
    billable: bool,
    long_title: String,
}

/// Parses a CMS order file of `system` (ICD-10-CM or ICD-10-PCS).
pub fn parse<R: BufRead>(
    mut reader: R,
    system: CodeSystem,
    version: &str,
    source: &str,
) -> Result<CodeSetRelease> {
    if !matches!(system, CodeSystem::Icd10Cm | CodeSystem::Icd10Pcs) {
        bail!("{source}: CMS order files hold ICD-10-CM or ICD-10-PCS codes, not {system}");
    }
    let mut entries: Vec<CodeEntry> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    // Headers above the current line, outermost first (codes without dot).
    let mut headers: Vec<String> = Vec::new();
    let mut raw = Vec::with_capacity(512);
    let mut line_no: u64 = 0;
    loop {
        raw.clear();
        let n = reader
            .read_until(b'\n', &mut raw)
            .with_context(|| format!("{source}: cannot read line {}", line_no + 1))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        while matches!(raw.last(), Some(b'\n' | b'\r')) {
            raw.pop();
        }
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let row = parse_row(&raw, system).with_context(|| {
            format!("{source}, line {line_no}: not a valid CMS order-file line")
        })?;
        if let Some(first) = seen.insert(row.code.clone(), line_no) {
            bail!(
                "{source}, line {line_no}: code {} already appeared on line {first}; the file is \
                 corrupt or two releases were joined",
                row.code
            );
        }
        while let Some(top) = headers.last() {
            if row.code.starts_with(top.as_str()) && row.code != *top {
                break;
            }
            headers.pop();
        }
        let parent = headers.last().map(|h| display_code(system, h));
        if !row.billable {
            headers.push(row.code.clone());
        }
        entries.push(CodeEntry {
            system,
            kind: EntryKind::Code,
            code: display_code(system, &row.code),
            title: row.long_title,
            billable: row.billable,
            parent,
            notes: TabularNotes::default(),
        });
    }
    if entries.is_empty() {
        bail!("{source}: the order file holds no codes");
    }
    Ok(CodeSetRelease {
        system,
        version: version.to_string(),
        source: source.to_string(),
        entries,
    })
}

/// Text of a field: UTF-8 when it is, else Latin-1 (older CMS files), one byte per character.
fn field_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

fn parse_row(raw: &[u8], system: CodeSystem) -> Result<Row> {
    if raw.len() <= LONG_START {
        bail!(
            "it has {} characters but needs at least {}: order number (columns 1-5), code (7-13), \
             header flag (15), short title (17-76) and long title (from 78)",
            raw.len(),
            LONG_START + 1
        );
    }
    let order = &raw[ORDER];
    if !order.iter().all(u8::is_ascii_digit) {
        bail!(
            "the order number in columns 1-5 is '{}', not 5 digits",
            field_text(order)
        );
    }
    for col in BLANKS {
        if raw[col] != b' ' {
            bail!(
                "column {} should be blank but holds '{}'; the columns are shifted",
                col + 1,
                field_text(&raw[col..=col])
            );
        }
    }
    let code = field_text(&raw[CODE]).trim_end().to_string();
    if code.is_empty() || code.contains(' ') {
        bail!("the code in columns 7-13 is '{code}', which is empty or has a space inside");
    }
    let billable = match raw[FLAG] {
        b'1' => true,
        b'0' => false,
        other => bail!(
            "the header flag in column 15 is '{}'; it must be 1 (valid code) or 0 (header)",
            char::from(other)
        ),
    };
    let checked = if billable {
        check_code(system, &code)
    } else if system == CodeSystem::Icd10Cm {
        check_cm(&code)
    } else {
        check_pcs_header(&code)
    };
    checked.map_err(anyhow::Error::msg)?;
    let long_title = field_text(&raw[LONG_START..]).trim().to_string();
    let long_title = if long_title.is_empty() {
        // Fall back on the short title rather than store a blank one.
        field_text(&raw[SHORT]).trim().to_string()
    } else {
        long_title
    };
    if long_title.is_empty() {
        bail!("code {code} has neither a long title (column 78 on) nor a short title (17-76)");
    }
    Ok(Row {
        code,
        billable,
        long_title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(order: u32, code: &str, flag: char, short: &str, long: &str) -> String {
        format!("{order:05} {code:<7} {flag} {short:<60} {long}")
    }

    #[test]
    fn reads_cm_rows_and_parents() {
        let text = [
            line(1, "I50", '0', "Heart failure", "Heart failure"),
            line(
                2,
                "I502",
                '0',
                "Systolic (congestive) heart failure",
                "Systolic (congestive) heart failure",
            ),
            line(
                3,
                "I5023",
                '1',
                "Acute on chronic systolic heart failure",
                "Acute on chronic systolic (congestive) heart failure",
            ),
            line(
                4,
                "I509",
                '1',
                "Heart failure, unspecified",
                "Heart failure, unspecified",
            ),
        ]
        .join("\r\n");
        let rel = parse(text.as_bytes(), CodeSystem::Icd10Cm, "FY2026", "t.txt").unwrap();
        let codes: Vec<_> = rel
            .entries
            .iter()
            .map(|e| (e.code.as_str(), e.parent.as_deref(), e.billable))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("I50", None, false),
                ("I50.2", Some("I50"), false),
                ("I50.23", Some("I50.2"), true),
                ("I50.9", Some("I50"), true),
            ]
        );
        assert_eq!(
            rel.entries[2].title,
            "Acute on chronic systolic (congestive) heart failure"
        );
    }

    #[test]
    fn names_what_is_wrong() {
        let bad_flag = line(
            1,
            "I10",
            '2',
            "Hypertension",
            "Essential (primary) hypertension",
        );
        let err = format!(
            "{:#}",
            parse(bad_flag.as_bytes(), CodeSystem::Icd10Cm, "FY", "x.txt").unwrap_err()
        );
        assert!(
            err.contains("x.txt, line 1") && err.contains("column 15"),
            "{err}"
        );
        let short = "00001 I10     1 Hypertension";
        let err = format!(
            "{:#}",
            parse(short.as_bytes(), CodeSystem::Icd10Cm, "FY", "x.txt").unwrap_err()
        );
        assert!(err.contains("needs at least 78"), "{err}");
    }
}
