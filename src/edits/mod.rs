//! The edit engine: coding rules checked the moment codes are assigned (Excludes1, etiology and
//! manifestation, header codes and 7th characters, the Medicare Code Editor's lists, sequencing,
//! duplicates, laterality, POA).
//! Pure: no I/O; it works over a `TabularIndex` built once from the code set.
mod claim_rules;
mod index;
pub mod mce;
mod note_rules;
pub mod poa;
pub mod refs;
mod sequencing;

pub use index::{EntryNotes, ParsedNote, TabularIndex};

use crate::domain::{CodeSystem, EncounterType, Poa, Sex};
use serde::Serialize;
use std::fmt;

/// How much an edit matters: errors block marking the encounter coded, warnings must be
/// acknowledged (and the acknowledgement is audited), infos only inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule that fired, on which codes, and why (the message quotes the note that fired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub severity: Severity,
    /// A stable id: "excludes1", "manifestation-principal", "poa-missing", "mce-sex-male"...
    pub rule: &'static str,
    /// The codes involved, in claim order; with `rule` this identifies the edit for acknowledgement.
    pub codes: Vec<String>,
    pub message: String,
    /// Where the rule comes from: the MCE release, the tabular list's notes, the guidelines...
    pub source: &'static str,
}

/// The source of rule `rule`, for messages and `check --json`.
pub fn source_of(rule: &str) -> &'static str {
    if rule.starts_with("mce-") {
        mce::SOURCE
    } else if rule.starts_with("poa-") {
        poa::SOURCE
    } else if rule.starts_with("seq-") {
        "ICD-10-CM Official Guidelines for Coding and Reporting FY2026, with the tabular list's notes"
    } else if matches!(
        rule,
        "laterality-unspecified" | "duplicate" | "multiple-principal" | "no-principal"
    ) {
        "chartdesk claim checks (ICD-10-CM Official Guidelines FY2026, Section I.B and II)"
    } else {
        "ICD-10-CM FY2026 tabular list (instructional notes, code validity)"
    }
}

impl Edit {
    fn new(severity: Severity, rule: &'static str, codes: Vec<String>, message: String) -> Edit {
        Edit {
            severity,
            rule,
            codes,
            message,
            source: source_of(rule),
        }
    }

    /// The key an acknowledgement is stored under: "rule|CODE,CODE".
    pub fn key(&self) -> String {
        ack_key(self.rule, &self.codes)
    }
}

/// The key under which an acknowledgement of `rule` on `codes` is stored.
pub fn ack_key(rule: &str, codes: &[String]) -> String {
    format!("{rule}|{}", codes.join(","))
}

/// One code on the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimCode {
    pub system: CodeSystem,
    /// As assigned or typed ("I50.23", "i5023"); the engine normalises it.
    pub code: String,
    pub principal: bool,
    /// 1-based order among the diagnoses.
    pub seq: u32,
    pub poa: Option<Poa>,
}

/// What the engine checks: the codes and what it needs to know about the patient and encounter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claim {
    pub codes: Vec<ClaimCode>,
    /// Age in completed years at admission.
    pub age: Option<u32>,
    pub sex: Option<Sex>,
    pub encounter_type: Option<EncounterType>,
    /// The encounter's note bodies, when checking a real encounter (laterality wording).
    pub notes_text: Option<String>,
}

impl Claim {
    /// A diagnosis-only claim from a code list; the first code is the principal.
    pub fn from_codes(codes: &[&str]) -> Claim {
        Claim {
            codes: codes
                .iter()
                .enumerate()
                .map(|(i, c)| ClaimCode {
                    system: CodeSystem::Icd10Cm,
                    code: (*c).to_string(),
                    principal: i == 0,
                    seq: i as u32 + 1,
                    poa: None,
                })
                .collect(),
            ..Claim::default()
        }
    }
}

/// A diagnosis on the claim resolved against the tabular list.
#[derive(Debug, Clone)]
pub(crate) struct Dx {
    /// Dotted, as the code set writes it.
    pub code: String,
    /// Without dot, for reference matching.
    pub bare: String,
    pub principal: bool,
    pub seq: u32,
    pub poa: Option<Poa>,
    /// Its entry when it is a valid billable code.
    pub entry: Option<usize>,
}

/// Runs every rule over `claim`. Edits come errors first, then warnings, then infos, each in claim
/// order.
pub fn check(tab: &TabularIndex, claim: &Claim) -> Vec<Edit> {
    let mut out = Vec::new();
    let dxs = claim_rules::resolve(tab, claim, &mut out);
    claim_rules::sequence(claim, &dxs, &mut out);
    note_rules::excludes(tab, &dxs, &mut out);
    note_rules::etiology(tab, &dxs, &mut out);
    note_rules::additional(tab, &dxs, &mut out);
    claim_rules::demographics(tab, claim, &dxs, &mut out);
    claim_rules::procedures(claim, &dxs, &mut out);
    sequencing::rules(tab, &dxs, &mut out);
    claim_rules::laterality(tab, claim, &dxs, &mut out);
    claim_rules::poa(claim, &dxs, &mut out);
    out.sort_by_key(|e| e.severity);
    out
}

/// True when any edit is an error.
pub fn has_errors(edits: &[Edit]) -> bool {
    edits.iter().any(|e| e.severity == Severity::Error)
}
