//! A data directory shared by several OS users: index files take the database file's mode, and an
//! index this process may not read is reported, never rebuilt into a new generation.
#![cfg(unix)]
mod common;
#[path = "notes_support.rs"]
mod support;

use chartdesk::service::DataDir;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use support::*;

fn pointed(data: &DataDir, pointer: &str) -> PathBuf {
    let name = std::fs::read_to_string(data.root.join("index").join(pointer)).unwrap();
    data.root.join("index").join(name.trim())
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file and directory under `dir` (and `dir` itself) with a mode other than expected.
fn wrong_modes(dir: &Path, file: u32, directory: u32) -> Vec<String> {
    let mut wrong = Vec::new();
    if mode(dir) != directory {
        wrong.push(format!("{} {:o}", dir.display(), mode(dir)));
    }
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            wrong.extend(wrong_modes(&p, file, directory));
        } else if mode(&p) != file {
            wrong.push(format!("{} {:o}", p.display(), mode(&p)));
        }
    }
    wrong
}

#[test]
fn index_files_take_the_database_files_mode_after_rebuilds_and_commits() {
    let (_t, data) = fixture();
    let db = data.db_path();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    insert_notes(&db, &notes(50, 7));
    let mut svc = open_as(&data, ADMIN);
    svc.reindex_notes(&mut |_, _, _| {}).unwrap();
    svc.reindex_codes(&mut |_, _, _| {}).unwrap();
    let notes_dir = pointed(&data, "NOTES");
    assert_eq!(wrong_modes(&notes_dir, 0o660, 0o770), Vec::<String>::new());
    let codes_dir = pointed(&data, "CODES");
    assert_eq!(wrong_modes(&codes_dir, 0o660, 0o770), Vec::<String>::new());
    assert_eq!(mode(&data.root.join("index").join("NOTES")), 0o660);
    assert_eq!(mode(&data.root.join("index")), 0o770);

    // A later commit (catching up with new notes) writes new meta files: they follow too.
    insert_notes(&db, &notes(20, 8));
    svc.catch_up_notes(&mut |_, _, _| {}).unwrap();
    assert_eq!(pointed(&data, "NOTES"), notes_dir, "caught up, not rebuilt");
    assert_eq!(wrong_modes(&notes_dir, 0o660, 0o770), Vec::<String>::new());
}

#[test]
fn an_unreadable_index_is_an_error_and_not_rebuilt() {
    let (_t, data) = fixture();
    drop(open_as(&data, ALICE));
    let before = pointed(&data, "NOTES");
    let meta = before.join("meta.json");
    std::fs::set_permissions(&meta, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&meta).is_ok() {
        // Running as root: permissions are not enforced; the decision itself is unit-tested in
        // search::perms.
        return;
    }
    let err = match chartdesk::service::Service::open(&data, ALICE, &mut |_, _, _| {}) {
        Ok(_) => panic!("opening an unreadable index succeeded"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("meta.json") && err.contains("chmod"), "{err}");
    assert_eq!(pointed(&data, "NOTES"), before, "the index was rebuilt");
    let generations = std::fs::read_dir(data.root.join("index"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("notes-"))
        .count();
    assert_eq!(generations, 1);
}

#[test]
fn a_refused_import_touches_no_index() {
    let (_t, data) = fixture();
    let me = chartdesk::service::os_login().unwrap();
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::users::upsert(
        &conn,
        &me,
        chartdesk::domain::Role::Coder,
        "",
        None,
        &chartdesk::store::now(),
    )
    .unwrap();
    drop(conn);
    let notes = format!(
        "{}/tests/fixtures/notes/notes.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(["import", "notes", &notes])
        .env("CHARTDESK_DATA_DIR", &data.root)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", data.root.join("home"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("ask an admin"), "{err}");
    // The fixture has no index yet: a refused command must not have built (or rebuilt) one.
    assert!(!data.root.join("index").join("NOTES").exists());
    assert!(!data.root.join("index").join("CODES").exists());
}
