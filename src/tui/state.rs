//! What the screen shows: plain data that `render` draws and only `update` changes.
use crate::domain::{Assignment, CodeSystem, EncounterStatus, Role};
use crate::search::CodeHit;
use crate::service::{CodeDetail, EncounterView, Offer};
use crate::store::encounters::EncounterRow;
use crate::store::notes::NoteHeader;
use chrono::NaiveDate;

pub use super::edits::EditsState;
pub use super::notes_search::NotesSearchState;

pub use super::rows::{age_on, days_since, type_abbrev, visible_rows};

/// Which full screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Worklist,
    Encounter,
    /// Search every note (`s` on the worklist, `:notes QUERY`).
    NotesSearch,
    /// Supervisor dashboard: throughput, backlog, queries, accuracy.
    Dashboard,
    /// The CDI query queue (`tui::queries`).
    Queue,
}

/// Which encounters the worklist shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    All,
    /// Held by the acting user.
    Mine,
    /// Held by nobody and not yet coded: work to pick up.
    Unassigned,
}

impl Scope {
    pub fn next(self) -> Scope {
        match self {
            Scope::All => Scope::Mine,
            Scope::Mine => Scope::Unassigned,
            Scope::Unassigned => Scope::All,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Mine => "mine",
            Scope::Unassigned => "unassigned",
        }
    }
}

/// A cursor in a list and the first row shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListPos {
    pub selected: usize,
    pub offset: usize,
}

impl ListPos {
    /// Moves by `delta` rows, staying inside `0..len`.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let cur = self.selected.min(len - 1) as isize;
        self.selected = (cur + delta).clamp(0, len as isize - 1) as usize;
    }
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        self.offset = self.offset.min(self.selected);
    }
    /// Scrolls just enough for the selection to be inside a window of `height` rows.
    pub fn ensure_visible(&mut self, height: usize) {
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
    }
    /// The first row to draw in a window of `height` rows over `len` rows, with the selection visible
    /// even if `ensure_visible` was not called for this height.
    pub fn window_start(&self, len: usize, height: usize) -> usize {
        let mut p = *self;
        p.clamp(len);
        p.ensure_visible(height);
        p.offset.min(len.saturating_sub(height.max(1)))
    }
}

/// A line of text the user is typing, with the cursor kept at its end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
    /// The next typed character replaces the whole text (after a code was assigned from it).
    pub replace_on_type: bool,
}

impl TextInput {
    pub fn push(&mut self, c: char) {
        if self.replace_on_type {
            self.text.clear();
            self.replace_on_type = false;
        }
        self.text.push(c);
    }
    pub fn backspace(&mut self) {
        self.replace_on_type = false;
        self.text.pop();
    }
    pub fn clear(&mut self) {
        self.replace_on_type = false;
        self.text.clear();
    }
}

/// Worklist rows and how they are narrowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorklistState {
    /// Every encounter loaded from the service (scope and filter are applied on top).
    pub rows: Vec<EncounterRow>,
    /// Indices into `rows` that pass the scope and the filter, in display order.
    pub visible: Vec<usize>,
    pub filter: TextInput,
    /// The filter line has the keyboard.
    pub editing: bool,
    pub scope: Scope,
    pub pos: ListPos,
    /// More rows exist than were loaded.
    pub truncated: bool,
}

impl WorklistState {
    /// The row under the cursor.
    pub fn selected_row(&self) -> Option<&EncounterRow> {
        self.visible
            .get(self.pos.selected)
            .and_then(|&i| self.rows.get(i))
    }
}

/// Encounter counts by status, for the worklist header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub uncoded: usize,
    pub in_progress: usize,
    pub hold: usize,
    pub coded: usize,
}

impl Counts {
    pub fn of(rows: &[EncounterRow]) -> Counts {
        let mut c = Counts {
            total: rows.len(),
            ..Counts::default()
        };
        for r in rows {
            match r.status {
                EncounterStatus::Uncoded => c.uncoded += 1,
                EncounterStatus::InProgress => c.in_progress += 1,
                EncounterStatus::Hold => c.hold += 1,
                EncounterStatus::Coded => c.coded += 1,
            }
        }
        c
    }
}

/// The panes of the encounter screen, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Notes,
    Viewer,
    Codes,
    Search,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Notes, Pane::Viewer, Pane::Codes, Pane::Search];
    pub fn next(self) -> Pane {
        let i = Self::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        Self::ORDER[(i + 1) % Self::ORDER.len()]
    }
    pub fn prev(self) -> Pane {
        let i = Self::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        Self::ORDER[(i + Self::ORDER.len() - 1) % Self::ORDER.len()]
    }
    pub fn label(self) -> &'static str {
        match self {
            Pane::Notes => "Notes",
            Pane::Viewer => "Note",
            Pane::Codes => "Codes",
            Pane::Search => "Code search",
        }
    }
}

