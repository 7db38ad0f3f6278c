//! `chartdesk report drg`: the case-mix report as rows (table and CSV; JSON is the report itself).
use super::report::{Table, opt, pct};
use crate::report::drg::{CaseMix, DrgReport};
use anyhow::Result;
use std::io::Write;

/// CMI and CC/MCC capture overall, by coder, team and month; then the DRG mix; then the weight
/// change from queries (overall and by CDI specialist).
pub fn drg_table(r: &DrgReport) -> Table {
    let mut t = Table::new(&[
        "group",
        "key",
        "encounters",
        "cmi",
        "mcc",
        "cc",
        "capture",
        "with_cc_codes",
    ]);
    let mix_row = |group: &str, m: &CaseMix| {
        vec![
            group.to_string(),
            m.key.clone(),
            m.encounters.to_string(),
            opt(m.cmi, 4),
            m.with_mcc.to_string(),
            m.with_cc.to_string(),
            pct(m.capture_rate),
            m.with_cc_codes.to_string(),
        ]
    };
    t.push(mix_row("all", &r.overall));
    for (group, v) in [
        ("coder", &r.by_coder),
        ("team", &r.by_team),
        ("month", &r.by_month),
    ] {
        for m in v {
            t.push(mix_row(group, m));
        }
    }
    for m in &r.mix {
        t.push(vec![
            "drg".into(),
            format!("{:03} {}", m.drg, m.title),
            m.count.to_string(),
            format!("{:.4}", m.weight),
            "-".into(),
            "-".into(),
            format!("{:.0}%", m.share * 100.0),
            "-".into(),
        ]);
    }
    for q in std::iter::once(&r.queries).chain(&r.queries_by_specialist) {
        let group = if q.key == "all" {
            "queries"
        } else {
            "specialist"
        };
        t.push(vec![
            group.into(),
            q.key.clone(),
            q.compared.to_string(),
            format!("{:+.4}", q.weight_change),
            "-".into(),
            "-".into(),
            opt(q.mean_weight_change, 4),
            q.drg_changed.to_string(),
        ]);
    }
    t
}

/// The lines under the table: what the columns mean for the DRG and query rows.
pub fn write_notes<W: Write>(out: &mut W, r: &DrgReport) -> Result<()> {
    writeln!(
        out,
        "\nMS-DRG {} case mix, coded {}..{}: CMI = mean final weight of coded inpatient encounters",
        r.grouper, r.from, r.to
    )?;
    writeln!(
        out,
        "drg rows: encounters = count, cmi = weight, capture = share of coded encounters"
    )?;
    writeln!(
        out,
        "queries rows: encounters = queries compared (sent with a working DRG, now coded), cmi = \
         total weight change, capture = mean change, with_cc_codes = queries whose DRG changed"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::drg::{CodedDrg, drg_report};

    #[test]
    fn table_rows_follow_the_report() {
        let rows = vec![CodedDrg {
            coded_by: "ann".into(),
            month: "2026-11".into(),
            drg: 871,
            title: "Septicemia".into(),
            weight: 1.9,
            severity: "MCC".into(),
            has_cc_codes: true,
        }];
        let r = drg_report(&rows, &[], &Default::default());
        let t = drg_table(&r);
        assert_eq!(t.rows[0][..4], ["all", "all", "1", "1.9000"]);
        assert_eq!(t.rows[0][6], "100%");
        assert!(
            t.rows
                .iter()
                .any(|r| r[0] == "drg" && r[1] == "871 Septicemia")
        );
        assert_eq!(t.rows.last().map(|r| r[0].as_str()), Some("queries"));
    }
}
