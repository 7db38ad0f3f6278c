//! FHIR R4 Patient, Encounter and DocumentReference resources as chartdesk patients, encounters and
//! notes. Field names in errors are FHIR paths.
use super::text;
use crate::domain::{EncounterType, Patient, Sex};
use crate::notes::record::{Location, RecordError};
use crate::notes::types;
use serde_json::Value;

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|x| !x.is_empty())
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Codes of a CodeableConcept (or a bare Coding, or a list of CodeableConcepts).
fn codes(v: Option<&Value>) -> Vec<(Option<&str>, Option<&str>, Option<&str>)> {
    fn one<'a>(c: &'a Value, out: &mut Vec<(Option<&'a str>, Option<&'a str>, Option<&'a str>)>) {
        for coding in arr(c, "coding") {
            out.push((s(coding, "system"), s(coding, "code"), s(coding, "display")));
        }
        if c.get("code").is_some() {
            out.push((s(c, "system"), s(c, "code"), s(c, "display")));
        }
    }
    let mut out = Vec::new();
    match v {
        Some(Value::Array(list)) => list.iter().for_each(|c| one(c, &mut out)),
        Some(other) => one(other, &mut out),
        None => {}
    }
    out
}

/// The id a reference points at, for a resource type: `Patient/123`, `http://x/fhir/Patient/123`,
/// `Patient/123/_history/2` and `urn:uuid:123` all give `123`.
pub fn reference_id(reference: &str, kind: &str) -> Option<String> {
    let r = reference.trim();
    if let Some(id) = r
        .strip_prefix("urn:uuid:")
        .or_else(|| r.strip_prefix("urn:oid:"))
    {
        return Some(id.to_string());
    }
    if r.contains('?') {
        return None; // a conditional reference: nothing to resolve it against
    }
    let parts: Vec<&str> = r.split('/').collect();
    parts
        .windows(2)
        .rev()
        .find(|w| w[0] == kind)
        .map(|w| w[1].to_string())
        .filter(|id| !id.is_empty())
}

fn reference<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|r| s(r, "reference"))
}

fn err(loc: &Location, id: Option<&str>, field: &str, reason: impl Into<String>) -> RecordError {
    let mut e = RecordError::new(loc, Some(field), reason);
    e.note_id = id.map(String::from);
    e
}

/// An identifier of a given v2-0203 type (MR, AN, VN...), else None.
fn identifier_of_type(v: &Value, kinds: &[&str]) -> Option<String> {
    arr(v, "identifier")
        .iter()
        .find(|i| {
            codes(i.get("type"))
                .iter()
                .any(|(_, c, _)| c.is_some_and(|c| kinds.contains(&c)))
        })
        .and_then(|i| s(i, "value"))
        .map(String::from)
}

/// A FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime) as YYYY-MM-DD, partial dates at their start.
fn fhir_day(d: &str) -> Option<String> {
    let d = d.trim();
    match d.len() {
        4 => crate::notes::record::day(&format!("{d}-01-01")),
        7 => crate::notes::record::day(&format!("{d}-01")),
        _ => crate::notes::record::day(d.get(..10).unwrap_or(d)),
    }
}

/// A Patient: (FHIR id, patient). The MRN is the identifier typed MR, else the resource id.
pub fn patient(v: &Value, loc: &Location) -> Result<(String, Patient), RecordError> {
    let id = s(v, "id").ok_or_else(|| err(loc, None, "id", "the Patient has no id"))?;
    let mrn = identifier_of_type(v, &["MR"]).unwrap_or_else(|| id.to_string());
    let names = arr(v, "name");
    let name = names
        .iter()
        .find(|n| s(n, "use") == Some("official"))
        .or_else(|| names.first())
        .and_then(|n| {
            let family = s(n, "family");
            let given: Vec<&str> = arr(n, "given").iter().filter_map(Value::as_str).collect();
            match (family, given.is_empty()) {
                (Some(f), false) => Some(format!("{f}, {}", given.join(" "))),
                (Some(f), true) => Some(f.to_string()),
                (None, false) => Some(given.join(" ")),
                (None, true) => s(n, "text").map(String::from),
            }
        })
        .ok_or_else(|| err(loc, Some(id), "name", "the Patient has no name"))?;
    let birth = s(v, "birthDate")
        .ok_or_else(|| err(loc, Some(id), "birthDate", "the Patient has no birthDate"))?;
    let birth_date = fhir_day(birth).ok_or_else(|| {
        err(
            loc,
            Some(id),
            "birthDate",
            format!("'{birth}' is not a FHIR date"),
        )
    })?;
    let sex = s(v, "gender")
        .and_then(Sex::parse_loose)
        .unwrap_or(Sex::Unknown);
    Ok((
        id.to_string(),
        Patient {
            mrn,
            name,
            birth_date,
            sex,
        },
    ))
}

