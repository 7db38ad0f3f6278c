//! CSV with a header row naming the same fields as JSON lines; `--map HEADER=field` renames columns
//! (and `--map HEADER=` ignores one). Quoted fields may span lines. Every unknown column and every
//! missing field is reported at once; `--set` (see [`super::shape`]) stands in for a missing column.
use super::RecordSource;
use super::record::{self, ImportRecord, Location, RecordError};
use super::shape::Shape;
use super::source::{Seen, Source};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::rc::Rc;

type Next = Option<Result<ImportRecord, RecordError>>;

pub struct CsvReader {
    name: String,
    total: u64,
    seen: Rc<Seen>,
    reader: csv::Reader<Box<dyn std::io::BufRead>>,
    /// Column index → field name (None: ignored column).
    columns: Vec<Option<&'static str>>,
    row: csv::ByteRecord,
    record: usize,
    ahead: Option<Next>,
    shape: Shape,
}

/// Parses `--map` arguments: `HEADER=field` (or `HEADER=` to ignore the column).
pub fn parse_map(args: &[String]) -> Result<Vec<(String, Option<&'static str>)>> {
    let mut out = Vec::new();
    for a in args {
        let Some((h, f)) = a.split_once('=') else {
            bail!("--map '{a}' should be HEADER=FIELD (or HEADER= to ignore a column)");
        };
        let f = f.trim();
        let field = if f.is_empty() {
            None
        } else {
            Some(
                record::FIELDS
                    .iter()
                    .copied()
                    .find(|x| x.eq_ignore_ascii_case(f))
                    .with_context(|| {
                        format!(
                            "--map '{a}': '{f}' is not a note field; fields are: {}",
                            record::FIELDS.join(", ")
                        )
                    })?,
            )
        };
        out.push((h.trim().to_string(), field));
    }
    Ok(out)
}

impl CsvReader {
    pub fn open(
        path: &Path,
        map: &[(String, Option<&'static str>)],
        shape: Shape,
    ) -> Result<CsvReader> {
        let src = Source::open(path)?;
        let name = src.name.clone();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(src.reader);
        let headers = reader
            .byte_headers()
            .with_context(|| format!("reading the header row of {name}"))?
            .clone();
        let mut columns = Vec::new();
        let mut unknown = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let h = std::str::from_utf8(h)
                .map_err(|_| {
                    anyhow::anyhow!(
                        "{name}: header {} is not UTF-8 text; save the file as UTF-8",
                        i + 1
                    )
                })?
                .trim();
            let field = match map.iter().find(|(m, _)| m.eq_ignore_ascii_case(h)) {
                Some((_, f)) => *f,
                None => {
                    let f = record::FIELDS
                        .iter()
                        .copied()
                        .find(|x| x.eq_ignore_ascii_case(h));
                    if f.is_none() {
                        unknown.push(super::shape::plain(h));
                    }
                    f
                }
            };
            if let Some(f) = field
                && columns.contains(&Some(f))
            {
                bail!("{name}: two columns are read as field {f}; check the header and --map");
            }
            columns.push(field);
        }
        let missing: Vec<&str> = record::REQUIRED
            .iter()
            .copied()
            .filter(|f| !columns.contains(&Some(*f)) && !shape.sets(f))
            .collect();
        if !unknown.is_empty() || !missing.is_empty() {
            bail!("{}", header_problems(&name, &unknown, &missing));
        }
        Ok(CsvReader {
            name,
            total: src.total_bytes,
            seen: src.seen,
            reader,
            columns,
            row: csv::ByteRecord::new(),
            record: 0,
            ahead: None,
            shape,
        })
    }

    fn read_one(&mut self) -> Result<Next> {
        let ok = match self.reader.read_byte_record(&mut self.row) {
            Ok(ok) => ok,
            Err(e) => {
                self.record += 1;
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                let loc = Location {
                    file: self.name.clone(),
                    line,
                    record: self.record,
                };
                return match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => Ok(Some(Err(RecordError::new(
                        &loc,
                        None,
                        format!("the row has {len} fields, the header {expected_len}"),
                    )))),
                    _ => Err(anyhow::Error::new(e)
                        .context(format!("reading {} near line {line}", self.name))),
                };
            }
        };
        if !ok {
            return Ok(None);
        }
        self.record += 1;
        let loc = Location {
            file: self.name.clone(),
            line: self.row.position().map(|p| p.line() as usize).unwrap_or(0),
            record: self.record,
        };
        let mut values: Vec<(&'static str, String)> = Vec::with_capacity(self.columns.len());
        for (i, v) in self.row.iter().enumerate() {
            let Some(Some(field)) = self.columns.get(i) else {
                continue;
            };
            match std::str::from_utf8(v) {
                Ok(s) => values.push((field, s.trim().to_string())),
                Err(e) => {
                    return Ok(Some(Err(RecordError::new(
                        &loc,
                        Some(field),
                        super::source::not_utf8(e.valid_up_to()),
                    ))));
                }
            }
        }
        let raw = |f: &str| {
            values
                .iter()
                .find(|(k, _)| *k == f)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        Ok(Some(record::build(&loc, |f| self.shape.value(f, &raw))))
    }
}

/// One message for everything wrong with a header: each unknown column with the `--map` that
/// would read or ignore it, and each required field no column gives.
fn header_problems(name: &str, unknown: &[String], missing: &[&str]) -> String {
    let mut m = format!("{name}: the header does not fit the note fields");
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(|h| format!("'{h}'")).collect();
        m.push_str(&format!(
            "\n  {} unknown column{}: {} (each is not a note field; map it with --map 'HEADER=FIELD' \
             or ignore it with --map 'HEADER=')",
            unknown.len(),
            if unknown.len() == 1 { "" } else { "s" },
            list.join(", ")
        ));
        for h in unknown {
            m.push_str(&format!("\n    --map '{h}=FIELD'  or  --map '{h}='"));
        }
    }
    if !missing.is_empty() {
        m.push_str(&format!(
            "\n  no column for {}: map a column to each with --map 'HEADER=FIELD' or give a \
             constant with --set FIELD=VALUE",
            missing.join(", ")
        ));
    }
    m.push_str(&format!("\n  fields: {}", record::FIELDS.join(", ")));
    m
}

impl RecordSource for CsvReader {
    fn next_record(&mut self) -> Result<Next> {
        let cur = match self.ahead.take() {
            Some(x) => x,
            None => self.read_one()?,
        };
        let Some(cur) = cur else {
            return Ok(None);
        };
        let next = self.read_one()?;
        let at_end = next.is_none();
        self.ahead = Some(next);
        if at_end && self.seen.odd_quotes.get() && self.seen.last.get() != b'\n' {
            let loc = match &cur {
                Ok(r) => r.location.clone(),
                Err(e) => e.location.clone(),
            };
            return Ok(Some(Err(RecordError::new(
                &loc,
                None,
                "the file ends inside a quoted field: is it truncated?",
            ))));
        }
        Ok(Some(cur))
    }

    fn progress(&self) -> (u64, u64) {
        (self.seen.bytes.get(), self.total)
    }
}
