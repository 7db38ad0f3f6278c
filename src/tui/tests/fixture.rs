//! A small hand-built data directory for state tests: a few real-looking codes, three patients,
//! notes, a coder ("tester") and a colleague ("bob") who holds one encounter.
use crate::config::Config;
use crate::domain::{
    CodeEntry, CodeSystem, Encounter, EncounterStatus, EncounterType, EntryKind, Note, Patient,
    Role, Sex, TabularNotes,
};
use crate::service::{DataDir, Service};
use crate::store;
use crate::tui::App;
use crate::tui::state::State;

pub(super) fn entry(
    system: CodeSystem,
    kind: EntryKind,
    code: &str,
    title: &str,
    billable: bool,
    parent: Option<&str>,
    notes: TabularNotes,
) -> CodeEntry {
    CodeEntry {
        system,
        kind,
        code: code.into(),
        title: title.into(),
        billable,
        parent: parent.map(String::from),
        notes,
    }
}

pub(super) fn cm_codes() -> Vec<CodeEntry> {
    use CodeSystem::Icd10Cm as CM;
    use EntryKind::*;
    let n = TabularNotes::default;
    vec![
        entry(
            CM,
            Chapter,
            "9",
            "Diseases of the circulatory system",
            false,
            None,
            n(),
        ),
        entry(
            CM,
            Section,
            "I30-I5A",
            "Other forms of heart disease",
            false,
            Some("9"),
            n(),
        ),
        entry(
            CM,
            Code,
            "I50",
            "Heart failure",
            false,
            Some("I30-I5A"),
            TabularNotes {
                code_first: vec!["heart failure complicating abortion (O00-O07)".into()],
                excludes2: vec!["cardiac arrest (I46.-)".into()],
                ..n()
            },
        ),
        entry(
            CM,
            Code,
            "I50.2",
            "Systolic (congestive) heart failure",
            false,
            Some("I50"),
            n(),
        ),
        entry(
            CM,
            Code,
            "I50.23",
            "Acute on chronic systolic (congestive) heart failure",
            true,
            Some("I50.2"),
            n(),
        ),
        entry(
            CM,
            Code,
            "I50.21",
            "Acute systolic (congestive) heart failure",
            true,
            Some("I50.2"),
            n(),
        ),
        entry(
            CM,
            Code,
            "I50.9",
            "Heart failure, unspecified",
            true,
            Some("I50"),
            n(),
        ),
        entry(
            CM,
            Chapter,
            "10",
            "Diseases of the respiratory system",
            false,
            None,
            n(),
        ),
        entry(
            CM,
            Section,
            "J40-J4A",
            "Chronic lower respiratory diseases",
            false,
            Some("10"),
            n(),
        ),
        entry(
            CM,
            Code,
            "J44",
            "Other chronic obstructive pulmonary disease",
            false,
            Some("J40-J4A"),
            n(),
        ),
        entry(
            CM,
            Code,
            "J44.1",
            "Chronic obstructive pulmonary disease with (acute) exacerbation",
            true,
            Some("J44"),
            TabularNotes {
                inclusion_terms: vec!["Decompensated COPD".into()],
                ..n()
            },
        ),
        entry(
            CM,
            Code,
            "E11.9",
            "Type 2 diabetes mellitus without complications",
            true,
            None,
            n(),
        ),
        entry(
            CM,
            Code,
            "I10",
            "Essential (primary) hypertension",
            true,
            None,
            n(),
        ),
        entry(CM, Chapter, "19", "Injury, poisoning", false, None, n()),
        entry(
            CM,
            Code,
            "S72",
            "Fracture of femur",
            false,
            Some("19"),
            TabularNotes {
                seventh_characters: vec![
                    ('A', "initial encounter for closed fracture".into()),
                    (
                        'D',
                        "subsequent encounter for closed fracture with routine healing".into(),
                    ),
                ],
                ..n()
            },
        ),
        entry(
            CM,
            Code,
            "S72.0",
            "Fracture of head and neck of femur",
            false,
            Some("S72"),
            n(),
        ),
        entry(
            CM,
            Code,
            "S72.001",
            "Fracture of unspecified part of neck of right femur",
            false,
            Some("S72.0"),
            n(),
        ),
        entry(
            CM,
            Code,
            "S72.001A",
            "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
            true,
            Some("S72.001"),
            n(),
        ),
        entry(
            CM,
            Code,
            "S72.001D",
            "Fracture of unspecified part of neck of right femur, subsequent encounter for closed fracture with routine healing",
            true,
            Some("S72.001"),
            n(),
        ),
    ]
}

fn pcs_codes() -> Vec<CodeEntry> {
    vec![entry(
        CodeSystem::Icd10Pcs,
        EntryKind::Code,
        "02703ZZ",
        "Dilation of Coronary Artery, One Artery, Percutaneous Approach",
        true,
        None,
        TabularNotes::default(),
    )]
}

fn patient(mrn: &str, name: &str, birth: &str, sex: Sex) -> Patient {
    Patient {
        mrn: mrn.into(),
        name: name.into(),
        birth_date: birth.into(),
        sex,
    }
}

