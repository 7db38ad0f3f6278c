//! Keys: what each key does on each screen, and the tables the footer and the help overlay show
//! (one source, so the help never disagrees with the keys).
use crate::domain::Poa;
use crate::tui::app::Action;
use crate::tui::notes_search;
use crate::tui::state::{Pane, Screen, State};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One line of help: the keys and what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHelp {
    pub keys: &'static str,
    pub what: &'static str,
}

const fn k(keys: &'static str, what: &'static str) -> KeyHelp {
    KeyHelp { keys, what }
}

#[derive(Debug, Clone, Copy)]
pub struct HelpSection {
    pub title: &'static str,
    pub keys: &'static [KeyHelp],
}

pub const GLOBAL: &[KeyHelp] = &[
    k("?  F1", "this help (F1 while typing); Esc closes"),
    k(":", "command line (see Commands)"),
    k("Ctrl-C", "quit from anywhere"),
];

pub const WORKLIST: &[KeyHelp] = &[
    k("j k  Down Up", "move"),
    k("PgDn PgUp", "page"),
    k("g G  Home End", "first / last"),
    k("Enter", "open the encounter (claims it if nobody holds it)"),
    k(
        "/",
        "filter as you type (account, patient, MRN, type, status, holder)",
    ),
    k("m", "scope: all, mine, unassigned"),
    k("s", "search every note (also :notes QUERY)"),
    k("r  F5", "refresh now (also every ui.refresh_ms)"),
    k("D", "supervisor dashboard (your own figures for coders)"),
    k(
        "R",
        "reassign the highlighted encounter (supervisors; :reassign ACCOUNT LOGIN)",
    ),
    k("Q  F4", "CDI query queue (also :queue)"),
    k("q", "quit"),
];

pub const DASHBOARD: &[KeyHelp] = &[
    k("[  ]", "date range: 7, 30 or 90 days"),
    k(
        "t",
        "team filter: all, then each team (supervisors, admins)",
    ),
    k("Tab  Shift-Tab", "next / previous page (small windows)"),
    k("j k  Down Up", "move in the oldest-backlog list"),
    k("Enter", "open the highlighted backlog encounter"),
    k("r  F5", "reload the figures"),
    k("Esc", "back to the worklist"),
];

pub const WORKLIST_FILTER: &[KeyHelp] = &[
    k("type", "narrow the list"),
    k("Down Up", "move"),
    k("Enter", "open the highlighted encounter"),
    k("Tab", "keep the filter, back to the list"),
    k("Esc", "clear the filter"),
    k("Ctrl-U", "clear the text"),
];

pub const ENCOUNTER: &[KeyHelp] = &[
    k(
        "Tab  Shift-Tab",
        "next / previous pane: notes, note, codes, search",
    ),
    k("/", "code search"),
    k(
        "d",
        "code detail (Ctrl-D while searching); PgDn/PgUp scroll it",
    ),
    k("z", "zoom the note viewer"),
    k(
        "e  F3",
        "coding edits: the list (errors, warnings to acknowledge, infos)",
    ),
    k(
        "c",
        "mark coded (refused while errors fire or warnings are unacknowledged)",
    ),
    k(
        "y n u w 1 0",
        "POA of the highlighted code (notes list, viewer)",
    ),
    k("Alt-y Alt-n ...", "POA from any pane, the search box too"),
    k("o", "reopen a coded encounter"),
    k("r", "release the encounter and go back"),
    k(
        "Q",
        "query panel: compose, send, answer, close (also :query)",
    ),
    k("Esc", "back to the worklist (gives it back if no codes)"),
];

pub const EDITS: &[KeyHelp] = &[
    k("j k  Down Up", "move"),
    k(
        "a",
        "acknowledge the highlighted warning (audited); errors must be fixed",
    ),
    k("Enter", "go to its code in the codes pane"),
    k("c", "mark coded"),
    k("e  Esc", "close the list"),
];

pub const NOTES: &[KeyHelp] = &[
    k("j k  Down Up", "choose a note"),
    k("Enter  l  Right", "read it"),
    k("]  [", "read the next / previous note"),
];

