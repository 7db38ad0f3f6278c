//! PLACEHOLDER until the search branch lands: linear scan over code titles.
use crate::domain::{CodeEntry, CodeSystem, EntryKind};
use anyhow::Result;
use std::path::Path;
use std::sync::Arc;

#[derive(Clone)]
pub struct CodeIndex {
    entries: Arc<Vec<CodeEntry>>,
}
#[derive(Clone, Debug)]
pub struct CodeQuery {
    pub limit: usize,
    pub systems: Vec<CodeSystem>,
    pub billable_only: bool,
}
impl Default for CodeQuery {
    fn default() -> Self {
        Self { limit: 50, systems: vec![], billable_only: false }
    }
}
#[derive(Clone, Debug, serde::Serialize)]
pub struct CodeHit {
    pub system: CodeSystem,
    pub code: String,
    pub title: String,
    pub billable: bool,
    pub score: f32,
    pub matched: Option<String>,
}
impl CodeIndex {
    pub fn build(dir: &Path, entries: &[CodeEntry], fingerprint: &str, _p: &mut dyn FnMut(usize, usize)) -> Result<()> {
        let v: Vec<&CodeEntry> = entries.iter().filter(|e| e.kind == EntryKind::Code).collect();
        std::fs::write(dir.join("codes.json"), serde_json::to_string(&v)?)?;
        std::fs::write(dir.join("fp"), fingerprint)?;
        Ok(())
    }
    pub fn stored_fingerprint(dir: &Path) -> Option<String> {
        std::fs::read_to_string(dir.join("fp")).ok()
    }
    pub fn open(dir: &Path) -> Result<CodeIndex> {
        let v: Vec<CodeEntry> = serde_json::from_str(&std::fs::read_to_string(dir.join("codes.json"))?)?;
        Ok(CodeIndex { entries: Arc::new(v) })
    }
    pub fn search(&self, query: &str, q: &CodeQuery) -> Result<Vec<CodeHit>> {
        let words: Vec<String> = query.to_lowercase().split_whitespace().map(String::from).collect();
        Ok(self.entries.iter().filter(|e| (q.systems.is_empty() || q.systems.contains(&e.system)) && (!q.billable_only || e.billable))
            .filter(|e| { let t = e.title.to_lowercase(); !words.is_empty() && words.iter().all(|w| t.contains(w.as_str()) || e.code.to_lowercase().starts_with(w.as_str())) })
            .take(q.limit).map(|e| CodeHit { system: e.system, code: e.code.clone(), title: e.title.clone(), billable: e.billable, score: 1.0, matched: None }).collect())
    }
}
pub mod eval {
    use super::CodeIndex;
    use crate::domain::CodeEntry;
    pub struct EvalReport;
    impl std::fmt::Display for EvalReport { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("todo") } }
    pub struct BenchReport;
    impl std::fmt::Display for BenchReport { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("todo") } }
    pub fn evaluate_codes(_i: &CodeIndex, _e: &[CodeEntry], _p: &std::path::Path) -> anyhow::Result<EvalReport> { Ok(EvalReport) }
    pub fn bench_codes(_i: &CodeIndex, _e: &[CodeEntry], _q: &[String], _r: usize) -> anyhow::Result<BenchReport> { Ok(BenchReport) }
}
