//! The dashboard: keys in, state out against a real service; and render tests at 80x24 (paged),
//! 150x36 (the smallest window with every panel) and 200x50 from hand-built reports.
use super::fixture::{self, OUTPATIENT, screen};
use crate::config::StandardsConfig;
use crate::domain::{EncounterStatus, EncounterType, Role, Sex};
use crate::report::accuracy::{self, DoneReview};
use crate::report::activity::ActionEvent;
use crate::report::backlog;
use crate::report::throughput::{self, ThroughputInput};
use crate::service::QueriesReport;
use crate::store::encounters::EncounterRow;
use crate::tui::app::{Action, update};
use crate::tui::dashboard::DashboardState;
use crate::tui::keymap;
use crate::tui::state::{Screen, State};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{HashMap, HashSet};

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
}

fn event(login: &str, day: u32, h: u32, m: u32, action: &str, enc: i64) -> ActionEvent {
    ActionEvent {
        login: login.into(),
        at: d(day).and_hms_opt(h, m, 0).unwrap().and_utc(),
        action: action.into(),
        encounter_id: Some(enc),
    }
}

fn enc_row(id: i64, t: EncounterType, discharged: &str) -> EncounterRow {
    EncounterRow {
        id,
        account: format!("A{id:08}"),
        patient_id: 1,
        mrn: "M1".into(),
        patient_name: "Doe, Jane".into(),
        birth_date: "1950-01-01".into(),
        sex: Sex::Female,
        enc_type: t,
        admit_date: "2026-10-01".into(),
        discharge_date: Some(discharged.into()),
        attending: String::new(),
        total_charges_cents: 1_000_000 + id,
        status: EncounterStatus::Uncoded,
        pending_reason: None,
        claimed_by: None,
        claimed_at: None,
        coded_by: None,
        coded_at: None,
        code_count: 0,
    }
}

fn teams() -> Vec<(String, String)> {
    vec![
        ("jlee".into(), "inpatient".into()),
        ("swhite".into(), "outpatient".into()),
    ]
}

fn review(coder: &str, errors: u32, codes: u32) -> DoneReview {
    DoneReview {
        coder: coder.into(),
        team: if coder == "jlee" {
            "inpatient"
        } else {
            "outpatient"
        }
        .into(),
        errors,
        codes,
        principal_changed: false,
    }
}

/// A supervisor's dashboard with every panel filled from hand-built rows.
pub(super) fn supervisor_state() -> State {
    let mut events = Vec::new();
    let mut types = HashMap::new();
    for i in 0..12 {
        let enc = i + 1;
        let day = 2 + (i as u32 % 10);
        let (who, t) = if i % 2 == 0 {
            ("jlee", EncounterType::Inpatient)
        } else {
            ("swhite", EncounterType::Emergency)
        };
        types.insert(enc, t);
        events.push(event(who, day, 9, 0, "open_encounter", enc));
        events.push(event(who, day, 9, 14, "mark_coded", enc));
    }
    let input = ThroughputInput {
        coders: vec![
            ("jlee".into(), "inpatient".into()),
            ("swhite".into(), "outpatient".into()),
        ],
        events,
        enc_types: types,
        only: None,
    };
    let tp = throughput::throughput(&input, &StandardsConfig::default(), d(1), d(24));
    let rows = vec![
        enc_row(101, EncounterType::Inpatient, "2026-10-01"),
        enc_row(102, EncounterType::Outpatient, "2026-11-20"),
        enc_row(103, EncounterType::Emergency, "2026-11-10"),
    ];
    let bl = backlog::backlog(&rows, d(24), &HashSet::new(), 50);
    let acc = accuracy::aggregate(&teams(), &[review("jlee", 1, 10)], 0);
    let queries = QueriesReport {
        metrics: Default::default(),
        open_by_age: vec![
            ("0-3".into(), 2),
            ("4-7".into(), 1),
            ("8-14".into(), 0),
            ("15+".into(), 0),
        ],
        open: 3,
    };
    let mut dash = DashboardState::new(d(24), false);
    dash.spark = Some(tp.clone());
    dash.throughput = Some(tp);
    dash.backlog = Some(bl);
    dash.accuracy = Some(acc);
    dash.queries = Some(queries);
    let mut s = State::new("dkim", Role::Supervisor, false, d(24));
    s.screen = Screen::Dashboard;
    s.dashboard = Some(dash);
    s
}

