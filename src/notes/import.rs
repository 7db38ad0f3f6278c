//! Applying imported records inside the caller's transaction: patients and encounters upserted,
//! notes added, updated or left unchanged, new notes handed to the index writer, bad records
//! stopping the file or (with `skip_bad`) rejected into a report.
use super::record::{ImportRecord, RecordError};
use super::{RecordSource, sync};
use crate::domain::{Encounter, Patient};
use crate::search::notes::{NoteDoc, NotesWriter};
use crate::store::{self, encounters::Change, notes::Upsert};
use anyhow::{Context, Result};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::io::Write;

/// How an import treats its files.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Keep the good records of a file with bad ones, writing the bad ones to a reject report.
    pub skip_bad: bool,
    /// `HEADER=field` column mappings for CSV.
    pub map: Vec<String>,
    /// `FIELD=VALUE` constants (or `{field}` templates) for fields a file lacks (JSON lines, CSV).
    pub set: Vec<String>,
    /// `(FIELD, FILE)`: two-column value maps (JSON lines, CSV).
    pub map_values: Vec<(String, std::path::PathBuf)>,
    /// Encounters this import adds that were discharged before this day (YYYY-MM-DD) come in as
    /// closed history: searchable, not on worklists or in the backlog.
    pub historical_before: Option<chrono::NaiveDate>,
}

/// Rejected records kept in memory for the summary (all of them go to the report file).
const REJECTS_SHOWN: usize = 20;

/// What importing one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileSummary {
    pub file: String,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// Records skipped on purpose (FHIR resources entered in error).
    pub skipped: usize,
    /// Rejections by field (or "record" when the whole record was unreadable).
    pub rejected_by_field: BTreeMap<String, usize>,
    /// The first rejections, in file order.
    pub first_rejects: Vec<RecordError>,
    pub reject_report: Option<String>,
    pub patients_added: usize,
    pub patients_updated: usize,
    pub encounters_added: usize,
    pub encounters_updated: usize,
    /// Encounters added as closed history (discharged before `historical_before`).
    pub encounters_historical: usize,
    pub bytes: u64,
}

/// Where a batched import's time went (wall seconds in the importing thread; the index's own
/// threads tokenize in parallel, so `index_seconds` is the time spent handing notes to them,
/// including waiting when they are behind).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportStages {
    /// Reading and parsing records (both passes: the check before writing and the import).
    pub parse_seconds: f64,
    /// Checking references and duplicate ids before writing (database reads, no lock).
    pub check_seconds: f64,
    /// Inside write transactions: storing the records, the audit rows and the commits.
    pub sqlite_seconds: f64,
    /// Reading committed notes back and handing them to the index writer.
    pub index_seconds: f64,
    /// Index commits (each waits for the index threads to finish the notes handed to them, so
    /// this holds the indexing the other stages did not overlap), and the merges at the end.
    pub commit_seconds: f64,
    /// Write transactions (batches) committed.
    pub batches: usize,
    /// The longest any one batch held the database's write lock, in milliseconds.
    pub longest_lock_ms: f64,
}

/// What a whole import did, file by file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportReport {
    pub files: Vec<FileSummary>,
    pub seconds: f64,
    /// Where the time went.
    pub stages: ImportStages,
    /// The day before which added encounters came in as closed history (YYYY-MM-DD), if any.
    pub historical_before: Option<String>,
}

impl ImportReport {
    pub fn notes_read(&self) -> usize {
        self.files
            .iter()
            .map(|f| f.added + f.updated + f.unchanged + f.rejected)
            .sum()
    }
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// Where rejected records go, opened at the first rejection.
pub struct RejectSink {
    path: std::path::PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
}

impl RejectSink {
    pub fn new(path: std::path::PathBuf) -> RejectSink {
        RejectSink { path, out: None }
    }

    fn write(&mut self, e: &RecordError) -> Result<()> {
        if self.out.is_none() {
            // Created new: never follows a symlink planted at the path, never overwrites a file.
            let f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&self.path)
                .with_context(|| {
                    format!(
                        "creating the reject report {}: it must not exist yet (move or delete \
                         it, or name another with --reject-report)",
                        self.path.display()
                    )
                })?;
            self.out = Some(std::io::BufWriter::new(f));
        }
        if let Some(out) = self.out.as_mut() {
            serde_json::to_writer(
                &mut *out,
                &serde_json::json!({
                    "file": e.location.file, "line": e.location.line, "record": e.location.record,
                    "note_id": e.note_id, "field": e.field, "reason": e.reason,
                }),
            )?;
            writeln!(out)?;
        }
        Ok(())
    }

