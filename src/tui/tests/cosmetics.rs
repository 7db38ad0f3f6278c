//! Texts that must fit and read well at 80 columns: the read-only reason in the encounter header,
//! code titles that name their range, and the refusal of a change to a code someone removed.
use super::fixture::{self, INPATIENT, screen};
use super::state::{codes, open, status};
use crate::domain::{CodeEntry, CodeSystem, EncounterStatus, EntryKind, Poa, Role};
use crate::tui::app::{Action, update};
use crate::tui::state::Pane;

#[test]
fn read_only_reasons_fit_the_header_at_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    open(&mut app, INPATIENT);
    let header = |app: &crate::tui::App| screen(&app.state, 80, 24)[1].trim_end().to_string();
    {
        let enc = app.state.encounter.as_mut().unwrap();
        enc.view.encounter.status = EncounterStatus::Coded;
        enc.view.read_only = Some("marked coded: press o to reopen".into());
    }
    let h = header(&app);
    assert!(h.ends_with("READ-ONLY: coded (o reopens)"), "{h}");
    {
        let enc = app.state.encounter.as_mut().unwrap();
        enc.view.encounter.status = EncounterStatus::InProgress;
        enc.view.read_only = Some("your role (cdi) does not code".into());
    }
    app.state.role = Role::Cdi;
    let h = header(&app);
    assert!(h.ends_with("READ-ONLY: cdi role"), "{h}");
}

#[test]
fn a_code_title_naming_its_range_is_not_repeated() {
    let entry = |kind, code: &str, title: &str| CodeEntry {
        system: CodeSystem::Icd10Cm,
        kind,
        code: code.into(),
        title: title.into(),
        billable: false,
        parent: None,
        notes: Default::default(),
    };
    use crate::tui::render::detail::code_title;
    assert_eq!(
        code_title(&entry(
            EntryKind::Section,
            "I30-I5A",
            "Other forms of heart disease (I30-I5A)"
        )),
        "Other forms of heart disease (I30-I5A)"
    );
    assert_eq!(
        code_title(&entry(EntryKind::Code, "I50", "Heart failure")),
        "I50 Heart failure"
    );
    assert_eq!(
        code_title(&entry(
            EntryKind::Chapter,
            "9",
            "Diseases of the circulatory system (I00-I99)"
        )),
        "9 Diseases of the circulatory system (I00-I99)"
    );
}

#[test]
fn a_change_to_a_code_someone_removed_is_refused_in_words_and_the_list_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    open(&mut app, INPATIENT);
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "I50.23".into()),
    );
    update(&mut app, Action::Assign(CodeSystem::Icd10Cm, "I10".into()));
    assert_eq!(codes(&app).len(), 2, "{}", status(&app));
    // Someone else (another window) removes I10; this window still lists it.
    let (enc_id, gone) = {
        let enc = app.state.encounter.as_mut().unwrap();
        enc.focus = Pane::Codes;
        let i = enc
            .view
            .assignments
            .iter()
            .position(|a| a.code == "I10")
            .unwrap();
        enc.codes_pos.selected = i;
        (enc.view.encounter.id, enc.view.assignments[i].id)
    };
    app.service.remove_assignment(enc_id, gone).unwrap();
    update(&mut app, Action::SetPoa(Some(Poa::Yes)));
    assert_eq!(
        status(&app),
        "that code was removed from this encounter by someone else; the list is refreshed"
    );
    assert!(!status(&app).contains(&gone.to_string()));
    let now: Vec<String> = codes(&app).into_iter().map(|c| c.0).collect();
    assert_eq!(now, vec!["I50.23".to_string()]);
}
