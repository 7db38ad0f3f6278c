//! kill -9 in the middle of an import: afterwards the database holds a prefix of the file (the
//! batches committed so far, each whole), the database and the notes index agree on which notes
//! exist (the next start-up brings the index up to the database), and importing the file again
//! completes it without storing anything twice.
mod common;
#[path = "notes_support.rs"]
mod support;

use chartdesk::domain::Role;
use chartdesk::service::{DataDir, NoteQuery};
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use support::*;

/// The fixture, with the login running the tests as an admin (the binary acts as that login).
fn admin_fixture() -> (tempfile::TempDir, DataDir) {
    let (t, data) = fixture();
    let me = chartdesk::service::os_login().unwrap();
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::users::upsert(&conn, &me, Role::Admin, "", None, &chartdesk::store::now())
        .unwrap();
    (t, data)
}

fn write_jsonl(path: &Path, n: usize, seed: u64) {
    let mut text = String::new();
    for note in notes(n, seed) {
        let line = serde_json::json!({
            "note_id": note.note_id, "account": note.account, "mrn": "MRN0000001",
            "note_type": note.note_type, "author": note.author, "written_at": note.written_at,
            "text": note.body,
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn db_ids(data: &DataDir) -> Vec<i64> {
    all_bodies(&data.db_path())
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

fn spawn_import(t: &tempfile::TempDir, data: &DataDir, file: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(["import", "notes", "--format", "jsonl"])
        .arg(file)
        .env("CHARTDESK_DATA_DIR", &data.root)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", t.path().join("home"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_killed_import_leaves_the_index_and_the_database_in_agreement() {
    let (t, data) = admin_fixture();
    let n = 20_000;
    // First, how long a whole import takes here.
    let file = t.path().join("warmup.jsonl");
    write_jsonl(&file, n, 99);
    let started = Instant::now();
    let status = spawn_import(&t, &data, &file).wait().unwrap();
    assert!(status.success());
    let full = started.elapsed();
    let mut outcomes = Vec::new();
    // Kill at fractions of that: early, while storing, around the commits, after the end.
    for (round, frac) in [0.1, 0.4, 0.7, 0.85, 0.95, 1.0, 1.5]
        .into_iter()
        .enumerate()
    {
        let file = t.path().join(format!("big{round}.jsonl"));
        write_jsonl(&file, n, 100 + round as u64);
        let before = db_ids(&data).len();
        let mut child = spawn_import(&t, &data, &file);
        std::thread::sleep(full.mul_f64(frac));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        let after = db_ids(&data);
        let added = after.len() - before;
        // Whole batches, in file order: the notes stored are the file's first `added`.
        let stored: Vec<String> = all_bodies(&data.db_path())
            .into_iter()
            .skip(before)
            .map(|(_, b)| b)
            .collect();
        let expected: Vec<String> = notes(n, 100 + round as u64)
            .into_iter()
            .take(added)
            .map(|n| n.body)
            .collect();
        assert!(
            stored == expected,
            "round {round}: the {added} notes stored are not the file's first {added}"
        );
        outcomes.push((frac, finished, added));

        // The next start-up reconciles; then index and database hold the same notes.
        let mut svc = open_as(&data, ALICE);
        assert_eq!(svc.notes_index_row_ids().unwrap(), after, "round {round}");
        let bodies = all_bodies(&data.db_path());
        let expect = bodies
            .iter()
            .filter(|(_, b)| brute_all_words(b, &["nstemi"]))
            .count();
        let got = svc
            .search_notes(
                "nstemi",
                &NoteQuery {
                    limit: 0,
                    ..Default::default()
                },
            )
            .unwrap()
            .total;
        assert_eq!(got, expect, "round {round}");
        drop(svc);

        // Importing the file again completes it; nothing is stored twice.
        let status = spawn_import(&t, &data, &file).wait().unwrap();
        assert!(
            status.success(),
            "round {round}: the import run again failed"
        );
        let complete = db_ids(&data);
        assert_eq!(
            complete.len(),
            before + n,
            "round {round}: after the re-run"
        );
        let mut svc = open_as(&data, ALICE);
        assert_eq!(
            svc.notes_index_row_ids().unwrap(),
            complete,
            "round {round}: index after the re-run"
        );
    }
    eprintln!(
        "full import {full:?}; kill outcomes (fraction, finished, notes added): {outcomes:?}"
    );
    // The rounds must have exercised both sides: killed before the end, and completed.
    assert!(
        outcomes.iter().any(|o| o.2 < n),
        "no round was killed mid-import: {outcomes:?}"
    );
    assert!(
        outcomes.iter().any(|o| o.2 == n),
        "no round completed: {outcomes:?}"
    );
}
