//! HCPCS Level II (CMS fixed-width file) and licensed CPT (CSV) imports: fixtures written in the
//! official layouts, damaged files refused with file, line and field, and imports reaching search.
mod common;

use std::path::{Path, PathBuf};

use chartdesk::codeset::read_release_file;
use chartdesk::domain::{CodeSystem, EntryKind};
use chartdesk::search::CodeQuery;

fn fixture(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name)
}

fn error_of(path: &Path, system: Option<CodeSystem>) -> String {
    format!(
        "{:#}",
        read_release_file(path, system, Some("2019")).unwrap_err()
    )
}

#[test]
fn hcpcs_file_is_detected_and_read() {
    let rel = read_release_file(&fixture("hcpcs", "hcpcs_small.txt"), None, Some("2019")).unwrap();
    assert_eq!(rel.system, CodeSystem::Hcpcs);
    assert_eq!(rel.version, "2019");
    let codes: Vec<&str> = rel
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Code)
        .map(|e| e.code.as_str())
        .collect();
    assert_eq!(
        codes,
        vec!["A0021", "A4466", "E0114", "G0008", "J1100", "GA", "LT"]
    );
    // A4466 is terminated; GA and LT are modifiers.
    assert_eq!(rel.billable_count(), 4);
    let e0114 = rel.entries.iter().find(|e| e.code == "E0114").unwrap();
    assert_eq!(
        e0114.title,
        "Crutches underarm, other than wood, adjustable or fixed, pair, with pads, tips and \
         handgrips"
    );
    assert_eq!(e0114.parent.as_deref(), Some("E0000-E9999"));
    let a4466 = rel.entries.iter().find(|e| e.code == "A4466").unwrap();
    assert!(
        a4466
            .notes
            .notes
            .iter()
            .any(|n| n.starts_with("Terminated 2016-12-31")),
        "{:?}",
        a4466.notes.notes
    );
    assert!(
        a4466
            .notes
            .notes
            .iter()
            .any(|n| n == "Cross-reference A4467")
    );
    let ga = rel.entries.iter().find(|e| e.code == "GA").unwrap();
    assert_eq!(ga.parent.as_deref(), Some("MODIFIERS"));
    assert!(ga.title.ends_with("individual case"), "{}", ga.title);
}

#[test]
fn hcpcs_year_comes_from_the_file_name_when_not_given() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("HCPC2019_CONTR_ANWEB.txt");
    std::fs::copy(fixture("hcpcs", "hcpcs_small.txt"), &p).unwrap();
    let rel = read_release_file(&p, None, None).unwrap();
    assert_eq!(rel.version, "2019");
}

#[test]
fn hcpcs_line_missing_only_its_filler_is_accepted() {
    let rel = read_release_file(
        &fixture("hcpcs", "hcpcs_trimmed_filler.txt"),
        None,
        Some("2019"),
    )
    .unwrap();
    let a = rel.entries.iter().find(|e| e.code == "A0021").unwrap();
    assert!(a.title.ends_with("(medicaid only)"), "{}", a.title);
}

#[test]
fn hcpcs_damage_is_named_by_file_line_and_field() {
    // The five preamble lines come first: records start on line 6.
    let cases = [
        (
            "bad_length.txt",
            "bad_length.txt, line 9, record",
            "200 characters",
        ),
        (
            "bad_record_id.txt",
            "bad_record_id.txt, line 11, record identification (column 11)",
            "'5' is not a record identification code",
        ),
        (
            "orphan_continuation.txt",
            "orphan_continuation.txt, line 9, record identification (column 11)",
            "continuation of procedure E0114 without its first line",
        ),
        (
            "non_ascii.txt",
            "non_ascii.txt, line 12, record",
            "column 41 holds byte 0xE9",
        ),
        (
            "bad_date.txt",
            "bad_date.txt, line 9, termination date (columns 285-292)",
            "'2016133' is not a date",
        ),
    ];
    for (file, place, why) in cases {
        let err = error_of(&fixture("hcpcs", file), None);
        assert!(err.contains(place), "{file}: {err}");
        assert!(err.contains(why), "{file}: {err}");
    }
}

