//! Supervisor reports through the one door: who may see which figures (coders only their own,
//! supervisors and admins everyone), the rows each report reads, and the audit row of every view.
use super::Service;
use crate::config::StandardsConfig;
use crate::domain::{EncounterStatus, Permission};
use crate::report::accuracy::{self, AccuracyReport, DoneReview};
use crate::report::backlog::{self, BacklogReport};
use crate::report::throughput::{self, ThroughputInput, ThroughputReport};
use crate::store::encounters::WorklistFilter;
use crate::store::users::UserRow;
use crate::store::{self, audit, reviews};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::HashSet;

/// How many of the oldest backlog encounters the backlog report lists.
pub const BACKLOG_OLDEST: usize = 200;

/// The start of `d` as a stored time bound (UTC midnight).
pub(crate) fn day_start(d: NaiveDate) -> String {
    format!("{d}T00:00:00.000Z")
}

/// The start of the day after `d`.
pub(crate) fn day_after(d: NaiveDate) -> String {
    day_start(d.succ_opt().unwrap_or(d))
}

/// The logins whose figures `me` may see, narrowed to `team`; None: everyone.
pub(super) fn scope(
    conn: &Connection,
    me: &UserRow,
    team: Option<&str>,
) -> Result<Option<Vec<String>>> {
    if !me.role.allows(Permission::Reports) {
        return Ok(Some(vec![me.login.clone()]));
    }
    let Some(team) = team.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(
        store::users::list(conn)?
            .into_iter()
            .filter(|u| u.team.eq_ignore_ascii_case(team))
            .map(|u| u.login)
            .collect(),
    ))
}

pub(super) fn log_view(conn: &Connection, me: &UserRow, report: &str, detail: &str) -> Result<()> {
    audit::record(
        conn,
        &audit::Entry {
            object: report,
            detail,
            ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::ViewReport)
        },
    )
    .map(drop)
}

pub(super) fn range_detail(from: NaiveDate, to: NaiveDate, team: Option<&str>) -> String {
    match team {
        Some(t) => format!("{from}..{to} team {t}"),
        None => format!("{from}..{to}"),
    }
}

impl Service {
    /// Throughput between `from` and `to` (inclusive UTC days), optionally for one team. Coders
    /// get their own figures only.
    pub fn report_throughput(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        team: Option<&str>,
        standards: &StandardsConfig,
    ) -> Result<ThroughputReport> {
        self.write(Permission::ViewCharts, "view reports", |tx, me| {
            let input = ThroughputInput {
                coders: store::reports::coders(tx)?,
                events: store::reports::activity(tx, &day_start(from), &day_after(to))?,
                enc_types: store::reports::encounter_types(tx)?,
                only: scope(tx, me, team)?,
            };
            let mut report = throughput::throughput(&input, standards, from, to);
            let teams = store::reports::teams(tx)?;
            for c in &mut report.coders {
                if c.team.is_empty() {
                    c.team = teams.get(&c.login).cloned().unwrap_or_default();
                }
            }
            log_view(tx, me, "throughput", &range_detail(from, to, team))?;
            Ok(report)
        })
    }

    /// The backlog on `as_of`: discharged and not final-coded (everyone may see what is waiting).
    pub fn report_backlog(&mut self, as_of: NaiveDate) -> Result<BacklogReport> {
        self.write(Permission::ViewCharts, "view reports", |tx, me| {
            let filter = WorklistFilter {
                statuses: vec![
                    EncounterStatus::Uncoded,
                    EncounterStatus::InProgress,
                    EncounterStatus::Hold,
                ],
                ..Default::default()
            };
            let rows = store::encounters::worklist(tx, &filter)?;
            let open_queries = open_query_encounters(tx)?;
            let report = backlog::backlog(&rows, as_of, &open_queries, BACKLOG_OLDEST);
            log_view(tx, me, "backlog", &format!("as of {as_of}"))?;
            Ok(report)
        })
    }

