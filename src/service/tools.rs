//! Measurement tools behind `chartdesk eval` and `chartdesk bench`: code sets only, no patient data.
use super::{Service, ServiceError};
use crate::store;
use anyhow::{Context, Result};
use std::path::Path;

/// The code-search quality set shipped beside the project (for evaluation only, never for tests).
pub const DEV_QUERIES: &str = "../shared/eval/code_queries_dev.tsv";

/// Reads queries: one per line, or a TSV whose first column is the query; `#` lines are comments.
pub fn read_queries(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading queries from {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty())
        .collect())
}

impl Service {
    /// Top-1/top-5 accuracy of chartdesk's code search and of an FTS5 baseline on a query set.
    pub fn evaluate_codes(&self, queries_tsv: &Path) -> Result<crate::search::eval::EvalReport> {
        if !queries_tsv.exists() {
            return Err(ServiceError::NotFound(format!(
                "query set {} not found: pass a TSV of 'query<TAB>code,code' lines",
                queries_tsv.display()
            ))
            .into());
        }
        let entries = store::codes::all_active(&self.conn)?;
        crate::search::eval::evaluate_codes(&self.codes()?, &entries, queries_tsv)
    }

    /// Latency of code search, chartdesk next to FTS5, over every prefix of each query (typing).
    pub fn bench_codes(
        &self,
        queries: Option<&Path>,
        rounds: usize,
    ) -> Result<crate::search::eval::BenchReport> {
        let list = match queries {
            Some(p) => read_queries(p)?,
            None => {
                let p = Path::new(DEV_QUERIES);
                if !p.exists() {
                    return Err(ServiceError::NotFound(format!(
                        "{DEV_QUERIES} not found: pass --queries FILE"
                    ))
                    .into());
                }
                read_queries(p)?
            }
        };
        let entries = store::codes::all_active(&self.conn)?;
        crate::search::eval::bench_codes(&self.codes()?, &entries, &list, rounds.max(1))
    }

    /// The row id of an encounter, by account.
    pub fn encounter_id(&self, account: &str) -> Result<i64> {
        store::encounters::by_account(&self.conn, account)?
            .map(|e| e.id)
            .ok_or_else(|| {
                ServiceError::NotFound(format!("no encounter with account '{account}'")).into()
            })
    }
}
