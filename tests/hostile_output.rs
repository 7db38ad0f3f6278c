//! Safe to print: escape sequences and bidi overrides stored in notes, names, authors, queries and
//! audit details, or typed as search text, never reach the terminal raw from the binary's human
//! output (they are shown as `^[`, `\x9b`, `<U+202E>`), and `--json` stays valid JSON with the
//! same text.
mod common;

use chartdesk::domain::{Encounter, EncounterType, Note, Patient, Role, Sex};
use chartdesk::service::DataDir;
use std::path::Path;
use std::process::Command;

const OSC52: &str = "\x1b]52;c;ZWNobyBwd25lZA==\x07";
const OSC0: &str = "\x1b]0;pwned\x07";
const CSI2J: &str = "\x1b[2J";
const C1: &str = "\u{9b}31m";
const BIDI: &str = "\u{202E}txt.exe";

fn evil(tag: &str) -> String {
    format!("{tag} {OSC52}{OSC0}{CSI2J}{C1}{BIDI}")
}

fn fixture() -> (tempfile::TempDir, DataDir) {
    let (t, data) = common::fixture();
    let me = chartdesk::service::os_login().unwrap();
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    let at = chartdesk::store::now();
    chartdesk::store::users::upsert(&conn, &me, Role::Admin, "", None, &at).unwrap();
    chartdesk::store::encounters::upsert_patient(
        &conn,
        &Patient {
            mrn: "MRN-EVIL".into(),
            name: evil("Evil, Name"),
            birth_date: "1950-01-01".into(),
            sex: Sex::Male,
        },
    )
    .unwrap();
    chartdesk::store::encounters::insert(
        &conn,
        &Encounter {
            account: "A666".into(),
            mrn: "MRN-EVIL".into(),
            enc_type: EncounterType::Inpatient,
            admit_date: "2026-11-01".into(),
            discharge_date: Some("2026-11-03".into()),
            attending: evil("Dr. Attending"),
            total_charges_cents: 100,
        },
    )
    .unwrap();
    chartdesk::store::notes::insert(
        &conn,
        &Note {
            note_id: "EVIL-1".into(),
            account: "A100".into(),
            note_type: evil("Progress"),
            author: evil("Dr. Author"),
            written_at: "2026-11-02T09:30:00Z".into(),
            body: format!(
                "Heart failure with pwned clipboard {OSC52} and title {OSC0} clear {CSI2J} \
                 eight-bit {C1} reversed {BIDI}. BNP 1,250 pg/mL."
            ),
        },
    )
    .unwrap();
    (t, data)
}

/// Runs a command; its stdout and stderr must hold no raw control or bidi character.
fn safe_run(data: &DataDir, args: &[&str]) -> (i32, String, String) {
    let (code, out, err) = common::run_cli(data, args);
    for (what, s) in [("stdout", &out), ("stderr", &err)] {
        let bad: Vec<char> = s
            .chars()
            .filter(|c| chartdesk::cli::sanitize::is_unsafe(*c))
            .collect();
        assert!(bad.is_empty(), "{args:?}: raw {bad:?} on {what}:\n{s}");
    }
    (code, out, err)
}

fn shown_safely(s: &str) -> bool {
    s.contains("^[]52;c;ZWNobyBwd25lZA==^G") && s.contains("<U+202E>txt.exe")
}

