//! The overlays that can sit over a screen, in ONE order. Keys go to the top one, Esc closes the
//! top one, the footer describes the top one and drawing goes bottom to top: all four read
//! `stack`, so they cannot disagree.
//!
//! The overlays' data still lives where each feature keeps it (the picker in `EncounterState`,
//! the query panel in `EncounterCdi`, ...); this module is the single place that decides which of
//! the open ones is on top.
use crate::tui::state::{Screen, State};

/// An overlay, from the top-most down (the order of `ORDER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modal {
    /// `?` / F1: the help, over everything.
    Help,
    /// `:` the command line.
    Command,
    /// A y/n question (remove a code, quit with unsaved text).
    Confirm,
    /// `f` the find-in-note line.
    Find,
    /// The valid-codes picker (a header code or one missing its 7th character was chosen).
    Picker,
    /// `e` the coding edits list.
    Edits,
    /// `Q` the encounter's query panel.
    QueryPanel,
    /// The ICD-10-PCS axis browser.
    Pcs,
    /// The code detail with the keyboard on its references (Ctrl-R).
    DetailRefs,
    /// The code detail as a popup (small windows, or the zoomed viewer).
    Detail,
    /// `g` the working MS-DRG explained.
    Drg,
}

impl Modal {
    /// Top-most first.
    pub const ORDER: [Modal; 11] = [
        Modal::Help,
        Modal::Command,
        Modal::Confirm,
        Modal::Find,
        Modal::Picker,
        Modal::Edits,
        Modal::QueryPanel,
        Modal::Pcs,
        Modal::DetailRefs,
        Modal::Detail,
        Modal::Drg,
    ];

    /// True if this overlay is open in `state`.
    pub fn is_open(self, state: &State) -> bool {
        let enc = state
            .encounter
            .as_ref()
            .filter(|_| state.screen == Screen::Encounter);
        match self {
            Modal::Help => state.help.is_some(),
            Modal::Command => state.command.is_some(),
            Modal::Confirm => enc.is_some_and(|e| e.confirm.is_some()),
            Modal::Find => enc.is_some_and(|e| e.find.is_some()),
            Modal::Picker => enc.is_some_and(|e| e.picker.is_some()),
            Modal::Edits => enc.is_some_and(|e| e.edits.open),
            Modal::QueryPanel => enc.is_some_and(|e| e.cdi.panel.is_some()),
            Modal::Pcs => enc.is_some_and(|e| e.pcs.is_some()),
            Modal::DetailRefs => enc.is_some_and(|e| e.nav.active),
            Modal::Detail => enc.is_some_and(|e| e.detail_open),
            Modal::Drg => enc.is_some_and(|e| e.drg_open),
        }
    }

    /// Takes the keyboard while open (the detail popup does not: the pane under it keeps it).
    pub fn takes_keys(self) -> bool {
        !matches!(self, Modal::Detail)
    }
}

/// The open overlays, top-most first.
pub fn stack(state: &State) -> Vec<Modal> {
    Modal::ORDER
        .into_iter()
        .filter(|m| m.is_open(state))
        .collect()
}

/// The open overlay that has the keyboard, if any.
pub fn top(state: &State) -> Option<Modal> {
    Modal::ORDER
        .into_iter()
        .find(|m| m.takes_keys() && m.is_open(state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn the_order_lists_every_overlay_once() {
        for m in Modal::ORDER {
            assert_eq!(Modal::ORDER.iter().filter(|x| **x == m).count(), 1);
        }
    }

    #[test]
    fn help_and_command_sit_over_the_screen() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        let mut s = State::new("t", Role::Coder, false, today);
        assert_eq!(top(&s), None);
        s.command = Some(Default::default());
        assert_eq!(top(&s), Some(Modal::Command));
        s.help = Some(0);
        assert_eq!(stack(&s), vec![Modal::Help, Modal::Command]);
        assert_eq!(top(&s), Some(Modal::Help));
    }
}