pub const VIEWER: &[KeyHelp] = &[
    k("j k  Down Up", "scroll a line"),
    k("PgDn PgUp  Space", "scroll a page"),
    k("g G", "top / bottom"),
    k("]  [", "next / previous note"),
    k("f", "find in the notes with the query language"),
    k("n  N", "next / previous hit, then the other notes"),
    k("v  p", "select text to pin to a query / pin (see below)"),
];

pub const CODES: &[KeyHelp] = &[
    k("j k  Down Up", "move"),
    k("p", "make principal (first listed)"),
    k("y n u w 1", "POA: yes, no, unknown, undetermined, exempt"),
    k("0  Backspace", "clear POA"),
    k("J K  Shift-Down/Up", "move the code down / up in sequence"),
    k("x  Delete", "remove (asks first)"),
];

pub const SEARCH: &[KeyHelp] = &[
    k("type", "search codes as you type (words or a code)"),
    k("Down Up  Ctrl-N Ctrl-P", "move in results"),
    k("Enter", "assign the highlighted code"),
    k("Ctrl-D  F2", "code detail; while open PgDn/PgUp scroll it"),
    k("Ctrl-R", "follow the detail's references (see Code detail)"),
    k("Ctrl-B  F4", "ICD-10-PCS axis browser"),
    k(
        "Ctrl-T",
        "systems: all, CM, PCS, HCPCS, CPT (when imported)",
    ),
    k("Ctrl-U", "clear"),
    k("Esc", "leave the search box"),
];

pub const DETAIL: &[KeyHelp] = &[
    k(
        "d  Enter (codes)",
        "open the detail with the keyboard (Ctrl-R from the search)",
    ),
    k(
        "Tab j Down  Shift-Tab k Up",
        "next / previous reference (code, range, K70.-)",
    ),
    k("Enter  l  Right", "follow it: show that code's detail"),
    k("Backspace  b  Left", "back to the code shown before"),
    k("PgDn PgUp  Space", "scroll"),
    k("Esc  d", "close"),
];

pub const PCS: &[KeyHelp] = &[
    k(
        "0-9 A-Z",
        "pick the value with that key; the next column opens",
    ),
    k(
        "Down Up  Enter",
        "or move to a value and pick it with Enter",
    ),
    k("Backspace  Left", "back a column"),
    k("Enter", "on a complete 7-character code: assign it"),
    k("Esc  F4", "close"),
];

pub const PICKER: &[KeyHelp] = &[
    k(
        "type",
        "narrow: one letter picks the 7th character, words match titles",
    ),
    k("Down Up", "move"),
    k("Enter", "assign the highlighted code"),
    k("Esc", "cancel"),
];

pub const COMMANDS: &[KeyHelp] = &[
    k(":open ACCOUNT", "open an encounter"),
    k(":assign CODE", "assign by code (:assign pcs CODE for PCS)"),
    k(":poa Y|N|U|W|1|clear", "POA of the highlighted code"),
    k(":principal", "make the highlighted code principal"),
    k(":coded  :reopen  :release", "encounter status"),
    k(
        ":reassign ACCOUNT LOGIN",
        "hand a claim to a coder (supervisors)",
    ),
    k(":edits", "open or close the coding edits list"),
    k(":notes QUERY", "search every note"),
    k(":pcs", "the ICD-10-PCS axis browser"),
    k(":all  :mine  :unassigned", "worklist scope"),
    k(":dashboard", "supervisor dashboard"),
    k(":query  :queue", "query panel of the encounter / CDI queue"),
    k(":q", "quit"),
];

