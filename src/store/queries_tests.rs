//! Store-level checks of queries: seeded templates, indicators cut in characters, migrations.
use super::*;
use crate::domain::{Encounter, Note, Patient, Sex};
use crate::store;

fn db() -> (Connection, i64, i64) {
    let conn = store::open_in_memory().unwrap();
    store::encounters::upsert_patient(
        &conn,
        &Patient {
            mrn: "M1".into(),
            name: "Doe, Jo".into(),
            birth_date: "1960-01-01".into(),
            sex: Sex::Male,
        },
    )
    .unwrap();
    let enc = store::encounters::insert(
        &conn,
        &Encounter {
            account: "E1".into(),
            mrn: "M1".into(),
            enc_type: EncounterType::Inpatient,
            admit_date: "2026-01-01".into(),
            discharge_date: Some("2026-01-05".into()),
            attending: "Dr. A".into(),
            total_charges_cents: 0,
        },
    )
    .unwrap();
    let note = store::notes::insert(
        &conn,
        &Note {
            note_id: "N1".into(),
            account: "E1".into(),
            note_type: "H&P".into(),
            author: "Dr. A".into(),
            written_at: "2026-01-01T08:00:00Z".into(),
            body: "Café: BNP 1250, LVEF 25%.".into(),
        },
    )
    .unwrap();
    (conn, enc, note)
}

#[test]
fn templates_are_seeded_and_editable() {
    let (conn, ..) = db();
    let all = templates(&conn).unwrap();
    assert_eq!(all.len(), 8);
    let hf = template(&conn, "heart_failure").unwrap().unwrap();
    assert_eq!(hf.query_type, QueryType::MultipleChoice);
    assert_eq!(hf.options.len(), 7);
    assert!(hf.look_for.iter().any(|l| l.contains("BNP")));
    let poa = template(&conn, "poa").unwrap().unwrap();
    assert_eq!(poa.purpose, Some(YesNoPurpose::Poa));
    let mut t = hf.clone();
    t.title = "HF".into();
    assert!(!save_template(&conn, &t, "sam", "2026-02-01T00:00:00Z").unwrap());
    assert_eq!(
        template(&conn, "heart_failure").unwrap().unwrap().title,
        "HF"
    );
    t.name = "new_one".into();
    assert!(save_template(&conn, &t, "sam", "2026-02-01T00:00:00Z").unwrap());
}

#[test]
fn indicators_are_cut_in_characters() {
    let (conn, enc, note) = db();
    let id = insert(
        &conn,
        &NewQuery {
            encounter_id: enc,
            query_type: QueryType::MultipleChoice,
            purpose: None,
            provider: "Dr. A",
            question: "Q",
            template: None,
            created_by: "carol",
            created_at: "2026-01-06T00:00:00Z",
        },
    )
    .unwrap();
    assert_eq!(note_span(&conn, note).unwrap(), Some((enc, 25)));
    // "BNP 1250" starts at character 6 (the é is one character, two bytes).
    let ind = insert_indicator(&conn, id, note, 6, 14, "carol", "t").unwrap();
    assert!(ind.is_some());
    assert_eq!(
        insert_indicator(&conn, id, 999, 0, 1, "carol", "t").unwrap(),
        None
    );
    let all = indicators(&conn, id).unwrap();
    assert_eq!(all[0].quote, "BNP 1250");
    assert_eq!(
        (all[0].note_id.as_str(), all[0].author.as_str()),
        ("N1", "Dr. A")
    );
    assert!(delete_indicator(&conn, id, all[0].id).unwrap());
    assert!(!delete_indicator(&conn, id, all[0].id).unwrap());
    set_options(&conn, id, &["a".into(), "b".into()]).unwrap();
    set_options(&conn, id, &["c".into()]).unwrap();
    assert_eq!(options(&conn, id).unwrap(), ["c"]);
    let q = get(&conn, id).unwrap().unwrap();
    assert_eq!((q.status, q.account.as_str()), (QueryStatus::Draft, "E1"));
}

#[test]
fn migrating_twice_is_a_no_op() {
    let mut conn = store::open_in_memory().unwrap();
    store::migrations::migrate(&mut conn).unwrap();
    assert_eq!(templates(&conn).unwrap().len(), 8);
}

#[test]
fn step_4_applies_to_a_database_with_data() {
    let (conn, enc, _) = db();
    // Back to the schema before queries, keeping the encounter data; then step 4 alone (later
    // steps belong to others and are not re-run here).
    conn.execute_batch(
        "DROP TABLE query_code_changes; DROP TABLE query_events; DROP TABLE query_indicators;
         DROP TABLE query_options; DROP TABLE query_templates; DROP TABLE queries;",
    )
    .unwrap();
    conn.execute_batch(include_str!("migrations/004_queries.sql"))
        .unwrap();
    assert_eq!(templates(&conn).unwrap().len(), 8);
    assert!(store::encounters::by_id(&conn, enc).unwrap().is_some());
}
