//! The working MS-DRG panel (`g` in an encounter): opening, scrolling and closing it. The DRG
//! itself is regrouped with the edits (`reload_edits`) and drawn by `render::drg`.
use crate::tui::app::{Action, App};
use crate::tui::state::StatusKind;

impl App {
    /// Keys while the DRG panel is open; `ToggleDrg` also opens it from the encounter.
    pub(crate) fn drg_action(&mut self, action: Action) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        match action {
            Action::ToggleDrg if !enc.drg_open => {
                if enc.drg.is_none() {
                    let why =
                        if enc.view.encounter.enc_type == crate::domain::EncounterType::Inpatient {
                            "no working DRG yet: assign a principal diagnosis first"
                        } else {
                            "MS-DRGs group inpatient stays; this encounter is not inpatient"
                        };
                    self.state.set_status(StatusKind::Info, why.to_string());
                    return;
                }
                enc.drg_open = true;
                enc.drg_scroll = 0;
            }
            Action::ToggleDrg | Action::Back => enc.drg_open = false,
            Action::Down => enc.drg_scroll += 1,
            Action::Up => enc.drg_scroll = enc.drg_scroll.saturating_sub(1),
            Action::PageDown => enc.drg_scroll += 10,
            Action::PageUp => enc.drg_scroll = enc.drg_scroll.saturating_sub(10),
            _ => {}
        }
    }
}
