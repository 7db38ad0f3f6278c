//! Parsers for official code-set release files (CDC tabular XML, CMS order files, PCS lists, the CMS
//! HCPCS file, a licensed CPT CSV), and the built-in releases chartdesk ships in `assets/`.
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{Context, Result, bail};
use flate2::read::MultiGzDecoder;

use crate::domain::{CodeEntry, CodeSystem};

pub mod cpt;
pub mod hcpcs;
mod lines;
mod order;
mod pcs;
pub mod pcs_axes;
pub mod seventh;
mod tabular;
pub mod validate;

/// One release of a code set, as read from an official file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSetRelease {
    pub system: CodeSystem,
    /// The fiscal year it is valid for, e.g. "FY2026".
    pub version: String,
    /// The file it was read from, or "built-in".
    pub source: String,
    /// Chapters, sections and codes in tabular order.
    pub entries: Vec<CodeEntry>,
}

impl CodeSetRelease {
    /// How many codes are valid for submission.
    pub fn billable_count(&self) -> usize {
        self.entries.iter().filter(|e| e.billable).count()
    }
}

/// Reads a CDC ICD-10-CM Tabular List XML release; the version comes from its `<version>`.
pub fn parse_icd10cm_tabular<R: BufRead>(reader: R, source: &str) -> Result<CodeSetRelease> {
    tabular::parse(reader, source, None, None)
}

/// Reads an ICD-10-PCS code list (CSV `"code","long title"`, no header row).
pub fn parse_pcs_list<R: BufRead>(
    reader: R,
    version: &str,
    source: &str,
) -> Result<CodeSetRelease> {
    pcs::parse(reader, version, source)
}

/// Reads a CMS fixed-width order file (`icd10cm_order_2026.txt`, `icd10pcs_order_2026.txt`).
pub fn parse_cms_order_file<R: BufRead>(
    reader: R,
    system: CodeSystem,
    version: &str,
    source: &str,
) -> Result<CodeSetRelease> {
    order::parse(reader, system, version, source)
}

const BUILTIN_CM_GZ: &[u8] =
    include_bytes!("../../assets/icd10cm/icd10cm-tabular-FY2026-April.xml.gz");
const BUILTIN_PCS_GZ: &[u8] = include_bytes!("../../assets/icd10pcs/icd10pcs-codes-FY2024.csv.gz");
const BUILTIN: &str = "built-in";

/// The ICD-10-CM FY2026 (April 1, 2026 update) tabular list shipped with chartdesk.
pub fn builtin_icd10cm() -> Result<CodeSetRelease> {
    let reader = BufReader::with_capacity(64 * 1024, MultiGzDecoder::new(BUILTIN_CM_GZ));
    tabular::parse(reader, BUILTIN, None, None).context("reading the built-in ICD-10-CM code set")
}

/// The ICD-10-PCS FY2024 code list shipped with chartdesk.
pub fn builtin_icd10pcs() -> Result<CodeSetRelease> {
    let reader = BufReader::with_capacity(64 * 1024, MultiGzDecoder::new(BUILTIN_PCS_GZ));
    pcs::parse(reader, "FY2024", BUILTIN).context("reading the built-in ICD-10-PCS code set")
}

/// The kinds of release file chartdesk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Tabular,
    Order,
    PcsList,
    Hcpcs,
    Cpt,
}