#[test]
fn render_80x24_pages_through_the_panels() {
    let mut s = supervisor_state();
    s.size = (80, 24);
    let page1 = screen(&s, 80, 24).join("\n");
    assert!(
        page1.contains("Dashboard 30d 10-26..11-24 team all"),
        "{page1}"
    );
    assert!(page1.contains(" 3 Quality "), "page tabs fit: {page1}");
    assert!(page1.contains("Coded/hour by type"), "{page1}");
    assert!(page1.contains("Per coder"), "{page1}");
    let jlee = page1
        .lines()
        .find(|l| l.contains("jlee"))
        .unwrap_or_default();
    // 6 coded on 5 days (two on Nov 2, opened together: one session); 5 sessions of 14 + 5
    // minutes = 1.58 h; 6 / 1.58 = 3.8 per hour; 1.2 per day.
    assert!(
        jlee.contains("jlee           6    1.6   3.8  1.2"),
        "{page1}"
    );
    assert!(page1.contains("Daily coded, last 30 days: 12"), "{page1}");
    assert!(page1.contains("IP") && page1.contains("PRO"), "{page1}");
    assert!(page1.contains("[ ] range"), "footer: {page1}");
    s.dashboard.as_mut().unwrap().page = 1;
    let page2 = screen(&s, 80, 24).join("\n");
    assert!(
        page2.contains("Backlog 2026-11-24: 3 encounters"),
        "{page2}"
    );
    assert!(page2.contains("15+ days"), "{page2}");
    assert!(
        page2.contains("IP 1 · OP 1 · ED 1 · OBS 0 · PRO 0"),
        "{page2}"
    );
    assert!(page2.contains("ready to code 3 · query 0"), "{page2}");
    // Oldest first: the October inpatient discharge.
    let first = page2
        .lines()
        .find(|l| l.contains("A00000"))
        .unwrap_or_default();
    assert!(
        first.contains("A00000101") && first.contains("54d"),
        "{page2}"
    );
    s.dashboard.as_mut().unwrap().page = 2;
    let page3 = screen(&s, 80, 24).join("\n");
    assert!(page3.contains("Coding accuracy"), "{page3}");
    assert!(page3.contains("90.0%"), "{page3}");
    assert!(page3.contains("not reviewed: swhite"), "{page3}");
    assert!(page3.contains("open 3 by days since sent"), "{page3}");
    for l in screen(&s, 80, 24) {
        assert!(l.chars().count() <= 80);
    }
}

#[test]
fn render_200x50_shows_every_panel_at_once() {
    let mut s = supervisor_state();
    s.size = (200, 50);
    let all = screen(&s, 200, 50).join("\n");
    for want in [
        "Coded/hour by type",
        "Per coder",
        "Daily coded",
        "Time in chart",
        "Per coder and type",
        "Backlog 2026-11-24",
        "Oldest (Enter opens)",
        "Coding accuracy",
        "Queries",
    ] {
        assert!(all.contains(want), "{want} missing:\n{all}");
    }
    assert!(
        all.contains("Dashboard  30 days 2026-10-26..2026-11-24  team all"),
        "{all}"
    );
    assert!(
        !all.contains(" 1 Throughput "),
        "no page tabs when everything fits"
    );
    let lines = screen(&s, 200, 50);
    assert!(cut_amounts(&lines).is_empty(), "{all}");
    assert!(digits_on_bars(&lines).is_empty(), "{all}");
    if std::env::var_os("SHOW_DASHBOARD").is_some() {
        println!("{all}");
        s.size = (80, 24);
        for p in 0..3 {
            s.dashboard.as_mut().unwrap().page = p;
            println!("{}", screen(&s, 80, 24).join("\n"));
        }
    }
}

#[test]
fn a_coder_opens_the_dashboard_sees_their_own_figures_and_drills_into_the_backlog() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    let key = |app: &crate::tui::App, c: KeyCode| {
        keymap::map(&app.state, KeyEvent::new(c, KeyModifiers::NONE))
    };
    let a = key(&app, KeyCode::Char('D')).unwrap();
    update(&mut app, a);
    assert_eq!(app.state.screen, Screen::Dashboard);
    let dash = app.state.dashboard.as_ref().unwrap();
    assert!(dash.own_only);
    let tp = dash.throughput.as_ref().unwrap();
    let logins: Vec<&str> = tp.coders.iter().map(|c| c.login.as_str()).collect();
    assert_eq!(logins, ["tester"], "a coder sees only their own figures");
    assert!(dash.queries.is_none());
    // The team key is refused for coders; ] widens the range to 90 days.
    let a = key(&app, KeyCode::Char('t')).unwrap();
    update(&mut app, a);
    assert!(
        app.state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("own figures")
    );
    let a = key(&app, KeyCode::Char(']')).unwrap();
    update(&mut app, a);
    assert_eq!(app.state.dashboard.as_ref().unwrap().range_days, 90);
    let a = key(&app, KeyCode::Char('[')).unwrap();
    update(&mut app, a);
    update(&mut app, Action::DashRange(-1));
    assert_eq!(app.state.dashboard.as_ref().unwrap().range_days, 7);
    // The oldest backlog encounter is first; Enter opens it.
    let oldest = app.state.dashboard.as_ref().unwrap().selected_account();
    assert_eq!(oldest, Some(OUTPATIENT));
    update(&mut app, Action::Accept);
    assert_eq!(app.state.screen, Screen::Encounter);
    assert_eq!(
        app.state.encounter.as_ref().unwrap().view.encounter.account,
        OUTPATIENT
    );
    // :dashboard from the command line goes back; Esc returns to the worklist.
    update(&mut app, Action::StartCommand);
    for c in "dashboard".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Accept);
    assert_eq!(app.state.screen, Screen::Dashboard);
    assert_eq!(app.state.dashboard.as_ref().unwrap().range_days, 7, "kept");
    update(&mut app, Action::Back);
    assert_eq!(app.state.screen, Screen::Worklist);
}

