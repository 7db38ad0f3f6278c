//! Documentation queries in the TUI: selecting note text with keys, the query panel and the CDI
//! queue, drawn at 80x24 (TestBackend) and driven through the keymap into `update`.
use super::fixture::{self, INPATIENT, screen};
use crate::domain::EncounterType;
use crate::domain::query::{Indicator, QueryStatus, QueryType};
use crate::tui::app::{Action, App, update};
use crate::tui::keymap;
use crate::tui::queries::select;
use crate::tui::queries::{Finding, HistoryLine, PanelState, QueryCard, QueueRow};
use crate::tui::state::{Pane, Screen, State};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(super) fn key(app: &mut App, code: KeyCode) {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    if let Some(a) = keymap::map(&app.state, KeyEvent::new(code, mods)) {
        update(app, a);
    }
}

pub(super) fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

pub(super) fn shown(state: &State) -> String {
    screen(state, state.size.0, state.size.1).join("\n")
}

pub(super) fn status(app: &App) -> String {
    app.state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// The selected text of the open note, as the viewer wraps it now.
pub(super) fn selected_text(app: &App) -> Option<String> {
    let enc = app.state.encounter.as_ref()?;
    let note = enc.note.as_ref()?;
    let width = crate::tui::layout::encounter(
        crate::tui::layout::area_of(app.state.size),
        enc.zoom,
        enc.view.assignments.len(),
    )
    .viewer_text()
    .width as usize;
    let words = select::words(&note.body, width);
    let (s, e) = enc.cdi.selection?.range(&words)?;
    Some(note.body[s..e].to_string())
}

pub(super) fn row(
    id: i64,
    status: QueryStatus,
    provider: &str,
    owner: &str,
    sent: Option<&str>,
) -> QueueRow {
    QueueRow {
        id,
        encounter_id: id,
        account: format!("A{id:08}"),
        patient: "DOE, JANE".into(),
        enc_type: EncounterType::Inpatient,
        attending: "Dr. Rivera".into(),
        provider: provider.into(),
        status,
        query_type: QueryType::MultipleChoice,
        topic: "Heart failure".into(),
        owner: owner.into(),
        created_at: "2025-02-01T10:00:00Z".into(),
        sent_at: sent.map(String::from),
        due_at: sent.map(|_| "2025-02-09T10:00:00Z".to_string()),
        indicators: 1,
    }
}

pub(super) fn card(r: QueueRow) -> QueryCard {
    QueryCard {
        row: r,
        purpose: None,
        template: Some("heart_failure".into()),
        look_for: vec!["BNP".into(), "ejection fraction".into()],
        question: "Based on the indicators, please clarify the type and acuity of heart failure."
            .into(),
        options: vec![
            "Acute on chronic systolic heart failure".into(),
            "Clinically undetermined".into(),
            "Other, please specify".into(),
        ],
        indicators: vec![Indicator {
            id: 1,
            note_row_id: 1,
            note_id: "N1".into(),
            note_type: "History and Physical".into(),
            author: "Dr. Rivera".into(),
            written_at: "2025-02-01T09:00:00Z".into(),
            quote: "BNP 1250 on admission".into(),
            start: 0,
            end: 21,
        }],
        outcome: None,
        response: None,
        cancel_reason: None,
        history: vec![HistoryLine {
            at: "2025-02-02T08:00:00Z".into(),
            who: "carol".into(),
            what: "sent to Dr. Rivera".into(),
        }],
        findings: vec![
            Finding {
                error: true,
                text: "leading: 'please clarify' is fine, 'please document' is not".into(),
            },
            Finding {
                error: false,
                text: "unsupported option: no indicator mentions systolic".into(),
            },
        ],
    }
}

#[test]
fn v_selects_words_lines_and_sentences_in_the_note() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Open(INPATIENT.into()));
    // `v` belongs to the note viewer only.
    key(&mut app, KeyCode::Char('v'));
    assert!(
        app.state
            .encounter
            .as_ref()
            .unwrap()
            .cdi
            .selection
            .is_none()
    );
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Viewer);
    key(&mut app, KeyCode::Char('v'));
    assert_eq!(selected_text(&app).as_deref(), Some("HPI:"));
    key(&mut app, KeyCode::Char('w'));
    key(&mut app, KeyCode::Right);
    assert_eq!(selected_text(&app).as_deref(), Some("HPI: 74 year"));
    key(&mut app, KeyCode::Char('b'));
    assert_eq!(selected_text(&app).as_deref(), Some("HPI: 74"));
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(
        selected_text(&app).as_deref(),
        Some("HPI: 74 year old female with acute on chronic systolic heart failure.")
    );
    key(&mut app, KeyCode::Char('j'));
    assert!(
        selected_text(&app)
            .unwrap()
            .ends_with("failure.\nAssessment: CHF exacerbation."),
        "{:?}",
        selected_text(&app)
    );
    // The selection is marked in the viewer and the footer shows the selection keys.
    let s = shown(&app.state);
    assert!(s.contains("p pin") && s.contains("Esc stop"), "{s}");
    // While selecting, other pane keys do nothing (no code search, no pane change).
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('/'));
    assert_eq!(app.state.encounter.as_ref().unwrap().focus, Pane::Viewer);
    key(&mut app, KeyCode::Esc);
    assert!(
        app.state
            .encounter
            .as_ref()
            .unwrap()
            .cdi
            .selection
            .is_none()
    );
    assert_eq!(app.state.screen, Screen::Encounter);
}