/// Reads a release file from disk: CDC tabular XML (.xml), CMS order file (.txt), PCS code list
/// (.csv); optionally gzip-compressed (.gz). Detects the format from content/name; `system`/`version`
/// override what is detected (version detected from the XML `<version>` or a 4-digit year in the
/// file name).
pub fn read_release_file(
    path: &Path,
    system: Option<CodeSystem>,
    version: Option<&str>,
) -> Result<CodeSetRelease> {
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let lower = source.to_ascii_lowercase();
    let mut file = BufReader::new(
        File::open(path)
            .with_context(|| format!("cannot open code-set file {}", path.display()))?,
    );
    let head = file
        .fill_buf()
        .with_context(|| format!("cannot read code-set file {}", path.display()))?;
    let gzipped = head.starts_with(&[0x1f, 0x8b]) || lower.ends_with(".gz");
    let inner_name = lower.strip_suffix(".gz").unwrap_or(&lower).to_string();
    let reader: Box<dyn BufRead> = if gzipped {
        Box::new(BufReader::with_capacity(
            64 * 1024,
            MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(file)
    };
    let mut reader = reader;
    let head = reader.fill_buf().with_context(|| {
        format!(
            "cannot read {}{}",
            path.display(),
            if gzipped {
                " (is it really gzip-compressed?)"
            } else {
                ""
            }
        )
    })?;
    let detected = detect_format(&inner_name, head);
    let zipped = head.starts_with(b"PK\x03\x04");
    let format = match system {
        Some(CodeSystem::Hcpcs) if !zipped => Format::Hcpcs,
        Some(CodeSystem::Cpt) if !zipped => Format::Cpt,
        _ => detected.with_context(|| format!("reading {}", path.display()))?,
    };
    let order_sys = system.unwrap_or_else(|| order_system(&inner_name, head));
    // No line is ever held past `import.max_line_bytes` (`/dev/zero` is refused at once).
    let reader = crate::limits::BoundedLines::new(
        reader,
        path.display().to_string(),
        crate::limits::get().max_line_bytes,
    );
    let name_year = year_in_name(&inner_name);
    let need_version = || -> Result<String> {
        version.map(str::to_string).or_else(|| name_year.clone()).with_context(|| {
            format!(
                "cannot tell which release {source} is: its name holds no 4-digit year; pass the \
                 version (e.g. FY2026)"
            )
        })
    };
    match format {
        Format::Tabular => {
            if let Some(other) = system.filter(|s| *s != CodeSystem::Icd10Cm) {
                bail!("{source} is a CDC ICD-10-CM tabular XML file; it cannot be read as {other}");
            }
            tabular::parse(reader, &source, version, name_year.as_deref())
        }
        Format::PcsList => {
            if let Some(other) = system.filter(|s| *s != CodeSystem::Icd10Pcs) {
                bail!("{source} is an ICD-10-PCS code list (CSV); it cannot be read as {other}");
            }
            pcs::parse(reader, &need_version()?, &source)
        }
        Format::Order => order::parse(reader, order_sys, &need_version()?, &source),
        // HCPCS and CPT are released per calendar year: "2019", not "FY2019".
        Format::Hcpcs => {
            let v = need_version()?;
            hcpcs::parse(reader, v.strip_prefix("FY").unwrap_or(&v), &source)
        }
        Format::Cpt => {
            let v = need_version()?;
            cpt::parse(reader, v.strip_prefix("FY").unwrap_or(&v), &source)
        }
    }
}

fn detect_format(name: &str, head: &[u8]) -> Result<Format> {
    if head.starts_with(b"PK\x03\x04") {
        bail!(
            "this is a zip archive (or an .xlsx workbook): unzip it and import the release file \
             inside (for HCPCS, the fixed-width .txt, e.g. HCPC2019_CONTR_ANWEB.txt)"
        );
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &body[i..]);
    if let Some(text) = first {
        if text.starts_with(b"<") {
            return Ok(Format::Tabular);
        }
        // The CMS HCPCS file opens with "***Disclaimers" or with a 320-byte record.
        let line = text.split(|b| *b == b'\n').next().unwrap_or(text);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if text.starts_with(b"***") || hcpcs::looks_like_record(line) {
            return Ok(Format::Hcpcs);
        }
        if text.starts_with(b"\"") {
            return Ok(Format::PcsList);
        }
        let order_like =
            text.len() > 6 && text[..5].iter().all(u8::is_ascii_digit) && text[5] == b' ';
        if order_like {
            return Ok(Format::Order);
        }
    }
    if name.ends_with(".xml") {
        Ok(Format::Tabular)
    } else if name.ends_with(".csv") {
        Ok(Format::PcsList)
    } else if name.ends_with(".txt") {
        Ok(Format::Order)
    } else {
        bail!(
            "cannot tell the format: expected a CDC tabular XML (.xml), a CMS order file (.txt), \
             a PCS code list (.csv) or the CMS HCPCS file, optionally gzip-compressed (.gz); a \
             licensed CPT file (CSV) needs --system cpt"
        )
    }
}

/// An order file's system: from its name ("icd10pcs_order"), else from its first code.
fn order_system(name: &str, head: &[u8]) -> CodeSystem {
    let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    if words.iter().any(|w| *w == "pcs" || w.ends_with("10pcs")) {
        CodeSystem::Icd10Pcs
    } else if words.iter().any(|w| *w == "cm" || w.ends_with("10cm")) {
        CodeSystem::Icd10Cm
    } else if head.get(6).is_some_and(u8::is_ascii_digit) {
        // CM codes start with a letter; the first PCS section is 0.
        CodeSystem::Icd10Pcs
    } else {
        CodeSystem::Icd10Cm
    }
}

/// "FY2026" from the first stand-alone 4-digit year (1990-2099) in a file name.
fn year_in_name(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4
                && let Ok(year) = name[start..i].parse::<u32>()
                && (1990..2100).contains(&year)
            {
                return Some(format!("FY{year}"));
            }
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_in_names() {
        assert_eq!(
            year_in_name("icd10cm_order_2026.txt").as_deref(),
            Some("FY2026")
        );
        assert_eq!(
            year_in_name("icd10pcs-codes-fy2024.csv").as_deref(),
            Some("FY2024")
        );
        assert_eq!(
            year_in_name("icd10c-tabular-april-1-2026.xml").as_deref(),
            Some("FY2026")
        );
        assert_eq!(year_in_name("codes-123456.txt"), None);
        assert_eq!(year_in_name("codes.txt"), None);
    }

    #[test]
    fn order_systems() {
        assert_eq!(
            order_system("icd10pcs_order_2026.txt", b""),
            CodeSystem::Icd10Pcs
        );
        assert_eq!(
            order_system("icd10cm_order_2026.txt", b""),
            CodeSystem::Icd10Cm
        );
        assert_eq!(
            order_system("acme.txt", b"00001 001     0 x"),
            CodeSystem::Icd10Pcs
        );
        assert_eq!(
            order_system("acme.txt", b"00001 A00     0 x"),
            CodeSystem::Icd10Cm
        );
    }

    #[test]
    fn formats() {
        assert_eq!(
            detect_format("a.bin", b"<?xml version").unwrap(),
            Format::Tabular
        );
        assert_eq!(
            detect_format("a.bin", b"\"0016070\",\"x\"").unwrap(),
            Format::PcsList
        );
        assert_eq!(
            detect_format("a.bin", b"00001 A00     0 Cholera").unwrap(),
            Format::Order
        );
        assert_eq!(detect_format("a.txt", b"").unwrap(), Format::Order);
        assert!(detect_format("a.bin", b"hello").is_err());
        let zip = format!(
            "{:#}",
            detect_format("h.zip", b"PK\x03\x04rest").unwrap_err()
        );
        assert!(zip.contains("unzip it"), "{zip}");
        assert_eq!(
            detect_format("a.txt", b"***Disclaimers\t\r\n").unwrap(),
            Format::Hcpcs
        );
        let rec = hcpcs::record("A0021", 100, '3', "Ambulance", "Amb", &[]);
        assert_eq!(
            detect_format("a.txt", rec.as_bytes()).unwrap(),
            Format::Hcpcs
        );
    }
}
