//! Keys and screens together: key events go through the keymap into `update`, then the screen is
//! drawn from the resulting state (see tests/tui_render.rs for hand-made states).
use super::fixture::{self, INPATIENT, screen};
use crate::tui::app::{App, update};
use crate::tui::keymap;
use crate::tui::state::{Pane, Screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    if let Some(a) = keymap::map(&app.state, KeyEvent::new(code, mods)) {
        update(app, a);
    }
}

fn key(app: &mut App, code: KeyCode) {
    press(app, code, KeyModifiers::NONE);
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        press(app, KeyCode::Char(c), mods);
    }
}

fn settle(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.search_pending() {
        assert!(Instant::now() < deadline, "search did not finish");
        app.poll_search(Duration::from_millis(20));
    }
}

fn shown(app: &App) -> String {
    screen(&app.state, app.state.size.0, app.state.size.1).join("\n")
}

#[test]
fn keyboard_session_open_search_assign_poa_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, crate::tui::Action::Resize(80, 24));
    // Filter the worklist by typing, open with Enter.
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "doe");
    assert!(shown(&app).contains("/doe"));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.state.screen, Screen::Encounter);
    let s = shown(&app);
    assert!(
        s.contains("DOE, JANE") && s.contains("History and Physical"),
        "{s}"
    );
    assert!(
        s.contains("HPI: 74 year old female"),
        "first note is shown\n{s}"
    );
    // In the search box letters are text, not commands: "y" must not set a POA, "q" must not quit.
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "systolic heart failure y");
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    settle(&mut app);
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.search.input.text, "systolic heart failure");
    assert!(!app.state.quit);
    let s = shown(&app);
    assert!(s.contains("I50.23") && s.contains("I50.2+"), "{s}");
    // Down to the first billable result and assign it.
    let first_billable = enc.search.results.iter().position(|h| h.billable).unwrap();
    for _ in 0..first_billable {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.view.assignments.len(), 1, "{:?}", app.state.status);
    assert!(shown(&app).contains("PDX"), "{}", shown(&app));
    // Esc leaves the search box; Tab twice from the notes... go straight to codes via Shift-Tab.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Notes);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Codes);
    key(&mut app, KeyCode::Char('y'));
    let a = &app.state.encounter.as_ref().unwrap().view.assignments[0];
    assert_eq!(a.poa.map(|p| p.as_str()), Some("Y"));
    assert!(shown(&app).contains("PDX  I50."), "{}", shown(&app));
    // Help for this screen, then close it.
    key(&mut app, KeyCode::Char('?'));
    assert!(shown(&app).contains("Help: encounter"));
    key(&mut app, KeyCode::Esc);
    assert!(app.state.help.is_none());
    // Esc back to the worklist; the encounter keeps its claim (it has a code).
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.screen, Screen::Worklist);
    let s = shown(&app);
    let row = s.lines().find(|l| l.contains(INPATIENT)).unwrap();
    assert!(
        row.contains("in progress") && row.contains("tester"),
        "{row}"
    );
    key(&mut app, KeyCode::Char('q'));
    assert!(app.state.quit);
}

#[test]
fn picker_and_zoom_and_detail_through_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, crate::tui::Action::Resize(80, 24));
    update(&mut app, crate::tui::Action::Open(INPATIENT.into()));
    key(&mut app, KeyCode::Char(':'));
    typed(&mut app, "assign S72.001");
    key(&mut app, KeyCode::Enter);
    let s = shown(&app);
    assert!(
        s.contains("Valid codes for S72.001") && s.contains("S72.001A"),
        "{s}"
    );
    typed(&mut app, "subsequent");
    key(&mut app, KeyCode::Enter);
    let codes = &app.state.encounter.as_ref().unwrap().view.assignments;
    assert_eq!(codes[0].code, "S72.001D");
    // Zoom the note viewer to full width and page through the long note.
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char('z'));
    let s = shown(&app);
    assert!(
        !s.contains("Code search") && s.contains("Line 1: patient stable"),
        "{s}"
    );
    key(&mut app, KeyCode::PageDown);
    assert!(!shown(&app).contains("Line 1: patient stable"));
    key(&mut app, KeyCode::Char('z'));
    assert!(shown(&app).contains("Code search"));
    // Detail of an assigned code from the codes pane, scrolled with PgDn.
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Codes);
    key(&mut app, KeyCode::Char('d'));
    let s = shown(&app);
    assert!(
        s.contains("Code detail") && s.contains("S72.001D Fracture"),
        "{s}"
    );
    key(&mut app, KeyCode::Esc);
    assert!(!app.state.encounter.as_ref().unwrap().detail_open);
    assert_eq!(app.state.screen, Screen::Encounter);
}

