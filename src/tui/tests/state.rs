//! Action in, State out, with a real Service behind the app.
use super::fixture::{self, HELD_BY_BOB, INPATIENT, OUTPATIENT};
use crate::domain::{CodeSystem, EncounterStatus, Poa};
use crate::tui::app::{Action, App, update};
use crate::tui::state::{Pane, Scope, Screen, StatusKind};
use std::time::{Duration, Instant};

pub(super) fn status(app: &App) -> String {
    app.state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

pub(super) fn open(app: &mut App, account: &str) {
    update(app, Action::Open(account.into()));
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(app));
}

/// Types `q` into the search box and waits for its answer.
pub(super) fn search(app: &mut App, q: &str) {
    update(app, Action::FocusSearch);
    update(app, Action::ClearInput);
    for c in q.chars() {
        update(app, Action::Input(c));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.search_pending() {
        assert!(Instant::now() < deadline, "search for {q} did not finish");
        app.poll_search(Duration::from_millis(50));
    }
}

pub(super) fn codes(app: &App) -> Vec<(String, i64, Option<Poa>)> {
    app.state
        .encounter
        .as_ref()
        .unwrap()
        .view
        .assignments
        .iter()
        .map(|a| (a.code.clone(), a.seq, a.poa))
        .collect()
}

#[test]
fn worklist_loads_and_narrows_by_scope_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    assert_eq!(app.state.worklist.rows.len(), 3);
    assert_eq!(app.state.worklist.visible.len(), 3);
    update(&mut app, Action::CycleScope);
    assert_eq!(app.state.worklist.scope, Scope::Mine);
    assert!(app.state.worklist.visible.is_empty());
    update(&mut app, Action::CycleScope);
    assert_eq!(app.state.worklist.scope, Scope::Unassigned);
    assert_eq!(
        app.state.worklist.visible.len(),
        2,
        "bob's encounter is not unassigned"
    );
    update(&mut app, Action::SetScope(Scope::All));
    update(&mut app, Action::StartFilter);
    for c in "roe".chars() {
        update(&mut app, Action::Input(c));
    }
    let wl = &app.state.worklist;
    assert_eq!(wl.visible.len(), 1);
    assert_eq!(wl.selected_row().unwrap().account, OUTPATIENT);
    update(&mut app, Action::Back);
    assert!(!app.state.worklist.editing);
    assert_eq!(app.state.worklist.visible.len(), 3);
    // The type abbreviation shown in the list filters too.
    update(&mut app, Action::StartFilter);
    for c in "ip".chars() {
        update(&mut app, Action::Input(c));
    }
    assert_eq!(app.state.worklist.visible.len(), 2);
}

#[test]
fn opening_claims_and_shows_the_first_note_and_leaving_gives_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::StartFilter);
    for c in INPATIENT.chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(&app));
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.view.encounter.claimed_by.as_deref(), Some("tester"));
    assert_eq!(enc.view.read_only, None);
    assert_eq!(enc.note.as_ref().unwrap().header.note_id, "N1");
    // Read the long progress note and scroll it.
    update(&mut app, Action::Down);
    update(&mut app, Action::Accept);
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.focus, Pane::Viewer);
    assert_eq!(enc.note.as_ref().unwrap().header.note_id, "N2");
    update(&mut app, Action::PageDown);
    let s1 = app.state.encounter.as_ref().unwrap().scroll;
    assert!(s1 > 5, "page down scrolled {s1}");
    update(&mut app, Action::Bottom);
    update(&mut app, Action::Down);
    let bottom = app.state.encounter.as_ref().unwrap().scroll;
    update(&mut app, Action::Down);
    assert_eq!(
        app.state.encounter.as_ref().unwrap().scroll,
        bottom,
        "scroll stops at the end"
    );
    update(&mut app, Action::NextNote);
    assert_eq!(
        app.state
            .encounter
            .as_ref()
            .unwrap()
            .note
            .as_ref()
            .unwrap()
            .header
            .note_id,
        "N3"
    );
    // Esc twice: unzoomed viewer → leave.
    update(&mut app, Action::Back);
    assert_eq!(app.state.screen, Screen::Worklist);
    assert!(app.state.encounter.is_none());
    let row = app
        .state
        .worklist
        .rows
        .iter()
        .find(|r| r.account == INPATIENT)
        .unwrap();
    assert_eq!(row.claimed_by, None, "no codes: the claim went back");
    assert_eq!(row.status, EncounterStatus::Uncoded);
    assert_eq!(
        app.state.worklist.selected_row().unwrap().account,
        INPATIENT
    );
}

