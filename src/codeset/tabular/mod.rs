//! Streaming reader for the CDC ICD-10-CM Tabular List XML (`icd10cm-tabular-*.xml`): chapters,
//! sections, every `diag` with its instructional notes, and the billable codes that 7th characters
//! make.
use std::collections::HashSet;
use std::io::BufRead;

mod elements;

use anyhow::{Context, Result, anyhow, bail};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::CodeSetRelease;
use super::lines::LineCounter;
use super::seventh::{Exclusion, extend, extended_title, parse_exclusion};
use super::validate::{check_cm, squash_spaces};
use crate::domain::code::dotted_cm;
use crate::domain::{CodeEntry, CodeSystem, EntryKind, TabularNotes};
use elements::{Placement, ROOT, Tag, classify};

/// An open chapter, section or diag.
struct Frame {
    /// Index of its entry in the release.
    index: usize,
    kind: EntryKind,
    /// Byte offset of its start tag, for errors about it.
    start: u64,
    has_child: bool,
    /// It defines 7th characters itself (they are in its entry's notes).
    defines_seventh: bool,
    /// Written exceptions to 7th characters found in its notes.
    exclusions: Vec<Exclusion>,
}

struct Parser<R: BufRead> {
    xml: Reader<LineCounter<R>>,
    source: String,
    entries: Vec<CodeEntry>,
    tags: Vec<Tag>,
    frames: Vec<Frame>,
    /// Depth inside an element being skipped (0 when not skipping).
    skip: usize,
    text: String,
    /// The `char` of the `<extension>` being read.
    extension: char,
    version: Option<String>,
    saw_root: bool,
}

/// Parses a CDC tabular XML release. `version` overrides the file's `<version>` element;
/// `fallback` is used when the file has none.
pub fn parse<R: BufRead>(
    reader: R,
    source: &str,
    version: Option<&str>,
    fallback: Option<&str>,
) -> Result<CodeSetRelease> {
    let mut xml = Reader::from_reader(LineCounter::new(reader));
    let config = xml.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    let mut parser = Parser {
        xml,
        source: source.to_string(),
        entries: Vec::with_capacity(130_000),
        tags: Vec::new(),
        frames: Vec::new(),
        skip: 0,
        text: String::new(),
        extension: 'A',
        version: None,
        saw_root: false,
    };
    parser.run()?;
    let version = match version {
        Some(v) => v.to_string(),
        None => fiscal_year(parser.version.as_deref())
            .or_else(|| fallback.map(str::to_string))
            .ok_or_else(|| {
                anyhow!(
                    "{}: the file has no usable <version> element (found {:?}); pass the release \
                 version explicitly (e.g. FY2026)",
                    parser.source,
                    parser.version
                )
            })?,
    };
    Ok(CodeSetRelease {
        system: CodeSystem::Icd10Cm,
        version,
        source: parser.source,
        entries: parser.entries,
    })
}

/// "2026" → "FY2026"; "FY2026" stays.
fn fiscal_year(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let digits = raw.strip_prefix("FY").unwrap_or(raw);
    (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| format!("FY{digits}"))
}

impl<R: BufRead> Parser<R> {
    fn at(&self, pos: u64) -> String {
        format!("{} ({})", self.source, self.xml.get_ref().describe(pos))
    }

    fn here(&self) -> String {
        self.at(self.xml.buffer_position())
    }