#[test]
fn database_text_is_shown_visibly_in_every_human_output() {
    let (_t, data) = fixture();

    let (code, out, err) = safe_run(&data, &["search", "notes", "pwned"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("EVIL-1") && out.contains("^["), "{out}");
    assert!(
        out.contains("Dr. Author ^[]52"),
        "author shown safely: {out}"
    );

    let (code, out, err) = safe_run(&data, &["encounters"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("A666"), "{out}");

    let quote = format!("pwned clipboard {OSC52}");
    let (code, out, err) = safe_run(
        &data,
        &["query", "new", "A100", "--template", "heart_failure"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = safe_run(
        &data,
        &["query", "pin", "1", "--note", "EVIL-1", "--quote", &quote],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("^[]52"), "{out}");
    let (code, out, err) = safe_run(&data, &["query", "show", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("^[]52;c;ZWNobyBwd25lZA==^G"), "{out}");
    let (code, _, err) = safe_run(&data, &["queries"]);
    assert_eq!(code, 0, "{err}");

    // Search text typed by the user comes back in messages.
    let typed = evil("zzqx");
    let (_, _, err) = safe_run(&data, &["search", "notes", &typed]);
    assert!(shown_safely(&err), "{err}");
    let (_, _, err) = safe_run(&data, &["search", "codes", &typed]);
    assert!(shown_safely(&err), "{err}");
    let (code, _, err) = safe_run(&data, &["code", &typed]);
    assert_ne!(code, 101, "no panic: {err}");
    let (code, _, err) = safe_run(&data, &["check", &typed]);
    assert_ne!(code, 101, "no panic: {err}");
    let (code, out, err) = safe_run(&data, &["audit", "--limit", "50"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("^["),
        "the search text in the audit details, shown safely: {out}"
    );

    let (code, _, _) = safe_run(&data, &["user", "list"]);
    assert_eq!(code, 0);
}

#[test]
fn json_output_keeps_the_exact_text() {
    let (_t, data) = fixture();
    let (code, out, err) = safe_run(&data, &["search", "notes", "pwned", "--json"]);
    assert_eq!(code, 0, "{err}");
    let mut authors = Vec::new();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
        authors.extend(v["author"].as_str().map(str::to_string));
    }
    assert!(authors.contains(&evil("Dr. Author")), "{out}");
}

#[test]
fn a_planted_index_pointer_is_rebuilt_and_never_logged_raw() {
    let (_t, data) = fixture();
    let (code, _, err) = safe_run(&data, &["search", "notes", "pwned"]);
    assert_eq!(code, 0, "{err}");
    let pointer = data.root.join("index").join("NOTES");
    std::fs::write(
        &pointer,
        "notes-x\nFAKE ERROR admin deleted \x1b]0;pwned\x07",
    )
    .unwrap();
    let (code, out, err) = safe_run(&data, &["search", "notes", "pwned"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("EVIL-1"), "the index was rebuilt: {out}");
    let now = std::fs::read_to_string(&pointer).unwrap();
    assert!(now.trim().chars().all(|c| c.is_ascii_graphic()), "{now:?}");
    let log = std::fs::read_to_string(data.log_dir().join("chartdesk.log")).unwrap();
    assert!(log.contains("does not name an index generation"), "{log}");
    assert!(!log.lines().any(|l| l.starts_with("FAKE")), "{log}");
    assert!(
        !log.chars().any(chartdesk::cli::sanitize::is_unsafe),
        "{log}"
    );
}

#[test]
fn endless_and_oversized_import_lines_are_refused_naming_file_and_line() {
    let (_t, data) = fixture();
    // Without a newline, ever: refused after one limit's worth of bytes, not read to the end.
    let (code, _, err) = safe_run(
        &data,
        &["import", "notes", "/dev/zero", "--format", "jsonl"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("/dev/zero line 1 is longer than 16 MiB"),
        "{err}"
    );
    assert!(err.contains("import.max_line_bytes"), "{err}");
    let (code, _, err) = safe_run(
        &data,
        &[
            "import",
            "codes",
            "/dev/zero",
            "--system",
            "hcpcs",
            "--version",
            "2026",
        ],
    );
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("/dev/zero line 1 is longer than 16 MiB"),
        "{err}"
    );

    // Smaller limits from the config: a big note is rejected, a long line stops the file.
    let cfg = data.root.join("limits.toml");
    std::fs::write(
        &cfg,
        "[import]\nmax_note_bytes = 2048\nmax_line_bytes = 4096\n",
    )
    .unwrap();
    let note = |id: &str, len: usize| {
        serde_json::json!({"note_id": id, "account": "A100", "mrn": "MRN0000001",
            "note_type": "Progress Note", "author": "Dr. A", "written_at": "2026-11-02T09:15:00Z",
            "text": "x".repeat(len)})
        .to_string()
    };
    let file = data.root.join("big.jsonl");
    let body = [note("OK-1", 100), note("BIG-1", 3000), note("OK-2", 100)].join("\n");
    std::fs::write(&file, body).unwrap();
    let cfg_arg = cfg.to_str().unwrap();
    let file_arg = file.to_str().unwrap();
    let (code, out, err) = safe_run(
        &data,
        &[
            "--config",
            cfg_arg,
            "import",
            "notes",
            file_arg,
            "--skip-bad",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("line 2"), "{all}");
    assert!(
        all.contains("the note text is 3,000 bytes; notes are limited to 2,048 bytes, `import.max_note_bytes`"),
        "{all}"
    );
    let long = [note("OK-3", 100), note("LONG-1", 5000)].join("\n");
    std::fs::write(&file, long).unwrap();
    let (code, _, err) = safe_run(&data, &["--config", cfg_arg, "import", "notes", file_arg]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("big.jsonl line 2 is longer than 4,096 bytes"),
        "{err}"
    );
}

#[test]
fn a_reject_report_is_created_new_never_through_a_symlink() {
    let (_t, data) = fixture();
    let bad = std::fs::read("tests/fixtures/notes/bad_type.jsonl").unwrap();
    let file = data.root.join("bad.jsonl");
    std::fs::write(&file, bad).unwrap();
    let victim = data.root.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let link = data.root.join("rejects.jsonl");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let args = |report: &Path| {
        vec![
            "import".to_string(),
            "notes".into(),
            file.display().to_string(),
            "--skip-bad".into(),
            "--reject-report".into(),
            report.display().to_string(),
        ]
    };
    let run = |report: &Path| {
        let a = args(report);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        safe_run(&data, &a)
    };
    let (code, _, err) = run(&link);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("must not exist yet"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let fresh = data.root.join("fresh.jsonl");
    let (code, _, err) = run(&fresh);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&fresh)
            .unwrap()
            .contains("note_type")
    );
}

#[test]
fn backup_during_an_import_then_restore_onto_an_empty_directory() {
    let (t, data) = fixture();
    let file = t.path().join("many.jsonl");
    let lines: Vec<String> = (0..3000)
        .map(|i| {
            serde_json::json!({"note_id": format!("M-{i}"), "account": "A200", "mrn": "MRN0000001",
                "note_type": "Progress Note", "author": "Dr. A", "written_at": "2026-11-02T09:15:00Z",
                "text": format!("Hyperkalemia day {i}, potassium rechecked.")})
            .to_string()
        })
        .collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let mut import = Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(["import", "notes"])
        .arg(&file)
        .env("CHARTDESK_DATA_DIR", &data.root)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", data.root.join("home"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let dest = t.path().join("backup.db");
    let (code, out, err) = safe_run(&data, &["backup", dest.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("integrity check ok"), "{out}");
    assert!(import.wait().unwrap().success());
    let recipe = std::fs::read_to_string(t.path().join("backup.db.README.txt")).unwrap();
    assert!(recipe.contains("restore"), "{recipe}");
    // A second backup to the same name is refused.
    let (code, _, err) = safe_run(&data, &["backup", dest.to_str().unwrap()]);
    assert_ne!(code, 0, "{err}");

    // Restore refuses a directory with a database, and works on a new one.
    let (code, _, err) = safe_run(&data, &["restore", dest.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("already holds a database"), "{err}");
    let new = DataDir::new(t.path().join("restored"));
    let (code, out, err) = safe_run(&new, &["restore", dest.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(new.root.join("index").exists(), "indexes rebuilt");
    let (code, out, err) = safe_run(&new, &["search", "notes", "pwned", "--count"]);
    assert_eq!((code, out.trim()), (0, "1"), "{err}");
    // Whatever part of the import the copy holds, it is whole: notes and their encounters.
    let (code, out, err) = safe_run(&new, &["encounters"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("A100") && out.contains("A666"), "{out}");
}
