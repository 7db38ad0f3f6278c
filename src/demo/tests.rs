//! Tests of the demo generator: determinism, mix, substitution, dates, ids and answer keys.
use super::generate::{TYPE_MIX, WINDOW_DAYS, age_on, quotas};
use super::kinds::{NoteKind, cm_shape_ok, pcs_shape_ok};
use super::library::Library;
use super::{DEFAULT_ENCOUNTERS, DemoData, generate, generate_notes, spec};
use crate::domain::{CodeSystem, EncounterType, Note, Poa, Role, Sex};
use chrono::{DateTime, NaiveDate};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 15).unwrap()
}

/// The default demo set, generated once for the tests that only read it.
fn default_data() -> &'static DemoData {
    static DATA: OnceLock<DemoData> = OnceLock::new();
    DATA.get_or_init(|| generate(DEFAULT_ENCOUNTERS, 20260515, today()).unwrap())
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn same_inputs_give_identical_output() {
    let a = generate(60, 7, today()).unwrap();
    let b = generate(60, 7, today()).unwrap();
    assert_eq!(a, b);
    let c = generate(60, 8, today()).unwrap();
    assert_ne!(a.notes, c.notes, "another seed must give other data");
    let d = generate(60, 7, today().succ_opt().unwrap()).unwrap();
    assert_ne!(
        a.encounters, d.encounters,
        "another day must shift the dates"
    );

    let mut x = Vec::new();
    let mut y = Vec::new();
    generate_notes(500, 3, today(), |n| x.push(n)).unwrap();
    generate_notes(500, 3, today(), |n| y.push(n)).unwrap();
    assert_eq!(x, y);
}

#[test]
fn counts_and_type_mix() {
    let d = default_data();
    assert_eq!(d.encounters.len(), DEFAULT_ENCOUNTERS);
    assert_eq!(d.answer_key.len(), DEFAULT_ENCOUNTERS);
    let mut by_type: HashMap<EncounterType, usize> = HashMap::new();
    for e in &d.encounters {
        *by_type.entry(e.enc_type).or_default() += 1;
    }
    // 300 encounters: 40% / 15% / 20% / 15% / 10%.
    let want = [
        (EncounterType::Inpatient, 120),
        (EncounterType::Observation, 45),
        (EncounterType::Emergency, 60),
        (EncounterType::Outpatient, 45),
        (EncounterType::Professional, 30),
    ];
    for (t, n) in want {
        assert_eq!(by_type.get(&t).copied().unwrap_or(0), n, "{t}");
    }
    for n in [0, 1, 3, 7, 10, 299, 1001] {
        let q = quotas(n);
        assert_eq!(q.iter().map(|(_, c)| c).sum::<usize>(), n, "quotas({n})");
        assert_eq!(q.len(), TYPE_MIX.len());
    }
    // Some patients come back; every encounter's MRN is a known patient.
    assert!(d.patients.len() < d.encounters.len());
    let mrns: HashSet<&str> = d.patients.iter().map(|p| p.mrn.as_str()).collect();
    let mut visits: HashMap<&str, usize> = HashMap::new();
    for e in &d.encounters {
        assert!(
            mrns.contains(e.mrn.as_str()),
            "{} has no patient",
            e.account
        );
        *visits.entry(e.mrn.as_str()).or_default() += 1;
    }
    assert!(visits.values().any(|&v| v > 1), "no returning patient");
    assert!(d.notes.len() > DEFAULT_ENCOUNTERS * 2);
}

