//! Claims: taking, ending, handing over, renewing; and the upgrade that builds the table from a
//! database written before it (old-format audit rows, whose chain must still verify).
use super::*;
use crate::store::audit::{self, AuditAction, AuditRow, Entry};
use crate::store::{self, migrations};

fn db_with_encounters(conn: &Connection) {
    conn.execute_batch(
        "INSERT INTO users (login, role, created_at) VALUES
            ('ann','coder','t'), ('bob','coder','t'), ('carl','coder','t'), ('sam','supervisor','t');
         INSERT INTO patients (id, mrn, name, birth_date, sex) VALUES (1, 'M1', 'P', '1950-01-01', 'F');
         INSERT INTO encounters (id, account, patient_id, enc_type, admit_date) VALUES
            (1, 'A1', 1, 'inpatient', '2026-01-01'), (2, 'A2', 1, 'inpatient', '2026-01-01'),
            (3, 'A3', 1, 'inpatient', '2026-01-01');",
    )
    .unwrap();
}

fn holder_on_encounter(conn: &Connection, id: i64) -> Option<String> {
    conn.query_row(
        "SELECT claimed_by FROM encounters WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn take_end_hand_over_and_renew_keep_the_encounter_in_step() {
    let conn = store::open_in_memory().unwrap();
    db_with_encounters(&conn);
    assert!(
        take(
            &conn,
            1,
            "ann",
            "2026-01-02T10:00:00.000Z",
            Some("2026-01-02T10:30:00.000Z")
        )
        .unwrap()
    );
    assert!(!take(&conn, 1, "bob", "2026-01-02T10:01:00.000Z", None).unwrap());
    assert_eq!(holder_on_encounter(&conn, 1).as_deref(), Some("ann"));
    let c = current(&conn, 1).unwrap().unwrap();
    assert!(!c.lease_expired("2026-01-02T10:29:59.000Z"));
    assert!(c.lease_expired("2026-01-02T10:30:00.001Z"));
    assert!(renew(&conn, 1, "ann", Some("2026-01-02T11:00:00.000Z")).unwrap());
    assert!(!renew(&conn, 1, "bob", Some("2026-01-02T11:00:00.000Z")).unwrap());
    assert!(
        !current(&conn, 1)
            .unwrap()
            .unwrap()
            .lease_expired("2026-01-02T10:45:00.000Z")
    );
    let old = hand_over(
        &conn,
        1,
        "bob",
        "bob",
        "2026-01-02T11:05:00.000Z",
        Ended::TakeOver,
        None,
    )
    .unwrap()
    .unwrap();
    assert_eq!(old.holder, "ann");
    assert_eq!(holder_on_encounter(&conn, 1).as_deref(), Some("bob"));
    end(&conn, 1, "bob", "2026-01-02T11:10:00.000Z", Ended::Release).unwrap();
    assert_eq!(holder_on_encounter(&conn, 1), None);
    assert_eq!(current(&conn, 1).unwrap(), None);
    let h = history(&conn, 1).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (
            h[0].holder.as_str(),
            h[0].ended_by.as_deref(),
            h[0].ended_how
        ),
        ("ann", Some("bob"), Some(Ended::TakeOver))
    );
    assert_eq!(
        (
            h[1].holder.as_str(),
            h[1].ended_how,
            h[1].lease_until.as_deref()
        ),
        ("bob", Some(Ended::Release), None)
    );
    // Without a lease a claim never expires on its own.
    assert!(!h[1].lease_expired("2099-01-01T00:00:00.000Z"));
    assert_eq!(latest(&conn, 1).unwrap().unwrap().id, h[1].id);
}

#[test]
fn two_open_claims_on_one_encounter_are_impossible() {
    let conn = store::open_in_memory().unwrap();
    db_with_encounters(&conn);
    assert!(take(&conn, 2, "ann", "t1", None).unwrap());
    let err = conn.execute(
        "INSERT INTO claims (encounter_id, holder, since) VALUES (2, 'bob', 't2')",
        [],
    );
    assert!(
        err.is_err(),
        "the partial unique index refuses a second open claim"
    );
}

