//! One key table per screen and overlay: key → `Action` → help text → footer label and priority.
//! Key handling (`map`), the footer (`footer`) and the help overlay (`help_sections`) are all read
//! from these tables, so they cannot drift apart. Which table applies is decided by `context`
//! (the top overlay from `modal`, else the screen and the focused pane).
//!
//! The query features (the query panel, selecting in the note, the CDI queue) keep their own
//! tables in `queries::keys`; they are consulted first, as before.
use crate::domain::{Permission, Poa};
use crate::tui::app::Action;
use crate::tui::keymap::{HelpSection, KeyHelp};
use crate::tui::modal::{self, Modal};
use crate::tui::queries::QAction;
use crate::tui::state::{Pane, Screen, State};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key as the tables name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character without Ctrl or Alt (Shift is part of the character: `J`, `?`).
    C(char),
    Ctrl(char),
    Alt(char),
    /// A named key without modifiers (BackTab comes with Shift).
    K(KeyCode),
    Shift(KeyCode),
    CtrlK(KeyCode),
    /// Any character without Ctrl or Alt: typed text (the action gets the character).
    Text,
    /// A letter or digit (the PCS browser's values; the action gets it upper-cased).
    Alnum,
}

impl Key {
    fn matches(self, ev: &KeyEvent) -> bool {
        let m = ev.modifiers;
        let ctrl = m.contains(KeyModifiers::CONTROL);
        let alt = m.contains(KeyModifiers::ALT);
        let shift = m.contains(KeyModifiers::SHIFT);
        match (self, ev.code) {
            (Key::C(a), KeyCode::Char(b)) => a == b && !ctrl && !alt,
            (Key::Ctrl(a), KeyCode::Char(b)) => a == b.to_ascii_lowercase() && ctrl && !alt,
            (Key::Alt(a), KeyCode::Char(b)) => a == b.to_ascii_lowercase() && alt && !ctrl,
            (Key::K(a), b) => a == b && !ctrl && !alt && (!shift || b == KeyCode::BackTab),
            (Key::Shift(a), b) => a == b && shift && !ctrl && !alt,
            (Key::CtrlK(a), b) => a == b && ctrl && !alt,
            (Key::Text, KeyCode::Char(_)) => !ctrl && !alt,
            (Key::Alnum, KeyCode::Char(c)) => c.is_ascii_alphanumeric() && !ctrl && !alt,
            _ => false,
        }
    }
}

/// Shown in the footer: short keys, a word, and a priority (lower first; the footer keeps what fits).
#[derive(Debug, Clone, Copy)]
pub struct Foot {
    pub keys: &'static str,
    pub label: &'static str,
    pub prio: u8,
    /// Shown only when this holds (e.g. n/N once something was found).
    pub show: Option<fn(&State) -> bool>,
}

/// One help line: the keys it binds (each to its action), how the help writes them, what they do.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub keys: &'static [(Key, Action)],
    pub label: &'static str,
    pub help: &'static str,
    pub foot: Option<Foot>,
    /// The keys apply only when this holds (a mode, e.g. a filter is set); None: always.
    pub when: Option<fn(&State) -> bool>,
    /// The row exists only for some users (a role): keys and help line both.
    pub only: Option<fn(&State) -> bool>,
}

impl Row {
    fn applies(&self, state: &State) -> bool {
        self.when.is_none_or(|f| f(state)) && self.for_user(state)
    }
    fn for_user(&self, state: &State) -> bool {
        self.only.is_none_or(|f| f(state))
    }
}

/// A titled group of rows (a help section).
#[derive(Debug)]
pub struct Table {
    pub title: &'static str,
    pub rows: &'static [Row],
}

const fn row(keys: &'static [(Key, Action)], label: &'static str, help: &'static str) -> Row {
    Row {
        keys,
        label,
        help,
        foot: None,
        when: None,
        only: None,
    }
}

const fn foot(
    keys: &'static [(Key, Action)],
    label: &'static str,
    help: &'static str,
    f: (&'static str, &'static str, u8),
) -> Row {
    Row {
        keys,
        label,
        help,
        foot: Some(Foot {
            keys: f.0,
            label: f.1,
            prio: f.2,
            show: None,
        }),
        when: None,
        only: None,
    }
}

const fn when(mut r: Row, f: fn(&State) -> bool) -> Row {
    r.when = Some(f);
    r
}

const fn only(mut r: Row, f: fn(&State) -> bool) -> Row {
    r.only = Some(f);
    r
}

const fn show(mut r: Row, f: fn(&State) -> bool) -> Row {
    if let Some(ft) = r.foot.as_mut() {
        ft.show = Some(f);
    }
    r
}

use Key::{Alt, C, Ctrl, CtrlK, K, Shift};

const ENTER: KeyCode = KeyCode::Enter;
const ESC: KeyCode = KeyCode::Esc;
const TAB: KeyCode = KeyCode::Tab;
const BACKTAB: KeyCode = KeyCode::BackTab;
const DOWN: KeyCode = KeyCode::Down;
const UP: KeyCode = KeyCode::Up;
const PGDN: KeyCode = KeyCode::PageDown;
const PGUP: KeyCode = KeyCode::PageUp;
const BKSP: KeyCode = KeyCode::Backspace;

// ---- shared rows -------------------------------------------------------------------------------

