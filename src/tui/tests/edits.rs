//! Coding edits on the encounter screen, against a real data directory with the built-in code
//! sets (`service::initialize`): edits follow every code change, errors block `c`, warnings are
//! acknowledged from the list.
use super::fixture::{demo_app, key, screen};
use crate::domain::{CodeSystem, EncounterStatus};
use crate::edits::Severity;
use crate::tui::app::{Action, App, update};
use crate::tui::keymap;
use crate::tui::state::{Pane, StatusKind};

fn status(app: &App) -> String {
    app.state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn has_edit(app: &App, rule: &str, codes: &[&str]) -> Option<Severity> {
    app.state
        .encounter
        .as_ref()?
        .edits
        .list
        .iter()
        .find(|e| e.edit.rule == rule && e.edit.codes == codes)
        .map(|e| e.edit.severity)
}

/// Moves the edits list's cursor onto `rule`.
fn select_edit(app: &mut App, rule: &str) {
    update(app, Action::Top);
    for _ in 0..50 {
        let enc = app.state.encounter.as_ref().unwrap();
        if enc.edits.selected().is_some_and(|e| e.edit.rule == rule) {
            return;
        }
        update(app, Action::Down);
    }
    panic!("no {rule} edit in the list");
}

#[test]
fn excludes1_pair_shows_an_error_blocks_coded_and_warnings_are_acknowledged() {
    let (_dir, mut app) = demo_app(5);
    let account = app.state.worklist.rows[0].account.clone();
    update(&mut app, Action::Open(account));
    let enc = app.state.encounter.as_ref().expect("encounter open");
    assert!(enc.edits.error.is_none(), "{:?}", enc.edits.error);
    assert!(
        enc.edits.list.is_empty(),
        "no codes, no edits: {:?}",
        enc.edits.list
    );

    // Assigning the Excludes1 pair raises the error at once, without any other key.
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "E10.9".into()),
    );
    assert_eq!(has_edit(&app, "excludes1", &["E10.9", "E11.9"]), None);
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "E11.9".into()),
    );
    assert_eq!(
        has_edit(&app, "excludes1", &["E10.9", "E11.9"]),
        Some(Severity::Error),
        "{:#?}",
        app.state.encounter.as_ref().unwrap().edits.list
    );
    assert!(status(&app).contains("error"), "{}", status(&app));
    let s = screen(&app.state, 80, 24).join("\n");
    assert!(s.contains("Edits: ") && s.contains(" error"), "{s}");

    // `c` is refused with the service's reason, and the list opens on an error.
    key(&mut app, 'c');
    let enc = app.state.encounter.as_ref().unwrap();
    assert_ne!(enc.view.encounter.status, EncounterStatus::Coded);
    assert_eq!(app.state.status.as_ref().unwrap().kind, StatusKind::Error);
    assert!(
        status(&app).contains("cannot be marked coded"),
        "{}",
        status(&app)
    );
    assert!(enc.edits.open, "the edits list opens after a refusal");
    assert_eq!(
        enc.edits.selected().map(|e| e.edit.severity),
        Some(Severity::Error)
    );
    let s = screen(&app.state, 80, 24).join("\n");
    assert!(s.contains("[ERR] excludes1"), "{s}");
    assert!(keymap::footer(&app.state).contains(&("a", "acknowledge")));

    // Errors cannot be acknowledged: the service says so.
    select_edit(&mut app, "excludes1");
    key(&mut app, 'a');
    assert!(
        status(&app).contains("errors must be fixed"),
        "{}",
        status(&app)
    );

    // E11.22 asks for a CKD stage code: a warning, acknowledged with `a` from the list.
    key(&mut app, 'e');
    assert!(!app.state.encounter.as_ref().unwrap().edits.open);
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "E11.22".into()),
    );
    assert_eq!(
        has_edit(&app, "use-additional-code", &["E11.22"]),
        Some(Severity::Warning)
    );
    while app.state.encounter.as_ref().unwrap().focus != Pane::Codes {
        update(&mut app, Action::NextPane);
    }
    key(&mut app, 'e');
    assert!(app.state.encounter.as_ref().unwrap().edits.open);
    select_edit(&mut app, "use-additional-code");
    key(&mut app, 'a');
    assert!(status(&app).contains("acknowledged"), "{}", status(&app));
    let ed = &app.state.encounter.as_ref().unwrap().edits;
    let w = ed
        .list
        .iter()
        .find(|e| e.edit.rule == "use-additional-code")
        .unwrap();
    assert_eq!(w.acknowledged_by.as_deref(), Some("tester"));
    assert_eq!(
        ed.selected().map(|e| e.edit.rule),
        Some("use-additional-code"),
        "the cursor stays on the acknowledged edit"
    );

    // Enter on the Excludes1 error goes to its first code; removing it clears the error.
    select_edit(&mut app, "excludes1");
    update(&mut app, Action::Accept);
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(!enc.edits.open);
    assert_eq!(enc.focus, Pane::Codes);
    assert_eq!(enc.selected_code().map(|a| a.code.as_str()), Some("E10.9"));
    key(&mut app, 'x');
    update(&mut app, Action::Confirm(true));
    assert_eq!(has_edit(&app, "excludes1", &["E10.9", "E11.9"]), None);
    assert!(
        app.state
            .encounter
            .as_ref()
            .unwrap()
            .edits
            .list
            .iter()
            .all(|e| e.edit.codes.iter().all(|c| c != "E10.9")),
        "edits of the removed code are gone"
    );
}

