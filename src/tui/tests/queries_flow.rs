//! A documentation query's whole life through keys, with the real service: pin from the note,
//! compose, send (hold; marking coded refused), answer, close (released), then the CDI queue.
use super::fixture::{self, INPATIENT};
use super::queries::{key, selected_text, shown, status, typed};
use crate::domain::{EncounterStatus, QueryStatus, Role};
use crate::service::Service;
use crate::tui::app::{Action, App, update};
use crate::tui::queries::{Field, StatusFilter};
use crate::tui::state::{Pane, Screen};
use ratatui::crossterm::event::KeyCode;

fn panel(app: &App) -> &crate::tui::queries::PanelState {
    app.state
        .encounter
        .as_ref()
        .unwrap()
        .cdi
        .panel
        .as_ref()
        .expect("the query panel is open")
}

fn card(app: &App) -> &crate::tui::queries::QueryCard {
    panel(app).card.as_ref().expect("a query is shown")
}

fn enc_status(app: &App) -> EncounterStatus {
    app.state.encounter.as_ref().unwrap().view.encounter.status
}

/// Opens the inpatient fixture encounter and pins the first sentence of its first note.
fn open_and_pin(app: &mut App) {
    update(app, Action::Resize(80, 24));
    update(app, Action::Open(INPATIENT.into()));
    key(app, KeyCode::Tab);
    key(app, KeyCode::Char('v'));
    key(app, KeyCode::Char('s'));
    let quote = selected_text(app).unwrap();
    assert!(quote.starts_with("HPI: 74 year old female"), "{quote}");
    key(app, KeyCode::Char('p'));
    assert!(status(app).contains("pinned"), "{}", status(app));
    assert!(status(app).contains("to draft query #"), "{}", status(app));
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(enc.cdi.selection.is_none() && enc.cdi.draft.is_some());
}

/// Moves the panel cursor to `f`.
fn go_to(app: &mut App, f: Field) {
    key(app, KeyCode::Char('g'));
    for _ in 0..20 {
        if panel(app).field() == Some(f) {
            return;
        }
        key(app, KeyCode::Char('j'));
    }
    panic!("no {f:?} row: {:?}", panel(app).rows());
}

#[test]
fn pin_compose_send_answer_close_and_see_it_in_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open_and_pin(&mut app);
    let draft = app.state.encounter.as_ref().unwrap().cdi.draft.unwrap();

    // The panel opens on the draft the pin created: the quote with its note, author and time.
    key(&mut app, KeyCode::Char('Q'));
    let c = card(&app);
    assert_eq!((c.row.id, c.row.status), (draft, QueryStatus::Draft));
    assert_eq!(c.row.provider, "Dr. Rivera", "addressed to the attending");
    assert_eq!(c.indicators.len(), 1);
    let ind = &c.indicators[0];
    assert_eq!(
        (ind.note_type.as_str(), ind.author.as_str()),
        ("History and Physical", "Dr. Rivera")
    );
    assert_eq!(
        ind.quote,
        "HPI: 74 year old female with acute on chronic systolic heart failure."
    );
    assert_eq!((ind.start, ind.end), (0, 69));
    // An empty question is a compliance error, shown inline; S is refused.
    assert!(c.errors() > 0, "{:?}", c.findings);
    let s = shown(&app.state);
    assert!(s.contains("error(s) block sending"), "{s}");
    key(&mut app, KeyCode::Char('S'));
    assert!(status(&app).contains("not sent"), "{}", status(&app));
    assert_eq!(card(&app).row.status, QueryStatus::Draft);

    // Write the question; compliance is checked as it is typed (a leading question is an error).
    go_to(&mut app, Field::Question);
    key(&mut app, KeyCode::Enter);
    typed(
        &mut app,
        "Please document acute on chronic systolic heart failure.",
    );
    let live = panel(&app)
        .live
        .clone()
        .expect("live findings while typing");
    assert!(
        live.iter().any(|f| f.error && f.text.contains("lead")),
        "{live:?}"
    );
    assert!(shown(&app.state).contains("✗"), "{}", shown(&app.state));
    update(
        &mut app,
        Action::Query(crate::tui::queries::QAction::ClearInput),
    );
    typed(
        &mut app,
        "Based on the clinical indicators, what is the type and acuity of the heart failure?",
    );
    key(&mut app, KeyCode::Enter);
    assert!(status(&app).contains("saved question"), "{}", status(&app));
    assert_eq!(card(&app).errors(), 0, "{:?}", card(&app).findings);
    assert!(shown(&app.state).contains("ready to send"));

    // Send: the encounter goes on hold, and marking coded is refused with the service's reason.
    key(&mut app, KeyCode::Char('S'));
    assert!(
        status(&app).contains("sent to Dr. Rivera"),
        "{}",
        status(&app)
    );
    assert_eq!(card(&app).row.status, QueryStatus::Open);
    assert_eq!(enc_status(&app), EncounterStatus::Hold);
    key(&mut app, KeyCode::Esc);
    assert!(
        shown(&app.state)
            .lines()
            .next()
            .unwrap()
            .contains("hold: query")
    );
    key(&mut app, KeyCode::Char('c'));
    assert!(
        status(&app).contains("unanswered documentation query"),
        "{}",
        status(&app)
    );
    assert_eq!(enc_status(&app), EncounterStatus::Hold);

    // Answer (Tab picks the outcome), then close: the encounter is back in progress.
    key(&mut app, KeyCode::Char('Q'));
    key(&mut app, KeyCode::Char('C'));
    assert!(status(&app).contains("cannot close"), "{}", status(&app));
    key(&mut app, KeyCode::Char('A'));
    assert!(app.state.typing());
    typed(&mut app, "Acute on chronic systolic heart failure");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    assert!(
        status(&app).contains("answer recorded: agreed"),
        "{}",
        status(&app)
    );
    assert_eq!(card(&app).row.status, QueryStatus::Answered);
    assert_eq!(enc_status(&app), EncounterStatus::InProgress);
    key(&mut app, KeyCode::Char('C'));
    assert!(status(&app).contains("query closed"), "{}", status(&app));
    let c = card(&app);
    assert_eq!(c.row.status, QueryStatus::Closed);
    assert!(c.history.len() >= 4, "{:?}", c.history);
    let s = shown(&app.state);
    assert!(s.contains("Answer: agreed"), "{s}");

    // The queue: one key from the worklist; closed queries show with the status filter.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.screen, Screen::Worklist);
    key(&mut app, KeyCode::Char('Q'));
    assert_eq!(app.state.screen, Screen::Queue);
    assert!(app.state.queue.visible.is_empty(), "closed is not active");
    while app.state.queue.status != StatusFilter::All {
        key(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(app.state.queue.visible.len(), 1);
    let s = shown(&app.state);
    assert!(s.contains("1 closed") && s.contains(INPATIENT), "{s}");
    key(&mut app, KeyCode::Enter);
    let s = shown(&app.state);
    assert!(
        s.contains("Answer and history") && s.contains("HPI: 74 year"),
        "{s}"
    );
    // Open the encounter from there; Esc comes back to the queue.
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(&app));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.screen, Screen::Queue);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.screen, Screen::Worklist);
}

