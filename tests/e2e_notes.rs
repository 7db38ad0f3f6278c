//! End to end: the built binary in an 80x24 pseudo-terminal. On a demo data directory, open the
//! note search screen with `s`, type a query, see a result with its hit highlighted, open it with
//! Enter (the encounter at the note's first hit), step to the next hit with `n`, leave, and check
//! with `chartdesk audit` that the search and exactly one view of that note were recorded.
mod common;

use common::pty::{COLS, Session, chartdesk};

#[test]
fn search_notes_open_at_the_hit_next_hit_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    chartdesk(&data, &["init", "--demo", "--encounters", "20"]);

    let mut s = Session::start(&data);
    s.wait_for("the worklist", |t| {
        t.contains("Worklist") && t.contains("Account")
    });
    s.send("s");
    s.wait_for("the note search screen", |t| t.contains("Note search"));
    s.type_text("wheezing");
    let t = s.wait_for("results for wheezing", |t| {
        t.contains("> wheezing") && t.contains(" notes") && !t.contains("searching")
    });
    // The first result: its header row, then its snippet with the hit in reverse video.
    let lines = s.lines();
    let head = lines
        .iter()
        .position(|l| l.trim_start().starts_with('A') && l.contains(" · "))
        .unwrap_or_else(|| panic!("a result row:\n{t}"));
    let account = lines[head].split_whitespace().next().unwrap().to_string();
    let snippet = &lines[head + 1];
    let at = snippet
        .to_lowercase()
        .find("wheez")
        .unwrap_or_else(|| panic!("the snippet shows the hit:\n{t}"));
    let col = snippet[..at].chars().count() as u16;
    assert!(col < COLS);
    assert!(
        s.inverse(head as u16 + 1, col),
        "the hit is highlighted in the snippet:\n{t}"
    );
    assert!(!s.inverse(head as u16 + 1, 0));

    // Enter opens the encounter at the note's first hit.
    s.send("\r");
    let t = s.wait_for("the encounter at the hit", |t| {
        t.contains("Code search") && t.contains("'wheezing': 1 of ")
    });
    assert!(
        t.lines().next().unwrap_or("").starts_with(&account),
        "the result's encounter is open:\n{t}"
    );
    s.send("n");
    let t = s.wait_for("the next hit", |t| t.contains("'wheezing': 2 of "));
    assert!(t.contains("in this note"), "{t}");

    // Back to the results, back to the worklist, quit.
    s.send("\x1b");
    s.wait_for("the results again", |t| t.contains("Note search"));
    s.send("\x1b");
    s.wait_for("the worklist again", |t| t.contains("Worklist"));
    s.send("q");
    s.wait_exit();

    let json = chartdesk(&data, &["audit", "--limit", "500", "--json"]);
    let rows: Vec<serde_json::Value> = json
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |action: &str| -> Vec<&serde_json::Value> {
        rows.iter()
            .filter(|r| r.get("action").and_then(|a| a.as_str()) == Some(action))
            .collect()
    };
    let searches = of("search_notes");
    assert!(
        searches
            .iter()
            .any(|r| r.get("object").and_then(|o| o.as_str()) == Some("wheezing")),
        "the search is audited:\n{json}"
    );
    let opened = of("open_encounter");
    assert_eq!(opened.len(), 1, "{json}");
    let views = of("view_note");
    assert_eq!(
        views.len(),
        1,
        "exactly one view of the opened note:\n{json}"
    );
    assert_eq!(views[0].get("encounter_id"), opened[0].get("encounter_id"));
}
