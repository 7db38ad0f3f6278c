//! FHIR R4 import: bulk-export NDJSON files and Bundles (or single-resource JSON files).
//!
//! Patients, Encounters and DocumentReferences may come in any order and any files, so the files are
//! read in three passes — Patients (and Binaries), then Encounters, then DocumentReferences — each
//! streamed; FHIR ids are mapped to MRNs and accounts in temporary tables, so memory stays flat.
//! Other resource types are skipped. The whole import is the caller's one transaction.
pub mod resources;
pub mod stream;
pub mod text;

use super::import::{self, FileSummary, Importer, RejectSink};
use super::record::{self, Location, RecordError};
use super::sync;
use crate::domain::Encounter;
use crate::search::notes::NotesWriter;
use crate::store::{self, encounters::Change};
use anyhow::Result;
use resources::Content;
use rusqlite::Connection;
use serde_json::Value;
use std::path::PathBuf;
use stream::Item;

/// Imports the files as one FHIR export into `tx` and `writer` (not committed).
pub fn import(
    tx: &Connection,
    writer: &mut NotesWriter,
    files: &[PathBuf],
    label: &str,
    rejects: Option<&mut RejectSink>,
    progress: &mut sync::Progress<'_>,
) -> Result<FileSummary> {
    store::notes::fhir_reset(tx)?;
    let mut imp = Importer::new(tx, writer, label, rejects)?;
    let passes: [(&str, &[&str]); 3] = [
        ("patients", &["Patient", "Binary"]),
        ("encounters", &["Encounter"]),
        ("documents", &["DocumentReference"]),
    ];
    for (pass, (what, kinds)) in passes.into_iter().enumerate() {
        for f in files {
            let stage = format!("FHIR {what}: {}", f.display());
            stream::for_each(
                f,
                (pass > 0).then_some(kinds),
                &mut |done, total| progress(&stage, done as usize, total as usize),
                &mut |item| match item {
                    // Unreadable records are reported once, in the first pass.
                    Item::Bad(e) if pass == 0 => imp.reject(e),
                    Item::Bad(_) => Ok(()),
                    Item::Resource {
                        location,
                        value,
                        full_url,
                    } => {
                        let kind = value
                            .get("resourceType")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        if !kinds.contains(&kind) {
                            return Ok(());
                        }
                        let r = match kind {
                            "Patient" => patient(&mut imp, &location, &value, full_url.as_deref()),
                            "Binary" => binary(imp.tx(), &value),
                            "Encounter" => {
                                encounter(&mut imp, &location, &value, full_url.as_deref())
                            }
                            _ => return document(&mut imp, &location, &value),
                        }?;
                        match r {
                            Ok(()) => Ok(()),
                            Err(e) => imp.reject(e),
                        }
                    }
                },
            )?;
        }
    }
    imp.summary.bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    imp.finish()
}

/// Maps `kind/id` (and the id in a Bundle entry's fullUrl) to a chartdesk key.
fn remember(
    tx: &Connection,
    kind: &str,
    id: &str,
    full_url: Option<&str>,
    key: &str,
) -> Result<()> {
    store::notes::fhir_map_put(tx, kind, id, key)?;
    if let Some(other) = full_url.and_then(|u| resources::reference_id(u, kind))
        && other != id
    {
        store::notes::fhir_map_put(tx, kind, &other, key)?;
    }
    Ok(())
}

type Outcome = Result<Result<(), RecordError>>;

