//! Code-set queries by code prefix, for browsing ICD-10-PCS one axis (character) at a time.
use crate::domain::CodeSystem;
use anyhow::Result;
use rusqlite::{Connection, params};

/// (code, title) of the billable codes of the active `system` set that start with `prefix`, in code
/// order (a range scan on the primary key).
pub fn billable_with_prefix(
    conn: &Connection,
    system: CodeSystem,
    prefix: &str,
) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT c.code, c.title FROM codes c
         JOIN code_sets s ON s.system = c.system AND s.version = c.version AND s.active = 1
         WHERE c.system = ?1 AND c.code >= ?2 AND c.code < ?3 AND c.kind = 'code' AND c.billable = 1
         ORDER BY c.code",
    )?;
    let end = format!("{prefix}~");
    let rows = st.query_map(params![system.as_str(), prefix, end], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// For each character at position `prefix.len() + 1` among the billable codes starting with
/// `prefix`: the character, how many codes, and the first code's title.
pub fn next_characters(
    conn: &Connection,
    system: CodeSystem,
    prefix: &str,
) -> Result<Vec<(char, usize, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT substr(c.code, ?4, 1) AS ch, count(*), min(c.code) FROM codes c
         JOIN code_sets s ON s.system = c.system AND s.version = c.version AND s.active = 1
         WHERE c.system = ?1 AND c.code >= ?2 AND c.code < ?3 AND c.kind = 'code' AND c.billable = 1
         GROUP BY ch ORDER BY ch",
    )?;
    let end = format!("{prefix}~");
    let k = prefix.len() as i64 + 1;
    let rows = st.query_map(params![system.as_str(), prefix, end, k], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (ch, n, first) = row?;
        if let Some(c) = ch.chars().next() {
            out.push((c, n as usize, first));
        }
    }
    Ok(out)
}
