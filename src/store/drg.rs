//! MS-DRG rows: an encounter's discharge status, the final DRG stored when an inpatient encounter
//! is marked coded, the working DRG a query was sent against, and the rows the DRG report reads.
pub use crate::report::drg::QueryDrg;
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// A relative weight in ten-thousandths (Table 5 has four decimals), so weights compare exactly.
pub fn weight_e4(w: f64) -> i64 {
    (w * 10_000.0).round() as i64
}

/// Back from ten-thousandths.
pub fn weight_of(e4: i64) -> f64 {
    e4 as f64 / 10_000.0
}

/// The two-digit UB-04 discharge status stored on an encounter (None: not known).
pub fn discharge_status(conn: &Connection, encounter_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT discharge_status FROM encounters WHERE id = ?1")?
        .query_row([encounter_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Sets (or clears) an encounter's discharge status. The caller checks the format; the schema
/// refuses anything but two digits.
pub fn set_discharge_status(
    conn: &Connection,
    encounter_id: i64,
    status: Option<&str>,
) -> Result<()> {
    conn.prepare_cached("UPDATE encounters SET discharge_status = ?2 WHERE id = ?1")?
        .execute(params![encounter_id, status])
        .with_context(|| format!("setting the discharge status of encounter {encounter_id}"))?;
    Ok(())
}

/// The final DRG of a coded encounter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FinalDrg {
    pub encounter_id: i64,
    pub drg: u16,
    pub weight_e4: i64,
    pub mdc: u8,
    /// MED, SURG or empty (998/999).
    pub drg_type: String,
    /// MCC, CC or empty: the highest severity that counted.
    pub severity: String,
    /// Any secondary diagnosis on the claim is a CC or MCC (whether it counted or not).
    pub has_cc_codes: bool,
    pub principal: String,
    pub discharge_status: String,
    pub grouper: String,
    pub grouped_by: String,
    pub grouped_at: String,
}

impl FinalDrg {
    pub fn weight(&self) -> f64 {
        weight_of(self.weight_e4)
    }
}

const FINAL_COLS: &str = "encounter_id, drg, weight_e4, mdc, drg_type, severity, has_cc_codes,
    principal, discharge_status, grouper, grouped_by, grouped_at";

fn final_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FinalDrg> {
    Ok(FinalDrg {
        encounter_id: r.get(0)?,
        drg: r.get(1)?,
        weight_e4: r.get(2)?,
        mdc: r.get(3)?,
        drg_type: r.get(4)?,
        severity: r.get(5)?,
        has_cc_codes: r.get::<_, i64>(6)? != 0,
        principal: r.get(7)?,
        discharge_status: r.get(8)?,
        grouper: r.get(9)?,
        grouped_by: r.get(10)?,
        grouped_at: r.get(11)?,
    })
}

/// Stores (or replaces) an encounter's final DRG.
pub fn save_final(conn: &Connection, f: &FinalDrg) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO encounter_drgs ({FINAL_COLS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params![
        f.encounter_id,
        f.drg,
        f.weight_e4,
        f.mdc,
        f.drg_type,
        f.severity,
        i64::from(f.has_cc_codes),
        f.principal,
        f.discharge_status,
        f.grouper,
        f.grouped_by,
        f.grouped_at
    ])
    .with_context(|| format!("storing the final DRG of encounter {}", f.encounter_id))?;
    Ok(())
}

/// Removes an encounter's final DRG (reopened); true if there was one.
pub fn clear_final(conn: &Connection, encounter_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM encounter_drgs WHERE encounter_id = ?1")?
        .execute([encounter_id])?
        > 0)
}

pub fn final_drg(conn: &Connection, encounter_id: i64) -> Result<Option<FinalDrg>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {FINAL_COLS} FROM encounter_drgs WHERE encounter_id = ?1"
        ))?
        .query_row([encounter_id], final_row)
        .optional()?)
}

/// Records the working DRG a query is sent against.
pub fn set_query_before(
    conn: &Connection,
    query_id: i64,
    drg: u16,
    weight_e4: i64,
    grouper: &str,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE queries SET drg_before = ?2, drg_before_weight_e4 = ?3, drg_before_grouper = ?4
          WHERE id = ?1",
    )?
    .execute(params![query_id, drg, weight_e4, grouper])
    .with_context(|| format!("storing the working DRG of query {query_id}"))?;
    Ok(())
}

/// One coded inpatient encounter with its final DRG, as the DRG report reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedDrgRow {
    pub encounter_id: i64,
    pub coded_by: String,
    pub coded_at: String,
    pub drg: u16,
    pub weight: f64,
    pub mdc: u8,
    pub drg_type: String,
    pub severity: String,
    pub has_cc_codes: bool,
}

/// Coded encounters with a final DRG, coded in `[from, to)` (RFC 3339 bounds).
pub fn coded_rows(conn: &Connection, from: &str, to: &str) -> Result<Vec<CodedDrgRow>> {
    let mut st = conn.prepare(
        "SELECT e.id, COALESCE(e.coded_by, d.grouped_by), COALESCE(e.coded_at, d.grouped_at),
                d.drg, d.weight_e4, d.mdc, d.drg_type, d.severity, d.has_cc_codes
           FROM encounter_drgs d JOIN encounters e ON e.id = d.encounter_id
          WHERE e.status = 'coded' AND COALESCE(e.coded_at, d.grouped_at) >= ?1
            AND COALESCE(e.coded_at, d.grouped_at) < ?2
          ORDER BY e.id",
    )?;
    let rows = st.query_map(params![from, to], |r| {
        Ok(CodedDrgRow {
            encounter_id: r.get(0)?,
            coded_by: r.get(1)?,
            coded_at: r.get(2)?,
            drg: r.get(3)?,
            weight: weight_of(r.get(4)?),
            mdc: r.get(5)?,
            drg_type: r.get(6)?,
            severity: r.get(7)?,
            has_cc_codes: r.get::<_, i64>(8)? != 0,
        })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .context("reading coded encounters' DRGs")
}

/// Sent queries on encounters coded in `[from, to)` with their DRG before and after.
pub fn query_changes(
    conn: &Connection,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, String, QueryDrg)>> {
    let mut st = conn.prepare(
        "SELECT q.id, q.created_by, q.drg_before, q.drg_before_weight_e4, d.drg, d.weight_e4
           FROM queries q JOIN encounter_drgs d ON d.encounter_id = q.encounter_id
           JOIN encounters e ON e.id = q.encounter_id
          WHERE q.drg_before IS NOT NULL AND e.status = 'coded'
            AND COALESCE(e.coded_at, d.grouped_at) >= ?1 AND COALESCE(e.coded_at, d.grouped_at) < ?2
          ORDER BY q.id",
    )?;
    let rows = st.query_map(params![from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            QueryDrg {
                before_drg: r.get(2)?,
                before_weight_e4: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                after_drg: r.get(4)?,
                after_weight_e4: r.get(5)?,
            },
        ))
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .context("reading queries' DRG changes")
}
