//! Notes search: agreement with a brute-force scan, clinical tokens, the query language, ranking,
//! snippets and highlight ranges, audit.
mod common;
#[path = "notes_support.rs"]
mod support;

use chartdesk::domain::Note;
use chartdesk::service::{NoteOrder, NoteQuery, Service};
use common::*;
use std::collections::BTreeSet;
use support::*;

fn all(limit: usize) -> NoteQuery {
    NoteQuery {
        limit,
        ..Default::default()
    }
}

fn ids(svc: &mut Service, q: &str) -> (BTreeSet<i64>, usize) {
    let r = svc.search_notes(q, &all(100_000)).unwrap();
    assert!(
        r.fallback_message.is_none(),
        "{q}: {:?}",
        r.fallback_message
    );
    (r.hits.iter().map(|h| h.id).collect(), r.total)
}

/// Every note the brute-force scan finds is returned, for words, AND and phrases.
fn check_against_brute_force(svc: &mut Service, db: &std::path::Path) {
    let bodies = all_bodies(db);
    let existing: BTreeSet<i64> = bodies.iter().map(|(id, _)| *id).collect();
    let word_queries: &[&[&str]] = &[
        &["fever"],
        &["nstemi"],
        &["coli"],
        &["edema"],
        &["88"],
        &["t2dm"],
        &["2"],
        &["café"],
        &["heart", "failure"],
        &["chest", "pain"],
        &["sepsis", "lactic"],
        &["e", "coli", "ceftriaxone"],
    ];
    for q in word_queries {
        let expect: BTreeSet<i64> = bodies
            .iter()
            .filter(|(_, b)| brute_all_words(b, q))
            .map(|(id, _)| *id)
            .collect();
        let (got, total) = ids(svc, &q.join(" "));
        assert!(
            !expect.is_empty(),
            "{q:?} should match some generated notes"
        );
        let missing: Vec<_> = expect.difference(&got).collect();
        assert!(
            missing.is_empty(),
            "{q:?}: the index missed notes {missing:?}"
        );
        assert_eq!(total, got.len(), "{q:?}: total counts the notes returned");
        assert!(
            got.is_subset(&existing),
            "{q:?}: hits for notes that do not exist"
        );
    }
    let phrases: &[&[&str]] = &[
        &["e", "coli"],
        &["heart", "failure"],
        &["o2", "sat", "88"],
        &["chest", "pain"],
        &["2", "pitting", "edema"],
        &["acute", "kidney", "injury"],
    ];
    for p in phrases {
        let expect: BTreeSet<i64> = bodies
            .iter()
            .filter(|(_, b)| brute_phrase(b, p))
            .map(|(id, _)| *id)
            .collect();
        let (got, _) = ids(svc, &format!("\"{}\"", p.join(" ")));
        assert!(
            !expect.is_empty(),
            "{p:?} should match some generated notes"
        );
        let missing: Vec<_> = expect.difference(&got).collect();
        assert!(
            missing.is_empty(),
            "phrase {p:?}: the index missed notes {missing:?}"
        );
        // Precision: a phrase hit has the words in order (stemmed forms allowed).
        for id in &got {
            let b = &bodies.iter().find(|(i, _)| i == id).unwrap().1;
            let w = words(b);
            assert!(
                w.windows(p.len()).any(|win| win
                    .iter()
                    .zip(p.iter())
                    .all(|(a, b)| a.starts_with(&b[..b.len().min(3)]))),
                "phrase {p:?} returned note {id} without it: {b}"
            );
        }
    }
    // A word that stems to itself only: every hit really contains it.
    let (got, _) = ids(svc, "nstemi");
    for id in got {
        let b = &bodies.iter().find(|(i, _)| *i == id).unwrap().1;
        assert!(b.to_lowercase().contains("nstemi"), "{b}");
    }
}