#[test]
fn template_prefills_and_cancel_asks_for_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open_and_pin(&mut app);
    key(&mut app, KeyCode::Char('Q'));
    assert_eq!(panel(&app).field(), Some(Field::Template));
    assert!(!panel(&app).templates.is_empty());
    key(&mut app, KeyCode::Right);
    let t = panel(&app).templates[0].clone();
    let c = card(&app);
    assert_eq!(c.question, t.question);
    assert_eq!(c.row.query_type, t.query_type);
    assert!(!t.look_for.is_empty());
    let s = shown(&app.state);
    assert!(s.contains(&format!("‹ {} ›", t.title)), "{s}");
    assert!(s.contains("look for:"), "{s}");
    // A multiple-choice template: an option added with Enter, removed with x.
    if c.row.query_type == crate::domain::QueryType::MultipleChoice {
        let n = c.options.len();
        go_to(&mut app, Field::AddOption);
        key(&mut app, KeyCode::Enter);
        typed(&mut app, "Diastolic dysfunction");
        key(&mut app, KeyCode::Enter);
        assert_eq!(card(&app).options.len(), n + 1);
        assert!(
            card(&app)
                .options
                .iter()
                .any(|o| o == "Diastolic dysfunction")
        );
        let i = card(&app)
            .options
            .iter()
            .position(|o| o == "Diastolic dysfunction")
            .unwrap();
        go_to(&mut app, Field::Option(i));
        key(&mut app, KeyCode::Char('x'));
        assert_eq!(card(&app).options.len(), n);
    }
    // Cancel: an empty reason is refused by the service, a reason cancels.
    key(&mut app, KeyCode::Char('X'));
    key(&mut app, KeyCode::Enter);
    assert!(status(&app).contains("say why"), "{}", status(&app));
    key(&mut app, KeyCode::Char('X'));
    typed(&mut app, "documentation amended");
    key(&mut app, KeyCode::Enter);
    assert_eq!(card(&app).row.status, QueryStatus::Canceled);
    assert_eq!(
        card(&app).cancel_reason.as_deref(),
        Some("documentation amended")
    );
    // Enter on the indicator shows it in its note, marked.
    go_to(&mut app, Field::Indicator(0));
    key(&mut app, KeyCode::Enter);
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(enc.cdi.panel.is_none());
    assert_eq!(enc.focus, Pane::Viewer);
    assert!(selected_text(&app).unwrap().starts_with("HPI: 74"));
}

