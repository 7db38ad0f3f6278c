//! Keys of the query features: selecting in the note viewer, the query panel and the CDI queue,
//! with their help tables and footers (one source, as in `keymap`).
use crate::domain::query::{self, QueryEvent, QueryStatus};
use crate::tui::app::Action;
use crate::tui::keymap::{HelpSection, KeyHelp};
use crate::tui::queries::panel::Prompt;
use crate::tui::queries::{Extend, QAction};
use crate::tui::state::{Pane, Screen, State};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const fn k(keys: &'static str, what: &'static str) -> KeyHelp {
    KeyHelp { keys, what }
}

pub const SELECT: &[KeyHelp] = &[
    k(
        "v",
        "in the note: start selecting at the find match or top line",
    ),
    k("w b  Right Left", "extend by a word forward / back"),
    k("j k  Down Up", "extend by a line"),
    k(
        ")  s",
        "extend to the sentence end / select the whole sentence",
    ),
    k(
        "p  Enter",
        "pin the selection to the draft query (creates it)",
    ),
    k(
        "p (no selection)",
        "pin the sentence of the current find match",
    ),
    k("Esc  v", "stop selecting"),
];

pub const PANEL: &[KeyHelp] = &[
    k("Q  :query", "open / close the encounter's query panel"),
    k("j k  Down Up", "move between the rows"),
    k("Enter", "edit the row (text), or change it (choices)"),
    k("Left Right  h l", "change template, type, purpose"),
    k("x  Delete", "remove the option or pinned indicator"),
    k("S", "send (refused while compliance errors remain)"),
    k("A", "record the provider's answer (Tab: outcome)"),
    k("C", "close an answered query"),
    k("X", "cancel the query (asks for a reason)"),
    k("N", "new query for this encounter"),
    k("[  ]", "previous / next query of this encounter"),
    k("Esc", "close the panel (the draft is saved as you go)"),
];

pub const QUEUE: &[KeyHelp] = &[
    k("j k  Down Up", "move"),
    k("PgDn PgUp  g G", "page, first / last"),
    k("Enter", "open the query: encounter, indicators, history"),
    k("e", "open the encounter (Esc there comes back)"),
    k(
        "/",
        "filter as you type (provider, attending, account, patient)",
    ),
    k("m", "mine only / everyone's"),
    k("s", "status: active, draft, open, escalated, answered, ..."),
    k("a", "age: any, over 2, 7, 14 days"),
    k("t", "encounter type"),
    k("o", "sort: oldest first / due first"),
    k("r  F5", "refresh"),
    k("Esc", "back to the worklist"),
];

pub const QUEUE_DETAIL: &[KeyHelp] = &[
    k("j k  PgDn PgUp", "scroll"),
    k("e  Enter", "open the encounter"),
    k("A", "record the provider's answer (Tab: outcome)"),
    k("C", "close an answered query"),
    k("X", "cancel the query (asks for a reason)"),
    k("Esc", "back to the queue"),
];

/// Help sections for the queue screen.
pub fn queue_help(state: &State) -> Vec<HelpSection> {
    vec![
        HelpSection {
            title: "CDI queue",
            keys: QUEUE.to_vec(),
        },
        HelpSection {
            title: "Query (after Enter)",
            keys: QUEUE_DETAIL.to_vec(),
        },
        crate::tui::keys::global_section(state),
    ]
}

/// Help sections added to the encounter screen's.
pub fn encounter_help() -> Vec<HelpSection> {
    vec![
        HelpSection {
            title: "Select and pin (note viewer)",
            keys: SELECT.to_vec(),
        },
        HelpSection {
            title: "Query panel (Q)",
            keys: PANEL.to_vec(),
        },
    ]
}

