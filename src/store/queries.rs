//! Documentation queries in SQLite: the query rows, options, pinned indicators, lifecycle events,
//! codes changed because of an answer, and templates. Plain functions with explicit timestamps, so
//! callers (the service, the demo generator) can write back-dated history.
use crate::domain::{
    EncounterStatus, EncounterType, Indicator, Outcome, QueryStatus, QueryType, YesNoPurpose,
};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

pub use super::query_templates::{save_template, template, templates};

/// One query with the encounter fields lists show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueryRow {
    pub id: i64,
    pub encounter_id: i64,
    pub account: String,
    pub patient_id: i64,
    pub mrn: String,
    pub patient_name: String,
    pub enc_type: EncounterType,
    pub attending: String,
    pub encounter_status: EncounterStatus,
    pub claimed_by: Option<String>,
    pub coded_by: Option<String>,
    pub query_type: QueryType,
    pub status: QueryStatus,
    pub provider: String,
    pub question: String,
    pub purpose: Option<YesNoPurpose>,
    pub template: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub sent_by: Option<String>,
    pub sent_at: Option<String>,
    pub due_at: Option<String>,
    pub escalated_at: Option<String>,
    pub escalated_to: Option<String>,
    pub answered_at: Option<String>,
    pub answered_by: Option<String>,
    pub response: Option<String>,
    pub outcome: Option<Outcome>,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    pub canceled_at: Option<String>,
    pub canceled_by: Option<String>,
    pub cancel_reason: Option<String>,
    pub codes_recorded_at: Option<String>,
    /// The working MS-DRG when the query was sent and the final one once the encounter is coded
    /// (inpatient queries sent since DRGs were stored).
    pub drg: Option<super::drg::QueryDrg>,
}

const SELECT: &str = "SELECT q.id, q.encounter_id, e.account, e.patient_id, p.mrn, p.name, e.enc_type,
        e.attending, e.status, e.claimed_by, e.coded_by, q.query_type, q.status, q.provider,
        q.question, q.purpose, q.template, q.created_by, q.created_at, q.updated_at, q.sent_by,
        q.sent_at, q.due_at, q.escalated_at, q.escalated_to, q.answered_at, q.answered_by,
        q.response, q.outcome, q.closed_at, q.closed_by, q.canceled_at, q.canceled_by,
        q.cancel_reason, q.codes_recorded_at, q.drg_before, q.drg_before_weight_e4, d.drg, d.weight_e4
   FROM queries q JOIN encounters e ON e.id = q.encounter_id JOIN patients p ON p.id = e.patient_id
   LEFT JOIN encounter_drgs d ON d.encounter_id = q.encounter_id";

fn parse<T: std::str::FromStr<Err = String>>(s: String, id: i64, col: &str) -> Result<T> {
    s.parse::<T>()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("query {id} in the database, column {col}"))
}

fn opt_parse<T: std::str::FromStr<Err = String>>(
    s: Option<String>,
    id: i64,
    col: &str,
) -> Result<Option<T>> {
    s.map(|s| parse(s, id, col)).transpose()
}

fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<QueryRow>> {
    let id: i64 = r.get(0)?;
    let enc_type: String = r.get(6)?;
    let enc_status: String = r.get(8)?;
    let query_type: String = r.get(11)?;
    let status: String = r.get(12)?;
    let purpose: Option<String> = r.get(15)?;
    let outcome: Option<String> = r.get(28)?;
    let row = QueryRow {
        id,
        encounter_id: r.get(1)?,
        account: r.get(2)?,
        patient_id: r.get(3)?,
        mrn: r.get(4)?,
        patient_name: r.get(5)?,
        enc_type: EncounterType::Inpatient,
        attending: r.get(7)?,
        encounter_status: EncounterStatus::Uncoded,
        claimed_by: r.get(9)?,
        coded_by: r.get(10)?,
        query_type: QueryType::OpenEnded,
        status: QueryStatus::Draft,
        provider: r.get(13)?,
        question: r.get(14)?,
        purpose: None,
        template: r.get(16)?,
        created_by: r.get(17)?,
        created_at: r.get(18)?,
        updated_at: r.get(19)?,
        sent_by: r.get(20)?,
        sent_at: r.get(21)?,
        due_at: r.get(22)?,
        escalated_at: r.get(23)?,
        escalated_to: r.get(24)?,
        answered_at: r.get(25)?,
        answered_by: r.get(26)?,
        response: r.get(27)?,
        outcome: None,
        closed_at: r.get(29)?,
        closed_by: r.get(30)?,
        canceled_at: r.get(31)?,
        canceled_by: r.get(32)?,
        cancel_reason: r.get(33)?,
        codes_recorded_at: r.get(34)?,
        drg: match r.get::<_, Option<u16>>(35)? {
            Some(before_drg) => Some(super::drg::QueryDrg {
                before_drg,
                before_weight_e4: r.get::<_, Option<i64>>(36)?.unwrap_or(0),
                after_drg: r.get(37)?,
                after_weight_e4: r.get(38)?,
            }),
            None => None,
        },
    };
    Ok((|| {
        Ok(QueryRow {
            enc_type: parse(enc_type, id, "enc_type")?,
            encounter_status: parse(enc_status, id, "encounter status")?,
            query_type: parse(query_type, id, "query_type")?,
            status: parse(status, id, "status")?,
            purpose: opt_parse(purpose, id, "purpose")?,
            outcome: opt_parse(outcome, id, "outcome")?,
            ..row
        })
    })())
}

/// Which queries a list shows. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryListFilter {
    pub statuses: Vec<QueryStatus>,
    pub encounter_id: Option<i64>,
    pub provider: Option<String>,
    pub created_by: Option<String>,
    pub enc_type: Option<EncounterType>,
    pub attending: Option<String>,
    /// Only queries sent at or before this time (RFC 3339): "older than".
    pub sent_before: Option<String>,
    /// Coder visibility: only queries this login created, or on encounters they hold or coded.
    pub visible_to_coder: Option<String>,
    pub limit: Option<usize>,
}

pub fn list(conn: &Connection, f: &QueryListFilter) -> Result<Vec<QueryRow>> {
    let statuses: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
    let sql = format!(
        "{SELECT}
         WHERE (?1 = '' OR instr(',' || ?1 || ',', ',' || q.status || ',') > 0)
           AND (?2 IS NULL OR q.encounter_id = ?2)
           AND (?3 IS NULL OR lower(q.provider) = lower(?3))
           AND (?4 IS NULL OR q.created_by = ?4)
           AND (?5 IS NULL OR e.enc_type = ?5)
           AND (?6 IS NULL OR lower(e.attending) = lower(?6))
           AND (?7 IS NULL OR (q.sent_at IS NOT NULL AND q.sent_at <= ?7))
           AND (?8 IS NULL OR q.created_by = ?8 OR e.claimed_by = ?8 OR e.coded_by = ?8)
         ORDER BY CASE q.status WHEN 'escalated' THEN 0 WHEN 'open' THEN 1 WHEN 'draft' THEN 2
                  WHEN 'answered' THEN 3 ELSE 4 END, COALESCE(q.sent_at, q.created_at), q.id
         LIMIT ?9"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(
        params![
            statuses.join(","),
            f.encounter_id,
            f.provider,
            f.created_by,
            f.enc_type.map(|t| t.as_str()),
            f.attending,
            f.sent_before,
            f.visible_to_coder,
            f.limit.map(|l| l as i64).unwrap_or(-1)
        ],
        map_row,
    )?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r??);
    }
    Ok(out)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<QueryRow>> {
    let sql = format!("{SELECT} WHERE q.id = ?1");
    conn.query_row(&sql, [id], map_row).optional()?.transpose()
}

