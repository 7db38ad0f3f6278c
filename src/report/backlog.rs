//! Backlog: discharged encounters not yet final-coded, by age since discharge, encounter type and
//! pending reason, with total charges; and the oldest ones to drill into.
//!
//! Definitions: an encounter is in the backlog when it has a discharge date on or before `as_of` and
//! its status is not `coded`. Its age is `as_of - discharge date` in days. Pending reason: an
//! encounter with an open documentation query is pending on the query; otherwise an encounter on
//! hold is pending on what its `pending_reason` says (text with "query" → query, with "doc" →
//! missing documentation, anything else → other hold); everything else is ready to code.
use crate::domain::{EncounterStatus, EncounterType};
use crate::store::encounters::EncounterRow;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashSet;

/// Age buckets: (label, last day included).
pub const AGE_BUCKETS: [(&str, i64); 4] = [("0-3", 3), ("4-7", 7), ("8-14", 14), ("15+", i64::MAX)];

/// Why a backlog encounter is not being coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingReason {
    /// Not held: ready to code (or being coded).
    Ready,
    Query,
    MissingDocumentation,
    OtherHold,
}

impl PendingReason {
    pub const ALL: [PendingReason; 4] = [
        PendingReason::Ready,
        PendingReason::Query,
        PendingReason::MissingDocumentation,
        PendingReason::OtherHold,
    ];
    pub fn label(self) -> &'static str {
        match self {
            PendingReason::Ready => "ready to code",
            PendingReason::Query => "query",
            PendingReason::MissingDocumentation => "missing documentation",
            PendingReason::OtherHold => "other hold",
        }
    }
}

/// Counts and charges per age bucket (indexes follow [`AGE_BUCKETS`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgeCounts {
    pub counts: [u32; 4],
    pub charges_cents: [i64; 4],
}

impl AgeCounts {
    fn add(&mut self, bucket: usize, charges: i64) {
        self.counts[bucket] += 1;
        self.charges_cents[bucket] += charges;
    }
    pub fn count(&self) -> u32 {
        self.counts.iter().sum()
    }
    pub fn charges(&self) -> i64 {
        self.charges_cents.iter().sum()
    }
}

/// One backlog encounter, for the drill-down list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BacklogItem {
    pub encounter_id: i64,
    pub account: String,
    pub enc_type: EncounterType,
    pub discharge_date: String,
    pub age_days: i64,
    pub charges_cents: i64,
    pub status: EncounterStatus,
    pub reason: PendingReason,
    pub claimed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BacklogReport {
    pub as_of: NaiveDate,
    pub total: AgeCounts,
    #[serde(serialize_with = "keyed")]
    pub by_type: Vec<(EncounterType, AgeCounts)>,
    #[serde(serialize_with = "keyed")]
    pub by_reason: Vec<(PendingReason, AgeCounts)>,
    /// Oldest first (then the higher charges), at most `oldest_limit` of them.
    pub oldest: Vec<BacklogItem>,
}

/// Writes `[(key, counts)]` as `[{"key": .., "counts": [..], "charges_cents": [..]}]` in JSON.
fn keyed<S: serde::Serializer, K: Serialize>(
    v: &[(K, AgeCounts)],
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Keyed<'a, K> {
        key: &'a K,
        #[serde(flatten)]
        counts: &'a AgeCounts,
    }
    s.collect_seq(v.iter().map(|(key, counts)| Keyed { key, counts }))
}

/// Writes `[(label, n)]` as `[{"label": .., "count": n}]` in JSON.
pub fn labeled<S: serde::Serializer>(v: &[(String, u32)], s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Labeled<'a> {
        label: &'a str,
        count: u32,
    }
    s.collect_seq(v.iter().map(|(label, count)| Labeled {
        label,
        count: *count,
    }))
}

/// The bucket index for an age in days (negative ages are not in the backlog).
pub fn age_bucket(age_days: i64) -> usize {
    AGE_BUCKETS
        .iter()
        .position(|(_, last)| age_days <= *last)
        .unwrap_or(AGE_BUCKETS.len() - 1)
}

/// The pending reason of one encounter.
pub fn reason_of(row: &EncounterRow, open_queries: &HashSet<i64>) -> PendingReason {
    if open_queries.contains(&row.id) {
        return PendingReason::Query;
    }
    if row.status != EncounterStatus::Hold {
        return PendingReason::Ready;
    }
    let r = row.pending_reason.as_deref().unwrap_or("").to_lowercase();
    if r.contains("query") {
        PendingReason::Query
    } else if r.contains("doc") {
        PendingReason::MissingDocumentation
    } else {
        PendingReason::OtherHold
    }
}

/// The backlog on `as_of`. `open_queries`: encounters with an open documentation query.
pub fn backlog(
    rows: &[EncounterRow],
    as_of: NaiveDate,
    open_queries: &HashSet<i64>,
    oldest_limit: usize,
) -> BacklogReport {
    let mut total = AgeCounts::default();
    let mut by_type: Vec<(EncounterType, AgeCounts)> = EncounterType::ALL
        .iter()
        .map(|t| (*t, AgeCounts::default()))
        .collect();
    let mut by_reason: Vec<(PendingReason, AgeCounts)> = PendingReason::ALL
        .iter()
        .map(|r| (*r, AgeCounts::default()))
        .collect();
    let mut items = Vec::new();
    for r in rows {
        if r.status == EncounterStatus::Coded {
            continue;
        }
        let Some(d) = r
            .discharge_date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
        else {
            continue;
        };
        let age = (as_of - d).num_days();
        if age < 0 {
            continue;
        }
        let b = age_bucket(age);
        let reason = reason_of(r, open_queries);
        total.add(b, r.total_charges_cents);
        if let Some((_, c)) = by_type.iter_mut().find(|(t, _)| *t == r.enc_type) {
            c.add(b, r.total_charges_cents);
        }
        if let Some((_, c)) = by_reason.iter_mut().find(|(x, _)| *x == reason) {
            c.add(b, r.total_charges_cents);
        }
        items.push(BacklogItem {
            encounter_id: r.id,
            account: r.account.clone(),
            enc_type: r.enc_type,
            discharge_date: d.to_string(),
            age_days: age,
            charges_cents: r.total_charges_cents,
            status: r.status,
            reason,
            claimed_by: r.claimed_by.clone(),
        });
    }
    items.sort_by(|a, b| {
        b.age_days
            .cmp(&a.age_days)
            .then(b.charges_cents.cmp(&a.charges_cents))
            .then(a.account.cmp(&b.account))
    });
    items.truncate(oldest_limit);
    BacklogReport {
        as_of,
        total,
        by_type,
        by_reason,
        oldest: items,
    }
}

/// Cents as dollars with thousands separators, e.g. 1234567 -> "$12,345.67".
pub fn dollars(cents: i64) -> String {
    let neg = cents < 0;
    let c = cents.unsigned_abs();
    let whole = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}${grouped}.{:02}", if neg { "-" } else { "" }, c % 100)
}