fn encounter(account: &str, mrn: &str, t: EncounterType, dis: &str) -> Encounter {
    Encounter {
        account: account.into(),
        mrn: mrn.into(),
        enc_type: t,
        admit_date: "2025-02-01".into(),
        discharge_date: Some(dis.into()),
        attending: "Dr. Rivera".into(),
        total_charges_cents: 1_234_500,
    }
}

fn note(id: &str, account: &str, kind: &str, at: &str, body: &str) -> Note {
    Note {
        note_id: id.into(),
        account: account.into(),
        note_type: kind.into(),
        author: "Dr. Rivera".into(),
        written_at: at.into(),
        body: body.into(),
    }
}

/// Accounts in the fixture.
pub const INPATIENT: &str = "A10000001";
pub const OUTPATIENT: &str = "A10000002";
pub const HELD_BY_BOB: &str = "A10000003";

/// Builds the data directory in `dir`.
pub fn build(dir: &std::path::Path) -> DataDir {
    let data = DataDir::new(dir);
    let conn = store::open(&data.db_path()).unwrap();
    let at = store::now();
    store::users::upsert(&conn, "tester", Role::Coder, "Test Coder", None, &at).unwrap();
    store::users::upsert(&conn, "bob", Role::Coder, "Bob", None, &at).unwrap();
    let mut nop = |_: usize, _: usize| {};
    store::codes::replace_set(
        &conn,
        CodeSystem::Icd10Cm,
        "T1",
        "test",
        &cm_codes(),
        "tester",
        &at,
        &mut nop,
    )
    .unwrap();
    store::codes::replace_set(
        &conn,
        CodeSystem::Icd10Pcs,
        "T1",
        "test",
        &pcs_codes(),
        "tester",
        &at,
        &mut nop,
    )
    .unwrap();
    for p in [
        patient("M001", "DOE, JANE", "1950-06-15", Sex::Female),
        patient("M002", "ROE, RICHARD", "1978-01-30", Sex::Male),
        patient("M003", "POE, EDGAR", "1960-10-07", Sex::Male),
    ] {
        store::encounters::upsert_patient(&conn, &p).unwrap();
    }
    store::encounters::insert(
        &conn,
        &encounter(INPATIENT, "M001", EncounterType::Inpatient, "2025-02-05"),
    )
    .unwrap();
    store::encounters::insert(
        &conn,
        &encounter(OUTPATIENT, "M002", EncounterType::Outpatient, "2025-02-01"),
    )
    .unwrap();
    let bobs = store::encounters::insert(
        &conn,
        &encounter(HELD_BY_BOB, "M003", EncounterType::Inpatient, "2025-02-03"),
    )
    .unwrap();
    store::encounters::try_claim(&conn, bobs, "bob", &at).unwrap();
    store::encounters::set_status(&conn, bobs, EncounterStatus::InProgress, None).unwrap();
    let long_body: String = (1..=80)
        .map(|i| format!("Line {i}: patient stable, continue diuresis and monitor weight.\n"))
        .collect();
    for n in [
        note(
            "N1",
            INPATIENT,
            "History and Physical",
            "2025-02-01T09:00:00Z",
            "HPI: 74 year old female with acute on chronic systolic heart failure.\nAssessment: CHF exacerbation.",
        ),
        note(
            "N2",
            INPATIENT,
            "Progress Note",
            "2025-02-03T08:30:00Z",
            &long_body,
        ),
        note(
            "N3",
            INPATIENT,
            "Discharge Summary",
            "2025-02-05T15:00:00Z",
            "Discharge diagnoses: acute on chronic systolic CHF; COPD with exacerbation.",
        ),
        note(
            "N4",
            OUTPATIENT,
            "Clinic Note",
            "2025-02-01T10:00:00Z",
            "Hypertension follow-up.",
        ),
        note(
            "N5",
            HELD_BY_BOB,
            "Discharge Summary",
            "2025-02-03T12:00:00Z",
            "Right hip fracture.",
        ),
    ] {
        store::notes::insert(&conn, &n).unwrap();
    }
    data
}

/// An app for `tester` on a fresh fixture, at 80x24, without colour.
pub fn app(dir: &std::path::Path) -> App {
    let data = build(dir);
    let service = Service::open(&data, "tester", &mut |_, _, _| {}).unwrap();
    let mut config = Config::default();
    config.ui.color = crate::config::ColorMode::Never;
    App::new(service, &config)
}

/// Renders `state` at `w`x`h` and returns the screen as lines of text.
pub fn screen(state: &State, w: u16, h: u16) -> Vec<String> {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| crate::tui::render(state, f)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// A workstation at 80x24 (no colour) on a fresh data directory with the built-in code sets and
/// `encounters` demo encounters, as "tester" (an admin).
pub fn demo_app(encounters: usize) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    crate::service::initialize(&data, "tester", Some(encounters), &mut |_, _, _| {}).unwrap();
    let service = Service::open(&data, "tester", &mut |_, _, _| {}).unwrap();
    let mut config = Config::default();
    config.ui.color = crate::config::ColorMode::Never;
    let mut app = App::new(service, &config);
    crate::tui::app::update(&mut app, crate::tui::app::Action::Resize(80, 24));
    (dir, app)
}

/// Presses a plain character key through the key tables.
pub fn key(app: &mut App, c: char) {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    if let Some(a) = crate::tui::keymap::map(
        &app.state,
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
    ) {
        crate::tui::app::update(app, a);
    }
}
