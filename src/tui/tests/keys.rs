//! The key tables: every help line binds a key to an action, every key that does something has a
//! help line, no key is bound twice where it applies, and the rules of issue 12 (`q` quits
//! everywhere, POA letters only in the codes pane, `g` kept for the DRG overlay).
use super::fixture::{self, INPATIENT};
use crate::tui::app::{Action, App, update};
use crate::tui::keys::{self, Context, Key};
use crate::tui::state::Pane;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn rows(ctx: Context) -> impl Iterator<Item = &'static keys::Row> {
    ctx.tables().iter().flat_map(|t| t.rows.iter())
}

#[test]
fn every_help_line_binds_a_key_to_an_action_and_says_what_it_does() {
    for ctx in Context::ALL {
        for r in rows(ctx) {
            assert!(!r.keys.is_empty(), "{ctx:?}: '{}' binds no key", r.label);
            assert!(
                !r.label.trim().is_empty(),
                "{ctx:?}: a row without keys text"
            );
            assert!(
                !r.help.trim().is_empty(),
                "{ctx:?}: '{}' has no help",
                r.label
            );
        }
    }
}

/// Two keys that the same key press could match.
fn overlap(a: Key, b: Key) -> bool {
    match (a, b) {
        (Key::Text, Key::C(_)) | (Key::C(_), Key::Text) => true,
        (Key::Alnum, Key::C(c)) | (Key::C(c), Key::Alnum) => c.is_ascii_alphanumeric(),
        (Key::Text, Key::Alnum) | (Key::Alnum, Key::Text) => true,
        _ => a == b,
    }
}

#[test]
fn no_two_bindings_in_one_context_collide() {
    for ctx in Context::ALL {
        let bound: Vec<(Key, &str)> = rows(ctx)
            .flat_map(|r| r.keys.iter().map(move |(k, _)| (*k, r.label)))
            .collect();
        for (i, (a, la)) in bound.iter().enumerate() {
            for (b, lb) in &bound[i + 1..] {
                assert!(
                    !overlap(*a, *b),
                    "{ctx:?}: {a:?} is bound by '{la}' and by '{lb}'"
                );
            }
        }
    }
}

/// The key presses the tests try in every state.
fn presses() -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let none = KeyModifiers::NONE;
    for c in (' '..='~').collect::<Vec<char>>() {
        let m = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            none
        };
        out.push(KeyEvent::new(KeyCode::Char(c), m));
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
            out.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT));
        }
    }
    use KeyCode::*;
    for code in [
        Enter, Esc, Tab, BackTab, Backspace, Delete, Up, Down, Left, Right, PageUp, PageDown, Home,
        End,
    ] {
        out.push(KeyEvent::new(code, none));
        out.push(KeyEvent::new(code, KeyModifiers::SHIFT));
        out.push(KeyEvent::new(code, KeyModifiers::CONTROL));
    }
    for n in 1..=12 {
        out.push(KeyEvent::new(F(n), none));
    }
    out
}

/// An action `map` may return in `ctx`: one in its tables (typed text with any character), or
/// one of the keys that work everywhere.
fn listed(ctx: Context, a: &Action) -> bool {
    let same = |b: &Action| match (a, b) {
        (Action::Input(_), Action::Input(_)) | (Action::PcsPick(_), Action::PcsPick(_)) => true,
        _ => format!("{a:?}") == format!("{b:?}"),
    };
    rows(ctx).any(|r| r.keys.iter().any(|(_, b)| same(b)))
        || keys::GLOBAL
            .rows
            .iter()
            .any(|r| r.keys.iter().any(|(_, b)| same(b)))
}

/// States reaching each context of the worklist and the encounter, with a real service.
fn states(app: &mut App) -> Vec<(Context, crate::tui::state::State)> {
    let mut out = Vec::new();
    let mut push = |app: &App| out.push((keys::context(&app.state), app.state.clone()));
    push(app);
    update(app, Action::StartFilter);
    push(app);
    update(app, Action::Back);
    update(app, Action::Dashboard);
    push(app);
    update(app, Action::Back);
    update(app, Action::NotesSearch(None));
    push(app);
    update(app, Action::Back);
    update(app, Action::Open(INPATIENT.into()));
    update(
        app,
        Action::Assign(crate::domain::CodeSystem::Icd10Cm, "I50.23".into()),
    );
    for pane in [Pane::Notes, Pane::Viewer, Pane::Codes] {
        if let Some(e) = app.state.encounter.as_mut() {
            e.focus = pane;
        }
        push(app);
    }
    update(app, Action::FocusSearch);
    push(app);
    update(app, Action::Back);
    update(app, Action::ToggleEdits);
    push(app);
    update(app, Action::ToggleEdits);
    update(app, Action::StartFind);
    push(app);
    update(app, Action::Back);
    update(app, Action::FocusSearch);
    update(app, Action::PcsBrowse);
    push(app);
    update(app, Action::Back);
    update(app, Action::Back);
    if let Some(e) = app.state.encounter.as_mut() {
        e.focus = Pane::Codes;
    }
    update(app, Action::AskRemove);
    push(app);
    update(app, Action::Confirm(false));
    update(app, Action::StartCommand);
    push(app);
    update(app, Action::Back);
    update(app, Action::ToggleHelp);
    push(app);
    out
}

