//! More action-in, state-out tests: find in note, takeover by another user, Enter typed ahead.
use super::fixture::{self, INPATIENT, OUTPATIENT};
use super::state::{codes, open, status};
use crate::tui::app::{Action, App, update};
use crate::tui::state::{Pane, StatusKind};
use std::time::{Duration, Instant};

fn find(app: &mut App, q: &str) {
    update(app, Action::StartFind);
    update(app, Action::ClearInput);
    for c in q.chars() {
        update(app, Action::Input(c));
    }
    update(app, Action::Accept);
}

fn shown_note(app: &App) -> String {
    let e = app.state.encounter.as_ref().unwrap();
    e.note.as_ref().unwrap().header.note_id.clone()
}

#[test]
fn find_in_the_note_jumps_between_matches() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    update(&mut app, Action::NextNote);
    update(&mut app, Action::StartFind);
    assert!(app.state.typing());
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Viewer);
    update(&mut app, Action::Back);
    // A phrase: only "Line 7:", not "Line 70" or every "line".
    find(&mut app, "\"LINE 7\"");
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(enc.find.is_none());
    assert_eq!(enc.find_query, "\"LINE 7\"");
    assert_eq!(enc.find_hits.len(), 1, "{}", status(&app));
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
    assert!(status(&app).contains("1 of 1"), "{}", status(&app));
    // A word in every line: n and N step through it; no other note has it, so it wraps round.
    // A new find starts at the first line shown.
    find(&mut app, "weight");
    assert!(!status(&app).contains("1 of 80"), "{}", status(&app));
    update(&mut app, Action::Top);
    find(&mut app, "weight");
    assert!(status(&app).contains("1 of 80"), "{}", status(&app));
    let first = app.state.encounter.as_ref().unwrap().find_line.unwrap();
    update(&mut app, Action::FindNext(true));
    let second = app.state.encounter.as_ref().unwrap().find_line.unwrap();
    assert!(second > first);
    assert!(body_line(&app, second).contains("weight"));
    update(&mut app, Action::FindNext(false));
    assert_eq!(app.state.encounter.as_ref().unwrap().find_line, Some(first));
    update(&mut app, Action::FindNext(false));
    assert!(status(&app).contains("80 of 80"), "{}", status(&app));
    assert!(status(&app).contains("wrapped"), "{}", status(&app));
    assert_eq!(shown_note(&app), "N2");
    // Something absent says so.
    find(&mut app, "zzz");
    assert!(
        status(&app).contains("not in this note"),
        "{}",
        status(&app)
    );
}

#[test]
fn n_goes_on_into_the_encounters_next_note_that_matches() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    update(&mut app, Action::NextNote);
    assert_eq!(shown_note(&app), "N2");
    find(&mut app, "chf");
    assert!(
        status(&app).contains("not in this note"),
        "{}",
        status(&app)
    );
    update(&mut app, Action::FindNext(true));
    assert_eq!(shown_note(&app), "N3");
    assert!(status(&app).contains("note 3 of 3"), "{}", status(&app));
    let enc = app.state.encounter.as_ref().unwrap();
    let body = &enc.note.as_ref().unwrap().body;
    let at = enc.find_at.unwrap();
    assert_eq!(&body[enc.find_hits[at].clone()], "CHF");
    update(&mut app, Action::FindNext(true));
    assert_eq!(shown_note(&app), "N1");
    assert!(status(&app).contains("wrapped round"), "{}", status(&app));
    update(&mut app, Action::FindNext(false));
    assert_eq!(shown_note(&app), "N3");
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
