//! Case mix for the supervisor: pure functions over coded encounters' final MS-DRGs.
//!
//! Definitions (for a period of coding dates, `[from, to)`):
//! - **CMI** (case mix index) = mean final relative weight of the coded inpatient encounters (those
//!   with a final DRG stored when marked coded). 999/998 count with their weight (0).
//! - **CC/MCC capture rate** = encounters whose final DRG counted a CC or MCC / coded encounters.
//!   Shown beside it: how many claims carried a CC/MCC code at all (counted or excluded).
//! - **DRG mix**: the most frequent final DRGs with their count, share and weight.
//! - **Weight change from queries**: for queries sent with a working DRG whose encounter is now
//!   coded, final weight − weight when sent (sum and mean), and how many changed DRG.
//!
//! Groups: by coder (who marked it coded), by the coder's team, by month coded (`YYYY-MM`, UTC).
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A query's MS-DRG when it was sent and, once its encounter is coded, the final one.
/// Weights in ten-thousandths so they compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueryDrg {
    pub before_drg: u16,
    pub before_weight_e4: i64,
    pub after_drg: Option<u16>,
    pub after_weight_e4: Option<i64>,
}

impl QueryDrg {
    /// Final weight minus the weight at sending (None until the encounter is coded).
    pub fn weight_change(&self) -> Option<f64> {
        self.after_weight_e4
            .map(|a| (a - self.before_weight_e4) as f64 / 10_000.0)
    }
    /// The final DRG differs from the DRG at sending (None until coded).
    pub fn changed(&self) -> Option<bool> {
        self.after_drg.map(|a| a != self.before_drg)
    }
}

/// One coded inpatient encounter's final DRG.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedDrg {
    pub coded_by: String,
    /// `YYYY-MM` of the coding.
    pub month: String,
    pub drg: u16,
    pub title: String,
    pub weight: f64,
    /// "MCC", "CC" or "".
    pub severity: String,
    pub has_cc_codes: bool,
}

/// One query's DRG change, with its creator.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryChange {
    pub specialist: String,
    pub drg: QueryDrg,
}

/// The case-mix figures of one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CaseMix {
    pub key: String,
    pub encounters: usize,
    pub cmi: Option<f64>,
    pub with_mcc: usize,
    pub with_cc: usize,
    /// (CC + MCC) / encounters.
    pub capture_rate: Option<f64>,
    /// Claims with any CC/MCC code on them (counted or not).
    pub with_cc_codes: usize,
}

/// One DRG in the mix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixRow {
    pub drg: u16,
    pub title: String,
    pub count: usize,
    pub share: f64,
    pub weight: f64,
}

/// Weight change from queries.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueryImpact {
    pub key: String,
    /// Queries sent with a working DRG whose encounter is coded.
    pub compared: usize,
    pub drg_changed: usize,
    pub weight_change: f64,
    pub mean_weight_change: Option<f64>,
}

/// Everything `report drg` and the dashboard panel show.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DrgReport {
    pub from: String,
    pub to: String,
    pub grouper: String,
    pub overall: CaseMix,
    pub by_coder: Vec<CaseMix>,
    pub by_team: Vec<CaseMix>,
    pub by_month: Vec<CaseMix>,
    pub mix: Vec<MixRow>,
    pub queries: QueryImpact,
    pub queries_by_specialist: Vec<QueryImpact>,
}

/// How many DRGs the mix lists.
pub const MIX_TOP: usize = 15;

fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// The figures of a group of coded encounters.
pub fn case_mix(key: &str, rows: &[&CodedDrg]) -> CaseMix {
    let n = rows.len();
    let with_mcc = rows.iter().filter(|r| r.severity == "MCC").count();
    let with_cc = rows.iter().filter(|r| r.severity == "CC").count();
    CaseMix {
        key: key.to_string(),
        encounters: n,
        cmi: (n > 0).then(|| rows.iter().map(|r| r.weight).sum::<f64>() / n as f64),
        with_mcc,
        with_cc,
        capture_rate: ratio(with_mcc + with_cc, n),
        with_cc_codes: rows.iter().filter(|r| r.has_cc_codes).count(),
    }
}

fn grouped(rows: &[CodedDrg], key: impl Fn(&CodedDrg) -> String) -> Vec<CaseMix> {
    let mut by: BTreeMap<String, Vec<&CodedDrg>> = BTreeMap::new();
    for r in rows {
        by.entry(key(r)).or_default().push(r);
    }
    by.iter().map(|(k, v)| case_mix(k, v)).collect()
}

/// Weight change over a set of query changes (only those whose encounter is coded count).
pub fn query_impact(key: &str, changes: &[&QueryChange]) -> QueryImpact {
    let deltas: Vec<(f64, bool)> = changes
        .iter()
        .filter_map(|c| Some((c.drg.weight_change()?, c.drg.changed()?)))
        .collect();
    let sum: f64 = deltas.iter().map(|d| d.0).sum();
    QueryImpact {
        key: key.to_string(),
        compared: deltas.len(),
        drg_changed: deltas.iter().filter(|d| d.1).count(),
        weight_change: sum,
        mean_weight_change: (!deltas.is_empty()).then(|| sum / deltas.len() as f64),
    }
}

