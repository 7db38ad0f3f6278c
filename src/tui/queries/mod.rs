//! Documentation queries in the workstation: pinning note text as clinical indicators, the query
//! panel of an encounter (compose, check, send, answer, close, cancel) and the CDI queue screen.
//! State lives here; `update` hands `Action::Query` to `App::query_action`; render is in
//! `render::compose` and `render::queries`.
pub(crate) mod calls;
pub mod keys;
pub mod panel;
mod panel_ops;
pub mod queue;
mod queue_ops;
pub mod select;
mod update;
pub mod views;

pub use panel::{Field, PanelState, Prompt};
pub use queue::{AgeFilter, QueueSort, QueueState, StatusFilter};
pub use select::{Extend, Selection};
pub use views::{Finding, HistoryLine, QueryCard, QueueRow};

/// What the query keys ask for (wrapped in `Action::Query`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QAction {
    // Note viewer: selecting and pinning.
    /// `v`: start a selection at the current find match or the top line shown.
    StartSelect,
    Extend(Extend),
    /// `p`: pin the selection (or the current find match's sentence) to the draft query.
    Pin,
    CancelSelect,
    // The query panel of the open encounter.
    /// `Q`: open the encounter's query panel (or close it).
    TogglePanel,
    /// Move between the panel's rows, or in the queue.
    Move(isize),
    /// Page / first / last in the queue or the panel.
    Page(isize),
    Top,
    Bottom,
    /// Left/right: cycle the highlighted choice (template, type, purpose).
    Cycle(isize),
    /// Enter: edit the highlighted field, open the highlighted row, or accept what is typed.
    Accept,
    Input(char),
    Backspace,
    ClearInput,
    /// Tab inside a prompt: next outcome.
    NextOutcome,
    /// Esc: close what is innermost.
    Back,
    /// `x`: remove the highlighted option or indicator.
    Remove,
    /// `S`: send the draft.
    Send,
    /// `A`: record the provider's answer.
    Answer,
    /// `C`: close an answered query.
    Close,
    /// `X`: cancel the query (asks for a reason).
    Cancel,
    /// `N`: start a new query for this encounter.
    New,
    /// `[` / `]`: the encounter's previous / next query.
    OtherQuery(isize),
    // The CDI queue.
    /// `Q` / F4 on the worklist, `:queue`.
    OpenQueue,
    ToggleMine,
    CycleStatus,
    CycleAge,
    CycleType,
    ToggleSort,
    StartFilter,
    /// `e`: open the encounter of the highlighted (or shown) query.
    OpenEncounter,
    Refresh,
}

/// Query state of the open encounter (a field of `EncounterState`, so it goes with the encounter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EncounterCdi {
    /// Text being selected in the note viewer.
    pub selection: Option<Selection>,
    /// The query panel, when open.
    pub panel: Option<PanelState>,
    /// The draft query pins go to (created by the first pin or by the panel).
    pub draft: Option<i64>,
    /// Quotes pinned to the query last shown or pinned to: (note row id, start, end) in
    /// characters; the viewer underlines them.
    pub pins: Vec<(i64, i64, i64)>,
}

impl EncounterCdi {
    /// A text field or prompt of the panel has the keyboard.
    pub fn typing(&self) -> bool {
        self.panel.as_ref().is_some_and(|p| p.typing())
    }
}
