//! The case-mix report through the one door: CMI, CC/MCC capture, DRG mix and the weight change
//! from queries (`report::drg`), scoped like the other reports (coders see their own figures).
use super::Service;
use super::reports::{day_after, day_start, log_view, range_detail, scope};
use crate::domain::Permission;
use crate::report::drg::{CodedDrg, DrgReport, QueryChange, drg_report};
use crate::store;
use anyhow::Result;
use chrono::NaiveDate;

impl Service {
    /// Case mix of the inpatient encounters coded between `from` and `to` (inclusive UTC days),
    /// optionally for one team. Coders get their own figures only. Audited.
    pub fn report_drg(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        team: Option<&str>,
    ) -> Result<DrgReport> {
        let tables = super::grouping::tables()?;
        self.write(Permission::ViewCharts, "view reports", |tx, me| {
            let (f, t) = (day_start(from), day_after(to));
            let only = scope(tx, me, team)?;
            let keep = |login: &str| only.as_ref().is_none_or(|v| v.iter().any(|l| l == login));
            let rows: Vec<CodedDrg> = store::drg::coded_rows(tx, &f, &t)?
                .into_iter()
                .filter(|r| keep(&r.coded_by))
                .map(|r| CodedDrg {
                    month: r.coded_at.get(..7).unwrap_or("").to_string(),
                    title: tables
                        .drg(r.drg)
                        .map(|d| d.title.clone())
                        .unwrap_or_default(),
                    coded_by: r.coded_by,
                    drg: r.drg,
                    weight: r.weight,
                    severity: r.severity,
                    has_cc_codes: r.has_cc_codes,
                })
                .collect();
            // Query changes are a CDI figure: everyone's for supervisors, a coder's own otherwise.
            let changes: Vec<QueryChange> = store::drg::query_changes(tx, &f, &t)?
                .into_iter()
                .filter(|(_, who, _)| {
                    me.role.allows(Permission::Reports) && team.is_none() || keep(who)
                })
                .map(|(_, specialist, drg)| QueryChange { specialist, drg })
                .collect();
            let teams = store::reports::teams(tx)?;
            let mut r = drg_report(&rows, &changes, &teams);
            r.from = from.to_string();
            r.to = to.to_string();
            r.grouper = crate::grouper::VERSION.to_string();
            log_view(tx, me, "drg", &range_detail(from, to, team))?;
            Ok(r)
        })
    }
}
