//! Deterministic demo data: patients, encounters and clinical notes from templates in `assets/demo`.
//!
//! Scenarios (one TOML file each under `assets/demo/scenarios/`) say who they fit, which codes a careful
//! coder would assign, and how their notes read; `assets/demo/common.toml` holds the note skeletons and
//! shared fragments. Templates are parsed and checked once per call, then rendered from compiled segments.
//! The same `(encounters, seed, today)` always gives the same data.
mod compile;
mod generate;
pub mod history;
mod kinds;
mod library;
mod render;
mod schedule;
mod spec;
mod template;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;

use crate::domain::{CodeSystem, Encounter, EncounterType, Note, Patient, Poa, Role, Sex};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use generate::{Accounts, Generator, MrnSource, PatientRec, quotas};
use rand::RngExt;
use std::collections::HashSet;

/// How many encounters `chartdesk demo` generates unless told otherwise.
pub const DEFAULT_ENCOUNTERS: usize = 300;

/// Streamed note ids start above any id `generate` can produce.
const STREAM_NOTE_IDS_FROM: u64 = 100_000_000;

/// Upper bound for `generate` (MRNs are unique 7-digit numbers; bulk notes use `generate_notes`).
const MAX_ENCOUNTERS: usize = 1_000_000;

/// Everything a demo database holds.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub patients: Vec<Patient>,
    pub encounters: Vec<Encounter>,
    pub notes: Vec<Note>,
    /// Answer key per encounter account: the codes a careful coder would assign (ICD-10-CM dotted,
    /// principal first; then ICD-10-PCS), with POA for inpatient diagnoses. Used later for accuracy demos.
    pub answer_key: Vec<AnswerKey>,
    /// Simulated staff (login, role) the demo encounters are attributed to: attendings are names in
    /// notes; these are chartdesk users (coders, CDI specialists, a supervisor).
    pub staff: Vec<(String, Role)>,
}

/// What a careful coder would assign for one encounter, from the documentation as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerKey {
    pub account: String,
    /// The id of the scenario the encounter was written from (e.g. "sepsis_ecoli_uti_aki").
    pub scenario: String,
    /// ICD-10-CM diagnoses (principal or first-listed first), then ICD-10-PCS procedures (principal
    /// first). POA is given for inpatient diagnoses only ("1" for codes exempt from POA reporting).
    pub codes: Vec<(CodeSystem, String, Option<Poa>)>,
    /// Documentation gaps a CDI specialist would query; the codes above are what the notes support
    /// before any query is answered.
    pub query_opportunities: Vec<String>,
}

/// Generate `encounters` encounters with their patients, notes and answer keys, all dated in the
/// ~45 days before `today`. Deterministic in all three arguments.
pub fn generate(encounters: usize, seed: u64, today: NaiveDate) -> Result<DemoData> {
    generate_in(encounters, seed, today, false)
}

/// The work set of a fresh demo: like [`generate`], but every encounter discharged in the 10 days
/// before `today` (1 to 10 days ago), so a new demo starts with a current backlog; the simulated
/// coding history lies before that. Deterministic in all three arguments.
pub fn generate_recent(encounters: usize, seed: u64, today: NaiveDate) -> Result<DemoData> {
    generate_in(encounters, seed, today, true)
}

fn generate_in(encounters: usize, seed: u64, today: NaiveDate, recent: bool) -> Result<DemoData> {
    anyhow::ensure!(
        encounters <= MAX_ENCOUNTERS,
        "{encounters} demo encounters is more than the {MAX_ENCOUNTERS} a demo database holds; \
         use generate_notes to stream notes at scale"
    );
    let lib = library::Library::builtin()?;
    let mut g = Generator::new(&lib, seed, today);
    g.recent = recent;

    // Exact type quotas, shuffled.
    let mut types: Vec<EncounterType> = quotas(encounters)
        .into_iter()
        .flat_map(|(t, n)| std::iter::repeat_n(t, n))
        .collect();
    for i in (1..types.len()).rev() {
        let j = g.rng.random_range(0..=i);
        types.swap(i, j);
    }

    let mut patients: Vec<PatientRec> = Vec::new();
    let mut mrns = MrnSource::Unique(HashSet::new());
    let mut plans = Vec::with_capacity(encounters);
    for t in types {
        plans.push(g.plan(t, &mut patients, 0.2, &mut mrns)?);
    }
    // Registration hands out accounts in admission order.
    plans.sort_by_key(|p| (p.admit, p.discharge));

    let mut accounts = Accounts::new(&mut g.rng);
    let mut out = DemoData {
        patients: patients
            .iter()
            .map(|p| Patient {
                mrn: p.mrn.clone(),
                name: p.display_name(),
                birth_date: p.birth.to_string(),
                sex: if p.female { Sex::Female } else { Sex::Male },
            })
            .collect(),
        encounters: Vec::with_capacity(plans.len()),
        notes: Vec::with_capacity(plans.len() * 4),
        answer_key: Vec::with_capacity(plans.len()),
        staff: lib.people.staff.clone(),
    };
    for plan in &plans {
        let account = accounts.next(&mut g.rng);
        let p = &patients[plan.patient];
        let enc = g.context(plan, p, &account);
        out.encounters.push(Encounter {
            account: account.clone(),
            mrn: p.mrn.clone(),
            enc_type: plan.enc_type,
            admit_date: plan.admit.to_string(),
            discharge_date: Some(plan.discharge.to_string()),
            attending: plan.attending.clone(),
            total_charges_cents: plan.charges_cents,
        });
        let notes = &mut out.notes;
        g.write_notes(plan, &enc, usize::MAX, &mut |n| notes.push(n));
        out.answer_key.push(g.answer_key(plan, &enc));
    }
    Ok(out)
}

/// Streams notes only (no patients/encounters needed) for benchmarks at scale: n realistic notes,
/// deterministic. The first k notes of a run are the same for any n >= k. Note ids start at
/// N100000001 so they never collide with the ids of a `generate` demo set.
pub fn generate_notes(
    n: usize,
    seed: u64,
    today: NaiveDate,
    mut each: impl FnMut(Note),
) -> Result<()> {
    let lib = library::Library::builtin().context("loading demo templates for generate_notes")?;
    let mut g = Generator::new(&lib, seed, today);
    g.next_note = STREAM_NOTE_IDS_FROM;
    let mut mrns = MrnSource::Increasing(1_000_000 + g.rng.random_range(0..1_000_000u32));
    let mut accounts = Accounts::new(&mut g.rng);
    let mut patients: Vec<PatientRec> = Vec::with_capacity(1);
    let mut left = n;
    while left > 0 {
        patients.clear();
        let t = g.random_type();
        let plan = g.plan(t, &mut patients, 0.0, &mut mrns)?;
        let account = accounts.next(&mut g.rng);
        let enc = g.context(&plan, &patients[plan.patient], &account);
        let wrote = g.write_notes(&plan, &enc, left, &mut each);
        left -= wrote.min(left);
        if wrote == 0 {
            let sc = &lib.scenarios[plan.scenario];
            anyhow::bail!(
                "demo scenario {} ({}) wrote no notes; check its templates",
                sc.id,
                sc.file
            );
        }
    }
    Ok(())
}

/// The shipped scenarios as (id, name, encounter types), for listings and docs.
pub fn scenarios() -> Result<Vec<(String, String, Vec<EncounterType>)>> {
    let lib = library::Library::builtin()?;
    Ok(lib
        .scenarios
        .iter()
        .map(|s| (s.id.clone(), s.name.clone(), s.types.clone()))
        .collect())
}
