//! Importing notes from JSON lines and CSV: summaries, re-imports, transactions, --skip-bad and
//! reject reports, encodings, truncated files, duplicate ids, unknown note types, roles and audit.
mod common;
#[path = "notes_support.rs"]
mod support;

use chartdesk::notes::{Format, ImportOptions, ImportReport};
use chartdesk::service::{NoteQuery, Service, ServiceError};
use common::*;
use std::path::{Path, PathBuf};
use support::*;

fn fixture_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/notes")
        .join(name)
}

fn import(
    svc: &mut Service,
    files: &[PathBuf],
    opts: &ImportOptions,
) -> anyhow::Result<ImportReport> {
    svc.import_notes(files, None, opts, None, &mut |_, _, _| {})
}

fn plain() -> ImportOptions {
    ImportOptions::default()
}

fn skip_bad() -> ImportOptions {
    ImportOptions {
        skip_bad: true,
        ..Default::default()
    }
}

fn total(svc: &mut Service, q: &str) -> usize {
    svc.search_notes(
        q,
        &NoteQuery {
            limit: 0,
            ..Default::default()
        },
    )
    .unwrap()
    .total
}

fn db_count(svc: &Service, table: &str) -> i64 {
    svc.connection()
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// The index holds exactly the notes the database holds.
fn assert_in_step(svc: &mut Service) {
    let db: Vec<i64> = {
        let mut st = svc
            .connection()
            .prepare("SELECT id FROM notes ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(svc.notes_index_row_ids().unwrap(), db);
}

#[test]
fn jsonl_import_creates_patients_and_encounters_and_is_idempotent() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let file = fixture_file("notes.jsonl");
    let r = import(&mut svc, std::slice::from_ref(&file), &plain()).unwrap();
    let f = &r.files[0];
    assert_eq!((f.added, f.updated, f.unchanged, f.rejected), (4, 0, 0, 0));
    assert_eq!(
        (f.patients_added, f.encounters_added, f.encounters_updated),
        (2, 2, 1)
    );
    assert_eq!(r.notes_read(), 4);
    // Searchable at once, linked to the right encounters, types canonical.
    let hits = svc
        .search_notes("nstemi", &NoteQuery::default())
        .unwrap()
        .hits;
    let got: Vec<(&str, &str, &str)> = hits
        .iter()
        .map(|h| (h.note_id.as_str(), h.account.as_str(), h.note_type.as_str()))
        .collect();
    assert_eq!(got.len(), 2);
    assert!(got.contains(&("J-2", "B500", "History and Physical")));
    assert!(got.contains(&("J-3", "B500", "Discharge Summary")));
    assert_eq!(total(&mut svc, "enc:emergency laceration"), 1);
    let b500 = chartdesk::store::encounters::by_account(svc.connection(), "B500")
        .unwrap()
        .unwrap();
    assert_eq!(b500.discharge_date.as_deref(), Some("2026-11-06"));
    assert_eq!(b500.patient_name, "Roe, Richard");

    // The same file again changes nothing.
    let before = (
        db_count(&svc, "notes"),
        db_count(&svc, "patients"),
        db_count(&svc, "encounters"),
    );
    let r = import(&mut svc, std::slice::from_ref(&file), &plain()).unwrap();
    let f = &r.files[0];
    assert_eq!((f.added, f.updated, f.unchanged, f.rejected), (0, 0, 4, 0));
    assert_eq!(
        (
            f.patients_added,
            f.patients_updated,
            f.encounters_added,
            f.encounters_updated
        ),
        (0, 0, 0, 0)
    );
    let after = (
        db_count(&svc, "notes"),
        db_count(&svc, "patients"),
        db_count(&svc, "encounters"),
    );
    assert_eq!(before, after);
    assert_eq!(total(&mut svc, "nstemi"), 2);
    assert_in_step(&mut svc);

    // A changed note is updated in place, and search follows.
    let tmp = tempfile::tempdir().unwrap();
    let changed = tmp.path().join("changed.jsonl");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Continue ceftriaxone", "Switch to cefepime");
    std::fs::write(&changed, text).unwrap();
    let r = import(&mut svc, &[changed], &plain()).unwrap();
    assert_eq!((r.files[0].updated, r.files[0].unchanged), (1, 3));
    assert_eq!(total(&mut svc, "ceftriaxone"), 0);
    assert_eq!(total(&mut svc, "cefepime"), 1);
    assert_in_step(&mut svc);

    // Every file import is audited with its counts.
    let n: i64 = svc
        .connection()
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'import_notes' AND login = 'admin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 3);
}

#[test]
fn csv_import_with_and_without_a_column_map() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let r = import(&mut svc, &[fixture_file("notes.csv")], &plain()).unwrap();
    assert_eq!(r.files[0].added, 2);
    assert_eq!(total(&mut svc, "\"atrial fibrillation\" type:consult"), 1);

    let mapped = fixture_file("notes_mapped.csv");
    let err = import(&mut svc, std::slice::from_ref(&mapped), &plain()).unwrap_err();
    let msg = format!("{err:#}");
    // Every unknown column at once, each with the --map lines that would fit it.
    for h in [
        "Document ID",
        "Visit",
        "Patient MRN",
        "Doc Type",
        "Signed By",
        "Signed At",
        "Note Text",
        "Facility",
    ] {
        assert!(
            msg.contains(&format!("--map '{h}=FIELD'  or  --map '{h}='")),
            "{h}: {msg}"
        );
    }
    assert!(msg.contains("8 unknown columns"), "{msg}");
    assert!(
        msg.contains("no column for note_id, account, mrn, note_type, author, written_at, text"),
        "{msg}"
    );
    let map: Vec<String> = [
        "Document ID=note_id",
        "Visit=account",
        "Patient MRN=mrn",
        "doc type=note_type",
        "Signed By=author",
        "Signed At=written_at",
        "Note Text=text",
        "Facility=",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let opts = ImportOptions {
        map,
        ..Default::default()
    };
    let r = import(&mut svc, &[mapped], &opts).unwrap();
    assert_eq!(r.files[0].added, 2);
    // Quoted fields keep their quotes and line breaks.
    let hit = &svc
        .search_notes("pneumonia", &NoteQuery::default())
        .unwrap()
        .hits[0];
    assert_eq!(hit.note_id, "C-2");
    let (_, body) = svc.read_note(hit.id).unwrap();
    assert_eq!(body, "Multi-line note:\nline two mentions pneumonia.");
    let h = svc
        .search_notes("hypertension", &NoteQuery::default())
        .unwrap()
        .hits[0]
        .id;
    assert!(
        svc.read_note(h)
            .unwrap()
            .1
            .contains("\"Doing well,\" she says")
    );
    assert_in_step(&mut svc);
}

#[test]
fn a_bad_record_stops_the_file_and_keeps_nothing_from_it() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let notes_before = db_count(&svc, "notes");
    let err = import(&mut svc, &[fixture_file("bad_type.jsonl")], &plain()).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("bad_type.jsonl line 3 (note T-3), field note_type"),
        "{msg}"
    );
    assert!(msg.contains("'***' is not a note type name"), "{msg}");
    assert!(
        msg.contains("nothing from") && msg.contains("--skip-bad"),
        "{msg}"
    );
    assert_eq!(db_count(&svc, "notes"), notes_before);
    assert_eq!(
        total(&mut svc, "gout"),
        0,
        "nothing reached the index either"
    );
    assert_in_step(&mut svc);
    let audits: i64 = svc
        .connection()
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'import_notes'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audits, 0);
}

