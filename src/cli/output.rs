//! Human tables and JSON lines for the CLI.
use super::ExportFormat;
use crate::search::CodeHit;
use crate::service::{CodeDetail, InitReport};
use crate::store::assignments::ExportRow;
use crate::store::audit::AuditRow;
use crate::store::encounters::EncounterRow;
use crate::store::users::UserRow;
use anyhow::Result;
use std::io::Write;

fn json_line<W: Write, T: serde::Serialize>(out: &mut W, v: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    writeln!(out)?;
    Ok(())
}

/// Cuts `s` to `w` characters, marking the cut.
pub fn fit(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub fn init_report<W: Write>(out: &mut W, r: &InitReport, demo: bool) -> Result<()> {
    writeln!(out, "data directory: {}", r.data_dir)?;
    if !r.created_database {
        writeln!(
            out,
            "existing data kept: {} encounters, {} notes",
            r.existing_encounters, r.existing_notes
        )?;
    }
    if let Some(a) = &r.admin_added {
        writeln!(out, "admin: {a} (the login that ran init)")?;
    }
    for s in &r.code_sets_loaded {
        writeln!(out, "loaded code set: {s}")?;
    }
    if demo {
        if r.demo_encounters_added > 0 {
            writeln!(
                out,
                "demo data: {} encounters, {} notes",
                r.demo_encounters_added, r.demo_notes_added
            )?;
        } else {
            writeln!(
                out,
                "demo data not added: the database already has encounters"
            )?;
        }
    }
    if r.index_rebuilt {
        writeln!(out, "code index built")?;
    }
    writeln!(out, "ready: run 'chartdesk' to open the workstation")?;
    Ok(())
}

pub fn users<W: Write>(out: &mut W, rows: &[UserRow], json: bool) -> Result<()> {
    for u in rows {
        if json {
            json_line(out, u)?;
        } else {
            writeln!(
                out,
                "{:<20} {:<11} {}",
                u.login,
                u.role.as_str(),
                if u.active { "" } else { "inactive" }
            )?;
        }
    }
    Ok(())
}

pub fn encounters<W: Write>(out: &mut W, rows: &[EncounterRow], json: bool) -> Result<()> {
    if json {
        for e in rows {
            json_line(
                out,
                &serde_json::json!({
                    "account": e.account, "mrn": e.mrn, "patient": e.patient_name,
                    "type": e.enc_type, "admit_date": e.admit_date, "discharge_date": e.discharge_date,
                    "attending": e.attending, "status": e.status, "claimed_by": e.claimed_by,
                    "codes": e.code_count,
                }),
            )?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{:<10} {:<24} {:<12} {:<10} {:<11} HOLDER",
        "ACCOUNT", "PATIENT", "TYPE", "DISCHARGE", "STATUS"
    )?;
    for e in rows {
        writeln!(
            out,
            "{:<10} {:<24} {:<12} {:<10} {:<11} {}",
            e.account,
            fit(&e.patient_name, 24),
            e.enc_type.as_str(),
            e.discharge_date.as_deref().unwrap_or("-"),
            e.status.as_str(),
            e.claimed_by.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

pub fn code_hits<W: Write>(out: &mut W, hits: &[CodeHit], json: bool) -> Result<()> {
    for h in hits {
        if json {
            json_line(out, h)?;
        } else {
            let flag = if h.billable { ' ' } else { '*' };
            write!(
                out,
                "{:<9}{flag} {:<10} {}",
                h.code,
                h.system.short(),
                h.title
            )?;
            if let Some(m) = &h.matched {
                write!(out, "  [{m}]")?;
            }
            writeln!(out)?;
        }
    }
    if !json && hits.iter().any(|h| !h.billable) {
        writeln!(out, "(* header code: not billable, pick a code beneath it)")?;
    }
    Ok(())
}

pub fn code_detail<W: Write>(out: &mut W, d: &CodeDetail, json: bool) -> Result<()> {
    if json {
        return json_line(
            out,
            &serde_json::json!({
                "code": d.entry.code, "system": d.entry.system, "title": d.entry.title,
                "billable": d.entry.billable, "notes": d.entry.notes,
                "ancestors": d.ancestors.iter().map(|a| serde_json::json!({"code": a.code, "title": a.title})).collect::<Vec<_>>(),
                "children": d.children.iter().map(|a| serde_json::json!({"code": a.code, "title": a.title, "billable": a.billable})).collect::<Vec<_>>(),
                "seventh_characters": d.seventh, "seventh_from": d.seventh_from,
            }),
        );
    }
    let e = &d.entry;
    writeln!(
        out,
        "{} {}  ({}{})",
        e.code,
        e.title,
        e.system,
        if e.billable {
            ", billable"
        } else if matches!(
            e.system,
            crate::domain::CodeSystem::Hcpcs | crate::domain::CodeSystem::Cpt
        ) {
            // A modifier or a terminated code: its notes say which.
            ", not billable"
        } else {
            ", header: not billable"
        }
    )?;
    for a in &d.ancestors {
        writeln!(out, "  in {} {}", a.code, a.title)?;
    }
    let n = &e.notes;
    for (label, items) in [
        ("Includes", &n.includes),
        ("Inclusion terms", &n.inclusion_terms),
        ("Excludes1", &n.excludes1),
        ("Excludes2", &n.excludes2),
        ("Code first", &n.code_first),
        ("Use additional code", &n.use_additional_code),
        ("Code also", &n.code_also),
        ("Notes", &n.notes),
    ] {
        if !items.is_empty() {
            writeln!(out, "{label}:")?;
            for i in items {
                writeln!(out, "  - {i}")?;
            }
        }
    }
    if !d.seventh.is_empty() {
        writeln!(
            out,
            "7th characters (from {}):",
            d.seventh_from.as_deref().unwrap_or("?")
        )?;
        for (c, m) in &d.seventh {
            writeln!(out, "  {c}  {m}")?;
        }
    }
    if !d.children.is_empty() {
        writeln!(out, "Codes beneath:")?;
        for c in &d.children {
            writeln!(
                out,
                "  {:<9}{} {}",
                c.code,
                if c.billable { ' ' } else { '*' },
                c.title
            )?;
        }
    }
    Ok(())
}

pub fn export<W: Write>(out: &mut W, rows: &[ExportRow], format: ExportFormat) -> Result<()> {
    match format {
        ExportFormat::Json => {
            for r in rows {
                json_line(out, r)?;
            }
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            for r in rows {
                w.serialize(r)?;
            }
            if rows.is_empty() {
                w.write_record([
                    "account",
                    "mrn",
                    "enc_type",
                    "status",
                    "system",
                    "code",
                    "title",
                    "seq",
                    "principal",
                    "poa",
                    "assigned_by",
                    "assigned_at",
                    "coded_by",
                    "coded_at",
                ])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

pub fn audit<W: Write>(out: &mut W, rows: &[AuditRow], json: bool) -> Result<()> {
    for r in rows {
        if json {
            json_line(out, r)?;
        } else {
            writeln!(
                out,
                "{}  {:<12} {:<16} enc={:<6} {} {}",
                r.at,
                r.login,
                r.action,
                r.encounter_id.map(|e| e.to_string()).unwrap_or_default(),
                r.object,
                r.detail
            )?;
        }
    }
    Ok(())
}
