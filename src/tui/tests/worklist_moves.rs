//! Worklist paper cuts: after marking coded the cursor goes on to the next uncoded encounter;
//! supervisors reassign with `R` / `:reassign ACCOUNT LOGIN`.
use super::fixture::{self, HELD_BY_BOB, INPATIENT, OUTPATIENT};
use super::state::{open, status};
use crate::domain::{CodeSystem, Role};
use crate::tui::app::{Action, App, update};
use crate::tui::state::{Screen, StatusKind};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn selected(app: &App) -> String {
    app.state
        .worklist
        .selected_row()
        .map(|r| r.account.clone())
        .unwrap_or_default()
}

fn holder(app: &App, account: &str) -> Option<String> {
    app.state
        .worklist
        .rows
        .iter()
        .find(|r| r.account == account)
        .and_then(|r| r.claimed_by.clone())
}

fn supervisor_app(dir: &std::path::Path) -> App {
    let data = fixture::build(dir);
    let conn = crate::store::open(&data.db_path()).unwrap();
    let at = crate::store::now();
    crate::store::users::upsert(&conn, "sue", Role::Supervisor, "Sue", None, &at).unwrap();
    drop(conn);
    let service = crate::service::Service::open(&data, "sue", &mut |_, _, _| {}).unwrap();
    let mut config = crate::config::Config::default();
    config.ui.color = crate::config::ColorMode::Never;
    App::new(service, &config)
}

#[test]
fn after_marking_coded_the_cursor_moves_to_the_next_uncoded_encounter() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    let order: Vec<String> = app
        .state
        .worklist
        .visible
        .iter()
        .map(|&i| app.state.worklist.rows[i].account.clone())
        .collect();
    assert_eq!(order, [OUTPATIENT, HELD_BY_BOB, INPATIENT]);
    open(&mut app, OUTPATIENT);
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "I50.23".into()),
    );
    update(&mut app, Action::MarkCoded);
    assert!(status(&app).contains("marked coded"), "{}", status(&app));
    update(&mut app, Action::Back);
    update(&mut app, Action::Back);
    update(&mut app, Action::Back);
    assert_eq!(app.state.screen, Screen::Worklist, "{}", status(&app));
    assert_eq!(
        selected(&app),
        HELD_BY_BOB,
        "the next uncoded, not the coded one"
    );
    // Leaving an encounter that is not coded keeps the cursor on it.
    open(&mut app, INPATIENT);
    update(&mut app, Action::Back);
    update(&mut app, Action::Back);
    assert_eq!(selected(&app), INPATIENT);
}

#[test]
fn supervisors_reassign_from_the_worklist() {
    let dir = tempfile::tempdir().unwrap();
    // A coder has no R key and is refused by the service.
    let mut coder = fixture::app(dir.path());
    let r = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
    assert!(crate::tui::keymap::map(&coder.state, r).is_none());
    update(
        &mut coder,
        Action::Reassign(HELD_BY_BOB.into(), "tester".into()),
    );
    assert_eq!(
        coder.state.status.as_ref().map(|s| s.kind),
        Some(StatusKind::Error)
    );
    drop(coder);

    let dir = tempfile::tempdir().unwrap();
    let mut app = supervisor_app(dir.path());
    update(&mut app, Action::Down);
    assert_eq!(selected(&app), HELD_BY_BOB);
    let action = crate::tui::keymap::map(&app.state, r);
    assert!(matches!(action, Some(Action::StartReassign)));
    update(&mut app, Action::StartReassign);
    let line = app.state.command.as_ref().map(|c| c.text.clone());
    assert_eq!(line.as_deref(), Some("reassign A10000003 "));
    for c in "tester".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    assert!(
        status(&app).contains("A10000003 is now held by tester"),
        "{}",
        status(&app)
    );
    assert_eq!(holder(&app, HELD_BY_BOB).as_deref(), Some("tester"));
    assert_eq!(selected(&app), HELD_BY_BOB);
    update(
        &mut app,
        Action::Reassign(HELD_BY_BOB.into(), "nobody".into()),
    );
    assert_eq!(
        app.state.status.as_ref().map(|s| s.kind),
        Some(StatusKind::Error)
    );
    assert_eq!(holder(&app, HELD_BY_BOB).as_deref(), Some("tester"));
}

#[test]
fn long_accounts_are_shortened_in_the_middle_on_narrow_screens() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    let uuid = "1b0c6a2e-2f3a-4c1e-9d55-7e0f3c2a9b11";
    let i = app.state.worklist.visible[0];
    app.state.worklist.rows[i].account = uuid.into();
    let narrow = fixture::screen(&app.state, 80, 24).join("\n");
    assert!(narrow.contains("1b0c6a2…2a9b11"), "{narrow}");
    assert!(
        narrow.contains("ROE, RICHARD"),
        "the patient keeps its room: {narrow}"
    );
    let wide = fixture::screen(&app.state, 200, 50).join("\n");
    assert!(wide.contains(uuid), "{wide}");
}
