//! `chartdesk check`: the coding edit engine on a code list, for scripts and audits. Exit code 1
//! when any edit of error severity fires.
use crate::domain::{CodeSystem, EncounterType, Poa, Sex};
use crate::edits::{Claim, ClaimCode, Edit, Severity, has_errors};
use crate::service::{Service, ServiceError};
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// ICD-10-CM diagnosis codes in sequence ("I50.23", "e119"). Without --principal the first one
    /// is the principal diagnosis.
    pub codes: Vec<String>,
    /// The principal diagnosis (listed first). Given twice, the engine reports two principals.
    #[arg(long, value_name = "CODE")]
    pub principal: Vec<String>,
    /// Patient age in years at admission (MCE age edits).
    #[arg(long, value_name = "N")]
    pub age: Option<u32>,
    /// Patient sex: F or M (MCE sex edits).
    #[arg(long, value_parser = parse_sex, value_name = "F|M")]
    pub sex: Option<Sex>,
    /// inpatient, outpatient, emergency, observation or professional (POA rules need inpatient).
    #[arg(long, value_parser = parse_type, value_name = "TYPE")]
    pub encounter_type: Option<EncounterType>,
    /// Present-on-admission indicator of a code: CODE=Y (Y, N, U, W or 1); repeat per code.
    #[arg(long, value_parser = parse_poa, value_name = "CODE=POA")]
    pub poa: Vec<(String, Poa)>,
    /// One JSON object per edit: severity, rule, codes, message, source.
    #[arg(long)]
    pub json: bool,
}

fn parse_sex(s: &str) -> Result<Sex, String> {
    Sex::parse_loose(s).ok_or_else(|| format!("'{s}' is not a sex: use F or M"))
}

fn parse_type(s: &str) -> Result<EncounterType, String> {
    s.parse()
}

fn parse_poa(s: &str) -> Result<(String, Poa), String> {
    let (code, value) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not CODE=POA (for example I50.23=Y)"))?;
    let code = crate::domain::code::dotted_cm(code);
    if code.is_empty() {
        return Err(format!("'{s}' names no code before '='"));
    }
    Ok((code, value.parse::<Poa>()?))
}

/// The claim the arguments describe.
pub fn claim(args: &CheckArgs) -> Result<Claim> {
    let list: Vec<(String, bool)> = args
        .principal
        .iter()
        .map(|c| (c.clone(), true))
        .chain(args.codes.iter().map(|c| (c.clone(), false)))
        .collect();
    if list.is_empty() {
        return Err(ServiceError::Invalid(
            "no codes to check: give diagnosis codes, e.g. 'chartdesk check I50.23 I10'".into(),
        )
        .into());
    }
    let no_principal = args.principal.is_empty();
    let mut codes: Vec<ClaimCode> = list
        .into_iter()
        .enumerate()
        .map(|(i, (code, principal))| ClaimCode {
            system: CodeSystem::Icd10Cm,
            poa: None,
            principal: principal || (no_principal && i == 0),
            seq: u32::try_from(i + 1).unwrap_or(u32::MAX),
            code,
        })
        .collect();
    for (code, poa) in &args.poa {
        let target = codes
            .iter_mut()
            .find(|c| crate::domain::code::dotted_cm(&c.code) == *code)
            .ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "--poa {code}={poa}: {code} is not among the codes checked"
                ))
            })?;
        target.poa = Some(*poa);
    }
    Ok(Claim {
        codes,
        age: args.age,
        sex: args.sex,
        encounter_type: args.encounter_type,
        notes_text: None,
    })
}

/// Runs the check and prints the edits; exit code 1 when any error fires.
pub fn run<W: Write>(svc: &Service, args: &CheckArgs, out: &mut W) -> Result<ExitCode> {
    let edits = svc.check_claim(&claim(args)?)?;
    print(out, &edits, args.json)?;
    Ok(if has_errors(&edits) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// JSON lines, or a table with a summary line.
pub fn print<W: Write>(out: &mut W, edits: &[Edit], json: bool) -> Result<()> {
    if json {
        for e in edits {
            serde_json::to_writer(&mut *out, e)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    if edits.is_empty() {
        writeln!(out, "no edits: the codes pass every check")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<8} {:<26} {:<18} MESSAGE",
        "SEVERITY", "RULE", "CODES"
    )?;
    for e in edits {
        writeln!(
            out,
            "{:<8} {:<26} {:<18} {}",
            e.severity.as_str(),
            e.rule,
            e.codes.join(","),
            e.message
        )?;
    }
    let count = |s: Severity| edits.iter().filter(|e| e.severity == s).count();
    writeln!(
        out,
        "{} error(s), {} warning(s), {} info",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct T {
        #[command(flatten)]
        args: CheckArgs,
    }

    fn parse(argv: &[&str]) -> Result<CheckArgs, clap::Error> {
        T::try_parse_from(std::iter::once("check").chain(argv.iter().copied())).map(|t| t.args)
    }

    #[test]
    fn builds_the_claim() {
        let a = parse(&[
            "--principal",
            "f0280",
            "G30.9",
            "--poa",
            "G30.9=Y",
            "--sex",
            "F",
            "--age",
            "80",
            "--encounter-type",
            "inpatient",
        ])
        .unwrap();
        let c = claim(&a).unwrap();
        assert_eq!(c.codes.len(), 2);
        assert!(c.codes[0].principal && !c.codes[1].principal);
        assert_eq!(c.codes[1].poa, Some(Poa::Yes));
        assert_eq!(
            (c.age, c.sex, c.encounter_type),
            (Some(80), Some(Sex::Female), Some(EncounterType::Inpatient))
        );
        let c = claim(&parse(&["I10", "E11.9"]).unwrap()).unwrap();
        assert!(c.codes[0].principal && !c.codes[1].principal);
    }

    #[test]
    fn rejects_bad_values() {
        assert!(parse(&["I10", "--poa", "I10=X"]).is_err());
        assert!(parse(&["I10", "--poa", "I10"]).is_err());
        assert!(parse(&["I10", "--sex", "Q"]).is_err());
        assert!(parse(&["I10", "--encounter-type", "inpt"]).is_err());
        assert!(claim(&parse(&["I10", "--poa", "E11.9=Y"]).unwrap()).is_err());
        assert!(claim(&parse(&[]).unwrap()).is_err());
    }
}
