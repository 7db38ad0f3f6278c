//! One meaning for `q`, quitting with unsaved text, and a supervisor's look from the dashboard
//! that does not claim (issue 12).
use super::fixture::{self, INPATIENT, OUTPATIENT};
use super::queries::{key, status, typed};
use crate::domain::Role;
use crate::service::Service;
use crate::tui::app::{Action, App, update};
use crate::tui::keymap;
use crate::tui::modal::{self, Modal};
use crate::tui::state::{Confirm, Screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn claimed_by(dir: &std::path::Path, account: &str) -> Option<String> {
    let conn = crate::store::open(&dir.join("chartdesk.db")).unwrap();
    crate::store::encounters::by_account(&conn, account)
        .unwrap()
        .unwrap()
        .claimed_by
}

#[test]
fn q_inside_an_encounter_leaves_and_quits_like_everywhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Open(INPATIENT.into()));
    assert_eq!(claimed_by(dir.path(), INPATIENT).as_deref(), Some("tester"));
    for pane in ["notes", "viewer", "codes"] {
        let a = keymap::map(
            &app.state,
            KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
        );
        assert!(matches!(a, Some(Action::Quit)), "{pane}: {a:?}");
        key(&mut app, KeyCode::Tab);
    }
    // In the search box q is typed.
    assert!(matches!(
        keymap::map(
            &app.state,
            KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)
        ),
        Some(Action::Input('q'))
    ));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('q'));
    assert!(app.state.quit);
    assert_eq!(
        claimed_by(dir.path(), INPATIENT),
        None,
        "leaving without codes gives the claim back"
    );
}

#[test]
fn quitting_while_query_text_is_typed_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Open(INPATIENT.into()));
    key(&mut app, KeyCode::Char('Q'));
    assert_eq!(modal::top(&app.state), Some(Modal::QueryPanel));
    key(&mut app, KeyCode::Char('N'));
    // The question row takes text.
    let field = |app: &App| {
        app.state
            .encounter
            .as_ref()
            .and_then(|e| e.cdi.panel.as_ref())
            .and_then(|p| p.field())
    };
    key(&mut app, KeyCode::Char('g'));
    for _ in 0..20 {
        if field(&app) == Some(crate::tui::queries::Field::Question) {
            break;
        }
        key(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(field(&app), Some(crate::tui::queries::Field::Question));
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "Is the heart failure acute");
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let a = keymap::map(&app.state, ctrl_c).unwrap();
    update(&mut app, a);
    assert!(!app.state.quit, "{}", status(&app));
    assert_eq!(modal::top(&app.state), Some(Modal::Confirm));
    assert!(matches!(
        app.state.encounter.as_ref().unwrap().confirm,
        Some(Confirm::Quit { .. })
    ));
    let footer = keymap::footer(&app.state);
    assert!(footer.contains(&("n Esc", "stay")), "{footer:?}");
    // n: back to the text, nothing lost.
    key(&mut app, KeyCode::Char('n'));
    assert!(!app.state.quit);
    assert_eq!(modal::top(&app.state), Some(Modal::QueryPanel));
    let text = app
        .state
        .encounter
        .as_ref()
        .and_then(|e| e.cdi.panel.as_ref())
        .and_then(|p| p.prompt.as_ref())
        .map(|p| p.input().text.clone());
    assert_eq!(text.as_deref(), Some("Is the heart failure acute"));
    // Asked again, y quits.
    let a = keymap::map(&app.state, ctrl_c).unwrap();
    update(&mut app, a);
    key(&mut app, KeyCode::Char('y'));
    assert!(app.state.quit);
}

#[test]
fn a_supervisor_opens_a_backlog_encounter_from_the_dashboard_without_claiming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture::build(dir.path());
    {
        let conn = crate::store::open(&data.db_path()).unwrap();
        let at = crate::store::now();
        crate::store::users::upsert(&conn, "sue", Role::Supervisor, "Sue", None, &at).unwrap();
    }
    let svc = Service::open(&data, "sue", &mut |_, _, _| {}).unwrap();
    let mut config = crate::config::Config::default();
    config.ui.color = crate::config::ColorMode::Never;
    let mut app = App::new(svc, &config);
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Dashboard);
    update(&mut app, Action::DashRange(1));
    let acc = app
        .state
        .dashboard
        .as_ref()
        .unwrap()
        .selected_account()
        .map(str::to_string);
    assert_eq!(acc.as_deref(), Some(OUTPATIENT));
    update(&mut app, Action::Accept);
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(&app));
    assert_eq!(claimed_by(dir.path(), OUTPATIENT), None, "not claimed");
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(
        enc.view
            .read_only
            .as_deref()
            .unwrap_or("")
            .contains("C claims"),
        "{:?}",
        enc.view.read_only
    );
    // Codes are refused while only reviewing.
    update(
        &mut app,
        Action::Assign(crate::domain::CodeSystem::Icd10Cm, "I50.23".into()),
    );
    assert!(status(&app).starts_with("read-only"), "{}", status(&app));
    // A tick re-reads the encounter: still read-only.
    update(&mut app, Action::Tick);
    assert!(
        app.state
            .encounter
            .as_ref()
            .unwrap()
            .view
            .read_only
            .is_some()
    );
    // C claims it; then it can be coded.
    key(&mut app, KeyCode::Char('C'));
    assert_eq!(claimed_by(dir.path(), OUTPATIENT).as_deref(), Some("sue"));
    assert_eq!(app.state.encounter.as_ref().unwrap().view.read_only, None);
    // Esc goes back to the dashboard.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.screen, Screen::Dashboard);
}
