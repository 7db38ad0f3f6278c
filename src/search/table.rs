//! The compact code table: codes, titles, hierarchy and pre-analysed names, read in place.
//!
//! The tantivy index only finds candidates; ranking needs every candidate's title, inclusion terms,
//! ancestors and 7th-character meanings as term ids. Analysing them per query would be too slow, so
//! `build` analyses once and writes this table next to the index. The file is a header of section
//! offsets followed by fixed-stride `u32` records and a string arena; `open` maps it (through
//! tantivy's `MmapDirectory`, a safe API over `memmap2`) and reads records where they lie, so opening
//! costs a few system calls, nothing is copied into the process and the page cache shares the table
//! between every session on the host. Every read is bounds-checked: a damaged file gives empty
//! answers, never a panic; `verify` compares the whole file with the checksum written at build.
use super::analyze::{Analyzer, split_words};
use crate::domain::code::undotted;
use crate::domain::{CodeEntry, CodeSystem, EntryKind};
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::path::Path;
use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};

pub(crate) const NONE: u32 = u32::MAX;
/// "CDT2" as a native-endian word; with `ENDIAN` it rejects a file from another kind of machine.
const MAGIC: u32 = u32::from_le_bytes(*b"CDT2");
const ENDIAN: u32 = 0x0102_0304;
const FORMAT: u32 = 2;

/// Sections, in file order; each is (start word, length) in the header. The arena's length is in
/// bytes, the others' in words.
const S_ARENA: usize = 0;
const S_TERMS: usize = 1;
const S_DF: usize = 2;
const S_SURFACES: usize = 3;
const S_COMPOUNDS: usize = 4;
const S_COMPOUND_IDS: usize = 5;
const S_ENTRIES: usize = 6;
const S_NAMES: usize = 7;
const S_TOKS: usize = 8;
const SECTIONS: usize = 9;
const HEADER_WORDS: usize = 4 + 2 * SECTIONS;
/// Words per record: term (off, len); surface (off, len, term); compound (off, len, ids start, ids
/// len); entry (code off, len, title off, len, parent, name start, name count, packed system |
/// billable << 8 | seventh << 16 | ext count << 24); name (tok start, text off, len, packed tok len |
/// kind << 16 | nos << 24).
const W_TERM: usize = 2;
const W_SURFACE: usize = 3;
const W_COMPOUND: usize = 4;
const W_ENTRY: usize = 8;
const W_NAME: usize = 4;

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
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Name {
    pub tok_start: u32,
    pub tok_len: u16,
    pub kind: u8,
    /// An inclusion term ending in "NOS": the code is the default for that wording.
    pub nos: bool,
    pub text: Span,
}

/// One code, decoded from its record.
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

impl Default for Entry {
    fn default() -> Self {
        Entry {
            system: CodeSystem::Icd10Cm,
            code: Span::default(),
            title: Span::default(),
            billable: false,
            parent: NONE,
            seventh: 0,
            ext_count: 0,
            name_start: 0,
            name_count: 0,
        }
    }
}

/// The table's bytes: mapped from the file, or built in memory (as words, so always aligned).
enum Bytes {
    Mapped(OwnedBytes),
    Owned(Vec<u32>),
}

pub(crate) struct Table {
    bytes: Bytes,
    /// (start word, length) of each section, checked against the file's size at open.
    sections: [(usize, usize); SECTIONS],
}

fn system_code(s: CodeSystem) -> u8 {
    match s {
        CodeSystem::Icd10Cm => 0,
        CodeSystem::Icd10Pcs => 1,
        CodeSystem::Hcpcs => 2,
        CodeSystem::Cpt => 3,
    }
}

/// The system of a record; a damaged byte reads as ICD-10-CM (the table is checksummed at build and
/// by `reindex --verify`, not on every open).
fn system_from(b: u8) -> CodeSystem {
    match b {
        1 => CodeSystem::Icd10Pcs,
        2 => CodeSystem::Hcpcs,
        3 => CodeSystem::Cpt,
        _ => CodeSystem::Icd10Cm,
    }
}

fn span(w: &[u32], at: usize) -> Span {
    Span {
        off: w.get(at).copied().unwrap_or(0),
        len: w.get(at + 1).copied().unwrap_or(0),
    }
}