/// The footer while a query feature has the keyboard; None otherwise.
pub fn footer(state: &State) -> Option<Vec<(&'static str, &'static str)>> {
    if state.screen == Screen::Queue {
        let q = &state.queue;
        return Some(if let Some(p) = &q.prompt {
            match p {
                Prompt::Answer { .. } => {
                    vec![("Tab", "outcome"), ("Enter", "record"), ("Esc", "cancel")]
                }
                _ => vec![("Enter", "keep"), ("Esc", "cancel"), ("^U", "clear")],
            }
        } else if q.editing {
            vec![("Enter", "keep"), ("Esc", "clear"), ("^U", "clear")]
        } else if let Some(c) = &q.detail {
            let mut keys = vec![("e", "open encounter")];
            keys.extend(lifecycle_keys(Some(c.row.status)));
            keys.extend([("j k", "scroll"), ("Esc", "back")]);
            keys
        } else {
            vec![
                ("Enter", "open"),
                ("e", "encounter"),
                ("/", "filter"),
                ("m", "mine"),
                ("s", "status"),
                ("a", "age"),
                ("t", "type"),
                ("o", "sort"),
                ("?", "help"),
            ]
        });
    }
    let e = state
        .encounter
        .as_ref()
        .filter(|_| state.screen == Screen::Encounter)?;
    if let Some(p) = &e.cdi.panel {
        return Some(match &p.prompt {
            Some(Prompt::Answer { .. }) => {
                vec![("Tab", "outcome"), ("Enter", "record"), ("Esc", "cancel")]
            }
            Some(_) => vec![("Enter", "keep"), ("Esc", "cancel"), ("^U", "clear")],
            None if p.is_draft() => vec![
                ("Enter", "edit"),
                ("←→", "change"),
                ("x", "remove"),
                ("S", "send"),
                ("X", "cancel"),
                ("Esc", "close"),
                ("?", "help"),
            ],
            None => {
                let status = p.card.as_ref().map(|c| c.row.status);
                let mut keys = lifecycle_keys(status);
                keys.extend([
                    ("N", "new"),
                    ("[]", "other"),
                    ("Esc", "close"),
                    ("?", "help"),
                ]);
                keys
            }
        });
    }
    if e.cdi.selection.is_some() {
        return Some(vec![
            ("w b", "word"),
            ("j k", "line"),
            (")", "sentence"),
            ("s", "whole sentence"),
            ("p", "pin"),
            ("Esc", "stop"),
        ]);
    }
    None
}

/// The lifecycle keys a query in `status` takes (sending is a draft's, in the form's footer).
fn lifecycle_keys(status: Option<QueryStatus>) -> Vec<(&'static str, &'static str)> {
    let Some(s) = status else {
        return Vec::new();
    };
    [
        (QueryEvent::Answer, ("A", "answer")),
        (QueryEvent::Close, ("C", "close")),
        (QueryEvent::Cancel, ("X", "cancel")),
    ]
    .into_iter()
    .filter(|(ev, _)| query::target(s, *ev).is_some())
    .map(|(_, k)| k)
    .collect()
}

fn ctrl(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
}

fn q(a: QAction) -> Option<Action> {
    Some(Action::Query(a))
}

/// Typing a line: characters, Backspace, Ctrl-U, Enter, Esc.
fn typing_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Enter => q(QAction::Accept),
        KeyCode::Esc => q(QAction::Back),
        KeyCode::Backspace => q(QAction::Backspace),
        KeyCode::Char('u') if ctrl(&key) => q(QAction::ClearInput),
        KeyCode::Char('h') if ctrl(&key) => q(QAction::Backspace),
        KeyCode::Char(c) if !ctrl(&key) && !key.modifiers.contains(KeyModifiers::ALT) => {
            q(QAction::Input(c))
        }
        _ => None,
    }
}

fn list_motion(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => q(QAction::Move(1)),
        KeyCode::Up | KeyCode::Char('k') => q(QAction::Move(-1)),
        KeyCode::PageDown | KeyCode::Char(' ') => q(QAction::Page(1)),
        KeyCode::PageUp => q(QAction::Page(-1)),
        KeyCode::Home | KeyCode::Char('g') => q(QAction::Top),
        KeyCode::End | KeyCode::Char('G') => q(QAction::Bottom),
        _ => None,
    }
}

/// What a key means to the query features: `Some(action or nothing)` when they own the key in
/// this state, None to let the other screens' keys apply.
pub fn map(state: &State, key: KeyEvent) -> Option<Option<Action>> {
    match state.screen {
        Screen::Queue => Some(queue_key(state, key)),
        Screen::Worklist if !state.worklist.editing => match key.code {
            KeyCode::Char('Q') | KeyCode::F(4) => Some(q(QAction::OpenQueue)),
            _ => None,
        },
        Screen::Worklist => None,
        Screen::Encounter => encounter_key(state, key),
        Screen::NotesSearch | Screen::Dashboard => None,
    }
}

