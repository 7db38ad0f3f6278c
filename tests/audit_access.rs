//! Issue 10, items 6-8 through the service: who saw a patient (views of several patients name
//! them all), refusals and failed pins audited, an idle queue refresh silent, anchors and verify.
mod common;
use chartdesk::domain::{Encounter, EncounterType, Note, Patient, QueryType, Sex};
use chartdesk::service::{QueryDraftInput, QueryFilter, ServiceError};
use chartdesk::store;
use common::*;

/// The fixture plus a second patient whose note also mentions heart failure.
fn two_patients() -> (tempfile::TempDir, chartdesk::service::DataDir) {
    let (t, data) = fixture();
    let mut conn = store::open(&data.db_path()).unwrap();
    let tx = conn.transaction().unwrap();
    store::encounters::upsert_patient(
        &tx,
        &Patient {
            mrn: "MRN0000002".into(),
            name: "Roe, Richard".into(),
            birth_date: "1960-05-06".into(),
            sex: Sex::Male,
        },
    )
    .unwrap();
    store::encounters::insert(
        &tx,
        &Encounter {
            account: "B100".into(),
            mrn: "MRN0000002".into(),
            enc_type: EncounterType::Inpatient,
            admit_date: "2026-11-01".into(),
            discharge_date: Some("2026-11-03".into()),
            attending: "Dr. Test".into(),
            total_charges_cents: 1000,
        },
    )
    .unwrap();
    store::notes::insert(
        &tx,
        &Note {
            note_id: "N-B100".into(),
            account: "B100".into(),
            note_type: "Progress Note".into(),
            author: "Dr. Test".into(),
            written_at: "2026-11-02T10:00:00Z".into(),
            body: "Chronic systolic heart failure, stable.".into(),
        },
    )
    .unwrap();
    tx.commit().unwrap();
    (t, data)
}

fn actions(rows: &[chartdesk::service::AccessRow]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| (r.row.login.clone(), r.row.action.clone()))
        .collect()
}