    /// Coding accuracy from the reviews of codings between `from` and `to`, per coder and team.
    /// Coders get their own figures only.
    pub fn report_accuracy(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        team: Option<&str>,
    ) -> Result<AccuracyReport> {
        self.write(Permission::ViewCharts, "view reports", |tx, me| {
            let only = scope(tx, me, team)?;
            let wanted = |l: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == l));
            let teams = store::reports::teams(tx)?;
            let team_of = |l: &str| teams.get(l).cloned().unwrap_or_default();
            let rows = reviews::list(
                tx,
                &reviews::ReviewFilter {
                    coded_from: Some(day_start(from)),
                    coded_to: Some(day_after(to)),
                    ..Default::default()
                },
            )?;
            let mut done = Vec::new();
            let mut pending = 0;
            for r in rows.iter().filter(|r| wanted(&r.coder)) {
                if r.status != "done" {
                    pending += 1;
                    continue;
                }
                let cmp = accuracy::compare(
                    &reviews::codes(tx, r.id, "coder")?,
                    &reviews::codes(tx, r.id, "reviewer")?,
                );
                done.push(DoneReview {
                    coder: r.coder.clone(),
                    team: team_of(&r.coder),
                    errors: cmp.errors,
                    codes: cmp.codes,
                    principal_changed: cmp
                        .findings
                        .iter()
                        .any(|f| f.kind == accuracy::FindingKind::PrincipalChanged),
                });
            }
            let coders: Vec<(String, String)> = store::reports::coders(tx)?
                .into_iter()
                .filter(|(l, _)| wanted(l))
                .collect();
            let report = accuracy::aggregate(&coders, &done, pending);
            log_view(tx, me, "accuracy", &range_detail(from, to, team))?;
            Ok(report)
        })
    }

    /// Team names in use (for the team filter).
    pub fn teams(&self) -> Result<Vec<String>> {
        let mut t: Vec<String> = store::users::list(&self.conn)?
            .into_iter()
            .map(|u| u.team)
            .filter(|t| !t.is_empty())
            .collect();
        t.sort();
        t.dedup();
        Ok(t)
    }
}

/// Encounters with a sent documentation query still waiting (open or escalated).
fn open_query_encounters(conn: &Connection) -> Result<HashSet<i64>> {
    use crate::domain::query::QueryStatus;
    let f = store::queries::QueryListFilter {
        statuses: vec![QueryStatus::Open, QueryStatus::Escalated],
        ..Default::default()
    };
    Ok(store::queries::list(conn, &f)?
        .into_iter()
        .map(|q| q.encounter_id)
        .collect())
}

impl Service {
    /// Puts a user in a team (admins; empty removes them from any team).
    pub fn set_team(&mut self, login: &str, team: &str) -> Result<()> {
        self.write(Permission::Administer, "set teams", |tx, me| {
            if store::users::get(tx, login)?.is_none() {
                return Err(super::ServiceError::UnknownUser {
                    login: login.to_string(),
                }
                .into());
            }
            store::users::set_team(tx, login, team)?;
            audit::record(
                tx,
                &audit::Entry {
                    object: login,
                    detail: team.trim(),
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::SetTeam)
                },
            )
            .map(drop)
        })
    }
}

/// The queries panel and report: the query engineer's metrics (`report::queries`) for the range,
/// plus the queries still waiting by age since they were sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueriesReport {
    pub metrics: crate::report::queries::QueryMetrics,
    /// Open or escalated queries: (age bucket label in days since sent, count), buckets as the
    /// backlog's.
    #[serde(serialize_with = "crate::report::backlog::labeled")]
    pub open_by_age: Vec<(String, u32)>,
    pub open: u32,
}

impl Service {
    /// Query figures between `from` and `to` (inclusive UTC days): supervisors and admins.
    pub fn report_queries(&mut self, from: NaiveDate, to: NaiveDate) -> Result<QueriesReport> {
        let start = store::reports::parse_time(&day_start(from))?;
        let end = store::reports::parse_time(&day_after(to))?;
        let metrics = self.query_metrics(start, end)?;
        self.write(Permission::Reports, "view reports", |tx, me| {
            use crate::domain::query::QueryStatus;
            let f = store::queries::QueryListFilter {
                statuses: vec![QueryStatus::Open, QueryStatus::Escalated],
                ..Default::default()
            };
            let mut counts = [0u32; 4];
            for q in store::queries::list(tx, &f)? {
                let Some(sent) = q.sent_at.as_deref() else {
                    continue;
                };
                let sent = store::reports::parse_time(sent)
                    .map_err(|e| e.context(format!("query {}: column sent_at", q.id)))?;
                let age = (to - sent.date_naive()).num_days().max(0);
                counts[backlog::age_bucket(age)] += 1;
            }
            log_view(tx, me, "queries", &range_detail(from, to, None))?;
            Ok(QueriesReport {
                metrics,
                open: counts.iter().sum(),
                open_by_age: backlog::AGE_BUCKETS
                    .iter()
                    .zip(counts)
                    .map(|((l, _), n)| (l.to_string(), n))
                    .collect(),
            })
        })
    }
}
