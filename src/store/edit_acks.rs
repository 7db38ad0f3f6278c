//! Acknowledged coding-edit warnings: which warning (rule and codes) a coder accepted on an
//! encounter, by whom and when. The audit row is written by the service in the same transaction.
use anyhow::{Context, Result};
use rusqlite::{Connection, params};

/// One acknowledgement as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AckRow {
    pub rule: String,
    /// The codes of the edit, comma-separated in the engine's order.
    pub codes: String,
    pub message: String,
    pub login: String,
    pub at: String,
}

/// Records (or renews) an acknowledgement of `rule` on `codes` for an encounter.
pub fn upsert(
    conn: &Connection,
    encounter_id: i64,
    rule: &str,
    codes: &str,
    message: &str,
    login: &str,
    at: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO edit_acknowledgements (encounter_id, rule, codes, message, login, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (encounter_id, rule, codes)
         DO UPDATE SET message = excluded.message, login = excluded.login, at = excluded.at",
        params![encounter_id, rule, codes, message, login, at],
    )
    .with_context(|| {
        format!("storing the acknowledgement of {rule} on {codes} for encounter {encounter_id}")
    })?;
    Ok(())
}

/// The acknowledgements of an encounter, oldest first.
pub fn list(conn: &Connection, encounter_id: i64) -> Result<Vec<AckRow>> {
    let mut st = conn.prepare(
        "SELECT rule, codes, message, login, at FROM edit_acknowledgements
         WHERE encounter_id = ?1 ORDER BY at, rule, codes",
    )?;
    let rows = st.query_map([encounter_id], |r| {
        Ok(AckRow {
            rule: r.get(0)?,
            codes: r.get(1)?,
            message: r.get(2)?,
            login: r.get(3)?,
            at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
