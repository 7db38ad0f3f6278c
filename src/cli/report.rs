//! `chartdesk report ...` and `chartdesk review ...`: supervisor figures as aligned tables, CSV or
//! JSON, and the second-level review workflow from the command line.
use crate::config::StandardsConfig;
use crate::report::accuracy::{AccuracyReport, SampleRule};
use crate::report::backlog::{AGE_BUCKETS, BacklogReport, dollars};
use crate::report::throughput::ThroughputReport;
use crate::service::{
    QueriesReport, Service, ServiceError, parse_review_codes, week_seed, week_start,
};
use crate::store::reviews::ReviewFilter;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    Throughput,
    Backlog,
    Queries,
    Accuracy,
    /// MS-DRG case mix: CMI by coder, team and month, CC/MCC capture, DRG mix, query weight change.
    Drg,
}

/// `chartdesk report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// throughput, backlog, queries, accuracy or drg.
    #[arg(value_enum)]
    pub which: Which,
    /// First day (YYYY-MM-DD, UTC). Default: 29 days before --to.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, UTC), inclusive; the backlog's as-of date. Default: today.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this team's coders (supervisors and admins; coders always see their own figures).
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// `chartdesk review`.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Sample coded encounters of a week for second-level review (supervisors and admins).
    Sample {
        /// Random encounters per coder (the default rule: 5).
        #[arg(long, value_name = "N")]
        per_coder: Option<usize>,
        /// Every encounter of this type instead (inpatient, outpatient, ...).
        #[arg(long = "type", value_name = "TYPE", conflicts_with_all = ["per_coder", "principal"])]
        enc_type: Option<String>,
        /// Every encounter whose principal diagnosis starts with this (e.g. A41) instead.
        #[arg(long, value_name = "PREFIX", conflicts_with = "per_coder")]
        principal: Option<String>,
        /// A day of the week to sample (YYYY-MM-DD). Default: the week before this one.
        #[arg(long, value_name = "DATE")]
        week: Option<String>,
    },
    /// List reviews (coders: reviews of their own coding).
    List {
        /// pending or done.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// One review: both code lists and the findings.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Record your coding of a sampled encounter: --code I50.23:Y --code E11.9:Y --code pcs:0BH17EZ
    /// (diagnoses in sequence, the first is the principal; :POA optional).
    Record {
        id: i64,
        #[arg(long = "code", required = true, value_name = "CODE")]
        codes: Vec<String>,
        /// What the coder should know (shown to them with the differences).
        #[arg(long, default_value = "")]
        findings: String,
    },
}

/// Rows of text with headers, for the table and CSV formats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }
    pub(crate) fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }
    /// Aligned columns: text left, numbers right.
    pub fn write_aligned<W: Write>(&self, out: &mut W) -> Result<()> {
        let n = self.headers.len();
        let mut w: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let numeric = |i: usize| {
            self.rows.iter().all(|r| {
                r.get(i).is_none_or(|c| {
                    c.is_empty()
                        || c == "-"
                        || c.trim_end_matches('%')
                            .replace([',', '$'], "")
                            .parse::<f64>()
                            .is_ok()
                })
            })
        };
        let right: Vec<bool> = (0..n).map(numeric).collect();
        let line = |cells: &[String]| -> String {
            let parts: Vec<String> = (0..n)
                .map(|i| {
                    let c = cells.get(i).map(String::as_str).unwrap_or("");
                    if right[i] {
                        format!("{c:>width$}", width = w[i])
                    } else {
                        format!("{c:<width$}", width = w[i])
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        writeln!(out, "{}", line(&self.headers))?;
        for r in &self.rows {
            writeln!(out, "{}", line(r))?;
        }
        Ok(())
    }
    pub fn write_csv<W: Write>(&self, out: &mut W) -> Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.headers).context("writing CSV")?;
        for r in &self.rows {
            w.write_record(r).context("writing CSV")?;
        }
        w.flush().context("writing CSV")?;
        Ok(())
    }
}

pub(crate) fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "-".into())
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "-".into())
}