/// Which code systems the search panel asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemFilter {
    All,
    Only(CodeSystem),
}

impl SystemFilter {
    pub fn next(self) -> SystemFilter {
        match self {
            SystemFilter::All => SystemFilter::Only(CodeSystem::Icd10Cm),
            SystemFilter::Only(CodeSystem::Icd10Cm) => SystemFilter::Only(CodeSystem::Icd10Pcs),
            SystemFilter::Only(CodeSystem::Icd10Pcs) => SystemFilter::Only(CodeSystem::Hcpcs),
            SystemFilter::Only(CodeSystem::Hcpcs) => SystemFilter::Only(CodeSystem::Cpt),
            SystemFilter::Only(_) => SystemFilter::All,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SystemFilter::All => "all",
            SystemFilter::Only(s) => s.short(),
        }
    }
    pub fn systems(self) -> Vec<CodeSystem> {
        match self {
            SystemFilter::All => Vec::new(),
            SystemFilter::Only(s) => vec![s],
        }
    }
}

/// The code search panel: what is typed and the newest results that match it.
#[derive(Debug, Clone)]
pub struct SearchPanel {
    pub input: TextInput,
    pub systems: SystemFilter,
    pub results: Vec<CodeHit>,
    /// The query `results` answer.
    pub results_query: String,
    pub pos: ListPos,
    /// Generation of the newest request sent to the search thread.
    pub requested: u64,
    /// Generation of the request `results` came from.
    pub shown: u64,
    pub error: Option<String>,
    pub elapsed_ms: u64,
    /// Enter was pressed before the answer came: assign its top result when it arrives.
    pub assign_on_arrival: bool,
}

impl Default for SearchPanel {
    fn default() -> Self {
        SearchPanel {
            input: TextInput::default(),
            systems: SystemFilter::All,
            results: Vec::new(),
            results_query: String::new(),
            pos: ListPos::default(),
            requested: 0,
            shown: 0,
            error: None,
            elapsed_ms: 0,
            assign_on_arrival: false,
        }
    }
}

impl SearchPanel {
    /// A query is out with the search thread and its answer has not come back yet.
    pub fn pending(&self) -> bool {
        self.requested != self.shown
    }
    pub fn selected_hit(&self) -> Option<&CodeHit> {
        self.results.get(self.pos.selected)
    }
}

/// A note loaded into the viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenNote {
    pub header: NoteHeader,
    pub body: String,
}

/// The valid-codes picker shown when a header code (or one missing its 7th character) was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub system: CodeSystem,
    pub code: String,
    pub reason: String,
    pub offers: Vec<Offer>,
    /// Narrows the offers as the coder types (words must all appear in the code or title).
    pub filter: TextInput,
    /// Indices into `offers` that pass the filter.
    pub visible: Vec<usize>,
    pub pos: ListPos,
}

impl Picker {
    pub fn new(system: CodeSystem, code: String, reason: String, offers: Vec<Offer>) -> Picker {
        let visible = (0..offers.len()).collect();
        Picker {
            system,
            code,
            reason,
            offers,
            filter: TextInput::default(),
            visible,
            pos: ListPos::default(),
        }
    }
    /// Narrows the offers: one letter or digit picks the codes ending in it (the 7th character);
    /// otherwise every word must appear in the code or title.
    pub fn refilter(&mut self) {
        self.pos = ListPos::default();
        let t = self.filter.text.trim();
        if t.chars().count() == 1 {
            let last: Vec<usize> = self
                .offers
                .iter()
                .enumerate()
                .filter(|(_, o)| o.code.to_lowercase().ends_with(&t.to_lowercase()))
                .map(|(i, _)| i)
                .collect();
            if !last.is_empty() {
                self.visible = last;
                return;
            }
        }
        let words: Vec<String> = self
            .filter
            .text
            .split_whitespace()
            .map(|w| w.to_lowercase())
            .collect();
        self.visible = self
            .offers
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                let hay = format!("{} {}", o.code, o.title).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .map(|(i, _)| i)
            .collect();
    }
    pub fn selected(&self) -> Option<&Offer> {
        self.visible
            .get(self.pos.selected)
            .and_then(|&i| self.offers.get(i))
    }
}