const HELP_ROW: Row = foot(
    &[(C('?'), Action::ToggleHelp)],
    "?",
    "this help (F1 while typing); Esc closes",
    ("?", "help", 90),
);
const COMMAND_ROW: Row = row(
    &[(C(':'), Action::StartCommand)],
    ":",
    "command line (see Commands)",
);
const QUIT_ROW: Row = foot(
    &[(C('q'), Action::Quit)],
    "q",
    "quit (leaves an open encounter; asks if typed text would be lost)",
    ("q", "quit", 95),
);

/// Moving in a list: j k, pages, first / last.
const MOTION: [Row; 3] = [
    row(
        &[
            (C('j'), Action::Down),
            (K(DOWN), Action::Down),
            (C('k'), Action::Up),
            (K(UP), Action::Up),
        ],
        "j k  Down Up",
        "move",
    ),
    row(
        &[
            (K(PGDN), Action::PageDown),
            (C(' '), Action::PageDown),
            (Ctrl('f'), Action::PageDown),
            (Ctrl('d'), Action::PageDown),
            (K(PGUP), Action::PageUp),
            (Ctrl('b'), Action::PageUp),
            (Ctrl('u'), Action::PageUp),
        ],
        "PgDn PgUp  Space ^F ^B",
        "page",
    ),
    row(
        &[
            (C('g'), Action::Top),
            (K(KeyCode::Home), Action::Top),
            (C('G'), Action::Bottom),
            (K(KeyCode::End), Action::Bottom),
        ],
        "g G  Home End",
        "first / last",
    ),
];

/// Motion in the encounter's panes: `g` is kept for the DRG overlay, so Home goes to the top.
const ENC_MOTION: [Row; 3] = [
    MOTION[0],
    MOTION[1],
    row(
        &[
            (K(KeyCode::Home), Action::Top),
            (C('G'), Action::Bottom),
            (K(KeyCode::End), Action::Bottom),
        ],
        "Home  G End",
        "top / bottom",
    ),
];

/// Editing a line of text.
const TEXT: [Row; 3] = [
    row(&[(Key::Text, Action::Input(' '))], "type", "type the text"),
    row(
        &[(K(BKSP), Action::Backspace), (Ctrl('h'), Action::Backspace)],
        "Backspace",
        "delete a character",
    ),
    foot(
        &[(Ctrl('u'), Action::ClearInput)],
        "Ctrl-U",
        "clear the text",
        ("^U", "clear", 60),
    ),
];

/// Moving in a list while text has the keyboard: arrows and Ctrl-N/P.
const INPUT_MOTION: [Row; 2] = [
    foot(
        &[
            (K(DOWN), Action::Down),
            (Ctrl('n'), Action::Down),
            (K(UP), Action::Up),
            (Ctrl('p'), Action::Up),
        ],
        "Down Up  Ctrl-N Ctrl-P",
        "move",
        ("↑↓", "move", 20),
    ),
    row(
        &[(K(PGDN), Action::PageDown), (K(PGUP), Action::PageUp)],
        "PgDn PgUp",
        "page",
    ),
];

// ---- everywhere, help, command line --------------------------------------------------------------

pub const GLOBAL: Table = Table {
    title: "Everywhere",
    rows: &[
        row(
            &[(K(KeyCode::F(1)), Action::ToggleHelp)],
            "F1",
            "this help, also while typing",
        ),
        row(
            &[(Ctrl('c'), Action::Quit), (Ctrl('q'), Action::Quit)],
            "Ctrl-C Ctrl-Q",
            "quit from anywhere (asks if typed text would be lost)",
        ),
    ],
};

pub const HELP: Table = Table {
    title: "Help",
    rows: &[
        foot(
            &[
                (K(ESC), Action::ToggleHelp),
                (C('?'), Action::ToggleHelp),
                (C('q'), Action::ToggleHelp),
                (K(ENTER), Action::ToggleHelp),
            ],
            "Esc ? q Enter",
            "close the help",
            ("Esc", "close help", 2),
        ),
        foot(
            &[
                (C('j'), Action::Down),
                (K(DOWN), Action::Down),
                (C('k'), Action::Up),
                (K(UP), Action::Up),
            ],
            "j k  Down Up",
            "scroll",
            ("j k", "scroll", 1),
        ),
        MOTION[1],
        MOTION[2],
    ],
};

pub const COMMAND_LINE: Table = Table {
    title: "Command line",
    rows: &[
        foot(
            &[(K(ENTER), Action::Accept)],
            "Enter",
            "run it",
            ("Enter", "run", 1),
        ),
        foot(
            &[(K(ESC), Action::Back)],
            "Esc",
            "cancel",
            ("Esc", "cancel", 2),
        ),
        TEXT[0],
        TEXT[1],
        row(
            &[(Ctrl('u'), Action::ClearInput)],
            "Ctrl-U",
            "clear the text",
        ),
    ],
};

// ---- worklist ---------------------------------------------------------------------------------------

fn may_reassign(s: &State) -> bool {
    s.role.allows(Permission::Reassign)
}

fn filter_set(s: &State) -> bool {
    !s.worklist.filter.text.is_empty()
}

