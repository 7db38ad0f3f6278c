//! Compiled note templates: text split once into literal and placeholder segments, so rendering a note
//! is string pushes only (no parsing per note).
use anyhow::{Result, bail};

/// Index of a template in a scenario's template table.
pub(crate) type TplId = u32;

/// Values known from the patient, the encounter or the note being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Patient,
    First,
    Last,
    Title,
    Age,
    AAge,
    Sex,
    Man,
    He,
    HeCap,
    His,
    HisCap,
    Him,
    Dob,
    Mrn,
    Account,
    AdmitDate,
    DischargeDate,
    Los,
    Attending,
    Consultant,
    Surgeon,
    Pcp,
    Author,
    ProcedureDate,
    NoteDate,
    NoteTime,
    HospitalDay,
    LevelOfCare,
    Hospital,
}

impl Builtin {
    pub const NAMES: &'static [(&'static str, Builtin)] = &[
        ("patient", Builtin::Patient),
        ("first", Builtin::First),
        ("last", Builtin::Last),
        ("Mr", Builtin::Title),
        ("age", Builtin::Age),
        ("a_age", Builtin::AAge),
        ("sex", Builtin::Sex),
        ("man", Builtin::Man),
        ("he", Builtin::He),
        ("He", Builtin::HeCap),
        ("his", Builtin::His),
        ("His", Builtin::HisCap),
        ("him", Builtin::Him),
        ("dob", Builtin::Dob),
        ("mrn", Builtin::Mrn),
        ("account", Builtin::Account),
        ("admit_date", Builtin::AdmitDate),
        ("discharge_date", Builtin::DischargeDate),
        ("los", Builtin::Los),
        ("attending", Builtin::Attending),
        ("consultant", Builtin::Consultant),
        ("surgeon", Builtin::Surgeon),
        ("pcp", Builtin::Pcp),
        ("author", Builtin::Author),
        ("procedure_date", Builtin::ProcedureDate),
        ("note_date", Builtin::NoteDate),
        ("note_time", Builtin::NoteTime),
        ("hospital_day", Builtin::HospitalDay),
        ("level_of_care", Builtin::LevelOfCare),
        ("hospital", Builtin::Hospital),
    ];

    pub fn by_name(name: &str) -> Option<Builtin> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
    }
}

/// The parts of a progress-note stage, reachable as `{{pn.subjective}}` and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StageField {
    Subjective = 0,
    Exam = 1,
    Labs = 2,
    Ap = 3,
    Vitals = 4,
}

impl StageField {
    pub fn by_name(name: &str) -> Option<StageField> {
        match name {
            "pn.subjective" => Some(StageField::Subjective),
            "pn.exam" => Some(StageField::Exam),
            "pn.labs" => Some(StageField::Labs),
            "pn.ap" => Some(StageField::Ap),
            "pn.vitals" => Some(StageField::Vitals),
            _ => None,
        }
    }
}

/// One piece of a compiled template.
#[derive(Debug, Clone)]
pub(crate) enum Seg {
    Lit(Box<str>),
    Builtin(Builtin),
    /// A number (index into the scenario's number definitions).
    Num(u16),
    /// A choice among templates made once per encounter.
    Pick(u16),
    /// Another template, rendered in place.
    Text(TplId),
    /// A value set by the encounter's scenario variant.
    Variant(u16),
    /// A field of the progress-note stage being written.
    Stage(StageField),
}

/// A piece of template source before names are resolved.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RawSeg<'a> {
    Lit(&'a str),
    Name(&'a str),
}

/// Split template text at `{{name}}` placeholders. Errors give the line within the text.
pub(crate) fn split(src: &str) -> Result<Vec<RawSeg<'_>>> {
    let mut out = Vec::new();
    let mut rest = src;
    let mut consumed = 0usize;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            out.push(RawSeg::Lit(&rest[..open]));
        }
        let after = &rest[open + 2..];
        let line = 1 + src[..consumed + open].matches('\n').count();
        let Some(close) = after.find("}}") else {
            bail!("line {line}: '{{{{' is never closed with '}}}}'");
        };
        let name = after[..close].trim();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !valid {
            bail!(
                "line {line}: '{{{{{}}}}}' is not a placeholder name (use letters, digits, '_' or '.')",
                &after[..close]
            );
        }
        out.push(RawSeg::Name(name));
        let step = open + 2 + close + 2;
        consumed += step;
        rest = &rest[step..];
    }
    if !rest.is_empty() {
        out.push(RawSeg::Lit(rest));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_placeholders() {
        let s = split("BNP {{bnp}} pg/mL, EF {{ ef }}%").unwrap();
        assert_eq!(
            s,
            vec![
                RawSeg::Lit("BNP "),
                RawSeg::Name("bnp"),
                RawSeg::Lit(" pg/mL, EF "),
                RawSeg::Name("ef"),
                RawSeg::Lit("%"),
            ]
        );
        assert_eq!(split("plain").unwrap(), vec![RawSeg::Lit("plain")]);
        assert!(split("").unwrap().is_empty());
    }

    #[test]
    fn split_errors_name_the_line() {
        let e = split("a\nb {{oops\nc").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        let e = split("x {{bad name}}").unwrap_err().to_string();
        assert!(e.contains("bad name"), "{e}");
    }

    #[test]
    fn builtin_names_are_unique() {
        for (i, (a, _)) in Builtin::NAMES.iter().enumerate() {
            for (b, _) in &Builtin::NAMES[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(Builtin::by_name("He"), Some(Builtin::HeCap));
        assert_eq!(Builtin::by_name("nope"), None);
    }
}