    /// Flushes the report; returns its path if anything was written.
    pub fn finish(mut self) -> Result<Option<String>> {
        match self.out.take() {
            Some(mut out) => {
                out.flush().with_context(|| {
                    format!("writing the reject report {}", self.path.display())
                })?;
                Ok(Some(self.path.display().to_string()))
            }
            None => Ok(None),
        }
    }
}

/// Takes records one at a time into `tx` and `writer` (not committed: the caller commits the
/// transaction, then the index). A bad record stops the import unless there is a reject sink.
pub struct Importer<'a> {
    tx: &'a Connection,
    writer: &'a mut NotesWriter,
    rejects: Option<&'a mut RejectSink>,
    change_before: i64,
    pub summary: FileSummary,
}

impl<'a> Importer<'a> {
    pub fn new(
        tx: &'a Connection,
        writer: &'a mut NotesWriter,
        file: &str,
        rejects: Option<&'a mut RejectSink>,
    ) -> Result<Importer<'a>> {
        store::notes::import_seen_reset(tx)?;
        Ok(Importer {
            change_before: store::notes::max_change_seq(tx)?,
            tx,
            writer,
            rejects,
            summary: FileSummary {
                file: file.to_string(),
                ..Default::default()
            },
        })
    }

    /// Stores one record, or rejects it (an error when rejects are not being kept).
    pub fn accept(&mut self, item: Result<ImportRecord, RecordError>) -> Result<()> {
        let outcome = match item {
            Ok(rec) => apply(self.tx, Some(&mut *self.writer), &rec, &mut self.summary)?,
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            self.reject(e)?;
        }
        Ok(())
    }

    /// Records a rejection (an error when rejects are not being kept).
    pub fn reject(&mut self, e: RecordError) -> Result<()> {
        record_reject(self.rejects.as_deref_mut(), &mut self.summary, e)
    }

    /// The transaction records go into (for readers that resolve references as they go).
    pub fn tx(&self) -> &'a Connection {
        self.tx
    }

    /// Re-indexes notes updated here, and notes of encounters retyped here, from the change log.
    pub fn finish(self) -> Result<FileSummary> {
        let upto = store::notes::max_change_seq(self.tx)?;
        sync::apply_changes(self.tx, self.writer, self.change_before, upto, i64::MAX)?;
        Ok(self.summary)
    }
}

/// Counts a rejected record into `s` and writes it to `sink`; without a sink (no `--skip-bad`) the
/// rejection is the error that stops the file.
pub fn record_reject(
    sink: Option<&mut RejectSink>,
    s: &mut FileSummary,
    e: RecordError,
) -> Result<()> {
    let Some(sink) = sink else {
        return Err(anyhow::Error::new(e).context(format!(
            "nothing from {} was imported (fix the record, or pass --skip-bad to import the rest)",
            s.file
        )));
    };
    sink.write(&e)?;
    s.rejected += 1;
    *s.rejected_by_field
        .entry(e.field.clone().unwrap_or_else(|| "record".into()))
        .or_default() += 1;
    if s.first_rejects.len() < REJECTS_SHOWN {
        s.first_rejects.push(e);
    }
    Ok(())
}

/// Imports every record of `source` (see `Importer`).
pub fn import_records(
    tx: &Connection,
    writer: &mut NotesWriter,
    file: &str,
    source: &mut dyn RecordSource,
    rejects: Option<&mut RejectSink>,
    progress: &mut sync::Progress<'_>,
) -> Result<FileSummary> {
    let mut imp = Importer::new(tx, writer, file, rejects)?;
    let label = format!("importing {file}");
    let mut n = 0usize;
    while let Some(item) = source.next_record()? {
        n += 1;
        if n.is_multiple_of(256) {
            let (done, total) = source.progress();
            progress(&label, done as usize, total as usize);
        }
        imp.accept(item)?;
    }
    let (done, total) = source.progress();
    imp.summary.bytes = done;
    progress(&label, total as usize, total as usize);
    imp.finish()
}