pub const WORKLIST: Table = Table {
    title: "Worklist",
    rows: &[
        MOTION[0],
        MOTION[1],
        MOTION[2],
        foot(
            &[
                (K(ENTER), Action::Accept),
                (C('l'), Action::Accept),
                (K(KeyCode::Right), Action::Accept),
            ],
            "Enter  l Right",
            "open the encounter (claims it if nobody holds it)",
            ("Enter", "open", 1),
        ),
        foot(
            &[(C('/'), Action::StartFilter)],
            "/",
            "filter as you type (account, patient, MRN, type, status, holder)",
            ("/", "filter", 2),
        ),
        when(
            row(
                &[(K(ESC), Action::Back)],
                "Esc",
                "clear the filter (when one is set)",
            ),
            filter_set,
        ),
        foot(
            &[(C('m'), Action::CycleScope)],
            "m",
            "scope: all, mine, unassigned",
            ("m", "scope", 4),
        ),
        foot(
            &[(C('s'), Action::NotesSearch(None))],
            "s",
            "search every note (also :notes QUERY)",
            ("s", "notes", 3),
        ),
        foot(
            &[
                (C('r'), Action::Refresh),
                (K(KeyCode::F(5)), Action::Refresh),
            ],
            "r  F5",
            "refresh now (also every ui.refresh_ms)",
            ("r", "refresh", 5),
        ),
        row(
            &[(C('D'), Action::Dashboard)],
            "D",
            "supervisor dashboard (your own figures for coders)",
        ),
        only(
            row(
                &[(C('R'), Action::StartReassign)],
                "R",
                "reassign the highlighted encounter (supervisors; :reassign ACCOUNT LOGIN)",
            ),
            may_reassign,
        ),
        row(
            &[
                (C('Q'), Action::Query(QAction::OpenQueue)),
                (K(KeyCode::F(4)), Action::Query(QAction::OpenQueue)),
            ],
            "Q  F4",
            "CDI query queue (also :queue)",
        ),
        HELP_ROW,
        COMMAND_ROW,
        QUIT_ROW,
    ],
};

pub const WORKLIST_FILTER: Table = Table {
    title: "Filter (after /)",
    rows: &[
        foot(
            &[(K(ENTER), Action::Accept)],
            "Enter",
            "open the highlighted encounter",
            ("Enter", "open", 1),
        ),
        INPUT_MOTION[0],
        INPUT_MOTION[1],
        foot(
            &[(K(TAB), Action::EndInput)],
            "Tab",
            "keep the filter, back to the list",
            ("Tab", "keep filter", 30),
        ),
        foot(
            &[(K(ESC), Action::Back)],
            "Esc",
            "clear the filter",
            ("Esc", "clear", 40),
        ),
        TEXT[0],
        TEXT[1],
        row(
            &[(Ctrl('u'), Action::ClearInput)],
            "Ctrl-U",
            "clear the text",
        ),
    ],
};

// ---- dashboard ---------------------------------------------------------------------------------------

pub const DASHBOARD: Table = Table {
    title: "Dashboard",
    rows: &[
        foot(
            &[
                (C('['), Action::DashRange(-1)),
                (C(']'), Action::DashRange(1)),
            ],
            "[  ]",
            "date range: 7, 30 or 90 days",
            ("[ ]", "range", 1),
        ),
        foot(
            &[(C('t'), Action::DashTeam)],
            "t",
            "team filter: all, then each team (supervisors, admins)",
            ("t", "team", 2),
        ),
        foot(
            &[(K(TAB), Action::NextPane), (K(BACKTAB), Action::PrevPane)],
            "Tab  Shift-Tab",
            "next / previous page (small windows)",
            ("Tab", "page", 3),
        ),
        MOTION[0],
        MOTION[1],
        MOTION[2],
        foot(
            &[(K(ENTER), Action::Accept)],
            "Enter",
            "open the highlighted backlog encounter (supervisors: without claiming it)",
            ("Enter", "open oldest", 4),
        ),
        foot(
            &[
                (C('r'), Action::Refresh),
                (K(KeyCode::F(5)), Action::Refresh),
            ],
            "r  F5",
            "reload the figures",
            ("r", "reload", 5),
        ),
        foot(
            &[(K(ESC), Action::Back)],
            "Esc",
            "back to the worklist",
            ("Esc", "back", 6),
        ),
        HELP_ROW,
        COMMAND_ROW,
        QUIT_ROW,
    ],
};

// ---- note search -------------------------------------------------------------------------------------

pub const NOTES_SEARCH: Table = Table {
    title: "Note search",
    rows: &[
        row(
            &[(Key::Text, Action::Input(' '))],
            "type",
            "search every note as you type",
        ),
        INPUT_MOTION[0],
        INPUT_MOTION[1],
        row(
            &[
                (CtrlK(KeyCode::Home), Action::Top),
                (CtrlK(KeyCode::End), Action::Bottom),
            ],
            "Ctrl-Home Ctrl-End",
            "first / last result",
        ),
        foot(
            &[(K(ENTER), Action::Accept)],
            "Enter",
            "open the encounter at the note's first hit (audited; claims as the worklist does)",
            ("Enter", "open", 1),
        ),
        foot(
            &[
                (Ctrl('o'), Action::ToggleNoteOrder),
                (K(KeyCode::F(4)), Action::ToggleNoteOrder),
            ],
            "Ctrl-O  F4",
            "order: best match, newest, oldest first",
            ("^O", "order", 30),
        ),
        TEXT[1],
        TEXT[2],
        foot(
            &[(K(ESC), Action::Back)],
            "Esc",
            "back; leaving an encounter opened here returns",
            ("Esc", "back", 70),
        ),
    ],
};

// ---- encounter -----------------------------------------------------------------------------------------

fn reviewing(s: &State) -> bool {
    s.encounter.as_ref().is_some_and(|e| e.review)
}

