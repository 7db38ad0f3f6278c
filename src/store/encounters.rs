//! Patients and encounters: the worklist, encounter headers and claims.
use crate::domain::{Encounter, EncounterStatus, EncounterType, Patient, Sex};
use anyhow::{Context, Result, anyhow};
use rusqlite::{Connection, OptionalExtension, params};

/// What the worklist and the encounter header show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EncounterRow {
    pub id: i64,
    pub account: String,
    pub patient_id: i64,
    pub mrn: String,
    pub patient_name: String,
    pub birth_date: String,
    pub sex: Sex,
    pub enc_type: EncounterType,
    pub admit_date: String,
    pub discharge_date: Option<String>,
    pub attending: String,
    pub total_charges_cents: i64,
    pub status: EncounterStatus,
    pub pending_reason: Option<String>,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<String>,
    pub coded_by: Option<String>,
    pub coded_at: Option<String>,
    pub code_count: i64,
}

/// Which encounters a worklist shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorklistFilter {
    /// Only encounters claimed by this login.
    pub claimed_by: Option<String>,
    /// Only encounters nobody has claimed.
    pub unclaimed: bool,
    /// Only these statuses (empty: all).
    pub statuses: Vec<EncounterStatus>,
    /// Case-insensitive match on account, MRN, patient name, type, attending or status.
    pub text: Option<String>,
    pub limit: Option<usize>,
    /// Also encounters imported as closed history (left out of worklists and the backlog).
    pub include_history: bool,
}

const SELECT: &str = "SELECT e.id, e.account, e.patient_id, p.mrn, p.name, p.birth_date, p.sex, e.enc_type,
        e.admit_date, e.discharge_date, e.attending, e.total_charges_cents, e.status, e.pending_reason,
        e.claimed_by, e.claimed_at, e.coded_by, e.coded_at,
        (SELECT COUNT(*) FROM assignments a WHERE a.encounter_id = e.id)
   FROM encounters e JOIN patients p ON p.id = e.patient_id";

fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<EncounterRow>> {
    let sex: String = r.get(6)?;
    let enc_type: String = r.get(7)?;
    let status: String = r.get(12)?;
    let account: String = r.get(1)?;
    let parsed = (|| -> Result<EncounterRow> {
        Ok(EncounterRow {
            id: r.get(0)?,
            account: account.clone(),
            patient_id: r.get(2)?,
            mrn: r.get(3)?,
            patient_name: r.get(4)?,
            birth_date: r.get(5)?,
            sex: sex.parse().map_err(anyhow::Error::msg)?,
            enc_type: enc_type.parse().map_err(anyhow::Error::msg)?,
            admit_date: r.get(8)?,
            discharge_date: r.get(9)?,
            attending: r.get(10)?,
            total_charges_cents: r.get(11)?,
            status: status.parse().map_err(anyhow::Error::msg)?,
            pending_reason: r.get(13)?,
            claimed_by: r.get(14)?,
            claimed_at: r.get(15)?,
            coded_by: r.get(16)?,
            coded_at: r.get(17)?,
            code_count: r.get(18)?,
        })
    })()
    .with_context(|| format!("encounter {account} in the database"));
    Ok(parsed)
}

pub fn worklist(conn: &Connection, f: &WorklistFilter) -> Result<Vec<EncounterRow>> {
    let statuses: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
    let status_list = statuses.join(",");
    let text = f
        .text
        .as_deref()
        .map(|t| format!("%{}%", t.trim().to_lowercase()));
    let sql = format!(
        "{SELECT}
         WHERE (?1 IS NULL OR e.claimed_by = ?1)
           AND (?2 = 0 OR e.claimed_by IS NULL)
           AND (?3 = '' OR instr(',' || ?3 || ',', ',' || e.status || ',') > 0)
           AND (?4 IS NULL OR lower(e.account || ' ' || p.mrn || ' ' || p.name || ' ' || e.enc_type
                || ' ' || e.attending || ' ' || e.status) LIKE ?4)
           AND (?6 = 1 OR e.historical = 0)
         ORDER BY CASE e.status WHEN 'coded' THEN 1 ELSE 0 END,
                  COALESCE(e.discharge_date, e.admit_date), e.account
         LIMIT ?5"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(
        params![
            f.claimed_by,
            f.unclaimed,
            status_list,
            text,
            f.limit.map(|l| l as i64).unwrap_or(-1),
            f.include_history
        ],
        map_row,
    )?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r??);
    }
    Ok(out)
}