fn queue_key(state: &State, key: KeyEvent) -> Option<Action> {
    let qs = &state.queue;
    if let Some(p) = &qs.prompt {
        if matches!(p, Prompt::Answer { .. }) && key.code == KeyCode::Tab {
            return q(QAction::NextOutcome);
        }
        return typing_key(key);
    }
    if qs.editing {
        return match key.code {
            KeyCode::Down => q(QAction::Move(1)),
            KeyCode::Up => q(QAction::Move(-1)),
            KeyCode::Tab => q(QAction::Accept),
            _ => typing_key(key),
        };
    }
    let common = match key.code {
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Char(':') => Some(Action::StartCommand),
        KeyCode::Esc => q(QAction::Back),
        KeyCode::Char('e') => q(QAction::OpenEncounter),
        KeyCode::Char('r') | KeyCode::F(5) => q(QAction::Refresh),
        _ => None,
    };
    if common.is_some() {
        return common;
    }
    if qs.detail.is_some() {
        return match key.code {
            KeyCode::Enter => q(QAction::OpenEncounter),
            KeyCode::Char('A') => q(QAction::Answer),
            KeyCode::Char('C') => q(QAction::Close),
            KeyCode::Char('X') => q(QAction::Cancel),
            _ => list_motion(key),
        };
    }
    match key.code {
        KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right => q(QAction::Accept),
        KeyCode::Char('/') => q(QAction::StartFilter),
        KeyCode::Char('m') => q(QAction::ToggleMine),
        KeyCode::Char('s') => q(QAction::CycleStatus),
        KeyCode::Char('a') => q(QAction::CycleAge),
        KeyCode::Char('t') => q(QAction::CycleType),
        KeyCode::Char('o') => q(QAction::ToggleSort),
        KeyCode::Char('q') => Some(Action::Quit),
        _ => list_motion(key),
    }
}

fn encounter_key(state: &State, key: KeyEvent) -> Option<Option<Action>> {
    let e = state.encounter.as_ref()?;
    // Overlays of other features keep the keyboard.
    if e.confirm.is_some() || e.find.is_some() || e.picker.is_some() || e.edits.open {
        return None;
    }
    if let Some(p) = &e.cdi.panel {
        return Some(panel_key(p, key));
    }
    if e.cdi.selection.is_some() {
        return Some(match key.code {
            KeyCode::Char('w') | KeyCode::Right | KeyCode::Char('l') => {
                q(QAction::Extend(Extend::WordForward))
            }
            KeyCode::Char('b') | KeyCode::Left | KeyCode::Char('h') => {
                q(QAction::Extend(Extend::WordBack))
            }
            KeyCode::Char('j') | KeyCode::Down => q(QAction::Extend(Extend::LineDown)),
            KeyCode::Char('k') | KeyCode::Up => q(QAction::Extend(Extend::LineUp)),
            KeyCode::Char(')') => q(QAction::Extend(Extend::SentenceEnd)),
            KeyCode::Char('s') => q(QAction::Extend(Extend::Sentence)),
            KeyCode::Char('p') | KeyCode::Enter => q(QAction::Pin),
            KeyCode::Esc | KeyCode::Char('v') => q(QAction::CancelSelect),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            _ => None,
        });
    }
    if e.focus == Pane::Search {
        return None;
    }
    match key.code {
        KeyCode::Char('Q') => Some(q(QAction::TogglePanel)),
        KeyCode::Char('v') if e.focus == Pane::Viewer => Some(q(QAction::StartSelect)),
        KeyCode::Char('p') if e.focus == Pane::Viewer => Some(q(QAction::Pin)),
        _ => None,
    }
}

fn panel_key(p: &crate::tui::queries::PanelState, key: KeyEvent) -> Option<Action> {
    if let Some(prompt) = &p.prompt {
        if matches!(prompt, Prompt::Answer { .. }) && key.code == KeyCode::Tab {
            return q(QAction::NextOutcome);
        }
        return typing_key(key);
    }
    match key.code {
        KeyCode::Esc | KeyCode::Char('Q') => q(QAction::Back),
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Char(':') => Some(Action::StartCommand),
        KeyCode::Enter => q(QAction::Accept),
        KeyCode::Left | KeyCode::Char('h') => q(QAction::Cycle(-1)),
        KeyCode::Right | KeyCode::Char('l') => q(QAction::Cycle(1)),
        KeyCode::Char('x') | KeyCode::Delete => q(QAction::Remove),
        KeyCode::Char('S') => q(QAction::Send),
        KeyCode::Char('A') => q(QAction::Answer),
        KeyCode::Char('C') => q(QAction::Close),
        KeyCode::Char('X') => q(QAction::Cancel),
        KeyCode::Char('N') => q(QAction::New),
        KeyCode::Char('[') => q(QAction::OtherQuery(-1)),
        KeyCode::Char(']') => q(QAction::OtherQuery(1)),
        KeyCode::Tab => q(QAction::Move(1)),
        KeyCode::BackTab => q(QAction::Move(-1)),
        _ => list_motion(key),
    }
}
