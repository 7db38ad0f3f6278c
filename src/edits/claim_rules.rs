//! Rules about the claim as a whole and each code's validity: unknown, header and placeholder
//! codes, missing 7th characters, duplicates and principals, MCE age and sex, laterality, POA.
use super::mce::{self, List};
use super::{Claim, Dx, Edit, Severity, TabularIndex, poa};
use crate::domain::code::{dotted_cm, undotted};
use crate::domain::{CodeSystem, EncounterType, Poa, Sex};
use std::collections::HashSet;

fn sevenths_hint(s: &[(char, String)]) -> String {
    let chars: Vec<String> = s.iter().map(|(c, _)| c.to_string()).collect();
    match s.first() {
        Some((c, m)) => format!("{} ({c} = {m})", chars.join(", ")),
        None => String::new(),
    }
}

/// Resolves the diagnoses against the tabular list, reporting codes that cannot be billed.
pub(super) fn resolve(tab: &TabularIndex, claim: &Claim, out: &mut Vec<Edit>) -> Vec<Dx> {
    let mut dxs = Vec::new();
    for c in claim
        .codes
        .iter()
        .filter(|c| c.system == CodeSystem::Icd10Cm)
    {
        let code = dotted_cm(&c.code);
        let mut entry = None;
        match tab.find(&code) {
            Some(i) if tab.entry(i).billable => entry = Some(i),
            Some(i) => {
                let e = tab.entry(i);
                let seventh = tab.seventh_characters(i);
                if seventh.is_empty() {
                    out.push(Edit::new(
                        Severity::Error,
                        "header-code",
                        vec![code.clone()],
                        format!(
                            "{code} ({}) is a header code, not valid for billing: choose a code beneath it",
                            e.title
                        ),
                    ));
                } else {
                    out.push(Edit::new(
                        Severity::Error,
                        "seventh-character-missing",
                        vec![code.clone()],
                        format!(
                            "{code} ({}) needs a 7th character: {}",
                            e.title,
                            sevenths_hint(seventh)
                        ),
                    ));
                }
            }
            None => match tab.placeholder_match(&code) {
                Some(i) => out.push(Edit::new(
                    Severity::Error,
                    "placeholder-x",
                    vec![code.clone()],
                    format!(
                        "{code} is not a code: placeholder X is missing or misplaced; did you mean {} ({})?",
                        tab.entry(i).code,
                        tab.entry(i).title
                    ),
                )),
                None => out.push(Edit::new(
                    Severity::Error,
                    "invalid-code",
                    vec![code.clone()],
                    unknown_reason(tab, &code),
                )),
            },
        }
        dxs.push(Dx {
            bare: undotted(&code),
            code,
            principal: c.principal,
            seq: c.seq,
            poa: c.poa,
            entry,
        });
    }
    dxs
}

/// Why an unknown code is unknown: names the longest known code it starts with.
fn unknown_reason(tab: &TabularIndex, code: &str) -> String {
    let bare = undotted(code);
    for len in (3..bare.len())
        .rev()
        .filter(|&len| bare.is_char_boundary(len))
    {
        if let Some(i) = tab.find(&dotted_cm(&bare[..len])) {
            let seventh = tab.seventh_characters(i);
            let valid = if bare.len() == 7 && !seventh.is_empty() {
                format!("; valid 7th characters: {}", sevenths_hint(seventh))
            } else {
                String::new()
            };
            return format!(
                "{code} is not an ICD-10-CM code in this code set; {} is ({}){valid}",
                tab.entry(i).code,
                tab.entry(i).title
            );
        }
    }
    format!("{code} is not an ICD-10-CM code in this code set")
}

/// Duplicate codes and the number of principal diagnoses.
pub(super) fn sequence(claim: &Claim, dxs: &[Dx], out: &mut Vec<Edit>) {
    let mut seen = HashSet::new();
    let mut reported = HashSet::new();
    for c in &claim.codes {
        let key = (c.system, undotted(&c.code));
        if !seen.insert(key.clone()) && reported.insert(key) {
            let shown = crate::domain::code::display_code(c.system, &c.code);
            out.push(Edit::new(
                Severity::Error,
                "duplicate",
                vec![shown.clone()],
                format!("{shown} is listed more than once: report each code once"),
            ));
        }
    }
    let principals: Vec<String> = dxs
        .iter()
        .filter(|d| d.principal)
        .map(|d| d.code.clone())
        .collect();
    if principals.len() > 1 {
        out.push(Edit::new(
            Severity::Error,
            "multiple-principal",
            principals.clone(),
            format!(
                "{} diagnoses are marked principal ({}): exactly one may be",
                principals.len(),
                principals.join(", ")
            ),
        ));
    } else if principals.is_empty() && !dxs.is_empty() {
        out.push(Edit::new(
            Severity::Warning,
            "no-principal",
            vec![],
            "no diagnosis is marked principal: the first-listed diagnosis is reported as principal"
                .into(),
        ));
    }
}

fn sex_word(s: Sex) -> &'static str {
    if s == Sex::Female { "female" } else { "male" }
}

