//! The encoder's TUI: following references in the code detail and back, and building an ICD-10-PCS
//! code axis by axis. The fixture gets a few extra codes (a real Excludes1 pair, stomach excisions).
use super::fixture::{self, INPATIENT, screen};
use super::state::{codes, open, search, status};
use crate::config::{ColorMode, Config};
use crate::domain::TabularNotes;
use crate::service::{DataDir, Service};
use crate::store;
use crate::tui::app::{Action, App, update};

/// Adds rows to the fixture's active code sets (version T1) before the index is built.
fn add_codes(data: &DataDir) {
    let conn = store::open(&data.db_path()).unwrap();
    let cm = |code: &str, title: &str, billable: bool, parent: &str, notes: TabularNotes| {
        let notes = (!notes.is_empty()).then(|| serde_json::to_string(&notes).unwrap());
        conn.execute(
            "INSERT INTO codes (system, version, code, kind, title, billable, parent, notes)
             VALUES ('ICD-10-CM', 'T1', ?1, 'code', ?2, ?3, ?4, ?5)",
            rusqlite::params![code, title, billable, parent, notes],
        )
        .unwrap();
    };
    cm(
        "K70",
        "Alcoholic liver disease",
        false,
        "K70-K77",
        TabularNotes::default(),
    );
    cm(
        "K70.3",
        "Alcoholic cirrhosis of liver",
        false,
        "K70",
        TabularNotes::default(),
    );
    cm(
        "K70.30",
        "Alcoholic cirrhosis of liver without ascites",
        true,
        "K70.3",
        TabularNotes::default(),
    );
    cm(
        "K74",
        "Fibrosis and cirrhosis of liver",
        false,
        "K70-K77",
        TabularNotes {
            excludes1: vec!["alcoholic fibrosis of liver (K70.2)".into()],
            ..TabularNotes::default()
        },
    );
    cm(
        "K74.6",
        "Other and unspecified cirrhosis of liver",
        false,
        "K74",
        TabularNotes::default(),
    );
    cm(
        "K74.60",
        "Unspecified cirrhosis of liver",
        true,
        "K74.6",
        TabularNotes {
            excludes1: vec!["alcoholic cirrhosis (of liver) (K70.3-)".into()],
            ..TabularNotes::default()
        },
    );
    for (code, title) in [
        ("0DB60ZZ", "Excision of Stomach, Open Approach"),
        ("0DB63ZZ", "Excision of Stomach, Percutaneous Approach"),
        ("0DB80ZZ", "Excision of Small Intestine, Open Approach"),
        ("0DT60ZZ", "Resection of Stomach, Open Approach"),
    ] {
        conn.execute(
            "INSERT INTO codes (system, version, code, kind, title, billable, parent, notes)
             VALUES ('ICD-10-PCS', 'T1', ?1, 'code', ?2, 1, NULL, NULL)",
            rusqlite::params![code, title],
        )
        .unwrap();
    }
}

fn app(dir: &std::path::Path) -> App {
    let data = fixture::build(dir);
    add_codes(&data);
    let service = Service::open(&data, "tester", &mut |_, _, _| {}).unwrap();
    let mut config = Config::default();
    config.ui.color = ColorMode::Never;
    App::new(service, &config)
}

fn detail_code(app: &App) -> String {
    app.state
        .encounter
        .as_ref()
        .and_then(|e| e.detail.as_ref())
        .map(|d| d.entry.code.clone())
        .unwrap_or_default()
}

fn selected_token(app: &App) -> String {
    app.state
        .encounter
        .as_ref()
        .and_then(|e| e.nav.selected())
        .map(|r| r.token.clone())
        .unwrap_or_default()
}

