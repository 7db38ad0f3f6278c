//! Ranking quality and latency of code search, side by side with the SQLite FTS5 baseline.
//!
//! Query files are TSV: `query TAB accepted codes (comma separated; any one counts)`; lines starting
//! with `#` and blank lines are ignored. A query counts for top 1 when the first result is accepted,
//! for top 5 when any of the first five is.
use super::baseline::{Fts5Baseline, Fts5Mode};
use super::codes::{CodeIndex, CodeQuery};
use crate::domain::CodeEntry;
use crate::domain::code::undotted;
use anyhow::{Context, Result, bail};
use std::fmt;
use std::path::Path;
use std::time::Instant;

/// One evaluation query and the codes accepted for it.
#[derive(Debug, Clone)]
pub struct EvalQuery {
    pub query: String,
    pub accepted: Vec<String>,
}

/// A query whose first result was not accepted.
#[derive(Debug, Clone)]
pub struct Miss {
    pub query: String,
    pub accepted: Vec<String>,
    /// The first five codes returned.
    pub got: Vec<String>,
    /// 1-based rank of the first accepted code among the results, if present.
    pub rank: Option<usize>,
}

/// One engine's figures.
#[derive(Debug, Clone)]
pub struct EngineScore {
    pub engine: String,
    pub total: usize,
    pub top1: usize,
    pub top5: usize,
    pub misses: Vec<Miss>,
}

impl EngineScore {
    pub fn top1_pct(&self) -> f64 {
        pct(self.top1, self.total)
    }
    pub fn top5_pct(&self) -> f64 {
        pct(self.top5, self.total)
    }
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// Quality of chartdesk and of the FTS5 baseline on one query file.
#[derive(Debug, Clone)]
pub struct EvalReport {
    pub source: String,
    pub chartdesk: EngineScore,
    /// Plain FTS5: unicode61, every word AND-ed, no code lookup (see `baseline`).
    pub fts5: EngineScore,
    /// Fair FTS5: porter stemming, code lookup, AND falling back to OR without stop words.
    pub fts5_fair: EngineScore,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "code search quality on {} ({} queries)",
            self.source, self.chartdesk.total
        )?;
        writeln!(f, "  {:<10} {:>13} {:>13}", "engine", "top 1", "top 5")?;
        for s in [&self.chartdesk, &self.fts5, &self.fts5_fair] {
            writeln!(
                f,
                "  {:<10} {:>4} {:>6.1}%  {:>4} {:>6.1}%",
                s.engine,
                s.top1,
                s.top1_pct(),
                s.top5,
                s.top5_pct()
            )?;
        }
        if !self.chartdesk.misses.is_empty() {
            writeln!(
                f,
                "  chartdesk misses (query | accepted | rank | first five):"
            )?;
            for m in &self.chartdesk.misses {
                let rank = m.rank.map_or("-".to_string(), |r| r.to_string());
                writeln!(
                    f,
                    "    {} | {} | {} | {}",
                    m.query,
                    m.accepted.join(","),
                    rank,
                    m.got.join(" ")
                )?;
            }
        }
        Ok(())
    }
}

/// Reads a query file (see the module notes for the format).
pub fn read_queries(path: &Path) -> Result<Vec<EvalQuery>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading query file {}", path.display()))?;
    parse_queries(&text, &path.display().to_string())
}

pub fn parse_queries(text: &str, origin: &str) -> Result<Vec<EvalQuery>> {
    let mut out = Vec::new();
    for (no, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((q, codes)) = line.split_once('\t') else {
            bail!("{origin} line {}: expected 'query TAB codes'", no + 1);
        };
        let accepted: Vec<String> = codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        if q.trim().is_empty() || accepted.is_empty() {
            bail!(
                "{origin} line {}: a query and at least one accepted code are needed",
                no + 1
            );
        }
        out.push(EvalQuery {
            query: q.to_string(),
            accepted,
        });
    }
    Ok(out)
}

fn score_engine(
    engine: &str,
    queries: &[EvalQuery],
    mut run: impl FnMut(&str) -> Result<Vec<String>>,
) -> Result<EngineScore> {
    let mut s = EngineScore {
        engine: engine.to_string(),
        total: queries.len(),
        top1: 0,
        top5: 0,
        misses: Vec::new(),
    };
    for q in queries {
        let got = run(&q.query)?;
        let accepted: Vec<String> = q.accepted.iter().map(|c| undotted(c)).collect();
        let rank = got
            .iter()
            .position(|c| accepted.contains(&undotted(c)))
            .map(|r| r + 1);
        if rank == Some(1) {
            s.top1 += 1;
        } else {
            s.misses.push(Miss {
                query: q.query.clone(),
                accepted: q.accepted.clone(),
                got: got.iter().take(5).cloned().collect(),
                rank,
            });
        }
        if rank.is_some_and(|r| r <= 5) {
            s.top5 += 1;
        }
    }
    Ok(s)
}

