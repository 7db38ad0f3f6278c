//! Render tests: hand-made `State`s drawn into a `TestBackend` at 80x24, 120x40 and too-small sizes;
//! assertions on what the buffer shows (columns, panes, footer keys, help, selection without colour).
use chartdesk::domain::{
    Assignment, CodeEntry, CodeSystem, EncounterStatus, EncounterType, EntryKind, Poa, Role, Sex,
    TabularNotes,
};
use chartdesk::edits::{Edit, Severity};
use chartdesk::search::CodeHit;
use chartdesk::service::{CodeDetail, EncounterEdit, EncounterView, Offer};
use chartdesk::store::encounters::EncounterRow;
use chartdesk::store::notes::NoteHeader;
use chartdesk::tui::render;
use chartdesk::tui::state::{
    Confirm, EncounterState, OpenNote, Pane, Picker, Scope, Screen, State, StatusKind, visible_rows,
};
use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

fn draw(state: &State, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render(state, f)).unwrap();
    t.backend().buffer().clone()
}

fn lines(buf: &Buffer) -> Vec<String> {
    let a = buf.area;
    (0..a.height)
        .map(|y| {
            (0..a.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

fn text(buf: &Buffer) -> String {
    lines(buf).join("\n")
}

fn row(
    id: i64,
    account: &str,
    name: &str,
    status: EncounterStatus,
    holder: Option<&str>,
) -> EncounterRow {
    EncounterRow {
        id,
        account: account.into(),
        patient_id: id,
        mrn: format!("M{id:04}"),
        patient_name: name.into(),
        birth_date: "1950-06-15".into(),
        sex: Sex::Female,
        enc_type: EncounterType::Inpatient,
        admit_date: "2025-03-01".into(),
        discharge_date: Some("2025-03-04".into()),
        attending: "Dr. Rivera".into(),
        total_charges_cents: 100,
        status,
        pending_reason: None,
        claimed_by: holder.map(String::from),
        claimed_at: None,
        coded_by: None,
        coded_at: None,
        code_count: 0,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 14).unwrap()
}

fn worklist_state(color: bool) -> State {
    let mut s = State::new("tester", Role::Coder, color, today());
    s.worklist.rows = vec![
        row(1, "A20000001", "DOE, JANE", EncounterStatus::Uncoded, None),
        row(
            2,
            "A20000002",
            "ROE, RICHARD",
            EncounterStatus::InProgress,
            Some("tester"),
        ),
        row(
            3,
            "A20000003",
            "POE, EDGAR",
            EncounterStatus::InProgress,
            Some("bob"),
        ),
        row(4, "A20000004", "LOE, LINDA", EncounterStatus::Coded, None),
    ];
    s.worklist.visible = visible_rows(&s.worklist.rows, Scope::All, "", "tester");
    s.worklist.pos.selected = 1;
    s
}

fn assignment(
    id: i64,
    system: CodeSystem,
    code: &str,
    title: &str,
    seq: i64,
    poa: Option<Poa>,
) -> Assignment {
    Assignment {
        id,
        system,
        code: code.into(),
        title: title.into(),
        seq,
        principal: seq == 1,
        poa,
        assigned_by: "tester".into(),
        assigned_at: "2025-03-14T10:00:00Z".into(),
    }
}

fn hit(code: &str, title: &str, billable: bool, matched: Option<&str>) -> CodeHit {
    CodeHit {
        system: CodeSystem::Icd10Cm,
        code: code.into(),
        title: title.into(),
        billable,
        score: 1.0,
        matched: matched.map(String::from),
    }
}

fn entry(code: &str, title: &str, billable: bool, notes: TabularNotes) -> CodeEntry {
    CodeEntry {
        system: CodeSystem::Icd10Cm,
        kind: EntryKind::Code,
        code: code.into(),
        title: title.into(),
        billable,
        parent: None,
        notes,
    }
}

fn encounter_state(color: bool, read_only: Option<&str>) -> State {
    let mut s = worklist_state(color);
    s.screen = Screen::Encounter;
    let mut e = row(
        2,
        "A20000002",
        "ROE, RICHARD",
        EncounterStatus::InProgress,
        Some("tester"),
    );
    e.sex = Sex::Male;
    let note = |id: i64, kind: &str| NoteHeader {
        id,
        note_id: format!("N{id}"),
        encounter_id: 2,
        note_type: kind.into(),
        author: "Dr. Rivera".into(),
        written_at: "2025-03-02T08:30:00Z".into(),
        chars: 100,
    };
    let view = EncounterView {
        encounter: e,
        notes: vec![
            note(1, "History and Physical"),
            note(2, "Discharge Summary"),
        ],
        assignments: vec![
            assignment(
                10,
                CodeSystem::Icd10Cm,
                "I50.23",
                "Acute on chronic systolic (congestive) heart failure",
                1,
                Some(Poa::Yes),
            ),
            assignment(
                11,
                CodeSystem::Icd10Cm,
                "J44.1",
                "Chronic obstructive pulmonary disease with (acute) exacerbation",
                2,
                None,
            ),
            assignment(
                12,
                CodeSystem::Icd10Pcs,
                "02703ZZ",
                "Dilation of Coronary Artery, One Artery, Percutaneous Approach",
                1,
                None,
            ),
        ],
        read_only: read_only.map(String::from),
    };
    let mut enc = EncounterState::new(view);
    enc.note = Some(OpenNote {
        header: enc.view.notes[1].clone(),
        body: "DISCHARGE SUMMARY\nPrincipal diagnosis: acute on chronic systolic CHF.\n".repeat(3),
    });
    enc.focus = Pane::Search;
    enc.search.input.text = "chf".into();
    enc.search.results = vec![
        hit("I50.9", "Heart failure, unspecified", true, Some("CHF NOS")),
        hit("I50.2", "Systolic (congestive) heart failure", false, None),
        hit(
            "I50.23",
            "Acute on chronic systolic (congestive) heart failure",
            true,
            None,
        ),
    ];
    enc.search.results_query = "chf".into();
    enc.search.requested = 3;
    enc.search.shown = 3;
    s.encounter = Some(enc);
    s
}

#[test]
fn worklist_at_80x24_shows_columns_counts_user_and_footer() {
    let s = worklist_state(true);
    let buf = draw(&s, 80, 24);
    let l = lines(&buf);
    assert!(
        l[0].contains("Worklist") && l[0].contains("tester (coder)"),
        "{}",
        l[0]
    );
    assert!(
        l[1].contains("4 total")
            && l[1].contains("1 uncoded")
            && l[1].contains("2 in progress")
            && l[1].contains("1 coded"),
        "{}",
        l[1]
    );
    for col in [
        "Account",
        "Patient",
        "Type",
        "Discharged",
        "Days",
        "Status",
        "Holder",
    ] {
        assert!(l[2].contains(col), "missing column {col}: {}", l[2]);
    }
    let roe = l.iter().find(|x| x.contains("A20000002")).unwrap();
    assert!(roe.contains("ROE, RICHARD") && roe.contains("IP") && roe.contains("2025-03-04"));
    assert!(
        roe.contains(" 10 ") && roe.contains("in progress") && roe.contains("tester"),
        "{roe}"
    );
    let footer = &l[23];
    for k in ["Enter", "/ filter", "m ", "? help", "q quit"] {
        assert!(footer.contains(k), "footer lacks {k}: {footer}");
    }
}

#[test]
fn narrow_worklist_drops_the_least_useful_columns_first() {
    let s = worklist_state(true);
    let l = lines(&draw(&s, 60, 16));
    assert!(l[2].contains("Account") && l[2].contains("Patient") && l[2].contains("Status"));
    assert!(!l[2].contains("Discharged"), "{}", l[2]);
    assert!(l.iter().any(|x| x.contains("ROE, RICHARD")));
}

#[test]
fn worklist_at_120x40_and_the_filter_line() {
    let mut s = worklist_state(true);
    s.worklist.filter.text = "roe".into();
    s.worklist.editing = true;
    s.worklist.visible = visible_rows(&s.worklist.rows, Scope::All, "roe", "tester");
    s.worklist.pos.selected = 0;
    let l = lines(&draw(&s, 120, 40));
    assert!(l[1].contains("/roe"), "{}", l[1]);
    assert_eq!(l.iter().filter(|x| x.contains("A2000000")).count(), 1);
    assert!(
        l[39].contains("Esc") && l[39].contains("keep filter"),
        "{}",
        l[39]
    );
}

#[test]
fn selection_stays_visible_without_colour() {
    let s = worklist_state(false);
    let buf = draw(&s, 80, 24);
    let y = lines(&buf)
        .iter()
        .position(|x| x.contains("A20000002"))
        .unwrap() as u16;
    let cell = &buf[(0, y)];
    assert!(cell.modifier.contains(Modifier::REVERSED), "{cell:?}");
    assert_eq!(cell.fg, ratatui::style::Color::Reset);
    assert_eq!(cell.bg, ratatui::style::Color::Reset);
    let other = &buf[(0, y + 1)];
    assert!(!other.modifier.contains(Modifier::REVERSED));
    // With colour, the selected row has a background instead.
    let c = draw(&worklist_state(true), 80, 24);
    assert_ne!(c[(0, y)].bg, ratatui::style::Color::Reset);
}

#[test]
fn encounter_at_80x24_shows_header_panes_codes_and_results() {
    let s = encounter_state(true, None);
    let buf = draw(&s, 80, 24);
    let t = text(&buf);
    let l = lines(&buf);
    assert!(
        l[0].contains("A20000002") && l[0].contains("ROE, RICHARD") && l[0].contains("74M"),
        "{}",
        l[0]
    );
    assert!(
        l[0].contains("inpatient") && l[0].contains("in progress"),
        "{}",
        l[0]
    );
    assert!(
        l[1].contains("2025-03-01 – 2025-03-04") && l[1].contains("Dr. Rivera"),
        "{}",
        l[1]
    );
    for pane in [
        "Notes (2)",
        "Discharge Summary",
        "Codes (2 dx, 1 px, 1 need POA)",
        "Code search",
    ] {
        assert!(t.contains(pane), "missing {pane}\n{t}");
    }
    assert!(t.contains("PDX  I50.23   Y"), "{t}");
    assert!(t.contains("DX2  J44.1    ?"), "missing POA shows ?\n{t}");
    assert!(t.contains("PR1  02703ZZ  -"), "{t}");
    assert!(t.contains("> chf"), "{t}");
    assert!(
        t.contains("I50.9") && t.contains("I50.2+"),
        "header codes are marked\n{t}"
    );
    assert!(
        t.contains("Principal diagnosis: acute on chronic"),
        "note text\n{t}"
    );
    assert!(
        l[23].contains("Enter assign") && l[23].contains("Esc"),
        "{}",
        l[23]
    );
}

#[test]
fn encounter_at_120x40_has_a_detail_pane_with_the_tabular_notes() {
    let mut s = encounter_state(true, None);
    let notes = TabularNotes {
        inclusion_terms: vec!["Congestive heart disease".into()],
        excludes1: vec!["heart failure due to hypertension (I11.0)".into()],
        use_additional_code: vec!["code to identify the type of heart failure".into()],
        ..TabularNotes::default()
    };
    let parent = entry(
        "I50",
        "Heart failure",
        false,
        TabularNotes {
            code_first: vec!["heart failure complicating abortion (O00-O07)".into()],
            ..TabularNotes::default()
        },
    );
    s.encounter.as_mut().unwrap().detail = Some(CodeDetail {
        entry: entry("I50.9", "Heart failure, unspecified", true, notes),
        ancestors: vec![parent],
        children: vec![],
        seventh: vec![],
        seventh_from: None,
    });
    let t = text(&draw(&s, 120, 40));
    for want in [
        "Code detail",
        "I50.9 Heart failure, unspecified",
        "billable",
        "Inclusion terms",
        "Congestive heart disease",
        "Excludes1",
        "Use additional code",
        "Code first (at I50)",
        "~CHF NOS",
    ] {
        assert!(t.contains(want), "missing {want}\n{t}");
    }
    // At 80x24 the detail is a popup that appears only when asked for.
    let small = text(&draw(&s, 80, 24));
    assert!(!small.contains("Code detail"));
    s.encounter.as_mut().unwrap().detail_open = true;
    let small = text(&draw(&s, 80, 24));
    assert!(
        small.contains("Code detail") && small.contains("Excludes1"),
        "{small}"
    );
}

#[test]
fn read_only_reason_is_in_the_header() {
    let s = encounter_state(false, Some("being coded by bob"));
    let buf = draw(&s, 80, 24);
    let l = lines(&buf);
    assert!(l[1].contains("READ-ONLY: being coded by bob"), "{}", l[1]);
    let x = l[1].find("READ-ONLY").unwrap();
    let x = l[1][..x].chars().count() as u16;
    assert!(
        buf[(x, 1)].modifier.contains(Modifier::BOLD),
        "warning is emphasised without colour"
    );
}

#[test]
fn picker_shows_the_reason_and_the_valid_codes() {
    let mut s = encounter_state(true, None);
    let offers = vec![
        Offer {
            code: "S72.001A".into(),
            title: "initial encounter for closed fracture".into(),
        },
        Offer {
            code: "S72.001D".into(),
            title: "subsequent encounter, routine healing".into(),
        },
    ];
    s.encounter.as_mut().unwrap().picker = Some(Picker::new(
        CodeSystem::Icd10Cm,
        "S72.001".into(),
        "S72.001 needs a 7th character (A initial encounter, D subsequent)".into(),
        offers,
    ));
    let t = text(&draw(&s, 80, 24));
    assert!(t.contains("Valid codes for S72.001"), "{t}");
    assert!(t.contains("needs a 7th character"), "{t}");
    assert!(
        t.contains("S72.001A") && t.contains("S72.001D") && t.contains("(2 of 2)"),
        "{t}"
    );
    assert!(
        t.contains("Enter assign") && t.contains("Esc cancel"),
        "{t}"
    );
}

#[test]
fn remove_confirmation_and_status_line() {
    let mut s = encounter_state(true, None);
    let enc = s.encounter.as_mut().unwrap();
    enc.focus = Pane::Codes;
    enc.confirm = Some(Confirm::Remove {
        id: 11,
        code: "J44.1".into(),
    });
    s.set_status(
        StatusKind::Error,
        "inpatient diagnoses need a POA indicator",
    );
    let l = lines(&draw(&s, 80, 24));
    let t = l.join("\n");
    assert!(t.contains("Remove J44.1 from this encounter?"), "{t}");
    assert!(
        l[22].contains("inpatient diagnoses need a POA"),
        "{}",
        l[22]
    );
    assert!(l[23].contains("y Enter remove"), "{}", l[23]);
}

#[test]
fn help_overlay_lists_every_key_of_the_screen() {
    let mut s = encounter_state(true, None);
    s.encounter.as_mut().unwrap().focus = Pane::Codes;
    s.help = Some(0);
    let t = text(&draw(&s, 120, 40));
    for want in [
        "Help: encounter",
        "Tab",
        "next / previous pane",
        "mark coded",
        "Encounter",
        "Notes list",
        "Note viewer",
    ] {
        assert!(t.contains(want), "missing {want}\n{t}");
    }
    // Scrolled further down: the codes keys.
    let t: String = [20, 40, 60]
        .into_iter()
        .map(|off| {
            s.help = Some(off);
            text(&draw(&s, 120, 40))
        })
        .collect();
    for want in ["y n u w 1", "POA", "J K", "x  Delete", "Ctrl-T"] {
        assert!(t.contains(want), "missing {want}\n{t}");
    }
    let mut w = worklist_state(true);
    w.help = Some(0);
    let t = text(&draw(&w, 80, 24));
    for want in [
        "Help: worklist",
        "open the encounter",
        "scope: all, mine, unassigned",
        "quit",
    ] {
        assert!(t.contains(want), "missing {want}\n{t}");
    }
}

#[test]
fn too_small_window_says_so() {
    let s = encounter_state(true, None);
    let l = lines(&draw(&s, 40, 10));
    assert!(
        l[0].starts_with("window too small (need 60x16, have"),
        "{}",
        l[0]
    );
    let t = l.join("\n");
    assert!(!t.contains("Code search"));
    let l = lines(&draw(&worklist_state(true), 59, 30));
    assert!(l[0].contains("window too small"));
    let l = lines(&draw(&worklist_state(true), 60, 16));
    assert!(!l[0].contains("window too small"));
}

#[test]
fn footer_follows_the_focused_pane() {
    let mut s = encounter_state(true, None);
    let foot = |s: &State| lines(&draw(s, 80, 24))[23].clone();
    s.encounter.as_mut().unwrap().focus = Pane::Codes;
    let f = foot(&s);
    assert!(
        f.contains("p principal") && f.contains("POA") && f.contains("x remove"),
        "{f}"
    );
    s.encounter.as_mut().unwrap().focus = Pane::Viewer;
    let f = foot(&s);
    assert!(f.contains("PgDn") && f.contains("next/prev note"), "{f}");
    s.encounter.as_mut().unwrap().focus = Pane::Notes;
    let f = foot(&s);
    assert!(f.contains("Enter read") && f.contains("Esc back"), "{f}");
    s.command = Some(Default::default());
    s.command.as_mut().unwrap().text = "poa Y".into();
    let l = lines(&draw(&s, 80, 24));
    assert!(l[22].starts_with(":poa Y"), "{}", l[22]);
    assert!(l[23].contains("Enter run"), "{}", l[23]);
}

#[test]
fn find_in_note_highlights_matches_and_shows_its_prompt() {
    let mut s = encounter_state(false, None);
    let enc = s.encounter.as_mut().unwrap();
    enc.focus = Pane::Viewer;
    enc.find_query = "chf".into();
    // The places are found by `update` (the service) in the note's text; render marks them.
    let body = enc.note.as_ref().unwrap().body.clone();
    enc.find_hits = body
        .match_indices("CHF")
        .map(|(i, m)| i..i + m.len())
        .collect();
    assert!(!enc.find_hits.is_empty());
    let buf = draw(&s, 80, 24);
    let l = lines(&buf);
    let y = l.iter().position(|x| x.contains("systolic CHF")).unwrap();
    let x = l[y].find("CHF").unwrap();
    let x = l[y][..x].chars().count() as u16;
    assert!(buf[(x, y as u16)].modifier.contains(Modifier::REVERSED));
    assert!(!buf[(x - 2, y as u16)].modifier.contains(Modifier::REVERSED));
    s.encounter.as_mut().unwrap().find = Some(Default::default());
    s.encounter.as_mut().unwrap().find.as_mut().unwrap().text = "dyspnea".into();
    let l = lines(&draw(&s, 80, 24));
    assert!(l[22].starts_with("find: dyspnea"), "{}", l[22]);
    assert!(l[23].contains("Enter find"), "{}", l[23]);
}

#[test]
fn a_cut_title_of_the_highlighted_result_is_shown_in_full_on_small_windows() {
    let mut s = encounter_state(true, None);
    s.encounter.as_mut().unwrap().search.pos.selected = 2;
    let t = text(&draw(&s, 80, 24));
    assert!(
        t.contains("┃Acute on chronic systolic (congestive)┃"),
        "full title under the results\n{t}"
    );
    // Not when the title fits, and not on large windows (the detail pane has it).
    s.encounter.as_mut().unwrap().search.pos.selected = 0;
    let t = text(&draw(&s, 80, 24));
    assert_eq!(t.matches("Heart failure, unspecified").count(), 1, "{t}");
    s.encounter.as_mut().unwrap().search.pos.selected = 2;
    let t = text(&draw(&s, 120, 40));
    assert!(!t.contains("┃Acute on chronic"), "{t}");
}

fn edit(severity: Severity, rule: &'static str, codes: &[&str], msg: &str) -> EncounterEdit {
    EncounterEdit {
        edit: Edit {
            severity,
            rule,
            codes: codes.iter().map(|c| c.to_string()).collect(),
            message: msg.into(),
            source: chartdesk::edits::source_of(rule),
        },
        acknowledged_by: None,
    }
}

#[test]
fn edits_count_and_list_at_80x24_without_colour() {
    let mut s = encounter_state(false, None);
    let enc = s.encounter.as_mut().unwrap();
    enc.focus = Pane::Codes;
    let mut acked = edit(
        Severity::Warning,
        "use-additional-code",
        &["E11.22"],
        "E11.22: use additional code to identify stage of chronic kidney disease (N18.1-N18.6)",
    );
    acked.acknowledged_by = Some("tester".into());
    enc.edits.list = vec![
        edit(
            Severity::Error,
            "excludes1",
            &["E10.9", "E11.9"],
            "E10.9 and E11.9 may not be reported together: E10 Excludes1 type 2 diabetes mellitus (E11.-)",
        ),
        acked,
        edit(
            Severity::Info,
            "code-also",
            &["Z79.4"],
            "Z79.4: code also, if applicable, encounter for therapeutic drug level monitoring (Z51.81)",
        ),
    ];
    let t = text(&draw(&s, 80, 24));
    assert!(
        t.contains(" 1 err, 1 warn (acked), 1 info (e) "),
        "the count line is always visible (on the codes pane's border at 80x24)\n{t}"
    );
    assert!(t.contains("e edits"), "the footer names the key\n{t}");

    // Open: one line per edit under a heading per severity, errors first; the highlighted edit in
    // full beneath (marker, rule, codes, the message wrapped).
    s.encounter.as_mut().unwrap().edits.open = true;
    let buf = draw(&s, 80, 24);
    let t = text(&buf);
    assert!(t.contains("Coding edits: 1 error"), "{t}");
    assert!(t.contains("[ERR] excludes1 E10.9 and E11.9 may not"), "{t}");
    assert!(t.contains("[ERR] excludes1 E10.9, E11.9"), "{t}");
    assert!(
        t.contains("(E11.-)"),
        "the highlighted message in full\n{t}"
    );
    assert!(t.contains("[ACK] use-additional-code E11.22"), "{t}");
    assert!(t.contains("[INF] code-also Z79.4"), "{t}");
    let at = |what: &str| t.find(what).unwrap_or(usize::MAX);
    assert!(
        at("Errors (1)") < at("[ERR]")
            && at("[ERR]") < at("Warnings (1, acknowledged)")
            && at("Warnings (1") < at("[ACK]")
            && at("[ACK]") < at("Information (1)")
            && at("Information (1)") < at("[INF]"),
        "{t}"
    );
    let one_line = |marker: &str| t.lines().filter(|l| l.contains(marker)).count();
    assert_eq!((one_line("[ACK]"), one_line("[INF]")), (1, 1), "{t}");
    // Who acknowledged shows with the edit's detail.
    s.encounter.as_mut().unwrap().edits.pos.selected = 1;
    let t2 = text(&draw(&s, 80, 24));
    assert!(t2.contains("acknowledged by tester"), "{t2}");
    let l = lines(&buf);
    assert!(
        l[23].contains("a acknowledge") && l[23].contains("e Esc close"),
        "{}",
        l[23]
    );
    // The highlighted edit is visible without colour (reverse video on its heading).
    let y = l
        .iter()
        .position(|r| r.contains("[ERR] excludes1"))
        .unwrap() as u16;
    let row = &l[y as usize];
    let x = row[..row.find("[ERR]").unwrap()].chars().count() as u16;
    assert!(buf[(x + 1, y)].modifier.contains(Modifier::REVERSED));

    // Empty: says so instead of an empty box.
    let enc = s.encounter.as_mut().unwrap();
    enc.edits.list.clear();
    let t = text(&draw(&s, 80, 24));
    assert!(t.contains("no coding edits fire"), "{t}");
    enc_closed_shows_none(&mut s);
}

fn enc_closed_shows_none(s: &mut State) {
    s.encounter.as_mut().unwrap().edits.open = false;
    let t = text(&draw(s, 80, 24));
    assert!(t.contains("Edits: none (e)"), "{t}");
}

#[test]
fn poa_exempt_codes_show_exempt_never_a_question_mark() {
    let mut s = encounter_state(true, None);
    if let Some(enc) = s.encounter.as_mut() {
        enc.view.assignments.insert(
            2,
            assignment(
                13,
                CodeSystem::Icd10Cm,
                "Z87.891",
                "Personal history of nicotine dependence",
                3,
                None,
            ),
        );
    }
    let t = text(&draw(&s, 120, 40));
    assert!(t.contains("DX3  Z87.891  ex"), "exempt code shows ex\n{t}");
    assert!(t.contains("DX2  J44.1    ?"), "{t}");
    // Only J44.1 still needs POA.
    assert!(t.contains("Codes (3 dx, 1 px, 1 need POA)"), "{t}");
}
