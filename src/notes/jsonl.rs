//! JSON lines: one note object per line.
//!
//! `{"note_id":"N1","account":"A100","mrn":"M1","note_type":"Discharge Summary","author":"Dr. A",
//!   "written_at":"2024-03-05T14:30:00Z","text":"..."}` plus optional patient fields (`name`,
//! `birth_date`, `sex`) and encounter fields (`encounter_type`, `admit`, `discharge`, `attending`).
//! Blank lines are skipped; unknown keys are errors (they are usually typos).
use super::RecordSource;
use super::record::{self, ImportRecord, Location, RecordError};
use super::shape::Shape;
use super::source::{self, Line, Lines, Source};
use anyhow::Result;
use serde_json::{Map, Value};
use std::path::Path;

pub struct JsonlReader {
    lines: Lines,
    record: usize,
    shape: Shape,
}

impl JsonlReader {
    pub fn open(path: &Path, shape: Shape) -> Result<JsonlReader> {
        Ok(JsonlReader {
            lines: Lines::new(Source::open(path)?),
            record: 0,
            shape,
        })
    }
}

/// A JSON value as field text: strings trimmed (empty is absent), numbers as written, null absent.
pub fn value_text(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => {
            let t = s.trim();
            Ok((!t.is_empty()).then(|| t.to_string()))
        }
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(_) => Err("must be text, not true/false".into()),
        Value::Array(_) => Err("must be text, not a list".into()),
        Value::Object(_) => Err("must be text, not an object".into()),
    }
}

/// Checks a JSON object's keys and builds the record.
pub fn record_from_object(
    loc: &Location,
    obj: &Map<String, Value>,
    shape: &Shape,
) -> Result<ImportRecord, RecordError> {
    let note_id = obj
        .get("note_id")
        .and_then(|v| value_text(v).ok().flatten());
    let fail = |field: &str, reason: String| {
        let mut e = RecordError::new(loc, Some(field), reason);
        e.note_id = note_id.clone();
        e
    };
    for (k, v) in obj {
        if !record::FIELDS.contains(&k.as_str()) {
            return Err(fail(
                k,
                format!(
                    "unknown field '{k}'; fields are: {}",
                    record::FIELDS.join(", ")
                ),
            ));
        }
        if let Err(m) = value_text(v) {
            return Err(fail(k, m));
        }
    }
    let raw = |f: &str| obj.get(f).and_then(|v| value_text(v).ok().flatten());
    record::build(loc, |f| shape.value(f, &raw))
}

impl RecordSource for JsonlReader {
    fn next_record(&mut self) -> Result<Option<Result<ImportRecord, RecordError>>> {
        let name = self.lines.source.name.clone();
        loop {
            let Some(line) = self.lines.next_line()? else {
                return Ok(None);
            };
            let (number, text, unterminated) = match line {
                Line::Text {
                    number,
                    text,
                    unterminated,
                } => (number, text, unterminated),
                Line::NotUtf8 { number, byte } => {
                    self.record += 1;
                    let loc = Location {
                        file: name,
                        line: number,
                        record: self.record,
                    };
                    return Ok(Some(Err(RecordError::new(
                        &loc,
                        None,
                        source::not_utf8(byte),
                    ))));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            self.record += 1;
            let loc = Location {
                file: name,
                line: number,
                record: self.record,
            };
            let obj: Map<String, Value> = match serde_json::from_str(text) {
                Ok(o) => o,
                Err(e) if e.is_eof() && unterminated => {
                    return Ok(Some(Err(RecordError::new(
                        &loc,
                        None,
                        "the record is cut short at the end of the file: is the file truncated?",
                    ))));
                }
                Err(e) => {
                    return Ok(Some(Err(RecordError::new(
                        &loc,
                        None,
                        format!("not a JSON object on one line: {e}"),
                    ))));
                }
            };
            return Ok(Some(record_from_object(&loc, &obj, &self.shape)));
        }
    }

    fn progress(&self) -> (u64, u64) {
        (
            self.lines.source.done_bytes(),
            self.lines.source.total_bytes,
        )
    }
}