fn found(s: &State) -> bool {
    s.encounter
        .as_ref()
        .is_some_and(|e| !e.find_query.is_empty())
}

fn detail_shown(s: &State) -> bool {
    s.encounter.as_ref().is_some_and(|e| e.detail_open)
}

fn detail_hidden(s: &State) -> bool {
    !detail_shown(s)
}

/// Keys of every pane but the search box.
pub const ENCOUNTER: Table = Table {
    title: "Encounter",
    rows: &[
        foot(
            &[(K(TAB), Action::NextPane), (K(BACKTAB), Action::PrevPane)],
            "Tab  Shift-Tab",
            "next / previous pane: notes, note, codes, search",
            ("Tab", "pane", 40),
        ),
        foot(
            &[(C('/'), Action::FocusSearch)],
            "/",
            "code search",
            ("/", "search", 50),
        ),
        row(
            &[
                (C('d'), Action::ToggleDetail),
                (K(KeyCode::F(2)), Action::ToggleDetail),
            ],
            "d  F2",
            "code detail (Ctrl-D while searching); PgDn/PgUp scroll it",
        ),
        foot(
            &[(C('z'), Action::ToggleZoom)],
            "z",
            "zoom the note viewer",
            ("z", "zoom", 60),
        ),
        foot(
            &[
                (C('e'), Action::ToggleEdits),
                (K(KeyCode::F(3)), Action::ToggleEdits),
            ],
            "e  F3",
            "coding edits: the list (errors, warnings to acknowledge, infos)",
            ("e", "edits", 45),
        ),
        foot(
            &[(C('c'), Action::MarkCoded)],
            "c",
            "mark coded (refused while errors fire or warnings are unacknowledged)",
            ("c", "coded", 46),
        ),
        row(
            &[(C('g'), Action::ToggleDrg)],
            "g",
            "the working MS-DRG (inpatient): principal, MDC, path, which codes made the CC/MCC",
        ),
        row(&[(C('o'), Action::Reopen)], "o", "reopen a coded encounter"),
        row(
            &[(C('r'), Action::Release)],
            "r",
            "release the encounter and go back",
        ),
        when(
            foot(
                &[(C('C'), Action::Claim)],
                "C",
                "claim an encounter opened to review from the dashboard (supervisors)",
                ("C", "claim", 5),
            ),
            reviewing,
        ),
        row(
            &[(C('Q'), Action::Query(QAction::TogglePanel))],
            "Q",
            "query panel: compose, send, answer, close (also :query)",
        ),
        foot(
            &[(K(ESC), Action::Back)],
            "Esc",
            "close what is open, else back (gives the claim back if no codes)",
            ("Esc", "back", 80),
        ),
        HELP_ROW,
        COMMAND_ROW,
        QUIT_ROW,
    ],
};

/// POA from any pane, the search box too.
pub const POA_ALT: Table = Table {
    title: "POA from any pane",
    rows: &[row(
        &[
            (Alt('y'), Action::SetPoa(Some(Poa::Yes))),
            (Alt('n'), Action::SetPoa(Some(Poa::No))),
            (Alt('u'), Action::SetPoa(Some(Poa::Unknown))),
            (Alt('w'), Action::SetPoa(Some(Poa::ClinicallyUndetermined))),
            (Alt('1'), Action::SetPoa(Some(Poa::Exempt))),
            (Alt('0'), Action::SetPoa(None)),
        ],
        "Alt-y n u w 1 0",
        "POA of the highlighted code (plain letters act in the codes pane only)",
    )],
};

pub const NOTES: Table = Table {
    title: "Notes list",
    rows: &[
        ENC_MOTION[0],
        ENC_MOTION[1],
        ENC_MOTION[2],
        foot(
            &[
                (K(ENTER), Action::Accept),
                (C('l'), Action::Accept),
                (K(KeyCode::Right), Action::Accept),
            ],
            "Enter  l  Right",
            "read it",
            ("Enter", "read", 1),
        ),
        row(
            &[(C(']'), Action::NextNote), (C('['), Action::PrevNote)],
            "]  [",
            "read the next / previous note",
        ),
        row(
            &[(C('f'), Action::StartFind)],
            "f",
            "find in the notes with the query language",
        ),
    ],
};

pub const VIEWER: Table = Table {
    title: "Note viewer",
    rows: &[
        ENC_MOTION[0],
        foot(
            &[
                (K(PGDN), Action::PageDown),
                (C(' '), Action::PageDown),
                (Ctrl('f'), Action::PageDown),
                (Ctrl('d'), Action::PageDown),
                (K(PGUP), Action::PageUp),
                (Ctrl('b'), Action::PageUp),
                (Ctrl('u'), Action::PageUp),
            ],
            "PgDn PgUp  Space ^F ^B",
            "scroll a page",
            ("PgDn", "page", 10),
        ),
        ENC_MOTION[2],
        foot(
            &[(C(']'), Action::NextNote), (C('['), Action::PrevNote)],
            "]  [",
            "next / previous note",
            ("][", "next/prev note", 20),
        ),
        foot(
            &[(C('f'), Action::StartFind)],
            "f",
            "find in the notes with the query language",
            ("f", "find", 8),
        ),
        show(
            foot(
                &[
                    (C('n'), Action::FindNext(true)),
                    (C('N'), Action::FindNext(false)),
                ],
                "n  N",
                "next / previous hit, then the other notes",
                ("n/N", "next/prev hit", 5),
            ),
            found,
        ),
    ],
};