/// The help overlay's sections for the current screen.
pub fn help_sections(state: &State) -> Vec<HelpSection> {
    let s = |title, keys| HelpSection { title, keys };
    match state.screen {
        Screen::Worklist => vec![
            s("Worklist", WORKLIST),
            s("Filter (after /)", WORKLIST_FILTER),
            s("Commands", COMMANDS),
            s("Everywhere", GLOBAL),
        ],
        Screen::NotesSearch => vec![
            s("Note search", notes_search::KEYS),
            s("Query language", notes_search::QUERY_HELP),
            s("Everywhere", GLOBAL),
        ],

        Screen::Queue => crate::tui::queries::keys::queue_help(),
        Screen::Encounter => [
            s("Encounter", ENCOUNTER),
            s("Notes list", NOTES),
            s("Note viewer", VIEWER),
            s("Assigned codes", CODES),
            s("Coding edits (after e)", EDITS),
            s("Code search", SEARCH),
            s("Code detail references", DETAIL),
            s("ICD-10-PCS axis browser (Ctrl-B)", PCS),
            s("Valid-codes picker", PICKER),
        ]
        .into_iter()
        .chain(crate::tui::queries::keys::encounter_help())
        .chain([s("Commands", COMMANDS), s("Everywhere", GLOBAL)])
        .collect(),
        Screen::Dashboard => vec![
            s("Dashboard", DASHBOARD),
            s("Commands", COMMANDS),
            s("Everywhere", GLOBAL),
        ],
    }
}

/// The main keys of what has the keyboard now, for the footer.
pub fn footer(state: &State) -> Vec<(&'static str, &'static str)> {
    if state.help.is_some() {
        return vec![("j k", "scroll"), ("Esc", "close help")];
    }
    if state.command.is_some() {
        return vec![("Enter", "run"), ("Esc", "cancel"), ("F1", "help")];
    }
    if let Some(f) = crate::tui::queries::keys::footer(state) {
        return f;
    }
    match state.screen {
        Screen::Queue => vec![("Esc", "back")],
        Screen::Worklist if state.worklist.editing => vec![
            ("Enter", "open"),
            ("↑↓", "move"),
            ("Tab", "keep filter"),
            ("Esc", "clear"),
        ],
        Screen::NotesSearch => vec![
            ("Enter", "open"),
            ("↑↓", "move"),
            ("^O", "order"),
            ("^U", "clear"),
            ("Esc", "back"),
            ("F1", "help"),
        ],
        Screen::Dashboard => vec![
            ("[ ]", "range"),
            ("t", "team"),
            ("Tab", "page"),
            ("Enter", "open oldest"),
            ("r", "reload"),
            ("Esc", "back"),
            ("?", "help"),
        ],
        Screen::Worklist => vec![
            ("Enter", "open"),
            ("/", "filter"),
            ("s", "notes"),
            ("m", "scope"),
            ("r", "refresh"),
            ("?", "help"),
            ("q", "quit"),
        ],
        Screen::Encounter => {
            let Some(e) = &state.encounter else {
                return vec![("Esc", "back")];
            };
            if e.confirm.is_some() {
                return vec![("y Enter", "yes"), ("n Esc", "no")];
            }
            if e.find.is_some() {
                return vec![("Enter", "find"), ("Esc", "cancel"), ("^U", "clear")];
            }
            if e.picker.is_some() {
                return vec![
                    ("Enter", "assign"),
                    ("↑↓", "move"),
                    ("type", "narrow"),
                    ("Esc", "cancel"),
                ];
            }
            if let Some(b) = &e.pcs {
                return if b.complete() {
                    vec![("Enter", "assign"), ("Bksp", "back"), ("Esc", "close")]
                } else {
                    vec![
                        ("key", "pick value"),
                        ("↑↓ Enter", "pick"),
                        ("Bksp", "back a column"),
                        ("Esc", "close"),
                    ]
                };
            }
            if e.nav.active {
                return vec![
                    ("Tab j/k", "reference"),
                    ("Enter", "follow"),
                    ("Bksp", "back"),
                    ("PgDn", "scroll"),
                    ("Esc", "close"),
                ];
            }
            if e.edits.open {
                return vec![
                    ("a", "acknowledge"),
                    ("Enter", "go to code"),
                    ("↑↓", "move"),
                    ("c", "coded"),
                    ("e Esc", "close"),
                    ("?", "help"),
                ];
            }
            match e.focus {
                Pane::Search if e.detail_open => vec![
                    ("Enter", "assign"),
                    ("↑↓", "move"),
                    ("PgDn/Up", "scroll detail"),
                    ("^D", "close detail"),
                    ("Esc", "close"),
                ],
                Pane::Search => vec![
                    ("Enter", "assign"),
                    ("↑↓", "move"),
                    ("^D", "detail"),
                    ("^T", "system"),
                    ("^B", "PCS axes"),
                    ("Esc", "leave"),
                    ("F1", "help"),
                ],
                Pane::Codes => vec![
                    ("p", "principal"),
                    ("ynuw1", "POA"),
                    ("J/K", "move"),
                    ("x", "remove"),
                    ("e", "edits"),
                    ("c", "coded"),
                    ("/", "search"),
                    ("?", "help"),
                ],
                Pane::Notes => vec![
                    ("Enter", "read"),
                    ("Tab", "pane"),
                    ("/", "search"),
                    ("z", "zoom"),
                    ("Esc", "back"),
                    ("?", "help"),
                ],
                Pane::Viewer if !e.find_query.is_empty() => vec![
                    ("n/N", "next/prev hit"),
                    ("f", "find"),
                    ("PgDn", "page"),
                    ("][", "next/prev note"),
                    ("Tab", "pane"),
                    ("z", "zoom"),
                    ("?", "help"),
                ],
                Pane::Viewer => vec![
                    ("PgDn", "page"),
                    ("][", "next/prev note"),
                    ("f", "find"),
                    ("Tab", "pane"),
                    ("/", "search"),
                    ("z", "zoom"),
                    ("?", "help"),
                ],
            }
        }
    }
}