/// The first index in `0..n` for which `before(i)` is false (`before` must be true, then false).
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

impl Table {
    /// Maps `dir/file` and checks its header. Nothing is read beyond the header.
    pub(crate) fn open(dir: &Path, file: &str) -> Result<Table> {
        let mmap = MmapDirectory::open(dir)
            .with_context(|| format!("opening the code index directory {}", dir.display()))?;
        let bytes = mmap
            .open_read(Path::new(file))
            .with_context(|| format!("opening the code table in {}", dir.display()))?
            .read_bytes()
            .with_context(|| format!("mapping the code table in {}", dir.display()))?;
        Table::from_parts(Bytes::Mapped(bytes))
            .with_context(|| format!("code table {}", dir.join(file).display()))
    }

    /// A table over bytes in memory (tests; the bytes are copied once into aligned words).
    #[cfg(test)]
    pub(crate) fn from_bytes(data: &[u8]) -> Result<Table> {
        if !data.len().is_multiple_of(4) {
            bail!("code table size is not a multiple of 4 bytes; rebuild the index");
        }
        let words = data
            .chunks_exact(4)
            .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Table::from_parts(Bytes::Owned(words))
    }

    fn from_parts(bytes: Bytes) -> Result<Table> {
        let mut t = Table {
            bytes,
            sections: [(0, 0); SECTIONS],
        };
        let w = t.words();
        let Some(head) = w.get(..HEADER_WORDS) else {
            bail!("not a chartdesk code table (too short, or misaligned); rebuild the index");
        };
        if head[0] != MAGIC || head[1] != ENDIAN {
            bail!("not a chartdesk code table of this machine (bad magic); rebuild the index");
        }
        if head[2] != FORMAT || head[3] as usize != SECTIONS {
            bail!(
                "code table format {} is not the format {FORMAT} this chartdesk reads; rebuild the index",
                head[2]
            );
        }
        let total = w.len();
        let mut sections = [(0, 0); SECTIONS];
        for (k, s) in sections.iter_mut().enumerate() {
            let start = head[4 + 2 * k] as usize;
            let len = head[5 + 2 * k] as usize;
            let words = if k == S_ARENA { len.div_ceil(4) } else { len };
            if start < HEADER_WORDS || start.saturating_add(words) > total {
                bail!("code table section {k} lies outside the file; rebuild the index");
            }
            *s = (start, len);
        }
        let strides = [
            (S_TERMS, W_TERM),
            (S_SURFACES, W_SURFACE),
            (S_COMPOUNDS, W_COMPOUND),
            (S_ENTRIES, W_ENTRY),
            (S_NAMES, W_NAME),
        ];
        if strides
            .iter()
            .any(|&(k, n)| !sections[k].1.is_multiple_of(n))
        {
            bail!("code table records are cut short; rebuild the index");
        }
        if sections[S_DF].1 * W_TERM != sections[S_TERMS].1 {
            bail!("code table term counts disagree; rebuild the index");
        }
        t.sections = sections;
        Ok(t)
    }

