//! The audit log: who did what to which patient and encounter, when, from where. Rows are only ever
//! appended, and each is chained to the one before it by a SHA-256 hash, so an edited, deleted,
//! inserted or reordered row is found by `verify`.
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

pub use super::audit_action::AuditAction;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub login: String,
    pub action: String,
    pub patient_id: Option<i64>,
    pub encounter_id: Option<i64>,
    pub object: String,
    pub detail: String,
    /// The SSH client address of the session that wrote the row; `None` for local use.
    pub client: Option<String>,
}

/// One patient or encounter a view showed (a row of `audit_subjects`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Subject {
    pub patient_id: Option<i64>,
    pub encounter_id: Option<i64>,
}

impl Subject {
    /// An encounter (and its patient) a view showed.
    pub fn encounter(patient_id: i64, encounter_id: i64) -> Subject {
        Subject {
            patient_id: Some(patient_id),
            encounter_id: Some(encounter_id),
        }
    }
}

/// One audit row to write: what the service knows when it acts. Start from `Entry::new` and set
/// the fields that apply (`..Entry::new(at, login, action)`).
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub at: &'a str,
    pub login: &'a str,
    pub action: AuditAction,
    pub patient_id: Option<i64>,
    pub encounter_id: Option<i64>,
    pub object: &'a str,
    pub detail: &'a str,
    /// Every patient/encounter a view of several showed (search results, lists, exports).
    pub subjects: &'a [Subject],
}

impl<'a> Entry<'a> {
    /// A row naming no patient, encounter, object or detail yet.
    pub fn new(at: &'a str, login: &'a str, action: AuditAction) -> Entry<'a> {
        Entry {
            at,
            login,
            action,
            patient_id: None,
            encounter_id: None,
            object: "",
            detail: "",
            subjects: &[],
        }
    }
}

/// Sets the client address every row written on this connection carries (the SSH session's).
/// Kept in a connection-private TEMP table, so every writer on the connection records it.
pub fn set_session_client(conn: &Connection, client: Option<&str>) -> Result<()> {
    conn.execute("DELETE FROM temp.audit_session", [])?;
    if let Some(c) = client {
        conn.execute("INSERT INTO temp.audit_session (client) VALUES (?1)", [c])?;
    }
    Ok(())
}

/// Creates the connection's (empty) session table; called when a connection is opened.
pub(crate) fn create_session_table(conn: &Connection) -> Result<()> {
    conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS audit_session (client TEXT)")?;
    Ok(())
}

fn session_client(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT client FROM temp.audit_session LIMIT 1")?
        .query_row([], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Appends one audit row with its subjects, chained to the row before it; returns its id. Call it
/// inside the (IMMEDIATE) transaction that does the work, so the previous row cannot move.
pub fn record(conn: &Connection, e: &Entry<'_>) -> Result<i64> {
    let client = session_client(conn)?;
    let (prev_id, prev_hash) = head_link(conn)?;
    let id = prev_id + 1;
    let mut subjects = e.subjects.to_vec();
    subjects.sort_unstable();
    subjects.dedup();
    let row = AuditRow {
        id,
        at: e.at.to_string(),
        login: e.login.to_string(),
        action: e.action.as_str().to_string(),
        patient_id: e.patient_id,
        encounter_id: e.encounter_id,
        object: e.object.to_string(),
        detail: e.detail.to_string(),
        client,
    };
    let hash = row_hash(&prev_hash, &row, &subjects);
    conn.prepare_cached(
        "INSERT INTO audit (id, at, login, action, patient_id, encounter_id, object, detail, client, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        id,
        row.at,
        row.login,
        row.action,
        row.patient_id,
        row.encounter_id,
        row.object,
        row.detail,
        row.client,
        hash
    ])
    .context("writing an audit row")?;
    let mut st = conn.prepare_cached(
        "INSERT INTO audit_subjects (audit_id, patient_id, encounter_id) VALUES (?1, ?2, ?3)",
    )?;
    for s in &subjects {
        st.execute(params![id, s.patient_id, s.encounter_id])?;
    }
    Ok(id)
}

/// The last row's id and hash (0 and "" for an empty log; "" for a row without a hash).
fn head_link(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn
        .prepare_cached("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })
        .optional()?
        .unwrap_or((0, String::new())))
}

/// The head of the chain: the last row's id, hash and time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub id: i64,
    pub hash: String,
    pub at: String,
}