pub(crate) fn ctrl(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
}

/// What a key press means in the current state; None for keys that do nothing here.
pub fn map(state: &State, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if ctrl(&key) && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
        return Some(Action::Quit);
    }
    // While the window is too small nothing is visible, so no key may act unseen; q still quits.
    if crate::tui::layout::too_small(crate::tui::layout::area_of(state.size)) {
        return match key.code {
            KeyCode::Char('q') => Some(Action::Quit),
            _ => None,
        };
    }
    if key.code == KeyCode::F(1) {
        return Some(Action::ToggleHelp);
    }
    if state.help.is_some() {
        return help_key(key);
    }
    if state.command.is_some() {
        return input_key(key).or(match key.code {
            KeyCode::Enter => Some(Action::Accept),
            KeyCode::Esc => Some(Action::Back),
            _ => None,
        });
    }
    if let Some(a) = crate::tui::queries::keys::map(state, key) {
        return a;
    }
    match state.screen {
        Screen::Worklist => worklist_key(state, key),
        Screen::Encounter => encounter_key(state, key),
        Screen::NotesSearch => notes_search::key(key),
        Screen::Dashboard => dashboard_key(key),
        Screen::Queue => None,
    }
}

fn dashboard_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Char('q') => Some(Action::Quit),
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Char(':') => Some(Action::StartCommand),
        KeyCode::Char('[') => Some(Action::DashRange(-1)),
        KeyCode::Char(']') => Some(Action::DashRange(1)),
        KeyCode::Char('t') => Some(Action::DashTeam),
        KeyCode::Tab => Some(Action::NextPane),
        KeyCode::BackTab => Some(Action::PrevPane),
        KeyCode::Char('r') | KeyCode::F(5) => Some(Action::Refresh),
        KeyCode::Enter => Some(Action::Accept),
        _ => motion_key(key),
    }
}

/// POA keys: y n u w 1 set, 0 clears (the codes pane's letters).
fn poa_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::SetPoa(Some(Poa::Yes))),
        KeyCode::Char('n') | KeyCode::Char('N') => Some(Action::SetPoa(Some(Poa::No))),
        KeyCode::Char('u') | KeyCode::Char('U') => Some(Action::SetPoa(Some(Poa::Unknown))),
        KeyCode::Char('w') | KeyCode::Char('W') => {
            Some(Action::SetPoa(Some(Poa::ClinicallyUndetermined)))
        }
        KeyCode::Char('1') => Some(Action::SetPoa(Some(Poa::Exempt))),
        KeyCode::Char('0') => Some(Action::SetPoa(None)),
        _ => None,
    }
}

fn alt(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::ALT)
}

fn help_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
            Some(Action::ToggleHelp)
        }
        _ => motion_key(key),
    }
}