pub const CODES: Table = Table {
    title: "Assigned codes",
    rows: &[
        ENC_MOTION[0],
        ENC_MOTION[1],
        ENC_MOTION[2],
        foot(
            &[(C('p'), Action::SetPrincipal)],
            "p",
            "make principal (first listed)",
            ("p", "principal", 1),
        ),
        foot(
            &[
                (C('y'), Action::SetPoa(Some(Poa::Yes))),
                (C('Y'), Action::SetPoa(Some(Poa::Yes))),
                (C('n'), Action::SetPoa(Some(Poa::No))),
                (C('N'), Action::SetPoa(Some(Poa::No))),
                (C('u'), Action::SetPoa(Some(Poa::Unknown))),
                (C('U'), Action::SetPoa(Some(Poa::Unknown))),
                (C('w'), Action::SetPoa(Some(Poa::ClinicallyUndetermined))),
                (C('W'), Action::SetPoa(Some(Poa::ClinicallyUndetermined))),
                (C('1'), Action::SetPoa(Some(Poa::Exempt))),
            ],
            "y n u w 1",
            "POA: yes, no, unknown, undetermined, exempt",
            ("ynuw1", "POA", 2),
        ),
        row(
            &[
                (C('0'), Action::SetPoa(None)),
                (K(BKSP), Action::SetPoa(None)),
            ],
            "0  Backspace",
            "clear POA",
        ),
        foot(
            &[
                (C('J'), Action::MoveCode(1)),
                (Shift(DOWN), Action::MoveCode(1)),
                (C('K'), Action::MoveCode(-1)),
                (Shift(UP), Action::MoveCode(-1)),
            ],
            "J K  Shift-Down/Up",
            "move the code down / up in sequence",
            ("J/K", "move", 3),
        ),
        foot(
            &[
                (C('x'), Action::AskRemove),
                (K(KeyCode::Delete), Action::AskRemove),
            ],
            "x  Delete",
            "remove (asks first)",
            ("x", "remove", 4),
        ),
        row(
            &[(K(ENTER), Action::ToggleDetail)],
            "Enter",
            "code detail of the highlighted code",
        ),
    ],
};

pub const SEARCH: Table = Table {
    title: "Code search",
    rows: &[
        row(
            &[(Key::Text, Action::Input(' '))],
            "type",
            "search codes as you type (words or a code)",
        ),
        INPUT_MOTION[0],
        foot(
            &[(K(ENTER), Action::Accept)],
            "Enter",
            "assign the highlighted code",
            ("Enter", "assign", 1),
        ),
        show(
            foot(
                &[
                    (Ctrl('d'), Action::ToggleDetail),
                    (K(KeyCode::F(2)), Action::ToggleDetail),
                ],
                "Ctrl-D  F2",
                "code detail; while open PgDn/PgUp scroll it",
                ("^D", "detail", 30),
            ),
            detail_hidden,
        ),
        show(
            foot(
                &[(K(PGDN), Action::PageDown), (K(PGUP), Action::PageUp)],
                "PgDn PgUp",
                "page the results; scroll the detail while it is open",
                ("PgDn/Up", "scroll detail", 25),
            ),
            detail_shown,
        ),
        row(
            &[(Ctrl('r'), Action::DetailRefs)],
            "Ctrl-R",
            "follow the detail's references (see Code detail)",
        ),
        show(
            foot(
                &[
                    (Ctrl('b'), Action::PcsBrowse),
                    (K(KeyCode::F(4)), Action::PcsBrowse),
                ],
                "Ctrl-B  F4",
                "ICD-10-PCS axis browser",
                ("^B", "PCS axes", 32),
            ),
            detail_hidden,
        ),
        show(
            foot(
                &[(Ctrl('t'), Action::CycleSystem)],
                "Ctrl-T",
                "systems: all, CM, PCS, HCPCS, CPT (when imported)",
                ("^T", "system", 31),
            ),
            detail_hidden,
        ),
        row(
            &[(K(KeyCode::F(3)), Action::ToggleEdits)],
            "F3",
            "coding edits",
        ),
        row(
            &[(K(TAB), Action::NextPane), (K(BACKTAB), Action::PrevPane)],
            "Tab  Shift-Tab",
            "next / previous pane",
        ),
        TEXT[1],
        row(&[(Ctrl('u'), Action::ClearInput)], "Ctrl-U", "clear"),
        foot(
            &[(K(ESC), Action::Back)],
            "Esc",
            "close the detail popup, else leave the search box",
            ("Esc", "leave", 80),
        ),
    ],
};

pub const EDITS: Table = Table {
    title: "Coding edits (after e)",
    rows: &[
        foot(
            &[
                (C('j'), Action::Down),
                (K(DOWN), Action::Down),
                (C('k'), Action::Up),
                (K(UP), Action::Up),
            ],
            "j k  Down Up",
            "move",
            ("↑↓", "move", 3),
        ),
        MOTION[1],
        MOTION[2],
        foot(
            &[(C('a'), Action::AckEdit)],
            "a",
            "acknowledge the highlighted warning (audited); errors must be fixed",
            ("a", "acknowledge", 1),
        ),
        foot(
            &[(K(ENTER), Action::Accept)],
            "Enter",
            "go to its code in the codes pane",
            ("Enter", "go to code", 2),
        ),
        foot(
            &[(C('c'), Action::MarkCoded)],
            "c",
            "mark coded",
            ("c", "coded", 4),
        ),
        foot(
            &[
                (C('e'), Action::ToggleEdits),
                (K(ESC), Action::ToggleEdits),
                (K(KeyCode::F(3)), Action::ToggleEdits),
            ],
            "e  Esc  F3",
            "close the list",
            ("e Esc", "close", 5),
        ),
        HELP_ROW,
        COMMAND_ROW,
        QUIT_ROW,
    ],
};

