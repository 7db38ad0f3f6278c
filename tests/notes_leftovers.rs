//! Leftovers of killed or finished processes in the notes index are cleared at start-up: old index
//! generations the pointer no longer names, segment files no commit uses (imports run the same
//! clean-up when they end), and a pointer naming a generation that does not exist makes the index
//! rebuild.
mod common;

use chartdesk::service::{DataDir, NoteQuery};
use common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

fn pointer(data: &DataDir) -> PathBuf {
    data.root.join("index").join("NOTES")
}

fn current_dir(data: &DataDir) -> PathBuf {
    let name = std::fs::read_to_string(pointer(data)).unwrap();
    data.root.join("index").join(name.trim())
}

/// A generation directory as a killed rebuild leaves it, last touched `age` ago.
fn orphan(data: &DataDir, name: &str, age: Duration) -> PathBuf {
    let dir = data.root.join("index").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("meta.json"), "{}").unwrap();
    let when = SystemTime::now() - age;
    std::fs::File::open(&dir)
        .unwrap()
        .set_modified(when)
        .unwrap();
    dir
}

/// A segment file as a writer killed before its commit leaves it: listed in `.managed.json`
/// (tantivy lists a file before writing it), used by no commit.
fn stray_segment(dir: &Path, id: &str) -> PathBuf {
    let name = format!("{id}.idx");
    let path = dir.join(&name);
    std::fs::write(&path, b"half a segment").unwrap();
    let managed = dir.join(".managed.json");
    let mut list: Vec<String> = serde_json::from_slice(&std::fs::read(&managed).unwrap()).unwrap();
    list.push(name);
    std::fs::write(&managed, serde_json::to_vec(&list).unwrap()).unwrap();
    path
}

fn heart_count(data: &DataDir) -> usize {
    let mut svc = open_as(data, ALICE);
    svc.search_notes(
        "heart failure",
        &NoteQuery {
            limit: 0,
            ..Default::default()
        },
    )
    .unwrap()
    .total
}

#[test]
fn old_generations_and_unused_segment_files_are_removed_and_bad_pointers_rebuild() {
    let (_t, data) = fixture();
    let expect = heart_count(&data); // builds the index
    assert_eq!(expect, 3);
    let current = current_dir(&data);

    // Start-up: an old orphan generation goes, a young one (maybe being built) stays; a stray
    // segment file in the current generation goes, a file tantivy did not make stays.
    let old = orphan(
        &data,
        "notes-20200101000000000-1-0",
        Duration::from_secs(3600),
    );
    let young = orphan(&data, "notes-20990101000000000-2-0", Duration::ZERO);
    let stray = stray_segment(&current, "0123456789abcdef0123456789abcdef");
    let foreign = current.join("README.txt");
    std::fs::write(&foreign, "not tantivy's").unwrap();
    assert_eq!(heart_count(&data), expect);
    assert!(!old.exists(), "an orphan generation of an hour ago is left");
    assert!(
        young.exists(),
        "a generation of a few seconds ago was removed"
    );
    assert!(
        !stray.exists(),
        "a segment file no commit uses is left at start-up"
    );
    assert!(foreign.exists(), "a file tantivy did not make was removed");
    assert_eq!(current_dir(&data), current);

    // A pointer naming a generation that does not exist: rebuilt, and the pointer names it.
    std::fs::write(pointer(&data), "notes-20210101000000000-9-9").unwrap();
    assert_eq!(heart_count(&data), expect);
    assert!(current_dir(&data).is_dir());
    assert_ne!(
        current_dir(&data),
        data.root.join("index").join("notes-20210101000000000-9-9")
    );
}