/// Moving in whatever list or text has the focus.
fn motion_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
        KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::PageDown),
        KeyCode::Char('f') | KeyCode::Char('d') if ctrl(&key) => Some(Action::PageDown),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::Char('b') | KeyCode::Char('u') if ctrl(&key) => Some(Action::PageUp),
        KeyCode::Home | KeyCode::Char('g') => Some(Action::Top),
        KeyCode::End | KeyCode::Char('G') => Some(Action::Bottom),
        _ => None,
    }
}

/// Editing a line of text (filter, search, command line, picker).
pub(crate) fn input_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char('u') if ctrl(&key) => Some(Action::ClearInput),
        KeyCode::Char('h') if ctrl(&key) => Some(Action::Backspace),
        KeyCode::Char(c) if !ctrl(&key) && !key.modifiers.contains(KeyModifiers::ALT) => {
            Some(Action::Input(c))
        }
        KeyCode::Backspace => Some(Action::Backspace),
        _ => None,
    }
}

/// Moving in a list while a text input has the keyboard: arrows and Ctrl-N/P only.
pub(crate) fn input_motion_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Down => Some(Action::Down),
        KeyCode::Up => Some(Action::Up),
        KeyCode::Char('n') if ctrl(&key) => Some(Action::Down),
        KeyCode::Char('p') if ctrl(&key) => Some(Action::Up),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::PageUp => Some(Action::PageUp),
        _ => None,
    }
}

fn worklist_key(state: &State, key: KeyEvent) -> Option<Action> {
    if state.worklist.editing {
        return match key.code {
            KeyCode::Enter => Some(Action::Accept),
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Tab => Some(Action::EndInput),
            _ => input_motion_key(key).or_else(|| input_key(key)),
        };
    }
    match key.code {
        KeyCode::Char('q') => Some(Action::Quit),
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Char(':') => Some(Action::StartCommand),
        KeyCode::Char('/') => Some(Action::StartFilter),
        KeyCode::Char('m') => Some(Action::CycleScope),
        KeyCode::Char('r') | KeyCode::F(5) => Some(Action::Refresh),
        KeyCode::Char('s') => Some(Action::NotesSearch(None)),
        KeyCode::Char('D') => Some(Action::Dashboard),
        KeyCode::Char('R') if state.role.allows(crate::domain::Permission::Reassign) => {
            Some(Action::StartReassign)
        }
        KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right => Some(Action::Accept),
        KeyCode::Esc if !state.worklist.filter.text.is_empty() => Some(Action::Back),
        _ => motion_key(key),
    }
}