#[test]
fn find_match_sentence_pins_and_other_coders_do_not_see_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Open(INPATIENT.into()));
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char('f'));
    typed(&mut app, "\"line 12\"");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('p'));
    assert!(status(&app).contains("pinned"), "{}", status(&app));
    // The pinned quote stays underlined in the viewer.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| crate::tui::render(&app.state, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let row = |y: u16| {
        (0..80u16)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect::<String>()
    };
    let y = (0..24u16)
        .find(|&y| row(y).contains("Line 12:"))
        .expect("line 12 shown");
    let x = row(y).find("Line 12:").unwrap() as u16 - 2; // the border is 3 bytes, 1 cell
    let under = ratatui::style::Modifier::UNDERLINED;
    assert!(buf[(x, y)].modifier.contains(under), "{}", row(y));
    let y11 = (0..24u16)
        .find(|&y| row(y).contains("Line 11:"))
        .expect("line 11 shown");
    assert!(!buf[(x, y11)].modifier.contains(under));
    key(&mut app, KeyCode::Char('Q'));
    assert_eq!(
        card(&app).indicators[0].quote,
        "Line 12: patient stable, continue diuresis and monitor weight."
    );
    // Bob (another coder, not holding this encounter) sees no query in his queue.
    let data = crate::service::DataDir::new(dir.path());
    let bob = Service::open(&data, "bob", &mut |_, _, _| {}).unwrap();
    let mut config = crate::config::Config::default();
    config.ui.color = crate::config::ColorMode::Never;
    let mut bobs = App::new(bob, &config);
    assert_eq!(bobs.state.role, Role::Coder);
    update(
        &mut bobs,
        Action::Query(crate::tui::queries::QAction::OpenQueue),
    );
    assert_eq!(bobs.state.screen, Screen::Queue);
    bobs.state.queue.status = StatusFilter::All;
    update(
        &mut bobs,
        Action::Query(crate::tui::queries::QAction::Refresh),
    );
    assert!(
        bobs.state.queue.rows.is_empty(),
        "{:?}",
        bobs.state.queue.rows
    );
    assert!(shown(&bobs.state).contains("no queries you may see"));

    // Tester sends it: the worklist row says why the encounter waits.
    let q = app.state.encounter.as_ref().unwrap().cdi.draft.unwrap();
    go_to(&mut app, Field::Question);
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "What does the weight trend indicate?");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('S'));
    assert_eq!(card(&app).row.status, QueryStatus::Open, "{}", status(&app));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.screen, Screen::Worklist);
    let s = shown(&app.state);
    let row = s.lines().find(|l| l.contains(INPATIENT)).unwrap();
    assert!(row.contains("hold: query"), "{row}");
    assert!(s.contains("1 hold"), "{s}");
    // In the queue it is open, and Enter shows it next to its history.
    key(&mut app, KeyCode::Char('Q'));
    let r = app.state.queue.selected().unwrap();
    assert_eq!((r.id, r.status), (q, QueryStatus::Open));
    assert!(r.due_at.is_some());
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.state.queue.visible.len(), 1, "a coder's own encounters");
    // Answer and close from the queue's detail view.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('C'));
    assert!(status(&app).contains("cannot close"), "{}", status(&app));
    key(&mut app, KeyCode::Char('A'));
    assert!(app.state.typing());
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Weight stable, no fluid overload");
    assert!(shown(&app.state).contains("answer [disagreed]"));
    key(&mut app, KeyCode::Enter);
    assert!(status(&app).contains("answer recorded"), "{}", status(&app));
    let d = app.state.queue.detail.as_ref().unwrap();
    assert_eq!(d.row.status, QueryStatus::Answered);
    assert_eq!(d.outcome, Some(crate::domain::Outcome::Disagreed));
    // To its encounter; the query is closed meanwhile (there, or by someone else): coming back,
    // the queue's opened query is read again rather than shown as it was (issue 12).
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.state.screen, Screen::Encounter, "{}", status(&app));
    crate::tui::queries::calls::close(&mut app.service, q).unwrap();
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.screen, Screen::Queue);
    assert_eq!(
        app.state.queue.detail.as_ref().unwrap().row.status,
        QueryStatus::Closed,
        "reloaded on return"
    );
    assert!(shown(&app.state).contains("disagreed: Weight stable"));
}