pub const DRG: Table = Table {
    title: "MS-DRG panel (after g)",
    rows: &[
        row(
            &[
                (C('j'), Action::Down),
                (K(DOWN), Action::Down),
                (C('k'), Action::Up),
                (K(UP), Action::Up),
            ],
            "j k  Down Up",
            "scroll",
        ),
        row(
            &[(K(PGDN), Action::PageDown), (K(PGUP), Action::PageUp)],
            "PgDn PgUp",
            "page",
        ),
        foot(
            &[(C('g'), Action::ToggleDrg), (K(ESC), Action::ToggleDrg)],
            "g  Esc",
            "close the panel",
            ("g Esc", "close", 1),
        ),
        HELP_ROW,
        QUIT_ROW,
    ],
};

pub const CONFIRM: Table = Table {
    title: "A question (y/n)",
    rows: &[
        row(
            &[
                (C('y'), Action::Confirm(true)),
                (C('Y'), Action::Confirm(true)),
                (K(ENTER), Action::Confirm(true)),
            ],
            "y  Enter",
            "yes",
        ),
        row(
            &[
                (C('n'), Action::Confirm(false)),
                (C('N'), Action::Confirm(false)),
                (K(ESC), Action::Confirm(false)),
            ],
            "n  Esc",
            "no",
        ),
    ],
};

pub const FIND: Table = Table {
    title: "Find in the note (after f)",
    rows: &[
        foot(
            &[(K(ENTER), Action::Accept)],
            "Enter",
            "find",
            ("Enter", "find", 1),
        ),
        foot(
            &[(K(ESC), Action::Back)],
            "Esc",
            "cancel",
            ("Esc", "cancel", 2),
        ),
        TEXT[0],
        TEXT[1],
        TEXT[2],
    ],
};

pub const PICKER: Table = Table {
    title: "Valid-codes picker",
    rows: &[
        foot(
            &[(Key::Text, Action::Input(' '))],
            "type",
            "narrow: one letter picks the 7th character, words match titles",
            ("type", "narrow", 30),
        ),
        INPUT_MOTION[0],
        INPUT_MOTION[1],
        foot(
            &[(K(ENTER), Action::Accept)],
            "Enter",
            "assign the highlighted code",
            ("Enter", "assign", 1),
        ),
        foot(
            &[(K(ESC), Action::Back)],
            "Esc",
            "cancel",
            ("Esc", "cancel", 40),
        ),
        TEXT[1],
        row(
            &[(Ctrl('u'), Action::ClearInput)],
            "Ctrl-U",
            "clear the text",
        ),
    ],
};

fn pcs_complete(s: &State) -> bool {
    s.encounter
        .as_ref()
        .and_then(|e| e.pcs.as_ref())
        .is_some_and(|b| b.complete())
}

fn pcs_open_column(s: &State) -> bool {
    !pcs_complete(s)
}

pub const PCS: Table = Table {
    title: "ICD-10-PCS axis browser (Ctrl-B)",
    rows: &[
        show(
            foot(
                &[(Key::Alnum, Action::PcsPick(' '))],
                "0-9 A-Z",
                "pick the value with that key; the next column opens",
                ("key", "pick value", 1),
            ),
            pcs_open_column,
        ),
        show(
            foot(
                &[
                    (K(DOWN), Action::Down),
                    (K(UP), Action::Up),
                    (K(PGDN), Action::PageDown),
                    (K(PGUP), Action::PageUp),
                ],
                "Down Up  PgDn PgUp",
                "or move to a value (and pick it with Enter)",
                ("↑↓ Enter", "pick", 2),
            ),
            pcs_open_column,
        ),
        show(
            foot(
                &[(K(ENTER), Action::Accept)],
                "Enter",
                "pick the highlighted value; on a complete code: assign it",
                ("Enter", "assign", 1),
            ),
            pcs_complete,
        ),
        foot(
            &[
                (K(BKSP), Action::Backspace),
                (K(KeyCode::Left), Action::Backspace),
            ],
            "Backspace  Left",
            "back a column",
            ("Bksp", "back", 3),
        ),
        foot(
            &[
                (K(ESC), Action::Back),
                (Ctrl('b'), Action::Back),
                (K(KeyCode::F(4)), Action::Back),
            ],
            "Esc  Ctrl-B  F4",
            "close",
            ("Esc", "close", 4),
        ),
    ],
};