#[test]
fn skip_bad_keeps_good_records_and_writes_a_reject_report() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let file = t.path().join("bad_type.jsonl");
    std::fs::copy(fixture_file("bad_type.jsonl"), &file).unwrap();
    let r = import(&mut svc, std::slice::from_ref(&file), &skip_bad()).unwrap();
    let f = &r.files[0];
    assert_eq!((f.added, f.rejected), (3, 3));
    assert_eq!(f.rejected_by_field.get("note_type"), Some(&1));
    assert_eq!(f.rejected_by_field.get("written_at"), Some(&1));
    assert_eq!(f.rejected_by_field.get("account"), Some(&1));
    assert_eq!(total(&mut svc, "gout"), 3);
    let report = f.reject_report.clone().unwrap();
    assert_eq!(
        PathBuf::from(&report),
        t.path().join("bad_type.jsonl.rejects.jsonl")
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(u64, &str, &str)> = lines
        .iter()
        .map(|v| {
            (
                v["line"].as_u64().unwrap(),
                v["note_id"].as_str().unwrap(),
                v["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (3, "T-3", "note_type"),
            (4, "T-4", "written_at"),
            (5, "T-5", "account")
        ]
    );
    assert!(
        lines[2]["reason"]
            .as_str()
            .unwrap()
            .contains("no encounter with account Z999")
    );
    assert_in_step(&mut svc);
}

#[test]
fn duplicate_ids_in_one_file_are_rejected() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let file = t.path().join("duplicate_ids.jsonl");
    std::fs::copy(fixture_file("duplicate_ids.jsonl"), &file).unwrap();
    let err = import(&mut svc, std::slice::from_ref(&file), &plain()).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("duplicate_ids.jsonl line 3 (note D-1), field note_id"),
        "{msg}"
    );
    assert!(msg.contains("first at") && msg.contains("line 1"), "{msg}");
    assert_eq!(total(&mut svc, "gout"), 0);
    let r = import(&mut svc, &[file], &skip_bad()).unwrap();
    assert_eq!((r.files[0].added, r.files[0].rejected), (2, 1));
    assert_eq!(total(&mut svc, "\"first version\""), 1);
    assert_eq!(total(&mut svc, "\"second version\""), 0);
}

