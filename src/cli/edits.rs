//! `chartdesk edits ACCOUNT` (an encounter's coding edits as they fire now) and `chartdesk override`
//! (a supervisor's override of an error, with a reason; the service checks the role and audits it).
use crate::service::Service;
use anyhow::Result;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct OverrideArgs {
    /// The encounter's account.
    pub account: String,
    /// The error's rule, as `chartdesk edits ACCOUNT` lists it (e.g. mce-age-maternity).
    pub rule: String,
    /// The codes the error names, comma-separated; needed only when the rule fires on several.
    #[arg(long, value_delimiter = ',', value_name = "CODE,...")]
    pub codes: Vec<String>,
    /// Why the claim is right despite the error (at least 15 characters; stored in the audit).
    #[arg(long)]
    pub reason: String,
}

/// Lists the edits on one encounter, errors first; `--json` one object per line.
pub fn list(svc: &mut Service, account: &str, json: bool, out: &mut impl Write) -> Result<()> {
    let enc = svc.encounter_id(account.trim())?;
    let mut edits = svc.encounter_edits(enc)?;
    edits.sort_by_key(|e| e.edit.severity);
    if json {
        for e in &edits {
            writeln!(out, "{}", serde_json::to_string(e)?)?;
        }
        return Ok(());
    }
    if edits.is_empty() {
        writeln!(out, "no coding edits fire on {}", account.trim())?;
    }
    for e in &edits {
        let by = match &e.acknowledged_by {
            Some(who) => format!(" (acknowledged or overridden by {who})"),
            None => String::new(),
        };
        writeln!(
            out,
            "{:<7} {:<28} {:<24} {}{by}",
            e.edit.severity.to_string(),
            e.edit.rule,
            e.edit.codes.join(","),
            e.edit.message
        )?;
    }
    Ok(())
}

/// Overrides one error; without `--codes`, the rule must fire on exactly one set of codes.
pub fn override_error(svc: &mut Service, a: &OverrideArgs, out: &mut impl Write) -> Result<()> {
    let enc = svc.encounter_id(a.account.trim())?;
    let codes = if a.codes.is_empty() {
        let firing: Vec<Vec<String>> = svc
            .encounter_edits(enc)?
            .into_iter()
            .filter(|e| e.edit.rule == a.rule)
            .map(|e| e.edit.codes)
            .collect();
        match firing.as_slice() {
            [one] => one.clone(),
            [] => Vec::new(), // the service names what is missing
            many => {
                let sets: Vec<String> = many.iter().map(|c| c.join(",")).collect();
                return Err(crate::service::ServiceError::Invalid(format!(
                    "'{}' fires on several code sets ({}): name one with --codes",
                    a.rule,
                    sets.join("; ")
                ))
                .into());
            }
        }
    } else {
        a.codes.iter().map(|c| c.trim().to_string()).collect()
    };
    let edit = svc.override_edit(enc, &a.rule, &codes, &a.reason)?;
    writeln!(
        out,
        "overridden on {}: {} {} — {}",
        a.account.trim(),
        edit.rule,
        edit.codes.join(","),
        edit.message
    )?;
    Ok(())
}