    fn run(&mut self) -> Result<()> {
        let mut buf = Vec::with_capacity(4096);
        loop {
            buf.clear();
            let event = match self.xml.read_event_into(&mut buf) {
                Ok(event) => event,
                Err(err) => {
                    let pos = self.xml.error_position();
                    bail!(
                        "{}: malformed XML: {err}; the file may be truncated or not a CDC tabular \
                         XML release",
                        self.at(pos)
                    );
                }
            };
            match event {
                Event::Start(e) => self.start(&e)?,
                Event::End(_) => self.end()?,
                Event::Text(t) => {
                    if self.collecting() {
                        self.text.push_str(&t.xml10_content());
                    }
                }
                Event::CData(t) => {
                    if self.collecting() {
                        self.text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    if self.collecting() {
                        if let Some(c) = r.resolve_char_ref().ok().flatten() {
                            self.text.push(c);
                        } else if let Some(s) = resolve_predefined_entity(&r) {
                            self.text.push_str(s);
                        } else {
                            bail!("{}: unknown entity '&{};'", self.here(), &*r);
                        }
                    }
                }
                Event::Eof => break,
                Event::Empty(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_) => {}
            }
        }
        if let Some(frame) = self.frames.last() {
            bail!(
                "{}: the file ends inside the {} that starts at {}; it is probably truncated",
                self.here(),
                frame.kind.as_str(),
                self.xml.get_ref().describe(frame.start)
            );
        }
        if !self.saw_root {
            bail!(
                "{}: no <{ROOT}> element found; this is not a CDC ICD-10-CM tabular XML file",
                self.source
            );
        }
        if !self.entries.iter().any(|e| e.kind == EntryKind::Code) {
            bail!("{}: the tabular list holds no <diag> entries", self.source);
        }
        let mut seen = HashSet::with_capacity(self.entries.len());
        for entry in &self.entries {
            if !seen.insert((entry.kind, entry.code.as_str())) {
                bail!(
                    "{}: {} {} appears twice; the file is corrupt or two releases were joined",
                    self.source,
                    entry.kind.as_str(),
                    entry.code
                );
            }
        }
        Ok(())
    }

    fn collecting(&self) -> bool {
        self.skip == 0 && self.tags.last().is_some_and(|t| t.holds_text())
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<()> {
        if self.skip > 0 {
            self.skip += 1;
            return Ok(());
        }
        let name = e.local_name();
        let name = name.as_ref();
        let parent = self.tags.last().copied();
        let tag = match classify(parent, name) {
            Placement::Known(tag) => tag,
            Placement::Skip => {
                self.skip = 1;
                return Ok(());
            }
            Placement::Misplaced if parent.is_none() => bail!(
                "{}: the root element is <{name}>, expected <{ROOT}>; this is not a CDC \
                 ICD-10-CM tabular XML file",
                self.here()
            ),
            Placement::Misplaced => bail!(
                "{}: <{name}> is not allowed inside <{}>; the file is not laid out as a CDC \
                 tabular XML release",
                self.here(),
                self.open_element_name()
            ),
        };
        match tag {
            Tag::Root => self.saw_root = true,
            Tag::Chapter => self.open(EntryKind::Chapter, String::new(), None),
            Tag::Section => {
                let id = self.section_id(e)?;
                let chapter = self.parent_code("section")?;
                self.open(EntryKind::Section, id, Some(chapter));
            }
            Tag::Diag => {
                let parent = self.parent_code("diag")?;
                self.open(EntryKind::Code, String::new(), Some(parent));
            }
            Tag::SevenDef => {
                if let Some(frame) = self.frames.last_mut() {
                    frame.defines_seventh = true;
                }
            }
            Tag::Extension => self.extension = self.extension_char(e)?,
            _ => {}
        }
        if tag.holds_text() {
            self.text.clear();
        }
        self.tags.push(tag);
        Ok(())
    }

    /// The XML name of the innermost open element the reader acts on, for messages.
    fn open_element_name(&self) -> &'static str {
        match self.tags.last() {
            Some(Tag::Root) => ROOT,
            Some(Tag::Chapter) => "chapter",
            Some(Tag::Section) => "section",
            Some(Tag::Diag) => "diag",
            Some(Tag::SevenDef) => "sevenChrDef",
            Some(Tag::Group(_)) => "a note list",
            Some(_) => "a text element",
            None => "the document",
        }
    }

    fn open(&mut self, kind: EntryKind, code: String, parent: Option<String>) {
        if let Some(up) = self.frames.last_mut() {
            up.has_child = true;
        }
        self.frames.push(Frame {
            index: self.entries.len(),
            kind,
            start: self.xml.buffer_position(),
            has_child: false,
            defines_seventh: false,
            exclusions: Vec::new(),
        });
        self.entries.push(CodeEntry {
            system: CodeSystem::Icd10Cm,
            kind,
            code,
            title: String::new(),
            billable: false,
            parent,
            notes: TabularNotes::default(),
        });
    }

    fn section_id(&self, e: &BytesStart<'_>) -> Result<String> {
        let attr = e
            .try_get_attribute("id")
            .with_context(|| format!("{}: bad attributes on <section>", self.here()))?
            .ok_or_else(|| anyhow!("{}: <section> has no id attribute", self.here()))?;
        let id = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .with_context(|| format!("{}: bad id attribute on <section>", self.here()))?;
        let id = id.trim().to_string();
        if id.is_empty() {
            bail!("{}: <section> has an empty id attribute", self.here());
        }
        // A one-category block ("B10") is written as a range ("B10-B10") so that a section id
        // never equals a code: entries are keyed by code alone.
        Ok(if id.contains('-') {
            id
        } else {
            format!("{id}-{id}")
        })
    }

    fn extension_char(&self, e: &BytesStart<'_>) -> Result<char> {
        let attr = e
            .try_get_attribute("char")
            .with_context(|| format!("{}: bad attributes on <extension>", self.here()))?
            .ok_or_else(|| anyhow!("{}: <extension> has no char attribute", self.here()))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .with_context(|| format!("{}: bad char attribute on <extension>", self.here()))?;
        let mut chars = value.trim().chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_uppercase() || c.is_ascii_digit() => Ok(c),
            _ => bail!(
                "{}: <extension char=\"{value}\"> must name one upper-case letter or digit",
                self.here()
            ),
        }
    }

