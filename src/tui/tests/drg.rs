//! The working MS-DRG on the encounter screen: regrouped after every code change, shown in the
//! header, explained by the `g` panel; outpatient encounters say why there is none.
use super::fixture::{demo_app, key, screen};
use crate::domain::{CodeSystem, EncounterType};
use crate::tui::app::{Action, App, update};
use crate::tui::keymap;
use crate::tui::modal::{self, Modal};

fn first_of(app: &App, inpatient: bool) -> Option<String> {
    app.state
        .worklist
        .rows
        .iter()
        .find(|r| (r.enc_type == EncounterType::Inpatient) == inpatient)
        .map(|r| r.account.clone())
}

#[test]
fn the_working_drg_follows_the_codes_and_g_explains_it() {
    let (_dir, mut app) = demo_app(12);
    let account = first_of(&app, true).expect("the demo has an inpatient encounter");
    update(&mut app, Action::Open(account));
    // Whatever the demo assigned, start from a known principal and one CC/MCC candidate.
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "I50.23".into()),
    );
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "N17.9".into()),
    );
    let enc = app.state.encounter.as_ref().unwrap();
    let drg = enc
        .drg
        .as_ref()
        .expect("an inpatient encounter with codes has a working DRG");
    let number = format!("{:03}", drg.grouping.drg);
    let s = screen(&app.state, 80, 24).join("\n");
    assert!(s.contains(&format!("DRG {number}")), "{s}");

    key(&mut app, 'g');
    assert_eq!(modal::top(&app.state), Some(Modal::Drg));
    let s = screen(&app.state, 80, 24).join("\n");
    assert!(s.contains("MS-DRG") && s.contains(&number), "{s}");
    assert!(keymap::footer(&app.state).contains(&("g Esc", "close")));
    // A stray POA letter while the panel is open changes nothing.
    let before: Vec<_> = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .view
        .assignments
        .iter()
        .map(|a| a.poa)
        .collect();
    key(&mut app, 'y');
    let after: Vec<_> = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .view
        .assignments
        .iter()
        .map(|a| a.poa)
        .collect();
    assert_eq!(before, after);
    key(&mut app, 'g');
    assert_eq!(modal::top(&app.state), None);
}

#[test]
fn an_outpatient_encounter_has_no_drg_and_g_says_why() {
    let (_dir, mut app) = demo_app(12);
    let account = first_of(&app, false).expect("the demo has an outpatient encounter");
    update(&mut app, Action::Open(account));
    update(
        &mut app,
        Action::Assign(CodeSystem::Icd10Cm, "J44.1".into()),
    );
    assert!(app.state.encounter.as_ref().unwrap().drg.is_none());
    key(&mut app, 'g');
    assert_eq!(modal::top(&app.state), None);
    let status = app
        .state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("inpatient"), "{status}");
}
