//! `chartdesk audit`: the log (an encounter's, or everything for supervisors), `audit verify` (the
//! hash chain and its anchors) and `audit --patient MRN` (who saw or changed a patient's records).
use super::output;
use super::report::Format;
use crate::service::{AccessRow, Service, VerifyReport};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// Only this encounter's rows.
    #[arg(long, value_name = "ACCOUNT", conflicts_with = "patient")]
    pub encounter: Option<String>,
    /// The access report: every view and change of this patient's records (supervisors, admins).
    #[arg(long, value_name = "MRN")]
    pub patient: Option<String>,
    /// With --patient: from this day (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "patient")]
    pub from: Option<String>,
    /// With --patient: up to this day (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "patient")]
    pub to: Option<String>,
    /// With --patient: table (default), csv or json (one object per line).
    #[arg(long, value_enum, requires = "patient")]
    pub format: Option<Format>,
    #[arg(long, default_value_t = 50, conflicts_with = "patient")]
    pub limit: usize,
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit log's hash chain; exit 1 naming the first edited, deleted, inserted or
    /// reordered row (supervisors, admins).
    Verify {
        /// Also check the chain against the anchors in this file (see audit.anchors_file).
        #[arg(long, value_name = "FILE")]
        anchors: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run<W: Write>(svc: &mut Service, a: AuditArgs, out: &mut W) -> Result<ExitCode> {
    if let Some(AuditCommand::Verify { anchors, json }) = a.command {
        let r = svc.verify_audit(anchors.as_deref())?;
        verified(out, &r, json)?;
        return Ok(if r.ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    if let Some(mrn) = &a.patient {
        let rows = svc.access_report(mrn, a.from.as_deref(), a.to.as_deref())?;
        let format = match (a.format, a.json) {
            (Some(f), _) => f,
            (None, true) => Format::Json,
            (None, false) => Format::Table,
        };
        access(out, &rows, format)?;
        return Ok(ExitCode::SUCCESS);
    }
    let enc = match a.encounter {
        Some(acc) => Some(svc.encounter_id(&acc)?),
        None => None,
    };
    let rows = svc.audit_log(enc, a.limit)?;
    output::audit(out, &rows, a.json)?;
    Ok(ExitCode::SUCCESS)
}

fn verified<W: Write>(out: &mut W, r: &VerifyReport, json: bool) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(r)?)?;
        return Ok(());
    }
    if let Some(b) = &r.chain.first_break {
        writeln!(
            out,
            "audit chain BROKEN at row {}: {} ({} of {} rows do not match)",
            b.id, b.reason, r.chain.bad_rows, r.chain.rows
        )?;
    }
    if let Some(p) = &r.anchor_problem {
        writeln!(out, "audit anchors do NOT match: {p}")?;
    }
    if r.ok() {
        let head = r
            .chain
            .head
            .as_ref()
            .map(|h| format!(", head row {} {} at {}", h.id, h.hash, h.at))
            .unwrap_or_default();
        writeln!(
            out,
            "audit chain good: {} rows{head}; {} anchors checked",
            r.chain.rows, r.anchors_checked
        )?;
    }
    Ok(())
}

const ACCESS_HEADER: [&str; 9] = [
    "id",
    "at",
    "login",
    "action",
    "account",
    "encounter_id",
    "object",
    "detail",
    "client",
];

fn access<W: Write>(out: &mut W, rows: &[AccessRow], format: Format) -> Result<()> {
    let fields = |r: &AccessRow| -> [String; 9] {
        [
            r.row.id.to_string(),
            r.row.at.clone(),
            r.row.login.clone(),
            r.row.action.clone(),
            r.account.clone().unwrap_or_default(),
            r.row
                .encounter_id
                .map(|e| e.to_string())
                .unwrap_or_default(),
            r.row.object.clone(),
            r.row.detail.clone(),
            r.row.client.clone().unwrap_or_else(|| "local".into()),
        ]
    };
    match format {
        Format::Json => {
            for r in rows {
                writeln!(out, "{}", serde_json::to_string(r)?)?;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(ACCESS_HEADER)?;
            for r in rows {
                w.write_record(fields(r).iter().map(|f| sanitize(f)))?;
            }
            w.flush()?;
        }
        Format::Table => {
            if rows.is_empty() {
                writeln!(out, "no access recorded for this patient in that period")?;
            }
            for r in rows {
                let [_, at, login, action, account, _, object, detail, client] =
                    fields(r).map(|f| sanitize(&f));
                writeln!(
                    out,
                    "{at}  {login:<12} {action:<18} {account:<12} {client:<22} {object} {detail}"
                )?;
            }
        }
    }
    Ok(())
}

/// Control characters shown, never sent to the terminal: ESC as `^[`, other C0 as `^X`, DEL as
/// `^?`, C1 as `\u{9b}`.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{0}'..='\u{1f}' => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
            }
            '\u{7f}' => out.push_str("^?"),
            '\u{80}'..='\u{9f}' => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a^[[2Jb");
        assert_eq!(sanitize("x\ny\u{7f}\u{9b}"), "x^Jy^?\\u{9b}");
        assert_eq!(sanitize("Ünïcode ok"), "Ünïcode ok");
    }
}
