//! Patients, encounters, notes and code assignments.
use super::code::CodeSystem;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $s:literal),+ $(,)? } expect $what:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $s)] $var),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $s),+ } }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let l = s.trim();
                $(if l.eq_ignore_ascii_case($s) { return Ok($name::$var); })+
                Err(format!(concat!("'{}' is not ", $what, "; use one of: {}"), s,
                    [$($s),+].join(", ")))
            }
        }
    };
}

string_enum!(
    /// The kinds of encounter a coder works.
    EncounterType {
        Inpatient = "inpatient",
        Outpatient = "outpatient",
        Emergency = "emergency",
        Observation = "observation",
        Professional = "professional",
    } expect "an encounter type"
);

string_enum!(
    /// Where an encounter is in the coding workflow.
    EncounterStatus {
        Uncoded = "uncoded",
        InProgress = "in_progress",
        Hold = "hold",
        Coded = "coded",
    } expect "an encounter status"
);

string_enum!(
    /// Administrative sex as recorded for the patient.
    Sex {
        Female = "F",
        Male = "M",
        Unknown = "U",
    } expect "a sex (F, M or U)"
);

impl Sex {
    /// Accepts F/M/U and the words female/male/unknown/other.
    pub fn parse_loose(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_lowercase().as_str() {
            "f" | "female" => Some(Sex::Female),
            "m" | "male" => Some(Sex::Male),
            "u" | "unknown" | "other" | "o" => Some(Sex::Unknown),
            _ => None,
        }
    }
}

/// Present-on-admission indicator (CMS): Y, N, U, W, or 1 (exempt, reported blank on claims).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Poa {
    #[serde(rename = "Y")]
    Yes,
    #[serde(rename = "N")]
    No,
    #[serde(rename = "U")]
    Unknown,
    #[serde(rename = "W")]
    ClinicallyUndetermined,
    #[serde(rename = "1")]
    Exempt,
}

impl Poa {
    pub const ALL: [Poa; 5] = [
        Poa::Yes,
        Poa::No,
        Poa::Unknown,
        Poa::ClinicallyUndetermined,
        Poa::Exempt,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Poa::Yes => "Y",
            Poa::No => "N",
            Poa::Unknown => "U",
            Poa::ClinicallyUndetermined => "W",
            Poa::Exempt => "1",
        }
    }
    pub fn meaning(self) -> &'static str {
        match self {
            Poa::Yes => "present at the time of inpatient admission",
            Poa::No => "not present at the time of inpatient admission",
            Poa::Unknown => "documentation insufficient to determine",
            Poa::ClinicallyUndetermined => "provider unable to clinically determine",
            Poa::Exempt => "exempt from POA reporting",
        }
    }
}

impl fmt::Display for Poa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Poa {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_uppercase().as_str() {
            "Y" => Ok(Poa::Yes),
            "N" => Ok(Poa::No),
            "U" => Ok(Poa::Unknown),
            "W" => Ok(Poa::ClinicallyUndetermined),
            "1" => Ok(Poa::Exempt),
            _ => Err(format!("'{s}' is not a POA indicator; use Y, N, U, W or 1")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub mrn: String,
    pub name: String,
    /// ISO date, YYYY-MM-DD.
    pub birth_date: String,
    pub sex: Sex,
}

/// A clinical document belonging to an encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Stable external id (from the source system or the demo generator).
    pub note_id: String,
    /// Encounter account number.
    pub account: String,
    pub note_type: String,
    pub author: String,
    /// RFC 3339 time the note was written.
    pub written_at: String,
    pub body: String,
}

/// A code assigned to an encounter, as shown and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: i64,
    pub system: CodeSystem,
    pub code: String,
    pub title: String,
    /// 1-based position among the encounter's diagnoses, or among its procedures.
    pub seq: i64,
    /// First-listed diagnosis (principal) or principal procedure.
    pub principal: bool,
    pub poa: Option<Poa>,
    pub assigned_by: String,
    pub assigned_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip() {
        for t in EncounterType::ALL {
            assert_eq!(t.as_str().parse::<EncounterType>().unwrap(), *t);
        }
        assert!(
            "inpt"
                .parse::<EncounterType>()
                .unwrap_err()
                .contains("inpatient")
        );
        for p in Poa::ALL {
            assert_eq!(p.as_str().parse::<Poa>().unwrap(), p);
        }
        assert!("X".parse::<Poa>().is_err());
        assert_eq!(Sex::parse_loose("female"), Some(Sex::Female));
    }
}

/// An encounter as imported or generated (the header a coder sees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encounter {
    pub account: String,
    pub mrn: String,
    pub enc_type: EncounterType,
    /// ISO date of admission or visit.
    pub admit_date: String,
    /// ISO date of discharge; None while the patient is still in house.
    pub discharge_date: Option<String>,
    pub attending: String,
    /// Total charges in cents, as billed.
    pub total_charges_cents: i64,
}