/// The Medicare Code Editor's diagnosis edits, from the shipped lists: principal-diagnosis edits
/// (inpatient claims), age conflicts (errors), questionable admission and sex conflicts (warnings).
pub(super) fn demographics(tab: &TabularIndex, claim: &Claim, dxs: &[Dx], out: &mut Vec<Edit>) {
    let lists = mce::builtin();
    let v = mce::VERSION;
    for d in dxs {
        let Some(i) = d.entry else { continue };
        let title = &tab.entry(i).title;
        let one = |sev, rule, message: String| Edit::new(sev, rule, vec![d.code.clone()], message);
        // The MCE edits inpatient claims: an outpatient's first-listed diagnosis may be a Z code
        // (Z00.00) or a code the MCE questions as an admission reason. Unknown type: edit it.
        let inpatient = claim
            .encounter_type
            .is_none_or(|t| t == EncounterType::Inpatient);
        if d.principal && inpatient {
            if lists.has(List::UnacceptablePdx, &d.code) {
                out.push(one(
                    Severity::Error,
                    "mce-unacceptable-pdx",
                    format!(
                        "{v}: unacceptable principal diagnosis — {} ({title}) does not describe a \
                         reason for inpatient admission; sequence the condition treated first",
                        d.code
                    ),
                ));
            }
            let by_notes = out
                .iter()
                .any(|e| e.rule == "manifestation-principal" && e.codes.first() == Some(&d.code));
            if lists.has(List::ManifestationPdx, &d.code) && !by_notes {
                out.push(one(
                    Severity::Error,
                    "mce-manifestation-pdx",
                    format!(
                        "{v}: manifestation as principal diagnosis — {} ({title}) may not be \
                         principal; code the underlying condition first",
                        d.code
                    ),
                ));
            }
            if lists.has(List::ExternalCausePdx, &d.code) {
                out.push(one(
                    Severity::Error,
                    "mce-external-cause-pdx",
                    format!(
                        "{v}: external cause as principal diagnosis — {} ({title}) reports how an \
                         injury happened, never the principal diagnosis; sequence the injury first",
                        d.code
                    ),
                ));
            }
            if lists.has(List::QuestionableAdmission, &d.code) {
                out.push(one(
                    Severity::Warning,
                    "mce-questionable-admission",
                    format!(
                        "{v}: questionable admission — {} ({title}) is rarely a reason for \
                         inpatient admission on its own; confirm the principal diagnosis",
                        d.code
                    ),
                ));
            }
        }
        if let Some(age) = claim.age
            && let Some(g) = mce::age_group(&d.code)
            && !(g.min..=g.max).contains(&age)
        {
            out.push(one(
                Severity::Error,
                g.rule,
                format!(
                    "{v}: age conflict — {} is a {} diagnosis (ages {}-{}); the patient is {age}",
                    d.code, g.name, g.min, g.max
                ),
            ));
        }
        if let Some(sex) = claim.sex.filter(|s| *s != Sex::Unknown) {
            let want = if lists.has(List::SexMale, &d.code) {
                Some((Sex::Male, "mce-sex-male"))
            } else if lists.has(List::SexFemale, &d.code) {
                Some((Sex::Female, "mce-sex-female"))
            } else {
                None
            };
            if let Some((want, rule)) = want
                && want != sex
            {
                out.push(one(
                    Severity::Warning,
                    rule,
                    format!(
                        "{v}: sex mismatch, for review — {} is a {}-only diagnosis in the MCE's \
                         sex list and the patient is {}; the MCE dropped the diagnosis sex-conflict \
                         edit for discharges from 2024-10-01, so this is not a claim error: check \
                         the recorded sex and the documentation",
                        d.code,
                        sex_word(want),
                        sex_word(sex)
                    ),
                ));
            }
        }
    }
}

/// The MCE's procedure edits: non-covered (error), limited coverage, questionable obstetric
/// admission and sex mismatch (warnings).
pub(super) fn procedures(claim: &Claim, dxs: &[Dx], out: &mut Vec<Edit>) {
    let lists = mce::builtin();
    let v = mce::VERSION;
    let obstetric_pdx = dxs
        .iter()
        .find(|d| d.principal)
        .is_some_and(|d| d.bare.starts_with('O'));
    for c in claim
        .codes
        .iter()
        .filter(|c| c.system == CodeSystem::Icd10Pcs)
    {
        let code = undotted(&c.code).to_ascii_uppercase();
        let one = |sev, rule, message: String| Edit::new(sev, rule, vec![code.clone()], message);
        if lists.has(List::PcsNonCovered, &code) {
            out.push(one(
                Severity::Error,
                "mce-non-covered",
                format!("{v}: non-covered procedure — Medicare does not cover {code}"),
            ));
        }
        if lists.has(List::PcsLimitedCoverage, &code) {
            out.push(one(
                Severity::Warning,
                "mce-limited-coverage",
                format!(
                    "{v}: limited coverage — Medicare covers {code} only under the conditions of \
                     its national coverage determination; check they are documented"
                ),
            ));
        }
        if lists.has(List::PcsQuestionableObstetric, &code) && !obstetric_pdx {
            out.push(one(
                Severity::Warning,
                "mce-questionable-obstetric",
                format!(
                    "{v}: questionable obstetric admission — {code} is an obstetric procedure and \
                     the principal diagnosis is not from chapter 15"
                ),
            ));
        }
        if let Some(sex) = claim.sex.filter(|s| *s != Sex::Unknown) {
            let want = if lists.has(List::PcsSexMale, &code) {
                Some(Sex::Male)
            } else if lists.has(List::PcsSexFemale, &code) {
                Some(Sex::Female)
            } else {
                None
            };
            if let Some(want) = want
                && want != sex
            {
                out.push(one(
                    Severity::Warning,
                    "mce-sex-procedure",
                    format!(
                        "{v}: sex mismatch, for review — {code} is a {}-only procedure in the \
                         MCE's sex list and the patient is {}; the MCE no longer raises sex \
                         conflicts for discharges from 2024-10-01: check the recorded sex",
                        sex_word(want),
                        sex_word(sex)
                    ),
                ));
            }
        }
    }
}

