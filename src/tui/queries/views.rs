//! What the query screens show, as plain rows filled from the service's answers (render reads only
//! these; the conversion from service types is in one place, `from_service`).
use crate::domain::EncounterType;
use crate::domain::query::{Indicator, Outcome, QueryStatus, QueryType, YesNoPurpose};
use chrono::NaiveDate;

/// One query in the queue or in an encounter's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub id: i64,
    pub encounter_id: i64,
    pub account: String,
    pub patient: String,
    pub enc_type: EncounterType,
    pub attending: String,
    /// The provider the query is addressed to.
    pub provider: String,
    pub status: QueryStatus,
    pub query_type: QueryType,
    /// Template title, or the start of the question.
    pub topic: String,
    /// Who composed it (the CDI specialist or coder).
    pub owner: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub due_at: Option<String>,
    pub indicators: usize,
}

impl QueueRow {
    /// Days since it was sent (or created, for drafts), on `today`.
    pub fn age_days(&self, today: NaiveDate) -> Option<i64> {
        let from = self.sent_at.as_deref().unwrap_or(&self.created_at);
        let d = NaiveDate::parse_from_str(from.get(..10)?, "%Y-%m-%d").ok()?;
        Some((today - d).num_days())
    }
}

/// A compliance finding on a draft: errors block sending, warnings are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub error: bool,
    pub text: String,
}

/// One event in a query's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub at: String,
    pub who: String,
    pub what: String,
}

/// Everything about one query, for the panel and the queue's detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryCard {
    pub row: QueueRow,
    pub purpose: Option<YesNoPurpose>,
    pub template: Option<String>,
    /// From the query's template: clinical indicators to look for.
    pub look_for: Vec<String>,
    pub question: String,
    pub options: Vec<String>,
    pub indicators: Vec<Indicator>,
    pub outcome: Option<Outcome>,
    pub response: Option<String>,
    pub cancel_reason: Option<String>,
    pub history: Vec<HistoryLine>,
    /// Compliance findings (drafts only; empty when clean).
    pub findings: Vec<Finding>,
}

impl QueryCard {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.error).count()
    }
    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| !f.error).count()
    }
}
