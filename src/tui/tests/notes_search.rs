//! The note search screen and find in notes: keys in, state and screen (TestBackend 80x24) out,
//! against a real service, with the audit rows they write.
use super::fixture::{self, INPATIENT, screen};
use super::state::status;
use crate::service::NoteOrder;
use crate::tui::app::{Action, App, update};
use crate::tui::keymap;
use crate::tui::state::{Pane, Screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;
use std::time::{Duration, Instant};

fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    if let Some(a) = keymap::map(&app.state, KeyEvent::new(code, mods)) {
        update(app, a);
    }
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

/// Waits for the notes search thread's answer to the newest query.
fn settle(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.notes_pending() {
        assert!(Instant::now() < deadline, "the notes search did not finish");
        app.poll_notes(Duration::from_millis(50));
    }
}

/// Audit rows of `action` as (object, detail), oldest first.
fn audit(dir: &std::path::Path, action: &str) -> Vec<(String, String)> {
    let conn = crate::store::open(&dir.join("chartdesk.db")).unwrap();
    let mut st = conn
        .prepare("SELECT object, detail FROM audit WHERE action = ?1 ORDER BY id")
        .unwrap();
    st.query_map([action], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn shown_note(app: &App) -> String {
    let e = app.state.encounter.as_ref().unwrap();
    e.note.as_ref().unwrap().header.note_id.clone()
}

#[test]
fn s_opens_the_screen_and_typing_searches_every_note_with_one_audit_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    typed(&mut app, "s");
    assert_eq!(app.state.screen, Screen::NotesSearch);
    assert!(app.state.typing());
    typed(&mut app, "exacerbation");
    settle(&mut app);
    let ns = &app.state.notes_search;
    assert_eq!(ns.results_query, "exacerbation");
    let ids: Vec<&str> = ns.results.iter().map(|h| h.note_id.as_str()).collect();
    assert_eq!(ns.total, 2, "{ids:?}");
    assert!(ids.contains(&"N1") && ids.contains(&"N3"), "{ids:?}");
    // Keys typed faster than the settle time ran one search: one audit row, for the whole word.
    let rows = audit(dir.path(), "search_notes");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "exacerbation");

    let buf = {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        t.draw(|f| crate::tui::render(&app.state, f)).unwrap();
        t.backend().buffer().clone()
    };
    let l = screen(&app.state, 80, 24);
    assert!(l[0].starts_with("Note search · 2 notes"), "{}", l[0]);
    assert!(l[0].contains("best match first"), "{}", l[0]);
    assert!(l[1].starts_with("> exacerbation"), "{}", l[1]);
    let head = l.iter().position(|x| x.contains("A10000001")).unwrap();
    assert!(
        l[head].contains("Dr. Rivera") && l[head].contains("2025-02-0"),
        "{}",
        l[head]
    );
    let snip = &l[head + 1];
    let x = snip.find("exacerbation").expect("snippet shows the hit");
    let x = snip[..x].chars().count() as u16;
    let y = head as u16 + 1;
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED), "{snip}");
    assert!(!buf[(x - 2, y)].modifier.contains(Modifier::REVERSED));
    assert!(
        l[23].contains("Enter open") && l[23].contains("order"),
        "{}",
        l[23]
    );
}

#[test]
fn order_toggle_fallback_message_and_empty_results_show() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::NotesSearch(Some("acute chronic".into())));
    settle(&mut app);
    assert!(app.state.notes_search.total >= 2);
    press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    settle(&mut app);
    let ns = &app.state.notes_search;
    assert_eq!(ns.order, NoteOrder::Newest);
    let dates: Vec<&str> = ns.results.iter().map(|h| h.written_at.as_str()).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert!(screen(&app.state, 80, 24)[0].contains("newest first"));
    // A filter with a bad value is left out, and the screen says so.
    press(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    typed(&mut app, "chf after:someday ");
    settle(&mut app);
    let msg = app.state.notes_search.fallback.clone().expect("a message");
    assert!(msg.contains("after"), "{msg}");
    let l = screen(&app.state, 80, 24);
    assert!(l[2].contains("after"), "{}", l[2]);
    typed(&mut app, "zzzz");
    settle(&mut app);
    assert!(app.state.notes_search.results.is_empty());
    let l = screen(&app.state, 80, 24);
    assert!(l.iter().any(|x| x.contains("no note matches")), "{l:#?}");
    // Esc goes back to the worklist.
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.state.screen, Screen::Worklist);
}

#[test]
fn enter_opens_the_encounter_at_the_hit_with_one_audited_view_and_n_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    typed(&mut app, "s");
    typed(&mut app, "\"monitor weight\"");
    settle(&mut app);
    assert_eq!(app.state.notes_search.results[0].note_id, "N2");
    let before = audit(dir.path(), "view_note").len();
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(&app));
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.view.encounter.account, INPATIENT);
    assert_eq!(shown_note(&app), "N2");
    assert_eq!(enc.focus, Pane::Viewer);
    assert_eq!(enc.find_hits.len(), 80);
    assert_eq!(enc.find_at, Some(0));
    let body = &enc.note.as_ref().unwrap().body;
    assert_eq!(&body[enc.find_hits[0].clone()], "monitor weight");
    assert!(status(&app).contains("1 of 80"), "{}", status(&app));
    // Exactly one audited view, of the note opened (not of the encounter's first note).
    let views = audit(dir.path(), "view_note");
    assert_eq!(views.len(), before + 1, "{views:?}");
    assert_eq!(views.last().unwrap().0, "N2");
    // The hit is marked in the viewer.
    let l = screen(&app.state, 80, 24);
    assert!(l.iter().any(|x| x.contains("monitor weight")), "{l:#?}");
    assert!(l[23].contains("n/N next/prev hit"), "{}", l[23]);
    let first_line = enc.find_line.unwrap();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::NONE);
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.find_at, Some(1));
    assert!(enc.find_line.unwrap() > first_line);
    assert!(status(&app).contains("2 of 80"), "{}", status(&app));
    press(&mut app, KeyCode::Char('N'), KeyModifiers::SHIFT);
    assert_eq!(app.state.encounter.as_ref().unwrap().find_at, Some(0));
    assert_eq!(audit(dir.path(), "view_note").len(), before + 1);
    // Esc gives the encounter back and returns to the results.
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.state.screen, Screen::NotesSearch);
    assert!(app.state.encounter.is_none());
    assert_eq!(app.state.notes_search.results[0].note_id, "N2");
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.state.screen, Screen::Worklist);
}

