//! Reads for the supervisor reports: activity from the audit log, encounter types, coders and teams.
use crate::domain::{EncounterType, Permission, Role};
use crate::report::activity::ActionEvent;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// Parses a stored RFC 3339 time.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(s)
        .with_context(|| format!("'{s}' is not an RFC 3339 time"))?
        .with_timezone(&Utc))
}

/// Audit rows the throughput report needs: every action between `from` (inclusive) and `to`
/// (exclusive), RFC 3339 bounds, plus, for the encounters marked coded in that time, every
/// `open_encounter`, `mark_coded` and `reopen` before or after it (what makes a coding final and
/// where time in chart starts).
pub fn activity(conn: &Connection, from: &str, to: &str) -> Result<Vec<ActionEvent>> {
    let mut st = conn.prepare(
        "SELECT id, at, login, action, encounter_id FROM audit
         WHERE (at >= ?1 AND at < ?2)
            OR (action IN ('open_encounter', 'mark_coded', 'reopen')
                AND encounter_id IN (SELECT encounter_id FROM audit
                                      WHERE action = 'mark_coded' AND at >= ?1 AND at < ?2))
         ORDER BY id",
    )?;
    let rows = st.query_map(params![from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<i64>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, at, login, action, encounter_id) = row?;
        let at = parse_time(&at).with_context(|| format!("audit row {id}: column at"))?;
        out.push(ActionEvent {
            login,
            at,
            action,
            encounter_id,
        });
    }
    Ok(out)
}

/// Every encounter's type by id.
pub fn encounter_types(conn: &Connection) -> Result<HashMap<i64, EncounterType>> {
    let mut st = conn.prepare("SELECT id, enc_type FROM encounters")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, t) = row?;
        let t: EncounterType = t
            .parse()
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("encounter {id}: column enc_type"))?;
        out.insert(id, t);
    }
    Ok(out)
}

/// Active users whose role codes, as (login, team), by login.
pub fn coders(conn: &Connection) -> Result<Vec<(String, String)>> {
    Ok(super::users::list(conn)?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Coder && u.role.allows(Permission::Code))
        .map(|u| (u.login, u.team))
        .collect())
}

/// Every user's team by login.
pub fn teams(conn: &Connection) -> Result<HashMap<String, String>> {
    Ok(super::users::list(conn)?
        .into_iter()
        .map(|u| (u.login, u.team))
        .collect())
}
