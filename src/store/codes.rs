//! Code sets and their entries. Several versions of a system may be loaded; one is active.
use crate::domain::{CodeEntry, CodeSystem, EntryKind, TabularNotes};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodeSetRow {
    pub system: CodeSystem,
    pub version: String,
    pub source: String,
    pub loaded_at: String,
    pub loaded_by: String,
    pub entries: i64,
    pub billable: i64,
    pub active: bool,
}

/// Replaces (system, version) with `entries` and makes it the active version of its system.
/// The caller runs this inside one transaction so a failed load leaves nothing behind.
#[allow(clippy::too_many_arguments)]
pub fn replace_set(
    conn: &Connection,
    system: CodeSystem,
    version: &str,
    source: &str,
    entries: &[CodeEntry],
    by: &str,
    at: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<()> {
    stage_set(conn, system, version, source, entries, by, at, progress)?;
    activate_set(conn, system, version)
}

/// Makes `version` the one active set of `system` (the others of that system become inactive).
pub fn activate_set(conn: &Connection, system: CodeSystem, version: &str) -> Result<()> {
    conn.execute(
        "UPDATE code_sets SET active = (version = ?2) WHERE system = ?1",
        params![system.as_str(), version],
    )?;
    Ok(())
}

/// The code-set fingerprint the index records, for these set rows (only active ones count).
pub fn fingerprint_of(sets: &[CodeSetRow]) -> String {
    let parts: Vec<String> = sets
        .iter()
        .filter(|s| s.active)
        .map(|s| format!("{}:{}:{}:{}", s.system, s.version, s.entries, s.loaded_at))
        .collect();
    parts.join("|")
}

/// Stores a code set (replacing the same version) without making it active: sessions keep using
/// the active one until `activate_set`.
#[allow(clippy::too_many_arguments)]
pub fn stage_set(
    conn: &Connection,
    system: CodeSystem,
    version: &str,
    source: &str,
    entries: &[CodeEntry],
    by: &str,
    at: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<()> {
    let sys = system.as_str();
    conn.execute(
        "DELETE FROM code_sets WHERE system = ?1 AND version = ?2",
        params![sys, version],
    )?;
    let billable = entries.iter().filter(|e| e.billable).count();
    conn.execute(
        "INSERT INTO code_sets (system, version, source, loaded_at, loaded_by, entries, billable, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
        params![sys, version, source, at, by, entries.len() as i64, billable as i64],
    )?;
    let mut st = conn.prepare(
        "INSERT INTO codes (system, version, code, kind, title, billable, parent, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let total = entries.len();
    for (i, e) in entries.iter().enumerate() {
        let notes = if e.notes.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&e.notes)?)
        };
        st.execute(params![
            sys,
            version,
            e.code,
            e.kind.as_str(),
            e.title,
            e.billable,
            e.parent,
            notes
        ])
        .with_context(|| format!("storing {sys} {version} code {}", e.code))?;
        if i % 5000 == 0 {
            progress(i, total);
        }
    }
    progress(total, total);
    Ok(())
}

pub fn sets(conn: &Connection) -> Result<Vec<CodeSetRow>> {
    let mut st = conn.prepare(
        "SELECT system, version, source, loaded_at, loaded_by, entries, billable, active
         FROM code_sets ORDER BY system, version",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            CodeSetRow {
                system: CodeSystem::Icd10Cm,
                version: r.get(1)?,
                source: r.get(2)?,
                loaded_at: r.get(3)?,
                loaded_by: r.get(4)?,
                entries: r.get(5)?,
                billable: r.get(6)?,
                active: r.get(7)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (sys, mut set) = row?;
        set.system = sys.parse().map_err(anyhow::Error::msg)?;
        out.push(set);
    }
    Ok(out)
}

/// A string that changes whenever the active code sets change (for index staleness checks).
pub fn fingerprint(conn: &Connection) -> Result<String> {
    Ok(fingerprint_of(&sets(conn)?))
}

fn map_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

type RawEntry = (
    String,
    String,
    String,
    String,
    bool,
    Option<String>,
    Option<String>,
);

fn to_entry(raw: RawEntry) -> Result<CodeEntry> {
    let (system, code, kind, title, billable, parent, notes) = raw;
    let notes: TabularNotes = match notes {
        Some(n) => serde_json::from_str(&n)
            .with_context(|| format!("notes of code {code} in the database"))?,
        None => TabularNotes::default(),
    };
    Ok(CodeEntry {
        system: system.parse().map_err(anyhow::Error::msg)?,
        kind: kind.parse::<EntryKind>().map_err(anyhow::Error::msg)?,
        code,
        title,
        billable,
        parent,
        notes,
    })
}

const ENTRY_COLS: &str = "c.system, c.code, c.kind, c.title, c.billable, c.parent, c.notes
    FROM codes c JOIN code_sets s ON s.system = c.system AND s.version = c.version AND s.active = 1";

/// One entry of the active version of `system`, by its display code.
pub fn get(conn: &Connection, system: CodeSystem, code: &str) -> Result<Option<CodeEntry>> {
    let sql = format!("SELECT {ENTRY_COLS} WHERE c.system = ?1 AND c.code = ?2");
    conn.query_row(&sql, params![system.as_str(), code], map_entry)
        .optional()?
        .map(to_entry)
        .transpose()
}

/// The entries directly beneath `code` in the active version.
pub fn children(conn: &Connection, system: CodeSystem, code: &str) -> Result<Vec<CodeEntry>> {
    let sql = format!("SELECT {ENTRY_COLS} WHERE c.system = ?1 AND c.parent = ?2 ORDER BY c.code");
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params![system.as_str(), code], map_entry)?;
    rows.map(|r| to_entry(r?)).collect()
}

/// Billable codes at or beneath `code` (depth-first, code order), at most `limit`.
pub fn billable_descendants(
    conn: &Connection,
    system: CodeSystem,
    code: &str,
    limit: usize,
) -> Result<Vec<CodeEntry>> {
    let sql = format!(
        "WITH RECURSIVE sub(code) AS (
            SELECT ?2 UNION ALL
            SELECT c.code FROM codes c JOIN code_sets s ON s.system = c.system
              AND s.version = c.version AND s.active = 1, sub
            WHERE c.system = ?1 AND c.parent = sub.code)
         SELECT {ENTRY_COLS} WHERE c.system = ?1 AND c.billable = 1 AND c.code IN (SELECT code FROM sub)
         ORDER BY c.code LIMIT ?3"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params![system.as_str(), code, limit as i64], map_entry)?;
    rows.map(|r| to_entry(r?)).collect()
}

/// Every entry of the active versions, for building the code index.
pub fn all_active(conn: &Connection) -> Result<Vec<CodeEntry>> {
    let sql = format!("SELECT {ENTRY_COLS} ORDER BY c.system, c.code");
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map([], map_entry)?;
    rows.map(|r| to_entry(r?)).collect()
}