pub fn by_account(conn: &Connection, account: &str) -> Result<Option<EncounterRow>> {
    let sql = format!("{SELECT} WHERE e.account = ?1");
    conn.query_row(&sql, [account.trim()], map_row)
        .optional()?
        .transpose()
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<EncounterRow>> {
    let sql = format!("{SELECT} WHERE e.id = ?1");
    conn.query_row(&sql, [id], map_row).optional()?.transpose()
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM encounters", [], |r| r.get(0))?)
}

/// Inserts or updates a patient by MRN; returns the patient id.
pub fn upsert_patient(conn: &Connection, p: &Patient) -> Result<i64> {
    conn.execute(
        "INSERT INTO patients (mrn, name, birth_date, sex) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(mrn) DO UPDATE SET name = excluded.name, birth_date = excluded.birth_date,
           sex = excluded.sex",
        params![p.mrn, p.name, p.birth_date, p.sex.as_str()],
    )?;
    patient_id(conn, &p.mrn)?.ok_or_else(|| anyhow!("patient {} vanished after insert", p.mrn))
}

pub fn patient_id(conn: &Connection, mrn: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM patients WHERE mrn = ?1")?
        .query_row([mrn], |r| r.get(0))
        .optional()?)
}

/// Inserts an encounter for an existing patient; returns its id. A duplicate account is an error.
pub fn insert(conn: &Connection, e: &Encounter) -> Result<i64> {
    let pid = patient_id(conn, &e.mrn)?
        .ok_or_else(|| anyhow!("encounter {}: no patient with MRN {}", e.account, e.mrn))?;
    conn.prepare_cached(
        "INSERT INTO encounters (account, patient_id, enc_type, admit_date, discharge_date, attending,
           total_charges_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
            e.account,
            pid,
            e.enc_type.as_str(),
            e.admit_date,
            e.discharge_date,
            e.attending,
            e.total_charges_cents
        ],
    )
    .with_context(|| format!("inserting encounter {}", e.account))?;
    Ok(conn.last_insert_rowid())
}

/// Claims an encounter for `login` unless someone else holds it. Returns true if `login` now holds it.
/// Run inside a write (IMMEDIATE) transaction so two processes cannot both win.
/// A claim without a lease (the service takes claims through `store::claims` with one).
pub fn try_claim(conn: &Connection, id: i64, login: &str, at: &str) -> Result<bool> {
    super::claims::take(conn, id, login, at, None)
}

/// Sets or clears the claim regardless of who holds it (supervisor reassign, release).
/// Recorded in the claims table as ended by its holder; the new claim has no lease.
pub fn set_claim(conn: &Connection, id: i64, login: Option<&str>, at: &str) -> Result<()> {
    use super::claims::{self, Ended};
    let by = claims::current(conn, id)?
        .map(|c| c.holder)
        .unwrap_or_default();
    match login {
        Some(l) => claims::hand_over(conn, id, &by, l, at, Ended::Reassign, None)?,
        None => claims::end(conn, id, &by, at, Ended::Release)?,
    };
    Ok(())
}

pub fn set_status(
    conn: &Connection,
    id: i64,
    status: EncounterStatus,
    pending_reason: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE encounters SET status = ?2, pending_reason = ?3 WHERE id = ?1",
        params![id, status.as_str(), pending_reason],
    )?;
    Ok(())
}

pub fn set_coded(conn: &Connection, id: i64, by: Option<&str>, at: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE encounters SET coded_by = ?2, coded_at = ?3 WHERE id = ?1",
        params![id, by, at],
    )?;
    Ok(())
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Updated,
    Unchanged,
}