#[test]
fn enter_before_the_answer_opens_the_first_result_when_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::NotesSearch(None));
    typed(&mut app, "hip fracture");
    assert!(app.notes_pending());
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.state.screen, Screen::NotesSearch);
    settle(&mut app);
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(&app));
    assert_eq!(shown_note(&app), "N5");
    // Held by bob: read-only, and the status line says so before the hit.
    assert!(status(&app).starts_with("read-only"), "{}", status(&app));
}

#[test]
fn find_matches_a_phrase_that_the_viewer_wraps_onto_two_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Open(INPATIENT.into()));
    assert_eq!(shown_note(&app), "N1");
    let w = crate::tui::layout::encounter(crate::tui::layout::area_of(app.state.size), false, 0)
        .viewer_text()
        .width as usize;
    let body = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .note
        .as_ref()
        .unwrap()
        .body
        .clone();
    let lines = crate::tui::widgets::text::wrap(&body, w);
    // The fixture's phrase really is cut by the wrap at 80x24.
    let cut = lines
        .iter()
        .position(|l| l.ends_with("acute on"))
        .expect("a line ending inside the phrase");
    assert!(lines[cut + 1].starts_with("chronic systolic"), "{lines:?}");
    update(&mut app, Action::StartFind);
    for c in "\"acute on chronic systolic\"".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.find_hits.len(), 1, "{}", status(&app));
    assert_eq!(&body[enc.find_hits[0].clone()], "acute on chronic systolic");
    assert_eq!(enc.find_line, Some(cut));
    // Both halves are marked on screen.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| crate::tui::render(&app.state, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let l = screen(&app.state, 80, 24);
    let marked = |word: &str| {
        let y = l.iter().position(|x| x.contains(word)).unwrap();
        let x = l[y][..l[y].find(word).unwrap()].chars().count() as u16;
        buf[(x, y as u16)].modifier.contains(Modifier::REVERSED)
    };
    assert!(marked("acute on"), "{l:#?}");
    assert!(marked("chronic systolic"), "{l:#?}");
    assert!(!marked("HPI"));
}

#[test]
fn notes_command_from_an_encounter_returns_to_it_and_small_windows_draw() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Open(INPATIENT.into()));
    update(&mut app, Action::StartCommand);
    for c in "notes \"hip fracture\"".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    assert_eq!(app.state.screen, Screen::NotesSearch);
    settle(&mut app);
    assert_eq!(app.state.notes_search.results_query, "\"hip fracture\"");
    assert_eq!(app.state.notes_search.total, 1);
    for (w, h) in [(60, 16), (80, 24), (200, 60)] {
        update(&mut app, Action::Resize(w, h));
        let l = screen(&app.state, w, h);
        assert!(l[0].starts_with("Note search"), "{w}x{h}: {}", l[0]);
        assert!(l.iter().any(|x| x.contains("A10000003")), "{w}x{h}: {l:#?}");
    }
    update(&mut app, Action::Resize(80, 24));
    // Esc goes back to the encounter that was open, still open.
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.state.screen, Screen::Encounter);
    assert_eq!(
        app.state.encounter.as_ref().unwrap().view.encounter.account,
        INPATIENT
    );
}

#[test]
fn an_unclosed_quote_is_read_as_the_command_line_reads_it_with_the_notice() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    typed(&mut app, "s");
    typed(&mut app, "\"heart failure");
    settle(&mut app);
    let cli = app
        .service
        .search_notes(
            "\"heart failure",
            &crate::service::NoteQuery {
                limit: crate::tui::notes_worker::LIMIT,
                typing: false,
                ..Default::default()
            },
        )
        .unwrap();
    let ns = &app.state.notes_search;
    let notice = ns.fallback.clone().unwrap_or_default();
    assert_eq!(
        notice,
        "Could not read the query (a quote is not closed): searched for the words heart failure"
    );
    assert_eq!(Some(notice.clone()), cli.fallback_message);
    let ids = |hits: &[crate::service::NoteHit]| -> Vec<String> {
        let mut v: Vec<String> = hits.iter().map(|h| h.note_id.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&ns.results), ids(&cli.hits));
    assert!(!ns.results.is_empty());
    let l = screen(&app.state, 80, 24);
    assert!(l[1].starts_with("> \"heart failure"), "{}", l[1]);
    assert!(
        l[2].starts_with("Could not read the query (a quote is not closed)"),
        "{l:#?}"
    );
    // Closing the quote makes it a phrase: no notice.
    typed(&mut app, "\"");
    settle(&mut app);
    assert_eq!(app.state.notes_search.fallback, None);
}
