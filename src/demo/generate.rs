//! Turns the template library into encounters: type mix, patients, stay dates, physicians, charges,
//! the notes of each stay and the answer key a careful coder would reach.
use super::AnswerKey;
use super::kinds::NoteKind;
use super::library::{Library, PCP_SPECIALTIES, Scenario};
use super::render::{EncCtx, NoteCx, Renderer, Values};
use super::spec::SexSpec;
use crate::domain::{EncounterType, Note};
use anyhow::{Result, anyhow};
use chrono::{Datelike, Days, Months, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use std::fmt::Write;

/// Share of each encounter type, in percent.
pub(crate) const TYPE_MIX: [(EncounterType, usize); 5] = [
    (EncounterType::Inpatient, 40),
    (EncounterType::Observation, 15),
    (EncounterType::Emergency, 20),
    (EncounterType::Outpatient, 15),
    (EncounterType::Professional, 10),
];

/// The specialty of every ED attending.
pub(crate) const ED_SPECIALTY: &str = "emergency medicine";

/// How far back stays reach before `today`.
pub(crate) const WINDOW_DAYS: u32 = 45;

/// The work set of a fresh demo is discharged within this many days before `today` (the coded
/// history lies before it), so the first dashboard shows a current backlog, not an aged one.
pub(crate) const RECENT_DAYS: u32 = 10;

/// A synthetic patient and the stays already given to them.
#[derive(Debug, Clone)]
pub(crate) struct PatientRec {
    pub first: String,
    pub middle: char,
    pub last: String,
    pub female: bool,
    pub birth: NaiveDate,
    pub mrn: String,
    pub stays: Vec<(NaiveDate, NaiveDate)>,
}

impl PatientRec {
    pub fn display_name(&self) -> String {
        format!("{}, {} {}.", self.last, self.first, self.middle)
    }
}

/// One encounter decided but not yet written.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub scenario: usize,
    pub enc_type: EncounterType,
    pub patient: usize,
    pub admit: NaiveDate,
    pub discharge: NaiveDate,
    pub procedure: NaiveDate,
    pub attending: String,
    pub consultant: String,
    pub surgeon: String,
    pub pcp: String,
    pub charges_cents: i64,
    pub values: Values,
}

/// Where MRNs come from: random and unique (small sets) or increasing with gaps (streams).
pub(crate) enum MrnSource {
    Unique(HashSet<u32>),
    Increasing(u32),
}

impl MrnSource {
    fn next(&mut self, rng: &mut ChaCha8Rng) -> String {
        let n = match self {
            MrnSource::Unique(seen) => loop {
                let n = rng.random_range(1_000_000..10_000_000u32);
                if seen.insert(n) {
                    break n;
                }
            },
            MrnSource::Increasing(last) => {
                *last = 1_000_000 + (*last - 1_000_000 + rng.random_range(1..=7)) % 9_000_000;
                *last
            }
        };
        format!("MRN{n:07}")
    }
}

/// Increasing account numbers with random gaps, as a registration system hands them out.
pub(crate) struct Accounts(u32);

impl Accounts {
    pub fn new(rng: &mut ChaCha8Rng) -> Accounts {
        Accounts(rng.random_range(20_000_000..30_000_000))
    }
    pub fn next(&mut self, rng: &mut ChaCha8Rng) -> String {
        self.0 = 10_000_000 + (self.0 - 10_000_000 + rng.random_range(1..=9)) % 89_999_999;
        format!("A{:08}", self.0)
    }
}

pub(crate) struct Generator<'a> {
    pub lib: &'a Library,
    pub rng: ChaCha8Rng,
    today: NaiveDate,
    /// Per encounter type: (scenario index, cumulative weight).
    by_type: Vec<(EncounterType, Vec<(usize, f64)>)>,
    /// Number of the last note written; note ids are "N" + this, zero-padded to 9 digits.
    pub next_note: u64,
    /// Discharges fall in the [`RECENT_DAYS`] before `today` (else admissions in the
    /// [`WINDOW_DAYS`] before it).
    pub recent: bool,
}

