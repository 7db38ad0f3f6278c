//! Reading FHIR resources one at a time: NDJSON (bulk export: one resource per line) and JSON files
//! holding a Bundle (entries streamed, never the whole Bundle in memory) or a single resource.
use crate::notes::record::{Location, RecordError};
use crate::notes::source::{self, Line, Lines, Source};
use anyhow::{Context, Result, anyhow};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;
use std::path::Path;

/// One resource, or a record that could not be read as one.
pub enum Item {
    Resource {
        location: Location,
        value: Value,
        /// The Bundle entry's fullUrl, if any (references in a Bundle may use it).
        full_url: Option<String>,
    },
    Bad(RecordError),
}

/// `.ndjson` (or `.ndjson.gz`) is read line by line; anything else as one JSON document.
fn is_ndjson(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".ndjson") || name.ends_with(".jsonl")
}

/// Calls `f` with every resource of the file; `progress` gets (bytes read, bytes in the file).
/// With `only`, NDJSON lines whose resourceType is plainly another one are skipped unparsed (and
/// unreadable lines are not reported: the pass without `only` reports them).
pub fn for_each(
    path: &Path,
    only: Option<&[&str]>,
    progress: &mut dyn FnMut(u64, u64),
    f: &mut dyn FnMut(Item) -> Result<()>,
) -> Result<()> {
    if is_ndjson(path) {
        ndjson(path, only, progress, f)
    } else {
        document(path, progress, f)
    }
}

/// The resourceType of a one-line resource, read without parsing the line (None if not plain).
fn sniff_type(line: &str) -> Option<&str> {
    let at = line.find("\"resourceType\"")?;
    let rest = line[at + 14..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    rest.find('"').map(|end| &rest[..end])
}

fn ndjson(
    path: &Path,
    only: Option<&[&str]>,
    progress: &mut dyn FnMut(u64, u64),
    f: &mut dyn FnMut(Item) -> Result<()>,
) -> Result<()> {
    let mut lines = Lines::new(Source::open(path)?);
    let name = lines.source.name.clone();
    let mut record = 0;
    loop {
        let (done, total) = (lines.source.done_bytes(), lines.source.total_bytes);
        let Some(line) = lines.next_line()? else {
            break;
        };
        let (number, text, unterminated) = match line {
            Line::Text {
                number,
                text,
                unterminated,
            } => (number, text, unterminated),
            Line::NotUtf8 { .. } if only.is_some() => continue,
            Line::NotUtf8 { number, byte } => {
                record += 1;
                let loc = Location {
                    file: name.clone(),
                    line: number,
                    record,
                };
                f(Item::Bad(RecordError::new(
                    &loc,
                    None,
                    source::not_utf8(byte),
                )))?;
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        record += 1;
        if record % 256 == 0 {
            progress(done, total);
        }
        if let Some(kinds) = only {
            match sniff_type(text) {
                Some(kind) if kinds.contains(&kind) => {}
                _ => continue,
            }
        }
        let loc = Location {
            file: name.clone(),
            line: number,
            record,
        };
        let item = match serde_json::from_str::<Value>(text) {
            Ok(v) if v.get("resourceType").and_then(Value::as_str).is_some() => Item::Resource {
                location: loc,
                value: v,
                full_url: None,
            },
            Ok(_) => Item::Bad(RecordError::new(
                &loc,
                Some("resourceType"),
                "not a FHIR resource (no resourceType)",
            )),
            Err(e) if e.is_eof() && unterminated => Item::Bad(RecordError::new(
                &loc,
                None,
                "the resource is cut short at the end of the file: is the file truncated?",
            )),
            Err(e) => Item::Bad(RecordError::new(&loc, None, format!("not JSON: {e}"))),
        };
        f(item)?;
    }
    Ok(())
}

/// A Bundle entry: only its resource and fullUrl are read.
#[cfg(test)]
mod tests {
    #[test]
    fn sniffing_the_resource_type() {
        assert_eq!(
            super::sniff_type(r#"{"resourceType":"Patient","id":"1"}"#),
            Some("Patient")
        );
        assert_eq!(
            super::sniff_type(r#"{ "id": 1, "resourceType" : "Encounter" }"#),
            Some("Encounter")
        );
        assert_eq!(super::sniff_type(r#"{"id":1}"#), None);
    }
}

#[derive(Deserialize)]
struct Entry {
    resource: Option<Value>,
    #[serde(rename = "fullUrl")]
    full_url: Option<String>,
}

/// What the callback is given, and where its own error goes (serde can only carry strings).
struct Sink<'f> {
    name: String,
    f: &'f mut dyn FnMut(Item) -> Result<()>,
    failure: &'f RefCell<Option<anyhow::Error>>,
    count: usize,
}

impl Sink<'_> {
    fn entry<E: de::Error>(&mut self, e: Entry) -> Result<(), E> {
        self.count += 1;
        let location = Location {
            file: self.name.clone(),
            line: 0,
            record: self.count,
        };
        let item = match e.resource {
            Some(v) if v.get("resourceType").and_then(Value::as_str).is_some() => Item::Resource {
                location,
                value: v,
                full_url: e.full_url,
            },
            _ => Item::Bad(RecordError::new(
                &location,
                Some("resource"),
                "the Bundle entry has no resource with a resourceType",
            )),
        };
        (self.f)(item).map_err(|err| {
            *self.failure.borrow_mut() = Some(err);
            E::custom("stopped")
        })
    }
}

struct TopVisitor<'s, 'f>(&'s mut Sink<'f>);

impl<'de> Visitor<'de> for TopVisitor<'_, '_> {
    type Value = Map<String, Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR Bundle or resource (a JSON object)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut rest = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "entry" {
                map.next_value_seed(EntriesSeed(&mut *self.0))?;
            } else {
                let v: Value = map.next_value()?;
                rest.insert(key, v);
            }
        }
        Ok(rest)
    }
}

struct EntriesSeed<'s, 'f>(&'s mut Sink<'f>);

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(EntriesVisitor(self.0))
    }
}

struct EntriesVisitor<'s, 'f>(&'s mut Sink<'f>);

impl<'de> Visitor<'de> for EntriesVisitor<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of Bundle entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(e) = seq.next_element::<Entry>()? {
            self.0.entry::<A::Error>(e)?;
        }
        Ok(())
    }
}