#[test]
fn detail_references_are_followed_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    open(&mut app, INPATIENT);
    search(&mut app, "K74.60");
    update(&mut app, Action::DetailRefs);
    assert_eq!(detail_code(&app), "K74.60", "{}", status(&app));
    let refs: Vec<String> = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .nav
        .refs
        .iter()
        .map(|r| format!("{}>{}", r.token, r.target))
        .collect();
    // The parent, the Excludes1 wildcard and the category's K70.2 (not in this set: not a reference).
    assert!(refs.contains(&"K74.6>K74.6".to_string()), "{refs:?}");
    assert!(refs.contains(&"K70.3->K70.3".to_string()), "{refs:?}");
    assert!(!refs.iter().any(|r| r.starts_with("K70.2")), "{refs:?}");

    // At 80x24 the popup shows the references with the keys in its title.
    let shown = screen(&app.state, 80, 24).join("\n");
    assert!(shown.contains("Code detail: Tab/Enter/Bksp"), "{shown}");
    assert!(shown.contains("(K70.3-)"), "{shown}");

    let mut guard = 0;
    while selected_token(&app) != "K70.3-" {
        update(&mut app, Action::DetailRef(1));
        guard += 1;
        assert!(guard < 20, "K70.3- not reachable with Tab");
    }
    update(&mut app, Action::DetailFollow);
    assert_eq!(detail_code(&app), "K70.3", "{}", status(&app));
    assert_eq!(
        status(&app),
        "K70.3: Backspace goes back to K74.60",
        "the arrow only when the followed code differs"
    );
    // Follow again (to the parent K70), then back twice.
    while selected_token(&app) != "K70" {
        update(&mut app, Action::DetailRef(-1));
        guard += 1;
        assert!(guard < 40, "K70 not reachable");
    }
    update(&mut app, Action::DetailFollow);
    assert_eq!(detail_code(&app), "K70");
    update(&mut app, Action::DetailBack);
    assert_eq!(detail_code(&app), "K70.3");
    update(&mut app, Action::DetailBack);
    assert_eq!(detail_code(&app), "K74.60");
    assert_eq!(
        selected_token(&app),
        "K70.3-",
        "the cursor returns to the followed reference"
    );
    update(&mut app, Action::DetailBack);
    assert!(status(&app).contains("nothing to go back to"));
    // Esc leaves the references and closes the popup; the highlighted result is shown again.
    update(&mut app, Action::Back);
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(!enc.nav.active && !enc.detail_open && enc.nav.pinned.is_none());
}

#[test]
fn detail_keys_route_through_the_keymap() {
    use crate::tui::keymap;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    open(&mut app, INPATIENT);
    search(&mut app, "K74.60");
    let press = |app: &mut App, code: KeyCode, mods: KeyModifiers| {
        if let Some(a) = keymap::map(&app.state, KeyEvent::new(code, mods)) {
            update(app, a);
        }
    };
    press(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(app.state.encounter.as_ref().unwrap().nav.active);
    assert!(
        !app.state.typing(),
        "the detail has the keyboard, not the search box"
    );
    let first = selected_token(&app);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_ne!(selected_token(&app), first);
    press(&mut app, KeyCode::Char('k'), KeyModifiers::NONE);
    assert_eq!(selected_token(&app), first);
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_ne!(detail_code(&app), "K74.60");
    press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    assert_eq!(detail_code(&app), "K74.60");
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.typing(), "back in the search box");
}

fn pcs_prefix(app: &App) -> String {
    app.state
        .encounter
        .as_ref()
        .and_then(|e| e.pcs.as_ref())
        .map(|b| b.prefix.clone())
        .unwrap_or_default()
}

