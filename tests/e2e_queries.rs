//! End to end: a documentation query worked from the keyboard in an 80x24 pseudo-terminal. On a
//! demo data directory: open an inpatient encounter, code it, select a sentence in a note and pin
//! it, compose and send an open-ended query (the encounter goes on hold and marking coded is
//! refused), record the provider's answer, close the query (the encounter is released and marks
//! coded), quit, and check with `chartdesk queries --json` that all of it was saved.
mod common;

use common::pty::{Session, chartdesk};

const QUESTION: &str = "Based on the clinical indicators below, what condition do they represent?";
const RESPONSE: &str = "Acute on chronic systolic heart failure";

fn header(s: &Session) -> String {
    s.lines().first().cloned().unwrap_or_default()
}

fn status_line(s: &Session) -> String {
    s.lines().get(22).cloned().unwrap_or_default()
}

/// Searches `q` in the code search box and assigns the top result (through the picker if one opens).
fn assign_top(s: &mut Session, q: &str) {
    s.send("/");
    s.send("\x15"); // Ctrl-U: clear the box
    s.type_text(q);
    let want = format!("> {q}");
    s.wait_for("search results", |t| {
        t.contains(&want) && t.contains(" hits ") && !t.contains("searching")
    });
    s.send("\r");
    let t = s.wait_for("the assignment", |t| {
        t.contains("assigned ") || t.contains("Valid codes for")
    });
    if t.contains("Valid codes for") && !t.contains("assigned ") {
        s.send("\r");
        s.wait_for("the assignment from the picker", |t| {
            t.contains("assigned ")
        });
    }
}

#[test]
fn pin_compose_send_hold_answer_close_release() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    chartdesk(&data, &["init", "--demo", "--encounters", "20"]);

    let mut s = Session::start(&data);
    s.wait_for("the worklist", |t| {
        t.contains("Worklist") && t.contains("Account")
    });
    // The first inpatient encounter.
    s.send("/");
    s.type_text("inpatient");
    s.send("\r");
    s.wait_for("the encounter screen", |t| t.contains("Code search"));
    let account = header(&s)
        .split_whitespace()
        .next()
        .expect("account in the header")
        .to_string();

    // Code it as far as marking coded: two diagnoses with POA Y.
    assign_top(&mut s, "chf");
    assign_top(&mut s, "copd exacerbation");
    s.send("\x1b"); // leave the search box (back to the notes list)
    s.send("\x1b[Z"); // Shift-Tab: notes -> search
    s.send("\x1b[Z"); // search -> codes
    s.send("\x1b[H"); // Home: the first code (g is kept for the DRG view)
    s.send("y");
    s.send("y");

    // Select the first sentence of the note and pin it.
    s.send("\t"); // codes -> search
    s.send("\t"); // search -> notes
    s.send("\t"); // notes -> note viewer
    s.send("v");
    s.wait_for("selection mode", |t| t.contains("p pin"));
    s.send("s");
    s.send("p");
    let t = s.wait_for("the pin", |t| t.contains("pinned"));
    assert!(t.contains("to draft query #"), "{t}");
    // The start of the pinned quote, as the status line shows it.
    let pinned = status_line(&s);
    let quote_start: String = pinned
        .split('\u{201c}')
        .nth(1)
        .and_then(|q| q.split('\u{201d}').next())
        .map(|q| q.trim_end_matches('…').to_string())
        .unwrap_or_else(|| panic!("quote in the status line: {pinned}"));
    assert!(quote_start.len() >= 5, "{pinned}");

    // The query panel on the new draft: write the question, send.
    s.send("Q");
    s.wait_for("the query panel", |t| {
        t.contains("Query #") && t.contains("draft")
    });
    let t = s.text();
    assert!(t.contains("Indicators (1)"), "{t}");
    for _ in 0..3 {
        s.send("j");
    }
    s.send("\r");
    s.wait_for("the question prompt", |t| t.contains("Question>"));
    s.type_text(QUESTION);
    s.send("\r");
    s.wait_for("the saved question", |t| t.contains("saved question"));
    s.send("S");
    let t = s.wait_for("sending", |t| {
        t.contains("sent to ") || t.contains("not sent")
    });
    assert!(t.contains("sent to "), "{t}");
    s.wait_for("hold in the header", |t| {
        t.lines().next().is_some_and(|l| l.contains("hold: query"))
    });

    // On hold: marking coded is refused with the service's message.
    s.send("\x1b");
    s.wait_for("the panel closed", |t| !t.contains("Query #"));
    s.send("c");
    let t = s.wait_for("the refusal", |t| {
        t.lines()
            .nth(22)
            .is_some_and(|l| l.to_lowercase().contains("query"))
    });
    assert!(header(&s).contains("hold: query"), "{t}");
    // A refused `c` opens the coding edits list: close it.
    if t.contains("Coding edits") {
        s.send("\x1b");
        s.wait_for("the edits list closed", |t| !t.contains("Coding edits"));
    }

    // Record the provider's answer, then close the query.
    s.send("Q");
    s.wait_for("the sent query", |t| t.contains("open (sent)"));
    s.send("A");
    s.wait_for("the answer prompt", |t| t.contains("answer [agreed]"));
    s.type_text(RESPONSE);
    s.send("\r");
    s.wait_for("the answer", |t| t.contains("answer recorded"));
    s.send("C");
    s.wait_for("closing", |t| t.contains("query closed"));
    s.send("\x1b");
    s.wait_for("released", |t| {
        t.lines()
            .next()
            .is_some_and(|l| !l.contains("hold") && l.contains("in progress"))
    });
    // Marking coded is allowed now.
    s.send("c");
    s.wait_for("coded", |t| {
        t.lines()
            .next()
            .is_some_and(|l| l.contains("coded") && !l.contains("hold"))
    });
    let st = status_line(&s);
    assert!(!st.to_lowercase().contains("refused"), "{st}");

    s.send("\x1b");
    s.wait_for("the worklist again", |t| t.contains("Worklist"));
    s.send("q");
    s.wait_exit();

    // The CLI sees the query, closed, with the answer and the pinned quote.
    let json = chartdesk(&data, &["queries", "--status", "closed", "--json"]);
    let rows: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Array(a)) => a,
        _ => json
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect(),
    };
    let q = rows
        .iter()
        .find(|r| r.get("account").and_then(|a| a.as_str()) == Some(account.as_str()))
        .unwrap_or_else(|| panic!("no query for {account}:\n{json}"));
    assert_eq!(
        q.get("status").and_then(|v| v.as_str()),
        Some("closed"),
        "{q}"
    );
    assert_eq!(
        q.get("outcome").and_then(|v| v.as_str()),
        Some("agreed"),
        "{q}"
    );
    assert_eq!(
        q.get("question").and_then(|v| v.as_str()),
        Some(QUESTION),
        "{q}"
    );
    assert_eq!(
        q.get("response").and_then(|v| v.as_str()),
        Some(RESPONSE),
        "{q}"
    );
    // The query as it went to the provider quotes the pinned text.
    let id = q
        .get("id")
        .and_then(|v| v.as_i64())
        .expect("query id")
        .to_string();
    let text = chartdesk(&data, &["query", "show", &id]);
    assert!(
        text.contains(&quote_start),
        "'{quote_start}' not in:\n{text}"
    );
}