/// Runs chartdesk and the FTS5 baseline (built from `entries`) over a query file.
pub fn evaluate_codes(
    index: &CodeIndex,
    entries: &[CodeEntry],
    queries_tsv: &Path,
) -> Result<EvalReport> {
    let queries = read_queries(queries_tsv)?;
    let baseline = Fts5Baseline::build(entries)?;
    let fair = Fts5Baseline::build_mode(entries, Fts5Mode::Fair)?;
    evaluate_queries(
        index,
        &baseline,
        &fair,
        &queries,
        &queries_tsv.display().to_string(),
    )
}

/// As [`evaluate_codes`], over parsed queries and ready baselines (plain and fair FTS5).
pub fn evaluate_queries(
    index: &CodeIndex,
    baseline: &Fts5Baseline,
    fair: &Fts5Baseline,
    queries: &[EvalQuery],
    source: &str,
) -> Result<EvalReport> {
    let cq = CodeQuery {
        limit: 20,
        ..CodeQuery::default()
    };
    let chartdesk = score_engine("chartdesk", queries, |q| {
        Ok(index.search(q, &cq)?.into_iter().map(|h| h.code).collect())
    })?;
    let fts5 = score_engine("fts5", queries, |q| {
        Ok(baseline
            .search(q, 20)?
            .into_iter()
            .map(|h| h.code)
            .collect())
    })?;
    let fts5_fair = score_engine("fts5-fair", queries, |q| {
        Ok(fair.search(q, 20)?.into_iter().map(|h| h.code).collect())
    })?;
    Ok(EvalReport {
        source: source.to_string(),
        chartdesk,
        fts5,
        fts5_fair,
    })
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

fn latency(mut ms: Vec<f64>) -> Latency {
    if ms.is_empty() {
        return Latency::default();
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1];
    Latency {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: ms[ms.len() - 1],
    }
}

/// Per-query latency of chartdesk and FTS5 over the same keystroke mix.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// Distinct query strings searched per round (every prefix of every query).
    pub typed: usize,
    pub rounds: usize,
    pub chartdesk: Latency,
    pub fts5: Latency,
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "code search latency: {} keystroke queries x {} rounds (ms per query)",
            self.typed, self.rounds
        )?;
        writeln!(
            f,
            "  {:<10} {:>8} {:>8} {:>8} {:>8}",
            "engine", "p50", "p95", "p99", "max"
        )?;
        for (name, l) in [("chartdesk", self.chartdesk), ("fts5", self.fts5)] {
            writeln!(
                f,
                "  {name:<10} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
                l.p50, l.p95, l.p99, l.max
            )?;
        }
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        writeln!(
            f,
            "  chartdesk/fts5: p50 x{:.2}, p99 x{:.2}",
            ratio(self.chartdesk.p50, self.fts5.p50),
            ratio(self.chartdesk.p99, self.fts5.p99)
        )
    }
}

/// Every prefix of each query, as typed one character at a time (the full query included).
pub fn keystroke_mix(queries: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for q in queries {
        let mut typed = String::new();
        for c in q.chars() {
            typed.push(c);
            if !typed.trim().is_empty() {
                out.push(typed.clone());
            }
        }
    }
    out
}

/// Times chartdesk and FTS5 on the keystroke mix of `queries` (see [`keystroke_mix`]), `rounds` times
/// after one warm-up round.
pub fn bench_codes(
    index: &CodeIndex,
    entries: &[CodeEntry],
    queries: &[String],
    rounds: usize,
) -> Result<BenchReport> {
    let typed = keystroke_mix(queries);
    let baseline = Fts5Baseline::build(entries)?;
    let cq = CodeQuery::default();
    let rounds = rounds.max(1);
    let time = |f: &mut dyn FnMut(&str) -> Result<()>| -> Result<Vec<f64>> {
        for q in &typed {
            f(q)?;
        }
        let mut ms = Vec::with_capacity(typed.len() * rounds);
        for _ in 0..rounds {
            for q in &typed {
                let t = Instant::now();
                f(q)?;
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        Ok(ms)
    };
    let cd = time(&mut |q| index.search(q, &cq).map(|_| ()))?;
    let fts = time(&mut |q| baseline.search(q, cq.limit).map(|_| ()))?;
    Ok(BenchReport {
        typed: typed.len(),
        rounds,
        chartdesk: latency(cd),
        fts5: latency(fts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_files_parse_and_reject_bad_lines() {
        let q = parse_queries("# c\nchf\tI50.9\n\nk21.\tK21.9, K21.00\n", "t").unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[1].accepted, ["K21.9", "K21.00"]);
        assert!(parse_queries("chf I50.9\n", "t").is_err());
        assert!(parse_queries("chf\t\n", "t").is_err());
    }

    #[test]
    fn percentiles_and_keystrokes() {
        let l = latency((1..=100).map(f64::from).collect());
        assert_eq!((l.p50, l.p99, l.max), (50.0, 99.0, 100.0));
        assert_eq!(
            keystroke_mix(&["ab c".to_string()]),
            ["a", "ab", "ab ", "ab c"]
        );
    }
}
