//! What the workstation's periodic refresh reads without flooding the audit log: the worklist,
//! audited only when what it shows has changed, and a cheap mark of what an encounter's coding edits
//! depend on besides its codes and note list (so the edits are recomputed only when it moves).
use super::Service;
use crate::domain::Permission;
use crate::store::encounters::{EncounterRow, WorklistFilter};
use crate::store::{self, edit_acks, encounters};
use anyhow::Result;

impl Service {
    /// The worklist again, for a periodic refresh: `None` when it is exactly `shown` (nothing new
    /// was seen, so nothing is audited); otherwise the new rows, audited like `worklist`.
    ///
    /// Idle costs next to nothing: while no other connection has committed (SQLite's
    /// `data_version`, read without touching a table) and this session wrote nothing, the rows
    /// last compared still stand and no query runs.
    pub fn worklist_if_changed(
        &mut self,
        filter: &WorklistFilter,
        shown: &[EncounterRow],
    ) -> Result<Option<Vec<EncounterRow>>> {
        self.require(Permission::ViewCharts, "view the worklist")?;
        let version = store::data_version(&self.conn)?;
        if let Some((v, f, rows)) = &self.refresh_mark
            && *v == version
            && f == filter
            && rows.as_slice() == shown
        {
            return Ok(None);
        }
        let now = encounters::worklist(&self.conn, filter)?;
        if now == shown {
            self.refresh_mark = Some((version, filter.clone(), now));
            return Ok(None);
        }
        self.refresh_mark = None;
        self.write(Permission::ViewCharts, "view the worklist", |tx, me| {
            let rows = encounters::worklist(tx, filter)?;
            super::coding::audit_worklist(tx, &me.login, &rows, "rows (changed on refresh)")?;
            Ok(Some(rows))
        })
    }

    /// Changes whenever a note anywhere changes or the encounter's edit acknowledgements change:
    /// with the encounter's codes and note list, what its coding edits depend on.
    pub fn edits_basis(&self, enc: i64) -> Result<String> {
        self.require(Permission::ViewCharts, "view coding edits")?;
        let change = store::notes::max_change_seq(&self.conn)?;
        let acks: Vec<String> = edit_acks::list(&self.conn, enc)?
            .into_iter()
            .map(|a| format!("{}|{}|{}|{}", a.rule, a.codes, a.login, a.at))
            .collect();
        Ok(format!("{change};{}", acks.join(";")))
    }
}