fn document(
    path: &Path,
    progress: &mut dyn FnMut(u64, u64),
    f: &mut dyn FnMut(Item) -> Result<()>,
) -> Result<()> {
    let src = Source::open(path)?;
    let name = src.name.clone();
    let (seen, total) = (src.seen.clone(), src.total_bytes);
    let failure = RefCell::new(None);
    let (top, entries) = {
        let mut counted = |item: Item| -> Result<()> {
            progress(seen.bytes.get(), total);
            f(item)
        };
        let mut sink = Sink {
            name: name.clone(),
            f: &mut counted,
            failure: &failure,
            count: 0,
        };
        let mut de = serde_json::Deserializer::from_reader(src.reader);
        let top = de::Deserializer::deserialize_map(&mut de, TopVisitor(&mut sink));
        let top = top.and_then(|t| de.end().map(|()| t));
        (top, sink.count)
    };
    if let Some(err) = failure.borrow_mut().take() {
        return Err(err);
    }
    let top = top.map_err(|e| {
        if e.is_eof() {
            anyhow!(
                "{name} is cut short after {entries} Bundle entries (line {}): is the file truncated?",
                e.line()
            )
        } else {
            anyhow!("{name} is not a FHIR JSON document: {e}")
        }
    })?;
    let kind = top
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("");
    if kind != "Bundle" {
        if kind.is_empty() {
            return Err(anyhow!(
                "{name} is neither a FHIR Bundle nor a resource (no resourceType)"
            ));
        }
        // A single resource in a file.
        let location = Location {
            file: name.clone(),
            line: 0,
            record: 1,
        };
        f(Item::Resource {
            location,
            value: Value::Object(top),
            full_url: None,
        })
        .with_context(|| format!("reading {name}"))?;
    }
    Ok(())
}
