//! The rows query metrics are computed from: sent queries, and encounters opened by coders and CDI
//! specialists (from the audit log).
use crate::report::drg::QueryDrg;
use crate::report::queries::{QueryFact, Review};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

fn time(s: &str, what: &str) -> Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(s)
        .with_context(|| format!("{what}: '{s}' is not an RFC 3339 time"))?
        .with_timezone(&Utc))
}

/// Queries sent in `[from, to)` (times as stored: RFC 3339 UTC).
pub fn facts(conn: &Connection, from: &str, to: &str) -> Result<Vec<QueryFact>> {
    let mut st = conn.prepare(
        "SELECT q.id, q.provider, q.created_by, q.status, q.outcome, q.sent_at, q.answered_at,
                q.drg_before, q.drg_before_weight_e4, d.drg, d.weight_e4
           FROM queries q LEFT JOIN encounter_drgs d ON d.encounter_id = q.encounter_id
          WHERE q.sent_at IS NOT NULL AND q.sent_at >= ?1 AND q.sent_at < ?2 ORDER BY q.id",
    )?;
    let rows = st.query_map(params![from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            match r.get::<_, Option<u16>>(7)? {
                Some(before_drg) => Some(QueryDrg {
                    before_drg,
                    before_weight_e4: r.get::<_, Option<i64>>(8)?.unwrap_or(0),
                    after_drg: r.get(9)?,
                    after_weight_e4: r.get(10)?,
                }),
                None => None,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, provider, specialist, status, outcome, sent, answered, drg) = row?;
        let what = format!("query {id} in the database");
        out.push(QueryFact {
            id,
            provider,
            specialist,
            status: status
                .parse()
                .map_err(anyhow::Error::msg)
                .context(what.clone())?,
            outcome: outcome
                .map(|o| o.parse())
                .transpose()
                .map_err(anyhow::Error::msg)
                .context(what.clone())?,
            sent_at: sent.map(|s| time(&s, &what)).transpose()?,
            answered_at: answered.map(|s| time(&s, &what)).transpose()?,
            drg,
        });
    }
    Ok(out)
}

/// Encounters opened by users whose role is coder or CDI in `[from, to)`.
pub fn reviews(conn: &Connection, from: &str, to: &str) -> Result<Vec<Review>> {
    let mut st = conn.prepare(
        "SELECT a.id, a.encounter_id, a.login, e.attending, a.at FROM audit a
           JOIN users u ON u.login = a.login
           JOIN encounters e ON e.id = a.encounter_id
          WHERE a.action = 'open_encounter' AND u.role IN ('coder','cdi')
            AND a.at >= ?1 AND a.at < ?2 ORDER BY a.id",
    )?;
    let rows = st.query_map(params![from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, encounter_id, login, attending, at) = row?;
        out.push(Review {
            encounter_id,
            login,
            attending,
            at: time(&at, &format!("audit row {id}"))?,
        });
    }
    Ok(out)
}
