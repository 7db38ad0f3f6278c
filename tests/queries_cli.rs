//! The query commands of the binary: the workflow for scripts, the queue listing, exit codes.
mod common;

use chartdesk::domain::{Note, Role};
use chartdesk::service::DataDir;
use std::path::Path;
use std::process::{Command, Output};

/// The fixture with the login running the tests as `role`, and a cardiology note on A100.
fn fixture_as(role: Role) -> (tempfile::TempDir, DataDir) {
    let (t, data) = common::fixture();
    set_role(&data, role);
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::notes::insert(
        &conn,
        &Note {
            note_id: "CARD-1".into(),
            account: "A100".into(),
            note_type: "Cardiology Consult".into(),
            author: "Dr. Heart".into(),
            written_at: "2026-11-02T09:30:00Z".into(),
            body: "BNP 1,250 pg/mL. Echo: LVEF 25%. CHF exacerbation.".into(),
        },
    )
    .unwrap();
    (t, data)
}

fn set_role(data: &DataDir, role: Role) {
    let me = chartdesk::service::os_login().unwrap();
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::users::upsert(&conn, &me, role, "", None, &chartdesk::store::now()).unwrap();
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

/// Runs and returns (exit code, stdout, stderr).
fn run(data: &DataDir, args: &[&str]) -> (i32, String, String) {
    let o = chartdesk(&data.root, args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_query_from_template_to_closure() {
    let (_t, data) = fixture_as(Role::Cdi);
    let (code, out, err) = run(&data, &["query", "templates"]);
    assert_eq!(code, 0, "{err}");
    for name in [
        "heart_failure",
        "sepsis",
        "malnutrition",
        "acute_kidney_injury",
        "anemia",
        "encephalopathy",
        "respiratory_failure",
        "poa",
    ] {
        assert!(out.contains(name), "no {name} in {out}");
    }

    let (code, out, err) = run(
        &data,
        &["query", "new", "A100", "--template", "heart_failure"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("created query 1 (draft) on A100"), "{out}");
    assert!(
        out.contains("draft #1 saved; before sending:\n  - no clinical indicators"),
        "{out}"
    );
    assert!(
        !out.contains("error:"),
        "a saved draft is not an error: {out}"
    );
    let (code, out, _) = run(&data, &["query", "check", "1"]);
    assert_eq!(code, 1, "errors remain: {out}");
    let (code, _, err) = run(&data, &["query", "send", "1"]);
    assert_eq!(code, 2, "sending a non-compliant query is refused");
    assert!(
        err.contains("cannot be sent") && err.lines().count() == 1,
        "{err}"
    );

    let (code, out, err) = run(
        &data,
        &[
            "query",
            "pin",
            "1",
            "--note",
            "CARD-1",
            "--quote",
            "BNP 1,250 pg/mL",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\"BNP 1,250 pg/mL\" (CARD-1, Dr. Heart"),
        "{out}"
    );
    let (code, out, _) = run(&data, &["query", "check", "1"]);
    assert_eq!((code, out.trim()), (0, "query 1: compliant"));

    let (code, out, err) = run(&data, &["query", "send", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("encounter A100 is on hold"), "{out}");
    let (_, out, _) = run(&data, &["encounters", "--status", "hold"]);
    assert!(out.contains("A100"), "{out}");

    let (code, out, err) = run(&data, &["queries", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "open");
    assert_eq!(rows[0]["account"], "A100");
    assert_eq!(rows[0]["provider"], "Dr. Test");
    let (_, out, _) = run(&data, &["queries", "--status", "draft"]);
    assert!(out.contains("(no queries)"), "{out}");
    let (_, out, _) = run(&data, &["queries", "--status", "open"]);
    assert!(out.lines().nth(1).unwrap_or("").contains("A100"), "{out}");

    let (code, out, err) = run(&data, &["query", "show", "1", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["query"]["status"], "open");
    assert_eq!(v["indicators"][0]["quote"], "BNP 1,250 pg/mL");
    let events: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["create", "edit", "send"]);
    for (args, n) in [
        (&["queries", "--encounter", "A100"][..], 1),
        (&["queries", "--encounter", "A200"][..], 0),
        (&["queries", "--encounter-type", "inpatient"][..], 1),
        (&["queries", "--encounter-type", "emergency"][..], 0),
        (&["queries", "--attending", "dr. test"][..], 1),
        (&["queries", "--attending", "Dr. Nobody"][..], 0),
    ] {
        let (code, out, err) = run(&data, args);
        assert_eq!(code, 0, "{err}");
        let rows = out.lines().filter(|l| l.contains(" A100 ")).count();
        assert_eq!(rows, n, "{args:?}: {out}");
    }
    let (code, out, _) = run(&data, &["query", "show", "1", "--markdown"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# Documentation query 1"), "{out}");
    assert!(out.contains("- [ ] Clinically undetermined"), "{out}");

    let (code, out, err) = run(
        &data,
        &[
            "query",
            "answer",
            "1",
            "--outcome",
            "agreed",
            "--response",
            "Chronic systolic heart failure",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "query 1 answered: agreed");
    let (code, _, _) = run(&data, &["query", "close", "1"]);
    assert_eq!(code, 0);
    let (code, _, err) = run(
        &data,
        &[
            "query",
            "answer",
            "1",
            "--outcome",
            "agreed",
            "--response",
            "again",
        ],
    );
    assert_eq!(code, 2, "a refused request exits 2");
    assert!(err.contains("nothing more can be done"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn bad_input_and_refusals() {
    let (_t, data) = fixture_as(Role::Cdi);
    let (code, _, err) = run(&data, &["query", "new", "A100"]);
    assert_eq!(code, 2, "bad usage exits 2");
    assert!(
        err.contains("--template NAME, or --type and --question"),
        "{err}"
    );
    let (code, _, err) = run(&data, &["query", "new", "A999", "--template", "sepsis"]);
    assert_eq!(code, 1);
    assert!(err.contains("A999"), "{err}");
    let (code, _, err) = run(&data, &["query", "new", "A100", "--template", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("heart_failure"), "lists the templates: {err}");
    let (code, out, err) = run(
        &data,
        &[
            "query",
            "new",
            "A100",
            "--type",
            "yes_no",
            "--question",
            "Does the patient have sepsis?",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\n  - yes/no is only for"), "{out}");
    let (code, _, err) = run(&data, &["query", "cancel", "1", "--reason", "wrong format"]);
    assert_eq!(code, 0, "{err}");
    // Usage errors (clap) exit 2.
    let (code, _, err) = run(
        &data,
        &[
            "query",
            "answer",
            "1",
            "--outcome",
            "maybe",
            "--response",
            "x",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("agreed"), "{err}");

    // CDI may not see metrics; as a coder not holding A100, the query is hidden.
    let (code, _, err) = run(&data, &["query", "metrics"]);
    assert_eq!(code, 2, "{err}");
    set_role(&data, Role::Coder);
    let (code, out, _) = run(&data, &["queries"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("canceled"),
        "the coder wrote query 1 (as CDI): {out}"
    );
    let (code, _, err) = run(&data, &["query", "templates"]);
    assert_eq!(code, 0, "{err}");
    set_role(&data, Role::Supervisor);
    let (code, out, err) = run(&data, &["query", "metrics", "--from", "2026-01-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("OVERALL") && out.contains("CDI SPECIALIST"),
        "{out}"
    );
    let (code, out, _) = run(&data, &["query", "metrics", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["overall"]["sent"], 0);
}

#[test]
fn a_coder_sees_only_their_encounters_queries() {
    let (_t, data) = fixture_as(Role::Coder);
    let mut carol = common::open_as(&data, common::CAROL_CDI);
    let enc = carol.encounter_id("A100").unwrap();
    let t = carol.query_template("heart_failure").unwrap();
    let id = carol
        .create_draft(
            enc,
            &chartdesk::service::QueryDraftInput::from_template(&t, ""),
        )
        .unwrap();
    let (code, _, err) = run(&data, &["query", "show", &id.to_string()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("may not see query {id}")), "{err}");
    let (code, out, _) = run(&data, &["queries"]);
    assert_eq!(code, 0);
    assert!(out.contains("(no queries)"), "{out}");
    // Holding the encounter makes its queries visible.
    let me = chartdesk::service::os_login().unwrap();
    let mut svc = common::open_as(&data, &me);
    svc.open_encounter("A100").unwrap();
    let (code, out, err) = run(&data, &["query", "show", &id.to_string()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DOCUMENTATION QUERY"), "{out}");
}

#[test]
fn templates_are_edited_from_a_json_file_and_checked() {
    let (_t, data) = fixture_as(Role::Cdi);
    let (code, out, err) = run(&data, &["query", "templates", "--json"]);
    assert_eq!(code, 0, "{err}");
    let mut t: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    t["name"] = "local_hf".into();
    t["title"] = "Local heart failure template".into();
    let file = data.root.join("t.json");
    std::fs::write(&file, t.to_string()).unwrap();
    let f = file.to_str().unwrap();
    let (code, out, err) = run(&data, &["query", "save-template", f]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("local_hf added"), "{out}");
    let (_, out, _) = run(&data, &["query", "templates"]);
    assert!(out.contains("Local heart failure template"), "{out}");

    // A leading, payment-minded question is refused and nothing changes.
    t["question"] = "Please document the DRG-relevant diagnosis.".into();
    std::fs::write(&file, t.to_string()).unwrap();
    let (code, _, err) = run(&data, &["query", "save-template", f]);
    assert_ne!(code, 0);
    assert!(err.contains("not compliant"), "{err}");
    // A broken file names itself and the place.
    std::fs::write(&file, "{\"name\": 3").unwrap();
    let (code, _, err) = run(&data, &["query", "save-template", f]);
    assert_ne!(code, 0);
    assert!(err.contains("t.json: line 1"), "{err}");
    // Coders may read templates but not change them.
    set_role(&data, Role::Coder);
    let (_, json, _) = run(&data, &["query", "templates", "--json"]);
    std::fs::write(&file, json.lines().next().unwrap()).unwrap();
    let (code, _, err) = run(&data, &["query", "save-template", f]);
    assert_eq!(code, 2, "{err}");
}
