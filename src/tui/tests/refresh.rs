//! The periodic refresh and POA keys: what a tick reads and audits, and POA from any pane.
use super::fixture::{self, HELD_BY_BOB, INPATIENT, OUTPATIENT};
use super::state::{codes, open, status};
use crate::domain::{CodeSystem, Poa};
use crate::tui::app::{Action, App, update};
use crate::tui::keymap;
use crate::tui::state::Pane;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn audit_count(dir: &std::path::Path, action: &str) -> i64 {
    let conn = crate::store::open(&dir.join("chartdesk.db")).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM audit WHERE action = ?1",
        [action],
        |r| r.get(0),
    )
    .unwrap()
}

fn map(app: &App, c: char, mods: KeyModifiers) -> Option<Action> {
    keymap::map(&app.state, KeyEvent::new(KeyCode::Char(c), mods))
}

#[test]
fn worklist_ticks_audit_only_when_the_list_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    // Opening the worklist is audited once.
    assert_eq!(audit_count(dir.path(), "list_encounters"), 1);
    for _ in 0..3 {
        update(&mut app, Action::Tick);
    }
    assert_eq!(audit_count(dir.path(), "list_encounters"), 1);
    // Someone else claims an encounter: the next tick shows it, and that view is audited.
    let conn = crate::store::open(&dir.path().join("chartdesk.db")).unwrap();
    let id = crate::store::encounters::by_account(&conn, OUTPATIENT)
        .unwrap()
        .unwrap()
        .id;
    crate::store::encounters::try_claim(&conn, id, "bob", &crate::store::now()).unwrap();
    update(&mut app, Action::Tick);
    assert_eq!(audit_count(dir.path(), "list_encounters"), 2);
    let row = app
        .state
        .worklist
        .rows
        .iter()
        .find(|r| r.account == OUTPATIENT)
        .unwrap();
    assert_eq!(row.claimed_by.as_deref(), Some("bob"));
    update(&mut app, Action::Tick);
    assert_eq!(audit_count(dir.path(), "list_encounters"), 2);
    // An explicit refresh is audited.
    update(&mut app, Action::Refresh);
    assert_eq!(audit_count(dir.path(), "list_encounters"), 3);
}

#[test]
fn encounter_ticks_recompute_edits_only_when_their_inputs_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    let computed = |app: &App| app.state.encounter.as_ref().unwrap().edits.basis.clone();
    assert!(computed(&app).is_some());
    // A marker a recomputation would clear (it keeps the cursor inside the list).
    let mark = |app: &mut App| app.state.encounter.as_mut().unwrap().edits.pos.selected = 42;
    let marked = |app: &App| app.state.encounter.as_ref().unwrap().edits.pos.selected == 42;
    mark(&mut app);
    update(&mut app, Action::Tick);
    update(&mut app, Action::Tick);
    assert!(
        marked(&app),
        "nothing changed: the edits were not recomputed"
    );
    // A note changes in another process: recomputed.
    let conn = crate::store::open(&dir.path().join("chartdesk.db")).unwrap();
    conn.execute(
        "UPDATE notes SET body = body || ' Left leg.' WHERE note_id = 'N3'",
        [],
    )
    .unwrap();
    update(&mut app, Action::Tick);
    assert!(!marked(&app), "a changed note recomputes the edits");
    // A code change recomputes them too.
    mark(&mut app);
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "I50.23".into()),
    );
    assert!(!marked(&app), "{}", status(&app));
    let with_code = computed(&app);
    mark(&mut app);
    update(&mut app, Action::Tick);
    assert!(marked(&app));
    assert_eq!(computed(&app), with_code);
}

#[test]
fn poa_letters_act_in_the_codes_pane_and_alt_letters_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "I50.23".into()),
    );
    assert_eq!(
        codes(&app),
        vec![("I50.23".into(), 1, None)],
        "{}",
        status(&app)
    );
    // The notes list and the viewer: a stray letter while reading changes nothing (issue 12);
    // Alt+letter sets the POA.
    update(&mut app, Action::NextPane);
    for pane in [Pane::Notes, Pane::Viewer] {
        app.state.encounter.as_mut().unwrap().focus = pane;
        for c in ['y', 'u', 'w', '1', '0'] {
            let a = map(&app, c, KeyModifiers::NONE);
            assert!(
                !matches!(a, Some(Action::SetPoa(_))),
                "{c} in {pane:?} is {a:?}"
            );
            if let Some(a) = a {
                update(&mut app, a);
            }
            assert_eq!(codes(&app)[0].2, None, "{c} in {pane:?} changed the POA");
        }
    }
    app.state.encounter.as_mut().unwrap().focus = Pane::Notes;
    let a = map(&app, 'y', KeyModifiers::ALT).unwrap();
    assert!(matches!(a, Action::SetPoa(Some(Poa::Yes))));
    update(&mut app, a);
    assert_eq!(codes(&app)[0].2, Some(Poa::Yes), "{}", status(&app));
    // The viewer: n stays find-next; Alt-u sets unknown.
    app.state.encounter.as_mut().unwrap().focus = Pane::Viewer;
    assert!(matches!(
        map(&app, 'n', KeyModifiers::NONE),
        Some(Action::FindNext(true))
    ));
    let a = map(&app, 'u', KeyModifiers::ALT).unwrap();
    update(&mut app, a);
    assert_eq!(codes(&app)[0].2, Some(Poa::Unknown));
    // The codes pane: plain letters.
    app.state.encounter.as_mut().unwrap().focus = Pane::Codes;
    let a = map(&app, 'n', KeyModifiers::NONE).unwrap();
    update(&mut app, a);
    assert_eq!(codes(&app)[0].2, Some(Poa::No));
    // The search box: letters are typed, Alt+letter sets POA.
    update(&mut app, Action::FocusSearch);
    assert!(matches!(
        map(&app, 'y', KeyModifiers::NONE),
        Some(Action::Input('y'))
    ));
    let a = map(&app, 'w', KeyModifiers::ALT).unwrap();
    update(&mut app, a);
    assert_eq!(codes(&app)[0].2, Some(Poa::ClinicallyUndetermined));
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Search);
    let a = map(&app, '0', KeyModifiers::ALT).unwrap();
    update(&mut app, a);
    assert_eq!(codes(&app)[0].2, None);
}

#[test]
fn poa_keys_on_a_read_only_encounter_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, HELD_BY_BOB);
    app.state.encounter.as_mut().unwrap().focus = Pane::Codes;
    let a = map(&app, 'y', KeyModifiers::NONE).unwrap();
    update(&mut app, a);
    assert!(status(&app).starts_with("read-only"), "{}", status(&app));
}
