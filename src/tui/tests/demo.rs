//! The app on a real data directory: built-in code sets, the demo generator and the tantivy code
//! index, set up by `service::initialize` as `chartdesk init --demo` does.
use crate::config::{ColorMode, Config};
use crate::domain::{EncounterStatus, EncounterType, Poa};
use crate::service::{DataDir, Service, initialize};
use crate::tui::app::{Action, App, update};
use crate::tui::state::{Pane, Screen};
use std::time::{Duration, Instant};

fn status(app: &App) -> String {
    app.state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn code_an_inpatient_demo_encounter_from_search_to_coded() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    initialize(&data, "tester", Some(20), &mut |_, _, _| {}).unwrap();
    let service = Service::open(&data, "tester", &mut |_, _, _| {}).unwrap();
    let mut config = Config::default();
    config.ui.color = ColorMode::Never;
    let mut app = App::new(service, &config);
    assert_eq!(app.state.worklist.rows.len(), 20, "{}", status(&app));

    // The first inpatient encounter on the worklist.
    update(&mut app, Action::StartFilter);
    for c in "inpatient".chars() {
        update(&mut app, Action::Input(c));
    }
    let row = app
        .state
        .worklist
        .selected_row()
        .expect("an inpatient")
        .clone();
    assert_eq!(row.enc_type, EncounterType::Inpatient);
    update(&mut app, Action::Accept);
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(&app));
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(!enc.view.notes.is_empty() && enc.note.is_some());

    // Search as a coder types it; Enter on the top result.
    for q in ["chf", "copd exacerbation"] {
        update(&mut app, Action::FocusSearch);
        update(&mut app, Action::ClearInput);
        for c in q.chars() {
            update(&mut app, Action::Input(c));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while app.search_pending() {
            assert!(Instant::now() < deadline, "search for {q} did not finish");
            app.poll_search(Duration::from_millis(20));
        }
        let top = app
            .state
            .encounter
            .as_ref()
            .unwrap()
            .search
            .results
            .first()
            .cloned();
        let top = top.unwrap_or_else(|| panic!("no results for {q}"));
        update(&mut app, Action::Accept);
        if app.state.encounter.as_ref().unwrap().picker.is_some() {
            update(&mut app, Action::Accept);
        }
        let codes = &app.state.encounter.as_ref().unwrap().view.assignments;
        assert!(
            codes.iter().any(|a| a.code.starts_with(&top.code)),
            "{q}: top {} not assigned: {}",
            top.code,
            status(&app)
        );
    }

    // POA on every diagnosis from the codes pane, then mark coded.
    update(&mut app, Action::Back);
    while app.state.encounter.as_ref().unwrap().focus != Pane::Codes {
        update(&mut app, Action::NextPane);
    }
    update(&mut app, Action::Top);
    let n = app.state.encounter.as_ref().unwrap().view.assignments.len();
    for _ in 0..n {
        update(&mut app, Action::SetPoa(Some(Poa::Yes)));
    }
    update(&mut app, Action::MarkCoded);
    let enc = app.state.encounter.as_ref().unwrap();
    assert_eq!(
        enc.view.encounter.status,
        EncounterStatus::Coded,
        "{}",
        status(&app)
    );
    update(&mut app, Action::Back);
    assert_eq!(app.state.screen, Screen::Worklist);
    let back = app
        .state
        .worklist
        .rows
        .iter()
        .find(|r| r.account == row.account)
        .unwrap();
    assert_eq!(back.status, EncounterStatus::Coded);
    assert_eq!(back.claimed_by, None);
}
