//! The chain: every kind of tampering is caught at the right row; an old log is chained on upgrade.
use super::*;
use crate::store::{self, migrations};

fn log_of(n: i64) -> Connection {
    let conn = store::open_in_memory().unwrap();
    for i in 1..=n {
        let subjects = [Subject {
            patient_id: Some(i),
            encounter_id: Some(100 + i),
        }];
        record(
            &conn,
            &Entry {
                encounter_id: Some(100 + i),
                object: "enc",
                detail: &format!("row {i}"),
                subjects: if i % 2 == 0 { &subjects } else { &[] },
                ..Entry::new(
                    &format!("2026-01-01T00:00:{i:02}.000Z"),
                    "ann",
                    AuditAction::OpenEncounter,
                )
            },
        )
        .unwrap();
    }
    conn
}

fn first_break(conn: &Connection) -> Option<i64> {
    verify(conn).unwrap().first_break.map(|b| b.id)
}

#[test]
fn an_untouched_chain_verifies() {
    let conn = log_of(10);
    let v = verify(&conn).unwrap();
    assert_eq!(v.rows, 10);
    assert_eq!(v.first_break, None);
    assert_eq!(v.bad_rows, 0);
    assert_eq!(v.head.unwrap().id, 10);
}

#[test]
fn an_edit_is_caught_at_the_edited_row() {
    let conn = log_of(10);
    conn.execute("UPDATE audit SET login = 'mallory' WHERE id = 4", [])
        .unwrap();
    assert_eq!(first_break(&conn), Some(4));
    assert_eq!(verify(&conn).unwrap().bad_rows, 1);
}

#[test]
fn an_edited_client_or_subject_is_caught() {
    let conn = log_of(10);
    conn.execute("UPDATE audit SET client = '10.0.0.9' WHERE id = 3", [])
        .unwrap();
    assert_eq!(first_break(&conn), Some(3));
    let conn = log_of(10);
    conn.execute("DELETE FROM audit_subjects WHERE audit_id = 6", [])
        .unwrap();
    assert_eq!(first_break(&conn), Some(6));
}

#[test]
fn a_deletion_is_caught_at_the_next_row() {
    let conn = log_of(10);
    conn.execute("DELETE FROM audit WHERE id = 5", []).unwrap();
    let b = verify(&conn).unwrap().first_break.unwrap();
    assert_eq!(b.id, 6);
    assert!(
        b.reason.contains("row 5 before it is missing"),
        "{}",
        b.reason
    );
}

#[test]
fn an_insertion_is_caught_at_the_inserted_row() {
    let conn = log_of(10);
    // The sqlite3 shell does not enforce foreign keys unless asked.
    conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
    // Make room after row 4 and insert a forged row carrying a plausible-looking hash.
    for id in (5..=10).rev() {
        conn.execute("UPDATE audit SET id = id + 1 WHERE id = ?1", [id])
            .unwrap();
    }
    conn.execute(
        "INSERT INTO audit (id, at, login, action, object, detail, hash)
         SELECT 5, at, 'mallory', 'view_encounter', '', '', hash FROM audit WHERE id = 4",
        [],
    )
    .unwrap();
    assert_eq!(first_break(&conn), Some(5));
    // A row appended at the end without a hash is caught too.
    let conn = log_of(3);
    conn.execute(
        "INSERT INTO audit (at, login, action) VALUES ('2026-01-02T00:00:00.000Z', 'x', 'y')",
        [],
    )
    .unwrap();
    let b = verify(&conn).unwrap().first_break.unwrap();
    assert_eq!(b.id, 4);
    assert!(b.reason.contains("no hash"), "{}", b.reason);
}

#[test]
fn a_swap_of_two_rows_is_caught_at_the_first() {
    let conn = log_of(10);
    conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
    conn.execute_batch(
        "UPDATE audit SET id = -1 WHERE id = 7;
         UPDATE audit SET id = 7 WHERE id = 8;
         UPDATE audit SET id = 8 WHERE id = -1;",
    )
    .unwrap();
    assert_eq!(first_break(&conn), Some(7));
}

#[test]
fn a_rewritten_chain_verifies_alone_but_not_against_an_anchor() {
    let conn = log_of(10);
    let anchor = head(&conn).unwrap().unwrap();
    // Whoever can write the file edits row 3 and recomputes every hash after it.
    conn.execute("UPDATE audit SET login = 'mallory' WHERE id = 3", [])
        .unwrap();
    conn.execute("UPDATE audit SET hash = NULL WHERE id >= 3", [])
        .unwrap();
    assert_eq!(chain_unchained(&conn).unwrap(), 8);
    assert_eq!(first_break(&conn), None);
    assert_ne!(hash_of(&conn, anchor.id).unwrap(), Some(Some(anchor.hash)));
}

#[test]
fn the_client_address_is_recorded_and_hashed() {
    let conn = store::open_in_memory().unwrap();
    set_session_client(&conn, Some("192.0.2.7 50022")).unwrap();
    record(&conn, &Entry::new("t", "ann", AuditAction::SearchNotes)).unwrap();
    set_session_client(&conn, None).unwrap();
    record(&conn, &Entry::new("t", "ann", AuditAction::SearchNotes)).unwrap();
    let rows = list(&conn, None, 10).unwrap();
    assert_eq!(rows[1].client.as_deref(), Some("192.0.2.7 50022"));
    assert_eq!(rows[0].client, None);
    assert_eq!(first_break(&conn), None);
}

#[test]
fn hashes_are_unambiguous_across_field_boundaries() {
    let a = AuditRow {
        object: "ab".into(),
        detail: "c".into(),
        ..Default::default()
    };
    let b = AuditRow {
        object: "a".into(),
        detail: "bc".into(),
        ..Default::default()
    };
    assert_ne!(row_hash("", &a, &[]), row_hash("", &b, &[]));
    let none = AuditRow::default();
    let empty = AuditRow {
        client: Some(String::new()),
        ..Default::default()
    };
    assert_ne!(row_hash("", &none, &[]), row_hash("", &empty, &[]));
}

#[test]
fn an_old_database_is_chained_on_upgrade_and_migrating_again_is_a_no_op() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    create_session_table(&conn).unwrap();
    migrations::migrate_to(&mut conn, migrations::before_chain()).unwrap();
    for i in 1..=5 {
        conn.execute(
            "INSERT INTO audit (at, login, action, encounter_id) VALUES (?1, 'old', 'view', ?2)",
            params![format!("2025-01-0{i}"), i],
        )
        .unwrap();
    }
    migrations::migrate(&mut conn).unwrap();
    let unhashed: i64 = conn
        .query_row("SELECT COUNT(*) FROM audit WHERE hash IS NULL", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(unhashed, 0);
    let before = head(&conn).unwrap();
    migrations::migrate(&mut conn).unwrap();
    assert_eq!(head(&conn).unwrap(), before);
    record(
        &conn,
        &Entry::new("2026-01-01", "new", AuditAction::OpenEncounter),
    )
    .unwrap();
    let v = verify(&conn).unwrap();
    assert_eq!((v.rows, v.first_break), (6, None));
    conn.execute("UPDATE audit SET action = 'x' WHERE id = 2", [])
        .unwrap();
    assert_eq!(first_break(&conn), Some(2));
}
