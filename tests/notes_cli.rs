//! The notes commands of the binary: import summaries and exit codes, search output formats.
mod common;

use chartdesk::domain::Role;
use chartdesk::service::DataDir;
use std::path::Path;
use std::process::{Command, Output};

fn admin_fixture() -> (tempfile::TempDir, DataDir) {
    let (t, data) = common::fixture();
    let me = chartdesk::service::os_login().unwrap();
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::users::upsert(&conn, &me, Role::Admin, "", None, &chartdesk::store::now())
        .unwrap();
    (t, data)
}

fn chartdesk(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(args)
        .env("CHARTDESK_DATA_DIR", data)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", data.join("home"))
        .output()
        .expect("run chartdesk")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn fixture_file(name: &str) -> String {
    format!("{}/tests/fixtures/notes/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn import_then_search_notes_from_the_command_line() {
    let (_t, data) = admin_fixture();
    let root = &data.root;
    let o = chartdesk(root, &["import", "notes", &fixture_file("notes.jsonl")]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(
        out.contains("notes.jsonl: 4 added, 0 updated, 0 unchanged, 0 rejected"),
        "{out}"
    );
    assert!(out.contains("patients: 2 added"), "{out}");
    assert!(out.contains("notes read in"), "{out}");

    let o = chartdesk(root, &["import", "notes", &fixture_file("notes.jsonl")]);
    assert!(
        text(&o).0.contains("0 added, 0 updated, 4 unchanged"),
        "{:?}",
        text(&o)
    );

    let o = chartdesk(root, &["search", "notes", "nstemi", "--json"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    for r in &rows {
        for k in [
            "note_id",
            "account",
            "note_type",
            "written_at",
            "score",
            "snippet",
        ] {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
        assert_eq!(r["account"], "B500");
        assert!(r["snippet"].as_str().unwrap().contains("NSTEMI"));
    }

    let o = chartdesk(root, &["search", "notes", "nstemi", "--count"]);
    assert_eq!(text(&o).0, "2\n");
    let o = chartdesk(root, &["search", "notes", "type:ds", "--count"]);
    assert_eq!(text(&o).0, "4\n", "the fixture's three and J-3");

    let o = chartdesk(root, &["search", "notes", "e", "coli", "--limit", "1"]);
    let (out, _) = text(&o);
    assert!(out.contains("J-1") && out.contains("[E]. [coli]"), "{out}");
    assert!(out.contains("1 note match"), "{out}");

    // A malformed query still answers, and says what it did on stderr.
    let o = chartdesk(root, &["search", "notes", "\"chest pain", "--count"]);
    let (out, err) = text(&o);
    assert!(o.status.success());
    assert_eq!(out, "1\n");
    assert!(err.contains("Could not read the query"), "{err}");
}

#[test]
fn a_bad_file_exits_1_and_names_the_record() {
    let (t, data) = admin_fixture();
    let o = chartdesk(
        &data.root,
        &["import", "notes", &fixture_file("bad_type.jsonl")],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("line 3 (note T-3), field note_type"), "{err}");

    let report = t.path().join("rejects.jsonl");
    let o = chartdesk(
        &data.root,
        &[
            "import",
            "notes",
            &fixture_file("bad_type.jsonl"),
            "--skip-bad",
            "--reject-report",
            report.to_str().unwrap(),
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(
        out.contains("3 added, 0 updated, 0 unchanged, 3 rejected"),
        "{out}"
    );
    assert!(
        out.contains("rejected by field: account 1, note_type 1, written_at 1"),
        "{out}"
    );
    assert!(
        out.contains(&format!("reject report: {}", report.display())),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&report).unwrap().lines().count(), 3);

    // Coders may search but not import (exit code 2).
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    let me = chartdesk::service::os_login().unwrap();
    chartdesk::store::users::upsert(&conn, &me, Role::Coder, "", None, &chartdesk::store::now())
        .unwrap();
    let o = chartdesk(&data.root, &["import", "notes", &fixture_file("notes.csv")]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let o = chartdesk(&data.root, &["search", "notes", "gout", "--count"]);
    assert_eq!(text(&o).0, "3\n");
}
