//! Query metrics for the supervisor view: pure functions over query and review rows.
//!
//! Definitions (for a period `[from, to)`):
//! - **Encounters reviewed**: distinct encounters opened by a coder or CDI specialist in the period
//!   (the `open_encounter` rows of the audit log). By provider: reviewed encounters whose attending
//!   is that provider; by specialist: encounters that login opened; by month: distinct encounters
//!   opened in that month.
//! - **Queries**: queries *sent* in the period (drafts never sent do not count; a query sent and
//!   later canceled does).
//! - **Query rate** = queries / encounters reviewed.
//! - **Response rate** = answered / (sent − canceled). A no-response closure counts as sent and
//!   not answered.
//! - **Turnaround**: hours from sent to answered, over answered queries (median and mean).
//! - **Agreement rate** = agreed / answered, where answered means an outcome of agreed, disagreed or
//!   clinically undetermined (never no_response).
//!
//! - **DRG before/after**: over sent, not canceled queries whose working MS-DRG was stored when sent
//!   and whose encounter is now coded: how many ended in another DRG, and the weight change
//!   (final weight − weight when sent), summed and averaged.
//!
//! Groups are by provider (the addressed provider), by CDI specialist (the query's creator) and by
//! month of sending (`YYYY-MM`, UTC). Rates with a zero denominator are None.
use crate::domain::{Outcome, QueryStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One query as the metrics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryFact {
    pub id: i64,
    pub provider: String,
    /// The creator (CDI specialist or coder).
    pub specialist: String,
    pub status: QueryStatus,
    pub outcome: Option<Outcome>,
    pub sent_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The working MS-DRG when sent and the final one once coded (inpatient queries).
    pub drg: Option<super::drg::QueryDrg>,
}

/// One encounter opened by a coder or CDI specialist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub encounter_id: i64,
    pub login: String,
    pub attending: String,
    pub at: DateTime<Utc>,
}

/// The figures of one group (or of everything).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueryFigures {
    pub key: String,
    pub reviewed: usize,
    pub sent: usize,
    pub canceled: usize,
    pub answered: usize,
    pub no_response: usize,
    pub agreed: usize,
    pub disagreed: usize,
    pub undetermined: usize,
    pub query_rate: Option<f64>,
    pub response_rate: Option<f64>,
    pub median_turnaround_hours: Option<f64>,
    pub mean_turnaround_hours: Option<f64>,
    pub agreement_rate: Option<f64>,
    /// Sent queries with a working DRG at sending whose encounter is now coded with a final DRG.
    pub drg_compared: usize,
    /// Of those, how many ended in another DRG.
    pub drg_changed: usize,
    /// Sum of (final weight − weight when sent) over the compared queries.
    pub weight_change: f64,
    pub mean_weight_change: Option<f64>,
}

/// Everything the supervisor view shows about queries for a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueryMetrics {
    pub from: String,
    pub to: String,
    pub overall: QueryFigures,
    pub by_provider: Vec<QueryFigures>,
    pub by_specialist: Vec<QueryFigures>,
    pub by_month: Vec<QueryFigures>,
}

fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// The median of `v` (mean of the two middle values for an even count); None when empty.
pub fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let m = s.len() / 2;
    Some(if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    })
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Figures for a set of queries against a count of reviewed encounters.
pub fn figures(key: &str, queries: &[&QueryFact], reviewed: usize) -> QueryFigures {
    let mut f = QueryFigures {
        key: key.to_string(),
        reviewed,
        ..Default::default()
    };
    let mut turnaround = Vec::new();
    for q in queries.iter().filter(|q| q.sent_at.is_some()) {
        f.sent += 1;
        if q.status == QueryStatus::Canceled {
            f.canceled += 1;
            continue;
        }
        if let Some(d) = q.drg
            && let (Some(w), Some(c)) = (d.weight_change(), d.changed())
        {
            f.drg_compared += 1;
            f.drg_changed += usize::from(c);
            f.weight_change += w;
        }
        match q.outcome {
            Some(Outcome::NoResponse) => f.no_response += 1,
            Some(o) => {
                f.answered += 1;
                match o {
                    Outcome::Agreed => f.agreed += 1,
                    Outcome::Disagreed => f.disagreed += 1,
                    _ => f.undetermined += 1,
                }
                if let (Some(s), Some(a)) = (q.sent_at, q.answered_at) {
                    turnaround.push((a - s).num_seconds() as f64 / 3600.0);
                }
            }
            None => {}
        }
    }
    f.query_rate = ratio(f.sent, reviewed);
    f.response_rate = ratio(f.answered, f.sent - f.canceled);
    f.agreement_rate = ratio(f.agreed, f.answered);
    f.median_turnaround_hours = median(&turnaround);
    f.mean_turnaround_hours = mean(&turnaround);
    f.mean_weight_change = (f.drg_compared > 0).then(|| f.weight_change / f.drg_compared as f64);
    f
}

fn month(t: DateTime<Utc>) -> String {
    t.format("%Y-%m").to_string()
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Groups `facts` and `reviews` by a key and computes each group's figures. Keys come from both
/// sides, so a reviewer who sent no query shows a query rate of 0.
fn grouped(
    facts: &[&QueryFact],
    reviews: &[&Review],
    fact_key: impl Fn(&QueryFact) -> Option<String>,
    review_key: impl Fn(&Review) -> String,
) -> Vec<QueryFigures> {
    let mut by_key: BTreeMap<String, (String, Vec<&QueryFact>, BTreeSet<i64>)> = BTreeMap::new();
    for q in facts {
        if let Some(k) = fact_key(q) {
            let e = by_key
                .entry(norm(&k))
                .or_insert_with(|| (k.clone(), Vec::new(), BTreeSet::new()));
            e.1.push(q);
        }
    }
    for r in reviews {
        let k = review_key(r);
        let e = by_key
            .entry(norm(&k))
            .or_insert_with(|| (k.clone(), Vec::new(), BTreeSet::new()));
        e.2.insert(r.encounter_id);
    }
    by_key
        .into_values()
        .map(|(label, qs, encs)| figures(&label, &qs, encs.len()))
        .collect()
}

/// Query metrics for `[from, to)`.
pub fn query_metrics(
    facts: &[QueryFact],
    reviews: &[Review],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryMetrics {
    let in_period = |t: DateTime<Utc>| t >= from && t < to;
    let facts: Vec<&QueryFact> = facts
        .iter()
        .filter(|q| q.sent_at.is_some_and(in_period))
        .collect();
    let reviews: Vec<&Review> = reviews.iter().filter(|r| in_period(r.at)).collect();
    let all_encounters: BTreeSet<i64> = reviews.iter().map(|r| r.encounter_id).collect();
    QueryMetrics {
        from: from.to_rfc3339(),
        to: to.to_rfc3339(),
        overall: figures("all", &facts, all_encounters.len()),
        by_provider: grouped(
            &facts,
            &reviews,
            |q| Some(q.provider.clone()),
            |r| r.attending.clone(),
        ),
        by_specialist: grouped(
            &facts,
            &reviews,
            |q| Some(q.specialist.clone()),
            |r| r.login.clone(),
        ),
        by_month: grouped(&facts, &reviews, |q| q.sent_at.map(month), |r| month(r.at)),
    }
}

#[cfg(test)]
#[path = "queries_tests.rs"]
mod tests;
