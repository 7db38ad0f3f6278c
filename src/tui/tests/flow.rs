//! More action-in, state-out tests: find in note, takeover by another user, Enter typed ahead.
use super::fixture::{self, INPATIENT, OUTPATIENT};
use super::state::{codes, open, status};
use crate::tui::app::{Action, App, update};
use crate::tui::state::{Pane, StatusKind};
use std::time::{Duration, Instant};

#[test]
fn find_in_the_note_jumps_between_matches() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    update(&mut app, Action::NextNote);
    update(&mut app, Action::StartFind);
    assert!(app.state.typing());
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Viewer);
    for c in "LINE 7".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(enc.find.is_none());
    assert_eq!(enc.find_query, "LINE 7");
    let first = enc.find_line.unwrap();
    let body_line = |app: &App, i: usize| {
        let e = app.state.encounter.as_ref().unwrap();
        let w = crate::tui::layout::encounter(crate::tui::layout::area_of(app.state.size), false, 0)
            .viewer_text()
            .width as usize;
        crate::tui::widgets::text::wrap(&e.note.as_ref().unwrap().body, w)[i].clone()
    };
    assert!(
        body_line(&app, first).starts_with("Line 7:"),
        "{}",
        body_line(&app, first)
    );
    assert!(enc.scroll <= first && first < enc.scroll + 14);
    assert!(status(&app).contains("1 of 11"), "{}", status(&app));
    update(&mut app, Action::FindNext(true));
    let second = app.state.encounter.as_ref().unwrap().find_line.unwrap();
    assert!(second > first);
    assert!(body_line(&app, second).to_lowercase().contains("line 7"));
    update(&mut app, Action::FindNext(false));
    assert_eq!(app.state.encounter.as_ref().unwrap().find_line, Some(first));
    update(&mut app, Action::FindNext(false));
    assert!(status(&app).contains("wrapped"), "{}", status(&app));
    // Something absent says so.
    update(&mut app, Action::StartFind);
    for c in "zzz".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    assert!(
        status(&app).contains("not in this note"),
        "{}",
        status(&app)
    );
}

#[test]
fn a_takeover_by_someone_else_shows_on_the_next_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, OUTPATIENT);
    assert_eq!(app.state.encounter.as_ref().unwrap().view.read_only, None);
    // Another process (a supervisor) hands the encounter to bob.
    let id = app.state.encounter.as_ref().unwrap().view.encounter.id;
    let conn = crate::store::open(&dir.path().join("chartdesk.db")).unwrap();
    crate::store::encounters::set_claim(&conn, id, Some("bob"), &crate::store::now()).unwrap();
    app.state.status = None;
    update(&mut app, Action::Tick);
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(enc.view.read_only.as_deref().unwrap().contains("bob"));
    assert!(
        status(&app).starts_with("now read-only"),
        "{}",
        status(&app)
    );
    assert_eq!(app.state.status.as_ref().unwrap().kind, StatusKind::Warning);
}

#[test]
fn enter_typed_ahead_of_the_search_assigns_the_top_result_when_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, OUTPATIENT);
    update(&mut app, Action::FocusSearch);
    for c in "essential hypertension".chars() {
        update(&mut app, Action::Input(c));
    }
    assert!(app.search_pending());
    update(&mut app, Action::Accept);
    assert!(codes(&app).is_empty(), "nothing assigned before the answer");
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.search_pending() {
        assert!(Instant::now() < deadline);
        app.poll_search(Duration::from_millis(50));
    }
    assert_eq!(
        codes(&app),
        vec![("I10".into(), 1, None)],
        "{}",
        status(&app)
    );
}
