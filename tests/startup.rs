//! Start-up does only what the command needs: commands that search no codes open (and build) no
//! index; the code index opens on first use; `reindex --verify` reads it against its checksums.
mod common;

use chartdesk::domain::Role;
use chartdesk::search::CodeQuery;
use chartdesk::service::{DataDir, Service};
use common::*;
use std::path::PathBuf;

/// Index generations present under `index/` ("codes-…", "notes-…").
fn generations(data: &DataDir) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(data.root.join("index")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("codes-") || n.starts_with("notes-"))
        .collect();
    names.sort();
    names
}

fn code_index_dir(data: &DataDir) -> PathBuf {
    let name = std::fs::read_to_string(data.root.join("index").join("CODES")).unwrap();
    data.root.join("index").join(name.trim())
}

#[test]
fn commands_that_search_no_codes_open_no_index() {
    let (_t, data) = fixture();
    set_my_role(&data, Role::Admin);
    for args in [
        &["user", "list"][..],
        &["encounters"],
        &["encounters", "--json"],
        &["code", "I50.9"],
    ] {
        let (code, out, err) = run_cli(&data, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!out.is_empty(), "{args:?} printed nothing");
        assert_eq!(
            generations(&data),
            Vec::<String>::new(),
            "{args:?} built an index"
        );
    }
    // A code search opens (here: builds) the code index, and only that one.
    let (code, out, err) = run_cli(&data, &["search", "codes", "heart", "failure"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("I50"), "{out}");
    let made = generations(&data);
    assert!(made.len() == 1 && made[0].starts_with("codes-"), "{made:?}");
}

#[test]
fn a_lazy_session_opens_the_code_index_on_first_use_from_any_thread() {
    let (_t, data) = fixture();
    let svc = Service::open_lazy(&data, ALICE).unwrap();
    assert_eq!(svc.users().unwrap().len(), 5);
    let handle = svc.code_index();
    assert!(!handle.is_open());
    assert!(generations(&data).is_empty());
    // The search thread's handle opens it with a connection of its own.
    let theirs = handle.clone();
    let hits = std::thread::spawn(move || theirs.search("I50.9", &CodeQuery::default()))
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(hits[0].code, "I50.9");
    assert!(handle.is_open());
    // The session's own searches use the same index.
    let mine = svc
        .search_codes("heart failure", &CodeQuery::default())
        .unwrap();
    assert!(mine.iter().any(|h| h.code.starts_with("I50")));
    assert_eq!(generations(&data).len(), 1);
}

#[test]
fn reindex_verify_reads_the_index_against_its_checksums_and_rebuilds_a_damaged_one() {
    let (_t, data) = fixture();
    set_my_role(&data, Role::Admin);
    let (code, _, err) = run_cli(&data, &["search", "codes", "I50"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run_cli(&data, &["reindex", "--verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified"), "{out}");
    // One flipped byte of the same size passes the open-time checks but not verification.
    let table = code_index_dir(&data).join("table.bin");
    let mut bytes = std::fs::read(&table).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(&table, &bytes).unwrap();
    let (code, out, err) = run_cli(&data, &["reindex", "--verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("damaged") && out.contains("checksum"), "{out}");
    let (code, out, err) = run_cli(&data, &["reindex", "--verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified"), "{out}");
    // Coders may not run it.
    set_my_role(&data, Role::Coder);
    let (code, _, _) = run_cli(&data, &["reindex", "--verify"]);
    assert_eq!(code, 2);
}