impl<'a> Generator<'a> {
    pub fn new(lib: &'a Library, seed: u64, today: NaiveDate) -> Generator<'a> {
        let by_type = EncounterType::ALL
            .iter()
            .map(|t| {
                let mut acc = 0.0;
                let list = lib
                    .scenarios
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.types.contains(t))
                    .map(|(i, s)| {
                        acc += s.weight;
                        (i, acc)
                    })
                    .collect();
                (*t, list)
            })
            .collect();
        Generator {
            lib,
            rng: ChaCha8Rng::seed_from_u64(seed),
            today,
            by_type,
            next_note: 0,
            recent: false,
        }
    }

    /// An encounter type drawn with the usual mix.
    pub fn random_type(&mut self) -> EncounterType {
        let mut r = self.rng.random_range(0..100usize);
        for (t, pct) in TYPE_MIX {
            if r < pct {
                return t;
            }
            r -= pct;
        }
        EncounterType::Inpatient
    }

    fn pick_scenario(&mut self, t: EncounterType) -> Result<usize> {
        let list = self
            .by_type
            .iter()
            .find(|(tt, _)| *tt == t)
            .map(|(_, l)| l)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| anyhow!("no demo scenario fits {t} encounters"))?;
        let total = list.last().map(|(_, w)| *w).unwrap_or(1.0);
        let r = self.rng.random_range(0.0..total);
        Ok(list
            .iter()
            .find(|(_, w)| r < *w)
            .or(list.last())
            .map(|(i, _)| *i)
            .unwrap_or(0))
    }

    fn physician(&mut self, specialty: &str, not: &[&str]) -> String {
        let Some(list) = self.lib.people.physicians.get(specialty) else {
            return String::from("Dr. Unassigned");
        };
        for _ in 0..8 {
            let i = self.rng.random_range(0..list.len());
            if !not.contains(&list[i].as_str()) {
                return list[i].clone();
            }
        }
        list[0].clone()
    }

    /// Decide one encounter: scenario, dates, patient (new or returning), physicians, charges, values.
    pub fn plan(
        &mut self,
        t: EncounterType,
        patients: &mut Vec<PatientRec>,
        reuse_share: f64,
        mrns: &mut MrnSource,
    ) -> Result<Plan> {
        let si = self.pick_scenario(t)?;
        let lib = self.lib;
        let sc = &lib.scenarios[si];
        let los = match t {
            EncounterType::Inpatient => self.rng.random_range(sc.los.0..=sc.los.1),
            EncounterType::Observation => self.rng.random_range(1..=2u32),
            _ => 0,
        };
        let back = if self.recent {
            self.rng.random_range(1..=RECENT_DAYS) + los
        } else {
            self.rng.random_range(los + 1..=WINDOW_DAYS)
        };
        let admit = self
            .today
            .checked_sub_days(Days::new(u64::from(back)))
            .ok_or_else(|| anyhow!("today ({}) is too early for demo dates", self.today))?;
        let discharge = admit + Days::new(u64::from(los));
        let pday = if sc.is_procedural() {
            self.rng
                .random_range(sc.procedure_day.0..=sc.procedure_day.1)
        } else {
            0
        };
        let procedure = (admit + Days::new(u64::from(pday))).min(discharge);

        let returning = if !patients.is_empty() && self.rng.random_bool(reuse_share) {
            let start = self.rng.random_range(0..patients.len());
            (0..patients.len())
                .map(|k| (start + k) % patients.len())
                .find(|&i| fits(sc, &patients[i], admit, discharge))
        } else {
            None
        };
        let patient = match returning {
            Some(i) => i,
            None => {
                let p = self.new_patient(sc, admit, mrns)?;
                patients.push(p);
                patients.len() - 1
            }
        };
        patients[patient].stays.push((admit, discharge));

        // ED visits are staffed by emergency physicians whatever the scenario's attending specialty.
        let attending_specialty = match t {
            EncounterType::Emergency => ED_SPECIALTY,
            _ => sc.attending.as_str(),
        };
        let attending = self.physician(attending_specialty, &[]);
        let consultant = match &sc.consultant {
            Some(s) => self.physician(s, &[&attending]),
            None => String::new(),
        };
        let surgeon = match &sc.surgeon {
            Some(s) => self.physician(s, &[&attending, &consultant]),
            None => attending.clone(),
        };
        let pcp_spec = PCP_SPECIALTIES[self.rng.random_range(0..PCP_SPECIALTIES.len())];
        let pcp = self.physician(pcp_spec, &[&attending]);
        let (lo, hi) = sc.charges_dollars.unwrap_or(default_charges(t, sc));
        let dollars = i64::from(self.rng.random_range(lo..=hi.max(lo)));
        let charges_cents = dollars * 100 + self.rng.random_range(0..100i64);
        let variant = self.rng.random_range(0..sc.variants.len());
        let values = Values::draw(sc, variant, &mut self.rng);
        Ok(Plan {
            scenario: si,
            enc_type: t,
            patient,
            admit,
            discharge,
            procedure,
            attending,
            consultant,
            surgeon,
            pcp,
            charges_cents,
            values,
        })
    }

    fn new_patient(
        &mut self,
        sc: &Scenario,
        admit: NaiveDate,
        mrns: &mut MrnSource,
    ) -> Result<PatientRec> {
        let female = match sc.sex {
            SexSpec::Female => true,
            SexSpec::Male => false,
            SexSpec::Any => self.rng.random_bool(0.5),
        };
        let people = &self.lib.people;
        let firsts = if female { &people.female } else { &people.male };
        let first = firsts[self.rng.random_range(0..firsts.len())].clone();
        let last = people.last[self.rng.random_range(0..people.last.len())].clone();
        let middle = char::from(b'A' + self.rng.random_range(0..26u8));
        let age = self.rng.random_range(sc.age.0..=sc.age.1);
        let latest = admit
            .checked_sub_months(Months::new(12 * age))
            .ok_or_else(|| anyhow!("cannot place a birth date {age} years before {admit}"))?;
        let earliest = admit
            .checked_sub_months(Months::new(12 * (age + 1)))
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .ok_or_else(|| anyhow!("cannot place a birth date {age} years before {admit}"))?;
        let span = (latest - earliest).num_days().max(0) as u64;
        let birth = earliest + Days::new(self.rng.random_range(0..=span));
        Ok(PatientRec {
            first,
            middle,
            last,
            female,
            birth,
            mrn: mrns.next(&mut self.rng),
            stays: Vec::new(),
        })
    }

    /// The facts templates print for this encounter.
    pub fn context(&self, plan: &Plan, p: &PatientRec, account: &str) -> EncCtx {
        EncCtx {
            patient: p.display_name(),
            first: p.first.clone(),
            last: p.last.clone(),
            female: p.female,
            age: age_on(p.birth, plan.admit),
            dob: p.birth,
            mrn: p.mrn.clone(),
            account: account.to_string(),
            admit: plan.admit,
            discharge: plan.discharge,
            procedure: plan.procedure,
            attending: plan.attending.clone(),
            consultant: plan.consultant.clone(),
            surgeon: plan.surgeon.clone(),
            pcp: plan.pcp.clone(),
            level_of_care: match plan.enc_type {
                EncounterType::Inpatient => "inpatient",
                EncounterType::Observation => "observation",
                EncounterType::Emergency => "emergency department",
                EncounterType::Outpatient => "outpatient",
                EncounterType::Professional => "office",
            },
        }
    }

    /// Write the encounter's notes (at most `limit`), passing each to `each`. Returns how many.
    pub fn write_notes(
        &mut self,
        plan: &Plan,
        enc: &EncCtx,
        limit: usize,
        each: &mut dyn FnMut(Note),
    ) -> usize {
        let lib = self.lib;
        let sc = &lib.scenarios[plan.scenario];
        let slots = self.note_slots(sc, plan);
        let r = Renderer {
            sc,
            enc,
            vals: &plan.values,
            hospital: &lib.people.hospital,
        };
        let mut written = 0;
        for s in slots.iter().take(limit) {
            let options = &sc.notes[s.kind as usize];
            if options.is_empty() {
                continue;
            }
            let tpl = options[self.rng.random_range(0..options.len())];
            let author = match s.kind {
                NoteKind::Operative => &plan.surgeon,
                NoteKind::Consultation => &plan.consultant,
                NoteKind::Procedure if sc.surgeon.is_some() => &plan.surgeon,
                NoteKind::Procedure if sc.consultant.is_some() => &plan.consultant,
                _ => &plan.attending,
            };
            let cx = NoteCx {
                date: s.date,
                hour: s.hour,
                minute: s.minute,
                stage: s.stage,
                author,
            };
            let mut body = String::with_capacity(4096);
            r.render(tpl, &cx, &mut self.rng, &mut body);
            self.next_note += 1;
            let mut written_at = String::with_capacity(20);
            let _ = write!(
                written_at,
                "{:04}-{:02}-{:02}T{:02}:{:02}:00Z",
                s.date.year(),
                s.date.month(),
                s.date.day(),
                s.hour,
                s.minute
            );
            each(Note {
                note_id: format!("N{:09}", self.next_note),
                account: enc.account.clone(),
                note_type: s.kind.note_type().to_string(),
                author: author.clone(),
                written_at,
                body,
            });
            written += 1;
        }
        written
    }

    /// The codes a careful coder assigns from these notes, and what a CDI specialist would query.
    pub fn answer_key(&mut self, plan: &Plan, enc: &EncCtx) -> AnswerKey {
        let lib = self.lib;
        let sc = &lib.scenarios[plan.scenario];
        let inpatient = plan.enc_type == EncounterType::Inpatient;
        let codes = sc
            .variants
            .get(plan.values.variant)
            .map(|v| {
                v.codes
                    .iter()
                    .map(|(sys, c, poa)| (*sys, c.clone(), if inpatient { *poa } else { None }))
                    .collect()
            })
            .unwrap_or_default();
        let r = Renderer {
            sc,
            enc,
            vals: &plan.values,
            hospital: &lib.people.hospital,
        };
        let cx = NoteCx {
            date: plan.discharge,
            hour: 12,
            minute: 0,
            stage: None,
            author: &plan.attending,
        };
        let query_opportunities = sc
            .queries
            .iter()
            .map(|q| {
                let mut s = String::new();
                r.render(*q, &cx, &mut self.rng, &mut s);
                s
            })
            .collect();
        AnswerKey {
            account: enc.account.clone(),
            scenario: sc.id.clone(),
            codes,
            query_opportunities,
        }
    }
}