/// Appends a row exactly as chartdesk did before typed actions (main's 8-argument `append`).
fn old_append(
    conn: &Connection,
    at: &str,
    login: &str,
    action: &str,
    enc: Option<i64>,
    object: &str,
    detail: &str,
) {
    let (prev_id, prev_hash): (i64, String) = conn
        .query_row(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap()
        .unwrap_or((0, String::new()));
    let row = AuditRow {
        id: prev_id + 1,
        at: at.into(),
        login: login.into(),
        action: action.into(),
        patient_id: enc.map(|_| 1),
        encounter_id: enc,
        object: object.into(),
        detail: detail.into(),
        client: None,
    };
    let hash = audit::row_hash(&prev_hash, &row, &[]);
    conn.execute(
        "INSERT INTO audit (id, at, login, action, patient_id, encounter_id, object, detail, client, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
        params![row.id, row.at, row.login, row.action, row.patient_id, row.encounter_id, row.object, row.detail, hash],
    )
    .unwrap();
}

#[test]
fn the_upgrade_backfills_claims_from_old_audit_rows_and_the_chain_still_verifies() {
    let mut conn = Connection::open_in_memory().unwrap();
    store::configure(&conn).unwrap();
    migrations::migrate_to(&mut conn, migrations::before_claims()).unwrap();
    db_with_encounters(&conn);
    // As the old code left things: ann holds A1; bob's claim on A2 was released by sam; on A3 ann
    // marked coded, then carl opened it after a reopen and left without codes.
    conn.execute(
        "UPDATE encounters SET claimed_by = 'ann', claimed_at = '2026-01-02T09:00:00.000Z' WHERE id = 1",
        [],
    )
    .unwrap();
    old_append(
        &conn,
        "2026-01-02T09:00:00.000Z",
        "ann",
        "open_encounter",
        Some(1),
        "A1",
        "claimed",
    );
    old_append(
        &conn,
        "2026-01-02T09:05:00.000Z",
        "bob",
        "open_encounter",
        Some(2),
        "A2",
        "claimed",
    );
    old_append(
        &conn,
        "2026-01-02T09:30:00.000Z",
        "sam",
        "release",
        Some(2),
        "A2",
        "bob -> nobody",
    );
    old_append(
        &conn,
        "2026-01-02T10:00:00.000Z",
        "ann",
        "mark_coded",
        Some(3),
        "A3",
        "2 codes",
    );
    old_append(
        &conn,
        "2026-01-02T11:00:00.000Z",
        "carl",
        "open_encounter",
        Some(3),
        "A3",
        "claimed",
    );
    old_append(
        &conn,
        "2026-01-02T11:02:00.000Z",
        "carl",
        "release",
        Some(3),
        "A3",
        "left without codes",
    );
    old_append(
        &conn,
        "2026-01-02T11:03:00.000Z",
        "sam",
        "view_audit",
        None,
        "",
        "",
    );
    let before = audit::verify(&conn).unwrap();
    assert_eq!((before.rows, before.first_break.clone()), (7, None));

    migrations::migrate(&mut conn).unwrap();
    let after = audit::verify(&conn).unwrap();
    assert_eq!(
        after, before,
        "the upgrade leaves the audit rows and their chain alone"
    );
    let a1 = current(&conn, 1).unwrap().unwrap();
    assert_eq!(
        (a1.holder.as_str(), a1.since.as_str()),
        ("ann", "2026-01-02T09:00:00.000Z")
    );
    assert!(a1.lease_until.is_some(), "a backfilled holder gets a lease");
    let a2 = history(&conn, 2).unwrap();
    assert_eq!(a2.len(), 1);
    assert_eq!(
        (
            a2[0].holder.as_str(),
            a2[0].since.as_str(),
            a2[0].ended_by.as_deref(),
            a2[0].ended_how
        ),
        (
            "bob",
            "2026-01-02T09:05:00.000Z",
            Some("sam"),
            Some(Ended::Release)
        )
    );
    let a3 = history(&conn, 3).unwrap();
    let got: Vec<(&str, Option<Ended>)> = a3
        .iter()
        .map(|c| (c.holder.as_str(), c.ended_how))
        .collect();
    assert_eq!(
        got,
        [("ann", Some(Ended::Coded)), ("carl", Some(Ended::Release))]
    );
    assert_eq!(current(&conn, 3).unwrap(), None);

    // New rows written through the typed API chain onto the old ones.
    audit::record(
        &conn,
        &Entry {
            encounter_id: Some(1),
            object: "A1",
            ..Entry::new(
                "2026-01-02T12:00:00.000Z",
                "ann",
                AuditAction::OpenEncounter,
            )
        },
    )
    .unwrap();
    let v = audit::verify(&conn).unwrap();
    assert_eq!((v.rows, v.first_break), (8, None));
    let action: String = conn
        .query_row("SELECT action FROM audit WHERE id = 8", [], |r| r.get(0))
        .unwrap();
    assert_eq!(action, "open_encounter");
}

#[test]
fn a_typed_row_hashes_exactly_as_the_old_free_string_row_did() {
    // The same row written both ways gives the same stored hash.
    let old = store::open_in_memory().unwrap();
    old_append(
        &old,
        "2026-03-01T08:00:00.000Z",
        "ann",
        "reassign",
        Some(7),
        "A7",
        "bob -> ann",
    );
    let new = store::open_in_memory().unwrap();
    audit::record(
        &new,
        &Entry {
            patient_id: Some(1),
            encounter_id: Some(7),
            object: "A7",
            detail: "bob -> ann",
            ..Entry::new("2026-03-01T08:00:00.000Z", "ann", AuditAction::Reassign)
        },
    )
    .unwrap();
    assert_eq!(
        audit::hash_of(&old, 1).unwrap(),
        audit::hash_of(&new, 1).unwrap()
    );
}