fn patient(imp: &mut Importer<'_>, loc: &Location, v: &Value, full_url: Option<&str>) -> Outcome {
    let (id, p) = match resources::patient(v, loc) {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    import::upsert_patient(imp.tx(), &p, &mut imp.summary)?;
    remember(imp.tx(), "Patient", &id, full_url, &p.mrn)?;
    Ok(Ok(()))
}

fn binary(tx: &Connection, v: &Value) -> Outcome {
    let (Some(id), Some(data)) = (
        v.get("id").and_then(Value::as_str),
        v.get("data").and_then(Value::as_str),
    ) else {
        return Ok(Ok(()));
    };
    let ct = v
        .get("contentType")
        .and_then(Value::as_str)
        .unwrap_or("text/plain");
    store::notes::fhir_binary_put(tx, id, ct, data)?;
    Ok(Ok(()))
}

/// The MRN for a FHIR Patient id: mapped in this import, or a patient already in chartdesk.
fn mrn_for(tx: &Connection, patient_ref: &str) -> Result<Option<String>> {
    if let Some(m) = store::notes::fhir_map_get(tx, "Patient", patient_ref)? {
        return Ok(Some(m));
    }
    Ok(store::encounters::patient_id(tx, patient_ref)?.map(|_| patient_ref.to_string()))
}

fn encounter(imp: &mut Importer<'_>, loc: &Location, v: &Value, full_url: Option<&str>) -> Outcome {
    let e = match resources::encounter(v, loc) {
        Ok(Some(e)) => e,
        Ok(None) => {
            imp.summary.skipped += 1;
            return Ok(Ok(()));
        }
        Err(err) => return Ok(Err(err)),
    };
    let tx = imp.tx();
    let Some(mrn) = mrn_for(tx, &e.patient_ref)? else {
        let mut err = RecordError::new(
            loc,
            Some("subject"),
            format!(
                "patient {} is neither in this import nor in chartdesk",
                e.patient_ref
            ),
        );
        err.note_id = Some(e.id.clone());
        return Ok(Err(err));
    };
    let (_, change) = store::encounters::upsert_by_account(
        tx,
        &Encounter {
            account: e.account.clone(),
            mrn,
            enc_type: e.enc_type,
            admit_date: e.admit.clone(),
            discharge_date: e.discharge.clone(),
            attending: e.attending.clone(),
            total_charges_cents: 0,
        },
    )?;
    match change {
        Change::Added => imp.summary.encounters_added += 1,
        Change::Updated => imp.summary.encounters_updated += 1,
        Change::Unchanged => {}
    }
    remember(tx, "Encounter", &e.id, full_url, &e.account)?;
    Ok(Ok(()))
}

fn document(imp: &mut Importer<'_>, loc: &Location, v: &Value) -> Result<()> {
    let d = match resources::document(v, loc) {
        Ok(Some(d)) => d,
        Ok(None) => {
            imp.summary.skipped += 1;
            return Ok(());
        }
        Err(e) => return imp.reject(e),
    };
    let tx = imp.tx();
    let fail = |field: &str, reason: String| {
        let mut e = RecordError::new(loc, Some(field), reason);
        e.note_id = Some(d.id.clone());
        e
    };
    let account = match store::notes::fhir_map_get(tx, "Encounter", &d.encounter_ref)? {
        Some(a) => a,
        None if store::encounters::ids_by_account(tx, &d.encounter_ref)?.is_some() => {
            d.encounter_ref.clone()
        }
        None => {
            return imp.reject(fail(
                "context.encounter",
                format!(
                    "encounter {} is neither in this import nor in chartdesk",
                    d.encounter_ref
                ),
            ));
        }
    };
    let mrn = match &d.patient_ref {
        Some(p) => mrn_for(tx, p)?,
        None => None,
    };
    let Some(mrn) = mrn.or(store::notes::mrn_of_account(tx, &account)?) else {
        return imp.reject(fail(
            "subject",
            "the document's patient is not known".into(),
        ));
    };
    let text = match d.content {
        Content::Text(t) => t,
        Content::Binary(id) => match store::notes::fhir_binary_get(tx, &id)? {
            Some((ct, data)) => match resources::attachment_text(&ct, &data) {
                Ok(t) => t,
                Err(m) => {
                    return imp.reject(fail("content.attachment.url", format!("Binary {id}: {m}")));
                }
            },
            None => {
                return imp.reject(fail(
                    "content.attachment.url",
                    format!("Binary {id} is not in this import"),
                ));
            }
        },
    };
    let fields = [
        ("note_id", d.id.clone()),
        ("account", account),
        ("mrn", mrn),
        ("note_type", d.note_type.clone()),
        ("author", d.author),
        ("written_at", d.written_at),
        ("text", text.trim().to_string()),
    ];
    let rec = record::build(loc, |f| {
        fields
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    });
    imp.accept(rec)
}