#[test]
fn search_as_you_type_then_enter_assigns_the_highlighted_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    search(&mut app, "acute on chronic systolic");
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.focus, Pane::Search);
    let top = enc.search.results.first().expect("results").code.clone();
    assert_eq!(top, "I50.23");
    update(&mut app, Action::Accept);
    assert_eq!(
        codes(&app),
        vec![("I50.23".into(), 1, None)],
        "{}",
        status(&app)
    );
    assert!(status(&app).contains("principal"), "{}", status(&app));
    // The next keystroke starts a new query.
    assert!(
        app.state
            .encounter
            .as_ref()
            .unwrap()
            .search
            .input
            .replace_on_type
    );
    search(&mut app, "copd");
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(enc.search.input.text, "copd");
    // Assigning the same code twice is refused with the service's reason.
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "I50.23".into()),
    );
    assert!(
        status(&app).contains("already assigned"),
        "{}",
        status(&app)
    );
    assert_eq!(codes(&app).len(), 1);
}

#[test]
fn stale_search_answers_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    search(&mut app, "heart");
    let before = app.state.encounter.as_ref().unwrap().search.results.len();
    assert!(before >= 3);
    let old = crate::tui::search_worker::SearchOutcome {
        generation: 0,
        query: "h".into(),
        hits: Ok(vec![]),
        elapsed: Duration::ZERO,
    };
    update(&mut app, Action::SearchDone(old));
    let s = &app.state.encounter.as_ref().unwrap().search;
    assert_eq!(s.results.len(), before);
    assert_eq!(s.results_query, "heart");
}

#[test]
fn header_code_opens_the_picker_and_enter_assigns_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "I50.2".into()),
    );
    let p = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .picker
        .clone()
        .expect("picker");
    assert!(p.reason.contains("header"), "{}", p.reason);
    let offered: Vec<&str> = p.offers.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(offered, vec!["I50.21", "I50.23"]);
    assert_eq!(app.state.status.as_ref().unwrap().kind, StatusKind::Warning);
    // Narrow by typing, then Enter.
    for c in "chronic".chars() {
        update(&mut app, Action::Input(c));
    }
    let p = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .picker
        .as_ref()
        .unwrap();
    assert_eq!(p.selected().unwrap().code, "I50.23");
    update(&mut app, Action::Accept);
    assert!(app.state.encounter.as_ref().unwrap().picker.is_none());
    assert_eq!(codes(&app)[0].0, "I50.23");
}

#[test]
fn missing_seventh_character_offers_the_complete_codes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "S72.001".into()),
    );
    let p = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .picker
        .clone()
        .expect("picker");
    assert!(p.reason.contains("7th character"), "{}", p.reason);
    update(&mut app, Action::Down);
    update(&mut app, Action::Accept);
    assert_eq!(codes(&app)[0].0, "S72.001D");
    // Esc on a picker cancels without assigning.
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "I50.2".into()),
    );
    update(&mut app, Action::Back);
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(enc.picker.is_none());
    assert_eq!(enc.view.assignments.len(), 1);
    assert_eq!(app.state.screen, Screen::Encounter);
}

