//! Behaviour of the code index on a small hand-written code set. No query here is one of the dev set's
//! (../shared/eval/code_queries_dev.tsv): tests must not pin the queries the ranking was tuned on.
use super::{CodeHit, CodeIndex, CodeQuery};
use crate::domain::{CodeEntry, CodeSystem, EntryKind, TabularNotes};
use std::path::Path;

fn cm(code: &str, title: &str, billable: bool, parent: Option<&str>, incl: &[&str]) -> CodeEntry {
    CodeEntry {
        system: CodeSystem::Icd10Cm,
        kind: EntryKind::Code,
        code: code.into(),
        title: title.into(),
        billable,
        parent: parent.map(str::to_string),
        notes: TabularNotes {
            inclusion_terms: incl.iter().map(|s| s.to_string()).collect(),
            ..TabularNotes::default()
        },
    }
}

fn pcs(code: &str, title: &str) -> CodeEntry {
    CodeEntry {
        system: CodeSystem::Icd10Pcs,
        kind: EntryKind::Code,
        code: code.into(),
        title: title.into(),
        billable: true,
        parent: None,
        notes: TabularNotes::default(),
    }
}

fn entries() -> Vec<CodeEntry> {
    let mut v = vec![
        CodeEntry {
            system: CodeSystem::Icd10Cm,
            kind: EntryKind::Chapter,
            code: "9".into(),
            title: "Diseases of the circulatory system (I00-I99)".into(),
            billable: false,
            parent: None,
            notes: TabularNotes::default(),
        },
        cm(
            "I10",
            "Essential (primary) hypertension",
            true,
            None,
            &["high blood pressure"],
        ),
        cm(
            "I11.0",
            "Hypertensive heart disease with heart failure",
            true,
            None,
            &[],
        ),
        cm("I50", "Heart failure", false, None, &[]),
        cm(
            "I50.2",
            "Systolic (congestive) heart failure",
            false,
            Some("I50"),
            &["Heart failure with reduced ejection fraction [HFrEF]"],
        ),
        cm(
            "I50.20",
            "Unspecified systolic (congestive) heart failure",
            true,
            Some("I50.2"),
            &[],
        ),
        cm(
            "I50.21",
            "Acute systolic (congestive) heart failure",
            true,
            Some("I50.2"),
            &[],
        ),
        cm(
            "I50.9",
            "Heart failure, unspecified",
            true,
            Some("I50"),
            &["Congestive heart failure NOS"],
        ),
        cm("E11", "Type 2 diabetes mellitus", false, None, &[]),
        cm(
            "E11.65",
            "Type 2 diabetes mellitus with hyperglycemia",
            true,
            Some("E11"),
            &[],
        ),
        cm(
            "E11.9",
            "Type 2 diabetes mellitus without complications",
            true,
            Some("E11"),
            &[],
        ),
        cm("K21", "Gastro-esophageal reflux disease", false, None, &[]),
        cm(
            "K21.0",
            "Gastro-esophageal reflux disease with esophagitis",
            false,
            Some("K21"),
            &[],
        ),
        cm(
            "K21.00",
            "Gastro-esophageal reflux disease with esophagitis, without bleeding",
            true,
            Some("K21.0"),
            &[],
        ),
        cm(
            "K21.01",
            "Gastro-esophageal reflux disease with esophagitis, with bleeding",
            true,
            Some("K21.0"),
            &[],
        ),
        cm(
            "K21.9",
            "Gastro-esophageal reflux disease without esophagitis",
            true,
            Some("K21"),
            &["Esophageal reflux NOS"],
        ),
        cm(
            "N17.9",
            "Acute kidney failure, unspecified",
            true,
            None,
            &["Acute kidney injury (nontraumatic)"],
        ),
        cm("J12.9", "Viral pneumonia, unspecified", true, None, &[]),
        cm("J18.9", "Pneumonia, unspecified organism", true, None, &[]),
        cm(
            "R56.9",
            "Unspecified convulsions",
            true,
            None,
            &["Seizure(s) (convulsive) NOS"],
        ),
        cm(
            "G43.909",
            "Migraine, unspecified, not intractable, without status migrainosus",
            true,
            None,
            &["Migraine NOS"],
        ),
        cm(
            "W10.9",
            "Fall (on) (from) unspecified stairs and steps",
            false,
            None,
            &[],
        ),
        cm(
            "W10.9XXA",
            "Fall (on) (from) unspecified stairs and steps, initial encounter",
            true,
            Some("W10.9"),
            &[],
        ),
        cm(
            "W10.9XXD",
            "Fall (on) (from) unspecified stairs and steps, subsequent encounter",
            true,
            Some("W10.9"),
            &[],
        ),
        cm(
            "W10.9XXS",
            "Fall (on) (from) unspecified stairs and steps, sequela",
            true,
            Some("W10.9"),
            &[],
        ),
        pcs("0DTJ0ZZ", "Resection of Appendix, Open Approach"),
        pcs(
            "0DTJ4ZZ",
            "Resection of Appendix, Percutaneous Endoscopic Approach",
        ),
        pcs(
            "02HA0QZ",
            "Insertion of Implantable Heart Assist System into Heart, Open Approach",
        ),
    ];
    // Out of order on purpose: the index must not rely on input order.
    v.reverse();
    v
}

