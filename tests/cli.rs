//! The binary's command line: exit codes, output formats, global options, refusals.
mod common;
use std::process::{Command, Output};

fn chartdesk(data: &std::path::Path, args: &[&str]) -> Output {
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

#[test]
fn an_unknown_login_is_refused_with_exit_code_2() {
    // The fixture's users do not include the login running the tests.
    let (_t, data) = common::fixture();
    let o = chartdesk(&data.root, &["encounters"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is not a chartdesk user"), "{err}");
    assert!(err.contains("chartdesk user add"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
}

#[test]
fn init_demo_then_list_search_and_export() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = chartdesk(&data, &["init", "--demo", "--encounters", "12"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("demo data: 12 encounters"), "{out}");
    assert!(out.contains("ICD-10-CM FY2026"), "{out}");

    // init again keeps everything and says so; --data-dir after the subcommand works too.
    let o = Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(["init", "--demo", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("existing data kept: 12 encounters"), "{out}");
    assert!(out.contains("demo data not added"), "{out}");

    let o = chartdesk(&data, &["encounters", "--json"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 12);
    for r in &rows {
        for k in ["account", "patient", "type", "status"] {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
    }

    let o = chartdesk(&data, &["search", "codes", "chf", "--json", "--limit", "5"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let hits: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!hits.is_empty() && hits.len() <= 5);
    let first = &hits[0];
    assert!(
        first["code"].as_str().unwrap().starts_with("I50"),
        "{first}"
    );
    assert_eq!(first["system"], "ICD-10-CM");
    assert!(first.get("title").is_some() && first.get("billable").is_some());

    let o = chartdesk(&data, &["export", "codes", "--format", "csv"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.starts_with("account,mrn,enc_type"), "{out}");

    let o = chartdesk(&data, &["export", "codes", "--encounter", "NOPE"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("no encounter with account 'NOPE'"));

    let o = chartdesk(&data, &["user", "add", "newcoder", "--role", "wizard"]);
    assert_eq!(o.status.code(), Some(2), "bad usage exits 2");
    assert!(text(&o).1.contains("unknown role 'wizard'"));
    let o = chartdesk(&data, &["user", "add", "newcoder", "--role", "coder"]);
    assert!(o.status.success(), "{}", text(&o).1);
}

#[test]
fn the_workstation_without_a_terminal_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let o = chartdesk(&tmp.path().join("d"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("needs a terminal"), "{}", text(&o).1);
}

#[test]
fn a_broken_config_names_the_key_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("bad.toml");
    std::fs::write(&cfg, "[ui]\ncolour = \"never\"\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(["encounters", "--config"])
        .arg(&cfg)
        .env("CHARTDESK_DATA_DIR", tmp.path().join("d"))
        .output()
        .unwrap();
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("bad.toml") && err.contains("colour"), "{err}");
}

#[test]
fn importing_a_malformed_order_file_keeps_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    assert!(chartdesk(&data, &["init"]).status.success());
    let bad = tmp.path().join("icd10cm_order_2027.txt");
    std::fs::write(
        &bad,
        "00001 A00     0 Cholera                                                      Cholera\n\
         00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae           Cholera due to Vibrio cholerae 01, biovar cholerae\n\
         garbage line\n",
    )
    .unwrap();
    let o = chartdesk(&data, &["import", "codes", bad.to_str().unwrap()]);
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("line 3"), "{err}");
    let conn = rusqlite::Connection::open(data.join("chartdesk.db")).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM code_sets WHERE version = 'FY2027'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
}
