//! Whole-screen snapshots (insta) of every screen at 80x24 (the floor), 100x30 and 200x50: the
//! worklist, an encounter with notes, codes and code search results, its edits list, the
//! supervisor dashboard and the CDI queue. They are the proof that each screen fits; review a
//! change with `cargo insta review` (or `INSTA_UPDATE=always cargo test --lib snapshots` and
//! `git diff`). Deterministic: the fixture's dates are fixed, `today` is pinned and the search
//! time is set to 0 ms.
use super::fixture::{self, INPATIENT, screen};
use crate::domain::{CodeSystem, EntryKind, Poa, TabularNotes};
use crate::service::Service;
use crate::store;
use crate::tui::App;
use crate::tui::app::{Action, update};
use crate::tui::state::{Pane, State};
use chrono::NaiveDate;
use std::time::{Duration, Instant};

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (200, 50)];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 2, 20).unwrap()
}

/// The screen as text, one line per row with a `|` at the right edge (so the width shows).
fn text(state: &State, w: u16, h: u16) -> String {
    screen(state, w, h)
        .into_iter()
        .map(|l| format!("{l}|"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn snap(name: &str, state: &State, w: u16, h: u16) {
    let shown = text(state, w, h);
    for l in shown.lines() {
        assert!(
            crate::tui::widgets::text::width(l) == w as usize + 1,
            "{name} {w}x{h}: a row is not {w} cells wide\n{shown}"
        );
    }
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), shown);
}

/// More codes than the shared fixture: enough diagnoses for a scrolled codes pane, 7th-character
/// variants and a left/right pair of femur fractures.
fn more_codes() -> Vec<crate::domain::CodeEntry> {
    use CodeSystem::Icd10Cm as CM;
    use EntryKind::Code;
    let n = TabularNotes::default;
    let mut all = fixture::cm_codes();
    let femur = "Fracture of unspecified part of neck of";
    for (code, title, billable, parent) in [
        (
            "N17.9",
            "Acute kidney failure, unspecified".to_string(),
            true,
            None,
        ),
        (
            "E87.1",
            "Hypo-osmolality and hyponatremia".into(),
            true,
            None,
        ),
        (
            "I48.91",
            "Unspecified atrial fibrillation".into(),
            true,
            None,
        ),
        (
            "Z79.01",
            "Long term (current) use of anticoagulants".into(),
            true,
            None,
        ),
        ("D64.9", "Anemia, unspecified".into(), true, None),
        ("E78.5", "Hyperlipidemia, unspecified".into(), true, None),
        (
            "E10.9",
            "Type 1 diabetes mellitus without complications".into(),
            true,
            None,
        ),
        (
            "S72.001B",
            format!("{femur} right femur, initial encounter for open fracture type I or II"),
            true,
            Some("S72.001"),
        ),
        (
            "S72.001S",
            format!("{femur} right femur, sequela"),
            true,
            Some("S72.001"),
        ),
        (
            "S72.002",
            format!("{femur} left femur"),
            false,
            Some("S72.0"),
        ),
        (
            "S72.002A",
            format!("{femur} left femur, initial encounter for closed fracture"),
            true,
            Some("S72.002"),
        ),
    ] {
        let notes = if code == "E10.9" {
            TabularNotes {
                excludes1: vec!["type 2 diabetes mellitus (E11.-)".into()],
                ..n()
            }
        } else {
            n()
        };
        all.push(fixture::entry(
            CM, Code, code, &title, billable, parent, notes,
        ));
    }
    all
}

/// The fixture with the extra codes, opened for `tester` at `w`x`h` on a pinned day.
fn app(dir: &std::path::Path, w: u16, h: u16) -> App {
    let data = fixture::build(dir);
    let conn = store::open(&data.db_path()).unwrap();
    let at = store::now();
    store::codes::replace_set(
        &conn,
        CodeSystem::Icd10Cm,
        "T1",
        "test",
        &more_codes(),
        "tester",
        &at,
        &mut |_, _| {},
    )
    .unwrap();
    drop(conn);
    let service = Service::open(&data, "tester", &mut |_, _, _| {}).unwrap();
    let mut config = crate::config::Config::default();
    config.ui.color = crate::config::ColorMode::Never;
    let mut app = App::new(service, &config);
    update(&mut app, Action::Resize(w, h));
    app.state.today = today();
    app
}

fn settle(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.search_pending() {
        assert!(Instant::now() < deadline, "search did not finish");
        app.poll_search(Duration::from_millis(20));
    }
    if let Some(e) = app.state.encounter.as_mut() {
        e.search.elapsed_ms = 0;
    }
}

/// The inpatient encounter with eleven diagnoses (the first principal, a few POAs set) and a code
/// search for "femur fracture" with the cursor on its third result.
fn coded_encounter(app: &mut App) {
    update(app, Action::Open(INPATIENT.into()));
    for code in [
        "I50.23", "J44.1", "E11.9", "I10", "N17.9", "E87.1", "I48.91", "Z79.01", "D64.9", "E10.9",
        "I50.9",
    ] {
        update(app, Action::Assign(CodeSystem::Icd10Cm, code.into()));
    }
    if let Some(e) = app.state.encounter.as_mut() {
        e.focus = Pane::Codes;
    }
    update(app, Action::Top);
    // Setting a POA moves the cursor to the next code.
    for poa in [Poa::Yes, Poa::Yes, Poa::No] {
        update(app, Action::SetPoa(Some(poa)));
    }
    update(app, Action::FocusSearch);
    for c in "femur fracture".chars() {
        update(app, Action::Input(c));
    }
    settle(app);
    update(app, Action::Down);
    update(app, Action::Down);
    app.state.status = None;
}

#[test]
fn worklist_snapshots() {
    for (w, h) in SIZES {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path(), w, h);
        snap("worklist", &app.state, w, h);
    }
}

