//! Second-level coding reviews: the sample, both code lists (the coder's as sampled, the
//! reviewer's), and the findings the coder sees.
use crate::domain::{CodeSystem, EncounterType, Poa};
use crate::report::accuracy::{Candidate, ReviewCode};
use anyhow::{Context, Result, anyhow};
use rusqlite::{Connection, OptionalExtension, params};

/// A review as listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReviewRow {
    pub id: i64,
    pub encounter_id: i64,
    pub account: String,
    pub enc_type: EncounterType,
    pub coder: String,
    pub coded_at: String,
    pub reviewer: Option<String>,
    pub sampled_at: String,
    pub sampled_by: String,
    pub sample_rule: String,
    /// "pending" or "done".
    pub status: String,
    pub completed_at: Option<String>,
    pub findings: String,
}

/// Which reviews to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    pub coder: Option<String>,
    pub status: Option<String>,
    /// Only reviews of codings at or after this RFC 3339 time.
    pub coded_from: Option<String>,
    /// Only reviews of codings before this RFC 3339 time.
    pub coded_to: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.encounter_id, e.account, e.enc_type, r.coder, r.coded_at,
        r.reviewer, r.sampled_at, r.sampled_by, r.sample_rule, r.status, r.completed_at, r.findings
   FROM reviews r JOIN encounters e ON e.id = r.encounter_id";

fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ReviewRow, String)> {
    Ok((
        ReviewRow {
            id: r.get(0)?,
            encounter_id: r.get(1)?,
            account: r.get(2)?,
            enc_type: EncounterType::Inpatient,
            coder: r.get(4)?,
            coded_at: r.get(5)?,
            reviewer: r.get(6)?,
            sampled_at: r.get(7)?,
            sampled_by: r.get(8)?,
            sample_rule: r.get(9)?,
            status: r.get(10)?,
            completed_at: r.get(11)?,
            findings: r.get(12)?,
        },
        r.get(3)?,
    ))
}

fn finish((mut row, t): (ReviewRow, String)) -> Result<ReviewRow> {
    row.enc_type = t
        .parse()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("review {}: encounter type", row.id))?;
    Ok(row)
}

pub fn list(conn: &Connection, f: &ReviewFilter) -> Result<Vec<ReviewRow>> {
    let sql = format!(
        "{SELECT} WHERE (?1 IS NULL OR r.coder = ?1) AND (?2 IS NULL OR r.status = ?2)
           AND (?3 IS NULL OR r.coded_at >= ?3) AND (?4 IS NULL OR r.coded_at < ?4)
         ORDER BY r.id"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(
        params![f.coder, f.status, f.coded_from, f.coded_to],
        map_row,
    )?;
    rows.map(|r| finish(r?)).collect()
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ReviewRow>> {
    let sql = format!("{SELECT} WHERE r.id = ?1");
    conn.query_row(&sql, [id], map_row)
        .optional()?
        .map(finish)
        .transpose()
}

/// One side's codes ("coder" or "reviewer"), diagnoses first, in sequence.
pub fn codes(conn: &Connection, review_id: i64, side: &str) -> Result<Vec<ReviewCode>> {
    let mut st = conn.prepare(
        "SELECT system, code, seq, poa FROM review_codes WHERE review_id = ?1 AND side = ?2
         ORDER BY CASE system WHEN 'ICD-10-CM' THEN 0 ELSE 1 END, seq, code",
    )?;
    let rows = st.query_map(params![review_id, side], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (system, code, seq, poa) = row?;
        let ctx = || format!("review {review_id}: {side} code {code}");
        out.push(ReviewCode {
            system: system
                .parse::<CodeSystem>()
                .map_err(anyhow::Error::msg)
                .with_context(ctx)?,
            poa: poa
                .map(|p| p.parse::<Poa>())
                .transpose()
                .map_err(anyhow::Error::msg)
                .with_context(ctx)?,
            code,
            seq,
        });
    }
    Ok(out)
}

fn put_codes(conn: &Connection, review_id: i64, side: &str, codes: &[ReviewCode]) -> Result<()> {
    conn.execute(
        "DELETE FROM review_codes WHERE review_id = ?1 AND side = ?2",
        params![review_id, side],
    )?;
    let mut st = conn.prepare_cached(
        "INSERT INTO review_codes (review_id, side, system, code, seq, poa)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for c in codes {
        st.execute(params![
            review_id,
            side,
            c.system.as_str(),
            c.code,
            c.seq,
            c.poa.map(|p| p.as_str())
        ])
        .with_context(|| format!("review {review_id}: storing {side} code {}", c.code))?;
    }
    Ok(())
}

/// A new pending review with a snapshot of the coder's codes. None when this coding (encounter and
/// coded time) was already sampled.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &Connection,
    encounter_id: i64,
    coder: &str,
    coded_at: &str,
    sampled_at: &str,
    sampled_by: &str,
    rule: &str,
    coder_codes: &[ReviewCode],
) -> Result<Option<i64>> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO reviews (encounter_id, coder, coded_at, sampled_at, sampled_by,
           sample_rule) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![encounter_id, coder, coded_at, sampled_at, sampled_by, rule],
    )?;
    if n == 0 {
        return Ok(None);
    }
    let id = conn.last_insert_rowid();
    put_codes(conn, id, "coder", coder_codes)?;
    Ok(Some(id))
}

/// Records the reviewer's codes and findings and marks the review done.
pub fn complete(
    conn: &Connection,
    id: i64,
    reviewer: &str,
    at: &str,
    reviewer_codes: &[ReviewCode],
    findings: &str,
) -> Result<()> {
    let n = conn.execute(
        "UPDATE reviews SET reviewer = ?2, completed_at = ?3, status = 'done', findings = ?4
         WHERE id = ?1",
        params![id, reviewer, at, findings],
    )?;
    if n == 0 {
        return Err(anyhow!("no review with id {id}"));
    }
    put_codes(conn, id, "reviewer", reviewer_codes)
}

/// Coded encounters whose coding (`coded_at`) falls in [from, to) and was not sampled yet, with
/// their coder and principal diagnosis.
pub fn candidates(conn: &Connection, from: &str, to: &str) -> Result<Vec<(Candidate, String)>> {
    let mut st = conn.prepare(
        "SELECT e.id, e.coded_by, e.enc_type, e.coded_at,
                (SELECT a.code FROM assignments a WHERE a.encounter_id = e.id
                   AND a.system = 'ICD-10-CM' ORDER BY a.seq LIMIT 1)
           FROM encounters e
          WHERE e.status = 'coded' AND e.coded_by IS NOT NULL AND e.coded_at >= ?1
            AND e.coded_at < ?2
            AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.encounter_id = e.id
                              AND r.coded_at = e.coded_at)
          ORDER BY e.id",
    )?;
    let rows = st.query_map(params![from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, coder, t, coded_at, principal) = row?;
        let enc_type = t
            .parse()
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("encounter {id}: column enc_type"))?;
        out.push((
            Candidate {
                encounter_id: id,
                coder,
                enc_type,
                principal,
            },
            coded_at,
        ));
    }
    Ok(out)
}
