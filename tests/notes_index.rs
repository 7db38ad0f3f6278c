//! The notes index's life: built at start-up, caught up, rebuilt when missing, corrupt, of an older
//! schema or ahead of the database, followed by other processes' commits and rebuilds.
mod common;
#[path = "notes_support.rs"]
mod support;

use chartdesk::search::notes::{Marks, NotesIndex};
use chartdesk::service::{DataDir, NoteQuery, Service};
use common::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::*;

fn count(svc: &mut Service, q: &str) -> usize {
    svc.search_notes(
        q,
        &NoteQuery {
            limit: 0,
            ..Default::default()
        },
    )
    .unwrap()
    .total
}

fn generation(data: &DataDir) -> PathBuf {
    let name = std::fs::read_to_string(data.root.join("index").join("NOTES")).unwrap();
    data.root.join("index").join(name.trim())
}

fn db_notes(data: &DataDir) -> usize {
    all_bodies(&data.db_path()).len()
}

#[test]
fn missing_corrupt_and_older_indexes_are_rebuilt_at_start_up() {
    let (_t, data) = fixture();
    insert_notes(&data.db_path(), &notes(200, 1));
    let mut svc = open_as(&data, ALICE);
    let fever = count(&mut svc, "fever");
    assert!(fever > 0);
    let first = generation(&data);
    drop(svc);

    // Missing: the directory is gone.
    std::fs::remove_dir_all(&first).unwrap();
    let mut svc = open_as(&data, ALICE);
    assert_eq!(count(&mut svc, "fever"), fever);
    assert_ne!(generation(&data), first);
    drop(svc);

    // Missing: no pointer at all.
    std::fs::remove_file(data.root.join("index").join("NOTES")).unwrap();
    let mut svc = open_as(&data, ALICE);
    assert_eq!(count(&mut svc, "fever"), fever);
    drop(svc);

    // Corrupt: meta.json is garbage.
    let g = generation(&data);
    std::fs::write(g.join("meta.json"), b"{ not json").unwrap();
    let mut svc = open_as(&data, ALICE);
    assert_eq!(count(&mut svc, "fever"), fever);
    assert_ne!(generation(&data), g);
    drop(svc);

    // Corrupt: a segment file lost (the index no longer holds every note).
    let g = generation(&data);
    let victim = std::fs::read_dir(&g)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    std::fs::remove_file(victim).unwrap();
    let mut svc = open_as(&data, ALICE);
    assert_eq!(count(&mut svc, "fever"), fever);
    assert_ne!(generation(&data), g);
    drop(svc);

    // Older schema: the marks say version 0.
    let g = generation(&data);
    {
        let ix = NotesIndex::open(&g).unwrap();
        let m = ix.marks().unwrap();
        let mut w = ix.writer(1).unwrap();
        w.commit(Marks { schema: 0, ..m }).unwrap();
        w.finish().unwrap();
    }
    assert!(NotesIndex::open(&g).is_err());
    let mut svc = open_as(&data, ALICE);
    assert_eq!(count(&mut svc, "fever"), fever);
    assert_ne!(generation(&data), g);
    let info = svc.notes_index_info().unwrap();
    assert_eq!(info.marks.schema, chartdesk::search::notes::SCHEMA_VERSION);
    assert_eq!(info.notes as usize, db_notes(&data));
}

#[test]
fn an_index_ahead_of_a_restored_database_is_rebuilt() {
    let (t, data) = fixture();
    let backup = t.path().join("backup.db");
    std::fs::copy(data.db_path(), &backup).unwrap();
    insert_notes(&data.db_path(), &notes(100, 2));
    let mut svc = open_as(&data, ALICE);
    assert!(count(&mut svc, "fever") > 0);
    drop(svc);
    // The database is restored from a backup taken before those notes.
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", data.db_path().display()));
    }
    std::fs::copy(&backup, data.db_path()).unwrap();
    let mut svc = open_as(&data, ALICE);
    assert_eq!(count(&mut svc, "fever"), 0);
    assert_eq!(svc.notes_index_row_ids().unwrap().len(), db_notes(&data));
}

#[test]
fn running_workstations_see_new_notes_and_rebuilds_within_a_second() {
    let (_t, data) = fixture();
    let mut reader = open_as(&data, ALICE);
    assert_eq!(count(&mut reader, "nstemi"), 0);
    let mut writer = open_as(&data, ADMIN);

    // Another process adds notes and indexes them (as an import does).
    insert_notes(&data.db_path(), &notes(150, 3));
    writer.catch_up_notes(&mut |_, _, _| {}).unwrap();
    let want = count(&mut writer, "nstemi");
    assert!(want > 0);
    let started = Instant::now();
    while count(&mut reader, "nstemi") != want {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "not visible after 3 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );

    // Another process rebuilds: the running workstation follows the new generation.
    let old = generation(&data);
    insert_notes(&data.db_path(), &notes(20, 4));
    writer.reindex_notes(&mut |_, _, _| {}).unwrap();
    assert_ne!(generation(&data), old);
    let want = count(&mut writer, "nstemi");
    let started = Instant::now();
    while count(&mut reader, "nstemi") != want {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "rebuild not followed after 3 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn reindex_needs_an_admin_and_keeps_every_note() {
    let (_t, data) = fixture();
    insert_notes(&data.db_path(), &notes(300, 5));
    let mut coder = open_as(&data, ALICE);
    let err = coder.reindex_notes(&mut |_, _, _| {}).unwrap_err();
    assert!(
        format!("{err:#}").contains("may not rebuild indexes"),
        "{err:#}"
    );
    let mut admin = open_as(&data, ADMIN);
    let mut stages = Vec::new();
    let info = admin
        .reindex_notes(&mut |s, d, t| stages.push((s.to_string(), d, t)))
        .unwrap();
    assert_eq!(info.notes as usize, db_notes(&data));
    assert!(
        stages
            .iter()
            .any(|(s, d, t)| s == "indexing notes" && d == t && *t > 0),
        "{stages:?}"
    );
    let ids: Vec<i64> = all_bodies(&data.db_path())
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(admin.notes_index_row_ids().unwrap(), ids);
}

#[test]
fn workstations_starting_together_build_the_index_once() {
    let (_t, data) = fixture();
    insert_notes(&data.db_path(), &notes(500, 6));
    let handles: Vec<_> = [ALICE, BOB, CAROL_CDI]
        .into_iter()
        .map(|login| {
            let data = data.clone();
            std::thread::spawn(move || {
                let mut svc = open_as(&data, login);
                count(&mut svc, "fever")
            })
        })
        .collect();
    let counts: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(
        counts[0] > 0 && counts.iter().all(|c| *c == counts[0]),
        "{counts:?}"
    );
    let generations = std::fs::read_dir(data.root.join("index"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("notes-"))
        .count();
    assert_eq!(generations, 1);
}
