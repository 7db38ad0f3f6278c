//! Bringing clinical notes in: streaming readers for JSON lines, CSV and FHIR R4, the accepted note
//! types, and applying records to the database and the notes index inside the caller's transaction.
pub mod csvfile;
pub mod fhir;
pub mod import;
pub mod jsonl;
pub mod prescan;
pub mod record;
pub mod shape;
pub mod source;
pub mod sync;
pub mod types;

pub use import::{FileSummary, ImportOptions, ImportReport, ImportStages};
pub use record::{ImportRecord, Location, RecordError};

use anyhow::{Result, bail};
use std::path::Path;

/// A streaming reader of note records. Record-level problems are `Err(RecordError)` items (the
/// import decides whether to stop or skip); problems with the file itself are errors.
pub trait RecordSource {
    fn next_record(&mut self) -> Result<Option<Result<ImportRecord, RecordError>>>;
    /// (bytes read, bytes in the file) for progress.
    fn progress(&self) -> (u64, u64);
}

/// Import file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jsonl,
    Csv,
    Fhir,
}

impl Format {
    /// Guesses the format from the file name: `.csv` is CSV, `.jsonl` JSON lines, `.json` and
    /// `.ndjson` FHIR (a Bundle or a bulk-export file); `.gz` is looked through.
    pub fn guess(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".csv") {
            Some(Format::Csv)
        } else if name.ends_with(".jsonl") {
            Some(Format::Jsonl)
        } else if name.ends_with(".ndjson") || name.ends_with(".json") {
            Some(Format::Fhir)
        } else {
            None
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json-lines" | "jsonlines" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "fhir" => Ok(Format::Fhir),
            _ => Err(format!(
                "'{s}' is not an import format; use jsonl, csv or fhir"
            )),
        }
    }
}

/// Opens a JSON lines or CSV file for reading records, with `--map` column names (CSV) and
/// `--set`/`--map-values` applied to every record.
pub fn open_reader(
    path: &Path,
    format: Format,
    map: &[String],
    shape: &shape::Shape,
) -> Result<Box<dyn RecordSource>> {
    if !map.is_empty() && format != Format::Csv {
        bail!("--map applies to CSV files only");
    }
    Ok(match format {
        Format::Jsonl => Box::new(jsonl::JsonlReader::open(path, shape.clone())?),
        Format::Csv => Box::new(csvfile::CsvReader::open(
            path,
            &csvfile::parse_map(map)?,
            shape.clone(),
        )?),
        Format::Fhir => bail!("internal error: FHIR files are read by the FHIR importer"),
    })
}
