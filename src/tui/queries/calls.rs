//! The service calls the query screens make, converting the service's rows into the screens' own
//! (`views`). The one place that knows the query service's API.
use crate::domain::Severity;
use crate::domain::query::{Indicator, Outcome, QueryTemplate, QueryType};
use crate::service::{QueryDetail, QueryDraftInput, QueryFilter, Service};
use crate::store::queries::QueryRow;
use crate::tui::queries::views::{Finding, HistoryLine, QueryCard, QueueRow};
use anyhow::Result;

/// "heart_failure" → "heart failure"; else the start of the question.
fn topic(q: &QueryRow) -> String {
    match &q.template {
        Some(t) if !t.trim().is_empty() => t.replace('_', " "),
        _ => q.question.chars().take(60).collect(),
    }
}

fn row(q: &QueryRow, indicators: usize) -> QueueRow {
    QueueRow {
        id: q.id,
        encounter_id: q.encounter_id,
        account: q.account.clone(),
        patient: q.patient_name.clone(),
        enc_type: q.enc_type,
        attending: q.attending.clone(),
        provider: q.provider.clone(),
        status: q.status,
        query_type: q.query_type,
        topic: topic(q),
        owner: q.created_by.clone(),
        created_at: q.created_at.clone(),
        sent_at: q.sent_at.clone(),
        due_at: q.due_at.clone(),
        indicators,
    }
}

/// The screens' view of a query's detail.
pub fn card_of(d: &QueryDetail) -> QueryCard {
    let q = &d.query;
    let history = d
        .events
        .iter()
        .map(|e| HistoryLine {
            at: e.at.clone(),
            who: e.login.clone(),
            what: if e.detail.trim().is_empty() {
                format!("{} → {}", e.event, e.to_status)
            } else {
                format!("{} → {}: {}", e.event, e.to_status, e.detail)
            },
        })
        .collect();
    QueryCard {
        row: row(q, d.indicators.len()),
        purpose: q.purpose,
        template: q.template.clone(),
        look_for: d.look_for.clone(),
        question: q.question.clone(),
        options: d.options.clone(),
        indicators: d.indicators.clone(),
        outcome: q.outcome,
        response: q.response.clone(),
        cancel_reason: q.cancel_reason.clone(),
        history,
        findings: d.findings.iter().map(finding).collect(),
    }
}

/// The encounter's queries, newest first.
pub fn encounter_queries(s: &mut Service, enc: i64) -> Result<Vec<QueueRow>> {
    let rows = s.list_queries(&QueryFilter {
        encounter_id: Some(enc),
        ..QueryFilter::default()
    })?;
    let mut out: Vec<QueueRow> = rows.iter().map(|q| row(q, 0)).collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(out)
}

/// The queries this user may see (the service decides which; the screen filters on top).
pub fn queue(s: &mut Service) -> Result<Vec<QueueRow>> {
    Ok(s.list_queries(&QueryFilter::default())?
        .iter()
        .map(|q| row(q, 0))
        .collect())
}

/// The queue again on a timer: the service audits it only when it changed.
pub fn queue_refresh(s: &mut Service) -> Result<Vec<QueueRow>> {
    Ok(s.refresh_queries(&QueryFilter::default())?
        .iter()
        .map(|q| row(q, 0))
        .collect())
}

pub fn card(s: &mut Service, id: i64) -> Result<QueryCard> {
    Ok(card_of(&s.query_detail(id)?))
}

pub fn templates(s: &mut Service) -> Result<Vec<QueryTemplate>> {
    s.query_templates()
}

/// A new open-ended draft on the encounter, addressed to the attending; its id.
pub fn create_draft(s: &mut Service, enc: i64) -> Result<i64> {
    s.create_draft(enc, &QueryDraftInput::new(QueryType::OpenEnded, "", ""))
}

fn draft_input(c: &QueryCard) -> QueryDraftInput {
    QueryDraftInput {
        query_type: c.row.query_type,
        purpose: c.purpose,
        provider: c.row.provider.clone(),
        question: c.question.clone(),
        options: c.options.clone(),
        template: c.template.clone(),
    }
}

/// Saves the draft's type, purpose, provider, question and options.
pub fn save_draft(s: &mut Service, c: &QueryCard) -> Result<()> {
    s.update_draft(c.row.id, &draft_input(c))
}

/// The compliance findings of the draft as composed now, for inline checks while typing: the
/// checker the service runs on send, without I/O (an empty provider means the attending).
pub fn findings(c: &QueryCard) -> Vec<Finding> {
    let mut d = draft_input(c);
    if d.provider.trim().is_empty() {
        d.provider = c.row.attending.clone();
    }
    let quotes: Vec<String> = c.indicators.iter().map(|i| i.quote.clone()).collect();
    d.findings(&quotes).iter().map(finding).collect()
}

fn finding(f: &crate::domain::Finding) -> Finding {
    Finding {
        error: f.severity == Severity::Error,
        text: f.message.clone(),
    }
}

/// Pins characters `start..end` of a note to the query.
pub fn pin(s: &mut Service, q: i64, note: i64, start: i64, end: i64) -> Result<Indicator> {
    s.pin_indicator(q, note, start, end)
}

pub fn unpin(s: &mut Service, q: i64, indicator: i64) -> Result<()> {
    s.unpin_indicator(q, indicator)
}

pub fn send(s: &mut Service, q: i64) -> Result<()> {
    s.send_query(q)
}

pub fn answer(s: &mut Service, q: i64, o: Outcome, text: &str) -> Result<()> {
    s.record_answer(q, o, text)
}

pub fn close(s: &mut Service, q: i64) -> Result<()> {
    s.close_query(q)
}

pub fn cancel(s: &mut Service, q: i64, reason: &str) -> Result<()> {
    s.cancel_query(q, reason)
}
