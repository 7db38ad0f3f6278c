//! Reading documentation queries through the one door: the queue (with the sweeps), one query in
//! detail, the query as it goes to the provider, and the supervisor's metrics. Every view is audited.
use super::queries::{can_see, findings_of, stamp, visible};
use super::{Service, ServiceError};
use crate::domain::{
    EncounterType, Finding, Indicator, Permission, QueryEvent, QueryStatus, QueryType, Role, query,
};
use crate::report::queries::{QueryMetrics, query_metrics};
use crate::store::encounters::EncounterRow;
use crate::store::queries::{self as qstore, CodeChangeRow, EventRow, QueryListFilter, QueryRow};
use crate::store::{self, audit};
use anyhow::Result;
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Which queries a list shows (what each role may see is applied on top).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryFilter {
    /// Only these statuses (empty: all).
    pub statuses: Vec<QueryStatus>,
    /// Coders: their encounters' queries (always); others: queries they wrote.
    pub mine: bool,
    pub encounter_id: Option<i64>,
    pub provider: Option<String>,
    pub enc_type: Option<EncounterType>,
    pub attending: Option<String>,
    /// Only queries sent at least this many hours ago.
    pub older_than_hours: Option<u64>,
    pub limit: Option<usize>,
}

/// One query with everything the detail screen shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueryDetail {
    pub query: QueryRow,
    pub options: Vec<String>,
    pub indicators: Vec<Indicator>,
    pub events: Vec<EventRow>,
    pub code_changes: Vec<CodeChangeRow>,
    pub findings: Vec<Finding>,
    pub encounter: EncounterRow,
    /// Events the query's state allows (the acting user's role may still refuse some).
    #[serde(skip)]
    pub allowed: Vec<QueryEvent>,
    /// From the query's template: clinical indicators to look for.
    pub look_for: Vec<String>,
}

impl Service {
    /// The query queue: runs the escalation and no-response sweeps, then lists what the acting
    /// user may see (coders: queries they wrote or on encounters they hold or coded; CDI,
    /// supervisors, admins: all). Audited.
    pub fn list_queries(&mut self, f: &QueryFilter) -> Result<Vec<QueryRow>> {
        self.list_queries_audited(f, false)
    }

    /// The queue again, for a periodic refresh: audited only when it differs from what this session
    /// last listed with the same filter (an idle queue writes nothing).
    pub fn refresh_queries(&mut self, f: &QueryFilter) -> Result<Vec<QueryRow>> {
        self.list_queries_audited(f, true)
    }

    fn list_queries_audited(&mut self, f: &QueryFilter, refresh: bool) -> Result<Vec<QueryRow>> {
        self.require(Permission::Query, "see documentation queries")?;
        let last = match &self.last_queue {
            Some((lf, rows)) if refresh && lf == f => Some(rows.clone()),
            _ => None,
        };
        self.sweep_queries()?;
        let sent_before = f
            .older_than_hours
            .map(|h| stamp(Utc::now() - chrono::Duration::hours(h as i64)));
        self.write(Permission::Query, "see documentation queries", |tx, me| {
            let coder = me.role == Role::Coder;
            let filter = QueryListFilter {
                statuses: f.statuses.clone(),
                encounter_id: f.encounter_id,
                provider: f.provider.clone(),
                created_by: (f.mine && !coder).then(|| me.login.clone()),
                enc_type: f.enc_type,
                attending: f.attending.clone(),
                sent_before: sent_before.clone(),
                visible_to_coder: coder.then(|| me.login.clone()),
                limit: f.limit,
            };
            let rows = qstore::list(tx, &filter)?;
            if last.as_ref() == Some(&rows) {
                return Ok(rows);
            }
            let subjects: Vec<audit::Subject> = rows
                .iter()
                .map(|r| audit::Subject::encounter(r.patient_id, r.encounter_id))
                .collect();
            audit::record(
                tx,
                &audit::Entry {
                    encounter_id: f.encounter_id,
                    object: "queries",
                    detail: &format!("{} rows", rows.len()),
                    subjects: &subjects,
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::ListQueries)
                },
            )?;
            Ok(rows)
        })
        .inspect(|rows| self.last_queue = Some((f.clone(), rows.clone())))
    }

    /// One query with options, indicators, history, code changes and compliance. Audited.
    pub fn query_detail(&mut self, id: i64) -> Result<QueryDetail> {
        self.write(Permission::Query, "see documentation queries", |tx, me| {
            let q = visible(tx, me, id)?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(q.patient_id),
                    encounter_id: Some(q.encounter_id),
                    object: &format!("query {id}"),
                    detail: q.status.as_str(),
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::ViewQuery)
                },
            )?;
            let look_for = match &q.template {
                Some(t) => qstore::template(tx, t)?
                    .map(|t| t.look_for)
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            Ok(QueryDetail {
                options: qstore::options(tx, id)?,
                indicators: qstore::indicators(tx, id)?,
                events: qstore::events(tx, id)?,
                code_changes: qstore::code_changes(tx, id)?,
                findings: findings_of(tx, &q)?,
                encounter: super::coding::get_encounter(tx, q.encounter_id)?,
                allowed: query::allowed(q.status),
                look_for,
                query: q,
            })
        })
    }

    /// The query as it goes to the provider (plain text, or Markdown): patient and encounter
    /// identifiers, the clinical indicators with note, author and time, the question and the
    /// options with boxes to tick. Audited.
    pub fn render_query(&mut self, id: i64, markdown: bool) -> Result<String> {
        let d = self.query_detail(id)?;
        Ok(render(&d, markdown))
    }

    /// Whether the acting user may see this query (for the TUI to grey out rows it cannot open).
    pub fn can_see_query(&self, q: &QueryRow) -> bool {
        can_see(&self.user, q)
    }

    /// Query rate, response rate, turnaround and agreement for `[from, to)`, overall and by
    /// provider, CDI specialist and month (supervisors and admins). Audited.
    pub fn query_metrics(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<QueryMetrics> {
        if to <= from {
            return Err(ServiceError::Invalid(format!(
                "the period {} to {} is empty: 'to' must be after 'from'",
                from.date_naive(),
                to.date_naive()
            ))
            .into());
        }
        self.sweep_queries()?;
        self.write(Permission::Reports, "see query metrics", |tx, me| {
            let (f, t) = (stamp(from), stamp(to));
            let facts = store::query_metrics::facts(tx, &f, &t)?;
            let reviews = store::query_metrics::reviews(tx, &f, &t)?;
            audit::record(
                tx,
                &audit::Entry {
                    object: "queries",
                    detail: &format!("{f} to {t}"),
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::QueryMetrics)
                },
            )?;
            Ok(query_metrics(&facts, &reviews, from, to))
        })
    }
}