#[test]
fn a_coder_sees_the_findings_about_their_own_coding() {
    let mut s = supervisor_state();
    s.role = Role::Coder;
    s.login = "jlee".into();
    let dash = s.dashboard.as_mut().unwrap();
    dash.own_only = true;
    dash.queries = None;
    dash.page = 2;
    dash.my_reviews = vec![crate::store::reviews::ReviewRow {
        id: 1,
        encounter_id: 1,
        account: "H00000001".into(),
        enc_type: EncounterType::Inpatient,
        coder: "jlee".into(),
        coded_at: "2026-11-10T09:00:00.000Z".into(),
        reviewer: Some("dkim".into()),
        sampled_at: "2026-11-11T09:00:00.000Z".into(),
        sampled_by: "dkim".into(),
        sample_rule: "random 2 per coder".into(),
        status: "done".into(),
        completed_at: Some("2026-11-12T09:00:00.000Z".into()),
        findings: "Please review: deleted E78.5.".into(),
    }];
    let page = screen(&s, 80, 24).join("\n");
    assert!(page.contains("your figures"), "{page}");
    assert!(page.contains("Reviews of your coding"), "{page}");
    assert!(
        page.contains("H00000001 inpatient: Please review: deleted E78.5."),
        "{page}"
    );
    assert!(
        page.contains("query figures: supervisors and admins"),
        "{page}"
    );
}

#[test]
fn esc_from_an_encounter_opened_on_the_dashboard_returns_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    update(&mut app, Action::Resize(80, 24));
    update(&mut app, Action::Dashboard);
    update(&mut app, Action::DashRange(1));
    let range = app.state.dashboard.as_ref().unwrap().range_days;
    let oldest = app
        .state
        .dashboard
        .as_ref()
        .unwrap()
        .selected_account()
        .map(str::to_string);
    assert_eq!(oldest.as_deref(), Some(OUTPATIENT));
    update(&mut app, Action::Accept);
    assert_eq!(app.state.screen, Screen::Encounter);
    let esc = keymap::map(&app.state, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)).unwrap();
    update(&mut app, esc);
    assert!(app.state.encounter.is_none(), "the encounter was left");
    assert_eq!(app.state.screen, Screen::Dashboard);
    assert_eq!(app.state.dashboard.as_ref().unwrap().range_days, range);
    // Esc on the dashboard still goes to the worklist; an encounter opened there returns to it.
    update(&mut app, Action::Back);
    assert_eq!(app.state.screen, Screen::Worklist);
    update(&mut app, Action::Open(OUTPATIENT.into()));
    update(&mut app, Action::Back);
    assert_eq!(app.state.screen, Screen::Worklist);
}

const BLOCKS: &str = "▁▂▃▄▅▆▇█";

/// Lines where a figure touches a bar (values drawn inside bars merge with their neighbours).
fn digits_on_bars(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            let c: Vec<char> = l.chars().collect();
            c.windows(2).any(|w| {
                (w[0].is_ascii_digit() && BLOCKS.contains(w[1]))
                    || (BLOCKS.contains(w[0]) && w[1].is_ascii_digit())
            })
        })
        .cloned()
        .collect()
}

/// Dollar amounts cut short ("$8,501,434.5┐"): every "$" is followed by digits, commas and cents.
fn cut_amounts(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            l.match_indices('$').any(|(i, _)| {
                let rest: String = l[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                    .collect();
                let cents = rest.rsplit_once('.').map(|(_, c)| c.len());
                cents != Some(2)
            })
        })
        .cloned()
        .collect()
}

/// The `n` rows under the pane whose top border holds `title`, between its side borders.
fn pane_rows(lines: &[String], title: &str, n: usize) -> Vec<String> {
    let top = lines.iter().position(|l| l.contains(title)).unwrap();
    let start = lines[top].chars().position(|c| c == '┌').unwrap();
    let end = lines[top]
        .chars()
        .skip(start + 1)
        .position(|c| c == '┐')
        .unwrap()
        + start
        + 1;
    lines[top + 1..=top + n]
        .iter()
        .map(|l| l.chars().skip(start + 1).take(end - start - 1).collect())
        .collect()
}