#[test]
fn notes_per_encounter_follow_the_type() {
    let d = default_data();
    let mut notes: HashMap<&str, Vec<&Note>> = HashMap::new();
    for n in &d.notes {
        notes.entry(n.account.as_str()).or_default().push(n);
    }
    for e in &d.encounters {
        let list = notes.get(e.account.as_str()).cloned().unwrap_or_default();
        let count = |t: &str| list.iter().filter(|n| n.note_type == t).count();
        match e.enc_type {
            EncounterType::Inpatient | EncounterType::Observation => {
                assert_eq!(count("History and Physical"), 1, "{}", e.account);
                assert!((1..=3).contains(&count("Progress Note")), "{}", e.account);
                assert_eq!(count("Discharge Summary"), 1, "{}", e.account);
            }
            EncounterType::Emergency => {
                assert_eq!(list.len(), 1);
                assert_eq!(count("ED Note"), 1);
            }
            EncounterType::Outpatient => {
                assert_eq!(count("History and Physical"), 1, "{}", e.account);
                assert!(count("Operative Report") + count("Procedure Note") >= 1);
            }
            EncounterType::Professional => {
                assert_eq!(list.len(), 1);
                assert_eq!(count("Office Visit"), 1);
            }
        }
        // The attending writes the admission, discharge, ED and office notes.
        for n in &list {
            if matches!(
                n.note_type.as_str(),
                "History and Physical" | "Discharge Summary" | "ED Note" | "Office Visit"
            ) {
                assert_eq!(n.author, e.attending, "{} {}", e.account, n.note_type);
            }
        }
    }
    // ED visits are staffed by emergency physicians; nobody else is.
    let lib = Library::builtin().unwrap();
    let ed_docs = &lib.people.physicians["emergency medicine"];
    for e in &d.encounters {
        let is_ed_doc = ed_docs.contains(&e.attending);
        assert_eq!(
            is_ed_doc,
            e.enc_type == EncounterType::Emergency,
            "{}",
            e.account
        );
    }
    let has = |t: &str| d.notes.iter().any(|n| n.note_type == t);
    for kind in NoteKind::ALL {
        assert!(has(kind.note_type()), "no {} generated", kind.note_type());
    }
}

#[test]
fn placeholders_fully_substituted_and_notes_name_their_patient() {
    let d = default_data();
    let patients: HashMap<&str, _> = d.patients.iter().map(|p| (p.mrn.as_str(), p)).collect();
    let enc: HashMap<&str, _> = d
        .encounters
        .iter()
        .map(|e| (e.account.as_str(), e))
        .collect();
    for n in &d.notes {
        assert!(
            !n.body.contains("{{") && !n.body.contains("}}"),
            "{} ({}) has a placeholder left",
            n.note_id,
            n.note_type
        );
        assert!(n.body.len() > 300, "{} is too short", n.note_id);
        let e = enc[n.account.as_str()];
        let p = patients[e.mrn.as_str()];
        assert!(n.body.contains(&p.name), "{} lacks {}", n.note_id, p.name);
        assert!(
            n.body.contains(&n.account),
            "{} lacks its account",
            n.note_id
        );
        for age in [8, 11, 18, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89] {
            let bad = format!(" a {age}-year-old");
            assert!(
                !n.body.contains(&bad),
                "{}: 'a' before a vowel sound",
                n.note_id
            );
        }
        let wrong_title = if p.sex == Sex::Female { "Mr. " } else { "Ms. " };
        assert!(!n.body.contains(wrong_title), "{}: title vs sex", n.note_id);
    }
    for k in &d.answer_key {
        for q in &k.query_opportunities {
            assert!(!q.contains("{{"), "{q}");
        }
    }
}

#[test]
fn dates_are_consistent() {
    let d = default_data();
    let today = today();
    let enc: HashMap<&str, _> = d
        .encounters
        .iter()
        .map(|e| (e.account.as_str(), e))
        .collect();
    let lib = Library::builtin().unwrap();
    let ages: HashMap<&str, (u32, u32)> = lib
        .scenarios
        .iter()
        .map(|s| (s.id.as_str(), s.age))
        .collect();
    let births: HashMap<&str, NaiveDate> = d
        .patients
        .iter()
        .map(|p| (p.mrn.as_str(), date(&p.birth_date)))
        .collect();
    for (e, k) in d.encounters.iter().zip(&d.answer_key) {
        assert_eq!(e.account, k.account);
        let admit = date(&e.admit_date);
        let discharge = date(e.discharge_date.as_deref().unwrap());
        let los = (discharge - admit).num_days();
        let ok = match e.enc_type {
            EncounterType::Inpatient => (2..=9).contains(&los),
            EncounterType::Observation => (1..=2).contains(&los),
            _ => los == 0,
        };
        assert!(ok, "{} {} has LOS {los}", e.account, e.enc_type);
        assert!(discharge < today);
        assert!((today - admit).num_days() <= i64::from(WINDOW_DAYS));
        let (lo, hi) = ages[k.scenario.as_str()];
        let age = age_on(births[e.mrn.as_str()], admit);
        assert!(
            (lo..=hi).contains(&age),
            "{} age {age} outside {lo}-{hi}",
            e.account
        );
    }
    for n in &d.notes {
        let e = enc[n.account.as_str()];
        let written = DateTime::parse_from_rfc3339(&n.written_at)
            .unwrap_or_else(|err| panic!("{}: {err}", n.written_at))
            .date_naive();
        let admit = date(&e.admit_date);
        let discharge = date(e.discharge_date.as_deref().unwrap());
        assert!(
            admit <= written && written <= discharge.succ_opt().unwrap(),
            "{} written {written} outside {admit}..{discharge}+1",
            n.note_id
        );
    }
}