fn good_line(id: &str) -> String {
    format!(
        r#"{{"note_id":"{id}","account":"A100","mrn":"MRN0000001","note_type":"Progress Note","author":"Dr. A","written_at":"2026-11-02T09:15:00Z","text":"Hyperkalemia treated."}}"#
    )
}

#[test]
fn wrong_encodings_are_refused_with_the_line() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    // Windows-1252 text (é as one byte) on line 2.
    let latin = t.path().join("latin1.jsonl");
    let mut bytes = format!("{}\n", good_line("E-1")).into_bytes();
    bytes.extend_from_slice(
        good_line("E-2")
            .replace("Hyperkalemia", "Caf\u{e9}")
            .as_bytes(),
    );
    let pos = bytes.windows(2).position(|w| w == "é".as_bytes()).unwrap();
    bytes.splice(pos..pos + 2, [0xE9u8]);
    bytes.push(b'\n');
    std::fs::write(&latin, &bytes).unwrap();
    let msg = format!(
        "{:#}",
        import(&mut svc, std::slice::from_ref(&latin), &plain()).unwrap_err()
    );
    assert!(
        msg.contains("latin1.jsonl line 2") && msg.contains("not UTF-8"),
        "{msg}"
    );
    assert_eq!(total(&mut svc, "hyperkalemia"), 0);

    // UTF-16 with a byte-order mark.
    let utf16 = t.path().join("utf16.jsonl");
    let mut b = vec![0xFF, 0xFE];
    for u in good_line("E-3").encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(&utf16, b).unwrap();
    let msg = format!("{:#}", import(&mut svc, &[utf16], &plain()).unwrap_err());
    assert!(msg.contains("UTF-16"), "{msg}");

    // A UTF-8 byte-order mark is fine; so is CRLF.
    let bom = t.path().join("bom.jsonl");
    std::fs::write(
        &bom,
        format!("\u{feff}{}\r\n{}\r\n", good_line("E-4"), good_line("E-5")),
    )
    .unwrap();
    let r = import(&mut svc, &[bom], &plain()).unwrap();
    assert_eq!(r.files[0].added, 2);
}

#[test]
fn truncated_files_are_refused() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let cut = t.path().join("cut.jsonl");
    let full = format!("{}\n{}\n", good_line("X-1"), good_line("X-2"));
    std::fs::write(&cut, &full[..full.len() - 25]).unwrap();
    let msg = format!(
        "{:#}",
        import(&mut svc, std::slice::from_ref(&cut), &plain()).unwrap_err()
    );
    assert!(
        msg.contains("cut.jsonl line 2") && msg.contains("truncated"),
        "{msg}"
    );
    assert_eq!(total(&mut svc, "hyperkalemia"), 0);

    let csv = t.path().join("cut.csv");
    std::fs::write(
        &csv,
        "note_id,account,mrn,note_type,author,written_at,text\n\
         X-3,A100,MRN0000001,Progress Note,Dr. A,2026-11-02T09:15:00Z,\"Hyperkalemia, treated.\"\n\
         X-4,A100,MRN0000001,Progress Note,Dr. A,2026-11-02T09:15:00Z,\"Hyperkalemia, and then the file stops mid",
    )
    .unwrap();
    let msg = format!("{:#}", import(&mut svc, &[csv], &plain()).unwrap_err());
    assert!(
        msg.contains("cut.csv line 3") && msg.contains("truncated"),
        "{msg}"
    );

    let gz = t.path().join("cut.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        std::io::Write::write_all(
            &mut enc,
            format!("{}\n", good_line(&format!("Z-{i}"))).as_bytes(),
        )
        .unwrap();
    }
    let packed = enc.finish().unwrap();
    std::fs::write(&gz, &packed[..packed.len() / 2]).unwrap();
    let msg = format!("{:#}", import(&mut svc, &[gz], &plain()).unwrap_err());
    assert!(
        msg.contains("cut.jsonl.gz") && msg.contains("cut short"),
        "{msg}"
    );
    assert_eq!(total(&mut svc, "hyperkalemia"), 0);
    assert_in_step(&mut svc);
}

