//! No panic on any input: property tests (proptest) over every parser and service entry point that
//! takes text — the code normaliser, code look-ups and code search, the notes query parser, the TUI
//! `:` command line, each importer's record reader (JSON lines, CSV, FHIR NDJSON and Bundle, CMS
//! order files, ICD-10-CM tabular XML, PCS lists, HCPCS fixed width, CPT CSV) and the config file.
//!
//! `cargo test` runs a modest number of cases per target (`CHARTDESK_FUZZ_CASES`, default 48).
//! The long run (10^6 inputs per target) is `scripts/fuzz-long.sh`, which sets that variable.
//! Inputs are hostile strings (control characters, escapes, bidi overrides, astral and combining
//! characters, NUL) and mutations of the valid fixture files (bytes replaced, inserted, cut).
mod common;
use chartdesk::codeset;
use chartdesk::config::Config;
use chartdesk::domain::CodeSystem;
use chartdesk::domain::code::{display_code, dotted_cm, undotted};
use chartdesk::edits::Claim;
use chartdesk::notes::RecordSource;
use chartdesk::notes::fhir::{resources, stream};
use chartdesk::notes::record::Location;
use chartdesk::search::CodeQuery;
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestRunner};
use std::io::Cursor;
use std::path::Path;

fn runner() -> TestRunner {
    let cases = std::env::var("CHARTDESK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    TestRunner::new(PtConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..PtConfig::default()
    })
}

/// Pieces that have broken parsers before, or that a terminal or a parser treats specially.
const EVIL: &[&str] = &[
    "💩",
    "ÄÄ",
    "é",
    "e\u{301}",
    "\u{202E}",
    "\u{2066}",
    "\u{FEFF}",
    "\u{0}",
    "\u{7f}",
    "\u{9b}",
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\"",
    "'",
    "\\",
    ":",
    "=",
    ",",
    ".",
    "*",
    "-",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "<",
    ">",
    "&",
    ";",
    "OR",
    "AND",
    "NOT",
    "I50.23",
    "W06.XXXA",
    "0016070",
    "E0100",
    "99213",
    "A100",
    "type:",
    "author:",
    "after:",
    "before:",
    "enc:",
    "2026-11-04",
    "2026-02-30",
    "9999-99-99",
    "18446744073709551616",
    "-1",
    "pcs:",
    ":Y",
    "ﬁ",
    "İ",
    "ß",
    "\u{10FFFF}",
];

/// A hostile string: evil pieces, arbitrary characters and code-like runs.
fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(EVIL).prop_map(str::to_string),
            3 => any::<char>().prop_map(String::from),
            2 => "[A-Za-z0-9. ]{0,9}",
        ],
        0..16,
    )
    .prop_map(|v| v.concat())
}

/// One edit of a seed file: at a relative position, replace or insert bytes, or cut the file.
#[derive(Debug, Clone)]
enum Edit {
    Replace(prop::sample::Index, Vec<u8>),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    Truncate(prop::sample::Index),
    Repeat(prop::sample::Index, usize),
}

fn bytes_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        hostile().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..6),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), bytes_piece()).prop_map(|(i, b)| Edit::Replace(i, b)),
        4 => (any::<prop::sample::Index>(), bytes_piece()).prop_map(|(i, b)| Edit::Insert(i, b)),
        2 => (any::<prop::sample::Index>(), 0..40usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        1 => any::<prop::sample::Index>().prop_map(Edit::Truncate),
        1 => (any::<prop::sample::Index>(), 0..30usize).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ]
}

fn mutated(seed: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(edit(), 0..8).prop_map(move |edits| {
        let mut b = seed.to_vec();
        for e in edits {
            let at = |i: &prop::sample::Index, b: &Vec<u8>| i.index(b.len() + 1);
            match e {
                Edit::Replace(i, piece) => {
                    let p = at(&i, &b);
                    let end = (p + piece.len()).min(b.len());
                    b.splice(p..end, piece);
                }
                Edit::Insert(i, piece) => {
                    let p = at(&i, &b);
                    b.splice(p..p, piece);
                }
                Edit::Delete(i, n) => {
                    let p = at(&i, &b);
                    let end = (p + n).min(b.len());
                    b.drain(p..end);
                }
                Edit::Truncate(i) => {
                    let p = at(&i, &b);
                    b.truncate(p);
                }
                Edit::Repeat(i, n) => {
                    // Repeat the line around the position: duplicated and long records.
                    let p = at(&i, &b).min(b.len());
                    let start = b[..p]
                        .iter()
                        .rposition(|c| *c == b'\n')
                        .map_or(0, |x| x + 1);
                    let end = b[p..]
                        .iter()
                        .position(|c| *c == b'\n')
                        .map_or(b.len(), |x| p + x + 1);
                    let line = b[start..end].to_vec();
                    for _ in 0..n {
                        b.splice(end..end, line.iter().copied());
                    }
                }
            }
        }
        b
    })
}