fn encounter_key(state: &State, key: KeyEvent) -> Option<Action> {
    let Some(e) = &state.encounter else {
        return (key.code == KeyCode::Esc).then_some(Action::Back);
    };
    if e.confirm.is_some() {
        return match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => Some(Action::Confirm(true)),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Some(Action::Confirm(false)),
            _ => None,
        };
    }
    if e.find.is_some() {
        return match key.code {
            KeyCode::Enter => Some(Action::Accept),
            KeyCode::Esc => Some(Action::Back),
            _ => input_key(key),
        };
    }
    if e.picker.is_some() {
        return match key.code {
            KeyCode::Enter => Some(Action::Accept),
            KeyCode::Esc => Some(Action::Back),
            _ => input_motion_key(key).or_else(|| input_key(key)),
        };
    }
    if e.pcs.is_some() {
        return crate::tui::pcs_browser::key(key);
    }
    if e.nav.active {
        return crate::tui::detail_nav::key(key);
    }
    if e.edits.open {
        return match key.code {
            KeyCode::Esc | KeyCode::Char('e') | KeyCode::F(3) => Some(Action::ToggleEdits),
            KeyCode::Char('a') => Some(Action::AckEdit),
            KeyCode::Enter => Some(Action::Accept),
            KeyCode::Char('c') if !ctrl(&key) => Some(Action::MarkCoded),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            KeyCode::Char(':') => Some(Action::StartCommand),
            _ => motion_key(key),
        };
    }
    // Alt+POA letter sets the highlighted code's POA from any pane, the search box included.
    if alt(&key) && !ctrl(&key) {
        return poa_key(key);
    }
    if e.focus == Pane::Search {
        return match key.code {
            KeyCode::F(3) => Some(Action::ToggleEdits),
            KeyCode::Enter => Some(Action::Accept),
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Tab => Some(Action::NextPane),
            KeyCode::BackTab => Some(Action::PrevPane),
            KeyCode::F(2) => Some(Action::ToggleDetail),
            KeyCode::Char('d') if ctrl(&key) => Some(Action::ToggleDetail),
            KeyCode::Char('t') if ctrl(&key) => Some(Action::CycleSystem),
            KeyCode::Char('r') if ctrl(&key) => Some(Action::DetailRefs),
            KeyCode::Char('b') if ctrl(&key) => Some(Action::PcsBrowse),
            KeyCode::F(4) => Some(Action::PcsBrowse),
            _ => input_motion_key(key).or_else(|| input_key(key)),
        };
    }
    // Keys every other pane shares.
    let shared = match key.code {
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Char(':') => Some(Action::StartCommand),
        KeyCode::Char('/') => Some(Action::FocusSearch),
        KeyCode::Tab => Some(Action::NextPane),
        KeyCode::BackTab => Some(Action::PrevPane),
        KeyCode::Char('d') if !ctrl(&key) => Some(Action::ToggleDetail),
        KeyCode::F(2) => Some(Action::ToggleDetail),
        KeyCode::Char('z') => Some(Action::ToggleZoom),
        KeyCode::Char('c') if !ctrl(&key) => Some(Action::MarkCoded),
        KeyCode::Char('e') | KeyCode::F(3) => Some(Action::ToggleEdits),
        KeyCode::Char('o') => Some(Action::Reopen),
        KeyCode::Char('r') => Some(Action::Release),
        _ => None,
    };
    if shared.is_some() {
        return shared;
    }
    match e.focus {
        Pane::Notes => match key.code {
            KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right => Some(Action::Accept),
            KeyCode::Char(']') => Some(Action::NextNote),
            KeyCode::Char('[') => Some(Action::PrevNote),
            KeyCode::Char('f') if !ctrl(&key) => Some(Action::StartFind),
            _ if ctrl(&key) => motion_key(key),
            _ => poa_key(key).or_else(|| motion_key(key)),
        },
        Pane::Viewer => match key.code {
            KeyCode::Char(']') => Some(Action::NextNote),
            KeyCode::Char('[') => Some(Action::PrevNote),
            KeyCode::Char('f') if !ctrl(&key) => Some(Action::StartFind),
            KeyCode::Char('n') => Some(Action::FindNext(true)),
            KeyCode::Char('N') => Some(Action::FindNext(false)),
            _ if ctrl(&key) => motion_key(key),
            _ => poa_key(key).or_else(|| motion_key(key)),
        },
        Pane::Codes => codes_key(key),
        Pane::Search => None,
    }
}

fn codes_key(key: KeyEvent) -> Option<Action> {
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Char('p') => Some(Action::SetPrincipal),
        KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::SetPoa(Some(Poa::Yes))),
        KeyCode::Char('n') | KeyCode::Char('N') => Some(Action::SetPoa(Some(Poa::No))),
        KeyCode::Char('u') | KeyCode::Char('U') if !ctrl(&key) => {
            Some(Action::SetPoa(Some(Poa::Unknown)))
        }
        KeyCode::Char('w') | KeyCode::Char('W') => {
            Some(Action::SetPoa(Some(Poa::ClinicallyUndetermined)))
        }
        KeyCode::Char('1') => Some(Action::SetPoa(Some(Poa::Exempt))),
        KeyCode::Char('0') | KeyCode::Backspace => Some(Action::SetPoa(None)),
        KeyCode::Char('J') => Some(Action::MoveCode(1)),
        KeyCode::Char('K') => Some(Action::MoveCode(-1)),
        KeyCode::Down if shift => Some(Action::MoveCode(1)),
        KeyCode::Up if shift => Some(Action::MoveCode(-1)),
        KeyCode::Char('x') | KeyCode::Delete => Some(Action::AskRemove),
        KeyCode::Enter => Some(Action::ToggleDetail),
        _ => motion_key(key),
    }
}
