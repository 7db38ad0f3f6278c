//! FHIR R4 import: bulk-export NDJSON in any file order, Bundles with urn:uuid references, base64
//! text/plain and text/html attachments, Binary references, character sets, bad documents.
mod common;

use chartdesk::notes::{Format, ImportOptions, ImportReport};
use chartdesk::service::{NoteQuery, Service};
use chartdesk::store;
use common::*;
use std::path::{Path, PathBuf};

fn fhir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/notes/fhir")
        .join(name)
}

fn import(svc: &mut Service, files: &[PathBuf], skip_bad: bool) -> anyhow::Result<ImportReport> {
    let opts = ImportOptions {
        skip_bad,
        ..Default::default()
    };
    svc.import_notes(files, Some(Format::Fhir), &opts, None, &mut |_, _, _| {})
}

fn body_of(svc: &mut Service, note_id: &str) -> (String, String, String) {
    let (id, t, acc): (i64, String, String) = svc
        .connection()
        .query_row(
            "SELECT n.id, n.note_type, e.account FROM notes n JOIN encounters e ON e.id = n.encounter_id
             WHERE n.note_id = ?1",
            [note_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    (svc.read_note(id).unwrap().1, t, acc)
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

#[test]
fn a_bulk_export_arrives_linked_whatever_the_file_order() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    // Documents first, patients last, plus a resource type chartdesk skips.
    let files = [
        "DocumentReference.ndjson",
        "Condition.ndjson",
        "Encounter.ndjson",
        "Binary.ndjson",
        "Patient.ndjson",
    ]
    .map(fhir);
    let r = import(&mut svc, &files, false).unwrap();
    assert_eq!(r.files.len(), 1);
    let f = &r.files[0];
    assert_eq!(f.file, "FHIR export (5 files)");
    assert_eq!((f.added, f.rejected, f.skipped), (4, 0, 2), "{f:?}");
    assert_eq!((f.patients_added, f.encounters_added), (2, 3));

    let conn = svc.connection();
    let e1 = store::encounters::by_account(conn, "enc-1")
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            e1.mrn.as_str(),
            e1.patient_name.as_str(),
            e1.enc_type.as_str()
        ),
        ("MRN7001", "Rivera, Ana Maria", "inpatient")
    );
    assert_eq!(
        (e1.admit_date.as_str(), e1.discharge_date.as_deref()),
        ("2026-10-01", Some("2026-10-05"))
    );
    assert_eq!(e1.attending, "Dr. Grace Hopper");
    let e2 = store::encounters::by_account(conn, "ACC-2002")
        .unwrap()
        .unwrap();
    assert_eq!(
        (e2.mrn.as_str(), e2.enc_type.as_str(), e2.attending.as_str()),
        ("pat-2", "outpatient", "Dr. Alan Turing")
    );
    assert_eq!(e2.birth_date, "1971-01-01");
    let e3 = store::encounters::by_account(conn, "enc-3")
        .unwrap()
        .unwrap();
    assert_eq!(
        (e3.enc_type.as_str(), e3.discharge_date.as_deref()),
        ("emergency", None)
    );
    assert!(
        store::encounters::by_account(conn, "enc-x")
            .unwrap()
            .is_none(),
        "entered in error"
    );

    let (b1, t1, a1) = body_of(&mut svc, "doc-1");
    assert_eq!(
        (t1.as_str(), a1.as_str()),
        ("History and Physical", "enc-1")
    );
    assert!(
        b1.starts_with("Admitted with community-acquired pneumonia") && b1.contains("Café"),
        "{b1}"
    );
    let (b2, t2, _) = body_of(&mut svc, "doc-2");
    assert_eq!(t2, "Discharge Summary");
    assert_eq!(
        b2,
        "Discharge Summary\nPneumonia resolved & patient discharged home.\nLevofloxacin x5 days"
    );
    let (b3, t3, a3) = body_of(&mut svc, "doc-3");
    assert_eq!((t3.as_str(), a3.as_str()), ("Office Visit", "ACC-2002"));
    assert!(b3.contains("amlodipine"), "from the Binary: {b3}");
    let (b4, t4, _) = body_of(&mut svc, "doc-4");
    assert_eq!(t4, "ED Note");
    assert!(b4.contains("naïve"), "ISO-8859-1 decoded: {b4}");

    assert_eq!(total(&mut svc, "pneumonia"), 2);
    assert_eq!(total(&mut svc, "amlodipine type:office"), 1);
    assert_eq!(total(&mut svc, "fracture enc:emergency"), 1);
    assert_eq!(total(&mut svc, "\"entered in error\""), 0);

    // The same export again changes nothing.
    let r = import(&mut svc, &files, false).unwrap();
    let f = &r.files[0];
    assert_eq!((f.added, f.updated, f.unchanged), (0, 0, 4));
    assert_eq!(
        (
            f.patients_added,
            f.patients_updated,
            f.encounters_added,
            f.encounters_updated
        ),
        (0, 0, 0, 0)
    );
}

