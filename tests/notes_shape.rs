//! Importing a file that lacks chartdesk's fields (shaped like mtsamples.csv: no account, MRN, type,
//! author or time) with --map, --set and --map-values; site note types kept as written.
mod common;

use chartdesk::notes::{ImportOptions, ImportReport};
use chartdesk::service::{NoteQuery, Service};
use common::*;
use std::path::{Path, PathBuf};

fn fixture_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/notes")
        .join(name)
}

/// Imports a copy of the samples fixture from a temporary directory (the reject report of
/// --skip-bad is written beside the file, never into the source tree).
fn import(svc: &mut Service, opts: &ImportOptions) -> anyhow::Result<ImportReport> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("samples_like.csv");
    std::fs::copy(fixture_file("samples_like.csv"), &file)?;
    svc.import_notes(&[file], None, opts, None, &mut |_, _, _| {})
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn samples_options() -> ImportOptions {
    ImportOptions {
        skip_bad: true,
        map: strings(&[
            "medical_specialty=note_type",
            "transcription=text",
            "description=",
            "sample_name=",
            "keywords=",
        ]),
        set: strings(&[
            "account=MT-{note_id}",
            "mrn=MT{note_id}",
            "name=Sample, Patient {note_id}",
            "birth_date=1970-01-01",
            "encounter_type=outpatient",
            "admit=2026-11-01",
            "discharge=2026-11-01",
            "author=Transcription sample",
            "written_at=2026-11-01T12:00:00Z",
        ]),
        map_values: vec![("note_type".into(), fixture_file("specialty_types.csv"))],
        ..Default::default()
    }
}

fn note_type(svc: &Service, note_id: &str) -> (String, String) {
    svc.connection()
        .query_row(
            "SELECT n.note_type, e.account FROM notes n JOIN encounters e ON e.id = n.encounter_id
             WHERE n.note_id = ?1",
            [note_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn every_missing_field_is_named_at_once() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let opts = ImportOptions {
        map: strings(&["transcription=text"]),
        ..Default::default()
    };
    let msg = format!("{:#}", import(&mut svc, &opts).unwrap_err());
    for h in [
        "description",
        "medical_specialty",
        "sample_name",
        "keywords",
    ] {
        assert!(msg.contains(&format!("--map '{h}='")), "{h}: {msg}");
    }
    assert!(
        msg.contains("no column for account, mrn, note_type, author, written_at")
            && msg.contains("--set FIELD=VALUE"),
        "{msg}"
    );
    // --set covers a missing column in that check.
    let mut opts = samples_options();
    opts.set.retain(|s| !s.starts_with("author="));
    let msg = format!("{:#}", import(&mut svc, &opts).unwrap_err());
    assert!(msg.contains("no column for author"), "{msg}");
    assert!(!msg.contains("unknown column"), "{msg}");
}

#[test]
fn set_and_map_values_make_a_samples_file_importable() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let r = import(&mut svc, &samples_options()).unwrap();
    let f = &r.files[0];
    assert_eq!((f.added, f.rejected), (3, 1), "{:?}", f.first_rejects);
    assert_eq!(
        f.rejected_by_field.get("text"),
        Some(&1),
        "the empty sample"
    );
    assert_eq!((f.patients_added, f.encounters_added), (3, 3));
    // Mapped specialties take chartdesk's types; an unmapped one is kept as the site wrote it.
    assert_eq!(
        note_type(&svc, "2"),
        ("Operative Report".into(), "MT-2".into())
    );
    assert_eq!(note_type(&svc, "3").0, "Consultation");
    assert_eq!(note_type(&svc, "1").0, "Allergy / Immunology");
    let hits = svc
        .search_notes("loratadine", &NoteQuery::default())
        .unwrap();
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].note_type, "Allergy / Immunology");
    // Importing again changes nothing.
    let again = import(&mut svc, &samples_options()).unwrap();
    assert_eq!((again.files[0].added, again.files[0].unchanged), (0, 3));
}

#[test]
fn set_and_map_values_apply_to_json_lines_too_but_not_fhir() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let file = t.path().join("site.jsonl");
    std::fs::write(
        &file,
        r#"{"note_id":"J-1","account":"A100","mrn":"MRN0000001","note_type":"Wound Care","written_at":"2026-11-02T09:15:00Z","text":"Dressing changed over the sacral wound."}
"#,
    )
    .unwrap();
    let map = t.path().join("types.tsv");
    std::fs::write(&map, "wound care\tNursing Note\n").unwrap();
    let opts = ImportOptions {
        set: strings(&["author=Wound team"]),
        map_values: vec![("note_type".into(), map)],
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
    assert_eq!(r.files[0].added, 1);
    assert_eq!(note_type(&svc, "J-1").0, "Nursing Note");
    let hit = &svc
        .search_notes("sacral", &NoteQuery::default())
        .unwrap()
        .hits[0];
    assert_eq!(hit.author, "Wound team");
    let err = svc
        .import_notes(
            &[file],
            Some(chartdesk::notes::Format::Fhir),
            &opts,
            None,
            &mut |_, _, _| {},
        )
        .unwrap_err();
    assert!(format!("{err:#}").contains("not FHIR"), "{err:#}");
}
