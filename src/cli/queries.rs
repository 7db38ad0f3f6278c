//! `chartdesk queries` and `chartdesk query ...`: the documentation query queue and the query
//! workflow for scripts, through the service (same roles, same audit as the workstation).
use super::output::fit;
use crate::domain::{
    EncounterType, Finding, Outcome, QueryStatus, QueryType, Severity, YesNoPurpose,
    query_compliance,
};
use crate::report::queries::{QueryFigures, QueryMetrics};
use crate::service::{QueryDraftInput, QueryFilter, Service, ServiceError};
use crate::store::queries::QueryRow;
use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct QueriesArgs {
    /// Only this status: draft, open, escalated, answered, closed, canceled (repeatable).
    #[arg(long, value_parser = parse_status, value_name = "STATUS")]
    pub status: Vec<QueryStatus>,
    /// Coders: always their encounters' queries; others: only queries they wrote.
    #[arg(long)]
    pub mine: bool,
    /// Only queries to this provider.
    #[arg(long)]
    pub provider: Option<String>,
    /// Only queries on encounters whose attending is this provider.
    #[arg(long)]
    pub attending: Option<String>,
    /// Only queries on encounters of this type (inpatient, outpatient, emergency, ...).
    #[arg(long = "encounter-type", value_parser = parse_enc_type, value_name = "TYPE")]
    pub enc_type: Option<EncounterType>,
    /// Only queries on this encounter (account number).
    #[arg(long, value_name = "ACCOUNT")]
    pub encounter: Option<String>,
    /// Only queries sent at least this many hours ago.
    #[arg(long, value_name = "HOURS")]
    pub older_than: Option<u64>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Show a query as it goes to the provider (plain text, or Markdown).
    Show {
        id: i64,
        #[arg(long)]
        markdown: bool,
        /// The whole query as one JSON object: options, indicators, history, code changes,
        /// compliance findings.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
    },
    /// Start a draft on an encounter (from a template, or with --type and --question).
    New(NewArgs),
    /// Pin a clinical indicator: the exact text from one of the encounter's notes.
    Pin {
        id: i64,
        /// The note's id (as listed on the encounter) or row id.
        #[arg(long)]
        note: String,
        /// The text to quote, exactly as in the note.
        #[arg(long)]
        quote: String,
    },
    /// Remove a pinned indicator from a draft.
    Unpin {
        id: i64,
        #[arg(long, value_name = "INDICATOR_ID")]
        indicator: i64,
    },
    /// The compliance check of a query; exit code 1 when an error would block sending.
    Check {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Send a draft to its provider (refused while compliance errors remain).
    Send { id: i64 },
    /// Enter the provider's answer.
    Answer {
        id: i64,
        /// agreed, disagreed or clinically_undetermined.
        #[arg(long, value_parser = parse_outcome)]
        outcome: Outcome,
        /// The response as the provider documented it.
        #[arg(long)]
        response: String,
    },
    /// Close an answered query.
    Close { id: i64 },
    /// Cancel a draft or an unanswered query.
    Cancel {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// List the query templates (`--json`: one object per line, the shape `save-template` reads).
    Templates {
        #[arg(long)]
        json: bool,
    },
    /// Add or change a template (CDI specialists, supervisors, admins) from a JSON file holding one
    /// object shaped like a line of `query templates --json`; it must pass the compliance checks.
    SaveTemplate { file: std::path::PathBuf },
    /// Query rate, response rate, turnaround and agreement (supervisors).
    Metrics {
        /// First day, YYYY-MM-DD (default: 29 days before --to, as in `report queries`).
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Last day, YYYY-MM-DD, included (default: today, UTC).
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The encounter's account number.
    pub account: String,
    /// open_ended, multiple_choice or yes_no (default: the template's).
    #[arg(long = "type", value_parser = parse_type)]
    pub query_type: Option<QueryType>,
    /// For yes/no: confirm_documented, poa, cause_and_effect or resolve_conflict.
    #[arg(long, value_parser = parse_purpose)]
    pub purpose: Option<YesNoPurpose>,
    /// The provider addressed (default: the attending).
    #[arg(long, default_value = "")]
    pub provider: String,
    /// The question (default: the template's).
    #[arg(long)]
    pub question: Option<String>,
    /// An option (repeat); replaces the template's.
    #[arg(long = "option")]
    pub options: Vec<String>,
    /// Prefill from a template (see 'chartdesk query templates').
    #[arg(long)]
    pub template: Option<String>,
}

fn parse_enc_type(s: &str) -> Result<EncounterType, String> {
    s.parse()
}
fn parse_status(s: &str) -> Result<QueryStatus, String> {
    s.parse()
}
fn parse_type(s: &str) -> Result<QueryType, String> {
    s.parse()
}
fn parse_purpose(s: &str) -> Result<YesNoPurpose, String> {
    s.parse()
}
fn parse_outcome(s: &str) -> Result<Outcome, String> {
    s.parse()
}
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date: use YYYY-MM-DD"))
}

fn json_line<W: Write, T: serde::Serialize>(out: &mut W, v: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    writeln!(out)?;
    Ok(())
}

/// `chartdesk queries`.
pub fn list<W: Write>(svc: &mut Service, a: &QueriesArgs, out: &mut W) -> Result<()> {
    let encounter_id = match &a.encounter {
        Some(acc) => Some(svc.encounter_id(acc)?),
        None => None,
    };
    let rows = svc.list_queries(&QueryFilter {
        statuses: a.status.clone(),
        mine: a.mine,
        provider: a.provider.clone(),
        attending: a.attending.clone(),
        enc_type: a.enc_type,
        encounter_id,
        older_than_hours: a.older_than,
        limit: None,
    })?;
    if a.json {
        for r in &rows {
            json_line(out, r)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{:>5} {:<10} {:<15} {:<9} {:<20} {:<16} {:<10} {:<16} AGE",
        "ID", "STATUS", "TYPE", "ACCOUNT", "PATIENT", "PROVIDER", "BY", "SENT"
    )?;
    let now = Utc::now();
    for r in &rows {
        writeln!(
            out,
            "{:>5} {:<10} {:<15} {:<9} {:<20} {:<16} {:<10} {:<16} {}",
            r.id,
            r.status.as_str(),
            r.query_type.as_str(),
            fit(&r.account, 9),
            fit(&r.patient_name, 20),
            fit(&r.provider, 16),
            fit(&r.created_by, 10),
            r.sent_at
                .as_deref()
                .map(short_time)
                .unwrap_or_else(|| "-".into()),
            age(r, now)
        )?;
    }
    if rows.is_empty() {
        writeln!(out, "(no queries)")?;
    }
    Ok(())
}

fn short_time(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| s.to_string())
}

/// How long a waiting query has waited (hours, or days past 48 h).
fn age(r: &QueryRow, now: DateTime<Utc>) -> String {
    if !r.status.is_pending() {
        return String::new();
    }
    let Some(sent) = r
        .sent_at
        .as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    else {
        return String::new();
    };
    let h = (now - sent.with_timezone(&Utc)).num_hours().max(0);
    if h >= 48 {
        format!("{}d", h / 24)
    } else {
        format!("{h}h")
    }
}

fn findings<W: Write>(out: &mut W, f: &[Finding]) -> Result<()> {
    for x in f {
        let s = match x.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(out, "{s}: {} [{}]", x.message, x.rule)?;
    }
    Ok(())
}

/// Findings on a draft just saved: errors are what to do before sending, not a failure (the draft
/// is kept and the command exits 0).
fn draft_findings<W: Write>(out: &mut W, id: i64, f: &[Finding]) -> Result<()> {
    let errors: Vec<&Finding> = f.iter().filter(|x| x.severity == Severity::Error).collect();
    if !errors.is_empty() {
        writeln!(out, "draft #{id} saved; before sending:")?;
        for x in errors {
            writeln!(out, "  - {} [{}]", x.message, x.rule)?;
        }
    }
    for x in f.iter().filter(|x| x.severity == Severity::Warning) {
        writeln!(out, "warning: {} [{}]", x.message, x.rule)?;
    }
    Ok(())
}

/// `chartdesk query ...`; returns the exit code (1 from `check` when errors remain).
pub fn run<W: Write>(svc: &mut Service, cmd: QueryCommand, out: &mut W) -> Result<ExitCode> {
    match cmd {
        QueryCommand::Show { id, json: true, .. } => json_line(out, &svc.query_detail(id)?)?,
        QueryCommand::Show { id, markdown, .. } => {
            write!(out, "{}", svc.render_query(id, markdown)?)?
        }
        QueryCommand::New(a) => {
            let enc = svc.encounter_id(&a.account)?;
            let mut d = match &a.template {
                Some(t) => QueryDraftInput::from_template(&svc.query_template(t)?, &a.provider),
                None => {
                    let (Some(t), Some(q)) = (a.query_type, a.question.as_deref()) else {
                        return Err(ServiceError::Invalid(
                            "give --template NAME, or --type and --question".into(),
                        )
                        .into());
                    };
                    QueryDraftInput::new(t, &a.provider, q)
                }
            };
            if let Some(t) = a.query_type {
                d.query_type = t;
            }
            if let Some(q) = a.question {
                d.question = q;
            }
            if !a.options.is_empty() {
                d.options = a.options;
            }
            if a.purpose.is_some() {
                d.purpose = a.purpose;
            }
            let id = svc.create_draft(enc, &d)?;
            writeln!(out, "created query {id} (draft) on {}", a.account.trim())?;
            draft_findings(out, id, &svc.query_compliance(id)?)?;
        }
        QueryCommand::Pin { id, note, quote } => {
            let i = svc.pin_quote(id, &note, &quote)?;
            writeln!(
                out,
                "pinned indicator {} on query {id}: \"{}\" ({}, {}, {})",
                i.id, i.quote, i.note_id, i.author, i.written_at
            )?;
        }
        QueryCommand::Unpin { id, indicator } => {
            svc.unpin_indicator(id, indicator)?;
            writeln!(out, "removed indicator {indicator} from query {id}")?;
        }
        QueryCommand::Check { id, json } => {
            let f = svc.query_compliance(id)?;
            if json {
                for x in &f {
                    json_line(out, x)?;
                }
            } else if f.is_empty() {
                writeln!(out, "query {id}: compliant")?;
            } else {
                findings(out, &f)?;
            }
            if query_compliance::has_errors(&f) {
                return Ok(ExitCode::from(1));
            }
        }
        QueryCommand::Send { id } => {
            svc.send_query(id)?;
            let d = svc.query_detail(id)?;
            writeln!(
                out,
                "sent query {id} to {}; encounter {} is on hold until it is answered",
                d.query.provider, d.query.account
            )?;
        }
        QueryCommand::Answer {
            id,
            outcome,
            response,
        } => {
            svc.record_answer(id, outcome, &response)?;
            writeln!(out, "query {id} answered: {}", outcome.label())?;
        }
        QueryCommand::Close { id } => {
            svc.close_query(id)?;
            writeln!(out, "query {id} closed")?;
        }
        QueryCommand::Cancel { id, reason } => {
            svc.cancel_query(id, &reason)?;
            writeln!(out, "query {id} canceled")?;
        }
        QueryCommand::Templates { json } => {
            for t in svc.query_templates()? {
                if json {
                    json_line(out, &t)?;
                } else {
                    writeln!(
                        out,
                        "{:<22} {:<15} {}",
                        t.name,
                        t.query_type.as_str(),
                        t.title
                    )?;
                }
            }
        }
        QueryCommand::SaveTemplate { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading the template file {}", file.display()))?;
            let t: crate::domain::QueryTemplate = serde_json::from_str(&text).map_err(|e| {
                anyhow::Error::from(ServiceError::Invalid(format!(
                    "{}: line {}, column {}: {e}: write one JSON object like a line of \
                         'chartdesk query templates --json'",
                    file.display(),
                    e.line(),
                    e.column()
                )))
            })?;
            let new = svc.save_query_template(&t)?;
            let what = if new { "added" } else { "updated" };
            writeln!(out, "template {} {what}", t.name)?;
        }
        QueryCommand::Metrics { from, to, json } => {
            let (start, end) = metrics_period(from, to, Utc::now().date_naive())?;
            let m = svc.query_metrics(start, end)?;
            if json {
                json_line(out, &m)?;
            } else {
                metrics(out, &m)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "-".into())
}

fn hours(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into())
}

/// `query metrics`' period as instants: from the first day's midnight to the midnight after the
/// last (UTC), the days chosen by the rule every report uses ([`crate::report::period`]).
fn metrics_period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let (from, to) = crate::report::period(from, to, today);
    let at = |d: NaiveDate| -> Result<DateTime<Utc>> {
        Ok(d.and_hms_opt(0, 0, 0)
            .context("midnight of a date")?
            .and_utc())
    };
    Ok((at(from)?, at(to.succ_opt().unwrap_or(to))?))
}

fn metrics<W: Write>(out: &mut W, m: &QueryMetrics) -> Result<()> {
    let last = DateTime::parse_from_rfc3339(&m.to)
        .ok()
        .map(|t| (t - chrono::Duration::seconds(1)).date_naive().to_string())
        .unwrap_or_else(|| m.to.chars().take(10).collect());
    writeln!(
        out,
        "query metrics {} to {last}",
        &m.from[..10.min(m.from.len())],
    )?;
    let table = |out: &mut W, title: &str, rows: &[&QueryFigures]| -> Result<()> {
        writeln!(
            out,
            "\n{:<22} {:>8} {:>5} {:>6} {:>9} {:>9} {:>8} {:>8} {:>8}",
            title,
            "REVIEWED",
            "SENT",
            "RATE",
            "RESPONSE",
            "ANSWERED",
            "MEDIAN_H",
            "MEAN_H",
            "AGREED"
        )?;
        for f in rows {
            writeln!(
                out,
                "{:<22} {:>8} {:>5} {:>6} {:>9} {:>9} {:>8} {:>8} {:>8}",
                fit(&f.key, 22),
                f.reviewed,
                f.sent,
                pct(f.query_rate),
                pct(f.response_rate),
                f.answered,
                hours(f.median_turnaround_hours),
                hours(f.mean_turnaround_hours),
                pct(f.agreement_rate)
            )?;
        }
        Ok(())
    };
    table(out, "OVERALL", &[&m.overall])?;
    table(out, "PROVIDER", &m.by_provider.iter().collect::<Vec<_>>())?;
    table(
        out,
        "CDI SPECIALIST",
        &m.by_specialist.iter().collect::<Vec<_>>(),
    )?;
    table(out, "MONTH", &m.by_month.iter().collect::<Vec<_>>())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::metrics_period;
    use chrono::{DateTime, NaiveDate, Utc};

    #[test]
    fn query_metrics_counts_the_same_days_as_report_queries() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let today = d("2026-12-05");
        // `report queries` (and the dashboard): the 30 days up to today, today included.
        let (from, to) = crate::report::period(None, None, today);
        assert_eq!((from, to), (d("2026-11-06"), today));
        assert_eq!(
            metrics_period(None, None, today).unwrap(),
            (t("2026-11-06T00:00:00Z"), t("2026-12-06T00:00:00Z"))
        );
        // --to is the last day included by both commands.
        assert_eq!(
            metrics_period(Some(d("2026-01-01")), Some(d("2026-01-31")), today).unwrap(),
            (t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"))
        );
    }
}
