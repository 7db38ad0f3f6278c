//! Codes assigned to encounters, and the history of every change to them.
use crate::domain::{Assignment, CodeSystem, Poa};
use anyhow::{Context, Result};
use rusqlite::{Connection, params};

pub fn list(conn: &Connection, encounter_id: i64) -> Result<Vec<Assignment>> {
    let mut st = conn.prepare(
        "SELECT id, system, code, title, seq, poa, assigned_by, assigned_at FROM assignments
         WHERE encounter_id = ?1
         ORDER BY CASE system WHEN 'ICD-10-CM' THEN 0 ELSE 1 END, seq, id",
    )?;
    let rows = st.query_map([encounter_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, system, code, title, seq, poa, by, at) = row?;
        let system: CodeSystem = system
            .parse()
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("assignment {id}"))?;
        let poa = poa
            .map(|p| p.parse::<Poa>())
            .transpose()
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("assignment {id}"))?;
        out.push(Assignment {
            id,
            system,
            code,
            title,
            seq,
            principal: seq == 1,
            poa,
            assigned_by: by,
            assigned_at: at,
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &Connection,
    encounter_id: i64,
    system: CodeSystem,
    code: &str,
    title: &str,
    seq: i64,
    poa: Option<Poa>,
    by: &str,
    at: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO assignments (encounter_id, system, code, title, seq, poa, assigned_by, assigned_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            encounter_id,
            system.as_str(),
            code,
            title,
            seq,
            poa.map(|p| p.as_str()),
            by,
            at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM assignments WHERE id = ?1", [id])?;
    Ok(())
}

pub fn set_seq(conn: &Connection, id: i64, seq: i64) -> Result<()> {
    conn.execute(
        "UPDATE assignments SET seq = ?2 WHERE id = ?1",
        params![id, seq],
    )?;
    Ok(())
}

pub fn set_poa(conn: &Connection, id: i64, poa: Option<Poa>) -> Result<()> {
    conn.execute(
        "UPDATE assignments SET poa = ?2 WHERE id = ?1",
        params![id, poa.map(|p| p.as_str())],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryRow {
    pub system: String,
    pub code: String,
    pub action: String,
    pub detail: String,
    pub login: String,
    pub at: String,
}

#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &Connection,
    encounter_id: i64,
    system: CodeSystem,
    code: &str,
    action: &str,
    detail: &str,
    login: &str,
    at: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO assignment_history (encounter_id, system, code, action, detail, login, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            encounter_id,
            system.as_str(),
            code,
            action,
            detail,
            login,
            at
        ],
    )?;
    Ok(())
}

pub fn history(conn: &Connection, encounter_id: i64) -> Result<Vec<HistoryRow>> {
    let mut st = conn.prepare(
        "SELECT system, code, action, detail, login, at FROM assignment_history
         WHERE encounter_id = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([encounter_id], |r| {
        Ok(HistoryRow {
            system: r.get(0)?,
            code: r.get(1)?,
            action: r.get(2)?,
            detail: r.get(3)?,
            login: r.get(4)?,
            at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Rows for `export codes`: every assignment of coded encounters (or one encounter).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportRow {
    pub account: String,
    pub mrn: String,
    pub enc_type: String,
    pub status: String,
    pub system: String,
    pub code: String,
    pub title: String,
    pub seq: i64,
    pub principal: bool,
    pub poa: Option<String>,
    pub assigned_by: String,
    pub assigned_at: String,
    pub coded_by: Option<String>,
    pub coded_at: Option<String>,
}

pub fn export(conn: &Connection, account: Option<&str>) -> Result<Vec<ExportRow>> {
    let mut st = conn.prepare(
        "SELECT e.account, p.mrn, e.enc_type, e.status, a.system, a.code, a.title, a.seq, a.poa,
                a.assigned_by, a.assigned_at, e.coded_by, e.coded_at
         FROM assignments a JOIN encounters e ON e.id = a.encounter_id
         JOIN patients p ON p.id = e.patient_id
         WHERE (?1 IS NULL AND e.status = 'coded') OR e.account = ?1
         ORDER BY e.account, CASE a.system WHEN 'ICD-10-CM' THEN 0 ELSE 1 END, a.seq",
    )?;
    let rows = st.query_map([account], |r| {
        let seq: i64 = r.get(7)?;
        Ok(ExportRow {
            account: r.get(0)?,
            mrn: r.get(1)?,
            enc_type: r.get(2)?,
            status: r.get(3)?,
            system: r.get(4)?,
            code: r.get(5)?,
            title: r.get(6)?,
            seq,
            principal: seq == 1,
            poa: r.get(8)?,
            assigned_by: r.get(9)?,
            assigned_at: r.get(10)?,
            coded_by: r.get(11)?,
            coded_at: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
