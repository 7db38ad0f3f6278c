//! Reader for the CMS HCPCS Level II alpha-numeric file (`HCPC2019_CONTR_ANWEB.txt`): fixed-width
//! 320-byte records, a first line per procedure or modifier and continuation lines for long
//! descriptions longer than 80 characters.
//!
//! Layout (columns counted from 1, as in the CMS record layout): code 1-5 (a modifier sits in 4-5),
//! sequence number 6-10, record identification 11 (3 procedure, 4 procedure continuation, 7 modifier,
//! 8 modifier continuation), long description 12-91, short description 92-119, cross-reference code
//! 205-209, coverage code 230, BETOS 257-259, code added 269-276, action effective 277-284,
//! termination 285-292, action code 293, filler 294-320.
//!
//! What chartdesk keeps: procedures become billable HCPCS codes (a terminated code is kept, not
//! billable, so old claims still read) under one section per first letter; the short description is
//! an inclusion term so search finds it; coverage, BETOS, dates, action and cross-reference become
//! notes. Modifiers are kept as non-billable entries of their two characters under a "Modifiers"
//! section, marked by a note, so `chartdesk code GA --system hcpcs` and code search show them.
use std::collections::HashMap;
use std::io::BufRead;

use anyhow::{Context, Result, bail};

use super::CodeSetRelease;
use crate::domain::{CodeEntry, CodeSystem, EntryKind, TabularNotes};

/// The full record length.
pub const RECORD_LEN: usize = 320;
/// Shortest line accepted: some lines of the CMS file lost their trailing (blank) filler; every
/// column up to the action code (293) must still be there.
const MIN_LEN: usize = 293;
/// The section code modifiers are filed under.
pub const MODIFIER_SECTION: &str = "MODIFIERS";
/// The note that marks a modifier entry.
pub const MODIFIER_NOTE: &str =
    "HCPCS Level II modifier: appended to a procedure code on a claim; never reported alone";

type Cols = std::ops::Range<usize>;
const CODE: Cols = 0..5;
const SEQ: Cols = 5..10;
const RIC: usize = 10;
const LONG: Cols = 11..91;
const SHORT: Cols = 91..119;
const XREF: Cols = 204..209;
const COVERAGE: usize = 229;
const BETOS: Cols = 256..259;
const ADDED: Cols = 268..276;
const EFFECTIVE: Cols = 276..284;
const TERMINATED: Cols = 284..292;
const ACTION: usize = 292;

/// Section titles of HCPCS Level II by first letter.
const SECTIONS: [(char, &str); 17] = [
    (
        'A',
        "Transportation services, medical and surgical supplies, administrative and investigational",
    ),
    ('B', "Enteral and parenteral therapy"),
    (
        'C',
        "Outpatient prospective payment system (temporary codes)",
    ),
    ('D', "Dental procedures"),
    ('E', "Durable medical equipment"),
    (
        'G',
        "Procedures and professional services (temporary codes)",
    ),
    ('H', "Alcohol and drug abuse treatment services"),
    ('J', "Drugs administered other than oral method"),
    ('K', "Durable medical equipment (temporary codes)"),
    ('L', "Orthotic and prosthetic procedures and devices"),
    ('M', "Medical services"),
    ('P', "Pathology and laboratory services"),
    ('Q', "Temporary codes"),
    ('R', "Diagnostic radiology services"),
    ('S', "Temporary national codes (non-Medicare)"),
    (
        'T',
        "National codes established for state Medicaid agencies",
    ),
    (
        'V',
        "Vision, hearing and speech-language pathology services",
    ),
];

fn section_code(letter: char) -> String {
    format!("{letter}0000-{letter}9999")
}

/// True when `line` (without its line break) looks like the first line of an HCPCS record.
pub fn looks_like_record(line: &[u8]) -> bool {
    line.len() >= MIN_LEN
        && line[SEQ].iter().all(u8::is_ascii_digit)
        && matches!(line[RIC], b'3' | b'7')
}

/// One decoded procedure or modifier, its long description still in pieces.
struct Item {
    line: u64,
    modifier: bool,
    code: String,
    seq: u32,
    long: Vec<String>,
    short: String,
    notes: Vec<String>,
    terminated: bool,
}