#[test]
fn search_finds_every_note_a_brute_force_scan_finds() {
    let (_t, data) = fixture();
    let first = notes(1500, 7);
    insert_notes(&data.db_path(), &first);
    // Start-up indexes the notes it has not seen.
    let mut svc = open_as(&data, ALICE);
    check_against_brute_force(&mut svc, &data.db_path());
    drop(svc);

    // Change the database behind the index's back: update, delete and add notes.
    {
        let conn = chartdesk::store::open(&data.db_path()).unwrap();
        let mut g = Gen::new(99);
        for id in (10..400).step_by(4) {
            conn.execute(
                "UPDATE notes SET body = ?2 WHERE id = ?1",
                rusqlite::params![id, body(&mut g)],
            )
            .unwrap();
        }
        for id in (401..600).step_by(5) {
            conn.execute("DELETE FROM notes WHERE id = ?1", [id])
                .unwrap();
        }
        conn.execute(
            "UPDATE encounters SET enc_type = 'observation' WHERE account = 'A300'",
            [],
        )
        .unwrap();
    }
    insert_notes(&data.db_path(), &notes(300, 8));
    let mut svc = open_as(&data, ALICE);
    check_against_brute_force(&mut svc, &data.db_path());
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    let n: usize = conn
        .query_row("SELECT COUNT(*) FROM notes", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize;
    assert_eq!(svc.notes_index_row_ids().unwrap().len(), n);
    // The retyped encounter's notes moved to the new encounter type.
    let obs = svc.search_notes("enc:observation", &all(0)).unwrap().total;
    let a300: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM notes n JOIN encounters e ON e.id = n.encounter_id WHERE e.account = 'A300'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(obs as i64, a300);
}

fn note(id: &str, acc: &str, t: &str, author: &str, at: &str, body: &str) -> Note {
    Note {
        note_id: id.into(),
        account: acc.into(),
        note_type: t.into(),
        author: author.into(),
        written_at: at.into(),
        body: body.into(),
    }
}

/// The fixture plus a handful of hand-written notes; returns the service and the note ids by name.
fn small() -> (tempfile::TempDir, chartdesk::service::DataDir, Service) {
    let (t, data) = fixture();
    insert_notes(
        &data.db_path(),
        &[
            note(
                "EX",
                "A100",
                "Progress Note",
                "Dr. Ann Smith",
                "2026-10-02T08:00:00Z",
                "Patient has a fever today. Plan: tylenol.",
            ),
            note(
                "ST",
                "A100",
                "Progress Note",
                "Dr. Raj Patel",
                "2026-10-03T08:00:00Z",
                "Patient has fevers today. Plan: tylenol.",
            ),
            note(
                "EC",
                "A200",
                "Consultation",
                "Dr. Ann Smith",
                "2026-10-05T08:00:00Z",
                "Urine culture: E. coli >100k. O2 sat 88% on RA. 2+ edema.",
            ),
            note(
                "EC2",
                "A300",
                "ED Note",
                "Dr. Li Wong",
                "2026-10-07T08:00:00Z",
                "Blood culture E.coli. Troponin positive, NSTEMI. T2DM. 2 L NC.",
            ),
            note(
                "HF",
                "A100",
                "Discharge Summary",
                "Dr. Ann Smith",
                "2026-10-09T08:00:00Z",
                "Acute on chronic diastolic CHF with volume overload. Pneumonia resolved.",
            ),
            note(
                "PN",
                "A200",
                "Progress Note",
                "Dr. Li Wong",
                "2026-10-11T08:00:00Z",
                "Pneumothorax on chest x-ray; pneumococcal vaccine given.",
            ),
        ],
    );
    let svc = open_as(&data, ALICE);
    (t, data, svc)
}

fn note_ids(svc: &mut Service, q: &str, nq: &NoteQuery) -> Vec<String> {
    svc.search_notes(q, nq)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.note_id)
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn found(svc: &mut Service, q: &str) -> BTreeSet<String> {
    note_ids(svc, q, &all(50)).into_iter().collect()
}

#[test]
fn exact_forms_rank_above_stemmed_forms() {
    let (_t, _d, mut svc) = small();
    let v = note_ids(&mut svc, "fever", &all(10));
    assert_eq!(v, ["EX", "ST"], "both found, the exact form first");
    let v = note_ids(&mut svc, "fevers", &all(10));
    assert_eq!(v, ["ST", "EX"]);
}

#[test]
fn clinical_tokens_are_searchable() {
    let (_t, _d, mut svc) = small();
    assert_eq!(found(&mut svc, "E. coli"), set(&["EC", "EC2"]));
    assert_eq!(found(&mut svc, "e.coli"), set(&["EC", "EC2"]));
    assert_eq!(found(&mut svc, "\"e coli\""), set(&["EC", "EC2"]));
    assert_eq!(found(&mut svc, "nstemi"), set(&["EC2"]));
    assert_eq!(found(&mut svc, "NSTEMI"), set(&["EC2"]));
    assert_eq!(found(&mut svc, "T2DM"), set(&["EC2"]));
    assert_eq!(found(&mut svc, "2+"), set(&["EC"]), "2+ is not any 2");
    assert_eq!(found(&mut svc, "2"), set(&["EC", "EC2"]));
    assert_eq!(found(&mut svc, "88%"), set(&["EC"]));
    assert_eq!(found(&mut svc, "\"O2 sat 88%\""), set(&["EC"]));
    assert_eq!(found(&mut svc, "o2 sat 88"), set(&["EC"]));
}

#[test]
fn query_language() {
    let (_t, _d, mut svc) = small();
    assert_eq!(
        found(&mut svc, "nstemi OR pneumothorax"),
        set(&["EC2", "PN"])
    );
    assert_eq!(found(&mut svc, "culture -nstemi"), set(&["EC"]));
    assert_eq!(found(&mut svc, "tylenol -\"has fevers\""), set(&["EX"]));
    assert_eq!(found(&mut svc, "pneumo*"), set(&["HF", "PN"]));
    assert_eq!(found(&mut svc, "type:progress"), set(&["EX", "ST", "PN"]));
    assert_eq!(
        found(&mut svc, "type:ds"),
        set(&["HF", "N-A100", "N-A200", "N-A300"])
    );
    assert_eq!(
        found(&mut svc, "patient type:progress author:smith"),
        set(&["EX"])
    );
    assert_eq!(found(&mut svc, "author:wong"), set(&["EC2", "PN"]));
    assert_eq!(
        found(&mut svc, "after:2026-10-07"),
        set(&["EC2", "HF", "PN", "N-A100", "N-A200", "N-A300"])
    );
    assert_eq!(found(&mut svc, "before:2026-10-03"), set(&["EX"]));
    assert_eq!(
        found(&mut svc, "after:2026-10-03 before:2026-10-09"),
        set(&["ST", "EC", "EC2"])
    );
    assert_eq!(found(&mut svc, "enc:ed"), set(&["EC2", "N-A300"]));
    assert_eq!(
        found(&mut svc, "enc:inpatient -type:progress"),
        set(&["HF", "N-A100"])
    );
    assert_eq!(
        found(&mut svc, "-type:progress -type:ds"),
        set(&["EC", "EC2"])
    );

    // Typing: the last word is a prefix until a space follows it.
    let typing = NoteQuery {
        typing: true,
        ..all(10)
    };
    let v: BTreeSet<String> = note_ids(&mut svc, "chest pneumot", &typing)
        .into_iter()
        .collect();
    assert_eq!(v, set(&["PN"]));
    let v = note_ids(&mut svc, "pneumon", &typing);
    assert_eq!(v, ["HF"]);
    let v = note_ids(&mut svc, "pneumon ", &typing);
    assert!(v.is_empty(), "a finished word is a word: {v:?}");

    // One encounter only; date order.
    let enc = svc.encounter_id("A100").unwrap();
    let q = NoteQuery {
        encounter: Some(enc),
        order: NoteOrder::Newest,
        ..all(10)
    };
    assert_eq!(
        note_ids(&mut svc, "patient OR overload", &q),
        ["HF", "ST", "EX"]
    );
    let q = NoteQuery {
        order: NoteOrder::Oldest,
        ..all(2)
    };
    assert_eq!(note_ids(&mut svc, "type:progress", &q), ["EX", "ST"]);
    // Filters alone list newest first.
    assert_eq!(
        note_ids(&mut svc, "author:smith", &all(10)),
        ["HF", "EC", "EX"]
    );
}

#[test]
fn malformed_queries_fall_back_to_plain_words_and_say_so() {
    let (_t, _d, mut svc) = small();
    for q in [
        "pneumonia \"resolved",
        "OR pneumonia resolved",
        "pneumonia resolved OR",
        "pneumonia OR -resolved",
    ] {
        let r = svc.search_notes(q, &all(10)).unwrap();
        let m = r.fallback_message.unwrap_or_default();
        assert!(m.contains("Could not read the query"), "{q}: {m}");
        let got: Vec<&str> = r.hits.iter().map(|h| h.note_id.as_str()).collect();
        assert_eq!(got, ["HF"], "{q}");
    }
    let r = svc.search_notes("fever after:someday", &all(10)).unwrap();
    assert!(r.fallback_message.unwrap().contains("after:someday"));
    assert_eq!(r.total, 2);
    let r = svc.search_notes("\"\" - * OR", &all(10)).unwrap();
    assert_eq!(r.total, 0);
    let r = svc.search_notes("", &all(10)).unwrap();
    assert_eq!((r.total, r.hits.len()), (0, 0));
}

#[test]
fn snippets_highlight_the_matching_words() {
    let (_t, _d, mut svc) = small();
    let r = svc.search_notes("volume overload", &all(5)).unwrap();
    let h = &r.hits[0];
    assert_eq!(h.note_id, "HF");
    assert_eq!(h.account, "A100");
    assert_eq!(h.note_type, "Discharge Summary");
    assert!(h.score > 0.0);
    let words: Vec<String> = h
        .snippet
        .highlights
        .iter()
        .map(|r| h.snippet.text[r.clone()].to_lowercase())
        .collect();
    assert_eq!(words, ["volume", "overload"]);
    // Whole-body ranges for a viewer, stemmed forms included, exclusions not.
    let (_, body) = svc.read_note(h.id).unwrap();
    let ranges = svc
        .note_hit_ranges(h.id, "overload pneumonias -volume")
        .unwrap();
    let marked: Vec<&str> = ranges.iter().map(|r| &body[r.clone()]).collect();
    assert_eq!(marked, ["overload", "Pneumonia"]);
    // Long bodies are cut around the match, on one line.
    let (_t2, data) = fixture();
    let long = format!(
        "{}\nThe patient developed rhabdomyolysis.\n{}",
        "filler words here. ".repeat(40),
        "more filler. ".repeat(40)
    );
    insert_notes(
        &data.db_path(),
        &[note(
            "L",
            "A100",
            "Progress Note",
            "Dr. X",
            "2026-10-01T00:00:00Z",
            &long,
        )],
    );
    let mut svc = open_as(&data, ALICE);
    let r = svc.search_notes("rhabdomyolysis", &all(1)).unwrap();
    let s = &r.hits[0].snippet;
    assert!(s.text.len() < 220, "{}", s.text);
    assert!(
        s.text.starts_with('…') && s.text.ends_with('…'),
        "{}",
        s.text
    );
    assert!(!s.text.contains('\n'));
    assert_eq!(&s.text[s.highlights[0].clone()], "rhabdomyolysis");
}

#[test]
fn searching_notes_is_audited_and_needs_a_user_who_may_view_charts() {
    let (_t, data, mut svc) = small();
    let enc = svc.encounter_id("A200").unwrap();
    svc.search_notes(
        "e coli",
        &NoteQuery {
            encounter: Some(enc),
            ..all(5)
        },
    )
    .unwrap();
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    let (login, object, detail, e): (String, String, String, Option<i64>) = conn
        .query_row(
            "SELECT login, object, detail, encounter_id FROM audit WHERE action = 'search_notes' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (login.as_str(), object.as_str(), e),
        (ALICE, "e coli", Some(enc))
    );
    assert!(detail.starts_with("1 notes"), "{detail}");
    // CDI specialists read charts too.
    let mut cdi = open_as(&data, CAROL_CDI);
    assert_eq!(cdi.search_notes("nstemi", &all(5)).unwrap().total, 1);
}