#[test]
fn mce_principal_diagnosis_errors_block_c_on_an_inpatient_encounter() {
    let (_dir, mut app) = demo_app(12);
    let Some(row) = app
        .state
        .worklist
        .rows
        .iter()
        .find(|r| r.enc_type == crate::domain::EncounterType::Inpatient)
    else {
        panic!("the demo worklist has no inpatient encounter");
    };
    let account = row.account.clone();
    update(&mut app, Action::Open(account));
    let before: Vec<String> = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .view
        .assignments
        .iter()
        .map(|a| a.code.clone())
        .collect();
    assert!(before.is_empty(), "{before:?}");
    for (code, rule) in [
        ("Z87.891", "mce-unacceptable-pdx"),
        ("W06.XXXA", "mce-external-cause-pdx"),
    ] {
        update(&mut app, Action::Assign(CodeSystem::Icd10Cm, code.into()));
        assert_eq!(has_edit(&app, rule, &[code]), Some(Severity::Error));
        key(&mut app, 'c');
        let enc = app.state.encounter.as_ref().unwrap();
        assert_ne!(enc.view.encounter.status, EncounterStatus::Coded);
        assert!(status(&app).contains(rule), "{}", status(&app));
        let id = enc
            .view
            .assignments
            .iter()
            .find(|a| a.code == code)
            .unwrap()
            .id;
        let enc_id = enc.view.encounter.id;
        app.service.remove_assignment(enc_id, id).unwrap();
    }
}

#[test]
fn a_supervisor_overrides_the_highlighted_error_with_a_reason_from_the_command_line() {
    let (_dir, mut app) = demo_app(12);
    let account = app
        .state
        .worklist
        .rows
        .iter()
        .find(|r| r.enc_type == crate::domain::EncounterType::Inpatient)
        .map(|r| r.account.clone())
        .expect("the demo worklist has an inpatient encounter");
    update(&mut app, Action::Open(account));
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "Z87.891".into()),
    );
    assert_eq!(
        has_edit(&app, "mce-unacceptable-pdx", &["Z87.891"]),
        Some(Severity::Error)
    );
    // Outside the edits list there is nothing highlighted: the status says how.
    update(
        &mut app,
        Action::OverrideEdit("documented as the reason for the visit".into()),
    );
    assert!(
        status(&app).contains("open the edits list"),
        "{}",
        status(&app)
    );
    key(&mut app, 'e');
    select_edit(&mut app, "mce-unacceptable-pdx");
    // Too short a reason is refused by the service.
    update(&mut app, Action::OverrideEdit("ok".into()));
    assert!(status(&app).contains("reason"), "{}", status(&app));
    update(
        &mut app,
        Action::OverrideEdit("claim reviewed with the attending; principal confirmed".into()),
    );
    assert!(status(&app).contains("overrode"), "{}", status(&app));
    let audit = app.service.audit_log(None, 50).unwrap();
    assert!(
        audit.iter().any(|r| r.action == "override_edit"),
        "{audit:#?}"
    );
}
