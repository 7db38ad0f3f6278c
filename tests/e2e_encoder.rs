//! End to end, the encoder at the moment of assignment: in an 80x24 pseudo-terminal on a demo data
//! directory (built-in ICD-10-CM), assign E11.9 and then E10.9 — a real Excludes1 pair ("type 1
//! diabetes mellitus (E10.-)" at E11) — see the error in the edits list, see marking coded refused,
//! and follow a reference in the code detail and come back.
mod common;

use common::pty::{Session, chartdesk};

/// Types `code` in the search box (already focused), waits for it at the top, assigns it with Enter.
fn assign(s: &mut Session, code: &str) {
    s.send("\x15"); // Ctrl-U: clear the box
    s.type_text(code);
    s.wait_for(&format!("results for {code}"), |t| {
        t.contains(&format!("> {code}")) && t.contains(" hits ") && !t.contains("searching")
    });
    s.send("\r");
    s.wait_for(&format!("{code} assigned"), |t| {
        t.lines()
            .any(|l| l.starts_with(&format!("assigned {code} ")))
    });
}

#[test]
fn excludes1_pair_is_flagged_blocks_completion_and_references_can_be_followed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    chartdesk(&data, &["init", "--demo", "--encounters", "5"]);

    let mut s = Session::start(&data);
    s.wait_for("the worklist", |t| {
        t.contains("Worklist") && t.contains("Account")
    });
    s.send("\r");
    s.wait_for("the encounter screen", |t| t.contains("Code search"));

    s.send("/");
    assign(&mut s, "E11.9");
    assign(&mut s, "E10.9");
    // The second code fires the Excludes1 error at once.
    let t = s.wait_for("the error counted", |t| {
        t.contains(" error") || t.contains(" err")
    });
    assert!(t.contains("E10.9") && t.contains("E11.9"), "{t}");

    // Leave the search box, open the edits list: the Excludes1 pair is there.
    s.send("\x1b");
    s.send("e");
    let t = s.wait_for("the edits list", |t| t.contains("Coding edits"));
    assert!(
        t.contains("Excludes1"),
        "edits list shows the Excludes1 error:\n{t}"
    );

    // Marking coded is refused while the error fires.
    s.send("c");
    let t = s.wait_for("the refusal", |t| t.contains("cannot be marked coded"));
    assert!(!t.contains("marked coded: Esc"), "{t}");
    s.send("\x1b"); // close the edits list

    // The codes pane: the first code, its detail with the keyboard.
    s.send("\t");
    s.send("\t");
    s.send("\x1b[H"); // Home: the first code (g is kept for the DRG view)
    s.send("d");
    s.wait_for("references in the detail", |t| {
        t.contains("references: Tab/j/k choose")
    });
    // The first reference is the category the code sits in: follow it, then come back.
    s.send("\r");
    let t = s.wait_for("the followed code", |t| {
        t.contains("Backspace goes back to")
    });
    let back_to = t
        .lines()
        .find_map(|l| l.split("Backspace goes back to ").nth(1))
        .map(|c| c.trim().to_string())
        .expect("status names the code to go back to");
    assert!(back_to == "E11.9" || back_to == "E10.9", "{t}");
    s.send("\x7f"); // Backspace
    s.wait_for("back at the first code", |t| {
        t.contains(&format!("back at {back_to}"))
    });
    s.send("\x1b");
    s.send("\x1b");
    s.wait_for("the worklist again", |t| t.contains("Worklist"));
    s.send("q");
    s.wait_exit();

    // Nothing was marked coded: export of coded encounters is empty.
    let out = chartdesk(&data, &["export", "codes", "--format", "json"]);
    assert!(!out.contains("E11.9"), "{out}");
}
