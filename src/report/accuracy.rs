//! Coding accuracy from second-level review: a reviewer re-codes a sample of coded encounters and
//! the coder's final codes are compared with the reviewer's, code over code; and the sampling rules.
//!
//! Counting (also in the README). Codes match on (system, code). Diagnoses (ICD-10-CM) and
//! procedures are compared as one list.
//! - A changed principal diagnosis (the coder's first-listed diagnosis is not the reviewer's) counts
//!   as **two** errors; the two principal codes then take no further part in the comparison.
//! - Of the remaining codes, a coder code the reviewer did not keep and a reviewer code the coder did
//!   not assign, in the same system and the same 3-character category, pair up as one *changed*
//!   code (one error). What is left over counts one error each: *deleted* (coder only) and *added*
//!   (reviewer only).
//! - A diagnosis both kept with a different POA indicator counts one *POA* error.
//! - Accuracy = 1 - errors / codes, where codes is the larger of the two list lengths, summed over the
//!   reviews aggregated (per coder, per team, overall), and never below 0.
use crate::domain::{CodeSystem, EncounterType, Poa};
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// One code on one side of a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewCode {
    pub system: CodeSystem,
    pub code: String,
    /// 1 = principal diagnosis (among diagnoses) or principal procedure (among procedures).
    pub seq: i64,
    pub poa: Option<Poa>,
}

/// What kind of difference a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    PrincipalChanged,
    Changed,
    Added,
    Deleted,
    Poa,
}

/// One difference between the coder's and the reviewer's codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// The coder's code (None when the reviewer added one).
    pub coder: Option<String>,
    /// The reviewer's code (None when the reviewer deleted one).
    pub reviewer: Option<String>,
    pub errors: u32,
}

impl Finding {
    pub fn describe(&self) -> String {
        let c = self.coder.as_deref().unwrap_or("-");
        let r = self.reviewer.as_deref().unwrap_or("-");
        match self.kind {
            FindingKind::PrincipalChanged => format!("principal diagnosis {c} -> {r} (2 errors)"),
            FindingKind::Changed => format!("changed {c} -> {r}"),
            FindingKind::Added => format!("added {r}"),
            FindingKind::Deleted => format!("deleted {c}"),
            FindingKind::Poa => format!("POA {c} -> {r}"),
        }
    }
}

/// The comparison of one review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub findings: Vec<Finding>,
    pub errors: u32,
    /// max(coder codes, reviewer codes).
    pub codes: u32,
}

impl Comparison {
    pub fn accuracy(&self) -> f64 {
        accuracy(self.errors, self.codes)
    }
}

/// 1 - errors / codes, clamped to 0..1 (1 when there were no codes at all).
pub fn accuracy(errors: u32, codes: u32) -> f64 {
    if codes == 0 {
        return 1.0;
    }
    (1.0 - errors as f64 / codes as f64).clamp(0.0, 1.0)
}

fn principal_dx(codes: &[ReviewCode]) -> Option<&ReviewCode> {
    codes
        .iter()
        .filter(|c| c.system.is_diagnosis())
        .min_by_key(|c| c.seq)
}

fn category(code: &str) -> String {
    code.chars().filter(|c| *c != '.').take(3).collect()
}

/// Compares the coder's final codes with the reviewer's (see the module notes for the counting).
pub fn compare(coder: &[ReviewCode], reviewer: &[ReviewCode]) -> Comparison {
    let key = |c: &ReviewCode| (c.system, c.code.clone());
    let mut findings = Vec::new();
    let mut skip: HashSet<(CodeSystem, String)> = HashSet::new();
    if let (Some(a), Some(b)) = (principal_dx(coder), principal_dx(reviewer))
        && key(a) != key(b)
    {
        findings.push(Finding {
            kind: FindingKind::PrincipalChanged,
            coder: Some(a.code.clone()),
            reviewer: Some(b.code.clone()),
            errors: 2,
        });
        skip.insert(key(a));
        skip.insert(key(b));
    }
    let theirs: HashSet<_> = reviewer.iter().map(key).collect();
    let mine: HashSet<_> = coder.iter().map(key).collect();
    let mut deleted: Vec<&ReviewCode> = coder
        .iter()
        .filter(|c| !skip.contains(&key(c)) && !theirs.contains(&key(c)))
        .collect();
    let mut added: Vec<&ReviewCode> = reviewer
        .iter()
        .filter(|c| !skip.contains(&key(c)) && !mine.contains(&key(c)))
        .collect();
    // Pair deletions with additions in the same system and category: one changed code each.
    let mut i = 0;
    while i < deleted.len() {
        let d = deleted[i];
        if let Some(j) = added
            .iter()
            .position(|a| a.system == d.system && category(&a.code) == category(&d.code))
        {
            let a = added.remove(j);
            deleted.remove(i);
            findings.push(Finding {
                kind: FindingKind::Changed,
                coder: Some(d.code.clone()),
                reviewer: Some(a.code.clone()),
                errors: 1,
            });
        } else {
            i += 1;
        }
    }
    for d in deleted {
        findings.push(Finding {
            kind: FindingKind::Deleted,
            coder: Some(d.code.clone()),
            reviewer: None,
            errors: 1,
        });
    }
    for a in added {
        findings.push(Finding {
            kind: FindingKind::Added,
            coder: None,
            reviewer: Some(a.code.clone()),
            errors: 1,
        });
    }
    for c in coder.iter().filter(|c| c.system.is_diagnosis()) {
        if let Some(r) = reviewer.iter().find(|r| key(r) == key(c))
            && r.poa != c.poa
        {
            let show = |p: Option<Poa>| p.map(|p| p.as_str()).unwrap_or("blank");
            findings.push(Finding {
                kind: FindingKind::Poa,
                coder: Some(format!("{} {}", c.code, show(c.poa))),
                reviewer: Some(format!("{} {}", r.code, show(r.poa))),
                errors: 1,
            });
        }
    }
    Comparison {
        errors: findings.iter().map(|f| f.errors).sum(),
        codes: coder.len().max(reviewer.len()) as u32,
        findings,
    }
}