fn count(svc: &chartdesk::service::Service, sql: &str) -> i64 {
    svc.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn service_error(e: &anyhow::Error) -> &ServiceError {
    e.chain()
        .find_map(|c| c.downcast_ref::<ServiceError>())
        .unwrap_or_else(|| panic!("not a ServiceError: {e:#}"))
}

#[test]
fn the_access_report_names_every_view_of_the_patient_and_only_theirs() {
    let (_t, data) = two_patients();
    let mut alice = open_as(&data, ALICE);
    alice.set_client(Some("192.0.2.10 50022".into()));
    let hits = alice
        .search_notes("heart failure", &Default::default())
        .unwrap();
    assert!(hits.hits.iter().any(|h| h.account == "B100"));
    assert!(hits.hits.iter().any(|h| h.account == "A100"));
    alice.worklist(&Default::default()).unwrap();
    alice.open_encounter("A100").unwrap();
    drop(alice);

    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let jane = sam.access_report("MRN0000001", None, None).unwrap();
    let got = actions(&jane);
    for a in ["search_notes", "list_encounters", "open_encounter"] {
        assert!(
            got.contains(&(ALICE.into(), a.into())),
            "{a} missing: {got:?}"
        );
    }
    assert!(
        jane.iter()
            .filter(|r| r.row.login == ALICE)
            .all(|r| r.row.client.as_deref() == Some("192.0.2.10 50022"))
    );
    let richard = sam.access_report("MRN0000002", None, None).unwrap();
    let got = actions(&richard);
    assert!(
        got.contains(&(ALICE.into(), "search_notes".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&(ALICE.into(), "list_encounters".into())),
        "{got:?}"
    );
    assert!(
        !richard.iter().any(|r| r.account.as_deref() == Some("A100")),
        "{got:?}"
    );
    // Outside the period: nothing. The report itself is audited (and shows up next time).
    assert!(
        sam.access_report("MRN0000002", Some("2001-01-01"), Some("2001-12-31"))
            .unwrap()
            .is_empty()
    );
    let again = sam.access_report("MRN0000002", None, None).unwrap();
    assert!(actions(&again).contains(&(SAM_SUPERVISOR.into(), "access_report".into())));
    let e = sam.access_report("MRN9999999", None, None).unwrap_err();
    assert!(format!("{e:#}").contains("no patient with MRN"), "{e:#}");
    let e = sam
        .access_report("MRN0000002", Some("yesterday"), None)
        .unwrap_err();
    assert!(format!("{e:#}").contains("YYYY-MM-DD"), "{e:#}");
}

#[test]
fn refusals_are_audited_after_the_rollback() {
    let (_t, data) = fixture();
    let mut alice = open_as(&data, ALICE);
    let e = alice.access_report("MRN0000001", None, None).unwrap_err();
    assert!(matches!(service_error(&e), ServiceError::Forbidden { .. }));
    assert!(alice.verify_audit(None).is_err());
    // A claim held by another coder.
    let enc = alice.open_encounter("A100").unwrap().encounter.id;
    let mut bob = open_as(&data, BOB);
    let e = bob
        .assign(enc, chartdesk::domain::CodeSystem::Icd10Cm, "I10")
        .unwrap_err();
    assert!(matches!(service_error(&e), ServiceError::ClaimedBy { .. }));
    assert!(chartdesk::service::Service::open(&data, "mallory", &mut |_, _, _| {}).is_err());
    let refused: Vec<(String, String)> = {
        let mut st = bob
            .connection()
            .prepare("SELECT login, object FROM audit WHERE action = 'refused' ORDER BY id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let want: Vec<(String, String)> = [
        (ALICE, "forbidden"),
        (ALICE, "forbidden"),
        (BOB, "claimed_by"),
        ("mallory", "unknown_user"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(refused, want);
    // Bob's failed assignment left no code behind.
    assert_eq!(
        count(&bob, "SELECT COUNT(*) FROM assignments WHERE code = 'I10'"),
        0
    );
}

#[test]
fn a_failed_pin_is_audited_and_an_idle_queue_refresh_writes_nothing() {
    let (_t, data) = fixture();
    let mut carol = open_as(&data, CAROL_CDI);
    let enc = carol.open_encounter("A100").unwrap().encounter.id;
    let id = carol
        .create_draft(enc, &QueryDraftInput::new(QueryType::OpenEnded, "", ""))
        .unwrap();
    assert!(carol.pin_quote(id, "N-A100", "cocaine use").is_err());
    let detail: String = carol
        .connection()
        .query_row(
            "SELECT detail FROM audit WHERE action = 'pin_failed' AND encounter_id = ?1",
            [enc],
            |r| r.get(0),
        )
        .unwrap();
    assert!(detail.contains("cocaine use"), "{detail}");

    let listed = |c: &chartdesk::service::Service| {
        count(
            c,
            "SELECT COUNT(*) FROM audit WHERE action = 'list_queries'",
        )
    };
    let f = QueryFilter::default();
    carol.list_queries(&f).unwrap();
    let before = listed(&carol);
    for _ in 0..3 {
        carol.refresh_queries(&f).unwrap();
    }
    assert_eq!(
        listed(&carol),
        before,
        "an unchanged queue was audited again"
    );
    carol
        .create_draft(enc, &QueryDraftInput::new(QueryType::OpenEnded, "", ""))
        .unwrap();
    let rows = carol.refresh_queries(&f).unwrap();
    assert_eq!(
        listed(&carol),
        before + 1,
        "a changed queue must be audited"
    );
    let subjects = count(
        &carol,
        "SELECT COUNT(*) FROM audit_subjects WHERE audit_id = (SELECT MAX(id) FROM audit \
         WHERE action = 'list_queries')",
    );
    assert_eq!(subjects, 1, "{} rows, all on one encounter", rows.len());
}

#[test]
fn anchors_are_written_at_session_end_and_catch_a_rewritten_chain() {
    let (_t, data) = fixture();
    let mut alice = open_as(&data, ALICE);
    alice.worklist(&Default::default()).unwrap();
    let anchors = alice.anchors_path();
    drop(alice);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&anchors).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let lines = chartdesk::service::read_anchors(&anchors).unwrap();
    assert!(!lines.is_empty());

    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let r = sam.verify_audit(Some(&anchors)).unwrap();
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.anchors_checked, lines.len());

    // Whoever can write the database rewrites the first row and recomputes the whole chain.
    let conn = store::open(&data.db_path()).unwrap();
    conn.execute("UPDATE audit SET login = 'nobody' WHERE id = 1", [])
        .unwrap();
    conn.execute("UPDATE audit SET hash = NULL", []).unwrap();
    store::audit::chain_unchained(&conn).unwrap();
    let r = sam.verify_audit(None).unwrap();
    assert!(
        r.ok(),
        "the rewritten chain is consistent on its own: {r:?}"
    );
    let r = sam.verify_audit(Some(&anchors)).unwrap();
    assert!(!r.ok());
    let p = r.anchor_problem.unwrap();
    assert!(p.contains("rewritten"), "{p}");
}

#[test]
fn deleting_the_newest_rows_is_caught_by_an_anchor() {
    let (_t, data) = fixture();
    let mut alice = open_as(&data, ALICE);
    alice.worklist(&Default::default()).unwrap();
    alice.worklist(&Default::default()).unwrap();
    let anchors = alice.anchors_path();
    drop(alice);
    // A chain cut short is still a good chain; only the anchor knows it was longer.
    let conn = store::open(&data.db_path()).unwrap();
    conn.execute("DELETE FROM audit_subjects WHERE audit_id > 1", [])
        .unwrap();
    conn.execute("DELETE FROM audit WHERE id > 1", []).unwrap();
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let r = sam.verify_audit(Some(&anchors)).unwrap();
    assert_eq!(r.chain.first_break, None);
    let p = r.anchor_problem.unwrap();
    assert!(p.contains("row 2 named by the anchor on line 1"), "{p}");
    assert!(p.contains("missing"), "{p}");
}

fn cli(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(args)
        .env("CHARTDESK_DATA_DIR", data)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", data.join("home"))
        .output()
        .unwrap()
}

#[test]
fn cli_verify_exits_1_naming_the_row_and_the_report_is_sanitised() {
    // The OS login running the tests becomes the admin of a fresh data directory.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = cli(&data, &["init", "--demo", "--encounters", "6"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = cli(&data, &["encounters", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = cli(&data, &["audit", "verify"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.starts_with("audit chain good:"), "{out}");

    let conn = store::open(&data.join("chartdesk.db")).unwrap();
    let mrn: String = conn
        .query_row("SELECT mrn FROM patients ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let pid: i64 = conn
        .query_row("SELECT id FROM patients WHERE mrn = ?1", [&mrn], |r| {
            r.get(0)
        })
        .unwrap();
    // A row with a terminal escape in it, written outside chartdesk (so also a broken chain).
    conn.execute(
        "INSERT INTO audit (at, login, action, patient_id, detail, hash)
         VALUES ('2026-12-01T00:00:00.000Z', 'x', 'view', ?1, 'evil\x1b[2J', 'bad')",
        [pid],
    )
    .unwrap();
    let bad: i64 = conn
        .query_row("SELECT MAX(id) FROM audit", [], |r| r.get(0))
        .unwrap();
    let o = cli(&data, &["audit", "--patient", &mrn, "--format", "csv"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.starts_with("id,at,login,action,account"), "{out}");
    assert!(out.contains("evil^[[2J") && !out.contains('\x1b'), "{out}");
    let o = cli(&data, &["audit", "--patient", &mrn]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("evil^[[2J") && !out.contains('\x1b'), "{out}");

    let o = cli(&data, &["audit", "verify", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["first_break"]["id"], bad);
    let o = cli(&data, &["audit", "verify"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains(&format!("BROKEN at row {bad}")), "{out}");
}

#[test]
fn anchors_are_written_every_n_rows_to_the_configured_file() {
    let (t, data) = fixture();
    let file = t.path().join("elsewhere-anchors");
    let mut alice = open_as(&data, ALICE);
    alice.set_audit_config(chartdesk::config::AuditConfig {
        anchor_every: 3,
        anchors_file: Some(file.clone()),
        syslog: false,
    });
    for _ in 0..7 {
        alice.worklist(&Default::default()).unwrap();
    }
    let ids = |f: &std::path::Path| -> Vec<i64> {
        chartdesk::service::read_anchors(f)
            .unwrap()
            .into_iter()
            .map(|(_, a)| a.id)
            .collect()
    };
    assert_eq!(ids(&file), [3, 6]);
    drop(alice);
    assert_eq!(ids(&file), [3, 6, 7]);
    assert!(!data.root.join("audit-anchors").exists());
    std::fs::write(&file, "{\"id\": 1}\n").unwrap();
    let e = chartdesk::service::read_anchors(&file).unwrap_err();
    assert!(format!("{e:#}").contains("line 1"), "{e:#}");
}

#[test]
fn writers_in_several_processes_keep_one_chain() {
    let (_t, data) = fixture();
    let threads: Vec<_> = [ALICE, BOB, CAROL_CDI]
        .into_iter()
        .map(|login| {
            let data = data.clone();
            std::thread::spawn(move || {
                let mut svc = open_as(&data, login);
                svc.set_client(Some(format!("192.0.2.1 {}", login.len())));
                for _ in 0..30 {
                    svc.worklist(&Default::default()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let r = sam.verify_audit(None).unwrap();
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.chain.rows, 90);
}