/// Can this patient have this stay: sex and age fit the scenario, and no other stay overlaps?
fn fits(sc: &Scenario, p: &PatientRec, admit: NaiveDate, discharge: NaiveDate) -> bool {
    let sex_ok = match sc.sex {
        SexSpec::Any => true,
        SexSpec::Female => p.female,
        SexSpec::Male => !p.female,
    };
    let age = age_on(p.birth, admit);
    sex_ok
        && (sc.age.0..=sc.age.1).contains(&age)
        && p.stays.iter().all(|(a, d)| discharge < *a || admit > *d)
}

/// Age in whole years on a date.
pub(crate) fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Typical total charges in dollars by encounter type.
fn default_charges(t: EncounterType, sc: &Scenario) -> (u32, u32) {
    match t {
        EncounterType::Inpatient if sc.is_procedural() => (42_000, 145_000),
        EncounterType::Inpatient => (16_000, 72_000),
        EncounterType::Observation => (5_500, 19_000),
        EncounterType::Emergency => (900, 7_800),
        EncounterType::Outpatient => (2_800, 21_000),
        EncounterType::Professional => (120, 420),
    }
}

/// Counts per type for `n` encounters with the usual mix; inpatient takes the rounding remainder.
pub(crate) fn quotas(n: usize) -> Vec<(EncounterType, usize)> {
    let mut out: Vec<(EncounterType, usize)> = TYPE_MIX
        .iter()
        .map(|(t, pct)| (*t, (n * pct + 50) / 100))
        .collect();
    let others: usize = out.iter().skip(1).map(|(_, c)| *c).sum();
    if let Some(first) = out.first_mut() {
        first.1 = n.saturating_sub(others);
    }
    // Tiny n can round the others above n; trim them back.
    let mut total: usize = out.iter().map(|(_, c)| *c).sum();
    for slot in out.iter_mut().rev() {
        while total > n && slot.1 > 0 {
            slot.1 -= 1;
            total -= 1;
        }
    }
    out
}
