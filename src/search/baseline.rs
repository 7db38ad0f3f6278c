//! The SQLite FTS5 baseline the code search is measured against.
//!
//! A plain full-text search over the same titles and inclusion terms: an in-memory FTS5 table
//! (unicode61 tokenizer, no stemming), the query's words AND-ed, results in bm25 order.
use crate::domain::code::display_code;
use crate::domain::{CodeEntry, CodeSystem, EntryKind};
use anyhow::{Context, Result};
use rusqlite::Connection;

pub struct Fts5Baseline {
    conn: Connection,
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
        let mut conn = Connection::open_in_memory().context("opening in-memory SQLite for FTS5")?;
        conn.execute_batch(
            "CREATE VIRTUAL TABLE codes USING fts5(system UNINDEXED, code UNINDEXED, title, terms);",
        )
        .context("creating the FTS5 table (is SQLite built with FTS5?)")?;
        let tx = conn.transaction().context("starting the FTS5 load")?;
        {
            let mut ins = tx
                .prepare("INSERT INTO codes(system, code, title, terms) VALUES (?1, ?2, ?3, ?4)")
                .context("preparing the FTS5 insert")?;
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
            }
        }
        tx.commit().context("committing the FTS5 load")?;
        Ok(Self { conn })
    }

    /// The query's words AND-ed, best bm25 first. Words are quoted, so FTS5 syntax cannot leak in.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<BaselineHit>> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"", w.to_lowercase()))
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let expr = words.join(" AND ");
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
}
