//! One note to import, read from any format, checked field by field, with where it came from.
use super::types;
use crate::domain::{EncounterType, Note, Patient, Sex};
use std::fmt;

/// Where a record is in its file: a line (JSON lines, CSV, NDJSON) or an entry (FHIR Bundle).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: String,
    /// 1-based line where the record starts (0 when the format has no lines).
    pub line: usize,
    /// 1-based record number in the file.
    pub record: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{} line {}", self.file, self.line)
        } else {
            write!(f, "{} record {}", self.file, self.record)
        }
    }
}

/// Why a record cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordError {
    pub location: Location,
    pub note_id: Option<String>,
    pub field: Option<String>,
    pub reason: String,
}

impl RecordError {
    pub fn new(location: &Location, field: Option<&str>, reason: impl Into<String>) -> Self {
        RecordError {
            location: location.clone(),
            note_id: None,
            field: field.map(String::from),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.location)?;
        if let Some(id) = &self.note_id {
            write!(f, " (note {id})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for RecordError {}

/// Encounter fields that come with a note (creating or updating the encounter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterFields {
    pub enc_type: EncounterType,
    pub admit: String,
    pub discharge: Option<String>,
    pub attending: String,
}

/// A checked note, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub location: Location,
    pub note: Note,
    pub mrn: String,
    /// Present when the record names the patient (name and birth date).
    pub patient: Option<Patient>,
    /// Present when the record describes the encounter (type and admit date).
    pub encounter: Option<EncounterFields>,
}

/// The fields a note record may have (JSON lines keys, CSV headers after `--map`).
pub const FIELDS: &[&str] = &[
    "note_id",
    "account",
    "mrn",
    "note_type",
    "author",
    "written_at",
    "text",
    "name",
    "birth_date",
    "sex",
    "encounter_type",
    "admit",
    "discharge",
    "attending",
];

/// The fields every record needs.
pub const REQUIRED: &[&str] = &[
    "note_id",
    "account",
    "mrn",
    "note_type",
    "author",
    "written_at",
    "text",
];

/// The longest note type kept as written.
const NOTE_TYPE_MAX: usize = 80;

/// The note type to store for what a file says: chartdesk's name for a type it knows (by name or
/// alias), else the site's own name as written (spaces collapsed). Errors say why a name is unusable.
pub fn note_type(raw: &str) -> Result<String, String> {
    if let Some(t) = types::canonical(raw) {
        return Ok(t.to_string());
    }
    let kept = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if kept.chars().any(char::is_control) {
        return Err(format!(
            "'{}' has control characters; a note type is plain text",
            kept.escape_debug()
        ));
    }
    if kept.chars().count() > NOTE_TYPE_MAX {
        return Err(format!(
            "the note type is longer than {NOTE_TYPE_MAX} characters; map it to a shorter name \
             with --map-values note_type FILE"
        ));
    }
    if !kept.chars().any(char::is_alphanumeric) {
        return Err(format!(
            "'{kept}' is not a note type name (no letters or digits)"
        ));
    }
    Ok(kept)
}

/// Builds a record from field values (`get` returns the trimmed text of a field, None when absent
/// or empty), checking every field.
pub fn build(
    location: &Location,
    mut get: impl FnMut(&str) -> Option<String>,
) -> Result<ImportRecord, RecordError> {
    let note_id = get("note_id");
    let err = |field: &str, reason: String| {
        let mut e = RecordError::new(location, Some(field), reason);
        e.note_id = note_id.clone();
        e
    };
    let required = |v: Option<String>, field: &str| {
        v.ok_or_else(|| err(field, format!("{field} is missing or empty")))
    };
    let note_id_v = required(note_id.clone(), "note_id")?;
    let account = required(get("account"), "account")?;
    let mrn = required(get("mrn"), "mrn")?;
    let raw_type = required(get("note_type"), "note_type")?;
    let note_type = note_type(&raw_type).map_err(|m| err("note_type", m))?;
    let author = required(get("author"), "author")?;
    let written_at = required(get("written_at"), "written_at")?;
    if chrono::DateTime::parse_from_rfc3339(&written_at).is_err() {
        return Err(err(
            "written_at",
            format!("'{written_at}' is not an RFC 3339 time such as 2024-03-05T14:30:00Z"),
        ));
    }
    let text = get("text").ok_or_else(|| err("text", "text is missing or empty".into()))?;
    let max = crate::limits::get().max_note_bytes;
    if text.len() > max {
        return Err(err(
            "text",
            format!(
                "the note text is {}; notes are limited to {}, `import.max_note_bytes`",
                crate::limits::size(text.len()),
                crate::limits::size(max)
            ),
        ));
    }

    let (name, birth, sex) = (get("name"), get("birth_date"), get("sex"));
    let patient = if name.is_some() || birth.is_some() || sex.is_some() {
        let name = required(name, "name")?;
        let birth_date = required(birth, "birth_date")?;
        day(&birth_date).ok_or_else(|| {
            err(
                "birth_date",
                format!("'{birth_date}' is not a date (YYYY-MM-DD)"),
            )
        })?;
        let sex = match sex {
            None => Sex::Unknown,
            Some(s) => Sex::parse_loose(&s)
                .ok_or_else(|| err("sex", format!("'{s}' is not a sex; use F, M or U")))?,
        };
        Some(Patient {
            mrn: mrn.clone(),
            name,
            birth_date,
            sex,
        })
    } else {
        None
    };

    let (t, admit, discharge, attending) = (
        get("encounter_type"),
        get("admit"),
        get("discharge"),
        get("attending"),
    );
    let encounter =
        if t.is_some() || admit.is_some() || discharge.is_some() || attending.is_some() {
            let t = required(t, "encounter_type")?;
            let enc_type = crate::search::notes::query::enc_types(&t)
                .filter(|v| v.len() == 1)
                .map(|v| v[0])
                .ok_or_else(|| {
                    err(
                        "encounter_type",
                        format!(
                            "'{t}' is not an encounter type; use inpatient, outpatient, emergency, \
                         observation or professional"
                        ),
                    )
                })?;
            let admit_raw = required(admit, "admit")?;
            let admit = day(&admit_raw)
                .ok_or_else(|| err("admit", format!("'{admit_raw}' is not a date (YYYY-MM-DD)")))?;
            let discharge = match discharge {
                None => None,
                Some(d) => Some(day(&d).ok_or_else(|| {
                    err("discharge", format!("'{d}' is not a date (YYYY-MM-DD)"))
                })?),
            };
            if discharge.as_deref().is_some_and(|d| d < admit.as_str()) {
                return Err(err("discharge", "discharge is before admit".into()));
            }
            Some(EncounterFields {
                enc_type,
                admit,
                discharge,
                attending: attending.unwrap_or_default(),
            })
        } else {
            None
        };
    Ok(ImportRecord {
        location: location.clone(),
        note: Note {
            note_id: note_id_v,
            account,
            note_type,
            author,
            written_at,
            body: text,
        },
        mrn,
        patient,
        encounter,
    })
}

/// An ISO date, from YYYY-MM-DD or the date part of an RFC 3339 time.
pub fn day(s: &str) -> Option<String> {
    let s = s.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.format("%Y-%m-%d").to_string());
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.date_naive().format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn loc() -> Location {
        Location {
            file: "n.jsonl".into(),
            line: 3,
            record: 3,
        }
    }

    fn rec(pairs: &[(&str, &str)]) -> Result<ImportRecord, RecordError> {
        let m: HashMap<&str, &str> = pairs.iter().copied().collect();
        build(&loc(), |f| m.get(f).map(|v| v.to_string()))
    }

    const BASE: &[(&str, &str)] = &[
        ("note_id", "N1"),
        ("account", "A1"),
        ("mrn", "M1"),
        ("note_type", "ds"),
        ("author", "Dr. A"),
        ("written_at", "2024-03-05T14:30:00-05:00"),
        ("text", "Body."),
    ];

    #[test]
    fn a_minimal_record() {
        let r = rec(BASE).unwrap();
        assert_eq!(r.note.note_type, "Discharge Summary");
        assert!(r.patient.is_none() && r.encounter.is_none());
    }

    #[test]
    fn errors_name_the_field() {
        let mut v = BASE.to_vec();
        v[5] = ("written_at", "05/03/2024");
        let e = rec(&v).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("written_at"));
        assert_eq!(e.note_id.as_deref(), Some("N1"));
        assert_eq!(
            e.to_string(),
            "n.jsonl line 3 (note N1), field written_at: '05/03/2024' is not an RFC 3339 time such as 2024-03-05T14:30:00Z"
        );
        let mut v = BASE.to_vec();
        v[3] = ("note_type", "--");
        assert!(
            rec(&v)
                .unwrap_err()
                .reason
                .contains("is not a note type name")
        );
        let e = rec(&BASE[1..]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("note_id"));
        let mut v = BASE.to_vec();
        v.push(("admit", "2024-03-01"));
        assert_eq!(
            rec(&v).unwrap_err().field.as_deref(),
            Some("encounter_type")
        );
        v.push(("encounter_type", "inpatient"));
        v.push(("discharge", "2024-02-01"));
        assert_eq!(rec(&v).unwrap_err().field.as_deref(), Some("discharge"));
    }

