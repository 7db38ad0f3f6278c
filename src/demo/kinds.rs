//! Note kinds (what each encounter type is documented with) and the shape rules for answer-key codes.
use crate::domain::EncounterType;

/// The kinds of note the generator writes; `key` is how templates name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum NoteKind {
    HistoryAndPhysical = 0,
    BriefHistoryAndPhysical,
    Progress,
    Discharge,
    Operative,
    Procedure,
    Consultation,
    Ed,
    Office,
}

impl NoteKind {
    pub const COUNT: usize = 9;
    pub const ALL: [NoteKind; Self::COUNT] = [
        NoteKind::HistoryAndPhysical,
        NoteKind::BriefHistoryAndPhysical,
        NoteKind::Progress,
        NoteKind::Discharge,
        NoteKind::Operative,
        NoteKind::Procedure,
        NoteKind::Consultation,
        NoteKind::Ed,
        NoteKind::Office,
    ];

    /// The key under `[notes]` (scenarios) and `[skeleton]` (common.toml).
    pub fn key(self) -> &'static str {
        match self {
            NoteKind::HistoryAndPhysical => "History and Physical",
            NoteKind::BriefHistoryAndPhysical => "Brief History and Physical",
            NoteKind::Progress => "Progress Note",
            NoteKind::Discharge => "Discharge Summary",
            NoteKind::Operative => "Operative Report",
            NoteKind::Procedure => "Procedure Note",
            NoteKind::Consultation => "Consultation",
            NoteKind::Ed => "ED Note",
            NoteKind::Office => "Office Visit",
        }
    }

    /// The note type stored on the note.
    pub fn note_type(self) -> &'static str {
        match self {
            NoteKind::BriefHistoryAndPhysical => "History and Physical",
            other => other.key(),
        }
    }

    pub fn by_key(key: &str) -> Option<NoteKind> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Notes every encounter of the type has.
    pub fn required(t: EncounterType) -> &'static [NoteKind] {
        use NoteKind::*;
        match t {
            EncounterType::Inpatient | EncounterType::Observation => {
                &[HistoryAndPhysical, Progress, Discharge]
            }
            EncounterType::Emergency => &[Ed],
            EncounterType::Outpatient => &[BriefHistoryAndPhysical],
            EncounterType::Professional => &[Office],
        }
    }

    /// Notes an encounter of the type has when its scenario provides them.
    pub fn optional(t: EncounterType) -> &'static [NoteKind] {
        use NoteKind::*;
        match t {
            EncounterType::Inpatient => &[Operative, Procedure, Consultation],
            EncounterType::Observation => &[Procedure, Consultation],
            EncounterType::Outpatient => &[Operative, Procedure],
            EncounterType::Emergency | EncounterType::Professional => &[],
        }
    }
}

pub(crate) fn known_kinds() -> String {
    NoteKind::ALL.map(|k| format!("\"{}\"", k.key())).join(", ")
}

/// ICD-10-CM as written on a claim: letter, digit, alphanumeric, then a dot and 1-4 more.
pub(crate) fn cm_shape_ok(code: &str) -> bool {
    let b = code.as_bytes();
    let head = b.len() >= 3
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && (b[2].is_ascii_digit() || b[2].is_ascii_uppercase());
    let tail = match b.len() {
        3 => true,
        5..=8 => {
            b[3] == b'.'
                && b[4..]
                    .iter()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        }
        _ => false,
    };
    head && tail
}

/// ICD-10-PCS: exactly seven characters of 0-9 and A-Z without I and O.
pub(crate) fn pcs_shape_ok(code: &str) -> bool {
    code.len() == 7
        && code
            .bytes()
            .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && c != b'I' && c != b'O'))
}