#[test]
fn cpt_needs_its_system_and_validates_codes() {
    let path = fixture("cpt", "cpt_licensed_sample.csv");
    let rel = read_release_file(&path, Some(CodeSystem::Cpt), Some("2026")).unwrap();
    assert_eq!(rel.system, CodeSystem::Cpt);
    let codes: Vec<&str> = rel.entries.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, vec!["99901", "99902", "1234F", "0001T"]);
    assert_eq!(
        rel.entries[1].title,
        "Test procedure beta, with a comma, of an invented organ"
    );
    assert_eq!(rel.entries[1].notes.inclusion_terms, vec!["Test proc beta"]);
    let err = error_of(&fixture("cpt", "cpt_bad_code.csv"), Some(CodeSystem::Cpt));
    assert!(
        err.contains("cpt_bad_code.csv, line 2, field 1 (code)") && err.contains("'9990'"),
        "{err}"
    );
}

#[test]
fn imported_hcpcs_and_cpt_are_searchable_and_bad_files_leave_nothing() {
    let (_tmp, data) = common::fixture();
    let mut svc = common::open_as(&data, "admin");
    let before = svc.code_sets().unwrap().len();
    let err = svc
        .import_code_file(
            &fixture("hcpcs", "orphan_continuation.txt"),
            None,
            Some("2019"),
            &mut |_, _, _| {},
        )
        .unwrap_err();
    assert!(format!("{err:#}").contains("line 9"), "{err:#}");
    assert_eq!(svc.code_sets().unwrap().len(), before, "nothing kept");

    let msg = svc
        .import_code_file(
            &fixture("hcpcs", "hcpcs_small.txt"),
            None,
            Some("2019"),
            &mut |_, _, _| {},
        )
        .unwrap();
    assert!(msg.contains("HCPCS 2019"), "{msg}");
    svc.import_code_file(
        &fixture("cpt", "cpt_licensed_sample.csv"),
        Some(CodeSystem::Cpt),
        Some("2026"),
        &mut |_, _, _| {},
    )
    .unwrap();
    let q = |systems: Vec<CodeSystem>| CodeQuery {
        systems,
        ..CodeQuery::default()
    };
    let hits = svc
        .search_codes("crutches underarm", &q(vec![CodeSystem::Hcpcs]))
        .unwrap();
    assert_eq!(hits.first().map(|h| h.code.as_str()), Some("E0114"));
    // The short description is searchable too.
    let hits = svc
        .search_codes("dexamethasone sodium phos", &q(vec![CodeSystem::Hcpcs]))
        .unwrap();
    assert_eq!(hits.first().map(|h| h.code.as_str()), Some("J1100"));
    let hits = svc
        .search_codes("waiver of liability", &q(vec![CodeSystem::Hcpcs]))
        .unwrap();
    assert_eq!(hits.first().map(|h| h.code.as_str()), Some("GA"));
    assert!(!hits[0].billable);
    let hits = svc
        .search_codes("test procedure beta", &q(vec![CodeSystem::Cpt]))
        .unwrap();
    assert_eq!(hits.first().map(|h| h.code.as_str()), Some("99902"));
    let d = svc.code_detail(CodeSystem::Hcpcs, "ga").unwrap();
    assert!(d.entry.notes.notes[0].contains("modifier"));
    assert_eq!(d.ancestors[0].code, "MODIFIERS");
}

#[test]
fn a_modifier_is_found_without_being_told_the_system() {
    let (_tmp, data) = common::fixture();
    let mut svc = common::open_as(&data, "admin");
    svc.import_code_file(
        &fixture("hcpcs", "hcpcs_small.txt"),
        None,
        Some("2019"),
        &mut |_, _, _| {},
    )
    .unwrap();
    let d = svc.code_detail_any("lt").unwrap();
    assert_eq!(d.entry.system, CodeSystem::Hcpcs);
    assert_eq!(d.entry.code, "LT");
    assert!(d.entry.title.starts_with("Left side"));
    // ICD-10-CM comes first; unknown codes are named.
    assert_eq!(
        svc.code_detail_any("i5023").unwrap().entry.system,
        CodeSystem::Icd10Cm
    );
    let err = format!("{:#}", svc.code_detail_any("ZZ9").unwrap_err());
    assert!(
        err.contains("ZZ9 is not a code of any loaded code set"),
        "{err}"
    );
}
