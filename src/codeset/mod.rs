//! Parsers for official code-set release files (CDC tabular XML, CMS order files, PCS lists).
// PLACEHOLDER until the codeset branch lands.
use crate::domain::CodeSystem;
pub struct CodeSetRelease { pub system: CodeSystem, pub version: String, pub source: String, pub entries: Vec<crate::domain::CodeEntry> }
impl CodeSetRelease { pub fn billable_count(&self) -> usize { self.entries.iter().filter(|e| e.billable).count() } }
pub fn read_release_file(_p: &std::path::Path, _s: Option<CodeSystem>, _v: Option<&str>) -> anyhow::Result<CodeSetRelease> { anyhow::bail!("todo") }
pub fn builtin_icd10cm() -> anyhow::Result<CodeSetRelease> { anyhow::bail!("todo") }
pub fn builtin_icd10pcs() -> anyhow::Result<CodeSetRelease> { anyhow::bail!("todo") }