#[test]
fn notes_of_an_encounter_are_in_writing_order() {
    let d = default_data();
    let mut last: HashMap<&str, (String, String)> = HashMap::new();
    for n in &d.notes {
        if let Some((at, id)) = last.get(n.account.as_str()) {
            assert!(
                *at <= n.written_at,
                "{} ({}) written before the previous note {id}",
                n.note_id,
                n.note_type
            );
        }
        last.insert(
            n.account.as_str(),
            (n.written_at.clone(), n.note_id.clone()),
        );
    }
}

#[test]
fn ids_are_unique_and_well_formed() {
    let d = default_data();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let mut seen = HashSet::new();
    for n in &d.notes {
        assert!(n.note_id.starts_with('N') && n.note_id.len() > 1);
        assert!(n.note_id[1..].bytes().all(|b| b.is_ascii_digit()));
        assert!(seen.insert(n.note_id.clone()), "duplicate {}", n.note_id);
    }
    let mut seen = HashSet::new();
    for e in &d.encounters {
        assert!(e.account.starts_with('A') && digits(&e.account[1..], 8));
        assert!(seen.insert(e.account.clone()), "duplicate {}", e.account);
        assert!(e.total_charges_cents > 0);
        let dollars = e.total_charges_cents / 100;
        let ok = match e.enc_type {
            EncounterType::Inpatient => (10_000..=200_000).contains(&dollars),
            EncounterType::Observation => (3_000..=25_000).contains(&dollars),
            EncounterType::Emergency => (500..=10_000).contains(&dollars),
            EncounterType::Outpatient => (1_000..=30_000).contains(&dollars),
            EncounterType::Professional => (50..=1_000).contains(&dollars),
        };
        assert!(ok, "{} {} charges ${dollars}", e.account, e.enc_type);
        assert!(e.attending.starts_with("Dr. "));
    }
    let mut seen = HashSet::new();
    let mut names = HashSet::new();
    for p in &d.patients {
        assert!(
            p.mrn.starts_with("MRN") && digits(&p.mrn[3..], 7),
            "{}",
            p.mrn
        );
        assert!(seen.insert(p.mrn.clone()), "duplicate {}", p.mrn);
        names.insert(p.name.clone());
    }
    assert!(
        names.len() * 10 >= d.patients.len() * 9,
        "too many repeated names"
    );
}

#[test]
fn staff_has_coders_cdi_and_a_supervisor() {
    let d = default_data();
    let count = |r: Role| d.staff.iter().filter(|(_, role)| *role == r).count();
    assert!(count(Role::Coder) >= 3);
    assert!(count(Role::Cdi) >= 1);
    assert_eq!(count(Role::Supervisor), 1);
    assert!(d.staff.iter().any(|(l, _)| l == "jlee"));
}

