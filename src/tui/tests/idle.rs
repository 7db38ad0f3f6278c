//! Automatic log-off: after `security.idle_minutes` without a key the screen holds no patient data,
//! the session ends, the claim stays and the log-off is audited. The idle time is passed in, no sleeps.
use super::fixture::{self, INPATIENT};
use super::state::open;
use std::time::Duration;

#[test]
fn idle_logoff_clears_patient_data_keeps_the_claim_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(dir.path());
    open(&mut app, INPATIENT);
    let before = fixture::screen(&app.state, 120, 30).join("\n");
    assert!(
        before.contains("DOE"),
        "the encounter shows its patient:\n{before}"
    );
    let limit = Duration::from_secs(15 * 60);

    // One second short of the limit: nothing happens.
    assert!(!app.idle_check(limit - Duration::from_secs(1), limit));
    assert!(!app.state.quit);
    assert!(app.state.encounter.is_some());

    assert!(app.idle_check(limit, limit));
    assert!(app.state.quit);
    assert!(app.state.encounter.is_none());
    assert!(app.state.worklist.rows.is_empty());
    let after = fixture::screen(&app.state, 120, 30).join("\n");
    for private in ["DOE", "ROE", "POE", "M001", INPATIENT] {
        assert!(
            !after.contains(private),
            "{private} still on screen:\n{after}"
        );
    }
    assert!(after.contains("logged off"), "{after}");

    let conn = crate::store::open(&dir.path().join("chartdesk.db")).unwrap();
    let claimed: Option<String> = conn
        .query_row(
            "SELECT claimed_by FROM encounters WHERE account = ?1",
            [INPATIENT],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(claimed.as_deref(), Some("tester"), "the claim is kept");
    let logged: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'idle_logoff' AND login = 'tester'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 1);
    // Already logged off: a later check does nothing more.
    assert!(!app.idle_check(limit * 2, limit));
}
