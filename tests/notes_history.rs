//! `--historical-before`: encounters an import adds that were discharged before the day come in as
//! closed history: their notes are searchable, but they are on no worklist and not in the backlog.
mod common;

use chartdesk::notes::ImportOptions;
use chartdesk::service::{NoteQuery, Service};
use chartdesk::store::encounters::WorklistFilter;
use common::*;

fn line(id: &str, account: &str, discharge: &str, word: &str) -> String {
    format!(
        r#"{{"note_id":"{id}","account":"{account}","mrn":"MRN0000001","note_type":"Discharge Summary","author":"Dr. A","written_at":"{discharge}T12:00:00Z","text":"Discharged after {word}.","encounter_type":"inpatient","admit":"{discharge}","discharge":"{discharge}"}}"#
    )
}

fn accounts(svc: &mut Service, include_history: bool) -> Vec<String> {
    let f = WorklistFilter {
        include_history,
        ..Default::default()
    };
    svc.worklist(&f)
        .unwrap()
        .into_iter()
        .map(|e| e.account)
        .collect()
}

#[test]
fn old_discharges_come_in_as_history_and_stay_searchable() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let file = t.path().join("mixed.jsonl");
    std::fs::write(
        &file,
        [
            line("H-1", "OLD-1", "1998-04-02", "cholecystectomy"),
            line("H-2", "NEW-1", "2026-11-30", "appendectomy"),
            // A note for an encounter that was work before the import stays work.
            line("H-3", "A100", "2001-01-01", "pyelonephritis"),
        ]
        .join("\n"),
    )
    .unwrap();
    let before = chrono::NaiveDate::from_ymd_opt(2026, 1, 1);
    let opts = ImportOptions {
        historical_before: before,
        ..Default::default()
    };
    let r = svc
        .import_notes(
            std::slice::from_ref(&file),
            None,
            &opts,
            None,
            &mut |_, _, _| {},
        )
        .unwrap();
    assert_eq!(r.historical_before.as_deref(), Some("2026-01-01"));
    assert_eq!(
        (
            r.files[0].encounters_added,
            r.files[0].encounters_historical
        ),
        (2, 1)
    );
    let work = accounts(&mut svc, false);
    assert!(work.contains(&"NEW-1".to_string()) && work.contains(&"A100".to_string()));
    assert!(!work.contains(&"OLD-1".to_string()), "{work:?}");
    assert!(accounts(&mut svc, true).contains(&"OLD-1".to_string()));
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    let backlog = svc.report_backlog(as_of).unwrap();
    assert!(
        backlog.oldest.iter().all(|b| b.account != "OLD-1"),
        "{:?}",
        backlog.oldest
    );
    let hits = svc
        .search_notes("cholecystectomy", &NoteQuery::default())
        .unwrap();
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].account, "OLD-1");
    let audit: String = svc
        .connection()
        .query_row(
            "SELECT detail FROM audit WHERE action = 'import_notes' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(audit.contains("(1 as closed history)"), "{audit}");

    // Without a day nothing is history.
    let other = t.path().join("other.jsonl");
    std::fs::write(&other, line("H-4", "OLD-2", "1999-01-01", "gout")).unwrap();
    let r = svc
        .import_notes(
            &[other],
            None,
            &ImportOptions::default(),
            None,
            &mut |_, _, _| {},
        )
        .unwrap();
    assert_eq!(r.files[0].encounters_historical, 0);
    assert!(accounts(&mut svc, false).contains(&"OLD-2".to_string()));
}
