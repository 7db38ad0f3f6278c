//! Code-set queries by code prefix, for browsing ICD-10-PCS one axis (character) at a time.
use crate::domain::CodeSystem;
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

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
/// `prefix`: the character, how many codes, and the first code. A skip scan on the primary key: one
/// seek per value and one counted range, never a pass over the whole set.
pub fn next_characters(
    conn: &Connection,
    system: CodeSystem,
    prefix: &str,
) -> Result<Vec<(char, usize, String)>> {
    let version: Option<String> = conn
        .query_row(
            "SELECT version FROM code_sets WHERE system = ?1 AND active = 1",
            params![system.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(version) = version else {
        return Ok(Vec::new());
    };
    let mut first = conn.prepare_cached(
        "SELECT min(code) FROM codes WHERE system = ?1 AND version = ?2 AND code >= ?3 AND code < ?4
         AND kind = 'code' AND billable = 1",
    )?;
    let mut count = conn.prepare_cached(
        "SELECT count(*) FROM codes WHERE system = ?1 AND version = ?2 AND code >= ?3 AND code < ?4
         AND kind = 'code' AND billable = 1",
    )?;
    let end = format!("{prefix}~");
    let mut from = prefix.to_string();
    let mut out = Vec::new();
    let k = prefix.len();
    loop {
        let code: Option<String> =
            first.query_row(params![system.as_str(), version, from, end], |r| r.get(0))?;
        let Some(code) = code else {
            break;
        };
        let Some(c) = code.get(k..).and_then(|r| r.chars().next()) else {
            break;
        };
        let lo = format!("{prefix}{c}");
        let hi = format!("{lo}~");
        let n: i64 = count.query_row(params![system.as_str(), version, lo, hi], |r| r.get(0))?;
        out.push((c, n as usize, code));
        from = hi;
    }
    Ok(out)
}
