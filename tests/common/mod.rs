//! Shared fixtures: a small hand-built data directory (no ../shared, no built-in assets needed).
#![allow(dead_code)]
pub mod pty;

use chartdesk::domain::*;
use chartdesk::service::{DataDir, Service};
use chartdesk::store;
use tempfile::TempDir;

fn code(code: &str, title: &str, billable: bool, parent: Option<&str>) -> CodeEntry {
    CodeEntry {
        system: CodeSystem::Icd10Cm,
        kind: EntryKind::Code,
        code: code.into(),
        title: title.into(),
        billable,
        parent: parent.map(String::from),
        notes: TabularNotes::default(),
    }
}

pub fn small_code_set() -> Vec<CodeEntry> {
    let mut w06 = code("W06", "Fall from bed", false, Some("W00-W19"));
    w06.notes.seventh_characters = vec![
        ('A', "initial encounter".into()),
        ('D', "subsequent encounter".into()),
        ('S', "sequela".into()),
    ];
    let mut i50 = code("I50", "Heart failure", false, Some("I30-I5A"));
    i50.notes.code_first = vec!["heart failure complicating abortion (O00-O07)".into()];
    vec![
        CodeEntry {
            kind: EntryKind::Chapter,
            ..code(
                "9",
                "Diseases of the circulatory system (I00-I99)",
                false,
                None,
            )
        },
        CodeEntry {
            kind: EntryKind::Section,
            ..code(
                "I30-I5A",
                "Other forms of heart disease (I30-I5A)",
                false,
                Some("9"),
            )
        },
        i50,
        code(
            "I50.2",
            "Systolic (congestive) heart failure",
            false,
            Some("I50"),
        ),
        code(
            "I50.20",
            "Unspecified systolic (congestive) heart failure",
            true,
            Some("I50.2"),
        ),
        code(
            "I50.23",
            "Acute on chronic systolic (congestive) heart failure",
            true,
            Some("I50.2"),
        ),
        code("I50.9", "Heart failure, unspecified", true, Some("I50")),
        code(
            "I10",
            "Essential (primary) hypertension",
            true,
            Some("I10-I1A"),
        ),
        code(
            "E11.9",
            "Type 2 diabetes mellitus without complications",
            true,
            Some("E11"),
        ),
        code(
            "J18.9",
            "Pneumonia, unspecified organism",
            true,
            Some("J18"),
        ),
        w06,
        code(
            "W06.XXXA",
            "Fall from bed, initial encounter",
            true,
            Some("W06"),
        ),
        code(
            "W06.XXXD",
            "Fall from bed, subsequent encounter",
            true,
            Some("W06"),
        ),
        code("W06.XXXS", "Fall from bed, sequela", true, Some("W06")),
    ]
}

pub const ADMIN: &str = "admin";
pub const ALICE: &str = "alice";
pub const BOB: &str = "bob";
pub const CAROL_CDI: &str = "carol";
pub const SAM_SUPERVISOR: &str = "sam";

/// A data directory with users, a small ICD-10-CM set and three encounters:
/// A100 (inpatient), A200 (outpatient), A300 (emergency).
pub fn fixture() -> (TempDir, DataDir) {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path().join("data"));
    std::fs::create_dir_all(&data.root).unwrap();
    let mut conn = store::open(&data.db_path()).unwrap();
    let tx = conn.transaction().unwrap();
    let at = store::now();
    for (login, role) in [
        (ADMIN, Role::Admin),
        (ALICE, Role::Coder),
        (BOB, Role::Coder),
        (CAROL_CDI, Role::Cdi),
        (SAM_SUPERVISOR, Role::Supervisor),
    ] {
        store::users::upsert(&tx, login, role, "", None, &at).unwrap();
    }
    store::codes::replace_set(
        &tx,
        CodeSystem::Icd10Cm,
        "FY2026",
        "fixture",
        &small_code_set(),
        ADMIN,
        &at,
        &mut |_, _| {},
    )
    .unwrap();
    store::encounters::upsert_patient(
        &tx,
        &Patient {
            mrn: "MRN0000001".into(),
            name: "Doe, Jane".into(),
            birth_date: "1950-02-03".into(),
            sex: Sex::Female,
        },
    )
    .unwrap();
    for (acc, t) in [
        ("A100", EncounterType::Inpatient),
        ("A200", EncounterType::Outpatient),
        ("A300", EncounterType::Emergency),
    ] {
        store::encounters::insert(
            &tx,
            &Encounter {
                account: acc.into(),
                mrn: "MRN0000001".into(),
                enc_type: t,
                admit_date: "2026-11-01".into(),
                discharge_date: Some("2026-11-04".into()),
                attending: "Dr. Test".into(),
                total_charges_cents: 1_234_500,
            },
        )
        .unwrap();
        store::notes::insert(
            &tx,
            &Note {
                note_id: format!("N-{acc}"),
                account: acc.into(),
                note_type: "Discharge Summary".into(),
                author: "Dr. Test".into(),
                written_at: "2026-11-04T10:00:00Z".into(),
                body: "Acute on chronic systolic heart failure.".into(),
            },
        )
        .unwrap();
    }
    tx.commit().unwrap();
    (tmp, data)
}

pub fn open_as(data: &DataDir, login: &str) -> Service {
    Service::open(data, login, &mut |_, _, _| {}).unwrap()
}

/// Audit actions recorded for an encounter, oldest first.
pub fn audit_actions(svc: &Service, enc: i64) -> Vec<(String, String)> {
    let mut st = svc
        .connection()
        .prepare("SELECT login, action FROM audit WHERE encounter_id = ?1 ORDER BY id")
        .unwrap();
    st.query_map([enc], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// Gives the OS login running the tests `role` in the fixture (the CLI acts as that login).
pub fn set_my_role(data: &DataDir, role: Role) {
    let me = chartdesk::service::os_login().unwrap();
    let conn = store::open(&data.db_path()).unwrap();
    store::users::upsert(&conn, &me, role, "", None, &store::now()).unwrap();
}

/// Runs the built binary on `data` as the OS login: (exit code, stdout, stderr).
pub fn run_cli(data: &DataDir, args: &[&str]) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(args)
        .env("CHARTDESK_DATA_DIR", &data.root)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", data.root.join("home"))
        .output()
        .expect("run chartdesk");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