#[test]
fn sequencing_poa_and_mark_coded() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    for code in ["I50.23", "J44.1", "E11.9"] {
        update(&mut app, Action::Assign(CodeSystem::Icd10Cm, code.into()));
    }
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Pcs, "02703ZZ".into()),
    );
    update(&mut app, Action::FocusSearch);
    update(&mut app, Action::Back);
    update(&mut app, Action::NextPane);
    update(&mut app, Action::NextPane);
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Codes);
    // The newly assigned procedure is highlighted; go to E11.9 and make it principal.
    update(&mut app, Action::Up);
    update(&mut app, Action::SetPrincipal);
    let order: Vec<String> = codes(&app).into_iter().map(|c| c.0).collect();
    assert_eq!(
        order,
        vec!["E11.9", "I50.23", "J44.1", "02703ZZ"],
        "{}",
        status(&app)
    );
    assert_eq!(app.state.encounter.as_ref().unwrap().codes_pos.selected, 0);
    // Move it back down one place.
    update(&mut app, Action::MoveCode(1));
    let order: Vec<String> = codes(&app).into_iter().map(|c| c.0).collect();
    assert_eq!(order, vec!["I50.23", "E11.9", "J44.1", "02703ZZ"]);
    // Inpatient: marking coded needs POA on every diagnosis.
    update(&mut app, Action::MarkCoded);
    assert!(status(&app).contains("POA"), "{}", status(&app));
    assert_eq!(app.state.status.as_ref().unwrap().kind, StatusKind::Error);
    // The refusal opens the edits list; Esc closes it and the codes pane has the keys again.
    assert!(app.state.encounter.as_ref().unwrap().edits.open);
    update(&mut app, Action::Back);
    assert!(!app.state.encounter.as_ref().unwrap().edits.open);
    update(&mut app, Action::Top);
    update(&mut app, Action::SetPoa(Some(Poa::Yes)));
    update(&mut app, Action::SetPoa(Some(Poa::No)));
    // (POA 1, exempt, is an error on J44.1: it is not on the exempt list.)
    update(&mut app, Action::SetPoa(Some(Poa::Unknown)));
    let poas: Vec<Option<Poa>> = codes(&app).into_iter().map(|c| c.2).collect();
    assert_eq!(
        poas,
        vec![Some(Poa::Yes), Some(Poa::No), Some(Poa::Unknown), None]
    );
    // POA on a procedure is refused by the service and shown.
    update(&mut app, Action::Bottom);
    update(&mut app, Action::SetPoa(Some(Poa::Yes)));
    assert!(status(&app).contains("procedure"), "{}", status(&app));
    update(&mut app, Action::MarkCoded);
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(
        enc.view.encounter.status,
        EncounterStatus::Coded,
        "{}",
        status(&app)
    );
    assert!(
        enc.view
            .read_only
            .as_deref()
            .unwrap_or("")
            .contains("coded")
    );
    // Coded: changes are refused with the reason; reopen makes it editable again.
    update(&mut app, Action::SetPoa(None));
    assert!(status(&app).starts_with("read-only"), "{}", status(&app));
    update(&mut app, Action::Reopen);
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(
        enc.view.encounter.status,
        EncounterStatus::InProgress,
        "{}",
        status(&app)
    );
    assert_eq!(enc.view.read_only, None);
}

#[test]
fn remove_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, OUTPATIENT);
    update(&mut app, Action::Assign(CodeSystem::Icd10Cm, "I10".into()));
    update(&mut app, Action::NextPane);
    update(&mut app, Action::NextPane);
    update(&mut app, Action::AskRemove);
    assert!(app.state.encounter.as_ref().unwrap().confirm.is_some());
    update(&mut app, Action::Confirm(false));
    assert_eq!(codes(&app).len(), 1);
    update(&mut app, Action::AskRemove);
    update(&mut app, Action::Confirm(true));
    assert!(codes(&app).is_empty(), "{}", status(&app));
}