#[test]
fn every_action_a_key_reaches_is_in_that_contexts_table_with_a_help_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(100, 30));
    let states = states(&mut app);
    let seen: Vec<Context> = states.iter().map(|(c, _)| *c).collect();
    for want in [
        Context::Worklist,
        Context::WorklistFilter,
        Context::Dashboard,
        Context::NotesSearch,
        Context::Notes,
        Context::Viewer,
        Context::Codes,
        Context::Search,
        Context::Edits,
        Context::Find,
        Context::Pcs,
        Context::Confirm,
        Context::Command,
        Context::Help,
    ] {
        assert!(seen.contains(&want), "no state reached {want:?}: {seen:?}");
    }
    for (ctx, state) in &states {
        for key in presses() {
            let Some(a) = keys::map(state, key) else {
                continue;
            };
            // The query features answer some keys first (Q, v, p, their panel): their own tables.
            if matches!(a, Action::Query(_)) {
                continue;
            }
            assert!(
                listed(*ctx, &a),
                "{ctx:?}: {key:?} gives {a:?}, which no help line of that context lists"
            );
        }
    }
}

#[test]
fn q_quits_and_poa_letters_act_only_in_the_codes_pane() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(100, 30));
    let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    for (ctx, state) in states(&mut app) {
        let a = keys::map(&state, q);
        match ctx {
            // Typing: q is a letter. In the help, q closes it; in a question, it is not an answer.
            Context::WorklistFilter
            | Context::NotesSearch
            | Context::Search
            | Context::Find
            | Context::Command
            | Context::Picker => assert!(matches!(a, Some(Action::Input('q'))), "{ctx:?}: {a:?}"),
            Context::Pcs => assert!(matches!(a, Some(Action::PcsPick('Q'))), "{ctx:?}: {a:?}"),
            Context::Help => assert!(matches!(a, Some(Action::ToggleHelp)), "{ctx:?}"),
            Context::Confirm => assert!(a.is_none(), "{ctx:?}: {a:?}"),
            _ => assert!(matches!(a, Some(Action::Quit)), "{ctx:?}: {a:?}"),
        }
        for c in ['y', 'n', 'u', 'w', '1', '0'] {
            let a = keys::map(&state, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            let poa = matches!(a, Some(Action::SetPoa(_)));
            assert_eq!(poa, ctx == Context::Codes, "{ctx:?}: {c} gives {a:?}");
        }
    }
}

#[test]
fn g_opens_the_drg_panel_in_every_encounter_pane_and_closes_it() {
    for ctx in [Context::Notes, Context::Viewer, Context::Codes] {
        let g: Vec<_> = rows(ctx)
            .flat_map(|r| r.keys.iter())
            .filter(|(k, _)| *k == Key::C('g'))
            .map(|(_, a)| a.clone())
            .collect();
        assert!(
            matches!(g.as_slice(), [Action::ToggleDrg]),
            "{ctx:?} binds g to {g:?}"
        );
    }
    let g: Vec<_> = rows(Context::Drg)
        .flat_map(|r| r.keys.iter())
        .filter(|(k, _)| *k == Key::C('g') || *k == Key::K(KeyCode::Esc))
        .map(|(_, a)| a.clone())
        .collect();
    assert!(
        matches!(g.as_slice(), [Action::ToggleDrg, Action::ToggleDrg]),
        "{g:?}"
    );
}

#[test]
fn the_footer_and_the_help_come_from_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(100, 30));
    for (ctx, state) in states(&mut app) {
        if ctx == Context::Confirm {
            continue;
        }
        let footer = keys::footer(&state);
        assert!(!footer.is_empty(), "{ctx:?}: no footer");
        let feet: Vec<(&str, &str)> = rows(ctx)
            .filter_map(|r| r.foot.map(|f| (f.keys, f.label)))
            .chain([("F1", "help")])
            .collect();
        for f in &footer {
            assert!(feet.contains(f), "{ctx:?}: footer {f:?} is in no row");
        }
    }
}

const BEGIN: &str = "<!-- keys:begin";
const END: &str = "<!-- keys:end -->";

#[test]
fn the_readme_keys_table_is_the_key_tables() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme.find(BEGIN).expect("README has a keys:begin marker");
    let start = start + readme[start..].find('\n').unwrap() + 1;
    let end = readme.find(END).expect("README has a keys:end marker");
    let want = keys::markdown();
    if std::env::var_os("CHARTDESK_BLESS_README").is_some() {
        let new = format!("{}{}{}", &readme[..start], want, &readme[end..]);
        std::fs::write(path, new).unwrap();
        return;
    }
    assert_eq!(
        &readme[start..end],
        want,
        "README's Keys table differs from src/tui/keys.rs: run this test with \
         CHARTDESK_BLESS_README=1 to rewrite it"
    );
}