/// Parses an HCPCS Level II file; `version` labels the release (e.g. "2019").
pub fn parse<R: BufRead>(mut reader: R, version: &str, source: &str) -> Result<CodeSetRelease> {
    let mut items: Vec<Item> = Vec::new();
    let mut first_line: HashMap<(bool, String), u64> = HashMap::new();
    let mut raw = Vec::with_capacity(400);
    let mut line_no: u64 = 0;
    // A CMS file opens with a disclaimer ("***Disclaimers", lines starting with '*'), skipped up to
    // the first record.
    let mut preamble: Option<bool> = None;
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
        let in_preamble = *preamble.get_or_insert(raw.first() == Some(&b'*'));
        if in_preamble {
            if !looks_like_record(&raw) {
                continue;
            }
            preamble = Some(false);
        }
        let at = |field: &str| format!("{source}, line {line_no}, {field}");
        check_line(&raw).with_context(|| at("record"))?;
        let ric = raw[RIC];
        let seq_text = ascii(&raw[SEQ]);
        let seq: u32 = seq_text.parse().map_err(|_| {
            anyhow::anyhow!(
                "{}: '{seq_text}' is not a number",
                at("sequence number (columns 6-10)")
            )
        })?;
        let modifier = matches!(ric, b'7' | b'8');
        let code = match ric {
            b'3' | b'4' => procedure_code(&raw),
            b'7' | b'8' => modifier_code(&raw),
            other => bail!(
                "{}: '{}' is not a record identification code: 3 (procedure), 4 (procedure \
                 continuation), 7 (modifier) or 8 (modifier continuation)",
                at("record identification (column 11)"),
                char::from(other)
            ),
        }
        .map_err(|why| anyhow::anyhow!("{}: {why}", at("code (columns 1-5)")))?;
        let long = ascii(&raw[LONG]).trim().to_string();
        if matches!(ric, b'4' | b'8') {
            let what = if modifier { "modifier" } else { "procedure" };
            let first = if modifier { 7 } else { 3 };
            match items.last_mut() {
                Some(it) if it.modifier == modifier && it.code == code => {
                    if seq <= it.seq {
                        bail!(
                            "{}: {seq} does not follow {} of the line before; the records are out \
                             of order",
                            at("sequence number (columns 6-10)"),
                            it.seq
                        );
                    }
                    it.seq = seq;
                    if !long.is_empty() {
                        it.long.push(long);
                    }
                }
                _ => bail!(
                    "{}: a continuation of {what} {code} without its first line (record id \
                     {first}) just before it",
                    at("record identification (column 11)")
                ),
            }
            continue;
        }
        if long.is_empty() {
            bail!(
                "{}: {code} has no long description",
                at("long description (columns 12-91)")
            );
        }
        if let Some(prev) = first_line.insert((modifier, code.clone()), line_no) {
            bail!(
                "{}: {code} already began on line {prev}; the file is corrupt or two releases were \
                 joined",
                at("code (columns 1-5)")
            );
        }
        let (notes, terminated) = details(&raw, modifier)
            .map_err(|(field, why)| anyhow::anyhow!("{}: {why}", at(field)))?;
        items.push(Item {
            line: line_no,
            modifier,
            code,
            seq,
            long: vec![long],
            short: ascii(&raw[SHORT]).trim().to_string(),
            notes,
            terminated,
        });
    }
    if items.is_empty() {
        bail!("{source}: no HCPCS records found; is this the CMS alpha-numeric HCPCS file?");
    }
    Ok(CodeSetRelease {
        system: CodeSystem::Hcpcs,
        version: version.to_string(),
        source: source.to_string(),
        entries: entries(items),
    })
}

/// Length and character set of one line.
fn check_line(raw: &[u8]) -> Result<()> {
    if let Some(i) = raw.iter().position(|b| !(b' '..=b'~').contains(b)) {
        bail!(
            "column {} holds byte 0x{:02X}, which is not printable ASCII; HCPCS records are plain \
             ASCII (was the file re-saved by another program?)",
            i + 1,
            raw[i]
        );
    }
    if raw.len() > RECORD_LEN || raw.len() < MIN_LEN {
        bail!(
            "the line has {} characters; HCPCS records are {RECORD_LEN} (only the blank filler \
             after column {MIN_LEN} may be missing)",
            raw.len()
        );
    }
    Ok(())
}