/// The encounter type for a v3 ActCode encounter class.
fn encounter_type(class: &str) -> Option<EncounterType> {
    Some(match class.to_ascii_uppercase().as_str() {
        "IMP" | "ACUTE" | "NONAC" | "PRENC" | "INPATIENT" => EncounterType::Inpatient,
        "EMER" | "EMERGENCY" => EncounterType::Emergency,
        "OBSENC" | "SS" | "OBSERVATION" => EncounterType::Observation,
        "AMB" | "HH" | "FLD" | "VR" | "AMBULATORY" | "OUTPATIENT" => EncounterType::Outpatient,
        _ => return None,
    })
}

/// An Encounter, with its subject's FHIR id.
pub struct FhirEncounter {
    pub id: String,
    pub patient_ref: String,
    pub account: String,
    pub enc_type: EncounterType,
    pub admit: String,
    pub discharge: Option<String>,
    pub attending: String,
}

/// An Encounter (None when it was entered in error).
pub fn encounter(v: &Value, loc: &Location) -> Result<Option<FhirEncounter>, RecordError> {
    let id = s(v, "id").ok_or_else(|| err(loc, None, "id", "the Encounter has no id"))?;
    if s(v, "status") == Some("entered-in-error") {
        return Ok(None);
    }
    let e = |field: &str, reason: String| err(loc, Some(id), field, reason);
    let subject = reference(v, "subject")
        .ok_or_else(|| e("subject", "the Encounter has no subject".into()))?;
    let patient_ref = reference_id(subject, "Patient")
        .ok_or_else(|| e("subject", format!("'{subject}' is not a Patient reference")))?;
    let class_codes = codes(v.get("class"));
    let class = class_codes.iter().find_map(|(_, c, _)| *c).unwrap_or("");
    let enc_type = encounter_type(class).ok_or_else(|| {
        e("class", format!("encounter class '{class}' is not one chartdesk maps (IMP, AMB, EMER, OBSENC, HH, VR...)"))
    })?;
    let period = v.get("period").unwrap_or(&Value::Null);
    let start =
        s(period, "start").ok_or_else(|| e("period.start", "the Encounter has no start".into()))?;
    let admit =
        fhir_day(start).ok_or_else(|| e("period.start", format!("'{start}' is not a date")))?;
    let discharge = s(period, "end").and_then(fhir_day);
    let participants = arr(v, "participant");
    let by_type = |kind: &str| {
        participants
            .iter()
            .find(|p| {
                codes(p.get("type"))
                    .iter()
                    .any(|(_, c, _)| *c == Some(kind))
            })
            .and_then(|p| p.get("individual").and_then(|i| s(i, "display")))
    };
    let attending = by_type("ATND")
        .or_else(|| by_type("PPRF"))
        .or_else(|| {
            participants
                .iter()
                .find_map(|p| p.get("individual").and_then(|i| s(i, "display")))
        })
        .unwrap_or("")
        .to_string();
    let discharge = discharge.filter(|d| d.as_str() >= admit.as_str());
    Ok(Some(FhirEncounter {
        id: id.to_string(),
        patient_ref,
        account: identifier_of_type(v, &["AN", "VN"]).unwrap_or_else(|| id.to_string()),
        enc_type,
        admit,
        discharge,
        attending,
    }))
}

/// A DocumentReference's fields as chartdesk reads them (references still FHIR ids).
pub struct FhirDocument {
    pub id: String,
    pub patient_ref: Option<String>,
    pub encounter_ref: String,
    pub note_type: String,
    pub author: String,
    pub written_at: String,
    pub content: Content,
}

/// Where a document's text is.
pub enum Content {
    /// Decoded text.
    Text(String),
    /// A Binary resource to look up (its id).
    Binary(String),
}

/// The note type for a document type: a type chartdesk knows by LOINC code, then by a display
/// text; else the site's own name as written (the first display, else the type's text, else the
/// code). A document without any type is "Unspecified"; a type is never a reason to reject it.
fn note_type(v: &Value) -> Result<String, String> {
    let t = v.get("type");
    let cs = codes(t);
    for (system, code, _) in &cs {
        if system.is_none_or(|s| s.contains("loinc"))
            && let Some(n) = code.and_then(types::from_loinc)
        {
            return Ok(n.to_string());
        }
    }
    for (_, _, display) in &cs {
        if let Some(n) = display.and_then(types::canonical) {
            return Ok(n.to_string());
        }
    }
    let text = t.and_then(|t| s(t, "text"));
    if let Some(n) = text.and_then(types::canonical) {
        return Ok(n.to_string());
    }
    let written = cs
        .iter()
        .find_map(|(_, _, d)| d.filter(|d| !d.trim().is_empty()))
        .or(text.filter(|d| !d.trim().is_empty()))
        .map(String::from)
        .or_else(|| {
            cs.iter()
                .find_map(|(_, c, _)| c.filter(|c| !c.trim().is_empty()))
                .map(|c| format!("Document {c}"))
        });
    match written {
        Some(w) => crate::notes::record::note_type(&w),
        None => Ok("Unspecified".to_string()),
    }
}

