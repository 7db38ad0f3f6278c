//! Code search quality on the built-in ICD-10-CM and ICD-10-PCS sets against the SQLite FTS5
//! baselines: on the project's tuned set (tests/fixtures/search/project_tuned_queries.tsv, not held
//! out) and on the held-out batches (tests/data/search/heldout_batch{1,2,3}.tsv; batch 4 is HCPCS and
//! needs the 2019 file, so it runs in `chartdesk eval codes` only). No query here is from the dev set
//! (../shared/eval/code_queries_dev.tsv).
//!
//! One test builds the index once and checks everything that needs the real code sets, so a run
//! costs one build.
use chartdesk::codeset::{builtin_icd10cm, builtin_icd10pcs};
use chartdesk::domain::{CodeEntry, CodeSystem};
use chartdesk::search::eval::evaluate_codes;
use chartdesk::search::{CodeIndex, CodeQuery};
use std::path::Path;

const QUERIES: &str = "tests/fixtures/search/project_tuned_queries.tsv";

/// Held-out batches with the minimum top-1 / top-5 percentages they must keep: a little below the
/// figures measured after the issue-15 changes (the first blind run is in the README).
const TOP1_B1: f64 = 96.0;
const TOP5_B1: f64 = 98.0;
const TOP1_B2: f64 = 92.0;
const TOP5_B2: f64 = 96.0;
const TOP1_B3: f64 = 64.0;
const TOP5_B3: f64 = 91.0;
const HELD_OUT: &[(&str, f64, f64)] = &[
    ("tests/data/search/heldout_batch1.tsv", TOP1_B1, TOP5_B1),
    ("tests/data/search/heldout_batch2.tsv", TOP1_B2, TOP5_B2),
    ("tests/data/search/heldout_batch3.tsv", TOP1_B3, TOP5_B3),
];

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
    assert!(
        cd.top1_pct() > report.fts5_fair.top1_pct(),
        "chartdesk should beat the fair FTS5 too\n{report}"
    );
}

fn check_held_out(index: &CodeIndex, entries: &[CodeEntry]) {
    for &(file, top1, top5) in HELD_OUT {
        let report = evaluate_codes(index, entries, Path::new(file)).unwrap();
        println!("{report}");
        let cd = &report.chartdesk;
        assert!(cd.total >= 50, "{file}: a batch has at least 50 queries");
        assert!(
            cd.top1_pct() >= top1 && cd.top5_pct() >= top5,
            "{file}: top 1 {:.1}% (min {top1}), top 5 {:.1}% (min {top5})\n{report}",
            cd.top1_pct(),
            cd.top5_pct()
        );
    }
}

fn check_behaviour(index: &CodeIndex) {
    // Codes with or without the dot, and partial codes.
    assert_eq!(first(index, "E119"), "E11.9");
    assert_eq!(first(index, "j189"), "J18.9");
    assert_eq!(first(index, "r55"), "R55");
    let family = index.search("I50.2", &CodeQuery::default()).unwrap();
    assert_eq!(family[0].code, "I50.20");
    assert!(family.iter().all(|h| h.code.starts_with("I50.2")));
    let k85 = index.search("K85.", &CodeQuery::default()).unwrap();
    assert!(k85[0].code.starts_with("K85."));
    // A known term that also spells a code prefix searches as the term; typed as a code it is one.
    assert_eq!(first(index, "dm2"), "E11.9");
    assert_eq!(first(index, "DM2"), "E11.9");
    assert_eq!(first(index, "DM20DZZ"), "DM20DZZ");
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
    assert_eq!(first(index, "long term opiate analgesics use"), "Z79.891");
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
    assert!(first(index, "fall from chair").ends_with('A'));
    assert!(first(index, "fall from chair sequela").ends_with('S'));
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
    check_held_out(&index, &entries);
}
