//! Coding edits on the encounter screen: the list the service computes after every code change
//! (kept in `State`, never fetched by render), its counts line, and acknowledging warnings.
use crate::edits::Severity;
use crate::service::{EncounterEdit, EncounterView};
use crate::tui::app::{Action, App};
use crate::tui::state::{ListPos, Pane, StatusKind};

/// The open encounter's edits as last computed by `update`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditsState {
    pub list: Vec<EncounterEdit>,
    /// Why the edits could not be computed (shown instead of the counts).
    pub error: Option<String>,
    /// The edits list is open and has the keyboard.
    pub open: bool,
    pub pos: ListPos,
    /// What the list was computed from: the encounter as viewed and the service's mark of note
    /// changes and acknowledgements (a refresh recomputes only when one of them moved).
    pub basis: Option<(EncounterView, String)>,
}

/// How many edits of each kind fire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EditCounts {
    pub errors: usize,
    pub warnings: usize,
    /// Warnings nobody has acknowledged yet (they block marking coded).
    pub unacknowledged: usize,
    pub infos: usize,
}

impl EditCounts {
    /// Marking coded is refused while this is true.
    pub fn blocking(&self) -> bool {
        self.errors > 0 || self.unacknowledged > 0
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl EditsState {
    pub fn counts(&self) -> EditCounts {
        let mut c = EditCounts::default();
        for e in &self.list {
            match e.edit.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => {
                    c.warnings += 1;
                    if e.acknowledged_by.is_none() {
                        c.unacknowledged += 1;
                    }
                }
                Severity::Info => c.infos += 1,
            }
        }
        c
    }

    /// "Edits: 1 error, 2 warnings (1 to ack), 1 info" or "Edits: none".
    pub fn summary(&self) -> String {
        format!("Edits: {}", self.counts_text(false))
    }

    /// "1 error, 2 warnings (1 to ack), 1 info" ("1 err, 2 warn (1 to ack), 1 info" when
    /// `short`), "none", or why the edits were not checked.
    pub fn counts_text(&self, short: bool) -> String {
        let (err, errs, warn, warns) = if short {
            ("err", "errs", "warn", "warns")
        } else {
            ("error", "errors", "warning", "warnings")
        };
        if let Some(err) = &self.error {
            return format!("not checked ({err})");
        }
        let c = self.counts();
        let mut parts = Vec::new();
        if c.errors > 0 {
            parts.push(plural(c.errors, err, errs));
        }
        if c.warnings > 0 {
            let mut w = plural(c.warnings, warn, warns);
            if c.unacknowledged > 0 && c.unacknowledged < c.warnings {
                w.push_str(&format!(" ({} to ack)", c.unacknowledged));
            } else if c.unacknowledged == 0 {
                w.push_str(" (acked)");
            }
            parts.push(w);
        }
        if c.infos > 0 {
            parts.push(plural(c.infos, "info", "infos"));
        }
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    }

    pub fn selected(&self) -> Option<&EncounterEdit> {
        self.list.get(self.pos.selected)
    }

    /// Puts the cursor on the first edit that blocks marking coded (an error or an
    /// unacknowledged warning), else keeps it inside the list.
    pub fn select_first_blocking(&mut self) {
        if let Some(i) = self.list.iter().position(|e| {
            e.edit.severity == Severity::Error
                || (e.edit.severity == Severity::Warning && e.acknowledged_by.is_none())
        }) {
            self.pos.selected = i;
        }
        self.pos.clamp(self.list.len());
    }
}

/// A text marker for a severity, so the list reads without colour too.
pub fn marker(e: &EncounterEdit) -> &'static str {
    match (e.edit.severity, &e.acknowledged_by) {
        (Severity::Error, _) => "ERR",
        (Severity::Warning, None) => "WRN",
        (Severity::Warning, Some(_)) => "ACK",
        (Severity::Info, _) => "INF",
    }
}

impl App {
    /// What the open encounter's edits depend on now (None if it cannot be read: recompute).
    fn edits_basis(&self) -> Option<(EncounterView, String)> {
        let enc = self.state.encounter.as_ref()?;
        match self.service.edits_basis(enc.view.encounter.id) {
            Ok(mark) => Some((enc.view.clone(), mark)),
            Err(e) => {
                tracing::warn!("reading what the coding edits depend on: {e:#}");
                None
            }
        }
    }

    /// Recomputes the edits when the codes, the notes, the encounter or the acknowledgements
    /// changed since they were computed (the periodic refresh would otherwise read every note).
    pub(crate) fn reload_edits_if_changed(&mut self) {
        let now = self.edits_basis();
        let same = self
            .state
            .encounter
            .as_ref()
            .is_some_and(|e| now.is_some() && e.edits.basis == now && e.edits.error.is_none());
        if !same {
            self.reload_edits();
        }
    }