#[test]
fn every_shipped_template_parses() {
    spec::parse::<spec::CommonSpec>(spec::COMMON.0, spec::COMMON.1).unwrap();
    spec::parse::<spec::PeopleSpec>(spec::PEOPLE.0, spec::PEOPLE.1).unwrap();
    for (file, text) in spec::SCENARIOS {
        spec::parse::<spec::ScenarioSpec>(file, text).unwrap_or_else(|e| panic!("{e:#}"));
    }
    let lib = Library::builtin().unwrap_or_else(|e| panic!("{e:#}"));
    assert!(lib.scenarios.len() >= 24);
    for t in EncounterType::ALL {
        assert!(lib.scenarios.iter().any(|s| s.types.contains(t)), "{t}");
    }
    // Every file in assets/demo/scenarios is embedded, and nothing else.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/scenarios");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            format!(
                "assets/demo/scenarios/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = spec::SCENARIOS.iter().map(|(f, _)| f.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

#[test]
fn answer_key_codes_are_shaped_right() {
    let lib = Library::builtin().unwrap();
    let mut with_queries = 0;
    for s in &lib.scenarios {
        let inpatient = s.types.contains(&EncounterType::Inpatient);
        for v in &s.variants {
            assert!(!v.codes.is_empty());
            assert_eq!(
                v.codes[0].0,
                CodeSystem::Icd10Cm,
                "{}: principal first",
                s.id
            );
            let first_pcs = v.codes.iter().position(|c| c.0 == CodeSystem::Icd10Pcs);
            if let Some(i) = first_pcs {
                assert!(v.codes[i..].iter().all(|c| c.0 == CodeSystem::Icd10Pcs));
            }
            for (sys, code, poa) in &v.codes {
                match sys {
                    CodeSystem::Icd10Cm => {
                        assert!(cm_shape_ok(code), "{}: {code}", s.id);
                        assert_eq!(poa.is_some(), inpatient, "{}: {code} POA", s.id);
                    }
                    CodeSystem::Icd10Pcs => {
                        assert!(pcs_shape_ok(code), "{}: {code}", s.id);
                        assert!(poa.is_none());
                    }
                    other => panic!("{}: unexpected system {other}", s.id),
                }
            }
            let codes: HashSet<&String> = v.codes.iter().map(|c| &c.1).collect();
            assert_eq!(codes.len(), v.codes.len(), "{}: duplicate code", s.id);
        }
        with_queries += usize::from(!s.queries.is_empty());
    }
    assert!(with_queries >= 3, "need several CDI query scenarios");

    // Generated keys: POA only for inpatient encounters; queries carried through.
    let d = default_data();
    let types: HashMap<&str, EncounterType> = d
        .encounters
        .iter()
        .map(|e| (e.account.as_str(), e.enc_type))
        .collect();
    for k in &d.answer_key {
        let inpatient = types[k.account.as_str()] == EncounterType::Inpatient;
        for (sys, code, poa) in &k.codes {
            if *sys == CodeSystem::Icd10Cm {
                assert_eq!(poa.is_some(), inpatient, "{} {code}", k.account);
            }
        }
    }
    assert!(
        d.answer_key
            .iter()
            .any(|k| !k.query_opportunities.is_empty())
    );
    assert!(
        d.answer_key
            .iter()
            .flat_map(|k| &k.codes)
            .any(|c| c.2 == Some(Poa::No)),
        "expected a hospital-acquired (POA N) condition somewhere"
    );
}

#[test]
fn code_shape_checks_reject_bad_codes() {
    for good in ["I10", "I50.23", "W06.XXXA", "S72.031A", "Z86.0100", "U07.1"] {
        assert!(cm_shape_ok(good), "{good}");
    }
    for bad in [
        "I5023",
        "i50.23",
        "I50.",
        "I50.23456",
        "150.2",
        "I5",
        "I50-23",
    ] {
        assert!(!cm_shape_ok(bad), "{bad}");
    }
    for good in ["0SRR019", "30233N1", "B2111ZZ", "0DTJ4ZZ"] {
        assert!(pcs_shape_ok(good), "{good}");
    }
    for bad in ["0SRR01", "0SRR0199", "0SRI019", "0SRO019", "0srr019"] {
        assert!(!pcs_shape_ok(bad), "{bad}");
    }
}

#[test]
fn generate_notes_streams_exactly_n() {
    let mut notes = Vec::new();
    generate_notes(2_345, 11, today(), |n| notes.push(n)).unwrap();
    assert_eq!(notes.len(), 2_345);
    let ids: HashSet<&str> = notes.iter().map(|n| n.note_id.as_str()).collect();
    assert_eq!(ids.len(), notes.len());
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &notes {
        assert!(!n.body.contains("{{"), "{}", n.note_id);
        *types.entry(n.note_type.as_str()).or_default() += 1;
    }
    assert!(types.len() >= 6, "{types:?}");
    assert_eq!(notes[0].note_id, "N100000001");
    // A shorter run is a prefix of a longer one.
    let mut short = Vec::new();
    generate_notes(1_000, 11, today(), |n| short.push(n)).unwrap();
    assert_eq!(short[..], notes[..1_000]);
    let mut none = 0;
    generate_notes(0, 11, today(), |_| none += 1).unwrap();
    assert_eq!(none, 0);
}

#[test]
fn impossible_dates_are_errors_not_panics() {
    let too_early = NaiveDate::MIN
        .checked_add_days(chrono::Days::new(5))
        .unwrap();
    assert!(generate(5, 1, too_early).is_err());
    assert!(generate_notes(5, 1, too_early, |_| {}).is_err());
    assert!(generate(2_000_000, 1, today()).is_err());
}

/// Human review aid: one encounter per scenario (or only `DEMO_SCENARIO=<id>`), printed in full:
/// `cargo test --lib demo::tests::print_sample -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_sample() {
    let d = generate(DEFAULT_ENCOUNTERS, 1, today()).unwrap();
    let only = std::env::var("DEMO_SCENARIO").ok();
    let mut shown = HashSet::new();
    for k in &d.answer_key {
        if only.as_deref().is_some_and(|o| o != k.scenario) || !shown.insert(k.scenario.clone()) {
            continue;
        }
        println!("################ {} {}", k.scenario, k.account);
        for n in d.notes.iter().filter(|n| n.account == k.account) {
            println!(
                "=== {} {} {} {}\n{}",
                n.note_id, n.note_type, n.author, n.written_at, n.body
            );
        }
        println!("{k:?}\n");
    }
}

