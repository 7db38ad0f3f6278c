//! The lifecycle of a sent query through the one door: send (compliance errors block it), answer,
//! close, cancel, the escalation and no-response sweeps, and the hold they put on the encounter.
use super::queries::{actionable, check_text, findings_of, load, stamp, step};
use super::{Service, ServiceError};
use crate::domain::query_compliance::has_errors;
use crate::domain::{EncounterStatus, Outcome, Permission, QueryEvent, Severity};
use crate::store::encounters::EncounterRow;
use crate::store::queries as qstore;
use crate::store::{self, encounters};
use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// After a query stops waiting: when none is pending on the encounter any more, an encounter on
/// hold for a query goes back to in progress (claimed) or uncoded.
fn release_hold(tx: &Connection, encounter_id: i64) -> Result<()> {
    if !qstore::pending_on_encounter(tx, encounter_id)?.is_empty() {
        return Ok(());
    }
    let e = super::coding::get_encounter(tx, encounter_id)?;
    if e.status == EncounterStatus::Hold && e.pending_reason.as_deref() == Some("query") {
        let back = if e.claimed_by.is_some() {
            EncounterStatus::InProgress
        } else {
            EncounterStatus::Uncoded
        };
        encounters::set_status(tx, encounter_id, back, None)?;
    }
    Ok(())
}

/// Called by `mark_coded` inside its transaction: refuses while a query is open or escalated on
/// the encounter, and records against answered queries the code changes made since their answer.
pub(super) fn before_mark_coded(tx: &Connection, e: &EncounterRow, at: &str) -> Result<()> {
    let pending = qstore::pending_on_encounter(tx, e.id)?;
    if let Some(first) = pending.first() {
        let q = load(tx, *first)?;
        return Err(ServiceError::Invalid(format!(
            "encounter {} has an unanswered documentation query (query {}, {}, to {}): it cannot be \
             marked coded until the query is answered or canceled",
            e.account, q.id, q.status, q.provider
        ))
        .into());
    }
    qstore::record_code_changes(tx, e.id, at)?;
    Ok(())
}

impl Service {
    /// Sends a draft to its provider: refused while compliance errors remain. Puts the encounter on
    /// hold (pending reason "query"), keeping any claim.
    pub fn send_query(&mut self, id: i64) -> Result<()> {
        let hours = self.query_config.escalate_after_hours;
        let opts = self.grouper_options;
        self.write(Permission::Query, "send documentation queries", |tx, me| {
            let now = Utc::now();
            let at = stamp(now);
            let q = actionable(tx, me, id, "send")?;
            let findings = findings_of(tx, &q)?;
            if has_errors(&findings) {
                let msgs: Vec<String> = findings
                    .into_iter()
                    .filter(|f| f.severity == Severity::Error)
                    .map(|f| f.message)
                    .collect();
                return Err(ServiceError::Invalid(format!(
                    "query {id} cannot be sent: {}",
                    msgs.join("; ")
                ))
                .into());
            }
            let e = super::coding::get_encounter(tx, q.encounter_id)?;
            if e.status == EncounterStatus::Coded {
                return Err(ServiceError::Invalid(format!(
                    "encounter {} is marked coded: reopen it before sending a query",
                    e.account
                ))
                .into());
            }
            let due = stamp(now + chrono::Duration::hours(hours as i64));
            step(
                tx,
                &me.login,
                &q,
                QueryEvent::Send,
                &at,
                &format!("to {}, due {due}", q.provider),
            )?;
            qstore::mark_sent(tx, id, &me.login, &at, &due)?;
            super::drg::store_query_before(tx, id, &e, &opts)?;
            encounters::set_status(tx, e.id, EncounterStatus::Hold, Some("query"))?;
            Ok(())
        })
    }

