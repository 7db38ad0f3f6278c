//! The ICD-10-CM tabular list arranged for the edit engine: entries by code, parent chains,
//! children, and every instructional note's code references parsed once.
use std::collections::HashMap;

use super::refs::{CodeRef, extract};
use crate::codeset::seventh::extend;
use crate::domain::code::undotted;
use crate::domain::{CodeEntry, CodeSystem, EntryKind};

/// A note as written and the code references read from it.
#[derive(Debug, Clone)]
pub struct ParsedNote {
    pub text: String,
    pub refs: Vec<CodeRef>,
}

/// The notes of one entry the engine acts on, with their references.
#[derive(Debug, Clone, Default)]
pub struct EntryNotes {
    pub excludes1: Vec<ParsedNote>,
    pub excludes2: Vec<ParsedNote>,
    pub code_first: Vec<ParsedNote>,
    pub use_additional: Vec<ParsedNote>,
    pub code_also: Vec<ParsedNote>,
}

fn parse_list(list: &[String]) -> Vec<ParsedNote> {
    list.iter()
        .map(|t| ParsedNote {
            text: t.clone(),
            refs: extract(t),
        })
        .collect()
}

/// Built once from all ICD-10-CM entries (chapters, sections and codes); read-only afterwards, so it
/// can be shared between threads behind an `Arc`.
#[derive(Debug, Default)]
pub struct TabularIndex {
    entries: Vec<CodeEntry>,
    by_code: HashMap<String, usize>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// Codes holding placeholder X, keyed by their characters without dot and without X.
    without_x: HashMap<String, usize>,
    notes: HashMap<usize, EntryNotes>,
}

impl TabularIndex {
    /// Arranges `entries`; entries of other systems are ignored. Unknown parents end a chain.
    pub fn new(entries: Vec<CodeEntry>) -> TabularIndex {
        let entries: Vec<CodeEntry> = entries
            .into_iter()
            .filter(|e| e.system == CodeSystem::Icd10Cm)
            .collect();
        let mut by_code = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            by_code.entry(e.code.clone()).or_insert(i);
        }
        let mut parent = Vec::with_capacity(entries.len());
        let mut children = vec![Vec::new(); entries.len()];
        let mut without_x = HashMap::new();
        let mut notes = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let p = e
                .parent
                .as_ref()
                .and_then(|p| by_code.get(p).copied())
                .filter(|&p| p != i);
            if let Some(p) = p {
                children[p].push(i);
            }
            parent.push(p);
            if e.kind == EntryKind::Code && e.code.contains('X') {
                let key: String = undotted(&e.code).chars().filter(|c| *c != 'X').collect();
                without_x.entry(key).or_insert(i);
            }
            let n = &e.notes;
            if !(n.excludes1.is_empty()
                && n.excludes2.is_empty()
                && n.code_first.is_empty()
                && n.use_additional_code.is_empty()
                && n.code_also.is_empty())
            {
                notes.insert(
                    i,
                    EntryNotes {
                        excludes1: parse_list(&n.excludes1),
                        excludes2: parse_list(&n.excludes2),
                        code_first: parse_list(&n.code_first),
                        use_additional: parse_list(&n.use_additional_code),
                        code_also: parse_list(&n.code_also),
                    },
                );
            }
        }
        TabularIndex {
            entries,
            by_code,
            parent,
            children,
            without_x,
            notes,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The position of a code-kind entry written as the code set writes it ("I50.23").
    pub fn find(&self, code: &str) -> Option<usize> {
        self.by_code
            .get(code)
            .copied()
            .filter(|&i| self.entries[i].kind == EntryKind::Code)
    }

    pub fn entry(&self, i: usize) -> &CodeEntry {
        &self.entries[i]
    }

    pub fn parent(&self, i: usize) -> Option<usize> {
        self.parent[i]
    }

    pub fn children(&self, i: usize) -> &[usize] {
        &self.children[i]
    }

    /// `i` and its ancestors, nearest first, up to the chapter (at most 12 steps).
    pub fn lineage(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(i), |&j| self.parent[j]).take(12)
    }

    /// The parsed notes of an entry, if it has any the engine uses.
    pub fn notes(&self, i: usize) -> Option<&EntryNotes> {
        self.notes.get(&i)
    }

    /// A code with placeholder X that reads like `code` once the X are taken out ("W06A" → W06.XXXA).
    pub fn placeholder_match(&self, code: &str) -> Option<usize> {
        let key: String = undotted(code).chars().filter(|c| *c != 'X').collect();
        self.without_x.get(&key).copied()
    }

    /// The 7th-character table that applies to entry `i`: its own or its nearest ancestor's.
    pub fn seventh_characters(&self, i: usize) -> &[(char, String)] {
        self.lineage(i)
            .take_while(|&j| self.entries[j].kind == EntryKind::Code)
            .map(|j| self.entries[j].notes.seventh_characters.as_slice())
            .find(|s| !s.is_empty())
            .unwrap_or(&[])
    }

    /// For a 7th-character code ("S72.009A"), the code it extends (S72.009); else `i` itself.
    pub fn base_of_extension(&self, i: usize) -> usize {
        let e = &self.entries[i];
        match (self.parent[i], e.code.chars().last()) {
            (Some(p), Some(last))
                if extend(&self.entries[p].code, last).as_deref() == Some(e.code.as_str())
                    && undotted(&e.code).len() == 7 =>
            {
                p
            }
            _ => i,
        }
    }

    /// The chapter number ("15") an entry sits in, if the chain reaches one.
    pub fn chapter(&self, i: usize) -> Option<&str> {
        self.lineage(i)
            .map(|j| &self.entries[j])
            .find(|e| e.kind == EntryKind::Chapter)
            .map(|e| e.code.as_str())
    }
}