fn build(dir: &Path) -> CodeIndex {
    let mut calls = Vec::new();
    CodeIndex::build(dir, &entries(), "fp-1", &mut |d, t| calls.push((d, t))).unwrap();
    let (done, total) = *calls.last().unwrap();
    assert_eq!(done, total, "progress ends at total");
    assert!(
        total > 0 && total < entries().len(),
        "7th-character codes are not separate documents"
    );
    CodeIndex::open(dir).unwrap()
}

fn codes(hits: &[CodeHit]) -> Vec<&str> {
    hits.iter().map(|h| h.code.as_str()).collect()
}

fn top(index: &CodeIndex, q: &str) -> Vec<CodeHit> {
    index.search(q, &CodeQuery::default()).unwrap()
}

#[test]
fn code_lookup_with_or_without_dot_and_partial() {
    let tmp = tempfile::tempdir().unwrap();
    let index = build(&tmp.path().join("codes"));
    assert_eq!(top(&index, "E119")[0].code, "E11.9");
    assert_eq!(top(&index, "i110")[0].code, "I11.0");
    let i502 = top(&index, "I50.2");
    assert_eq!(
        codes(&i502),
        ["I50.20", "I50.21", "I50.2"],
        "billable children first, then the header"
    );
    let k210 = top(&index, "K21.0");
    assert_eq!(k210[0].code, "K21.00");
    assert!(k210.iter().all(|h| h.code.starts_with("K21.0")));
    let billable = index
        .search(
            "K21",
            &CodeQuery {
                billable_only: true,
                ..CodeQuery::default()
            },
        )
        .unwrap();
    assert_eq!(codes(&billable), ["K21.00", "K21.01", "K21.9"]);
    assert_eq!(top(&index, "w10.9xx")[0].code, "W10.9XXA");
    assert_eq!(top(&index, "0dtj4zz")[0].system, CodeSystem::Icd10Pcs);
}

#[test]
fn words_in_any_order_prefixes_misspellings_and_synonyms() {
    let tmp = tempfile::tempdir().unwrap();
    let index = build(&tmp.path().join("codes"));
    assert_eq!(top(&index, "heart failures")[0].code, "I50.9");
    assert_eq!(top(&index, "failure heart")[0].code, "I50.9");
    assert_eq!(
        top(&index, "hypert")[0].code,
        "I10",
        "the word being typed is completed"
    );
    assert_eq!(top(&index, "pnemonia")[0].code, "J18.9");
    assert_eq!(top(&index, "migaine")[0].code, "G43.909");
    assert_eq!(top(&index, "aki")[0].code, "N17.9");
    assert_eq!(top(&index, "acute systolic chf")[0].code, "I50.21");
    assert_eq!(top(&index, "t2dm uncontrolled")[0].code, "E11.65");
    assert_eq!(top(&index, "gerd")[0].code, "K21.9");
    let hfref = top(&index, "hfref heart failure");
    assert_eq!(hfref[0].code, "I50.20");
    assert!(hfref[0].matched.is_some());
}