fn pcs_labels(app: &App) -> Vec<String> {
    app.state
        .encounter
        .as_ref()
        .and_then(|e| e.pcs.as_ref())
        .map(|b| {
            b.values
                .iter()
                .map(|v| format!("{} {}", v.ch, v.label))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn pcs_browser_builds_a_code_axis_by_axis_and_assigns_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    open(&mut app, INPATIENT);
    update(&mut app, Action::FocusSearch);
    update(&mut app, Action::PcsBrowse);
    assert_eq!(
        pcs_labels(&app),
        vec!["0 Medical and Surgical"],
        "{}",
        status(&app)
    );
    update(&mut app, Action::PcsPick('0'));
    let systems = pcs_labels(&app);
    assert!(
        systems.contains(&"D Gastrointestinal System".to_string()),
        "{systems:?}"
    );
    assert!(
        systems.contains(&"2 Heart and Great Vessels".to_string()),
        "{systems:?}"
    );
    update(&mut app, Action::PcsPick('D'));
    assert_eq!(
        pcs_labels(&app),
        vec!["B Excision", "T Resection of Stomach, Open Approach"]
    );
    // A value that does not exist here is refused with the choices.
    update(&mut app, Action::PcsPick('Q'));
    assert!(
        status(&app).contains("choose one of BT"),
        "{}",
        status(&app)
    );
    update(&mut app, Action::PcsPick('B'));
    assert_eq!(pcs_labels(&app), vec!["6 Stomach", "8 Small Intestine"]);
    update(&mut app, Action::PcsPick('6'));
    assert_eq!(
        pcs_labels(&app),
        vec!["0 Open Approach", "3 Percutaneous Approach"]
    );
    // Backspace goes back a column; arrows and Enter pick too.
    update(&mut app, Action::Backspace);
    assert_eq!(pcs_prefix(&app), "0DB");
    update(&mut app, Action::Accept);
    assert_eq!(pcs_prefix(&app), "0DB6");
    for c in ['0', 'Z', 'Z'] {
        update(&mut app, Action::PcsPick(c));
    }
    assert_eq!(pcs_prefix(&app), "0DB60ZZ");
    let shown = screen(&app.state, 80, 24).join("\n");
    assert!(shown.contains("ICD-10-PCS by axis"), "{shown}");
    assert!(
        shown.contains("0DB60ZZ Excision of Stomach, Open Approach"),
        "{shown}"
    );
    assert!(shown.contains("Root operation"), "{shown}");
    update(&mut app, Action::Accept);
    assert!(
        codes(&app).iter().any(|(c, _, _)| c == "0DB60ZZ"),
        "{}",
        status(&app)
    );
    assert!(app.state.encounter.as_ref().unwrap().pcs.is_none());

    // A code start typed in the search box opens the browser there (as far as it is valid).
    search(&mut app, "0DB6");
    update(&mut app, Action::PcsBrowse);
    assert_eq!(pcs_prefix(&app), "0DB6");
    assert_eq!(
        pcs_labels(&app),
        vec!["0 Open Approach", "3 Percutaneous Approach"]
    );
    update(&mut app, Action::Back);
    search(&mut app, "0DQ9");
    update(&mut app, Action::PcsBrowse);
    assert_eq!(
        pcs_prefix(&app),
        "0D",
        "stops before the first value that does not exist"
    );
}

#[test]
fn wide_windows_follow_references_in_the_detail_pane() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    update(&mut app, Action::Resize(140, 40));
    open(&mut app, INPATIENT);
    search(&mut app, "K74.60");
    update(&mut app, Action::DetailRefs);
    let shown = screen(&app.state, 140, 40).join("\n");
    assert!(shown.contains("Code detail: Tab/Enter/Bksp"), "{shown}");
    while selected_token(&app) != "K70.3-" {
        update(&mut app, Action::DetailRef(1));
    }
    update(&mut app, Action::DetailFollow);
    let shown = screen(&app.state, 140, 40).join("\n");
    assert!(
        shown.contains("K70.3 Alcoholic cirrhosis of liver"),
        "{shown}"
    );
    assert!(
        shown.contains("K70.30"),
        "codes beneath are listed:\n{shown}"
    );
    // Esc leaves the references; the pane shows the highlighted result again.
    update(&mut app, Action::Back);
    assert_eq!(detail_code(&app), "K74.60");
}

#[test]
fn the_system_cycle_reaches_hcpcs_and_cpt() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    open(&mut app, INPATIENT);
    update(&mut app, Action::FocusSearch);
    let mut seen = Vec::new();
    for _ in 0..5 {
        update(&mut app, Action::CycleSystem);
        seen.push(status(&app));
    }
    assert_eq!(
        seen,
        vec![
            "searching CM",
            "searching PCS",
            "searching HCPCS",
            "searching CPT",
            "searching all"
        ]
    );
}

#[test]
fn closing_the_pcs_browser_restores_the_search_systems() {
    use crate::tui::state::SystemFilter;
    let systems = |app: &App| app.state.encounter.as_ref().unwrap().search.systems;
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    open(&mut app, INPATIENT);
    update(&mut app, Action::FocusSearch);
    let before = systems(&app);
    assert_ne!(
        before,
        SystemFilter::Only(crate::domain::CodeSystem::Icd10Pcs)
    );
    // Esc closes it.
    update(&mut app, Action::PcsBrowse);
    assert_eq!(
        systems(&app),
        SystemFilter::Only(crate::domain::CodeSystem::Icd10Pcs)
    );
    update(&mut app, Action::Back);
    assert!(app.state.encounter.as_ref().unwrap().pcs.is_none());
    assert_eq!(systems(&app), before);
    // Backspace past the first column closes it too; a chosen CM filter comes back as it was.
    update(&mut app, Action::CycleSystem);
    let cm = systems(&app);
    assert_eq!(cm, SystemFilter::Only(crate::domain::CodeSystem::Icd10Cm));
    update(&mut app, Action::PcsBrowse);
    update(&mut app, Action::PcsPick('0'));
    update(&mut app, Action::Backspace);
    update(&mut app, Action::Backspace);
    assert!(app.state.encounter.as_ref().unwrap().pcs.is_none());
    assert_eq!(systems(&app), cm);
    // The typed query is searched again in the restored systems.
    search(&mut app, "chf");
    update(&mut app, Action::PcsBrowse);
    update(&mut app, Action::Back);
    assert_eq!(systems(&app), cm);
    let shown = screen(&app.state, 80, 24).join("\n");
    assert!(!shown.contains("[PCS]"), "{shown}");
}