/// Text of an attachment's data in its declared content type.
pub fn attachment_text(content_type: &str, data: &str) -> Result<String, String> {
    let mut parts = content_type.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().to_string())
    });
    let bytes = text::base64_decode(data).ok_or("the attachment data is not valid base64")?;
    let txt = text::decode_charset(bytes, charset.as_deref()).ok_or_else(|| {
        format!(
            "the attachment is not valid {} text",
            charset.as_deref().unwrap_or("UTF-8")
        )
    })?;
    Ok(match mime.as_str() {
        "text/html" | "application/xhtml+xml" => text::html_to_text(&txt),
        _ => txt,
    })
}

fn readable(mime: &str) -> bool {
    let m = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    m.is_empty() || m == "text/plain" || m == "text/html" || m == "application/xhtml+xml"
}

/// A DocumentReference (None when it was entered in error).
pub fn document(v: &Value, loc: &Location) -> Result<Option<FhirDocument>, RecordError> {
    let id = s(v, "id").ok_or_else(|| err(loc, None, "id", "the DocumentReference has no id"))?;
    if s(v, "status") == Some("entered-in-error") || s(v, "docStatus") == Some("entered-in-error") {
        return Ok(None);
    }
    let e = |field: &str, reason: String| err(loc, Some(id), field, reason);
    let context = v.get("context").unwrap_or(&Value::Null);
    // R4: context.encounter is a list; R5 moved it to context (a list of references) itself.
    let enc_ref = arr(context, "encounter")
        .iter()
        .chain(context.as_array().map(Vec::as_slice).unwrap_or(&[]))
        .find_map(|r| s(r, "reference"))
        .ok_or_else(|| {
            e(
                "context.encounter",
                "the document names no encounter (chartdesk files notes under encounters)".into(),
            )
        })?;
    let encounter_ref = reference_id(enc_ref, "Encounter").ok_or_else(|| {
        e(
            "context.encounter",
            format!("'{enc_ref}' is not an Encounter reference"),
        )
    })?;
    let patient_ref = reference(v, "subject").and_then(|r| reference_id(r, "Patient"));
    let note_type = note_type(v).map_err(|m| e("type", m))?;
    let author = arr(v, "author")
        .iter()
        .find_map(|a| s(a, "display").or_else(|| s(a, "reference")))
        .unwrap_or("unknown author")
        .to_string();
    let written_at = s(v, "date")
        .or_else(|| context.get("period").and_then(|p| s(p, "start")))
        .ok_or_else(|| e("date", "the document has no date".into()))?
        .to_string();
    let attachments: Vec<&Value> = arr(v, "content")
        .iter()
        .filter_map(|c| c.get("attachment"))
        .collect();
    let pick = attachments
        .iter()
        .filter(|a| readable(s(a, "contentType").unwrap_or("")))
        .min_by_key(|a| {
            let plain = s(a, "contentType")
                .is_none_or(|c| c.to_ascii_lowercase().starts_with("text/plain"));
            (!plain, s(a, "data").is_none())
        });
    let content = match pick {
        Some(a) => match (s(a, "data"), s(a, "url")) {
            (Some(data), _) => Content::Text(
                attachment_text(s(a, "contentType").unwrap_or("text/plain"), data)
                    .map_err(|m| e("content.attachment.data", m))?,
            ),
            (None, Some(url)) => Content::Binary(reference_id(url, "Binary").ok_or_else(|| {
                e(
                    "content.attachment.url",
                    format!("'{url}' is not a Binary reference"),
                )
            })?),
            (None, None) => {
                return Err(e(
                    "content.attachment",
                    "the attachment has neither data nor url".into(),
                ));
            }
        },
        None => {
            let found: Vec<&str> = attachments
                .iter()
                .filter_map(|a| s(a, "contentType"))
                .collect();
            return Err(e(
                "content.attachment",
                format!(
                    "no text/plain or text/html attachment (found: {})",
                    if found.is_empty() {
                        "none".to_string()
                    } else {
                        found.join(", ")
                    }
                ),
            ));
        }
    };
    Ok(Some(FhirDocument {
        id: id.to_string(),
        patient_ref,
        encounter_ref,
        note_type,
        author,
        written_at,
        content,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(reference_id("Patient/p1", "Patient").as_deref(), Some("p1"));
        assert_eq!(
            reference_id("https://x.org/fhir/Patient/p1/_history/3", "Patient").as_deref(),
            Some("p1")
        );
        assert_eq!(
            reference_id("urn:uuid:abc", "Encounter").as_deref(),
            Some("abc")
        );
        assert_eq!(
            reference_id("Practitioner?identifier=x|1", "Practitioner"),
            None
        );
        assert_eq!(reference_id("Encounter/e1", "Patient"), None);
    }

    #[test]
    fn dates_and_classes() {
        assert_eq!(fhir_day("1987").as_deref(), Some("1987-01-01"));
        assert_eq!(fhir_day("1987-11").as_deref(), Some("1987-11-01"));
        assert_eq!(
            fhir_day("1987-11-19T00:22:16-05:00").as_deref(),
            Some("1987-11-19")
        );
        assert_eq!(encounter_type("IMP"), Some(EncounterType::Inpatient));
        assert_eq!(encounter_type("amb"), Some(EncounterType::Outpatient));
        assert_eq!(encounter_type("XYZ"), None);
    }
}