/// The throughput report as rows: per coder and type, per coder, and the totals per type.
pub fn throughput_table(r: &ThroughputReport) -> Table {
    let mut t = Table::new(&[
        "coder", "team", "type", "coded", "hours", "per_hour", "standard", "of_std", "per_day",
    ]);
    for c in &r.coders {
        for ty in &c.by_type {
            t.push(vec![
                c.login.clone(),
                c.team.clone(),
                ty.enc_type.to_string(),
                ty.coded.to_string(),
                format!("{:.2}", ty.hours),
                opt(ty.per_hour, 2),
                format!("{:.1}", ty.standard),
                pct(ty.of_standard),
                "-".into(),
            ]);
        }
        t.push(vec![
            c.login.clone(),
            c.team.clone(),
            "all".into(),
            c.coded.to_string(),
            format!("{:.2}", c.hours),
            opt(c.per_hour, 2),
            "-".into(),
            "-".into(),
            opt(c.per_day, 1),
        ]);
    }
    for ty in r.by_type.iter().filter(|x| x.coded > 0) {
        t.push(vec![
            "ALL".into(),
            String::new(),
            ty.enc_type.to_string(),
            ty.coded.to_string(),
            format!("{:.2}", ty.hours),
            opt(ty.per_hour, 2),
            format!("{:.1}", ty.standard),
            pct(ty.of_standard),
            "-".into(),
        ]);
    }
    t
}

/// The backlog as rows: counts per age bucket and charges, by type, by pending reason, in total.
pub fn backlog_table(r: &BacklogReport) -> Table {
    let mut h = vec!["group", "key"];
    h.extend(AGE_BUCKETS.iter().map(|(l, _)| *l));
    h.extend(["count", "charges"]);
    let mut t = Table::new(&h);
    let mut add = |group: &str, key: &str, c: &crate::report::backlog::AgeCounts| {
        let mut row = vec![group.to_string(), key.to_string()];
        row.extend(c.counts.iter().map(|n| n.to_string()));
        row.push(c.count().to_string());
        row.push(dollars(c.charges()));
        t.push(row);
    };
    for (ty, c) in &r.by_type {
        add("type", ty.as_str(), c);
    }
    for (reason, c) in &r.by_reason {
        add("reason", reason.label(), c);
    }
    add("total", "all", &r.total);
    t
}

/// Query figures as rows: overall, by provider, by CDI specialist, by month.
pub fn queries_table(r: &QueriesReport) -> Table {
    let mut t = Table::new(&[
        "group",
        "key",
        "reviewed",
        "sent",
        "answered",
        "canceled",
        "no_response",
        "query_rate",
        "response_rate",
        "median_h",
        "mean_h",
        "agreement",
    ]);
    let m = &r.metrics;
    let rows = std::iter::once(("all", &m.overall))
        .chain(m.by_provider.iter().map(|x| ("provider", x)))
        .chain(m.by_specialist.iter().map(|x| ("specialist", x)))
        .chain(m.by_month.iter().map(|x| ("month", x)));
    for (group, f) in rows {
        t.push(vec![
            group.into(),
            f.key.clone(),
            f.reviewed.to_string(),
            f.sent.to_string(),
            f.answered.to_string(),
            f.canceled.to_string(),
            f.no_response.to_string(),
            pct(f.query_rate),
            pct(f.response_rate),
            opt(f.median_turnaround_hours, 1),
            opt(f.mean_turnaround_hours, 1),
            pct(f.agreement_rate),
        ]);
    }
    t
}