#[test]
fn a_bundle_with_entries_out_of_order_and_urn_references() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let r = import(&mut svc, &[fhir("bundle.json")], false).unwrap();
    assert_eq!(
        (
            r.files[0].added,
            r.files[0].patients_added,
            r.files[0].encounters_added
        ),
        (1, 1, 1)
    );
    let e = store::encounters::by_account(svc.connection(), "b-enc")
        .unwrap()
        .unwrap();
    assert_eq!(
        (e.mrn.as_str(), e.enc_type.as_str()),
        ("b-pat", "observation")
    );
    let (body, t, acc) = body_of(&mut svc, "b-doc");
    assert_eq!((t.as_str(), acc.as_str()), ("Progress Note", "b-enc"));
    assert!(body.contains("telemetry"));
    assert_eq!(total(&mut svc, "syncope enc:obs"), 1);
}

#[test]
fn bad_documents_stop_the_export_or_are_rejected() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    let base = ["Patient.ndjson", "Encounter.ndjson"].map(fhir);
    let bad = t.path().join("bad_documents.ndjson");
    std::fs::copy(fhir("bad_documents.ndjson"), &bad).unwrap();
    let mut files = base.to_vec();
    files.push(bad.clone());
    let msg = format!("{:#}", import(&mut svc, &files, false).unwrap_err());
    assert!(
        msg.contains("bad_documents.ndjson line 2 (note bad-2), field content.attachment"),
        "{msg}"
    );
    assert_eq!(total(&mut svc, "afebrile"), 0);
    assert!(
        store::encounters::by_account(svc.connection(), "enc-1")
            .unwrap()
            .is_none(),
        "one transaction"
    );

    let opts = ImportOptions {
        skip_bad: true,
        ..Default::default()
    };
    let report_path = t.path().join("fhir.rejects.jsonl");
    let r = svc
        .import_notes(
            &files,
            Some(Format::Fhir),
            &opts,
            Some(&report_path),
            &mut |_, _, _| {},
        )
        .unwrap();
    let f = &r.files[0];
    // A document type chartdesk does not know is kept as the site wrote it, not rejected.
    assert_eq!((f.added, f.rejected), (2, 1));
    assert_eq!(f.rejected_by_field.get("type"), None);
    assert_eq!(f.rejected_by_field.get("content.attachment"), Some(&1));
    assert_eq!(body_of(&mut svc, "bad-1").1, "Poem");
    assert!(
        f.first_rejects[0].reason.contains("application/pdf"),
        "{:?}",
        f.first_rejects
    );
    assert_eq!(
        std::fs::read_to_string(&report_path)
            .unwrap()
            .lines()
            .count(),
        1
    );
    assert_eq!(total(&mut svc, "afebrile"), 1);
}

#[test]
fn documents_of_unknown_encounters_and_truncated_bundles() {
    let (t, data) = fixture();
    let mut svc = open_as(&data, ADMIN);
    // Documents without their encounters.
    let msg = format!(
        "{:#}",
        import(&mut svc, &[fhir("DocumentReference.ndjson")], false).unwrap_err()
    );
    assert!(
        msg.contains("field context.encounter")
            && msg.contains("enc-1 is neither in this import nor in chartdesk"),
        "{msg}"
    );

    let cut = t.path().join("cut.json");
    let full = std::fs::read_to_string(fhir("bundle.json")).unwrap();
    std::fs::write(&cut, &full[..full.len() * 2 / 3]).unwrap();
    let msg = format!("{:#}", import(&mut svc, &[cut], false).unwrap_err());
    assert!(
        msg.contains("cut.json is cut short") && msg.contains("truncated"),
        "{msg}"
    );
    assert_eq!(total(&mut svc, "syncope"), 0);
}
