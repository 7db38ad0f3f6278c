//! Loads the demo templates once: parses every TOML file, compiles each scenario (see `compile`), checks
//! people and coverage, and keeps the result ready for fast rendering.
use super::compile::{check_tables, compile_scenario};
use super::generate::ED_SPECIALTY;
use super::kinds::{NoteKind, known_kinds};
use super::spec::{self, CommonSpec, PeopleSpec, ScenarioSpec, SexSpec};
use super::template::{Seg, TplId};
use crate::domain::{CodeSystem, EncounterType, Poa, Role};
use anyhow::{Result, ensure};
use std::collections::{BTreeMap, BTreeSet};

/// A number definition, scaled to integers so drawing and printing are exact.
#[derive(Debug, Clone)]
pub(crate) struct NumDef {
    pub lo: i64,
    /// How many steps above `lo` the maximum is.
    pub steps: i64,
    pub step: i64,
    pub decimals: u8,
    pub thousands: bool,
    pub per_note: bool,
}

/// One scenario variant: placeholder values and the answer key that goes with them.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub set: Vec<TplId>,
    pub codes: Vec<(CodeSystem, String, Option<Poa>)>,
}

/// A scenario ready to render.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    pub file: String,
    pub id: String,
    pub name: String,
    pub types: Vec<EncounterType>,
    pub age: (u32, u32),
    pub sex: SexSpec,
    pub weight: f64,
    pub attending: String,
    pub consultant: Option<String>,
    pub surgeon: Option<String>,
    pub los: (u32, u32),
    pub procedure_day: (u32, u32),
    pub consult_day: (u32, u32),
    pub charges_dollars: Option<(u32, u32)>,
    pub variants: Vec<Variant>,
    pub templates: Vec<Vec<Seg>>,
    pub nums: Vec<NumDef>,
    pub picks: Vec<Vec<TplId>>,
    pub stages: Vec<[TplId; 5]>,
    pub notes: [Vec<TplId>; NoteKind::COUNT],
    pub queries: Vec<TplId>,
}

impl Scenario {
    pub fn has(&self, kind: NoteKind) -> bool {
        !self.notes[kind as usize].is_empty()
    }
    pub fn is_procedural(&self) -> bool {
        self.has(NoteKind::Operative) || self.has(NoteKind::Procedure)
    }
}

/// Synthetic people.
#[derive(Debug, Clone)]
pub(crate) struct People {
    pub hospital: String,
    pub female: Vec<String>,
    pub male: Vec<String>,
    pub last: Vec<String>,
    pub physicians: BTreeMap<String, Vec<String>>,
    pub staff: Vec<(String, Role)>,
}

/// Everything the generator needs, parsed and checked once.
#[derive(Debug, Clone)]
pub(crate) struct Library {
    pub scenarios: Vec<Scenario>,
    pub people: People,
}

/// The specialties a primary-care physician is drawn from.
pub(crate) const PCP_SPECIALTIES: [&str; 2] = ["family medicine", "internal medicine"];

impl Library {
    /// The templates shipped in `assets/demo`.
    pub fn builtin() -> Result<Library> {
        let lib = Self::load(spec::COMMON, spec::PEOPLE, spec::SCENARIOS)?;
        for t in EncounterType::ALL {
            ensure!(
                lib.scenarios.iter().any(|s| s.types.contains(t)),
                "no demo scenario fits {t} encounters; add one to assets/demo/scenarios"
            );
        }
        Ok(lib)
    }

    /// Parse and check (file name, contents) pairs.
    pub fn load(
        common: (&str, &str),
        people: (&str, &str),
        scenarios: &[(&str, &str)],
    ) -> Result<Library> {
        let common_spec: CommonSpec = spec::parse(common.0, common.1)?;
        check_tables(
            common.0,
            &common_spec.num,
            &common_spec.pick,
            &common_spec.text,
        )?;
        for key in common_spec.skeleton.keys() {
            ensure!(
                NoteKind::by_key(key).is_some(),
                "{}: skeleton.\"{key}\" is not a note type; use one of: {}",
                common.0,
                known_kinds()
            );
        }
        let people = load_people(people.0, people.1)?;
        let mut out = Vec::with_capacity(scenarios.len());
        let mut ids = BTreeSet::new();
        for (file, text) in scenarios {
            let s: ScenarioSpec = spec::parse(file, text)?;
            ensure!(
                ids.insert(s.id.clone()),
                "{file}: id '{}' is used by another scenario; ids must be unique",
                s.id
            );
            let sc = compile_scenario(file, &s, common.0, &common_spec)?;
            for (role, spec) in [
                ("attending", Some(&sc.attending)),
                ("consultant", sc.consultant.as_ref()),
                ("surgeon", sc.surgeon.as_ref()),
            ] {
                if let Some(spec) = spec {
                    ensure!(
                        people.physicians.contains_key(spec),
                        "{file}: {role} = \"{spec}\" names no specialty in {}; known: {}",
                        spec::PEOPLE.0,
                        people
                            .physicians
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
            out.push(sc);
        }
        if out
            .iter()
            .any(|s| s.types.contains(&EncounterType::Emergency))
        {
            ensure!(
                people.physicians.contains_key(ED_SPECIALTY),
                "{}: add physicians with specialty \"{ED_SPECIALTY}\" (ED visits are staffed by them)",
                spec::PEOPLE.0
            );
        }
        Ok(Library {
            scenarios: out,
            people,
        })
    }
}

fn load_people(file: &str, text: &str) -> Result<People> {
    let p: PeopleSpec = spec::parse(file, text)?;
    for (key, list) in [("female", &p.female), ("male", &p.male), ("last", &p.last)] {
        ensure!(list.len() >= 10, "{file}: {key} needs at least 10 names");
    }
    let mut physicians: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for doc in &p.physician {
        physicians
            .entry(doc.specialty.clone())
            .or_default()
            .push(doc.name.clone());
    }
    for s in PCP_SPECIALTIES {
        ensure!(
            physicians.contains_key(s),
            "{file}: add a physician with specialty \"{s}\" (primary care physicians are drawn from it)"
        );
    }
    ensure!(!p.staff.is_empty(), "{file}: staff is empty");
    Ok(People {
        hospital: p.hospital,
        female: p.female,
        male: p.male,
        last: p.last,
        physicians,
        staff: p.staff.into_iter().map(|s| (s.login, s.role)).collect(),
    })
}