pub fn head(conn: &Connection) -> Result<Option<Head>> {
    Ok(conn
        .prepare_cached("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| {
            Ok(Head {
                id: r.get(0)?,
                hash: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                at: r.get(2)?,
            })
        })
        .optional()?)
}

/// SHA-256 over the previous row's hash and a canonical encoding of the row: every field
/// length-prefixed (or tagged when it may be absent), in a fixed order, then its sorted subjects.
pub fn row_hash(prev_hash: &str, row: &AuditRow, subjects: &[Subject]) -> String {
    fn text(h: &mut Sha256, s: &str) {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    }
    fn opt_int(h: &mut Sha256, v: Option<i64>) {
        match v {
            None => h.update([0u8]),
            Some(v) => {
                h.update([1u8]);
                h.update(v.to_be_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    text(&mut h, "chartdesk audit v1");
    text(&mut h, prev_hash);
    h.update(row.id.to_be_bytes());
    text(&mut h, &row.at);
    text(&mut h, &row.login);
    text(&mut h, &row.action);
    opt_int(&mut h, row.patient_id);
    opt_int(&mut h, row.encounter_id);
    text(&mut h, &row.object);
    text(&mut h, &row.detail);
    match &row.client {
        None => h.update([0u8]),
        Some(c) => {
            h.update([1u8]);
            text(&mut h, c);
        }
    }
    h.update((subjects.len() as u64).to_be_bytes());
    for s in subjects {
        opt_int(&mut h, s.patient_id);
        opt_int(&mut h, s.encounter_id);
    }
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

const ROW_COLUMNS: &str =
    "id, at, login, action, patient_id, encounter_id, object, detail, client, hash";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AuditRow, Option<String>)> {
    Ok((
        AuditRow {
            id: r.get(0)?,
            at: r.get(1)?,
            login: r.get(2)?,
            action: r.get(3)?,
            patient_id: r.get(4)?,
            encounter_id: r.get(5)?,
            object: r.get(6)?,
            detail: r.get(7)?,
            client: r.get(8)?,
        },
        r.get(9)?,
    ))
}

fn subjects_of(conn: &Connection, audit_id: i64) -> Result<Vec<Subject>> {
    let mut st = conn.prepare_cached(
        "SELECT patient_id, encounter_id FROM audit_subjects WHERE audit_id = ?1
         ORDER BY patient_id, encounter_id",
    )?;
    let rows = st.query_map([audit_id], |r| {
        Ok(Subject {
            patient_id: r.get(0)?,
            encounter_id: r.get(1)?,
        })
    })?;
    let mut v = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

/// Hashes every row that has no hash yet, after the last row that has one (an old database's rows,
/// right after the migration that added the chain). Returns how many rows it chained.
pub fn chain_unchained(conn: &Connection) -> Result<usize> {
    let (start, mut prev): (i64, String) = conn
        .query_row(
            "SELECT id, hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, String::new()));
    let rows: Vec<AuditRow> = conn
        .prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM audit WHERE id > ?1 ORDER BY id"
        ))?
        .query_map([start], |r| read_row(r).map(|(row, _)| row))?
        .collect::<rusqlite::Result<_>>()?;
    let mut set = conn.prepare("UPDATE audit SET hash = ?2 WHERE id = ?1")?;
    for row in &rows {
        let hash = row_hash(&prev, row, &subjects_of(conn, row.id)?);
        set.execute(params![row.id, hash])?;
        prev = hash;
    }
    Ok(rows.len())
}

/// The first row where the chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Break {
    pub id: i64,
    pub reason: String,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    pub rows: u64,
    pub head: Option<Head>,
    /// The first bad row; `None` when the whole chain holds.
    pub first_break: Option<Break>,
    /// How many rows do not match (the first one and any after it).
    pub bad_rows: u64,
}

/// Recomputes the chain from the first row. Each row is checked against the stored hash of the row
/// before it, so one edited row is reported alone and the first bad row is named.
pub fn verify(conn: &Connection) -> Result<Verification> {
    let mut st = conn.prepare(&format!("SELECT {ROW_COLUMNS} FROM audit ORDER BY id"))?;
    let mut rows = st.query([])?;
    let mut out = Verification {
        rows: 0,
        head: None,
        first_break: None,
        bad_rows: 0,
    };
    let mut prev: Option<(i64, String)> = None;
    while let Some(r) = rows.next()? {
        let (row, stored) = read_row(r)?;
        out.rows += 1;
        let (prev_id, prev_hash) = prev.clone().unwrap_or((0, String::new()));
        let reason = match &stored {
            None => Some(
                "it has no hash: it was inserted outside chartdesk (or the log was not migrated)"
                    .to_string(),
            ),
            Some(h) if *h != row_hash(&prev_hash, &row, &subjects_of(conn, row.id)?) => {
                Some(if row.id > prev_id + 1 {
                    format!(
                        "its hash does not match: row{} {} before it {} missing (deleted), or it \
                         was edited",
                        if row.id - prev_id > 2 { "s" } else { "" },
                        if row.id - prev_id > 2 {
                            format!("{}..{}", prev_id + 1, row.id - 1)
                        } else {
                            (prev_id + 1).to_string()
                        },
                        if row.id - prev_id > 2 { "are" } else { "is" },
                    )
                } else {
                    "its hash does not match its contents and the row before it: it was edited, \
                     inserted, or rows were reordered"
                        .to_string()
                })
            }
            Some(_) => None,
        };
        if let Some(reason) = reason {
            out.bad_rows += 1;
            if out.first_break.is_none() {
                out.first_break = Some(Break { id: row.id, reason });
            }
        }
        let hash = stored.unwrap_or_default();
        out.head = Some(Head {
            id: row.id,
            hash: hash.clone(),
            at: row.at.clone(),
        });
        prev = Some((row.id, hash));
    }
    Ok(out)
}

/// The stored hash of one row (`None` when the row does not exist).
pub fn hash_of(conn: &Connection, id: i64) -> Result<Option<Option<String>>> {
    Ok(conn
        .query_row("SELECT hash FROM audit WHERE id = ?1", [id], |r| r.get(0))
        .optional()?)
}

/// Audit rows, newest first; optionally only one encounter's.
pub fn list(conn: &Connection, encounter_id: Option<i64>, limit: usize) -> Result<Vec<AuditRow>> {
    let mut st = conn.prepare(&format!(
        "SELECT {ROW_COLUMNS} FROM audit
         WHERE (?1 IS NULL OR encounter_id = ?1) ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = st.query_map(params![encounter_id, limit as i64], |r| {
        read_row(r).map(|(row, _)| row)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every audit row that touched one patient — the row names the patient, one of their encounters,
/// or lists either among the subjects of a view — oldest first, optionally within [from, to), with
/// the account of the encounter the row names.
pub fn for_patient(
    conn: &Connection,
    patient_id: i64,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<(AuditRow, Option<String>)>> {
    let mut st = conn.prepare(
        "SELECT a.id, a.at, a.login, a.action, a.patient_id, a.encounter_id, a.object, a.detail,
                a.client, a.hash, e.account
         FROM audit a LEFT JOIN encounters e ON e.id = a.encounter_id
         WHERE (a.patient_id = ?1
                OR a.encounter_id IN (SELECT id FROM encounters WHERE patient_id = ?1)
                OR a.id IN (SELECT s.audit_id FROM audit_subjects s WHERE s.patient_id = ?1)
                OR a.id IN (SELECT s.audit_id FROM audit_subjects s
                            WHERE s.encounter_id IN (SELECT id FROM encounters WHERE patient_id = ?1)))
           AND (?2 IS NULL OR a.at >= ?2) AND (?3 IS NULL OR a.at < ?3)
         ORDER BY a.id",
    )?;
    let rows = st.query_map(params![patient_id, from, to], |r| {
        Ok((read_row(r)?.0, r.get(10)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