/// Accuracy as rows: per coder, per team, overall.
pub fn accuracy_table(r: &AccuracyReport) -> Table {
    let mut t = Table::new(&[
        "level",
        "who",
        "team",
        "reviews",
        "codes",
        "errors",
        "pdx_changed",
        "accuracy",
    ]);
    let rows = r
        .coders
        .iter()
        .map(|x| ("coder", x))
        .chain(r.teams.iter().map(|x| ("team", x)))
        .chain(std::iter::once(("all", &r.overall)));
    for (level, x) in rows {
        t.push(vec![
            level.into(),
            x.who.clone(),
            x.team.clone(),
            x.reviews.to_string(),
            x.codes.to_string(),
            x.errors.to_string(),
            x.principal_changes.to_string(),
            x.accuracy
                .map(|a| format!("{:.1}%", a * 100.0))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    t
}

fn parse_date(s: &str, flag: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        ServiceError::Invalid(format!("{flag} '{s}' is not a date: use YYYY-MM-DD")).into()
    })
}

/// The inclusive day range of `--from`/`--to` (defaults: the 30 days up to today, UTC; the same
/// rule as `query metrics`, see [`crate::report::period`]).
pub fn range(from: Option<&str>, to: Option<&str>) -> Result<(NaiveDate, NaiveDate)> {
    let from = from.map(|s| parse_date(s, "--from")).transpose()?;
    let to = to.map(|s| parse_date(s, "--to")).transpose()?;
    let (from, to) = crate::report::period(from, to, chrono::Utc::now().date_naive());
    if from > to {
        return Err(
            ServiceError::Invalid(format!("--from {from} is after --to {to}: swap them")).into(),
        );
    }
    Ok((from, to))
}

fn emit<W: Write, T: serde::Serialize>(
    out: &mut W,
    format: Format,
    report: &T,
    table: Table,
) -> Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
        Format::Csv => table.write_csv(out)?,
        Format::Table => table.write_aligned(out)?,
    }
    Ok(())
}

/// Runs `chartdesk report`.
pub fn report<W: Write>(
    svc: &mut Service,
    a: &ReportArgs,
    standards: &StandardsConfig,
    out: &mut W,
) -> Result<()> {
    let (from, to) = range(a.from.as_deref(), a.to.as_deref())?;
    let team = a.team.as_deref();
    match a.which {
        Which::Throughput => {
            let r = svc.report_throughput(from, to, team, standards)?;
            emit(out, a.format, &r, throughput_table(&r))?;
            if a.format == Format::Table {
                writeln!(out, "\ntime in chart (first open to coded):")?;
                for (label, n) in &r.time_in_chart {
                    writeln!(
                        out,
                        "  {label:>7}  {n:>5}  {}",
                        "#".repeat((*n).min(60) as usize)
                    )?;
                }
                writeln!(
                    out,
                    "\n{from}..{to}: {} coded in {:.1} hours worked",
                    r.coded, r.hours
                )?;
            }
        }
        Which::Backlog => {
            let r = svc.report_backlog(to)?;
            emit(out, a.format, &r, backlog_table(&r))?;
            if a.format == Format::Table {
                writeln!(out, "\noldest (as of {}):", r.as_of)?;
                for i in r.oldest.iter().take(10) {
                    writeln!(
                        out,
                        "  {:<10} {:<12} discharged {} ({:>3} days)  {:>14}  {}",
                        i.account,
                        i.enc_type.as_str(),
                        i.discharge_date,
                        i.age_days,
                        dollars(i.charges_cents),
                        i.reason.label()
                    )?;
                }
            }
        }
        Which::Accuracy => {
            let r = svc.report_accuracy(from, to, team)?;
            emit(out, a.format, &r, accuracy_table(&r))?;
            if a.format == Format::Table && r.pending_reviews > 0 {
                writeln!(out, "\n{} reviews still pending", r.pending_reviews)?;
            }
        }
        Which::Drg => {
            let r = svc.report_drg(from, to, team)?;
            emit(out, a.format, &r, super::drg_report::drg_table(&r))?;
            if a.format == Format::Table {
                super::drg_report::write_notes(out, &r)?;
            }
        }
        Which::Queries => {
            let r = svc.report_queries(from, to)?;
            emit(out, a.format, &r, queries_table(&r))?;
            if a.format == Format::Table {
                writeln!(
                    out,
                    "\nwaiting for an answer ({} open), days since sent:",
                    r.open
                )?;
                for (label, n) in &r.open_by_age {
                    writeln!(out, "  {label:>5}  {n:>5}")?;
                }
            }
        }
    }
    Ok(())
}