    #[test]
    fn a_site_note_type_is_kept_as_written() {
        let mut v = BASE.to_vec();
        v[3] = ("note_type", "  Cardiovascular /  Pulmonary ");
        assert_eq!(
            rec(&v).unwrap().note.note_type,
            "Cardiovascular / Pulmonary"
        );
        v[3] = ("note_type", "consult NOTE");
        assert_eq!(rec(&v).unwrap().note.note_type, "Consultation");
        let long = "x".repeat(81);
        v[3] = ("note_type", &long);
        assert!(rec(&v).unwrap_err().reason.contains("longer than 80"));
        v[3] = ("note_type", "Tele\u{7}phone");
        assert!(rec(&v).unwrap_err().reason.contains("control characters"));
    }

    #[test]
    fn patient_and_encounter_fields() {
        let mut v = BASE.to_vec();
        v.extend([
            ("name", "Doe, Jane"),
            ("birth_date", "1950-01-02"),
            ("sex", "female"),
            ("encounter_type", "IP"),
            ("admit", "2024-03-01T08:00:00Z"),
            ("discharge", "2024-03-05"),
        ]);
        let r = rec(&v).unwrap();
        assert_eq!(r.patient.unwrap().sex, Sex::Female);
        let e = r.encounter.unwrap();
        assert_eq!(
            (e.enc_type, e.admit.as_str()),
            (EncounterType::Inpatient, "2024-03-01")
        );
    }
}