#[test]
fn too_small_then_resized_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, crate::tui::Action::Resize(40, 10));
    let s: String = shown(&app)
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        s.starts_with("window too small (need 60x16, have 40x10)"),
        "{s}"
    );
    update(&mut app, crate::tui::Action::Resize(80, 24));
    assert!(shown(&app).contains("Worklist"));
}

#[test]
fn too_small_ignores_keys_except_quit() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, crate::tui::Action::Resize(50, 12));
    assert!(shown(&app).contains("q quits"), "{}", shown(&app));
    let before = app.state.worklist.pos.selected;
    key(&mut app, KeyCode::Char('?'));
    key(&mut app, KeyCode::F(1));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char(':'));
    assert!(app.state.help.is_none(), "help opened unseen");
    assert!(app.state.command.is_none(), "command line opened unseen");
    assert_eq!(app.state.screen, Screen::Worklist);
    assert_eq!(app.state.worklist.pos.selected, before);
    update(&mut app, crate::tui::Action::Resize(80, 24));
    assert!(shown(&app).contains("Worklist"));
    assert!(!app.state.quit);
    update(&mut app, crate::tui::Action::Resize(50, 12));
    key(&mut app, KeyCode::Char('q'));
    assert!(app.state.quit);
}

/// What the backend shows, row by row.
fn backend_rows(t: &ratatui::Terminal<ratatui::backend::TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// Writes `#` over every cell, as a dead instance's screen or a terminal's reflow would leave it.
fn litter(t: &mut ratatui::Terminal<ratatui::backend::TestBackend>) {
    use ratatui::backend::Backend;
    let junk = ratatui::buffer::Cell::new("#");
    let area = t.backend().buffer().area;
    let cells: Vec<(u16, u16, &ratatui::buffer::Cell)> = (0..area.height)
        .flat_map(|y| (0..area.width).map(move |x| (x, y)))
        .map(|(x, y)| (x, y, &junk))
        .collect();
    t.backend_mut().draw(cells.into_iter()).unwrap();
}

#[test]
fn start_and_resize_repaint_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    litter(&mut t);
    crate::tui::event::full_redraw(&mut t, &mut app).unwrap();
    t.draw(|f| crate::tui::render(&app.state, f)).unwrap();
    assert_eq!(backend_rows(&t), screen(&app.state, 80, 24));
    for _ in 0..2 {
        t.backend_mut().resize(50, 12);
        crate::tui::event::full_redraw(&mut t, &mut app).unwrap();
        t.draw(|f| crate::tui::render(&app.state, f)).unwrap();
        assert_eq!(app.state.size, (50, 12));
        assert!(backend_rows(&t)[0].starts_with("window too small"));
        t.backend_mut().resize(80, 24);
        litter(&mut t);
        crate::tui::event::full_redraw(&mut t, &mut app).unwrap();
        t.draw(|f| crate::tui::render(&app.state, f)).unwrap();
        assert_eq!(app.state.size, (80, 24));
        let rows = backend_rows(&t);
        assert_eq!(rows, screen(&app.state, 80, 24));
        assert!(rows.iter().all(|r| !r.contains('#')), "{}", rows.join("\n"));
    }
}