#[test]
fn matched_inclusion_terms_and_ranking_signals() {
    let tmp = tempfile::tempdir().unwrap();
    let index = build(&tmp.path().join("codes"));
    let seizure = top(&index, "seizures");
    assert_eq!(seizure[0].code, "R56.9");
    assert_eq!(
        seizure[0].matched.as_deref(),
        Some("Seizure(s) (convulsive) NOS")
    );
    assert_eq!(
        top(&index, "failure heart")[0].matched,
        None,
        "the title matched"
    );
    let pneumonia = top(&index, "pneumonias");
    assert_eq!(
        codes(&pneumonia)[..2],
        ["J18.9", "J12.9"],
        "the unspecified code leads"
    );
    assert_eq!(
        top(&index, "fall stairs")[0].code,
        "W10.9XXA",
        "initial encounter by default"
    );
    assert_eq!(top(&index, "fall stairs subsequent")[0].code, "W10.9XXD");
    let fall = top(&index, "fall stairs");
    let at = |c: &str| codes(&fall).iter().position(|x| *x == c);
    assert!(
        at("W10.9").is_some() && at("W10.9") < at("W10.9XXD") && at("W10.9") < at("W10.9XXS"),
        "distinct codes before a code's other 7th-character variants: {:?}",
        codes(&fall)
    );
    assert!(fall.windows(2).all(|w| w[0].score >= w[1].score));
    let heart = top(&index, "heart");
    assert_eq!(
        heart[0].system,
        CodeSystem::Icd10Cm,
        "diagnoses before procedures"
    );
    let appy = top(&index, "lap appendectomy");
    assert_eq!(appy[0].code, "0DTJ4ZZ");
    assert!(heart.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn filters_limit_and_empty_queries() {
    let tmp = tempfile::tempdir().unwrap();
    let index = build(&tmp.path().join("codes"));
    let q = CodeQuery {
        systems: vec![CodeSystem::Icd10Pcs],
        ..CodeQuery::default()
    };
    let hits = index.search("heart", &q).unwrap();
    assert!(!hits.is_empty() && hits.iter().all(|h| h.system == CodeSystem::Icd10Pcs));
    let q = CodeQuery {
        billable_only: true,
        ..CodeQuery::default()
    };
    assert!(
        index
            .search("failure of heart", &q)
            .unwrap()
            .iter()
            .all(|h| h.billable)
    );
    let q = CodeQuery {
        limit: 2,
        ..CodeQuery::default()
    };
    assert_eq!(index.search("heart", &q).unwrap().len(), 2);
    assert!(top(&index, "   ").is_empty());
    assert!(top(&index, "zzzzqqq").is_empty());
    let json = serde_json::to_value(&top(&index, "seizures")[0]).unwrap();
    assert_eq!(json["system"], "ICD-10-CM");
    assert_eq!(json["code"], "R56.9");
}

#[test]
fn fingerprint_rebuild_and_corruption() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("codes");
    assert_eq!(CodeIndex::stored_fingerprint(&dir), None);
    assert!(CodeIndex::open(&dir).is_err());
    build(&dir);
    assert_eq!(CodeIndex::stored_fingerprint(&dir).as_deref(), Some("fp-1"));
    // A rebuild replaces the index, even while a reader of the old one is open.
    let old = CodeIndex::open(&dir).unwrap();
    let fewer: Vec<CodeEntry> = entries()
        .into_iter()
        .filter(|e| !e.code.starts_with('K'))
        .collect();
    CodeIndex::build(&dir, &fewer, "fp-2", &mut |_, _| {}).unwrap();
    assert_eq!(CodeIndex::stored_fingerprint(&dir).as_deref(), Some("fp-2"));
    assert!(top(&CodeIndex::open(&dir).unwrap(), "K21").is_empty());
    assert_eq!(top(&old, "E119")[0].code, "E11.9");
    // A torn table is detected.
    let table = dir.join("table.bin");
    let bytes = std::fs::read(&table).unwrap();
    std::fs::write(&table, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(CodeIndex::stored_fingerprint(&dir), None);
    let err = CodeIndex::open(&dir).unwrap_err();
    assert!(format!("{err:#}").contains("rebuild"), "{err:#}");
    // A flipped byte is not looked for at open (the table is read in place), but `verify` finds it.
    std::fs::write(&table, &bytes).unwrap();
    assert_eq!(CodeIndex::verify(&dir).unwrap(), bytes.len() as u64);
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    std::fs::write(&table, &flipped).unwrap();
    assert!(CodeIndex::stored_fingerprint(&dir).is_some());
    let err = CodeIndex::verify(&dir).unwrap_err();
    assert!(format!("{err:#}").contains("checksum"), "{err:#}");
    // An older schema is detected.
    std::fs::write(&table, &bytes).unwrap();
    assert!(CodeIndex::stored_fingerprint(&dir).is_some());
    let manifest = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let old_schema = text.replace(
        &format!("\"schema\": {}", super::SCHEMA_VERSION),
        "\"schema\": 0",
    );
    assert_ne!(text, old_schema);
    std::fs::write(&manifest, old_schema).unwrap();
    assert_eq!(CodeIndex::stored_fingerprint(&dir), None);
}
