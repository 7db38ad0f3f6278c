//! Append-only schema migrations keyed on `PRAGMA user_version`. Never edit a shipped step: add one.
use anyhow::{Context, Result, bail};
use rusqlite::{Connection, TransactionBehavior};

/// Each entry moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the foundation.
    r#"
CREATE TABLE users (
    login        TEXT PRIMARY KEY,
    role         TEXT NOT NULL CHECK (role IN ('coder','cdi','supervisor','admin')),
    display_name TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    created_by   TEXT
);
CREATE TABLE patients (
    id         INTEGER PRIMARY KEY,
    mrn        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex        TEXT NOT NULL CHECK (sex IN ('F','M','U'))
);
CREATE TABLE encounters (
    id                  INTEGER PRIMARY KEY,
    account             TEXT NOT NULL UNIQUE,
    patient_id          INTEGER NOT NULL REFERENCES patients(id),
    enc_type            TEXT NOT NULL CHECK (enc_type IN ('inpatient','outpatient','emergency','observation','professional')),
    admit_date          TEXT NOT NULL,
    discharge_date      TEXT,
    attending           TEXT NOT NULL DEFAULT '',
    total_charges_cents INTEGER NOT NULL DEFAULT 0,
    status              TEXT NOT NULL DEFAULT 'uncoded' CHECK (status IN ('uncoded','in_progress','hold','coded')),
    pending_reason      TEXT,
    claimed_by          TEXT REFERENCES users(login),
    claimed_at          TEXT,
    coded_by            TEXT,
    coded_at            TEXT
);
CREATE INDEX encounters_patient ON encounters(patient_id);
CREATE INDEX encounters_status ON encounters(status, discharge_date);
CREATE TABLE notes (
    id           INTEGER PRIMARY KEY,
    note_id      TEXT NOT NULL UNIQUE,
    encounter_id INTEGER NOT NULL REFERENCES encounters(id),
    note_type    TEXT NOT NULL,
    author       TEXT NOT NULL,
    written_at   TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX notes_encounter ON notes(encounter_id, written_at);
CREATE TABLE code_sets (
    system     TEXT NOT NULL,
    version    TEXT NOT NULL,
    source     TEXT NOT NULL,
    loaded_at  TEXT NOT NULL,
    loaded_by  TEXT NOT NULL,
    entries    INTEGER NOT NULL,
    billable   INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (system, version)
);
CREATE TABLE codes (
    system   TEXT NOT NULL,
    version  TEXT NOT NULL,
    code     TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('chapter','section','code')),
    title    TEXT NOT NULL,
    billable INTEGER NOT NULL,
    parent   TEXT,
    notes    TEXT,
    PRIMARY KEY (system, version, code),
    FOREIGN KEY (system, version) REFERENCES code_sets(system, version) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX codes_parent ON codes(system, version, parent);
CREATE TABLE assignments (
    id           INTEGER PRIMARY KEY,
    encounter_id INTEGER NOT NULL REFERENCES encounters(id),
    system       TEXT NOT NULL,
    code         TEXT NOT NULL,
    title        TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    poa          TEXT CHECK (poa IS NULL OR poa IN ('Y','N','U','W','1')),
    assigned_by  TEXT NOT NULL,
    assigned_at  TEXT NOT NULL,
    UNIQUE (encounter_id, system, code)
);
CREATE INDEX assignments_encounter ON assignments(encounter_id, seq);
CREATE TABLE assignment_history (
    id           INTEGER PRIMARY KEY,
    encounter_id INTEGER NOT NULL REFERENCES encounters(id),
    system       TEXT NOT NULL,
    code         TEXT NOT NULL,
    action       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    login        TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX assignment_history_encounter ON assignment_history(encounter_id, id);
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    login        TEXT NOT NULL,
    action       TEXT NOT NULL,
    patient_id   INTEGER,
    encounter_id INTEGER,
    object       TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_encounter ON audit(encounter_id, id);
CREATE INDEX audit_login ON audit(login, at);
"#,
    // 2: acknowledged coding-edit warnings (the same warning stays acknowledged).
    r#"
CREATE TABLE edit_acknowledgements (
    encounter_id INTEGER NOT NULL REFERENCES encounters(id),
    rule         TEXT NOT NULL,
    codes        TEXT NOT NULL,
    message      TEXT NOT NULL,
    login        TEXT NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (encounter_id, rule, codes)
);
"#,
    // 3: a log of note changes the notes index has to follow (inserts are followed by row id).
    r#"
CREATE TABLE note_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    note_id INTEGER NOT NULL
);
CREATE TRIGGER notes_update_logged AFTER UPDATE ON notes
WHEN old.note_id IS NOT new.note_id OR old.encounter_id IS NOT new.encounter_id
  OR old.note_type IS NOT new.note_type OR old.author IS NOT new.author
  OR old.written_at IS NOT new.written_at OR old.body IS NOT new.body OR old.id IS NOT new.id
BEGIN
    INSERT INTO note_changes (note_id) VALUES (old.id);
    INSERT INTO note_changes (note_id) SELECT new.id WHERE new.id IS NOT old.id;
END;
CREATE TRIGGER notes_delete_logged AFTER DELETE ON notes
BEGIN
    INSERT INTO note_changes (note_id) VALUES (old.id);
END;
CREATE TRIGGER encounters_update_logged AFTER UPDATE ON encounters
WHEN old.enc_type IS NOT new.enc_type OR old.patient_id IS NOT new.patient_id
BEGIN
    INSERT INTO note_changes (note_id) SELECT id FROM notes WHERE encounter_id = new.id;
END;
"#,
    // 4: documentation queries to providers, their history, and editable templates.
    include_str!("migrations/004_queries.sql"),
    // 5: teams, and second-level coding review (a reviewer re-codes a sample of coded encounters).
    include_str!("migrations/005_reviews.sql"),
    // 6: encounters imported as closed history, kept off worklists and the backlog.
    include_str!("migrations/006_history.sql"),
    // 7 (issue 10): the audit's hash chain, client address and subjects. Existing rows are chained by
    // `audit::chain_unchained` in `migrate`, after the SQL steps.
    include_str!("migrations/006_audit_chain.sql"),
    // 8 (ssh): SSH public keys, one user's identity each.
    include_str!("migrations/006_user_keys.sql"),
    // 9 (issue 13, drg): discharge status, the final DRG of coded encounters, a query's DRG at sending.
    include_str!("migrations/009_drg.sql"),
    // 10 (audit): claims in their own table with leases, history backfilled from the audit rows.
    include_str!("migrations/010_claims.sql"),
];