/// Inserts a patient or updates the one with the same MRN; returns its id and what changed.
pub fn upsert_patient_tracked(conn: &Connection, p: &Patient) -> Result<(i64, Change)> {
    let existing: Option<(i64, String, String, String)> = conn
        .prepare_cached("SELECT id, name, birth_date, sex FROM patients WHERE mrn = ?1")?
        .query_row([&p.mrn], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    match existing {
        Some((id, n, b, s)) if n == p.name && b == p.birth_date && s == p.sex.as_str() => {
            Ok((id, Change::Unchanged))
        }
        Some((id, ..)) => {
            conn.prepare_cached(
                "UPDATE patients SET name = ?2, birth_date = ?3, sex = ?4 WHERE id = ?1",
            )?
            .execute(params![id, p.name, p.birth_date, p.sex.as_str()])
            .with_context(|| format!("updating patient {}", p.mrn))?;
            Ok((id, Change::Updated))
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO patients (mrn, name, birth_date, sex) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![p.mrn, p.name, p.birth_date, p.sex.as_str()])
            .with_context(|| format!("inserting patient {}", p.mrn))?;
            Ok((conn.last_insert_rowid(), Change::Added))
        }
    }
}

/// Inserts an encounter, or updates the one with the same account (type, patient, dates and
/// attending; charges are only set when adding). A missing discharge date or an empty attending
/// keeps the stored one. Returns its id and what changed.
pub fn upsert_by_account(conn: &Connection, e: &Encounter) -> Result<(i64, Change)> {
    let pid = patient_id(conn, &e.mrn)?
        .ok_or_else(|| anyhow!("encounter {}: no patient with MRN {}", e.account, e.mrn))?;
    type Existing = (i64, i64, String, String, Option<String>, String);
    let existing: Option<Existing> = conn
        .prepare_cached(
            "SELECT id, patient_id, enc_type, admit_date, discharge_date, attending FROM encounters
             WHERE account = ?1",
        )?
        .query_row([&e.account], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    match existing {
        Some((id, p, t, a, d, att))
            if p == pid
                && t == e.enc_type.as_str()
                && a == e.admit_date
                && (e.discharge_date.is_none() || d == e.discharge_date)
                && (e.attending.is_empty() || att == e.attending) =>
        {
            Ok((id, Change::Unchanged))
        }
        Some((id, _, _, _, d, att)) => {
            let discharge = e.discharge_date.clone().or(d);
            let attending = if e.attending.is_empty() {
                att
            } else {
                e.attending.clone()
            };
            conn.prepare_cached(
                "UPDATE encounters SET patient_id = ?2, enc_type = ?3, admit_date = ?4,
                   discharge_date = ?5, attending = ?6 WHERE id = ?1",
            )?
            .execute(params![
                id,
                pid,
                e.enc_type.as_str(),
                e.admit_date,
                discharge,
                attending
            ])
            .with_context(|| format!("updating encounter {}", e.account))?;
            Ok((id, Change::Updated))
        }
        None => Ok((insert(conn, e)?, Change::Added)),
    }
}

/// The highest encounter id (0 when there are none): encounters added later have higher ids.
pub fn max_id(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT COALESCE(MAX(id), 0) FROM encounters", [], |r| {
            r.get(0)
        })?,
    )
}

/// Marks the encounters added after `after_id` that were discharged before `before` (YYYY-MM-DD)
/// and are untouched (uncoded, unclaimed, no codes) as closed history. Returns how many.
pub fn mark_history(conn: &Connection, after_id: i64, before: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE encounters SET historical = 1
          WHERE id > ?1 AND historical = 0 AND discharge_date IS NOT NULL AND discharge_date < ?2
            AND status = 'uncoded' AND claimed_by IS NULL
            AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.encounter_id = encounters.id)",
        params![after_id, before],
    )?)
}

/// Whether an encounter is closed history.
pub fn is_history(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT historical FROM encounters WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, i64>(0))
        .optional()?
        .is_some_and(|h| h != 0))
}

/// An encounter's id and patient id by account.
pub fn ids_by_account(conn: &Connection, account: &str) -> Result<Option<(i64, i64)>> {
    Ok(conn
        .prepare_cached("SELECT id, patient_id FROM encounters WHERE account = ?1")?
        .query_row([account], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// An encounter's id, patient id and type by account (what a new note's index entry needs).
pub fn index_info_by_account(
    conn: &Connection,
    account: &str,
) -> Result<Option<(i64, i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, patient_id, enc_type FROM encounters WHERE account = ?1")?
        .query_row([account], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}