/// A question waiting for y/n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Remove {
        id: i64,
        code: String,
    },
    /// `q` (or Ctrl-C) while something typed is not saved yet (a query prompt's text).
    Quit {
        what: String,
    },
}

impl Confirm {
    /// The question and the words after `y` and `n`.
    pub fn question(&self) -> (String, &'static str, &'static str) {
        match self {
            Confirm::Remove { code, .. } => (
                format!("Remove {code} from this encounter?"),
                "remove",
                "keep",
            ),
            Confirm::Quit { what } => (format!("Quit and lose {what}?"), "quit", "stay"),
        }
    }
}

/// Everything about the open encounter.
#[derive(Debug, Clone)]
pub struct EncounterState {
    pub view: EncounterView,
    pub focus: Pane,
    /// Where Esc in the search box returns to.
    pub before_search: Pane,
    pub notes_pos: ListPos,
    pub note: Option<OpenNote>,
    /// First line of the wrapped note shown in the viewer.
    pub scroll: usize,
    /// The note viewer fills the body.
    pub zoom: bool,
    /// The find-in-note line while it is being typed.
    pub find: Option<TextInput>,
    /// What `n`/`N` look for in the note; matches are highlighted.
    pub find_query: String,
    /// Wrapped line of the current match.
    pub find_line: Option<usize>,
    /// Where the find query matches in the open note (byte ranges of its body, in order).
    pub find_hits: Vec<std::ops::Range<usize>>,
    /// The current place in `find_hits`.
    pub find_at: Option<usize>,
    /// The find query came from search as you type: its last word is a prefix.
    pub find_typing: bool,
    /// Row ids of the encounter's notes that match the find query (asked once, when `n` first
    /// leaves the open note).
    pub find_notes: Option<Vec<i64>>,
    pub codes_pos: ListPos,
    pub search: SearchPanel,
    /// Show the detail of the highlighted code (a popup on small windows; a pane on large ones).
    pub detail_open: bool,
    pub detail: Option<CodeDetail>,
    /// First line of the detail shown (PgDn/PgUp while the detail is open).
    pub detail_scroll: usize,
    pub picker: Option<Picker>,
    pub confirm: Option<Confirm>,
    /// The coding edits on the encounter's codes (recomputed by `update` after every change).
    pub edits: EditsState,
    /// References in the code detail: which is selected, which code was followed, the way back.
    pub nav: crate::tui::detail_nav::DetailNav,
    /// The ICD-10-PCS axis browser, when open.
    pub pcs: Option<crate::tui::pcs_browser::PcsBrowser>,
    /// Text selection in the note and the query panel (`tui::queries`).
    pub cdi: crate::tui::queries::EncounterCdi,
    /// Opened to review without claiming (a supervisor from the dashboard): read-only until `C`.
    pub review: bool,
    /// The working MS-DRG of the codes as they stand (inpatient encounters with a diagnosis),
    /// regrouped with the edits after every change.
    pub drg: Option<crate::service::DrgView>,
    /// `g`: the DRG panel is open, scrolled to this line.
    pub drg_open: bool,
    pub drg_scroll: usize,
}

impl EncounterState {
    pub fn new(view: EncounterView) -> EncounterState {
        EncounterState {
            view,
            focus: Pane::Notes,
            before_search: Pane::Notes,
            notes_pos: ListPos::default(),
            note: None,
            scroll: 0,
            zoom: false,
            find: None,
            find_query: String::new(),
            find_line: None,
            find_hits: Vec::new(),
            find_at: None,
            find_typing: false,
            find_notes: None,
            codes_pos: ListPos::default(),
            search: SearchPanel::default(),
            detail_open: false,
            detail: None,
            detail_scroll: 0,
            picker: None,
            confirm: None,
            edits: EditsState::default(),
            nav: Default::default(),
            pcs: None,
            cdi: Default::default(),
            review: false,
            drg: None,
            drg_open: false,
            drg_scroll: 0,
        }
    }
    /// An encounter opened to review stays read-only while the acting user does not hold it.
    pub fn apply_review(&mut self) {
        if self.review && self.view.read_only.is_none() && self.view.encounter.claimed_by.is_none()
        {
            self.view.read_only = Some("opened to review, not claimed: C claims it".into());
        }
    }
    pub fn selected_code(&self) -> Option<&Assignment> {
        self.view.assignments.get(self.codes_pos.selected)
    }
    pub fn selected_note(&self) -> Option<&NoteHeader> {
        self.view.notes.get(self.notes_pos.selected)
    }
    /// The code whose detail is shown: the highlighted search result, or the highlighted assigned
    /// code when the codes pane has focus.
    pub fn detail_subject(&self) -> Option<(CodeSystem, String)> {
        if let Some(p) = &self.nav.pinned {
            return Some(p.clone());
        }
        match self.focus {
            Pane::Codes => self.selected_code().map(|a| (a.system, a.code.clone())),
            _ => self
                .search
                .selected_hit()
                .map(|h| (h.system, h.code.clone())),
        }
    }
}

