//! Code search quality on the built-in ICD-10-CM and ICD-10-PCS sets, measured on the project's own
//! held-out query set (tests/fixtures/search/code_queries.tsv) against the SQLite FTS5 baseline.
//!
//! One test builds the index once and checks everything that needs the real code sets, so a run
//! costs one build.
use chartdesk::codeset::{builtin_icd10cm, builtin_icd10pcs};
use chartdesk::domain::{CodeEntry, CodeSystem};
use chartdesk::search::eval::evaluate_codes;
use chartdesk::search::{CodeIndex, CodeQuery};
use std::path::Path;

const QUERIES: &str = "tests/fixtures/search/code_queries.tsv";

fn first(index: &CodeIndex, q: &str) -> String {
    index
        .search(q, &CodeQuery::default())
        .unwrap()
        .first()
        .map(|h| h.code.clone())
        .unwrap_or_default()
}

fn check_quality(index: &CodeIndex, entries: &[CodeEntry]) {
    let report = evaluate_codes(index, entries, Path::new(QUERIES)).unwrap();
    println!("{report}");
    let (cd, fts) = (&report.chartdesk, &report.fts5);
    assert!(
        cd.total >= 60,
        "the held-out set needs at least 60 queries, has {}",
        cd.total
    );
    assert!(
        cd.top1_pct() >= 92.0,
        "top-1 {:.1}% is below 92%\n{report}",
        cd.top1_pct()
    );
    assert!(
        cd.top5_pct() >= 98.0,
        "top-5 {:.1}% is below 98%\n{report}",
        cd.top5_pct()
    );
    assert!(
        cd.top1_pct() >= fts.top1_pct() + 40.0,
        "chartdesk should beat plain FTS5 by far: {:.1}% vs {:.1}%",
        cd.top1_pct(),
        fts.top1_pct()
    );
}

fn check_behaviour(index: &CodeIndex) {
    // Codes with or without the dot, and partial codes.
    assert_eq!(first(index, "E119"), "E11.9");
    assert_eq!(first(index, "n179"), "N17.9");
    assert_eq!(first(index, "i10"), "I10");
    let family = index.search("I50.2", &CodeQuery::default()).unwrap();
    assert_eq!(family[0].code, "I50.20");
    assert!(family.iter().all(|h| h.code.starts_with("I50.2")));
    let k21 = index.search("K21.", &CodeQuery::default()).unwrap();
    assert!(["K21.00", "K21.01", "K21.9"].contains(&k21[0].code.as_str()));
    // Typing: every prefix of a word finds something, and the word completes.
    for q in [
        "h",
        "hy",
        "hyp",
        "hype",
        "hyper",
        "hypert",
        "hyperte",
        "hypertens",
    ] {
        assert!(
            !index.search(q, &CodeQuery::default()).unwrap().is_empty(),
            "{q}"
        );
    }
    assert_eq!(first(index, "hypert"), "I10");
    // Stemming and morphology.
    assert_eq!(first(index, "long term anticoagulant use"), "Z79.01");
    // Inclusion terms are searchable and reported.
    let stroke = index.search("stroke nos", &CodeQuery::default()).unwrap();
    assert_eq!(stroke[0].code, "I63.9");
    assert!(
        stroke[0]
            .matched
            .as_deref()
            .is_some_and(|m| m.contains("Stroke"))
    );
    // Systems.
    let pcs = CodeQuery {
        systems: vec![CodeSystem::Icd10Pcs],
        ..CodeQuery::default()
    };
    let hits = index.search("appendectomy", &pcs).unwrap();
    assert!(hits.iter().all(|h| h.system == CodeSystem::Icd10Pcs) && !hits.is_empty());
    assert_eq!(first(index, "appendicitis").chars().next(), Some('K'));
    // 7th characters: initial encounter unless the query says otherwise.
    assert!(first(index, "fall from stairs").ends_with('A'));
    assert!(first(index, "fall from stairs sequela").ends_with('S'));
    check_seventh_variants(index);
}

/// The 6-character stem of a 7th-character ICD-10-CM code ("S72.009A" → "S72.009"), else None.
fn stem(code: &str) -> Option<&str> {
    (code.len() == 8 && code.as_bytes()[3] == b'.').then(|| &code[..7])
}

fn check_seventh_variants(index: &CodeIndex) {
    // Distinct codes first: one 7th-character variant per code in the top 5, the initial encounter.
    let hip = index.search("hip fracture", &CodeQuery::default()).unwrap();
    let top5: Vec<&str> = hip.iter().take(5).map(|h| h.code.as_str()).collect();
    let stems: Vec<&str> = top5.iter().filter_map(|c| stem(c)).collect();
    let mut unique = stems.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), stems.len(), "one variant per code: {top5:?}");
    let s72 = hip.iter().find(|h| h.code.starts_with("S72"));
    assert!(
        s72.is_some_and(|h| h.code.ends_with('A')),
        "initial encounter first: {top5:?}"
    );
    assert!(hip.windows(2).all(|w| w[0].score >= w[1].score));
    // The other variants are still offered, after other codes.
    let leader = s72.map(|h| h.code.clone()).unwrap_or_default();
    assert!(
        hip.iter()
            .skip(5)
            .any(|h| stem(&h.code) == stem(&leader) && h.code != leader),
        "{:?}",
        hip.iter().map(|h| h.code.as_str()).collect::<Vec<_>>()
    );
    // The query asks for other variants: they rank.
    let subsequent = index
        .search("hip fracture subsequent encounter", &CodeQuery::default())
        .unwrap();
    assert!(
        subsequent[0].code.ends_with('D'),
        "{:?}",
        subsequent
            .iter()
            .take(5)
            .map(|h| &h.code)
            .collect::<Vec<_>>()
    );
    let nonunion = first(index, "hip fracture nonunion");
    assert!(
        nonunion.starts_with("S72") && nonunion.ends_with('K'),
        "{nonunion}"
    );
    // A code typed directly comes first whatever its 7th character.
    assert_eq!(first(index, "S72.001D"), "S72.001D");
    assert_eq!(first(index, "s72001d"), "S72.001D");
}

#[test]
fn builtin_code_search() {
    let mut entries = builtin_icd10cm().unwrap().entries;
    entries.extend(builtin_icd10pcs().unwrap().entries);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("codes");
    CodeIndex::build(&dir, &entries, "built-in", &mut |_, _| {}).unwrap();
    assert_eq!(
        CodeIndex::stored_fingerprint(&dir).as_deref(),
        Some("built-in")
    );
    let index = CodeIndex::open(&dir).unwrap();

    // Every synonym expansion is worded as the code sets word things.
    let unknown = index.unknown_synonym_words();
    assert!(
        unknown.is_empty(),
        "synonym expansions use words found in no code: {unknown:?}"
    );

    check_behaviour(&index);
    check_quality(&index, &entries);
}