#[test]
fn gzip_files_and_note_type_aliases_are_accepted() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let gz = t.path().join("ok.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for (i, ty) in [
        "h&p",
        "DS",
        "op note",
        "Radiology",
        "nursing note",
        "ED NOTE",
    ]
    .iter()
    .enumerate()
    {
        let line = good_line(&format!("G-{i}")).replace("Progress Note", ty);
        std::io::Write::write_all(&mut enc, format!("{line}\n").as_bytes()).unwrap();
    }
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let r = import(&mut svc, &[gz], &plain()).unwrap();
    assert_eq!(r.files[0].added, 6);
    assert_eq!(total(&mut svc, "type:radiology"), 1);
    assert_eq!(total(&mut svc, "type:operative"), 1);
    assert_eq!(total(&mut svc, "type:nursing"), 1);
}

#[test]
fn importing_needs_an_admin() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ALICE);
    let err = import(&mut svc, &[fixture_file("notes.jsonl")], &plain()).unwrap_err();
    let se = err
        .chain()
        .find_map(|c| c.downcast_ref::<ServiceError>())
        .unwrap();
    assert!(matches!(se, ServiceError::Forbidden { .. }), "{se}");
    assert_eq!(total(&mut svc, "nstemi"), 0);
}

#[test]
fn generated_notes_round_trip_through_jsonl_in_step_with_the_index() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let file = t.path().join("gen.jsonl");
    let mut text = String::new();
    for n in notes(800, 11) {
        let mut v = serde_json::to_value(&n).unwrap();
        let o = v.as_object_mut().unwrap();
        let body = o.remove("body").unwrap();
        o.insert("text".into(), body);
        o.insert("mrn".into(), "MRN0000001".into());
        text.push_str(&serde_json::to_string(&v).unwrap());
        text.push('\n');
    }
    std::fs::write(&file, text).unwrap();
    let r = svc
        .import_notes(
            std::slice::from_ref(&file),
            Some(Format::Jsonl),
            &plain(),
            None,
            &mut |_, _, _| {},
        )
        .unwrap();
    assert_eq!(r.files[0].added, 800);
    assert_in_step(&mut svc);
    let bodies = all_bodies(&data.db_path());
    let expect = bodies
        .iter()
        .filter(|(_, b)| brute_phrase(b, &["e", "coli"]))
        .count();
    assert_eq!(total(&mut svc, "\"e coli\""), expect);
}

#[test]
fn a_rejected_record_leaves_no_patient_behind() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let name_of = |svc: &Service, mrn: &str| -> Option<String> {
        svc.connection()
            .query_row("SELECT name FROM patients WHERE mrn = ?1", [mrn], |r| {
                r.get(0)
            })
            .ok()
    };
    let before = (db_count(&svc, "patients"), db_count(&svc, "encounters"));
    let old_name = name_of(&svc, "MRN0000001").unwrap();
    let line = |id: &str, account: &str, mrn: &str, name: &str| {
        format!(
            r#"{{"note_id":"{id}","account":"{account}","mrn":"{mrn}","note_type":"Progress Note","author":"Dr. A","written_at":"2026-11-02T09:15:00Z","text":"Gout flare.","name":"{name}","birth_date":"1970-01-01","sex":"F"}}"#
        )
    };
    let file = t.path().join("rejects_after_patient.jsonl");
    let lines = [
        // A new patient, and an encounter that does not exist.
        line("R-1", "Z999", "MRN-NEW-1", "New, One"),
        // A new patient, and an encounter of another patient.
        line("R-2", "A100", "MRN-NEW-2", "New, Two"),
        // A known patient renamed, and an encounter that does not exist.
        line("R-3", "Z998", "MRN0000001", "Renamed, Should Not Be"),
        good_line("R-4"),
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let r = import(&mut svc, &[file], &skip_bad()).unwrap();
    let f = &r.files[0];
    assert_eq!((f.added, f.rejected), (1, 3));
    assert_eq!(f.rejected_by_field.get("account"), Some(&2));
    assert_eq!(f.rejected_by_field.get("mrn"), Some(&1));
    assert_eq!((f.patients_added, f.patients_updated), (0, 0));
    assert_eq!(
        (db_count(&svc, "patients"), db_count(&svc, "encounters")),
        before
    );
    assert_eq!(name_of(&svc, "MRN-NEW-1"), None);
    assert_eq!(name_of(&svc, "MRN-NEW-2"), None);
    assert_eq!(name_of(&svc, "MRN0000001").unwrap(), old_name);
    assert_eq!(total(&mut svc, "gout"), 0);
    assert_eq!(total(&mut svc, "hyperkalemia"), 1);
    assert_in_step(&mut svc);
}
