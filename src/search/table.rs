//! The compact in-memory code table loaded at open: codes, titles, hierarchy and pre-analysed names.
//!
//! The tantivy index only finds candidates; ranking needs every candidate's title, inclusion terms,
//! ancestors and 7th-character meanings as term ids. Analysing them per query would be too slow, so
//! `build` analyses once and writes this table next to the index; `open` reads it back in milliseconds.
use super::analyze::{Analyzer, split_words};
use super::binio::{Reader, Writer};
use crate::domain::code::undotted;
use crate::domain::{CodeEntry, CodeSystem, EntryKind};
use anyhow::{Context, Result, bail};
use std::collections::HashMap;

pub(crate) const NONE: u32 = u32::MAX;
const MAGIC: &[u8; 4] = b"CDCT";

/// A slice of the string arena.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    off: u32,
    len: u32,
}

pub(crate) const NAME_TITLE: u8 = 0;
pub(crate) const NAME_INCL: u8 = 1;
pub(crate) const NAME_SEVENTH: u8 = 2;

/// A title, inclusion term or 7th-character meaning, as tokens (`term << 8 | flags`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Name {
    pub tok_start: u32,
    pub tok_len: u16,
    pub kind: u8,
    /// An inclusion term ending in "NOS": the code is the default for that wording.
    pub nos: bool,
    pub text: Span,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub system: CodeSystem,
    pub code: Span,
    pub title: Span,
    pub billable: bool,
    pub parent: u32,
    /// The 7th character of an expansion ("S72.001A" → b'A'), 0 for other codes.
    pub seventh: u8,
    /// How many 7th-character expansions follow this entry directly (they sort right after it).
    pub ext_count: u8,
    pub name_start: u32,
    pub name_count: u16,
}

pub(crate) struct Table {
    arena: String,
    pub entries: Vec<Entry>,
    pub names: Vec<Name>,
    pub toks: Vec<u32>,
    /// Terms sorted by text; a term id is its position.
    terms: Vec<Span>,
    /// How many entries hold each term.
    pub df: Vec<u32>,
    /// Surface words sorted by text, each with its term.
    surfaces: Vec<(Span, u32)>,
    /// Hyphen-joined words written as one ("gastroesophageal") with the terms of their parts.
    compounds: Vec<(Span, Vec<u32>)>,
}

fn system_code(s: CodeSystem) -> u8 {
    match s {
        CodeSystem::Icd10Cm => 0,
        CodeSystem::Icd10Pcs => 1,
        CodeSystem::Hcpcs => 2,
        CodeSystem::Cpt => 3,
    }
}

fn system_from(b: u8) -> Result<CodeSystem> {
    Ok(match b {
        0 => CodeSystem::Icd10Cm,
        1 => CodeSystem::Icd10Pcs,
        2 => CodeSystem::Hcpcs,
        3 => CodeSystem::Cpt,
        _ => bail!("code table names an unknown code system ({b}); rebuild the index"),
    })
}

impl Table {
    pub(crate) fn str(&self, s: Span) -> &str {
        self.arena
            .get(s.off as usize..(s.off + s.len) as usize)
            .unwrap_or("")
    }
    pub(crate) fn code(&self, e: &Entry) -> &str {
        self.str(e.code)
    }
    pub(crate) fn title(&self, e: &Entry) -> &str {
        self.str(e.title)
    }
    pub(crate) fn term_count(&self) -> usize {
        self.terms.len()
    }
    pub(crate) fn names_of(&self, e: &Entry) -> &[Name] {
        let s = e.name_start as usize;
        self.names.get(s..s + e.name_count as usize).unwrap_or(&[])
    }
    pub(crate) fn toks(&self, n: &Name) -> &[u32] {
        let s = n.tok_start as usize;
        self.toks.get(s..s + n.tok_len as usize).unwrap_or(&[])
    }
    pub(crate) fn term_text(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", |s| self.str(*s))
    }

    /// The id of a term (an analysed word).
    pub(crate) fn term_id(&self, term: &str) -> Option<u32> {
        self.terms
            .binary_search_by(|s| self.str(*s).cmp(term))
            .ok()
            .map(|i| i as u32)
    }

    /// The term of a surface word, if the word occurs in the code set.
    pub(crate) fn surface(&self, word: &str) -> Option<u32> {
        self.surfaces
            .binary_search_by(|(s, _)| self.str(*s).cmp(word))
            .ok()
            .map(|i| self.surfaces[i].1)
    }