fn ascii(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// A Level II procedure code: a letter and four digits.
fn procedure_code(raw: &[u8]) -> Result<String, String> {
    let c = &raw[CODE];
    if c[0].is_ascii_uppercase() && c[1..].iter().all(u8::is_ascii_digit) {
        Ok(ascii(c))
    } else {
        Err(format!(
            "'{}' is not an HCPCS Level II code (a capital letter and four digits)",
            ascii(c)
        ))
    }
}

/// A modifier: columns 1-3 blank, two capital letters or digits in 4-5.
fn modifier_code(raw: &[u8]) -> Result<String, String> {
    let c = &raw[CODE];
    if c[..3].iter().all(|b| *b == b' ')
        && c[3..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        Ok(ascii(&c[3..]))
    } else {
        Err(format!(
            "'{}' is not a modifier (columns 1-3 blank, two capital letters or digits in 4-5)",
            ascii(c)
        ))
    }
}

/// A date field (CCYYMMDD or blank) as "CCYY-MM-DD".
fn date(raw: &[u8], cols: Cols) -> Result<Option<String>, String> {
    let text = ascii(raw.get(cols).unwrap_or_default());
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match chrono::NaiveDate::parse_from_str(t, "%Y%m%d") {
        Ok(d) => Ok(Some(d.format("%Y-%m-%d").to_string())),
        Err(_) => Err(format!("'{t}' is not a date (CCYYMMDD)")),
    }
}

/// The administrative fields of a first line, as notes; true when the code is terminated.
fn details(raw: &[u8], modifier: bool) -> Result<(Vec<String>, bool), (&'static str, String)> {
    let mut notes = Vec::new();
    if modifier {
        notes.push(MODIFIER_NOTE.to_string());
    }
    let field = |cols: Cols| ascii(raw.get(cols).unwrap_or_default()).trim().to_string();
    let coverage = raw.get(COVERAGE).copied().unwrap_or(b' ');
    let cov = match coverage {
        b' ' => None,
        b'C' => Some("C: carrier judgment"),
        b'D' => Some("D: special coverage instructions apply"),
        b'I' => Some("I: not payable by Medicare"),
        b'M' => Some("M: non-covered by Medicare"),
        b'S' => Some("S: non-covered by Medicare statute"),
        other => {
            return Err((
                "coverage code (column 230)",
                format!(
                    "'{}' is not a coverage code (C, D, I, M, S or blank)",
                    char::from(other)
                ),
            ));
        }
    };
    if let Some(c) = cov {
        notes.push(format!("Medicare coverage {c}"));
    }
    let betos = field(BETOS);
    if !betos.is_empty() {
        notes.push(format!("BETOS {betos}"));
    }
    let xref = field(XREF);
    if !xref.is_empty() {
        notes.push(format!("Cross-reference {xref}"));
    }
    let dated = |cols: Cols, name: &'static str| date(raw, cols).map_err(|why| (name, why));
    let added = dated(ADDED, "code added date (columns 269-276)")?;
    let effective = dated(EFFECTIVE, "action effective date (columns 277-284)")?;
    let terminated = dated(TERMINATED, "termination date (columns 285-292)")?;
    let action = match raw.get(ACTION).copied().unwrap_or(b' ') {
        b' ' => None,
        b'A' => Some("added"),
        b'B' => Some("administrative data and long description changed"),
        b'C' => Some("long description changed"),
        b'D' => Some("discontinued"),
        b'F' => Some("administrative data changed"),
        b'N' => Some("no maintenance"),
        b'P' => Some("payment changed"),
        b'R' => Some("re-activated"),
        b'S' => Some("short description changed"),
        b'T' => Some("miscellaneous change"),
        other => {
            return Err((
                "action code (column 293)",
                format!(
                    "'{}' is not an action code (A, B, C, D, F, N, P, R, S, T)",
                    char::from(other)
                ),
            ));
        }
    };
    if let Some(a) = added {
        notes.push(format!("Added {a}"));
    }
    match (action, effective) {
        (Some(a), Some(e)) => notes.push(format!("Last action: {a}, effective {e}")),
        (Some(a), None) => notes.push(format!("Last action: {a}")),
        (None, Some(e)) => notes.push(format!("Last action effective {e}")),
        (None, None) => {}
    }
    let is_terminated = terminated.is_some();
    if let Some(t) = terminated {
        notes.push(format!(
            "Terminated {t}: not valid for services after that date"
        ));
    }
    Ok((notes, is_terminated))
}

/// Sections, procedures and modifiers in code order.
fn entries(mut items: Vec<Item>) -> Vec<CodeEntry> {
    items.sort_by(|a, b| (a.modifier, &a.code).cmp(&(b.modifier, &b.code)));
    let mut out = Vec::with_capacity(items.len() + 20);
    let mut letter: Option<char> = None;
    let mut modifiers_started = false;
    for it in items {
        let parent = if it.modifier {
            if !modifiers_started {
                modifiers_started = true;
                out.push(section(MODIFIER_SECTION, "Modifiers (HCPCS Level II)"));
            }
            MODIFIER_SECTION.to_string()
        } else {
            let first = it.code.chars().next().unwrap_or('?');
            if letter != Some(first) {
                letter = Some(first);
                let title = SECTIONS
                    .iter()
                    .find(|(l, _)| *l == first)
                    .map(|(_, t)| (*t).to_string())
                    .unwrap_or_else(|| format!("{first} codes"));
                out.push(section(&section_code(first), &title));
            }
            section_code(first)
        };
        let title = it.long.join(" ");
        let inclusion_terms = if it.short.is_empty() || it.short.eq_ignore_ascii_case(&title) {
            Vec::new()
        } else {
            vec![it.short]
        };
        tracing::trace!(line = it.line, code = %it.code, "HCPCS record");
        out.push(CodeEntry {
            system: CodeSystem::Hcpcs,
            kind: EntryKind::Code,
            code: it.code,
            title,
            billable: !it.modifier && !it.terminated,
            parent: Some(parent),
            notes: TabularNotes {
                inclusion_terms,
                notes: it.notes,
                ..TabularNotes::default()
            },
        });
    }
    out
}

fn section(code: &str, title: &str) -> CodeEntry {
    CodeEntry {
        system: CodeSystem::Hcpcs,
        kind: EntryKind::Section,
        code: code.to_string(),
        title: title.to_string(),
        billable: false,
        parent: None,
        notes: TabularNotes::default(),
    }
}

/// Builds one 320-byte record from its fields (for tests and fixtures).
pub fn record(
    code: &str,
    seq: u32,
    ric: char,
    long: &str,
    short: &str,
    tail: &[(usize, &str)],
) -> String {
    let mut line = vec![b' '; RECORD_LEN];
    let mut put = |col: usize, text: &str| {
        for (i, b) in text.bytes().enumerate() {
            if let Some(slot) = line.get_mut(col - 1 + i) {
                *slot = b;
            }
        }
    };
    put(1, code);
    put(6, &format!("{seq:05}"));
    put(11, &ric.to_string());
    put(12, long);
    put(92, short);
    for (col, text) in tail {
        put(*col, text);
    }
    String::from_utf8_lossy(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(lines: &[String]) -> String {
        lines.join("\r\n") + "\r\n"
    }

    #[test]
    fn joins_continuations_and_keeps_modifiers() {
        let text = file(&[
            "***Disclaimers\t\t".to_string(),
            "*Some words \u{a0}here".to_string(),
            String::new(),
            record(
                "A0021",
                100,
                '3',
                "Ambulance service, outside state per mile, transport",
                "Outside state ambulance serv",
                &[(230, "I"), (257, "O1A"), (269, "19850101"), (293, "N")],
            ),
            record("A0021", 200, '4', "(medicaid only)", "", &[]),
            record(
                "   GA",
                100,
                '7',
                "Waiver of liability statement issued as",
                "Waiver of liability",
                &[],
            ),
            record("   GA", 200, '8', "required by payer policy", "", &[]),
            record(
                "A4466",
                100,
                '3',
                "Garment, elastic",
                "Elastic garment",
                &[(285, "20161231"), (293, "D")],
            ),
        ]);
        let rel = parse(text.as_bytes(), "2019", "h.txt").unwrap();
        let get = |c: &str| rel.entries.iter().find(|e| e.code == c).unwrap();
        let a = get("A0021");
        assert_eq!(
            a.title,
            "Ambulance service, outside state per mile, transport (medicaid only)"
        );
        assert!(a.billable);
        assert_eq!(a.parent.as_deref(), Some("A0000-A9999"));
        assert_eq!(
            a.notes.inclusion_terms,
            vec!["Outside state ambulance serv"]
        );
        assert!(
            a.notes
                .notes
                .iter()
                .any(|n| n.contains("not payable by Medicare"))
        );
        assert!(a.notes.notes.iter().any(|n| n == "Added 1985-01-01"));
        let ga = get("GA");
        assert!(!ga.billable);
        assert_eq!(
            ga.title,
            "Waiver of liability statement issued as required by payer policy"
        );
        assert_eq!(ga.notes.notes[0], MODIFIER_NOTE);
        assert!(!get("A4466").billable, "terminated codes are not billable");
        assert_eq!(rel.billable_count(), 1);
        assert_eq!(get("A0000-A9999").kind, EntryKind::Section);
    }
}
