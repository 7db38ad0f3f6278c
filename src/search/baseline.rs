//! The SQLite FTS5 baselines the code search is measured against, over the same titles and inclusion
//! terms, in an in-memory table:
//!
//! - **plain** ([`Fts5Mode::Plain`]): unicode61 tokenizer, no stemming, every query word AND-ed,
//!   results in bm25 order; no code lookup.
//! - **fair** ([`Fts5Mode::Fair`]): porter stemming over unicode61; a query that looks like a code
//!   (with or without its dot) lists the codes starting with it; otherwise the query's words less
//!   English stop words are AND-ed, falling back to OR-ing them when the AND finds nothing; bm25 order.
use super::lookup::code_like;
use crate::domain::code::{display_code, undotted};
use crate::domain::{CodeEntry, CodeSystem, EntryKind};
use anyhow::{Context, Result};
use rusqlite::Connection;

/// Which FTS5 configuration (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fts5Mode {
    Plain,
    Fair,
}

/// Words the fair baseline drops before AND/OR (a short English stop list; clinical words such as
/// "without" or "not" are kept, as they change the meaning).
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of",
    "on", "or", "the", "to",
];

pub struct Fts5Baseline {
    conn: Connection,
    mode: Fts5Mode,
}

/// One baseline result.
#[derive(Debug, Clone)]
pub struct BaselineHit {
    pub system: CodeSystem,
    pub code: String,
    pub title: String,
}

impl Fts5Baseline {
    /// Loads every `EntryKind::Code` entry: title, and inclusion terms (and "includes" notes).
    pub fn build(entries: &[CodeEntry]) -> Result<Self> {
        Self::build_mode(entries, Fts5Mode::Plain)
    }

    /// Builds the baseline in the given configuration.
    pub fn build_mode(entries: &[CodeEntry], mode: Fts5Mode) -> Result<Self> {
        let mut conn = Connection::open_in_memory().context("opening in-memory SQLite for FTS5")?;
        let tokenize = match mode {
            Fts5Mode::Plain => "",
            Fts5Mode::Fair => ", tokenize = 'porter unicode61'",
        };
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE codes USING fts5(system UNINDEXED, code UNINDEXED, title, terms{tokenize});
             CREATE TABLE code_keys(key TEXT NOT NULL, system TEXT NOT NULL, code TEXT NOT NULL, title TEXT NOT NULL);"
        ))
        .context("creating the FTS5 table (is SQLite built with FTS5?)")?;
        let tx = conn.transaction().context("starting the FTS5 load")?;
        {
            let mut ins = tx
                .prepare("INSERT INTO codes(system, code, title, terms) VALUES (?1, ?2, ?3, ?4)")
                .context("preparing the FTS5 insert")?;
            let mut keys = tx
                .prepare("INSERT INTO code_keys(key, system, code, title) VALUES (?1, ?2, ?3, ?4)")
                .context("preparing the code key insert")?;
            for e in entries.iter().filter(|e| e.kind == EntryKind::Code) {
                let terms = e
                    .notes
                    .inclusion_terms
                    .iter()
                    .chain(&e.notes.includes)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join("; ");
                ins.execute((
                    e.system.as_str(),
                    display_code(e.system, &e.code),
                    &e.title,
                    terms,
                ))
                .with_context(|| format!("loading code {} into FTS5", e.code))?;
                if mode == Fts5Mode::Fair {
                    keys.execute((
                        undotted(&e.code),
                        e.system.as_str(),
                        display_code(e.system, &e.code),
                        &e.title,
                    ))
                    .with_context(|| format!("loading code {} into the code keys", e.code))?;
                }
            }
        }
        tx.execute_batch("CREATE INDEX code_keys_key ON code_keys(key);")
            .context("indexing the code keys")?;
        tx.commit().context("committing the FTS5 load")?;
        Ok(Self { conn, mode })
    }

    /// Which configuration this baseline runs.
    pub fn mode(&self) -> Fts5Mode {
        self.mode
    }

    /// Searches in this baseline's configuration (see the module notes), best first. Words are quoted,
    /// so FTS5 syntax cannot leak in.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<BaselineHit>> {
        let mut words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if self.mode == Fts5Mode::Plain {
            return self.matching(&words, " AND ", limit);
        }
        if let Some(prefix) = code_like(query) {
            let hits = self.by_code(&prefix, limit)?;
            if !hits.is_empty() {
                return Ok(hits);
            }
        }
        words.retain(|w| !STOP.contains(&w.as_str()));
        let hits = self.matching(&words, " AND ", limit)?;
        if !hits.is_empty() || words.len() < 2 {
            return Ok(hits);
        }
        self.matching(&words, " OR ", limit)
    }

    /// Codes starting with an undotted, upper-case prefix, in code order.
    fn by_code(&self, prefix: &str, limit: usize) -> Result<Vec<BaselineHit>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT system, code, title FROM code_keys WHERE key >= ?1 AND key < ?1 || '~' ORDER BY key LIMIT ?2",
            )
            .context("preparing the FTS5 code lookup")?;
        let rows = stmt
            .query_map((prefix, limit as i64), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .with_context(|| format!("looking up codes starting {prefix}"))?;
        collect_hits(rows)
    }

    /// The words joined with `op` (" AND " or " OR "), best bm25 first.
    fn matching(&self, words: &[String], op: &str, limit: usize) -> Result<Vec<BaselineHit>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let expr = words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(op);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT system, code, title FROM codes WHERE codes MATCH ?1 ORDER BY bm25(codes) LIMIT ?2",
            )
            .context("preparing the FTS5 query")?;
        let rows = stmt
            .query_map((expr.as_str(), limit as i64), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .with_context(|| format!("running FTS5 query {expr}"))?;
        collect_hits(rows)
    }
}