    /// Surface words starting with `prefix`, as (word, term).
    pub(crate) fn surfaces_with_prefix(&self, prefix: &str) -> impl Iterator<Item = (&str, u32)> {
        let start = self
            .surfaces
            .partition_point(|(s, _)| self.str(*s) < prefix);
        self.surfaces[start..]
            .iter()
            .map(|(s, t)| (self.str(*s), *t))
            .take_while(move |(s, _)| s.starts_with(prefix))
    }

    pub(crate) fn compound(&self, word: &str) -> Option<&[u32]> {
        self.compounds
            .binary_search_by(|(s, _)| self.str(*s).cmp(word))
            .ok()
            .map(|i| self.compounds[i].1.as_slice())
    }

    /// Entries of `system` whose undotted code starts with `prefix`, as an index range.
    pub(crate) fn code_range(&self, system: CodeSystem, prefix: &str) -> std::ops::Range<usize> {
        let key = system_code(system);
        let lo = self
            .entries
            .partition_point(|e| (system_code(e.system), self.code(e)) < (key, prefix));
        // Codes are upper-case letters and digits, all below '~'.
        let end = format!("{prefix}~");
        let hi = self
            .entries
            .partition_point(|e| (system_code(e.system), self.code(e)) < (key, end.as_str()));
        lo..hi
    }

    /// Builds the table from code-set entries (only `EntryKind::Code` entries are kept).
    pub(crate) fn build(entries: &[CodeEntry]) -> Result<Table> {
        let mut codes: Vec<(&CodeEntry, String)> = entries
            .iter()
            .filter(|e| e.kind == EntryKind::Code)
            .map(|e| (e, undotted(&e.code)))
            .collect();
        codes.sort_by(|a, b| (system_code(a.0.system), &a.1).cmp(&(system_code(b.0.system), &b.1)));
        codes.dedup_by(|a, b| a.0.system == b.0.system && a.1 == b.1);
        let index: HashMap<(CodeSystem, &str), u32> = codes
            .iter()
            .enumerate()
            .map(|(i, (e, c))| ((e.system, c.as_str()), i as u32))
            .collect();

        let mut b = Builder::default();
        let mut analyzer = Analyzer::new();
        let mut out = Vec::with_capacity(codes.len());
        for (e, code) in &codes {
            let parent = e
                .parent
                .as_deref()
                .and_then(|p| index.get(&(e.system, undotted(p).as_str())).copied())
                .unwrap_or(NONE);
            let code_span = b.push_str(code);
            let title_span = b.push_str(&e.title);
            let name_start = b.names.len() as u32;
            let parent_title = (parent != NONE).then(|| codes[parent as usize].0.title.as_str());
            let seventh_meaning = match parent_title {
                Some(pt)
                    if e.system == CodeSystem::Icd10Cm
                        && code.len() == 7
                        && codes[parent as usize].1.len() < 7 =>
                {
                    e.title.strip_prefix(pt).and_then(|r| r.strip_prefix(", "))
                }
                _ => None,
            };
            let seventh = if seventh_meaning.is_some() {
                code.as_bytes().last().copied().unwrap_or(0)
            } else {
                0
            };
            if let Some(meaning) = seventh_meaning {
                b.add_name(&mut analyzer, meaning, NAME_SEVENTH, false);
            } else {
                b.add_name(&mut analyzer, &e.title, NAME_TITLE, false);
                for t in e.notes.inclusion_terms.iter().chain(&e.notes.includes) {
                    let nos = t.trim_end().ends_with("NOS");
                    b.add_name(&mut analyzer, t, NAME_INCL, nos);
                }
            }
            let name_count = u16::try_from(b.names.len() - name_start as usize)
                .with_context(|| format!("code {code} has too many inclusion terms"))?;
            out.push(Entry {
                system: e.system,
                code: code_span,
                title: title_span,
                billable: e.billable,
                parent,
                seventh,
                ext_count: 0,
                name_start,
                name_count,
            });
        }
        for i in 0..out.len() {
            if out[i].seventh != 0 && out[i].parent != NONE {
                let p = out[i].parent as usize;
                out[p].ext_count = out[p].ext_count.saturating_add(1);
            }
        }
        b.finish(out)
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.buf.extend_from_slice(MAGIC);
        w.bytes(self.arena.as_bytes());
        let spans = |w: &mut Writer, s: &Span| {
            w.u32(s.off);
            w.u32(s.len);
        };
        w.u32(self.terms.len() as u32);
        for s in &self.terms {
            spans(&mut w, s);
        }
        w.u32s(&self.df);
        w.u32(self.surfaces.len() as u32);
        for (s, t) in &self.surfaces {
            spans(&mut w, s);
            w.u32(*t);
        }
        w.u32(self.compounds.len() as u32);
        for (s, ids) in &self.compounds {
            spans(&mut w, s);
            w.u32s(ids);
        }
        w.u32(self.entries.len() as u32);
        for e in &self.entries {
            w.u8(system_code(e.system));
            spans(&mut w, &e.code);
            spans(&mut w, &e.title);
            w.u8(u8::from(e.billable));
            w.u32(e.parent);
            w.u8(e.seventh);
            w.u8(e.ext_count);
            w.u32(e.name_start);
            w.u16(e.name_count);
        }
        w.u32(self.names.len() as u32);
        for n in &self.names {
            w.u32(n.tok_start);
            w.u16(n.tok_len);
            w.u8(n.kind);
            w.u8(u8::from(n.nos));
            spans(&mut w, &n.text);
        }
        w.u32s(&self.toks);
        w.buf
    }