#[test]
fn code_normaliser_never_panics_and_is_idempotent() {
    runner()
        .run(&hostile(), |s| {
            let d = dotted_cm(&s);
            prop_assert_eq!(dotted_cm(&d), d.clone());
            prop_assert!(!undotted(&s).contains('.'));
            for sys in [
                CodeSystem::Icd10Cm,
                CodeSystem::Icd10Pcs,
                CodeSystem::Hcpcs,
                CodeSystem::Cpt,
            ] {
                let _ = display_code(sys, &s);
            }
            let _ = s.parse::<CodeSystem>();
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_known_panics_are_gone() {
    let (_t, data) = common::fixture();
    let mut svc = common::open_as(&data, common::ALICE);
    let enc = svc.encounter_id("A100").unwrap();
    svc.open_encounter("A100").unwrap();
    for bad in ["💩", "ÄÄ", "I5💩", "ÄÄÄÄ", "I50.2💩", "W06.XX€"] {
        // `chartdesk check 💩` and `:assign ÄÄ` used to panic in the code normaliser.
        let _ = svc.check_claim(&Claim::from_codes(&[bad])).unwrap();
        let e = svc.assign(enc, CodeSystem::Icd10Cm, bad).unwrap_err();
        assert!(format!("{e:#}").contains("not"), "{bad}: {e:#}");
        assert!(svc.code_detail(CodeSystem::Icd10Cm, bad).is_err(), "{bad}");
    }
}

#[test]
fn service_code_entry_points_never_panic() {
    let (_t, data) = common::fixture();
    let mut svc = common::open_as(&data, common::ALICE);
    let enc = svc.encounter_id("A100").unwrap();
    svc.open_encounter("A100").unwrap();
    let svc = std::cell::RefCell::new(svc);
    let inputs = prop::collection::vec(hostile(), 1..4);
    runner()
        .run(&inputs, |codes| {
            let mut svc = svc.borrow_mut();
            let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
            let _ = svc.check_claim(&Claim::from_codes(&refs));
            let s = &codes[0];
            let _ = svc.code_detail(CodeSystem::Icd10Cm, s);
            let _ = svc.code_detail_any(s);
            let _ = svc.search_codes(s, &CodeQuery::default());
            let _ = chartdesk::service::parse_review_codes(&codes);
            // Only a known billable code can be assigned; hostile text never is.
            if let Ok(a) = svc.assign(enc, CodeSystem::Icd10Cm, s) {
                prop_assert!(a.code.is_ascii(), "{:?} assigned as {:?}", s, a.code);
                let _ = svc.remove_assignment(enc, a.id);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn notes_query_parser_never_panics() {
    use chartdesk::search::notes::query::parse;
    runner()
        .run(&hostile(), |s| {
            let _ = parse(&s, true);
            let _ = parse(&s, false);
            Ok(())
        })
        .unwrap();
}

#[test]
fn notes_search_never_panics() {
    let (_t, data) = common::fixture();
    let svc = std::cell::RefCell::new(common::open_as(&data, common::ALICE));
    runner()
        .run(&hostile(), |s| {
            let _ = svc.borrow_mut().search_notes(&s, &Default::default());
            Ok(())
        })
        .unwrap();
}

#[test]
fn command_line_parser_never_panics() {
    let cmd = (
        prop::sample::select(
            &[
                "", ":", "assign", "a", "unassign", "poa", "seq", "find", "go", "pcs", "note", "q",
                "query", "release", "claim", "help", "w", "open",
            ][..],
        ),
        hostile(),
    )
        .prop_map(|(c, rest)| format!(":{c} {rest}"));
    runner()
        .run(&prop_oneof![hostile(), cmd], |s| {
            let _ = chartdesk::tui::command::parse(&s);
            Ok(())
        })
        .unwrap();
}

#[test]
fn config_parser_never_panics() {
    let seed: &'static [u8] = include_bytes!("../config.example.toml");
    runner()
        .run(&mutated(seed), |b| {
            let text = String::from_utf8_lossy(&b);
            let _ = Config::parse(&text, "fuzz.toml");
            Ok(())
        })
        .unwrap();
}

/// Writes `bytes` to `name` in a temporary directory and hands over the path.
fn with_file(name: &str, bytes: &[u8], f: impl FnOnce(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    f(&p);
}

fn drain(mut r: impl RecordSource) {
    // Every record is read or rejected; a hard error ends the file.
    for _ in 0..100_000 {
        match r.next_record() {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return,
        }
    }
}

#[test]
fn jsonl_reader_never_panics() {
    let seed: &'static [u8] = include_bytes!("fixtures/notes/notes.jsonl");
    runner()
        .run(&mutated(seed), |b| {
            with_file("n.jsonl", &b, |p| {
                if let Ok(r) = chartdesk::notes::jsonl::JsonlReader::open(p, Default::default()) {
                    drain(r);
                }
            });
            Ok(())
        })
        .unwrap();
}

#[test]
fn csv_reader_never_panics() {
    use chartdesk::notes::csvfile::{CsvReader, parse_map};
    let seed: &'static [u8] = include_bytes!("fixtures/notes/notes.csv");
    let map = parse_map(&[]).unwrap();
    runner()
        .run(&mutated(seed), |b| {
            with_file("n.csv", &b, |p| {
                if let Ok(r) = CsvReader::open(p, &map, Default::default()) {
                    drain(r);
                }
            });
            Ok(())
        })
        .unwrap();
}

fn fhir_file(name: &str, b: &[u8]) {
    with_file(name, b, |p| {
        let _ = stream::for_each(p, None, &mut |_, _| {}, &mut |item| {
            if let stream::Item::Resource {
                location, value, ..
            } = item
            {
                let _ = resources::patient(&value, &location);
                let _ = resources::encounter(&value, &location);
                let _ = resources::document(&value, &location);
            }
            Ok(())
        });
    });
}

#[test]
fn fhir_readers_never_panic() {
    let docs: &'static [u8] = include_bytes!("fixtures/notes/fhir/DocumentReference.ndjson");
    let bundle: &'static [u8] = include_bytes!("fixtures/notes/fhir/bundle.json");
    let pat: &'static [u8] = include_bytes!("fixtures/notes/fhir/Patient.ndjson");
    let enc: &'static [u8] = include_bytes!("fixtures/notes/fhir/Encounter.ndjson");
    let files = prop_oneof![
        mutated(docs).prop_map(|b| ("d.ndjson", b)),
        mutated(bundle).prop_map(|b| ("b.json", b)),
        mutated(pat).prop_map(|b| ("p.ndjson", b)),
        mutated(enc).prop_map(|b| ("e.ndjson", b)),
    ];
    runner()
        .run(&files, |(name, b)| {
            fhir_file(name, &b);
            Ok(())
        })
        .unwrap();
    // The text helpers on their own.
    let loc = Location {
        file: "x".into(),
        line: 1,
        record: 1,
    };
    runner()
        .run(&(hostile(), hostile()), |(a, b)| {
            let _ = chartdesk::notes::fhir::text::html_to_text(&a);
            let _ = chartdesk::notes::fhir::text::base64_decode(&a);
            let _ = resources::attachment_text(&a, &b);
            let _ = resources::reference_id(&a, &b);
            let v = serde_json::json!({"resourceType": "DocumentReference", "id": a,
                "subject": {"reference": b}, "content": [{"attachment": {"contentType": a, "data": b}}]});
            let _ = resources::document(&v, &loc);
            Ok(())
        })
        .unwrap();
}

#[test]
fn code_set_parsers_never_panic() {
    let cm: &'static [u8] = include_bytes!("fixtures/codeset/icd10cm_order_sample.txt");
    let pcs: &'static [u8] = include_bytes!("fixtures/codeset/icd10pcs_order_sample.txt");
    let xml: &'static [u8] = include_bytes!("fixtures/codeset/tabular_sample.xml");
    let hcpcs: &'static [u8] = include_bytes!("fixtures/hcpcs/hcpcs_small.txt");
    let cpt: &'static [u8] = include_bytes!("fixtures/cpt/cpt_licensed_sample.csv");
    let pcs_list: &'static [u8] = b"\"0016070\",\"Bypass Cerebral Ventricle to Nasopharynx with Autologous Tissue Substitute, Open Approach\"\n\"0DB60ZZ\",\"Excision of Stomach, Open Approach\"\n";
    let files = prop_oneof![
        mutated(cm).prop_map(|b| (0u8, b)),
        mutated(pcs).prop_map(|b| (1u8, b)),
        mutated(xml).prop_map(|b| (2u8, b)),
        mutated(hcpcs).prop_map(|b| (3u8, b)),
        mutated(cpt).prop_map(|b| (4u8, b)),
        mutated(pcs_list).prop_map(|b| (5u8, b)),
    ];
    runner()
        .run(&files, |(kind, b)| {
            let r = Cursor::new(b);
            let _ = match kind {
                0 => codeset::parse_cms_order_file(r, CodeSystem::Icd10Cm, "FY", "f"),
                1 => codeset::parse_cms_order_file(r, CodeSystem::Icd10Pcs, "FY", "f"),
                2 => codeset::parse_icd10cm_tabular(r, "f"),
                3 => codeset::hcpcs::parse(r, "2026", "f"),
                4 => codeset::cpt::parse(r, "2026", "f"),
                _ => codeset::parse_pcs_list(r, "FY", "f"),
            };
            Ok(())
        })
        .unwrap();
}