/// Applies one record. `Ok(Err(_))` is a rejected record (nothing kept); `Err(_)` is a failure of
/// the database or the index that stops the import (the caller rolls the whole file back).
/// Without a writer the note is only stored (a batched import indexes committed rows afterwards).
///
/// Every check that can reject a record is made before its first write, so a rejected record
/// leaves nothing behind without a savepoint around it (a savepoint per record made SQLite copy the
/// pages each record touched to a sub-journal: about a third of the import's database time).
pub fn apply(
    tx: &Connection,
    writer: Option<&mut NotesWriter>,
    rec: &ImportRecord,
    s: &mut FileSummary,
) -> Result<Result<(), RecordError>> {
    let reject = |field: &str, reason: String| {
        let mut e = RecordError::new(&rec.location, Some(field), reason);
        e.note_id = Some(rec.note.note_id.clone());
        e
    };
    let at = rec.location.to_string();
    if let Some(first) = store::notes::import_seen_before(tx, &rec.note.note_id, &at)? {
        return Ok(Err(reject(
            "note_id",
            format!("duplicate note_id {} (first at {first})", rec.note.note_id),
        )));
    }
    // The patient's id if it exists already (a record that names the patient creates it).
    let known_pid = match &rec.patient {
        Some(p) => store::encounters::patient_id(tx, &p.mrn)?,
        None => match store::encounters::patient_id(tx, &rec.mrn)? {
            Some(id) => Some(id),
            None => {
                return Ok(Err(reject(
                    "mrn",
                    format!(
                        "no patient with MRN {}: add name and birth_date to create one",
                        rec.mrn
                    ),
                )));
            }
        },
    };
    // A record without encounter fields needs the encounter, of this patient.
    let existing_enc = match &rec.encounter {
        Some(_) => None,
        None => match store::encounters::index_info_by_account(tx, &rec.note.account)? {
            Some((id, p, t)) if Some(p) == known_pid => Some((id, p, t)),
            Some(_) => {
                return Ok(Err(reject(
                    "mrn",
                    format!(
                        "encounter {} belongs to another patient than MRN {}",
                        rec.note.account, rec.mrn
                    ),
                )));
            }
            None => {
                return Ok(Err(reject(
                    "account",
                    format!(
                        "no encounter with account {}: add encounter_type and admit to create it",
                        rec.note.account
                    ),
                )));
            }
        },
    };
    // From here on nothing rejects the record.
    let (pid, pchange) = match &rec.patient {
        Some(p) => {
            let (id, c) = store::encounters::upsert_patient_tracked(tx, p)?;
            (id, Some(c))
        }
        None => (
            known_pid.context("internal error: the patient checked is gone")?,
            None,
        ),
    };
    let (enc_id, enc_type, echange) = match (&rec.encounter, existing_enc) {
        (Some(e), _) => {
            let (id, c) = store::encounters::upsert_by_account(
                tx,
                &Encounter {
                    account: rec.note.account.clone(),
                    mrn: rec.mrn.clone(),
                    enc_type: e.enc_type,
                    admit_date: e.admit.clone(),
                    discharge_date: e.discharge.clone(),
                    attending: e.attending.clone(),
                    total_charges_cents: 0,
                },
            )?;
            (id, e.enc_type.as_str().to_string(), Some(c))
        }
        (None, Some((id, _, t))) => (id, t, None),
        (None, None) => anyhow::bail!("internal error: the encounter checked is gone"),
    };
    match store::notes::upsert(tx, &rec.note, enc_id)? {
        Upsert::Added(id) => {
            if let Some(writer) = writer {
                writer.add(&NoteDoc {
                    row_id: id,
                    encounter_id: enc_id,
                    patient_id: pid,
                    note_type: &rec.note.note_type,
                    enc_type: &enc_type,
                    author: &rec.note.author,
                    written_at: &rec.note.written_at,
                    body: &rec.note.body,
                })?;
            }
            s.added += 1;
        }
        Upsert::Updated(_) => s.updated += 1,
        Upsert::Unchanged(_) => s.unchanged += 1,
    }
    match pchange {
        Some(Change::Added) => s.patients_added += 1,
        Some(Change::Updated) => s.patients_updated += 1,
        _ => {}
    }
    match echange {
        Some(Change::Added) => s.encounters_added += 1,
        Some(Change::Updated) => s.encounters_updated += 1,
        _ => {}
    }
    Ok(Ok(()))
}

/// Upserts a patient outside of note records (FHIR Patient resources).
pub fn upsert_patient(tx: &Connection, p: &Patient, s: &mut FileSummary) -> Result<i64> {
    let (id, c) = store::encounters::upsert_patient_tracked(tx, p)?;
    match c {
        Change::Added => s.patients_added += 1,
        Change::Updated => s.patients_updated += 1,
        Change::Unchanged => {}
    }
    Ok(id)
}