    pub(crate) fn from_bytes(data: &[u8]) -> Result<Table> {
        if data.get(..4) != Some(MAGIC.as_slice()) {
            bail!("not a chartdesk code table (bad magic); rebuild the index");
        }
        let mut r = Reader::new(&data[4..]);
        let arena = String::from_utf8(r.bytes()?.to_vec())
            .context("code table strings are not UTF-8; rebuild the index")?;
        let span = |r: &mut Reader| -> Result<Span> {
            let s = Span {
                off: r.u32()?,
                len: r.u32()?,
            };
            if (s.off as usize).saturating_add(s.len as usize) > arena.len() {
                bail!("code table string out of range; rebuild the index");
            }
            Ok(s)
        };
        let n = r.u32()? as usize;
        let terms = (0..n).map(|_| span(&mut r)).collect::<Result<Vec<_>>>()?;
        let df = r.u32s()?;
        let n = r.u32()? as usize;
        let surfaces = (0..n)
            .map(|_| Ok((span(&mut r)?, r.u32()?)))
            .collect::<Result<Vec<_>>>()?;
        let n = r.u32()? as usize;
        let compounds = (0..n)
            .map(|_| Ok((span(&mut r)?, r.u32s()?)))
            .collect::<Result<Vec<_>>>()?;
        let n = r.u32()? as usize;
        let entries = (0..n)
            .map(|_| {
                Ok(Entry {
                    system: system_from(r.u8()?)?,
                    code: span(&mut r)?,
                    title: span(&mut r)?,
                    billable: r.u8()? != 0,
                    parent: r.u32()?,
                    seventh: r.u8()?,
                    ext_count: r.u8()?,
                    name_start: r.u32()?,
                    name_count: r.u16()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let n = r.u32()? as usize;
        let names = (0..n)
            .map(|_| {
                Ok(Name {
                    tok_start: r.u32()?,
                    tok_len: r.u16()?,
                    kind: r.u8()?,
                    nos: r.u8()? != 0,
                    text: span(&mut r)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let toks = r.u32s()?;
        if !r.done() {
            bail!("code table has trailing bytes; rebuild the index");
        }
        let t = Table {
            arena,
            entries,
            names,
            toks,
            terms,
            df,
            surfaces,
            compounds,
        };
        t.validate()?;
        Ok(t)
    }

    /// Cross-references must stay in range so that lookups never go out of bounds.
    fn validate(&self) -> Result<()> {
        let nt = self.terms.len() as u32;
        if self.df.len() != self.terms.len() {
            bail!("code table term counts disagree; rebuild the index");
        }
        if self.toks.iter().any(|t| t >> 8 >= nt)
            || self.surfaces.iter().any(|(_, t)| *t >= nt)
            || self
                .compounds
                .iter()
                .any(|(_, ids)| ids.iter().any(|t| *t >= nt))
        {
            bail!("code table refers to an unknown term; rebuild the index");
        }
        let ne = self.entries.len() as u32;
        for e in &self.entries {
            if (e.parent != NONE && e.parent >= ne)
                || e.name_start as usize + e.name_count as usize > self.names.len()
            {
                bail!(
                    "code table entry {} is out of range; rebuild the index",
                    self.code(e)
                );
            }
        }
        for n in &self.names {
            if n.tok_start as usize + n.tok_len as usize > self.toks.len() {
                bail!("code table name is out of range; rebuild the index");
            }
        }
        Ok(())
    }
}

/// Collects strings, terms and names while building.
#[derive(Default)]
struct Builder {
    arena: String,
    term_tmp: HashMap<String, u32>,
    term_texts: Vec<String>,
    surfaces: HashMap<String, u32>,
    compounds: HashMap<String, Vec<u32>>,
    names: Vec<Name>,
    toks: Vec<u32>,
}

impl Builder {
    fn push_str(&mut self, s: &str) -> Span {
        let off = self.arena.len() as u32;
        self.arena.push_str(s);
        Span {
            off,
            len: s.len() as u32,
        }
    }

    fn term(&mut self, t: String) -> u32 {
        if let Some(&id) = self.term_tmp.get(&t) {
            return id;
        }
        let id = self.term_texts.len() as u32;
        self.term_texts.push(t.clone());
        self.term_tmp.insert(t, id);
        id
    }

    fn add_name(&mut self, analyzer: &mut Analyzer, text: &str, kind: u8, nos: bool) {
        let words = split_words(text);
        let tok_start = self.toks.len() as u32;
        let mut run: Vec<(String, u32)> = Vec::new();
        for w in words.iter().take(u16::MAX as usize) {
            let id = self.term(analyzer.term(&w.text));
            if !self.surfaces.contains_key(&w.text) {
                self.surfaces.insert(w.text.clone(), id);
            }
            if !w.joined {
                self.flush_compound(&mut run);
            }
            run.push((w.text.clone(), id));
            self.toks.push(id << 8 | u32::from(w.flags));
        }
        self.flush_compound(&mut run);
        let text_span = if kind == NAME_INCL {
            self.push_str(text)
        } else {
            Span::default()
        };
        self.names.push(Name {
            tok_start,
            tok_len: (self.toks.len() as u32 - tok_start) as u16,
            kind,
            nos,
            text: text_span,
        });
    }

    fn flush_compound(&mut self, run: &mut Vec<(String, u32)>) {
        if run.len() > 1 {
            let joined: String = run.iter().map(|(s, _)| s.as_str()).collect();
            let ids: Vec<u32> = run.iter().map(|(_, t)| *t).collect();
            self.compounds.entry(joined).or_insert(ids);
        }
        run.clear();
    }

    fn finish(mut self, entries: Vec<Entry>) -> Result<Table> {
        // Renumber terms in text order so that lookups can binary-search.
        let mut order: Vec<u32> = (0..self.term_texts.len() as u32).collect();
        order.sort_by(|a, b| self.term_texts[*a as usize].cmp(&self.term_texts[*b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, old) in order.iter().enumerate() {
            remap[*old as usize] = new as u32;
        }
        if order.len() >= 1 << 24 {
            bail!("too many distinct words in the code set ({})", order.len());
        }
        for t in &mut self.toks {
            *t = remap[(*t >> 8) as usize] << 8 | (*t & 0xff);
        }
        let terms: Vec<Span> = order
            .iter()
            .map(|&old| {
                let s = std::mem::take(&mut self.term_texts[old as usize]);
                self.push_str(&s)
            })
            .collect();
        let mut surfaces: Vec<(String, u32)> = std::mem::take(&mut self.surfaces)
            .into_iter()
            .map(|(s, t)| (s, remap[t as usize]))
            .collect();
        surfaces.sort();
        let surfaces = surfaces
            .into_iter()
            .map(|(s, t)| (self.push_str(&s), t))
            .collect();
        let mut compounds: Vec<(String, Vec<u32>)> = std::mem::take(&mut self.compounds)
            .into_iter()
            .map(|(s, ids)| (s, ids.into_iter().map(|t| remap[t as usize]).collect()))
            .collect();
        compounds.sort();
        let compounds = compounds
            .into_iter()
            .map(|(s, ids)| (self.push_str(&s), ids))
            .collect();
        let mut df = vec![0u32; terms.len()];
        let mut seen: Vec<u32> = Vec::new();
        for e in &entries {
            seen.clear();
            let names =
                &self.names[e.name_start as usize..(e.name_start as usize + e.name_count as usize)];
            for n in names {
                let s = n.tok_start as usize;
                seen.extend(self.toks[s..s + n.tok_len as usize].iter().map(|t| t >> 8));
            }
            seen.sort_unstable();
            seen.dedup();
            for t in &seen {
                df[*t as usize] += 1;
            }
        }
        Ok(Table {
            arena: self.arena,
            entries,
            names: self.names,
            toks: self.toks,
            terms,
            df,
            surfaces,
            compounds,
        })
    }
}