pub const DETAIL_REFS: Table = Table {
    title: "Code detail references",
    rows: &[
        foot(
            &[
                (K(TAB), Action::DetailRef(1)),
                (C('j'), Action::DetailRef(1)),
                (K(DOWN), Action::DetailRef(1)),
                (K(BACKTAB), Action::DetailRef(-1)),
                (C('k'), Action::DetailRef(-1)),
                (K(UP), Action::DetailRef(-1)),
            ],
            "Tab j Down  Shift-Tab k Up",
            "next / previous reference (code, range, K70.-)",
            ("Tab j/k", "reference", 1),
        ),
        foot(
            &[
                (K(ENTER), Action::DetailFollow),
                (C('l'), Action::DetailFollow),
                (K(KeyCode::Right), Action::DetailFollow),
            ],
            "Enter  l  Right",
            "follow it: show that code's detail",
            ("Enter", "follow", 2),
        ),
        foot(
            &[
                (K(BKSP), Action::DetailBack),
                (C('b'), Action::DetailBack),
                (C('h'), Action::DetailBack),
                (K(KeyCode::Left), Action::DetailBack),
            ],
            "Backspace  b h  Left",
            "back to the code shown before",
            ("Bksp", "back", 3),
        ),
        foot(
            &[
                (K(PGDN), Action::PageDown),
                (C(' '), Action::PageDown),
                (K(PGUP), Action::PageUp),
            ],
            "PgDn PgUp  Space",
            "scroll",
            ("PgDn", "scroll", 4),
        ),
        foot(
            &[
                (K(ESC), Action::Back),
                (C('d'), Action::Back),
                (Ctrl('d'), Action::Back),
                (K(KeyCode::F(2)), Action::Back),
            ],
            "Esc  d  F2",
            "close",
            ("Esc", "close", 5),
        ),
        HELP_ROW,
        COMMAND_ROW,
        QUIT_ROW,
    ],
};

// ---- which tables apply ------------------------------------------------------------------------------------

/// Who has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Help,
    Command,
    Confirm,
    Find,
    Picker,
    Edits,
    Drg,
    Pcs,
    DetailRefs,
    /// The query panel, note selection and the CDI queue: `queries::keys`.
    Queries,
    Worklist,
    WorklistFilter,
    Dashboard,
    NotesSearch,
    Notes,
    Viewer,
    Codes,
    Search,
}

impl Context {
    /// Every context, for tests and the README.
    pub const ALL: [Context; 18] = [
        Context::Help,
        Context::Command,
        Context::Confirm,
        Context::Find,
        Context::Picker,
        Context::Edits,
        Context::Drg,
        Context::Pcs,
        Context::DetailRefs,
        Context::Queries,
        Context::Worklist,
        Context::WorklistFilter,
        Context::Dashboard,
        Context::NotesSearch,
        Context::Notes,
        Context::Viewer,
        Context::Codes,
        Context::Search,
    ];

    /// The tables whose keys apply here, first match wins (a test checks no key is bound twice).
    pub fn tables(self) -> &'static [&'static Table] {
        match self {
            Context::Help => &[&HELP],
            Context::Command => &[&COMMAND_LINE],
            Context::Confirm => &[&CONFIRM],
            Context::Find => &[&FIND],
            Context::Picker => &[&PICKER],
            Context::Edits => &[&EDITS],
            Context::Drg => &[&DRG],
            Context::Pcs => &[&PCS],
            Context::DetailRefs => &[&DETAIL_REFS],
            Context::Queries => &[],
            Context::Worklist => &[&WORKLIST],
            Context::WorklistFilter => &[&WORKLIST_FILTER],
            Context::Dashboard => &[&DASHBOARD],
            Context::NotesSearch => &[&NOTES_SEARCH],
            Context::Notes => &[&POA_ALT, &ENCOUNTER, &NOTES],
            Context::Viewer => &[&POA_ALT, &ENCOUNTER, &VIEWER],
            Context::Codes => &[&POA_ALT, &ENCOUNTER, &CODES],
            Context::Search => &[&POA_ALT, &SEARCH],
        }
    }
}

/// Who has the keyboard in `state`: the top overlay, else the screen (and its focused pane).
/// `Queries` when the query features own the key (they are asked per key, see `map`).
pub fn context(state: &State) -> Context {
    match modal::top(state) {
        Some(Modal::Help) => Context::Help,
        Some(Modal::Command) => Context::Command,
        Some(Modal::Confirm) => Context::Confirm,
        Some(Modal::Find) => Context::Find,
        Some(Modal::Picker) => Context::Picker,
        Some(Modal::Edits) => Context::Edits,
        Some(Modal::QueryPanel) => Context::Queries,
        Some(Modal::Pcs) => Context::Pcs,
        Some(Modal::DetailRefs) => Context::DetailRefs,
        Some(Modal::Drg) => Context::Drg,
        Some(Modal::Detail) | None => match state.screen {
            Screen::Worklist if state.worklist.editing => Context::WorklistFilter,
            Screen::Worklist => Context::Worklist,
            Screen::Dashboard => Context::Dashboard,
            Screen::NotesSearch => Context::NotesSearch,
            Screen::Queue => Context::Queries,
            Screen::Encounter => match state.encounter.as_ref() {
                Some(e) if e.cdi.selection.is_some() => Context::Queries,
                Some(e) => match e.focus {
                    Pane::Notes => Context::Notes,
                    Pane::Viewer => Context::Viewer,
                    Pane::Codes => Context::Codes,
                    Pane::Search => Context::Search,
                },
                None => Context::Worklist,
            },
        },
    }
}

/// The action bound to `key` in `tables` (rows that apply in `state` only).
fn lookup(state: &State, tables: &[&Table], key: &KeyEvent) -> Option<Action> {
    for t in tables {
        for r in t.rows.iter().filter(|r| r.applies(state)) {
            for (k, a) in r.keys {
                if k.matches(key) {
                    return Some(with_char(a, key));
                }
            }
        }
    }
    None
}