/// Runs `chartdesk review`.
pub fn review<W: Write>(svc: &mut Service, cmd: &ReviewCommand, out: &mut W) -> Result<()> {
    match cmd {
        ReviewCommand::Sample {
            per_coder,
            enc_type,
            principal,
            week,
        } => {
            let day = match week {
                Some(w) => parse_date(w, "--week")?,
                None => chrono::Utc::now().date_naive() - chrono::Duration::days(7),
            };
            let rule = match (enc_type, principal) {
                (Some(t), _) => {
                    SampleRule::EncounterType(t.parse().map_err(ServiceError::Invalid)?)
                }
                (None, Some(p)) => SampleRule::PrincipalPrefix(p.clone()),
                (None, None) => SampleRule::Random {
                    per_coder: per_coder.unwrap_or(5),
                    seed: week_seed(week_start(day)),
                },
            };
            let ids = svc.sample_reviews(&rule, day)?;
            writeln!(
                out,
                "sampled {} encounters for review ({}, week of {})",
                ids.len(),
                rule.label(),
                week_start(day)
            )?;
        }
        ReviewCommand::List { status, format } => {
            let rows = svc.reviews(&ReviewFilter {
                status: status.clone(),
                ..Default::default()
            })?;
            let mut t = Table::new(&[
                "id", "account", "type", "coder", "coded_at", "status", "reviewer", "rule",
            ]);
            for r in &rows {
                t.push(vec![
                    r.id.to_string(),
                    r.account.clone(),
                    r.enc_type.to_string(),
                    r.coder.clone(),
                    r.coded_at.get(..16).unwrap_or(&r.coded_at).to_string(),
                    r.status.clone(),
                    r.reviewer.clone().unwrap_or_default(),
                    r.sample_rule.clone(),
                ]);
            }
            emit(out, *format, &rows, t)?;
        }
        ReviewCommand::Show { id, json } => {
            let d = svc.review_detail(*id)?;
            if *json {
                serde_json::to_writer_pretty(&mut *out, &d)?;
                writeln!(out)?;
                return Ok(());
            }
            let r = &d.review;
            writeln!(
                out,
                "review {} of {} ({}) coded by {} at {}: {}",
                r.id, r.account, r.enc_type, r.coder, r.coded_at, r.status
            )?;
            let list = |codes: &[crate::report::accuracy::ReviewCode]| {
                codes
                    .iter()
                    .map(|c| match c.poa {
                        Some(p) => format!("{}:{}", c.code, p),
                        None => c.code.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            writeln!(out, "  coder:    {}", list(&d.coder_codes))?;
            writeln!(out, "  reviewer: {}", list(&d.reviewer_codes))?;
            if let Some(c) = &d.comparison {
                writeln!(
                    out,
                    "  {} errors in {} codes: accuracy {:.1}%",
                    c.errors,
                    c.codes,
                    c.accuracy() * 100.0
                )?;
                for f in &c.findings {
                    writeln!(out, "  - {}", f.describe())?;
                }
            }
            if !r.findings.is_empty() {
                writeln!(out, "  reviewer's note: {}", r.findings)?;
            }
        }
        ReviewCommand::Record {
            id,
            codes,
            findings,
        } => {
            let codes = parse_review_codes(codes)?;
            let c = svc.record_review(*id, &codes, findings)?;
            writeln!(
                out,
                "review {id} recorded: {} errors in {} codes (accuracy {:.1}%)",
                c.errors,
                c.codes,
                c.accuracy() * 100.0
            )?;
            for f in &c.findings {
                writeln!(out, "  - {}", f.describe())?;
            }
        }
    }
    Ok(())
}