#[test]
fn someone_elses_encounter_is_read_only_but_readable_and_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, HELD_BY_BOB);
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(enc.view.read_only.as_deref().unwrap().contains("bob"));
    assert!(enc.note.is_some());
    assert_eq!(app.state.status.as_ref().unwrap().kind, StatusKind::Warning);
    search(&mut app, "fracture");
    assert!(
        !app.state
            .encounter
            .as_ref()
            .unwrap()
            .search
            .results
            .is_empty()
    );
    update(&mut app, Action::Accept);
    assert!(status(&app).contains("bob"), "{}", status(&app));
    assert!(codes(&app).is_empty());
    // Leaving does not touch bob's claim.
    update(&mut app, Action::Back);
    update(&mut app, Action::Back);
    assert_eq!(app.state.screen, Screen::Worklist);
    let row = app
        .state
        .worklist
        .rows
        .iter()
        .find(|r| r.account == HELD_BY_BOB)
        .unwrap();
    assert_eq!(row.claimed_by.as_deref(), Some("bob"));
}

#[test]
fn release_goes_back_and_frees_the_encounter() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    update(&mut app, Action::Assign(CodeSystem::Icd10Cm, "I10".into()));
    update(&mut app, Action::Release);
    assert_eq!(app.state.screen, Screen::Worklist, "{}", status(&app));
    let row = app
        .state
        .worklist
        .rows
        .iter()
        .find(|r| r.account == INPATIENT)
        .unwrap();
    assert_eq!(row.claimed_by, None);
    assert_eq!(row.code_count, 1);
}

#[test]
fn command_line_opens_and_quit_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::StartCommand);
    for c in format!("open {OUTPATIENT}").chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(&app));
    assert!(app.state.command.is_none());
    update(&mut app, Action::StartCommand);
    for c in "poa Q".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    assert!(status(&app).contains("Y, N, U, W or 1"), "{}", status(&app));
    update(&mut app, Action::Quit);
    assert!(app.state.quit);
    let row = fixture_row(&app, OUTPATIENT);
    assert_eq!(row, None, "quitting gave the untouched encounter back");
}

fn fixture_row(app: &App, account: &str) -> Option<String> {
    app.service()
        .encounter_view(
            app.state
                .worklist
                .rows
                .iter()
                .find(|r| r.account == account)
                .unwrap()
                .id,
        )
        .unwrap()
        .encounter
        .claimed_by
}

#[test]
fn detail_follows_the_highlighted_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    search(&mut app, "heart failure");
    assert!(
        app.state.encounter.as_ref().unwrap().detail.is_none(),
        "hidden at 80x24"
    );
    update(&mut app, Action::ToggleDetail);
    let first = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .detail
        .clone()
        .expect("detail");
    update(&mut app, Action::Down);
    let second = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .detail
        .clone()
        .expect("detail");
    assert_ne!(first.entry.code, second.entry.code);
    let hit = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .search
        .selected_hit()
        .unwrap()
        .code
        .clone();
    assert_eq!(second.entry.code, hit);
    // Esc closes the popup before leaving the search box.
    update(&mut app, Action::Back);
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(!enc.detail_open);
    assert_eq!(enc.focus, Pane::Search);
    // Large windows show the detail without asking.
    update(&mut app, Action::Resize(120, 40));
    assert!(app.state.encounter.as_ref().unwrap().detail.is_some());
}

#[test]
fn a_slash_after_an_assignment_starts_a_new_query_instead_of_being_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    search(&mut app, "acute on chronic systolic");
    update(&mut app, Action::Accept);
    assert_eq!(codes(&app).len(), 1, "{}", status(&app));
    // The coder's habit: `/` to search again, then the query.
    for c in "/copd".chars() {
        update(&mut app, Action::Input(c));
    }
    let text = |app: &App| {
        app.state
            .encounter
            .as_ref()
            .unwrap()
            .search
            .input
            .text
            .clone()
    };
    assert_eq!(text(&app), "copd");
    // In the middle of a query a slash is text like any other ("and/or").
    update(&mut app, Action::Input('/'));
    assert_eq!(text(&app), "copd/");
    // And into an empty box it is the same habit.
    update(&mut app, Action::ClearInput);
    update(&mut app, Action::Input('/'));
    assert_eq!(text(&app), "");
}