    /// The code of the entry a new `what` element sits under; it must have been named already.
    fn parent_code(&self, what: &str) -> Result<String> {
        let frame = self
            .frames
            .last()
            .ok_or_else(|| anyhow!("{}: <{what}> outside any chapter", self.here()))?;
        let code = &self.entries[frame.index].code;
        if code.is_empty() {
            bail!(
                "{}: <{what}> appears before the <name> of the {} that holds it",
                self.here(),
                frame.kind.as_str()
            );
        }
        Ok(code.clone())
    }

    fn end(&mut self) -> Result<()> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        let tag = self
            .tags
            .pop()
            .ok_or_else(|| anyhow!("{}: closing tag without an opening tag", self.here()))?;
        match tag {
            Tag::Root | Tag::Group(_) | Tag::SevenDef => {}
            Tag::Version => self.version = Some(squash_spaces(&self.text)),
            Tag::Chapter | Tag::Section => self.close_plain()?,
            Tag::Diag => self.close_diag()?,
            Tag::Name => self.set_name()?,
            Tag::Desc => {
                let title = squash_spaces(&self.text);
                let index = self.owner_index()?;
                self.entries[index].title = title;
            }
            Tag::Note => self.add_note()?,
            Tag::Extension => {
                let c = self.extension;
                let meaning = squash_spaces(&self.text);
                let index = self.owner_index()?;
                self.entries[index]
                    .notes
                    .seventh_characters
                    .push((c, meaning));
            }
        }
        Ok(())
    }

    fn owner_index(&self) -> Result<usize> {
        self.frames
            .last()
            .map(|f| f.index)
            .ok_or_else(|| anyhow!("{}: element outside any chapter", self.here()))
    }

    fn set_name(&mut self) -> Result<()> {
        let raw = squash_spaces(&self.text);
        let index = self.owner_index()?;
        let entry = &self.entries[index];
        let code = if entry.kind == EntryKind::Code {
            let bare: String = raw.chars().filter(|c| *c != '.').collect();
            check_cm(&bare).map_err(|why| anyhow!("{}: bad <diag> name: {why}", self.here()))?;
            let dotted = dotted_cm(&bare);
            if raw != dotted {
                bail!(
                    "{}: <diag> name '{raw}' is not written as '{dotted}' (dot after the 3rd character)",
                    self.here()
                );
            }
            if let Some(parent) = entry.parent.as_deref()
                && self.frames.len() >= 2
                && self.frames[self.frames.len() - 2].kind == EntryKind::Code
                && !dotted.starts_with(parent)
            {
                bail!(
                    "{}: <diag> {dotted} is nested under {parent} but does not extend that code",
                    self.here()
                );
            }
            dotted
        } else {
            if raw.is_empty() {
                bail!("{}: empty chapter <name>", self.here());
            }
            raw
        };
        self.entries[index].code = code;
        Ok(())
    }

    fn add_note(&mut self) -> Result<()> {
        let note = squash_spaces(&self.text);
        if note.is_empty() {
            return Ok(());
        }
        let index = self.owner_index()?;
        match self.tags.last().copied() {
            Some(Tag::Group(group)) => {
                if let Some(rule) = parse_exclusion(&note)
                    && let Some(frame) = self.frames.last_mut()
                {
                    frame.exclusions.push(rule);
                }
                group.list(&mut self.entries[index].notes).push(note);
            }
            Some(Tag::SevenDef) => {
                // A note inside sevenChrDef gives another wording of the extension above it.
                let notes = &mut self.entries[index].notes;
                let line = match notes.seventh_characters.last() {
                    Some((c, _)) => format!("7th character {c} includes: {note}"),
                    None => note,
                };
                notes.notes.push(line);
            }
            _ => {}
        }
        Ok(())
    }

    fn close_plain(&mut self) -> Result<()> {
        let frame = self
            .frames
            .pop()
            .ok_or_else(|| anyhow!("{}: unbalanced chapter or section", self.here()))?;
        let entry = &self.entries[frame.index];
        if entry.code.is_empty() || entry.title.is_empty() {
            bail!(
                "{}: the {} is missing its {}",
                self.at(frame.start),
                frame.kind.as_str(),
                if entry.code.is_empty() {
                    "name"
                } else {
                    "desc"
                }
            );
        }
        Ok(())
    }

    fn close_diag(&mut self) -> Result<()> {
        let frame = self
            .frames
            .pop()
            .ok_or_else(|| anyhow!("{}: unbalanced <diag>", self.here()))?;
        let (code, title) = {
            let entry = &self.entries[frame.index];
            (entry.code.clone(), entry.title.clone())
        };
        if code.is_empty() || title.is_empty() {
            bail!(
                "{}: <diag> {} is missing its {}",
                self.at(frame.start),
                code,
                if code.is_empty() { "<name>" } else { "<desc>" }
            );
        }
        // The 7th characters that apply: its own, else those of the nearest ancestor defining any.
        let definer = if frame.defines_seventh {
            Some(frame.index)
        } else {
            self.frames
                .iter()
                .rev()
                .find(|f| f.defines_seventh)
                .map(|f| f.index)
        };
        if frame.has_child {
            return Ok(());
        }
        let Some(definer) = definer else {
            self.entries[frame.index].billable = true;
            return Ok(());
        };
        let sevenths = self.entries[definer].notes.seventh_characters.clone();
        if sevenths.is_empty() {
            bail!(
                "{}: the <sevenChrDef> that applies to {code} lists no <extension>",
                self.at(frame.start)
            );
        }
        for (c, meaning) in sevenths {
            let forbidden = self
                .frames
                .iter()
                .chain(std::iter::once(&frame))
                .flat_map(|f| f.exclusions.iter())
                .any(|rule| rule.forbids(&code, c));
            if forbidden {
                continue;
            }
            let full = extend(&code, c).ok_or_else(|| {
                anyhow!(
                    "{}: {code} already has 7 characters, yet a 7th character applies to it",
                    self.at(frame.start)
                )
            })?;
            self.entries.push(CodeEntry {
                system: CodeSystem::Icd10Cm,
                kind: EntryKind::Code,
                code: full,
                title: extended_title(&title, &meaning),
                billable: true,
                parent: Some(code.clone()),
                notes: TabularNotes::default(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_years() {
        assert_eq!(fiscal_year(Some("2026")).as_deref(), Some("FY2026"));
        assert_eq!(fiscal_year(Some(" FY2025 ")).as_deref(), Some("FY2025"));
        assert_eq!(fiscal_year(Some("April 2026")), None);
        assert_eq!(fiscal_year(None), None);
    }
}