/// The DRG report from coded encounters and query changes (already narrowed to the period and
/// scope), with each coder's team.
pub fn drg_report(
    rows: &[CodedDrg],
    changes: &[QueryChange],
    teams: &HashMap<String, String>,
) -> DrgReport {
    let all: Vec<&CodedDrg> = rows.iter().collect();
    let team_of = |login: &str| {
        teams
            .get(login)
            .filter(|t| !t.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| "(no team)".into())
    };
    let mut counts: BTreeMap<u16, (usize, f64, String)> = BTreeMap::new();
    for r in rows {
        let e = counts
            .entry(r.drg)
            .or_insert_with(|| (0, r.weight, r.title.clone()));
        e.0 += 1;
    }
    let mut mix: Vec<MixRow> = counts
        .into_iter()
        .map(|(drg, (count, weight, title))| MixRow {
            drg,
            title,
            count,
            share: count as f64 / rows.len().max(1) as f64,
            weight,
        })
        .collect();
    mix.sort_by(|a, b| b.count.cmp(&a.count).then(a.drg.cmp(&b.drg)));
    mix.truncate(MIX_TOP);
    let mut by_spec: BTreeMap<String, Vec<&QueryChange>> = BTreeMap::new();
    for c in changes {
        by_spec.entry(c.specialist.clone()).or_default().push(c);
    }
    DrgReport {
        overall: case_mix("all", &all),
        by_coder: grouped(rows, |r| r.coded_by.clone()),
        by_team: grouped(rows, |r| team_of(&r.coded_by)),
        by_month: grouped(rows, |r| r.month.clone()),
        mix,
        queries: query_impact("all", &changes.iter().collect::<Vec<_>>()),
        queries_by_specialist: by_spec.iter().map(|(k, v)| query_impact(k, v)).collect(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(coder: &str, month: &str, drg: u16, weight: f64, sev: &str) -> CodedDrg {
        CodedDrg {
            coded_by: coder.into(),
            month: month.into(),
            drg,
            title: format!("DRG {drg}"),
            weight,
            severity: sev.into(),
            has_cc_codes: !sev.is_empty(),
        }
    }

    #[test]
    fn cmi_capture_and_mix_by_hand() {
        // ann: 871 (1.9) MCC + 392 (0.8) none -> CMI 1.35, capture 1/2.
        // bob: 871 (1.9) MCC + 193 (1.3) CC + 392 (0.8) none -> CMI 4.0/3, capture 2/3.
        let rows = vec![
            row("ann", "2026-11", 871, 1.9, "MCC"),
            row("ann", "2026-12", 392, 0.8, ""),
            row("bob", "2026-11", 871, 1.9, "MCC"),
            row("bob", "2026-11", 193, 1.3, "CC"),
            row("bob", "2026-12", 392, 0.8, ""),
        ];
        let teams = HashMap::from([("ann".to_string(), "north".to_string())]);
        let r = drg_report(&rows, &[], &teams);
        assert_eq!(r.overall.encounters, 5);
        assert!((r.overall.cmi.unwrap() - 6.7 / 5.0).abs() < 1e-9);
        assert_eq!(r.overall.capture_rate, Some(3.0 / 5.0));
        let ann = &r.by_coder[0];
        assert_eq!(ann.key, "ann");
        assert!((ann.cmi.unwrap() - 1.35).abs() < 1e-9);
        assert_eq!(ann.capture_rate, Some(0.5));
        assert_eq!(
            r.by_team.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
            ["(no team)", "north"]
        );
        assert_eq!(r.by_month.len(), 2);
        assert_eq!(r.by_month[0].encounters, 3);
        // Mix: 392 and 871 twice (ties by DRG number), then 193.
        let mix: Vec<(u16, usize)> = r.mix.iter().map(|m| (m.drg, m.count)).collect();
        assert_eq!(mix, [(392, 2), (871, 2), (193, 1)]);
        assert!((r.mix[0].share - 0.4).abs() < 1e-9);
        assert_eq!(r.queries.compared, 0);
        assert_eq!(r.queries.mean_weight_change, None);
    }

    #[test]
    fn query_weight_change_counts_only_coded_encounters() {
        let q = |who: &str, b: u16, bw: i64, a: Option<(u16, i64)>| QueryChange {
            specialist: who.into(),
            drg: QueryDrg {
                before_drg: b,
                before_weight_e4: bw,
                after_drg: a.map(|x| x.0),
                after_weight_e4: a.map(|x| x.1),
            },
        };
        let changes = vec![
            q("cdi1", 872, 10_000, Some((871, 19_000))),
            q("cdi1", 392, 8_000, Some((392, 8_000))),
            q("cdi2", 292, 9_000, None),
        ];
        let r = drg_report(&[], &changes, &HashMap::new());
        assert_eq!(r.queries.compared, 2);
        assert_eq!(r.queries.drg_changed, 1);
        assert!((r.queries.weight_change - 0.9).abs() < 1e-9);
        assert!((r.queries.mean_weight_change.unwrap() - 0.45).abs() < 1e-9);
        assert_eq!(r.queries_by_specialist.len(), 2);
        assert_eq!(r.queries_by_specialist[1].compared, 0);
        assert_eq!(r.overall.cmi, None);
    }
}
