//! End to end: the built binary in an 80x24 pseudo-terminal. Set up a demo data directory, open the
//! first encounter from the worklist, search "chf", assign the top result with Enter, quit, and check
//! with `export codes` that the code was saved.
mod common;

use common::pty::{Session, chartdesk};

#[test]
fn open_search_assign_quit_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    chartdesk(&data, &["init", "--demo", "--encounters", "20"]);

    let mut s = Session::start(&data);
    s.wait_for("the worklist", |t| {
        t.contains("Worklist") && t.contains("Account")
    });
    // The first row is highlighted; Enter opens it.
    s.send("\r");
    let t = s.wait_for("the encounter screen", |t| t.contains("Code search"));
    let account = t
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().next())
        .expect("account in the header")
        .to_string();
    assert!(!account.is_empty());

    s.send("/");
    s.type_text("chf");
    s.wait_for("search results for chf", |t| {
        t.contains("> chf") && t.contains(" hits ") && !t.contains("searching")
    });
    s.send("\r");
    // A header code opens the valid-codes picker: take its first offer.
    let t = s.wait_for("the assignment", |t| {
        t.contains("assigned ") || t.contains("Valid codes for")
    });
    if t.contains("Valid codes for") && !t.contains("assigned ") {
        s.send("\r");
        s.wait_for("the assignment from the picker", |t| {
            t.contains("assigned ")
        });
    }
    let status = s
        .lines()
        .into_iter()
        .find(|l| l.starts_with("assigned "))
        .expect("status line");
    let code = status
        .split_whitespace()
        .nth(1)
        .expect("code in the status line")
        .to_string();
    let t = s.text();
    assert!(
        t.contains("PDX") && t.contains(&code),
        "codes pane shows {code}:\n{t}"
    );

    // Leave the search box, go back to the worklist, quit.
    s.send("\x1b");
    s.send("\x1b");
    s.wait_for("the worklist again", |t| t.contains("Worklist"));
    s.send("q");
    s.wait_exit();

    let json = chartdesk(
        &data,
        &[
            "export",
            "codes",
            "--encounter",
            &account,
            "--format",
            "json",
        ],
    );
    // JSON lines (one object per code), or one array.
    let rows: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Array(a)) => a,
        _ => json
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("export line is not JSON ({e}): {l}"))
            })
            .collect(),
    };
    assert!(
        rows.iter().any(
            |r| r.get("code").and_then(|c| c.as_str()) == Some(code.as_str())
                && r.get("account")
                    .and_then(|c| c.as_str())
                    .is_none_or(|a| a == account)
        ),
        "{code} not exported for {account}:\n{json}"
    );
}
