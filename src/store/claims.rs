//! Claims: who holds an encounter, since when, until when their workstation vouches for it (the
//! lease), and how each claim ended. Every change here also sets `encounters.claimed_by` /
//! `claimed_at` (the current holder the worklist queries read), so the two never disagree. Run
//! inside the service's write (IMMEDIATE) transaction, with the audit row.
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// How a claim ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ended {
    /// Given back by its holder, or taken away by a supervisor.
    Release,
    /// Handed to another user by a supervisor.
    Reassign,
    /// Taken by another coder after its lease expired.
    TakeOver,
    /// The holder marked the encounter coded.
    Coded,
}

impl Ended {
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::Release => "release",
            Ended::Reassign => "reassign",
            Ended::TakeOver => "take_over",
            Ended::Coded => "coded",
        }
    }
    fn parse(s: &str) -> Option<Ended> {
        [
            Ended::Release,
            Ended::Reassign,
            Ended::TakeOver,
            Ended::Coded,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// One claim, open or ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClaimRow {
    pub id: i64,
    pub encounter_id: i64,
    pub holder: String,
    pub since: String,
    /// `None`: no lease (handed over and not yet opened by its holder): it does not expire.
    pub lease_until: Option<String>,
    pub ended_at: Option<String>,
    pub ended_by: Option<String>,
    pub ended_how: Option<Ended>,
}

impl ClaimRow {
    /// Whether the lease ran out before `now` (stamps in `store::now`'s format compare as text).
    pub fn lease_expired(&self, now: &str) -> bool {
        self.ended_at.is_none() && self.lease_until.as_deref().is_some_and(|l| l < now)
    }
}

const COLUMNS: &str = "id, encounter_id, holder, since, lease_until, ended_at, ended_by, ended_how";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClaimRow> {
    let how: Option<String> = r.get(7)?;
    Ok(ClaimRow {
        id: r.get(0)?,
        encounter_id: r.get(1)?,
        holder: r.get(2)?,
        since: r.get(3)?,
        lease_until: r.get(4)?,
        ended_at: r.get(5)?,
        ended_by: r.get(6)?,
        ended_how: how.as_deref().and_then(Ended::parse),
    })
}

/// The encounter's open claim, if any.
pub fn current(conn: &Connection, encounter_id: i64) -> Result<Option<ClaimRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM claims WHERE encounter_id = ?1 AND ended_at IS NULL"
        ))?
        .query_row([encounter_id], read)
        .optional()?)
}

/// The encounter's latest claim, open or ended.
pub fn latest(conn: &Connection, encounter_id: i64) -> Result<Option<ClaimRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM claims WHERE encounter_id = ?1 ORDER BY id DESC LIMIT 1"
        ))?
        .query_row([encounter_id], read)
        .optional()?)
}

/// Every claim of the encounter, oldest first.
pub fn history(conn: &Connection, encounter_id: i64) -> Result<Vec<ClaimRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM claims WHERE encounter_id = ?1 ORDER BY id"
    ))?;
    let rows = st.query_map([encounter_id], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The open claims of these encounters (those that have one).
pub fn open_for(conn: &Connection, encounter_ids: &[i64]) -> Result<Vec<ClaimRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM claims WHERE encounter_id = ?1 AND ended_at IS NULL"
    ))?;
    let mut out = Vec::new();
    for id in encounter_ids {
        if let Some(c) = st.query_row([id], read).optional()? {
            out.push(c);
        }
    }
    Ok(out)
}

/// Claims the encounter for `login` when nobody holds it; true if `login` now holds it (already
/// did, or just took it). A claim `login` already holds gets the new lease.
pub fn take(
    conn: &Connection,
    encounter_id: i64,
    login: &str,
    at: &str,
    lease_until: Option<&str>,
) -> Result<bool> {
    match current(conn, encounter_id)? {
        Some(c) if c.holder == login => {
            if lease_until.is_some() {
                renew(conn, encounter_id, login, lease_until)?;
            }
            Ok(true)
        }
        Some(_) => Ok(false),
        None => {
            start(conn, encounter_id, login, at, lease_until)?;
            Ok(true)
        }
    }
}

fn start(
    conn: &Connection,
    encounter_id: i64,
    login: &str,
    at: &str,
    lease_until: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO claims (encounter_id, holder, since, lease_until) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![encounter_id, login, at, lease_until])
    .with_context(|| format!("claiming encounter {encounter_id} for {login}"))?;
    conn.prepare_cached("UPDATE encounters SET claimed_by = ?2, claimed_at = ?3 WHERE id = ?1")?
        .execute(params![encounter_id, login, at])?;
    Ok(())
}

/// Ends the encounter's open claim (if any), by `by` at `at`; returns the claim it ended.
pub fn end(
    conn: &Connection,
    encounter_id: i64,
    by: &str,
    at: &str,
    how: Ended,
) -> Result<Option<ClaimRow>> {
    let Some(c) = current(conn, encounter_id)? else {
        // A holder recorded only on the encounter (written outside the service): clear it too.
        conn.prepare_cached(
            "UPDATE encounters SET claimed_by = NULL, claimed_at = NULL WHERE id = ?1",
        )?
        .execute([encounter_id])?;
        return Ok(None);
    };
    conn.prepare_cached(
        "UPDATE claims SET ended_at = ?2, ended_by = ?3, ended_how = ?4 WHERE id = ?1",
    )?
    .execute(params![c.id, at, by, how.as_str()])?;
    conn.prepare_cached(
        "UPDATE encounters SET claimed_by = NULL, claimed_at = NULL WHERE id = ?1",
    )?
    .execute([encounter_id])?;
    Ok(Some(c))
}

/// Ends the open claim (`how`, by `by`) and gives the encounter to `to`; returns the ended claim.
pub fn hand_over(
    conn: &Connection,
    encounter_id: i64,
    by: &str,
    to: &str,
    at: &str,
    how: Ended,
    lease_until: Option<&str>,
) -> Result<Option<ClaimRow>> {
    let old = end(conn, encounter_id, by, at, how)?;
    start(conn, encounter_id, to, at, lease_until)?;
    Ok(old)
}

/// Moves the lease of `login`'s open claim on the encounter to `lease_until`: one UPDATE. False
/// when `login` no longer holds it.
pub fn renew(
    conn: &Connection,
    encounter_id: i64,
    login: &str,
    lease_until: Option<&str>,
) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE claims SET lease_until = ?3
              WHERE encounter_id = ?1 AND holder = ?2 AND ended_at IS NULL",
        )?
        .execute(params![encounter_id, login, lease_until])?;
    Ok(n == 1)
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
