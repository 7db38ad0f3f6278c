//! The audit log: who did what to which patient and encounter, when. Rows are only ever appended.
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

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
}

/// Appends one audit row. Call it inside the transaction that does the work.
#[allow(clippy::too_many_arguments)]
pub fn append(
    conn: &Connection,
    at: &str,
    login: &str,
    action: &str,
    patient_id: Option<i64>,
    encounter_id: Option<i64>,
    object: &str,
    detail: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO audit (at, login, action, patient_id, encounter_id, object, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![at, login, action, patient_id, encounter_id, object, detail],
    )?;
    Ok(())
}

/// Audit rows, newest first; optionally only one encounter's.
/// The latest release or reassignment of an encounter's claim: (who, when, detail "from -> to").
pub fn last_claim_change(
    conn: &Connection,
    encounter_id: i64,
) -> Result<Option<(String, String, String, String)>> {
    Ok(conn
        .query_row(
            "SELECT login, at, action, detail FROM audit
             WHERE encounter_id = ?1 AND action IN ('release', 'reassign')
             ORDER BY id DESC LIMIT 1",
            [encounter_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?)
}

pub fn list(conn: &Connection, encounter_id: Option<i64>, limit: usize) -> Result<Vec<AuditRow>> {
    let mut st = conn.prepare(
        "SELECT id, at, login, action, patient_id, encounter_id, object, detail FROM audit
         WHERE (?1 IS NULL OR encounter_id = ?1) ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = st.query_map(params![encounter_id, limit as i64], |r| {
        Ok(AuditRow {
            id: r.get(0)?,
            at: r.get(1)?,
            login: r.get(2)?,
            action: r.get(3)?,
            patient_id: r.get(4)?,
            encounter_id: r.get(5)?,
            object: r.get(6)?,
            detail: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