/// The fields of a new draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuery<'a> {
    pub encounter_id: i64,
    pub query_type: QueryType,
    pub purpose: Option<YesNoPurpose>,
    pub provider: &'a str,
    pub question: &'a str,
    pub template: Option<&'a str>,
    pub created_by: &'a str,
    pub created_at: &'a str,
}

/// Inserts a draft; returns its id.
pub fn insert(conn: &Connection, q: &NewQuery<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO queries (encounter_id, query_type, status, provider, question, purpose,
           template, created_by, created_at, updated_at)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            q.encounter_id,
            q.query_type.as_str(),
            q.provider,
            q.question,
            q.purpose.map(|p| p.as_str()),
            q.template,
            q.created_by,
            q.created_at
        ],
    )
    .with_context(|| format!("inserting a query on encounter {}", q.encounter_id))?;
    Ok(conn.last_insert_rowid())
}

/// Rewrites a draft's composed fields.
pub fn update_draft(
    conn: &Connection,
    id: i64,
    query_type: QueryType,
    purpose: Option<YesNoPurpose>,
    provider: &str,
    question: &str,
    at: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE queries SET query_type = ?2, purpose = ?3, provider = ?4, question = ?5,
           updated_at = ?6 WHERE id = ?1",
        params![
            id,
            query_type.as_str(),
            purpose.map(|p| p.as_str()),
            provider,
            question,
            at
        ],
    )?;
    Ok(())
}

/// Records the template a draft was composed from.
pub fn set_template(conn: &Connection, id: i64, template: &str) -> Result<()> {
    conn.execute(
        "UPDATE queries SET template = ?2 WHERE id = ?1",
        params![id, template],
    )
    .with_context(|| format!("setting the template of query {id} to {template}"))?;
    Ok(())
}

/// Replaces a query's options.
pub fn set_options(conn: &Connection, id: i64, options: &[String]) -> Result<()> {
    conn.execute("DELETE FROM query_options WHERE query_id = ?1", [id])?;
    let mut st =
        conn.prepare("INSERT INTO query_options (query_id, position, label) VALUES (?1, ?2, ?3)")?;
    for (i, o) in options.iter().enumerate() {
        st.execute(params![id, i as i64 + 1, o])?;
    }
    Ok(())
}