/// A stored time for people: date and minutes, UTC.
fn when(s: &str) -> String {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
        Err(_) => s.to_string(),
    }
}

/// Greedy word wrap at `width` columns for plain text (Markdown reflows by itself).
fn wrap(text: &str, width: usize, md: bool) -> String {
    if md {
        return text.to_string();
    }
    let mut out = String::new();
    for (i, para) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut col = 0;
        for w in para.split_whitespace() {
            let n = w.chars().count();
            if col > 0 && col + 1 + n > width {
                out.push('\n');
                col = 0;
            } else if col > 0 {
                out.push(' ');
                col += 1;
            }
            out.push_str(w);
            col += n;
        }
    }
    out
}

/// Renders a query for the provider. Pure: `render_query` reads and audits.
pub fn render(d: &QueryDetail, md: bool) -> String {
    let q = &d.query;
    let e = &d.encounter;
    let mut s = String::new();
    let h = |s: &mut String, title: &str| {
        if md {
            let _ = writeln!(s, "\n## {title}\n");
        } else {
            let _ = writeln!(s, "\n{}\n{}", title.to_uppercase(), "-".repeat(title.len()));
        }
    };
    let field = |s: &mut String, k: &str, v: &str| {
        if md {
            let _ = writeln!(s, "- **{k}:** {v}");
        } else {
            let _ = writeln!(s, "{k:<12} {v}");
        }
    };
    if md {
        let _ = writeln!(s, "# Documentation query {}", q.id);
    } else {
        let title = format!("DOCUMENTATION QUERY {}", q.id);
        let _ = writeln!(s, "{title}\n{}", "=".repeat(title.len()));
    }
    let _ = writeln!(s);
    field(&mut s, "To", &q.provider);
    field(&mut s, "From", &q.created_by);
    let sent = match &q.sent_at {
        Some(t) => when(t),
        None => "not sent (draft)".into(),
    };
    field(&mut s, "Sent", &sent);
    field(&mut s, "Status", q.status.label());
    field(
        &mut s,
        "Patient",
        &format!("{} (MRN {})", e.patient_name, e.mrn),
    );
    field(&mut s, "Birth date", &e.birth_date);
    field(&mut s, "Account", &e.account);
    let stay = match &e.discharge_date {
        Some(dd) => format!("{}, admitted {}, discharged {dd}", e.enc_type, e.admit_date),
        None => format!("{}, admitted {}", e.enc_type, e.admit_date),
    };
    field(&mut s, "Encounter", &stay);
    field(&mut s, "Attending", &e.attending);

    h(&mut s, "Clinical indicators from the record");
    if d.indicators.is_empty() {
        let _ = writeln!(s, "(none pinned)");
    }
    for (i, ind) in d.indicators.iter().enumerate() {
        let src = format!(
            "{}, {} {}, {}",
            ind.note_type,
            ind.author,
            when(&ind.written_at),
            ind.note_id
        );
        if md {
            let _ = writeln!(
                s,
                "{}. > {}\n   — {src}",
                i + 1,
                ind.quote.replace('\n', " ")
            );
        } else {
            let quote = wrap(&format!("\"{}\"", ind.quote), 74, md).replace('\n', "\n    ");
            let _ = writeln!(s, "{:>2}. {quote}\n    {src}", i + 1);
        }
    }

    h(&mut s, "Question");
    let _ = writeln!(s, "{}", wrap(&q.question, 78, md));

    let box_ = if md { "- [ ]" } else { "[ ]" };
    match q.query_type {
        QueryType::OpenEnded => {
            h(&mut s, "Response");
            let _ = writeln!(s, "Please respond in the medical record in your own words.");
        }
        QueryType::MultipleChoice | QueryType::YesNo => {
            h(&mut s, "Please select one");
            for o in &d.options {
                let blank = if query::is_other_option(o) {
                    ": ____________________"
                } else {
                    ""
                };
                let o = wrap(o, 74, md).replace('\n', "\n    ");
                let _ = writeln!(s, "{box_} {o}{blank}");
            }
        }
    }
    if let (Some(o), Some(at)) = (q.outcome, &q.answered_at) {
        h(&mut s, "Provider response");
        let by = q.answered_by.as_deref().unwrap_or("");
        let _ = writeln!(s, "Outcome: {} (entered by {by}, {})", o.label(), when(at));
        if let Some(r) = &q.response {
            let _ = writeln!(s, "{}", wrap(r, 78, md));
        }
    }
    let footer = "This query asks for your independent clinical judgment. Any answer is \
                  acceptable, including that the question cannot be clinically determined. \
                  Respond in the medical record; the query is kept with the record.";
    let _ = writeln!(s, "\n{}", wrap(footer, 78, md));
    s
}
