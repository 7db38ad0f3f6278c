//! Worklist rows as shown: which pass the scope and the filter, the type label, ages and days
//! since discharge. Pure functions over rows.
use super::state::Scope;
use crate::domain::{EncounterStatus, EncounterType};
use crate::store::encounters::EncounterRow;
use chrono::NaiveDate;

/// The encounter type as the worklist shows it.
pub fn type_abbrev(t: EncounterType) -> &'static str {
    match t {
        EncounterType::Inpatient => "IP",
        EncounterType::Outpatient => "OP",
        EncounterType::Emergency => "ED",
        EncounterType::Observation => "OBS",
        EncounterType::Professional => "PRO",
    }
}

/// Narrows the worklist to the scope and the filter words (each word must appear somewhere in the
/// row: account, MRN, patient, type (or its IP/OP/ED/OBS/PRO abbreviation), attending, status or
/// holder).
pub fn visible_rows(rows: &[EncounterRow], scope: Scope, filter: &str, me: &str) -> Vec<usize> {
    let words: Vec<String> = filter
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect();
    rows.iter()
        .enumerate()
        .filter(|(_, r)| match scope {
            Scope::All => true,
            Scope::Mine => r.claimed_by.as_deref() == Some(me),
            Scope::Unassigned => r.claimed_by.is_none() && r.status != EncounterStatus::Coded,
        })
        .filter(|(_, r)| {
            if words.is_empty() {
                return true;
            }
            let hay = format!(
                "{} {} {} {} {} {} {} {}",
                r.account,
                r.mrn,
                r.patient_name,
                r.enc_type,
                type_abbrev(r.enc_type),
                r.attending,
                r.status.as_str().replace('_', " "),
                r.claimed_by.as_deref().unwrap_or("")
            )
            .to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Whole years between a birth date and a date, if both parse (YYYY-MM-DD).
pub fn age_on(birth: &str, on: &str) -> Option<i32> {
    let b = NaiveDate::parse_from_str(birth.get(..10).unwrap_or(birth), "%Y-%m-%d").ok()?;
    let d = NaiveDate::parse_from_str(on.get(..10).unwrap_or(on), "%Y-%m-%d").ok()?;
    d.years_since(b).and_then(|y| i32::try_from(y).ok())
}

/// Days from a discharge date (YYYY-MM-DD) to `today`.
pub fn days_since(date: Option<&str>, today: NaiveDate) -> Option<i64> {
    let s = date?;
    let d = NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok()?;
    Some((today - d).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_days() {
        assert_eq!(age_on("1950-06-15", "2025-06-14"), Some(74));
        assert_eq!(age_on("1950-06-15", "2025-06-15"), Some(75));
        assert_eq!(age_on("bad", "2025-06-15"), None);
        let today = NaiveDate::from_ymd_opt(2025, 3, 10).unwrap();
        assert_eq!(days_since(Some("2025-03-01"), today), Some(9));
        assert_eq!(days_since(None, today), None);
    }
}