/// The schema version just before the audit chain's migration: chaining runs once a migration
/// passes it (the lead may renumber migrations at merge, so it is found, not hard-coded).
pub(crate) fn before_chain() -> i64 {
    MIGRATIONS
        .iter()
        .position(|m| m.contains("CREATE TABLE audit_subjects"))
        .unwrap_or(0) as i64
}

/// The schema version just before the claims table's migration (found, not hard-coded, like
/// `before_chain`): upgrade tests build a database as it was before it.
#[cfg(test)]
pub(crate) fn before_claims() -> i64 {
    MIGRATIONS
        .iter()
        .position(|m| m.contains("CREATE TABLE claims"))
        .unwrap_or(0) as i64
}

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database to the latest schema inside one exclusive transaction.
/// Running it again is a no-op; a database newer than this build is refused.
/// The version is read first without the write lock: a start with nothing to migrate never waits
/// for (or fails behind) another process's write transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, latest())
}

/// Brings the database to schema version `target` (the latest, except in upgrade tests).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let seen: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .context("reading the schema version")?;
    if seen == target {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .context("locking the database to migrate it")?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest() {
        bail!(
            "the database is at schema version {current}, newer than this chartdesk ({}): \
             upgrade chartdesk or use another --data-dir",
            latest()
        );
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(current as usize)
    {
        tx.execute_batch(sql)
            .with_context(|| format!("applying schema migration {}", i + 1))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    if current < target && target > before_chain() {
        // SQLite has no SHA-256: rows written before the chain existed are chained here, in the
        // same transaction as the migration that added it.
        super::audit::chain_unchained(&tx).context("chaining the existing audit rows")?;
    }
    tx.commit().context("committing schema migrations")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_up_to_date_database_opens_while_another_process_holds_the_write_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chartdesk.db");
        drop(crate::store::open(&path).unwrap());
        let mut writer = crate::store::open(&path).unwrap();
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .unwrap();
        // No busy wait allowed: without the read-first check this fails with "database is locked".
        let mut conn = Connection::open(&path).unwrap();
        conn.busy_timeout(std::time::Duration::ZERO).unwrap();
        migrate(&mut conn).unwrap();
        let n: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, latest());
        drop(tx);
    }
}