pub fn options(conn: &Connection, id: i64) -> Result<Vec<String>> {
    let mut st =
        conn.prepare("SELECT label FROM query_options WHERE query_id = ?1 ORDER BY position")?;
    let rows = st.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A note's encounter and its length in characters (what pinning checks bounds against).
pub fn note_span(conn: &Connection, note_row_id: i64) -> Result<Option<(i64, i64)>> {
    Ok(conn
        .query_row(
            "SELECT encounter_id, length(body) FROM notes WHERE id = ?1",
            [note_row_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Pins characters `start..end` of a note to a query: the quote is cut from the body in SQLite
/// with the note's provenance. The caller checks bounds. Returns the indicator id, or None if the
/// note does not exist.
#[allow(clippy::too_many_arguments)]
pub fn insert_indicator(
    conn: &Connection,
    query_id: i64,
    note_row_id: i64,
    start: i64,
    end: i64,
    by: &str,
    at: &str,
) -> Result<Option<i64>> {
    let n = conn.execute(
        "INSERT INTO query_indicators (query_id, note_row_id, note_id, note_type, author,
           written_at, quote, start_char, end_char, pinned_by, pinned_at)
         SELECT ?1, n.id, n.note_id, n.note_type, n.author, n.written_at,
                substr(n.body, ?3 + 1, ?4 - ?3), ?3, ?4, ?5, ?6
           FROM notes n WHERE n.id = ?2",
        params![query_id, note_row_id, start, end, by, at],
    )?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

/// Removes an indicator from a query; true if there was one.
pub fn delete_indicator(conn: &Connection, query_id: i64, indicator_id: i64) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM query_indicators WHERE id = ?1 AND query_id = ?2",
        params![indicator_id, query_id],
    )? == 1)
}

pub fn indicators(conn: &Connection, query_id: i64) -> Result<Vec<Indicator>> {
    let mut st = conn.prepare(
        "SELECT id, note_row_id, note_id, note_type, author, written_at, quote, start_char, end_char
         FROM query_indicators WHERE query_id = ?1 ORDER BY written_at, id",
    )?;
    let rows = st.query_map([query_id], |r| {
        Ok(Indicator {
            id: r.get(0)?,
            note_row_id: r.get(1)?,
            note_id: r.get(2)?,
            note_type: r.get(3)?,
            author: r.get(4)?,
            written_at: r.get(5)?,
            quote: r.get(6)?,
            start: r.get(7)?,
            end: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One step of a query's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventRow {
    pub id: i64,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub login: String,
    pub at: String,
    pub detail: String,
}

#[allow(clippy::too_many_arguments)]
pub fn add_event(
    conn: &Connection,
    query_id: i64,
    event: &str,
    from: Option<QueryStatus>,
    to: QueryStatus,
    login: &str,
    at: &str,
    detail: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO query_events (query_id, event, from_status, to_status, login, at, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            query_id,
            event,
            from.map(|s| s.as_str()),
            to.as_str(),
            login,
            at,
            detail
        ],
    )?;
    Ok(())
}

pub fn events(conn: &Connection, query_id: i64) -> Result<Vec<EventRow>> {
    let mut st = conn.prepare(
        "SELECT id, event, from_status, to_status, login, at, detail FROM query_events
         WHERE query_id = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([query_id], |r| {
        Ok(EventRow {
            id: r.get(0)?,
            event: r.get(1)?,
            from_status: r.get(2)?,
            to_status: r.get(3)?,
            login: r.get(4)?,
            at: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets the status only (the event row is written separately).
pub fn set_status(conn: &Connection, id: i64, status: QueryStatus, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE queries SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), at],
    )?;
    Ok(())
}

pub fn mark_sent(conn: &Connection, id: i64, by: &str, at: &str, due_at: &str) -> Result<()> {
    conn.execute(
        "UPDATE queries SET status = 'open', sent_by = ?2, sent_at = ?3, due_at = ?4,
           updated_at = ?3 WHERE id = ?1",
        params![id, by, at, due_at],
    )?;
    Ok(())
}

pub fn mark_escalated(conn: &Connection, id: i64, to: &str, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE queries SET status = 'escalated', escalated_to = ?2, escalated_at = ?3,
           updated_at = ?3 WHERE id = ?1",
        params![id, to, at],
    )?;
    Ok(())
}

pub fn mark_answered(
    conn: &Connection,
    id: i64,
    outcome: Outcome,
    response: &str,
    by: &str,
    at: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE queries SET status = 'answered', outcome = ?2, response = ?3, answered_by = ?4,
           answered_at = ?5, updated_at = ?5,
           answer_history_mark = (SELECT COALESCE(MAX(h.id), 0) FROM assignment_history h
                                   WHERE h.encounter_id = queries.encounter_id)
         WHERE id = ?1",
        params![id, outcome.as_str(), response, by, at],
    )?;
    Ok(())
}

/// Closes a query; `no_response` also sets that outcome.
pub fn mark_closed(
    conn: &Connection,
    id: i64,
    by: &str,
    at: &str,
    no_response: bool,
) -> Result<()> {
    conn.execute(
        "UPDATE queries SET status = 'closed', closed_by = ?2, closed_at = ?3, updated_at = ?3,
           outcome = CASE WHEN ?4 THEN 'no_response' ELSE outcome END WHERE id = ?1",
        params![id, by, at, no_response],
    )?;
    Ok(())
}

pub fn mark_canceled(conn: &Connection, id: i64, by: &str, at: &str, reason: &str) -> Result<()> {
    conn.execute(
        "UPDATE queries SET status = 'canceled', canceled_by = ?2, canceled_at = ?3,
           cancel_reason = ?4, updated_at = ?3 WHERE id = ?1",
        params![id, by, at, reason],
    )?;
    Ok(())
}

/// Sent queries still waiting on an encounter (open or escalated), oldest first: (id, status).
pub fn pending_on_encounter(conn: &Connection, encounter_id: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare(
        "SELECT id FROM queries WHERE encounter_id = ?1 AND status IN ('open','escalated')
         ORDER BY id",
    )?;
    let rows = st.query_map([encounter_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open queries whose due time has passed at `now`.
pub fn due_for_escalation(conn: &Connection, now: &str) -> Result<Vec<i64>> {
    let mut st = conn.prepare(
        "SELECT id FROM queries WHERE status = 'open' AND due_at IS NOT NULL AND due_at <= ?1
         ORDER BY id",
    )?;
    let rows = st.query_map([now], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open or escalated queries sent at or before `sent_before`.
pub fn due_for_no_response(conn: &Connection, sent_before: &str) -> Result<Vec<i64>> {
    let mut st = conn.prepare(
        "SELECT id FROM queries WHERE status IN ('open','escalated') AND sent_at IS NOT NULL
           AND sent_at <= ?1 ORDER BY id",
    )?;
    let rows = st.query_map([sent_before], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A code change recorded against the query whose answer caused it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodeChangeRow {
    pub query_id: i64,
    pub history_id: i64,
    pub system: String,
    pub code: String,
    pub action: String,
    pub detail: String,
    pub login: String,
    pub at: String,
}

/// Records, against each answered query of the encounter not yet settled, the code changes made
/// on the encounter after its answer (each change goes to the latest answer before it), and marks
/// those queries settled at `at`. Called when the encounter is marked coded. Returns how many
/// changes were recorded.
pub fn record_code_changes(conn: &Connection, encounter_id: i64, at: &str) -> Result<usize> {
    let n = conn.execute(
        "INSERT INTO query_code_changes (query_id, history_id, system, code, action, detail, login, at)
         SELECT (SELECT q.id FROM queries q
                  WHERE q.encounter_id = h.encounter_id AND q.codes_recorded_at IS NULL
                    AND q.answer_history_mark IS NOT NULL AND q.answer_history_mark < h.id
                  ORDER BY q.answer_history_mark DESC, q.id DESC LIMIT 1),
                h.id, h.system, h.code, h.action, h.detail, h.login, h.at
           FROM assignment_history h
          WHERE h.encounter_id = ?1
            AND h.id NOT IN (SELECT history_id FROM query_code_changes)
            AND EXISTS (SELECT 1 FROM queries q
                  WHERE q.encounter_id = h.encounter_id AND q.codes_recorded_at IS NULL
                    AND q.answer_history_mark IS NOT NULL AND q.answer_history_mark < h.id)",
        [encounter_id],
    )?;
    conn.execute(
        "UPDATE queries SET codes_recorded_at = ?2
          WHERE encounter_id = ?1 AND answer_history_mark IS NOT NULL AND codes_recorded_at IS NULL",
        params![encounter_id, at],
    )?;
    Ok(n)
}

pub fn code_changes(conn: &Connection, query_id: i64) -> Result<Vec<CodeChangeRow>> {
    let mut st = conn.prepare(
        "SELECT query_id, history_id, system, code, action, detail, login, at
           FROM query_code_changes WHERE query_id = ?1 ORDER BY history_id",
    )?;
    let rows = st.query_map([query_id], |r| {
        Ok(CodeChangeRow {
            query_id: r.get(0)?,
            history_id: r.get(1)?,
            system: r.get(2)?,
            code: r.get(3)?,
            action: r.get(4)?,
            detail: r.get(5)?,
            login: r.get(6)?,
            at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
#[path = "queries_tests.rs"]
mod tests;