    /// Recomputes the open encounter's edits (after opening it and after every change to its codes).
    pub(crate) fn reload_edits(&mut self) {
        let Some(id) = self.state.encounter.as_ref().map(|e| e.view.encounter.id) else {
            return;
        };
        let basis = self.edits_basis();
        let found = self.service.encounter_edits(id);
        // The working DRG regroups on the same changes as the edits.
        let drg = match self.service.working_drg_for(id) {
            Ok(v) => v,
            Err(e) => {
                tracing::debug!("working DRG for encounter {id}: {e:#}");
                None
            }
        };
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        enc.drg = drg;
        let ed = &mut enc.edits;
        ed.basis = basis;
        match found {
            Ok(list) => {
                // Keep the cursor on the same edit when it still fires.
                let keep = ed.selected().map(|e| (e.edit.rule, e.edit.codes.clone()));
                ed.list = list;
                ed.error = None;
                if let Some((rule, codes)) = keep
                    && let Some(i) = ed
                        .list
                        .iter()
                        .position(|e| e.edit.rule == rule && e.edit.codes == codes)
                {
                    ed.pos.selected = i;
                }
                ed.pos.clamp(ed.list.len());
            }
            Err(e) => {
                tracing::warn!("coding edits for encounter {id}: {e:#}");
                ed.list.clear();
                ed.error = Some(format!("{e:#}"));
                ed.pos = ListPos::default();
            }
        }
    }

    /// Opens or closes the edits list.
    pub(crate) fn toggle_edits(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        enc.edits.open = !enc.edits.open;
        if enc.edits.open {
            enc.edits.select_first_blocking();
            if enc.edits.list.is_empty() && enc.edits.error.is_none() {
                self.state
                    .set_status(StatusKind::Info, "no coding edits fire on these codes");
            }
        }
    }

    /// Opens the edits list on the first blocking edit (after mark coded was refused).
    pub(crate) fn show_blocking_edits(&mut self) {
        if let Some(enc) = self.state.encounter.as_mut()
            && !enc.edits.list.is_empty()
        {
            enc.edits.open = true;
            enc.edits.select_first_blocking();
        }
    }

    /// Acknowledges the highlighted warning (the service refuses errors and says why).
    pub(crate) fn acknowledge_edit(&mut self) {
        if self.refuse_if_read_only() {
            return;
        }
        let Some((id, e)) = self
            .state
            .encounter
            .as_ref()
            .and_then(|enc| Some((enc.view.encounter.id, enc.edits.selected()?.clone())))
        else {
            self.state.set_status(
                StatusKind::Info,
                "no edit highlighted: nothing to acknowledge",
            );
            return;
        };
        if let Some(by) = &e.acknowledged_by {
            self.state.set_status(
                StatusKind::Info,
                format!("{} was already acknowledged by {by}", e.edit.rule),
            );
            return;
        }
        match self
            .service
            .acknowledge_edit(id, e.edit.rule, &e.edit.codes)
        {
            Ok(edit) => self.state.set_status(
                StatusKind::Success,
                format!(
                    "acknowledged {} on {} (audited)",
                    edit.rule,
                    edit.codes.join(", ")
                ),
            ),
            Err(err) => self.error(&err),
        }
        self.reload_edits();
    }

    /// `:override REASON` with the edits list open: a supervisor overrides the highlighted error
    /// (the service checks the role, the reason and that the error still fires; audited).
    pub(crate) fn override_edit(&mut self, reason: &str) {
        let Some((id, e)) = self.state.encounter.as_ref().and_then(|enc| {
            enc.edits
                .open
                .then(|| enc.edits.selected())
                .flatten()
                .map(|e| (enc.view.encounter.id, e.clone()))
        }) else {
            self.state.set_status(
                StatusKind::Info,
                "open the edits list (e), highlight the error, then :override REASON",
            );
            return;
        };
        match self
            .service
            .override_edit(id, e.edit.rule, &e.edit.codes, reason)
        {
            Ok(edit) => self.state.set_status(
                StatusKind::Success,
                format!(
                    "overrode {} on {} (audited with your reason)",
                    edit.rule,
                    edit.codes.join(", ")
                ),
            ),
            Err(err) => self.error(&err),
        }
        self.reload_edits();
    }

    /// Enter on an edit: close the list and put the cursor on its first code in the codes pane.
    fn goto_edit_code(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let target = enc.edits.selected().and_then(|e| {
            e.edit.codes.iter().find_map(|c| {
                enc.view
                    .assignments
                    .iter()
                    .find(|a| a.code.eq_ignore_ascii_case(c))
                    .map(|a| a.id)
            })
        });
        enc.edits.open = false;
        self.focus(Pane::Codes);
        if target.is_some() {
            self.select_code(target);
        }
    }

    /// Keys while the edits list is open.
    pub(crate) fn edits_action(&mut self, action: Action) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let len = enc.edits.list.len();
        let pos = &mut enc.edits.pos;
        match action {
            Action::Up => pos.move_by(-1, len),
            Action::Down => pos.move_by(1, len),
            Action::PageUp | Action::Top => pos.move_by(-(len as isize), len),
            Action::PageDown | Action::Bottom => pos.move_by(len as isize, len),
            Action::Back | Action::ToggleEdits => enc.edits.open = false,
            Action::AckEdit => self.acknowledge_edit(),
            Action::Accept => self.goto_edit_code(),
            _ => {}
        }
    }
}