/// Throughput figure (not a pass/fail timing): run with
/// `cargo test --release --lib demo::tests::notes_per_second -- --ignored --nocapture`.
#[test]
#[ignore]
fn notes_per_second() {
    let n: usize = std::env::var("DEMO_NOTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let start = std::time::Instant::now();
    let mut bytes = 0usize;
    generate_notes(n, 1, today(), |note| bytes += note.body.len()).unwrap();
    let secs = start.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let d = generate(DEFAULT_ENCOUNTERS, 1, today()).unwrap();
    println!(
        "generate({DEFAULT_ENCOUNTERS}): {} notes in {:.1} ms",
        d.notes.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "generate_notes: {n} notes in {secs:.2} s = {:.0} notes/s, {:.1} MB of text ({:.0} bytes/note)",
        n as f64 / secs,
        bytes as f64 / 1e6,
        bytes as f64 / n as f64
    );
}

#[test]
fn a_fresh_demo_is_discharged_in_the_last_ten_days() {
    let today = today();
    let d = super::generate_recent(DEFAULT_ENCOUNTERS, 20260515, today).unwrap();
    assert_eq!(d.encounters.len(), DEFAULT_ENCOUNTERS);
    let mut ages = HashSet::new();
    for e in &d.encounters {
        let discharge = date(e.discharge_date.as_deref().unwrap());
        let age = (today - discharge).num_days();
        assert!(
            (1..=10).contains(&age),
            "{} discharged {age} days ago",
            e.account
        );
        assert!(date(&e.admit_date) <= discharge);
        ages.insert(age);
    }
    assert_eq!(ages.len(), 10, "spread over the ten days: {ages:?}");
    // Notes are not written in the future.
    for n in &d.notes {
        let at = DateTime::parse_from_rfc3339(&n.written_at).unwrap();
        assert!(
            at.date_naive() <= today,
            "{} written {}",
            n.note_id,
            n.written_at
        );
    }
    // The coding history the demo simulates was discharged before the work set.
    let h = super::history::generate(20260515, today, &d.staff).unwrap();
    let first_work = today - chrono::Duration::days(10);
    assert!(!h.data.encounters.is_empty());
    for e in &h.data.encounters {
        let discharge = date(e.discharge_date.as_deref().unwrap());
        assert!(
            discharge < first_work,
            "history {} discharged {discharge}",
            e.account
        );
    }
}