#[test]
fn encounter_snapshots() {
    for (w, h) in SIZES {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path(), w, h);
        coded_encounter(&mut app);
        let enc = app.state.encounter.as_ref().unwrap();
        assert_eq!(enc.view.assignments.len(), 11);
        assert!(enc.search.results.len() >= 5, "{:?}", enc.search.results);
        snap("encounter", &app.state, w, h);
    }
}

#[test]
fn encounter_codes_scrolled_keep_the_principal_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path(), 80, 24);
    coded_encounter(&mut app);
    update(&mut app, Action::Back);
    let enc = app.state.encounter.as_mut().unwrap();
    enc.focus = Pane::Codes;
    update(&mut app, Action::Bottom);
    let shown = text(&app.state, 80, 24);
    assert!(shown.contains("PDX  I50.23"), "{shown}");
    assert!(shown.contains("DX11 I50.9"), "{shown}");
    snap("encounter_codes_scrolled", &app.state, 80, 24);
}

#[test]
fn edits_snapshots() {
    for (w, h) in SIZES {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path(), w, h);
        coded_encounter(&mut app);
        update(&mut app, Action::Back);
        update(&mut app, Action::ToggleEdits);
        assert!(app.state.encounter.as_ref().unwrap().edits.open);
        app.state.status = None;
        snap("edits", &app.state, w, h);
    }
}

#[test]
fn dashboard_snapshots() {
    for (w, h) in SIZES {
        let state = super::dashboard::supervisor_state();
        snap("dashboard", &state, w, h);
    }
}

#[test]
fn query_queue_snapshots() {
    use super::queries::{card, row};
    use crate::domain::query::QueryStatus;
    for (w, h) in SIZES {
        let mut state = State::new("carol", crate::domain::Role::Cdi, false, today());
        state.screen = crate::tui::state::Screen::Queue;
        let q = &mut state.queue;
        q.rows = vec![
            row(
                1,
                QueryStatus::Open,
                "Dr. Rivera",
                "carol",
                Some("2025-02-02T08:00:00Z"),
            ),
            row(2, QueryStatus::Draft, "Dr. Chen", "carol", None),
            row(
                3,
                QueryStatus::Answered,
                "Dr. Patel",
                "dave",
                Some("2025-02-08T08:00:00Z"),
            ),
        ];
        q.refilter("carol", state.today);
        q.detail = Some(card(row(
            1,
            QueryStatus::Open,
            "Dr. Rivera",
            "carol",
            Some("2025-02-02T08:00:00Z"),
        )));
        snap("query_queue", &state, w, h);
    }
}

#[test]
fn long_status_wraps_onto_the_footer_line_at_a_word() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path(), 80, 24);
    let msg = "cannot mark A10000001 coded: 2 errors and 1 unacknowledged warning block it; \
               press e to see them and fix or acknowledge each one";
    app.state
        .set_status(crate::tui::state::StatusKind::Error, msg);
    let lines = screen(&app.state, 80, 24);
    let (status, next) = (lines[22].trim_end(), lines[23].trim_end());
    // Split at a space, nothing lost, the footer gives way until the next key.
    assert_eq!(format!("{status} {next}"), msg, "{lines:#?}");
    // Three lines' worth is cut at a word with a mark.
    app.state.set_status(
        crate::tui::state::StatusKind::Error,
        format!("{msg}; {msg}"),
    );
    let lines = screen(&app.state, 80, 24);
    assert!(lines[23].trim_end().ends_with('…'), "{lines:#?}");
    assert!(!lines[23].contains("  …"), "{lines:#?}");
}