fn collect_hits(
    rows: impl Iterator<Item = rusqlite::Result<(String, String, String)>>,
) -> Result<Vec<BaselineHit>> {
    let mut out = Vec::new();
    for row in rows {
        let (system, code, title) = row.context("reading an FTS5 row")?;
        let system = system
            .parse::<CodeSystem>()
            .map_err(|e| anyhow::anyhow!(e))
            .context("FTS5 row has an unknown system")?;
        out.push(BaselineHit {
            system,
            code,
            title,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TabularNotes;

    fn code(c: &str, title: &str, incl: &[&str]) -> CodeEntry {
        CodeEntry {
            system: CodeSystem::Icd10Cm,
            kind: EntryKind::Code,
            code: c.into(),
            title: title.into(),
            billable: true,
            parent: None,
            notes: TabularNotes {
                inclusion_terms: incl.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn words_are_anded_over_titles_and_inclusion_terms() {
        let b = Fts5Baseline::build(&[
            code(
                "I50.9",
                "Heart failure, unspecified",
                &["Cardiac failure NOS"],
            ),
            code(
                "I11.0",
                "Hypertensive heart disease with heart failure",
                &[],
            ),
            code(
                "R56.9",
                "Unspecified convulsions",
                &["Seizure(s) (convulsive) NOS"],
            ),
        ])
        .unwrap();
        let h = b.search("heart failure", 5).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].code, "I50.9");
        assert_eq!(b.search("seizure", 5).unwrap()[0].code, "R56.9");
        assert!(b.search("heart seizure", 5).unwrap().is_empty());
        assert!(b.search("\" OR *", 5).unwrap().is_empty());
    }

    #[test]
    fn fair_mode_stems_looks_up_codes_and_falls_back_to_or() {
        let entries = [
            code(
                "I50.9",
                "Heart failure, unspecified",
                &["Cardiac failure NOS"],
            ),
            code(
                "R56.9",
                "Unspecified convulsions",
                &["Seizure(s) (convulsive) NOS"],
            ),
        ];
        let plain = Fts5Baseline::build(&entries).unwrap();
        let fair = Fts5Baseline::build_mode(&entries, Fts5Mode::Fair).unwrap();
        assert_eq!(fair.mode(), Fts5Mode::Fair);
        // Stemming: "convulsion" finds "convulsions" only in the fair mode.
        assert!(plain.search("convulsion", 5).unwrap().is_empty());
        assert_eq!(fair.search("convulsion", 5).unwrap()[0].code, "R56.9");
        // Code lookup, with or without the dot.
        assert!(plain.search("I509", 5).unwrap().is_empty());
        assert_eq!(fair.search("I509", 5).unwrap()[0].code, "I50.9");
        assert_eq!(fair.search("r56.", 5).unwrap()[0].code, "R56.9");
        // Stop words dropped; AND finds nothing, so OR answers.
        assert!(
            plain
                .search("failure of the heart seizure", 5)
                .unwrap()
                .is_empty()
        );
        let or = fair.search("failure of the heart seizure", 5).unwrap();
        assert_eq!(or.len(), 2);
    }
}
