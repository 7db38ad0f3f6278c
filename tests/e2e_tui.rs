//! End to end: the built binary in an 80x24 pseudo-terminal. Set up a demo data directory, open the
//! first encounter from the worklist, search "chf", assign the top result with Enter, quit, and check
//! that the code was saved.
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

    // The encounter is in progress, not coded: `export codes` (coded encounters only) refuses it,
    // so read what was saved through the service.
    let login = chartdesk::service::os_login().unwrap();
    let dd = chartdesk::service::DataDir::new(&data);
    let svc = chartdesk::service::Service::open(&dd, &login, &mut |_, _, _| {}).unwrap();
    let enc = svc.encounter_id(&account).unwrap();
    let saved: Vec<String> = svc
        .encounter_view(enc)
        .unwrap()
        .assignments
        .into_iter()
        .map(|a| a.code)
        .collect();
    assert!(
        saved.contains(&code),
        "{code} not saved for {account}: {saved:?}"
    );
}