/// Whether `text` holds `word` as a whole word, ignoring case.
fn mentions(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.eq_ignore_ascii_case(word))
}

/// For a code whose title says "unspecified" where its siblings say "right" and "left", the
/// sibling titles; `None` when laterality is not what is unspecified.
fn unspecified_side(tab: &TabularIndex, i: usize) -> Option<(String, String)> {
    let base = tab.base_of_extension(i);
    let title = tab.entry(base).title.to_ascii_lowercase();
    if !title.contains("unspecified") {
        return None;
    }
    let parent = tab.parent(base)?;
    let siblings: Vec<String> = tab
        .children(parent)
        .iter()
        .map(|&s| tab.entry(s).title.to_ascii_lowercase())
        .collect();
    for (at, _) in title.match_indices("unspecified") {
        let with = |side: &str| {
            format!(
                "{}{side}{}",
                &title[..at],
                &title[at + "unspecified".len()..]
            )
        };
        let (r, l) = (with("right"), with("left"));
        if siblings.contains(&r) && siblings.contains(&l) {
            return Some((r, l));
        }
    }
    None
}

/// Unspecified-side codes where the code set offers right and left.
pub(super) fn laterality(tab: &TabularIndex, claim: &Claim, dxs: &[Dx], out: &mut Vec<Edit>) {
    for d in dxs {
        let Some(i) = d.entry else { continue };
        if unspecified_side(tab, i).is_none() {
            continue;
        }
        let message = match &claim.notes_text {
            Some(text) => {
                let said: Vec<&str> = ["right", "left", "bilateral"]
                    .into_iter()
                    .filter(|w| mentions(text, w))
                    .collect();
                if said.is_empty() {
                    continue;
                }
                format!(
                    "{} is the unspecified-side code, but the notes say \"{}\": the code set has right \
                     and left codes; query or code the documented side",
                    d.code,
                    said.join("\", \"")
                )
            }
            None => format!(
                "{} leaves laterality unspecified although the code set has right and left codes",
                d.code
            ),
        };
        out.push(Edit::new(
            Severity::Warning,
            "laterality-unspecified",
            vec![d.code.clone()],
            message,
        ));
    }
}

/// Present-on-admission indicators.
pub(super) fn poa(claim: &Claim, dxs: &[Dx], out: &mut Vec<Edit>) {
    let list = poa::builtin();
    let inpatient = claim.encounter_type == Some(EncounterType::Inpatient);
    for d in dxs {
        if d.entry.is_none() {
            continue;
        }
        let exempt = list.is_exempt(&d.code);
        let one = |sev, rule, message: String| Edit::new(sev, rule, vec![d.code.clone()], message);
        match (inpatient, d.poa, exempt) {
            (true, None, false) => out.push(one(
                Severity::Error,
                "poa-missing",
                format!(
                    "{} needs a POA indicator (Y, N, U or W): inpatient diagnoses not on the {} \
                     must report one",
                    d.code,
                    poa::SOURCE
                ),
            )),
            (true, Some(Poa::Exempt), false) => out.push(one(
                Severity::Error,
                "poa-invalid",
                format!(
                    "{} is not on the {}: POA 1 (exempt) is not valid for it; use Y, N, U or W",
                    d.code,
                    poa::SOURCE
                ),
            )),
            (true, Some(p), true) if p != Poa::Exempt => out.push(one(
                Severity::Info,
                "poa-exempt",
                format!(
                    "{} is on the {}: POA {p} is not needed and is reported blank",
                    d.code,
                    poa::SOURCE
                ),
            )),
            (false, Some(p), _) if claim.encounter_type.is_some() => out.push(one(
                Severity::Info,
                "poa-not-inpatient",
                format!(
                    "{} has POA {p}, but POA is reported for inpatient encounters only",
                    d.code
                ),
            )),
            _ => {}
        }
    }
}