/// How a status message should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// The whole screen's state.
#[derive(Debug, Clone)]
pub struct State {
    pub login: String,
    pub role: Role,
    pub color: bool,
    /// Terminal size, so `update` can page and scroll by what is visible (render uses the frame).
    pub size: (u16, u16),
    /// Today's date, for "days since discharge" (set by `update`, never read from the clock in render).
    pub today: NaiveDate,
    pub screen: Screen,
    pub worklist: WorklistState,
    pub encounter: Option<EncounterState>,
    pub notes_search: NotesSearchState,
    /// The dashboard, once opened (kept so its range and team survive a visit to an encounter).
    pub dashboard: Option<super::dashboard::DashboardState>,
    /// The CDI query queue screen.
    pub queue: crate::tui::queries::QueueState,
    pub help: Option<usize>,
    /// The `:` command line while it is being typed.
    pub command: Option<TextInput>,
    pub status: Option<Status>,
    pub quit: bool,
}

impl State {
    pub fn new(login: &str, role: Role, color: bool, today: NaiveDate) -> State {
        State {
            login: login.to_string(),
            role,
            color,
            size: (80, 24),
            today,
            screen: Screen::Worklist,
            worklist: WorklistState::default(),
            encounter: None,
            notes_search: NotesSearchState::default(),
            dashboard: None,
            queue: Default::default(),
            help: None,
            command: None,
            status: None,
            quit: false,
        }
    }
    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(Status {
            kind,
            text: text.into(),
        });
    }
    /// Some text input has the keyboard (letters are typed, not commands).
    pub fn typing(&self) -> bool {
        self.command.is_some()
            || match self.screen {
                Screen::Worklist => self.worklist.editing,
                Screen::Encounter => self.encounter.as_ref().is_some_and(|e| {
                    e.picker.is_some()
                        || e.find.is_some()
                        || e.pcs.is_some()
                        || e.cdi.typing()
                        || (e.focus == Pane::Search
                            && e.confirm.is_none()
                            && !e.edits.open
                            && !e.nav.active)
                }),
                Screen::NotesSearch => true,
                Screen::Dashboard => false,
                Screen::Queue => self.queue.typing(),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_pos_scrolls_to_keep_selection_visible() {
        let mut p = ListPos::default();
        p.move_by(7, 10);
        p.ensure_visible(5);
        assert_eq!((p.selected, p.offset), (7, 3));
        p.move_by(-6, 10);
        p.ensure_visible(5);
        assert_eq!((p.selected, p.offset), (1, 1));
        p.move_by(100, 10);
        assert_eq!(p.selected, 9);
        p.move_by(1, 0);
        assert_eq!(p.selected, 0);
        let q = ListPos {
            selected: 20,
            offset: 0,
        };
        assert_eq!(q.window_start(25, 10), 11);
    }

    #[test]
    fn input_replaces_after_assign() {
        let mut t = TextInput {
            text: "chf".into(),
            replace_on_type: true,
        };
        t.push('a');
        assert_eq!(t.text, "a");
        t.push('f');
        assert_eq!(t.text, "af");
    }

    #[test]
    fn picker_narrows_by_seventh_character_or_words() {
        let offer = |c: &str, t: &str| Offer {
            code: c.into(),
            title: t.into(),
        };
        let mut p = Picker::new(
            CodeSystem::Icd10Cm,
            "S72.001".into(),
            "needs a 7th character".into(),
            vec![
                offer("S72.001A", "initial encounter for closed fracture"),
                offer("S72.001D", "subsequent encounter for closed fracture"),
            ],
        );
        p.filter.push('d');
        p.refilter();
        assert_eq!(p.selected().unwrap().code, "S72.001D");
        p.filter.clear();
        for c in "initial closed".chars() {
            p.filter.push(c);
        }
        p.refilter();
        assert_eq!(p.visible, vec![0]);
    }

    #[test]
    fn panes_cycle() {
        let mut p = Pane::Notes;
        for _ in 0..4 {
            p = p.next();
        }
        assert_eq!(p, Pane::Notes);
        assert_eq!(Pane::Notes.prev(), Pane::Search);
    }
}
