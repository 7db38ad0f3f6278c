//! Start-up does only what the command needs: commands that search no codes open (and build) no
//! index; the code index opens on first use; `reindex --verify` reads it against its checksums.
mod common;

use chartdesk::domain::Role;
use chartdesk::search::CodeQuery;
use chartdesk::service::{DataDir, Service};
use common::*;
use std::path::PathBuf;

/// Index generations present under `index/` ("codes-…", "notes-…").
fn generations(data: &DataDir) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(data.root.join("index")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("codes-") || n.starts_with("notes-"))
        .collect();
    names.sort();
    names
}

fn code_index_dir(data: &DataDir) -> PathBuf {
    let name = std::fs::read_to_string(data.root.join("index").join("CODES")).unwrap();
    data.root.join("index").join(name.trim())
}

#[test]
fn commands_that_search_no_codes_open_no_index() {
    let (_t, data) = fixture();
    set_my_role(&data, Role::Admin);
    for args in [
        &["user", "list"][..],
        &["encounters"],
        &["encounters", "--json"],
        &["code", "I50.9"],
    ] {
        let (code, out, err) = run_cli(&data, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!out.is_empty(), "{args:?} printed nothing");
        assert_eq!(
            generations(&data),
            Vec::<String>::new(),
            "{args:?} built an index"
        );
    }
    // A code search opens (here: builds) the code index, and only that one.
    let (code, out, err) = run_cli(&data, &["search", "codes", "heart", "failure"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("I50"), "{out}");
    let made = generations(&data);
    assert!(made.len() == 1 && made[0].starts_with("codes-"), "{made:?}");
}

#[test]
fn a_lazy_session_opens_the_code_index_on_first_use_from_any_thread() {
    let (_t, data) = fixture();
    let svc = Service::open_lazy(&data, ALICE).unwrap();
    assert_eq!(svc.users().unwrap().len(), 5);
    let handle = svc.code_index();
    assert!(!handle.is_open());
    assert!(generations(&data).is_empty());
    // The search thread's handle opens it with a connection of its own.
    let theirs = handle.clone();
    let hits = std::thread::spawn(move || theirs.search("I50.9", &CodeQuery::default()))
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(hits[0].code, "I50.9");
    assert!(handle.is_open());
    // The session's own searches use the same index.
    let mine = svc
        .search_codes("heart failure", &CodeQuery::default())
        .unwrap();
    assert!(mine.iter().any(|h| h.code.starts_with("I50")));
    assert_eq!(generations(&data).len(), 1);
}

#[test]
fn reindex_verify_reads_the_index_against_its_checksums_and_rebuilds_a_damaged_one() {
    let (_t, data) = fixture();
    set_my_role(&data, Role::Admin);
    let (code, _, err) = run_cli(&data, &["search", "codes", "I50"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run_cli(&data, &["reindex", "--verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified"), "{out}");
    // One flipped byte of the same size passes the open-time checks but not verification.
    let table = code_index_dir(&data).join("table.bin");
    let mut bytes = std::fs::read(&table).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(&table, &bytes).unwrap();
    let (code, out, err) = run_cli(&data, &["reindex", "--verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("damaged") && out.contains("checksum"), "{out}");
    let (code, out, err) = run_cli(&data, &["reindex", "--verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified"), "{out}");
    // Coders may not run it.
    set_my_role(&data, Role::Coder);
    let (code, _, _) = run_cli(&data, &["reindex", "--verify"]);
    assert_eq!(code, 2);
}

/// How many audit rows the database holds.
fn audit_rows(svc: &Service) -> i64 {
    svc.connection()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_idle_refresh_reads_nothing_new_and_audits_nothing_until_someone_commits() {
    use chartdesk::store::encounters::WorklistFilter;
    let (_t, data) = fixture();
    let mut svc = Service::open_lazy(&data, ALICE).unwrap();
    let filter = WorklistFilter::default();
    let shown = svc.worklist(&filter).unwrap();
    assert_eq!(shown.len(), 3);
    let audited = audit_rows(&svc);
    for _ in 0..3 {
        assert_eq!(svc.worklist_if_changed(&filter, &shown).unwrap(), None);
    }
    assert_eq!(
        audit_rows(&svc),
        audited,
        "an unchanged refresh wrote audit rows"
    );
    // Another process commits a new encounter: the next refresh shows it (and audits the view).
    let other = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::encounters::insert(
        &other,
        &chartdesk::domain::Encounter {
            account: "A400".into(),
            mrn: "MRN0000001".into(),
            enc_type: chartdesk::domain::EncounterType::Inpatient,
            admit_date: "2026-11-02".into(),
            discharge_date: Some("2026-11-05".into()),
            attending: "Dr. Test".into(),
            total_charges_cents: 1,
        },
    )
    .unwrap();
    let rows = svc
        .worklist_if_changed(&filter, &shown)
        .unwrap()
        .expect("the new encounter is seen");
    assert_eq!(rows.len(), 4);
    assert!(audit_rows(&svc) > audited);
    // A filter other than the one last compared is read afresh.
    let only_a100 = WorklistFilter {
        limit: Some(1),
        ..Default::default()
    };
    assert!(
        svc.worklist_if_changed(&only_a100, &rows)
            .unwrap()
            .is_some()
    );
}

fn active_sets(data: &DataDir) -> Vec<(String, String)> {
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    let mut st = conn
        .prepare("SELECT system, version FROM code_sets WHERE active ORDER BY system")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn pointer(data: &DataDir) -> String {
    std::fs::read_to_string(data.root.join("index").join("CODES")).unwrap()
}

#[test]
fn a_code_import_killed_mid_build_leaves_the_previous_set_and_index_current() {
    let (_t, data) = fixture();
    set_my_role(&data, Role::Admin);
    let (code, _, err) = run_cli(&data, &["search", "codes", "I50.9"]);
    assert_eq!(code, 0, "{err}");
    let (sets, current) = (active_sets(&data), pointer(&data));
    let release = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/icd10cm/icd10cm-tabular-FY2026-April.xml.gz");
    let args = [
        "import",
        "codes",
        release.to_str().unwrap(),
        "--version",
        "FY2099",
    ];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(args)
        .env("CHARTDESK_DATA_DIR", &data.root)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", data.root.join("home"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Once the release is stored (inactive), its index generation is being built: kill it then.
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    loop {
        let staged: i64 = conn
            .query_row(
                "SELECT count(*) FROM code_sets WHERE version = 'FY2099'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if staged > 0 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it stored the release"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The previous set is still the active one and its index still current: nothing rebuilds.
    assert_eq!(active_sets(&data), sets);
    assert_eq!(pointer(&data), current);
    let (code, out, err) = run_cli(&data, &["search", "codes", "I50.9"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("I50.9"), "{out}");
    assert_eq!(pointer(&data), current, "a start rebuilt the index");
    // Run to the end, the import makes the set and its index current together.
    let (code, out, err) = run_cli(&data, &args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("FY2099"), "{out}");
    assert!(active_sets(&data).contains(&("ICD-10-CM".to_string(), "FY2099".to_string())));
    let moved = pointer(&data);
    assert_ne!(moved, current);
    let (code, out, err) = run_cli(&data, &["search", "codes", "A00.0"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("A00.0"), "{out}");
    assert_eq!(pointer(&data), moved, "the imported index was not current");
}