/// One completed review, for aggregation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneReview {
    pub coder: String,
    pub team: String,
    pub errors: u32,
    pub codes: u32,
    pub principal_changed: bool,
}

/// Accuracy of one coder, team, or everyone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccuracyRow {
    /// A login, a team name, or "all".
    pub who: String,
    pub team: String,
    pub reviews: u32,
    pub codes: u32,
    pub errors: u32,
    pub principal_changes: u32,
    /// None without reviews.
    pub accuracy: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccuracyReport {
    pub coders: Vec<AccuracyRow>,
    pub teams: Vec<AccuracyRow>,
    pub overall: AccuracyRow,
    pub pending_reviews: u32,
}

fn row(who: &str, team: &str, reviews: &[&DoneReview]) -> AccuracyRow {
    let codes = reviews.iter().map(|r| r.codes).sum();
    let errors = reviews.iter().map(|r| r.errors).sum();
    AccuracyRow {
        who: who.to_string(),
        team: team.to_string(),
        reviews: reviews.len() as u32,
        codes,
        errors,
        principal_changes: reviews.iter().filter(|r| r.principal_changed).count() as u32,
        accuracy: (!reviews.is_empty()).then(|| accuracy(errors, codes)),
    }
}

/// Aggregates done reviews per coder (every coder in `coders`, reviewed or not), per team, overall.
pub fn aggregate(
    coders: &[(String, String)],
    done: &[DoneReview],
    pending_reviews: u32,
) -> AccuracyReport {
    let mut logins: BTreeMap<String, String> = coders.iter().cloned().collect();
    for d in done {
        logins
            .entry(d.coder.clone())
            .or_insert_with(|| d.team.clone());
    }
    let coder_rows = logins
        .iter()
        .map(|(l, team)| {
            let mine: Vec<&DoneReview> = done.iter().filter(|d| &d.coder == l).collect();
            row(l, team, &mine)
        })
        .collect();
    let teams: std::collections::BTreeSet<&str> = done
        .iter()
        .map(|d| d.team.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    let team_rows = teams
        .into_iter()
        .map(|t| {
            let theirs: Vec<&DoneReview> = done.iter().filter(|d| d.team == t).collect();
            row(t, t, &theirs)
        })
        .collect();
    let all: Vec<&DoneReview> = done.iter().collect();
    AccuracyReport {
        coders: coder_rows,
        teams: team_rows,
        overall: row("all", "", &all),
        pending_reviews,
    }
}

/// A coded encounter that may be sampled for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub encounter_id: i64,
    pub coder: String,
    pub enc_type: EncounterType,
    /// The coder's principal diagnosis.
    pub principal: Option<String>,
}

/// How encounters are chosen for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleRule {
    /// `per_coder` encounters per coder, chosen at random (seeded: the same seed, the same sample).
    Random { per_coder: usize, seed: u64 },
    /// Every candidate of this encounter type.
    EncounterType(EncounterType),
    /// Every candidate whose principal diagnosis starts with this prefix (e.g. "A41" sepsis).
    PrincipalPrefix(String),
}

impl SampleRule {
    /// How the rule is recorded on each review it samples.
    pub fn label(&self) -> String {
        match self {
            SampleRule::Random { per_coder, .. } => format!("random {per_coder} per coder"),
            SampleRule::EncounterType(t) => format!("type {t}"),
            SampleRule::PrincipalPrefix(p) => format!("principal {p}*"),
        }
    }
}

/// The encounter ids `rule` samples from `candidates` (in candidate order per coder).
pub fn sample(candidates: &[Candidate], rule: &SampleRule) -> Vec<i64> {
    match rule {
        SampleRule::EncounterType(t) => candidates
            .iter()
            .filter(|c| c.enc_type == *t)
            .map(|c| c.encounter_id)
            .collect(),
        SampleRule::PrincipalPrefix(p) => {
            let p = category_prefix(p);
            candidates
                .iter()
                .filter(|c| {
                    c.principal
                        .as_deref()
                        .is_some_and(|x| category_prefix(x).starts_with(&p))
                })
                .map(|c| c.encounter_id)
                .collect()
        }
        SampleRule::Random { per_coder, seed } => {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(*seed);
            let mut by_coder: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
            for c in candidates {
                by_coder
                    .entry(c.coder.as_str())
                    .or_default()
                    .push(c.encounter_id);
            }
            let mut out = Vec::new();
            for (_, mut ids) in by_coder {
                ids.sort_unstable();
                // Partial Fisher-Yates: the first `per_coder` places get a uniform sample.
                let n = (*per_coder).min(ids.len());
                for i in 0..n {
                    let j = rng.random_range(i..ids.len());
                    ids.swap(i, j);
                }
                out.extend_from_slice(&ids[..n]);
            }
            out
        }
    }
}

fn category_prefix(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| *c != '.')
        .collect::<String>()
        .to_ascii_uppercase()
}