#[test]
fn render_80x24_rate_values_are_listed_under_the_bars() {
    let mut s = supervisor_state();
    s.size = (80, 24);
    let lines = screen(&s, 80, 24);
    let all = lines.join("\n");
    assert!(digits_on_bars(&lines).is_empty(), "{all}");
    let tp = s.dashboard.as_ref().unwrap().throughput.clone().unwrap();
    for t in &tp.by_type {
        let want = format!(
            "{} {}/",
            crate::tui::state::type_abbrev(t.enc_type),
            t.per_hour
                .map(|p| format!("{p:.1}"))
                .unwrap_or_else(|| "-".into())
        );
        assert!(all.contains(&want), "{want} missing:\n{all}");
    }
}

#[test]
fn render_80x24_daily_sparkline_fills_the_width_and_shows_small_days() {
    let mut s = supervisor_state();
    s.size = (80, 24);
    // One busy day, so the days with one or two coded are tiny next to it.
    let dash = s.dashboard.as_mut().unwrap();
    let spark = dash.spark.as_mut().unwrap();
    let busy = spark.daily.iter().position(|x| x.coded > 0).unwrap();
    spark.daily[busy].coded = 60;
    let nonzero = spark.daily.iter().filter(|x| x.coded > 0).count();
    let days = spark.daily.len();
    let last_day = spark.daily.iter().rposition(|x| x.coded > 0).unwrap();
    let lines = screen(&s, 80, 24);
    let rows = pane_rows(&lines, "Daily coded", 2);
    let bottom: Vec<char> = rows[1].chars().collect();
    let width = bottom.len();
    assert!(width >= 76, "{rows:?}");
    let drawn: Vec<usize> = (0..width).filter(|&i| bottom[i] != ' ').collect();
    // Every non-zero day draws at least width / days columns.
    assert!(
        drawn.len() >= nonzero * (width / days),
        "{} columns drawn for {nonzero} days:\n{}",
        drawn.len(),
        rows.join("\n")
    );
    // The last day is in the last column: the line is stretched over the whole pane.
    let last_col = *drawn.last().unwrap();
    assert!(
        last_col + 1 >= (last_day + 1) * width / days - 1,
        "day {last_day} of {days} ends at column {last_col} of {width}"
    );
}

#[test]
fn render_80x24_accuracy_bars_start_at_zero() {
    let mut s = supervisor_state();
    s.size = (80, 24);
    let dash = s.dashboard.as_mut().unwrap();
    dash.accuracy = Some(accuracy::aggregate(
        &teams(),
        &[review("jlee", 1, 10), review("swhite", 0, 10)],
        0,
    ));
    dash.page = 2;
    let lines = screen(&s, 80, 24);
    let bar = |who: &str| {
        lines
            .iter()
            .find(|l| l.contains(who) && l.contains('%'))
            .map(|l| l.chars().filter(|c| *c == '█').count())
            .unwrap()
    };
    let (jlee, swhite) = (bar("jlee"), bar("swhite"));
    let ratio = jlee as f64 / swhite as f64;
    assert!(
        (0.85..=0.95).contains(&ratio),
        "90% against 100%: {jlee} vs {swhite} columns\n{}",
        lines.join("\n")
    );
}

#[test]
fn render_150x36_shows_every_panel_with_whole_titles() {
    let mut s = supervisor_state();
    s.size = (150, 36);
    // Millions in the backlog: the title shortens instead of cutting the amount.
    let rows: Vec<EncounterRow> = [101, 102, 103]
        .iter()
        .map(|&id| {
            let mut r = enc_row(id, EncounterType::Inpatient, "2026-10-01");
            r.total_charges_cents = 850_143_456;
            r
        })
        .collect();
    s.dashboard.as_mut().unwrap().backlog =
        Some(backlog::backlog(&rows, d(24), &HashSet::new(), 50));
    let lines = screen(&s, 150, 36);
    let all = lines.join("\n");
    for want in [
        "Coded/hour by type",
        "Per coder",
        "Daily coded",
        "Time in chart",
        "Backlog 2026-11-24: 3 enc",
        "Oldest (Enter opens)",
        "Coding accuracy",
        "Queries",
    ] {
        assert!(all.contains(want), "{want} missing:\n{all}");
    }
    assert!(
        all.contains("jlee           6    1.6   3.8  1.2"),
        "per coder row:\n{all}"
    );
    assert!(!all.contains(" 1 Throughput "), "no page tabs");
    assert!(cut_amounts(&lines).is_empty(), "{:?}", cut_amounts(&lines));
    assert!(digits_on_bars(&lines).is_empty(), "{all}");
}