/// Typed text: the action gets the character typed.
fn with_char(a: &Action, key: &KeyEvent) -> Action {
    match (a, key.code) {
        (Action::Input(_), KeyCode::Char(c)) => Action::Input(c),
        (Action::PcsPick(_), KeyCode::Char(c)) => Action::PcsPick(c.to_ascii_uppercase()),
        _ => a.clone(),
    }
}

/// What a key press means in the current state; None for keys that do nothing here.
pub fn map(state: &State, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
        return Some(Action::Quit);
    }
    // While the window is too small nothing is visible, so no key may act unseen; q still quits.
    if crate::tui::layout::too_small(crate::tui::layout::area_of(state.size)) {
        return (key.code == KeyCode::Char('q')).then_some(Action::Quit);
    }
    if let Some(a) = lookup(state, &[&GLOBAL], &key) {
        return Some(a);
    }
    let ctx = context(state);
    // The query features own some keys on the screens (Q, v, p; the panel; the queue).
    if matches!(
        ctx,
        Context::Queries
            | Context::Worklist
            | Context::Notes
            | Context::Viewer
            | Context::Codes
            | Context::Search
    ) && let Some(a) = crate::tui::queries::keys::map(state, key)
    {
        return a;
    }
    lookup(state, ctx.tables(), &key)
}

/// The main keys of what has the keyboard now, for the footer (the rows marked for it, by
/// priority).
pub fn footer(state: &State) -> Vec<(&'static str, &'static str)> {
    let ctx = context(state);
    if ctx == Context::Confirm
        && let Some(c) = state.encounter.as_ref().and_then(|e| e.confirm.as_ref())
    {
        let (_, yes, no) = c.question();
        return vec![("y Enter", yes), ("n Esc", no)];
    }
    if matches!(
        ctx,
        Context::Queries | Context::Notes | Context::Viewer | Context::Codes | Context::Search
    ) && let Some(f) = crate::tui::queries::keys::footer(state)
    {
        return f;
    }
    let mut feet: Vec<Foot> = ctx
        .tables()
        .iter()
        .flat_map(|t| t.rows.iter())
        .filter(|r| r.applies(state))
        .filter_map(|r| r.foot)
        .filter(|f| f.show.is_none_or(|s| s(state)))
        .collect();
    if ctx == Context::Command {
        feet.push(Foot {
            keys: "F1",
            label: "help",
            prio: 3,
            show: None,
        });
    }
    feet.sort_by_key(|f| f.prio);
    feet.into_iter().map(|f| (f.keys, f.label)).collect()
}

/// A table as a help section (the rows that apply to this user).
fn section(state: &State, t: &Table) -> HelpSection {
    HelpSection {
        title: t.title,
        keys: t
            .rows
            .iter()
            .filter(|r| r.for_user(state))
            .map(|r| KeyHelp {
                keys: r.label,
                what: r.help,
            })
            .collect(),
    }
}

/// The help overlay's sections for the current screen.
pub fn help_sections(state: &State) -> Vec<HelpSection> {
    let s = |t: &Table| section(state, t);
    let doc = |title, keys: &[KeyHelp]| HelpSection {
        title,
        keys: keys.to_vec(),
    };
    let commands = doc("Commands", crate::tui::keymap::COMMANDS);
    match state.screen {
        Screen::Worklist => vec![s(&WORKLIST), s(&WORKLIST_FILTER), commands, s(&GLOBAL)],
        Screen::NotesSearch => vec![
            s(&NOTES_SEARCH),
            doc("Query language", crate::tui::notes_search::QUERY_HELP),
            s(&GLOBAL),
        ],
        Screen::Queue => crate::tui::queries::keys::queue_help(state),
        Screen::Encounter => [
            &ENCOUNTER,
            &POA_ALT,
            &NOTES,
            &VIEWER,
            &CODES,
            &EDITS,
            &DRG,
            &SEARCH,
            &DETAIL_REFS,
            &PCS,
            &PICKER,
            &FIND,
            &CONFIRM,
        ]
        .into_iter()
        .map(s)
        .chain(crate::tui::queries::keys::encounter_help())
        .chain([commands, s(&GLOBAL)])
        .collect(),
        Screen::Dashboard => vec![s(&DASHBOARD), commands, s(&GLOBAL)],
    }
}

/// The help section of keys that work everywhere (for the queue's help).
pub fn global_section(state: &State) -> HelpSection {
    section(state, &GLOBAL)
}

/// The tables the README's Keys section lists, in its order.
pub const README_TABLES: [&Table; 20] = [
    &GLOBAL,
    &WORKLIST,
    &WORKLIST_FILTER,
    &DASHBOARD,
    &NOTES_SEARCH,
    &ENCOUNTER,
    &POA_ALT,
    &NOTES,
    &VIEWER,
    &CODES,
    &SEARCH,
    &EDITS,
    &DRG,
    &DETAIL_REFS,
    &PCS,
    &PICKER,
    &FIND,
    &CONFIRM,
    &HELP,
    &COMMAND_LINE,
];

/// The key tables as a Markdown table (the README's Keys section; a test keeps them equal).
pub fn markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from("| where | keys | does |\n|---|---|---|\n");
    for t in README_TABLES {
        for (i, r) in t.rows.iter().enumerate() {
            let place = if i == 0 { t.title } else { "" };
            out.push_str(&format!(
                "| {} | `{}` | {} |\n",
                cell(place),
                cell(r.label),
                cell(r.help)
            ));
        }
    }
    out
}