#[test]
fn cdi_specialist_pins_on_a_read_only_chart_and_works_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let mut coder = fixture::app(dir.path());
    let data = crate::service::DataDir::new(dir.path());
    {
        let conn = crate::store::open(&data.db_path()).unwrap();
        let at = crate::store::now();
        crate::store::users::upsert(&conn, "carol", Role::Cdi, "Carol", None, &at).unwrap();
    }
    // The coder holds the encounter (with a code, so leaving it keeps the claim).
    update(&mut coder, Action::Open(INPATIENT.into()));
    update(
        &mut coder,
        Action::Assign(crate::domain::CodeSystem::Icd10Cm, "I50.23".into()),
    );
    let svc = Service::open(&data, "carol", &mut |_, _, _| {}).unwrap();
    let mut config = crate::config::Config::default();
    config.ui.color = crate::config::ColorMode::Never;
    let mut app = App::new(svc, &config);
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Open(INPATIENT.into()));
    let enc = app.state.encounter.as_ref().unwrap();
    assert!(enc.view.read_only.is_some(), "a CDI specialist cannot code");
    // Reading only, but selecting and pinning work: queries are the CDI specialist's job.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('v'));
    key(&mut app, KeyCode::Char('s'));
    key(&mut app, KeyCode::Char('p'));
    assert!(status(&app).contains("pinned"), "{}", status(&app));
    key(&mut app, KeyCode::Char('Q'));
    go_to(&mut app, Field::Question);
    key(&mut app, KeyCode::Enter);
    typed(
        &mut app,
        "What is the acuity and type of the heart failure?",
    );
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('S'));
    assert_eq!(card(&app).row.status, QueryStatus::Open, "{}", status(&app));
    assert_eq!(card(&app).row.owner, "carol");
    // Back to the worklist, then the queue: carol's query, "mine" keeps it.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.state.screen, Screen::Worklist);
    key(&mut app, KeyCode::F(4));
    assert_eq!(app.state.screen, Screen::Queue);
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.state.queue.visible.len(), 1);
    let s = shown(&app.state);
    assert!(s.contains("carol (cdi)") && s.contains("1 open"), "{s}");
    // The coder holding the encounter sees it in their queue too, and cannot mark coded.
    update(&mut coder, Action::Refresh);
    update(&mut coder, Action::MarkCoded);
    assert!(
        status(&coder).contains("unanswered documentation query"),
        "{}",
        status(&coder)
    );
    update(
        &mut coder,
        Action::Query(crate::tui::queries::QAction::OpenQueue),
    );
    assert_eq!(coder.state.queue.rows.len(), 1, "{}", status(&coder));
}

#[test]
fn a_template_picked_in_the_panel_is_saved_and_shown_in_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open_and_pin(&mut app);
    key(&mut app, KeyCode::Char('Q'));
    assert_eq!(panel(&app).field(), Some(Field::Template));
    key(&mut app, KeyCode::Right);
    let t = panel(&app).templates[0].clone();
    let id = app.state.encounter.as_ref().unwrap().cdi.draft.unwrap();
    let stored: Option<String> = {
        let conn = crate::store::open(&dir.path().join("chartdesk.db")).unwrap();
        conn.query_row("SELECT template FROM queries WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
    };
    assert_eq!(stored.as_deref(), Some(t.name.as_str()));
    // Editing the question afterwards keeps the template.
    go_to(&mut app, Field::Question);
    key(&mut app, KeyCode::Enter);
    typed(&mut app, " Thank you.");
    key(&mut app, KeyCode::Enter);
    assert_eq!(card(&app).template.as_deref(), Some(t.name.as_str()));
    key(&mut app, KeyCode::Esc);
    update(
        &mut app,
        Action::Query(crate::tui::queries::QAction::OpenQueue),
    );
    app.state.queue.status = StatusFilter::All;
    update(
        &mut app,
        Action::Query(crate::tui::queries::QAction::Refresh),
    );
    let row = app
        .state
        .queue
        .rows
        .iter()
        .find(|r| r.id == id)
        .expect("the draft is in the queue");
    assert_eq!(row.topic, t.name.replace('_', " "));
}

#[test]
fn the_same_text_is_not_pinned_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open_and_pin(&mut app);
    // The same sentence again, selected with v s, then found with f and pinned with p.
    key(&mut app, KeyCode::Char('v'));
    key(&mut app, KeyCode::Char('s'));
    key(&mut app, KeyCode::Char('p'));
    assert!(status(&app).contains("already pinned"), "{}", status(&app));
    key(&mut app, KeyCode::Char('f'));
    typed(&mut app, "year old female");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('p'));
    assert!(status(&app).contains("already pinned"), "{}", status(&app));
    key(&mut app, KeyCode::Char('Q'));
    assert_eq!(
        card(&app).indicators.len(),
        1,
        "{:?}",
        card(&app).indicators
    );
}