#[test]
fn v_starts_at_the_find_match_and_marks_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Open(INPATIENT.into()));
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char('f'));
    typed(&mut app, "\"line 40\"");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('v'));
    assert_eq!(selected_text(&app).as_deref(), Some("Line"));
    key(&mut app, KeyCode::Char(')'));
    assert_eq!(
        selected_text(&app).as_deref(),
        Some("Line 40: patient stable, continue diuresis and monitor weight.")
    );
    // The marked text is drawn reversed in the viewer.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| crate::tui::render(&app.state, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let y = (0..24u16)
        .find(|&y| {
            (0..80u16)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .contains("Line 40:")
        })
        .expect("line 40 on screen");
    let x = (0..80u16)
        .find(|&x| buf[(x, y)].symbol() == "L" && buf[(x + 1, y)].symbol() == "i")
        .unwrap();
    assert!(
        buf[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    assert!(
        !buf[(x.saturating_sub(2), y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
}

#[test]
fn queue_screen_fits_80x24_with_counts_filters_and_keys() {
    let mut state = State::new(
        "carol",
        crate::domain::Role::Cdi,
        false,
        chrono::NaiveDate::from_ymd_opt(2025, 2, 10).unwrap(),
    );
    state.screen = Screen::Queue;
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
        row(
            4,
            QueryStatus::Closed,
            "Dr. Patel",
            "dave",
            Some("2025-02-03T08:00:00Z"),
        ),
    ];
    q.refilter("carol", state.today);
    let s = shown(&state);
    assert!(s.contains("CDI queue") && s.contains("carol (cdi)"), "{s}");
    assert!(
        s.contains("1 draft") && s.contains("1 open") && s.contains("1 answered"),
        "{s}"
    );
    // Active by default: the closed query is not listed; oldest first.
    assert!(s.contains("active") && s.contains("(3)"), "{s}");
    let lines: Vec<&str> = s.lines().collect();
    let first = lines.iter().position(|l| l.contains("A00000002")).unwrap();
    let second = lines.iter().position(|l| l.contains("A00000001")).unwrap();
    let third = lines.iter().position(|l| l.contains("A00000003")).unwrap();
    assert!(first < second && second < third, "{s}");
    assert!(!s.contains("A00000004"), "{s}");
    assert!(s.contains("Enter open") && s.contains("/ filter"), "{s}");
    for l in &lines {
        assert!(crate::tui::widgets::text::width(l) <= 80);
    }
    // Mine, then the detail of a query side by side.
    state.queue.mine = true;
    state.queue.refilter("carol", state.today);
    assert_eq!(state.queue.visible.len(), 2);
    state.queue.detail = Some(card(row(
        1,
        QueryStatus::Open,
        "Dr. Rivera",
        "carol",
        Some("2025-02-02T08:00:00Z"),
    )));
    let s = shown(&state);
    assert!(
        s.contains("Query #1") && s.contains("Answer and history"),
        "{s}"
    );
    assert!(s.contains("BNP 1250 on admission") && s.contains("History and Physical"));
    assert!(
        s.contains("sent to Dr. Rivera") && s.contains("e open encounter"),
        "{s}"
    );
}

#[test]
fn panel_draws_a_draft_with_compliance_inline() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Open(INPATIENT.into()));
    let mut c = card(row(7, QueryStatus::Draft, "Dr. Rivera", "tester", None));
    c.history.clear();
    let enc = app.state.encounter.as_mut().unwrap();
    enc.cdi.panel = Some(PanelState {
        queries: vec![c.row.clone()],
        card: Some(c),
        ..PanelState::default()
    });
    let s = shown(&app.state);
    assert!(
        s.contains("Query #7 (1/1) · draft · multiple choice"),
        "{s}"
    );
    assert!(s.contains("Provider") && s.contains("Dr. Rivera"), "{s}");
    assert!(
        s.contains("1. Acute on chronic systolic heart failure"),
        "{s}"
    );
    assert!(
        s.contains("Clinically undetermined (always offered)"),
        "{s}"
    );
    assert!(
        s.contains("Indicators (1)") && s.contains("BNP 1250"),
        "{s}"
    );
    assert!(s.contains("1 error(s) block sending"), "{s}");
    assert!(s.contains("S send") && s.contains("Esc close"), "{s}");
    // Keys move between rows; Enter on the provider opens a prompt in the panel.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    let p = app
        .state
        .encounter
        .as_ref()
        .unwrap()
        .cdi
        .panel
        .as_ref()
        .unwrap();
    assert_eq!(p.field(), Some(crate::tui::queries::Field::Provider));
    key(&mut app, KeyCode::Enter);
    assert!(app.state.typing());
    assert!(shown(&app.state).contains("Provider> Dr. Rivera"));
    key(&mut app, KeyCode::Esc);
    assert!(!app.state.typing());
    key(&mut app, KeyCode::Esc);
    assert!(app.state.encounter.as_ref().unwrap().cdi.panel.is_none());
    assert_eq!(app.state.screen, Screen::Encounter);
}

#[test]
fn smallest_window_still_draws_the_queue_and_the_panel() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(60, 16));
    update(&mut app, Action::Open(INPATIENT.into()));
    let c = card(row(7, QueryStatus::Draft, "Dr. Rivera", "tester", None));
    app.state.encounter.as_mut().unwrap().cdi.panel = Some(PanelState {
        queries: vec![c.row.clone()],
        card: Some(c.clone()),
        ..PanelState::default()
    });
    let s = shown(&app.state);
    assert!(s.contains("Query #7") && s.contains("Compliance:"), "{s}");
    app.state.encounter = None;
    app.state.screen = Screen::Queue;
    app.state.queue.rows = vec![c.row.clone()];
    app.state.queue.refilter("tester", app.state.today);
    let s = shown(&app.state);
    assert!(s.contains("CDI queue") && s.contains("A00000007"), "{s}");
    app.state.queue.detail = Some(c);
    assert!(shown(&app.state).contains("Answer and history"));
}

#[test]
fn help_lists_the_query_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    let s = shown(&app.state);
    assert!(s.contains("Worklist"));
    update(&mut app, Action::Open(INPATIENT.into()));
    let titles: Vec<&str> = keymap::help_sections(&app.state)
        .iter()
        .map(|s| s.title)
        .collect();
    assert!(
        titles.contains(&"Select and pin (note viewer)"),
        "{titles:?}"
    );
    assert!(titles.contains(&"Query panel (Q)"), "{titles:?}");
    app.state.screen = Screen::Queue;
    let titles: Vec<&str> = keymap::help_sections(&app.state)
        .iter()
        .map(|s| s.title)
        .collect();
    assert_eq!(titles[0], "CDI queue");
    assert!(crate::tui::command::parse(":queue").is_ok_and(|a| matches!(
        a,
        Some(Action::Query(crate::tui::queries::QAction::OpenQueue))
    )));
}