    /// Enters the provider's answer (agreed, disagreed or clinically undetermined) and the response
    /// as documented. The encounter leaves hold when no other query waits.
    pub fn record_answer(&mut self, id: i64, outcome: Outcome, response: &str) -> Result<()> {
        if !outcome.is_answer() {
            return Err(ServiceError::Invalid(
                "no_response is not an answer: an unanswered query is closed by the no-response \
                 sweep, or canceled"
                    .into(),
            )
            .into());
        }
        if response.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "enter the provider's response as documented (e.g. the option chosen)".into(),
            )
            .into());
        }
        check_text("the response", response, 4000)?;
        self.write(Permission::Query, "enter query answers", |tx, me| {
            let at = store::now();
            let q = actionable(tx, me, id, "answer")?;
            step(tx, &me.login, &q, QueryEvent::Answer, &at, outcome.as_str())?;
            qstore::mark_answered(tx, id, outcome, response.trim(), &me.login, &at)?;
            release_hold(tx, q.encounter_id)
        })
    }

    /// Closes an answered query.
    pub fn close_query(&mut self, id: i64) -> Result<()> {
        self.write(
            Permission::Query,
            "close documentation queries",
            |tx, me| {
                let at = store::now();
                let q = actionable(tx, me, id, "close")?;
                step(tx, &me.login, &q, QueryEvent::Close, &at, "")?;
                qstore::mark_closed(tx, id, &me.login, &at, false)
            },
        )
    }

    /// Withdraws a draft or an unanswered query, with a reason.
    pub fn cancel_query(&mut self, id: i64, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::Invalid(
                "say why the query is canceled (e.g. documentation amended before the answer)"
                    .into(),
            )
            .into());
        }
        check_text("the reason", reason, 1000)?;
        self.write(
            Permission::Query,
            "cancel documentation queries",
            |tx, me| {
                let at = store::now();
                let q = actionable(tx, me, id, "cancel")?;
                step(tx, &me.login, &q, QueryEvent::Cancel, &at, reason)?;
                qstore::mark_canceled(tx, id, &me.login, &at, reason)?;
                release_hold(tx, q.encounter_id)
            },
        )
    }

    /// Escalates open queries unanswered past `escalate_after_hours` (their due time) to the
    /// physician advisor. Returns how many.
    pub fn escalate_overdue(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let now_s = stamp(now);
        if qstore::due_for_escalation(&self.conn, &now_s)?.is_empty() {
            return Ok(0);
        }
        let advisor = self.query_config.physician_advisor.clone();
        let hours = self.query_config.escalate_after_hours;
        self.write(Permission::ViewCharts, "run the query sweeps", |tx, me| {
            let ids = qstore::due_for_escalation(tx, &now_s)?;
            for id in &ids {
                let q = load(tx, *id)?;
                let detail = format!("automatic: unanswered {hours} h, escalated to {advisor}");
                step(tx, &me.login, &q, QueryEvent::Escalate, &now_s, &detail)?;
                qstore::mark_escalated(tx, *id, &advisor, &now_s)?;
            }
            Ok(ids.len())
        })
    }

    /// Closes, with outcome no_response, queries unanswered `no_response_close_days` after sending.
    pub fn close_no_response(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let days = self.query_config.no_response_close_days;
        let now_s = stamp(now);
        let cutoff = stamp(now - chrono::Duration::days(days as i64));
        if qstore::due_for_no_response(&self.conn, &cutoff)?.is_empty() {
            return Ok(0);
        }
        self.write(Permission::ViewCharts, "run the query sweeps", |tx, me| {
            let ids = qstore::due_for_no_response(tx, &cutoff)?;
            for id in &ids {
                let q = load(tx, *id)?;
                let detail = format!("automatic: no response {days} days after sending");
                step(
                    tx,
                    &me.login,
                    &q,
                    QueryEvent::CloseNoResponse,
                    &now_s,
                    &detail,
                )?;
                qstore::mark_closed(tx, *id, &me.login, &now_s, true)?;
                release_hold(tx, q.encounter_id)?;
            }
            Ok(ids.len())
        })
    }

    /// Both sweeps at the current time: (escalated, closed without response).
    pub fn sweep_queries(&mut self) -> Result<(usize, usize)> {
        let now = Utc::now();
        Ok((self.escalate_overdue(now)?, self.close_no_response(now)?))
    }
}