    fn raw(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(b) => b.as_slice(),
            Bytes::Owned(w) => bytemuck::cast_slice(w),
        }
    }

    /// The whole file as words (a mapping is page-aligned; a misaligned one reads as empty).
    fn words(&self) -> &[u32] {
        match &self.bytes {
            Bytes::Mapped(b) => {
                let s = b.as_slice();
                let n = s.len() / 4 * 4;
                bytemuck::try_cast_slice(&s[..n]).unwrap_or(&[])
            }
            Bytes::Owned(w) => w,
        }
    }

    fn section(&self, k: usize) -> &[u32] {
        let (start, len) = self.sections[k];
        self.words().get(start..start + len).unwrap_or(&[])
    }

    fn arena(&self) -> &[u8] {
        let (start, len) = self.sections[S_ARENA];
        self.raw().get(start * 4..start * 4 + len).unwrap_or(&[])
    }

    /// The file's bytes, as written by `build` (for the file and its checksum).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.raw()
    }

    pub(crate) fn str(&self, s: Span) -> &str {
        let (off, len) = (s.off as usize, s.len as usize);
        self.arena()
            .get(off..off.saturating_add(len))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
    pub(crate) fn code(&self, e: &Entry) -> &str {
        self.str(e.code)
    }
    pub(crate) fn title(&self, e: &Entry) -> &str {
        self.str(e.title)
    }

    pub(crate) fn entry_count(&self) -> usize {
        self.section(S_ENTRIES).len() / W_ENTRY
    }

    /// Entry `i`, if there is one.
    pub(crate) fn get_entry(&self, i: usize) -> Option<Entry> {
        let r = self
            .section(S_ENTRIES)
            .get(i.checked_mul(W_ENTRY)?..)?
            .get(..W_ENTRY)?;
        let packed = r[7];
        Some(Entry {
            code: span(r, 0),
            title: span(r, 2),
            parent: r[4],
            name_start: r[5],
            name_count: u16::try_from(r[6]).unwrap_or(0),
            system: system_from(packed as u8),
            billable: (packed >> 8) as u8 != 0,
            seventh: (packed >> 16) as u8,
            ext_count: (packed >> 24) as u8,
        })
    }

    /// Entry `i` (an empty entry when out of range, which only a damaged table produces).
    pub(crate) fn entry(&self, i: usize) -> Entry {
        self.get_entry(i).unwrap_or_default()
    }

    pub(crate) fn term_count(&self) -> usize {
        self.section(S_TERMS).len() / W_TERM
    }

    /// How many entries hold term `id`.
    pub(crate) fn df(&self, id: u32) -> u32 {
        self.section(S_DF).get(id as usize).copied().unwrap_or(0)
    }

    fn name(&self, i: usize) -> Name {
        let Some(r) = self
            .section(S_NAMES)
            .get(i * W_NAME..)
            .and_then(|r| r.get(..W_NAME))
        else {
            return Name::default();
        };
        Name {
            tok_start: r[0],
            text: span(r, 1),
            tok_len: r[3] as u16,
            kind: (r[3] >> 16) as u8,
            nos: (r[3] >> 24) as u8 != 0,
        }
    }

    pub(crate) fn names_of(&self, e: &Entry) -> impl Iterator<Item = Name> + '_ {
        let s = e.name_start as usize;
        let n = self.section(S_NAMES).len() / W_NAME;
        (s.min(n)..(s + e.name_count as usize).min(n)).map(|i| self.name(i))
    }
    pub(crate) fn toks(&self, n: &Name) -> &[u32] {
        let s = n.tok_start as usize;
        self.section(S_TOKS)
            .get(s..s + n.tok_len as usize)
            .unwrap_or(&[])
    }
    fn term_span(&self, id: usize) -> Span {
        span(self.section(S_TERMS), id * W_TERM)
    }
    pub(crate) fn term_text(&self, id: u32) -> &str {
        if id as usize >= self.term_count() {
            return "";
        }
        self.str(self.term_span(id as usize))
    }

    /// The id of a term (an analysed word).
    pub(crate) fn term_id(&self, term: &str) -> Option<u32> {
        let n = self.term_count();
        let i = partition(n, |i| self.str(self.term_span(i)) < term);
        (i < n && self.str(self.term_span(i)) == term).then_some(i as u32)
    }

    fn surface_at(&self, i: usize) -> (&str, u32) {
        let s = self.section(S_SURFACES);
        let at = i * W_SURFACE;
        (
            self.str(span(s, at)),
            s.get(at + 2).copied().unwrap_or(NONE),
        )
    }

    /// The term of a surface word, if the word occurs in the code set.
    pub(crate) fn surface(&self, word: &str) -> Option<u32> {
        let n = self.section(S_SURFACES).len() / W_SURFACE;
        let i = partition(n, |i| self.surface_at(i).0 < word);
        (i < n && self.surface_at(i).0 == word).then(|| self.surface_at(i).1)
    }

    /// Surface words starting with `prefix`, as (word, term).
    pub(crate) fn surfaces_with_prefix(&self, prefix: &str) -> impl Iterator<Item = (&str, u32)> {
        let n = self.section(S_SURFACES).len() / W_SURFACE;
        let start = partition(n, |i| self.surface_at(i).0 < prefix);
        (start..n)
            .map(move |i| self.surface_at(i))
            .take_while(move |(s, _)| s.starts_with(prefix))
    }

    pub(crate) fn compound(&self, word: &str) -> Option<&[u32]> {
        let s = self.section(S_COMPOUNDS);
        let n = s.len() / W_COMPOUND;
        let text = |i: usize| self.str(span(s, i * W_COMPOUND));
        let i = partition(n, |i| text(i) < word);
        if i >= n || text(i) != word {
            return None;
        }
        let start = s[i * W_COMPOUND + 2] as usize;
        let len = s[i * W_COMPOUND + 3] as usize;
        self.section(S_COMPOUND_IDS)
            .get(start..start.saturating_add(len))
    }

    /// Entries of `system` whose undotted code starts with `prefix`, as an index range.
    pub(crate) fn code_range(&self, system: CodeSystem, prefix: &str) -> std::ops::Range<usize> {
        let key = system_code(system);
        let n = self.entry_count();
        let at = |i: usize| {
            let e = self.entry(i);
            (system_code(e.system), self.code(&e))
        };
        let lo = partition(n, |i| at(i) < (key, prefix));
        // Codes are upper-case letters and digits, all below '~'.
        let end = format!("{prefix}~");
        let hi = partition(n, |i| at(i) < (key, end.as_str()));
        lo..hi.max(lo)
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
        let mut terms: Vec<u32> = Vec::with_capacity(order.len() * W_TERM);
        for &old in &order {
            let s = std::mem::take(&mut self.term_texts[old as usize]);
            let sp = self.push_str(&s);
            terms.extend([sp.off, sp.len]);
        }
        let mut surfaces: Vec<(String, u32)> = std::mem::take(&mut self.surfaces)
            .into_iter()
            .map(|(s, t)| (s, remap[t as usize]))
            .collect();
        surfaces.sort();
        let mut surface_words = Vec::with_capacity(surfaces.len() * W_SURFACE);
        for (s, t) in surfaces {
            let sp = self.push_str(&s);
            surface_words.extend([sp.off, sp.len, t]);
        }
        let mut compounds: Vec<(String, Vec<u32>)> = std::mem::take(&mut self.compounds)
            .into_iter()
            .map(|(s, ids)| (s, ids.into_iter().map(|t| remap[t as usize]).collect()))
            .collect();
        compounds.sort();
        let mut compound_words = Vec::with_capacity(compounds.len() * W_COMPOUND);
        let mut compound_ids = Vec::new();
        for (s, ids) in compounds {
            let sp = self.push_str(&s);
            compound_words.extend([sp.off, sp.len, compound_ids.len() as u32, ids.len() as u32]);
            compound_ids.extend(ids);
        }
        let mut df = vec![0u32; order.len()];
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
        let mut entry_words = Vec::with_capacity(entries.len() * W_ENTRY);
        for e in &entries {
            let packed = u32::from(system_code(e.system))
                | u32::from(u8::from(e.billable)) << 8
                | u32::from(e.seventh) << 16
                | u32::from(e.ext_count) << 24;
            entry_words.extend([
                e.code.off,
                e.code.len,
                e.title.off,
                e.title.len,
                e.parent,
                e.name_start,
                u32::from(e.name_count),
                packed,
            ]);
        }
        let mut name_words = Vec::with_capacity(self.names.len() * W_NAME);
        for n in &self.names {
            let packed =
                u32::from(n.tok_len) | u32::from(n.kind) << 16 | u32::from(u8::from(n.nos)) << 24;
            name_words.extend([n.tok_start, n.text.off, n.text.len, packed]);
        }

        let mut w: Vec<u32> = vec![0; HEADER_WORDS];
        w[0] = MAGIC;
        w[1] = ENDIAN;
        w[2] = FORMAT;
        w[3] = SECTIONS as u32;
        let arena = self.arena.as_bytes();
        w[4 + 2 * S_ARENA] = w.len() as u32;
        w[5 + 2 * S_ARENA] =
            u32::try_from(arena.len()).context("code table strings exceed 4 GiB")?;
        w.extend(arena.chunks(4).map(|c| {
            let mut b = [0u8; 4];
            b[..c.len()].copy_from_slice(c);
            u32::from_ne_bytes(b)
        }));
        let sections: [(usize, &[u32]); SECTIONS - 1] = [
            (S_TERMS, &terms),
            (S_DF, &df),
            (S_SURFACES, &surface_words),
            (S_COMPOUNDS, &compound_words),
            (S_COMPOUND_IDS, &compound_ids),
            (S_ENTRIES, &entry_words),
            (S_NAMES, &name_words),
            (S_TOKS, &self.toks),
        ];
        for (k, data) in sections {
            w[4 + 2 * k] = w.len() as u32;
            w[5 + 2 * k] = data.len() as u32;
            w.extend_from_slice(data);
        }
        if u32::try_from(w.len()).is_err() {
            bail!("the code table would exceed 16 GiB");
        }
        Table::from_parts(Bytes::Owned(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TabularNotes;

    fn entry(code: &str, title: &str, parent: Option<&str>, incl: &[&str]) -> CodeEntry {
        CodeEntry {
            system: CodeSystem::Icd10Cm,
            code: code.into(),
            title: title.into(),
            billable: parent.is_some(),
            kind: EntryKind::Code,
            parent: parent.map(str::to_string),
            notes: TabularNotes {
                inclusion_terms: incl.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        }
    }

    fn sample() -> Vec<CodeEntry> {
        vec![
            entry("K21", "Gastro-esophageal reflux disease", None, &[]),
            entry(
                "K21.9",
                "Gastro-esophageal reflux disease without esophagitis",
                Some("K21"),
                &["Esophageal reflux NOS"],
            ),
            entry(
                "E11.9",
                "Type 2 diabetes mellitus without complications",
                Some("E11"),
                &[],
            ),
            entry("E11", "Type 2 diabetes mellitus", None, &[]),
        ]
    }

    #[test]
    fn written_table_reads_back_in_place() {
        let built = Table::build(&sample()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("t.bin"), built.as_bytes()).unwrap();
        let t = Table::open(tmp.path(), "t.bin").unwrap();
        assert_eq!(t.entry_count(), 4);
        let r = t.code_range(CodeSystem::Icd10Cm, "K21");
        assert_eq!(r.len(), 2);
        let k219 = t.entry(r.start + 1);
        assert_eq!(t.code(&k219), "K219");
        assert_eq!(t.code(&t.entry(k219.parent as usize)), "K21");
        let names: Vec<Name> = t.names_of(&k219).collect();
        assert_eq!(names.len(), 2);
        assert_eq!(names[1].kind, NAME_INCL);
        assert!(names[1].nos);
        assert_eq!(t.str(names[1].text), "Esophageal reflux NOS");
        let reflux = t.surface("reflux").unwrap();
        assert_eq!(t.term_id(t.term_text(reflux)), Some(reflux));
        assert!(t.df(reflux) >= 2);
        assert!(
            t.compound("gastroesophageal")
                .is_some_and(|ids| ids.len() == 2)
        );
        assert!(t.surfaces_with_prefix("diab").any(|(s, _)| s == "diabetes"));
        assert!(t.surface("zzz").is_none());
        assert_eq!(t.as_bytes(), built.as_bytes());
    }

    #[test]
    fn damaged_tables_are_refused_or_read_as_empty_without_panic() {
        let bytes = Table::build(&sample()).unwrap().as_bytes().to_vec();
        assert!(Table::from_bytes(&bytes[..bytes.len() - 4]).is_err());
        assert!(Table::from_bytes(&bytes[..8]).is_err());
        let mut bad = bytes.clone();
        bad[0] ^= 1;
        assert!(Table::from_bytes(&bad).is_err());
        // Records pointing anywhere: every read stays in bounds.
        let header = HEADER_WORDS * 4;
        for step in [1usize, 7, 13] {
            let mut junk = bytes.clone();
            for i in (header..junk.len()).step_by(step) {
                junk[i] = junk[i].wrapping_mul(31).wrapping_add(0xA5);
            }
            let t = Table::from_bytes(&junk).unwrap();
            for i in 0..t.entry_count() + 2 {
                let e = t.entry(i);
                let _ = (t.code(&e), t.title(&e), t.get_entry(e.parent as usize));
                for n in t.names_of(&e) {
                    let _ = (t.toks(&n), t.str(n.text));
                }
            }
            let _ = (t.surface("reflux"), t.term_id("reflux"), t.compound("x"));
            let _ = t.surfaces_with_prefix("r").count();
            let _ = t.code_range(CodeSystem::Icd10Cm, "K");
            let _ = (t.term_text(u32::MAX), t.df(u32::MAX));
        }
    }
}
