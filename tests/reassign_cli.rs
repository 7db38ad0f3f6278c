//! `chartdesk reassign ACCOUNT LOGIN`: supervisors hand a claim to a coder; audited; refused for
//! coders, unknown users and users who do not code.
mod common;

use chartdesk::domain::Role;

fn holder(data: &chartdesk::service::DataDir, account: &str) -> Option<String> {
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::encounters::by_account(&conn, account)
        .unwrap()
        .unwrap()
        .claimed_by
}

#[test]
fn a_supervisor_reassigns_a_claim_from_the_command_line() {
    let (_t, data) = common::fixture();
    let mut alice = common::open_as(&data, common::ALICE);
    alice.open_encounter("A100").unwrap();
    drop(alice);
    assert_eq!(holder(&data, "A100").as_deref(), Some(common::ALICE));

    common::set_my_role(&data, Role::Coder);
    let (code, _, err) = common::run_cli(&data, &["reassign", "A100", common::BOB]);
    assert_eq!(code, 2, "a coder may not reassign: {err}");
    assert_eq!(holder(&data, "A100").as_deref(), Some(common::ALICE));

    common::set_my_role(&data, Role::Supervisor);
    let (code, out, err) = common::run_cli(&data, &["reassign", "A100", common::BOB]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), format!("A100 is now held by {}", common::BOB));
    assert_eq!(holder(&data, "A100").as_deref(), Some(common::BOB));
    let (_, audit, _) = common::run_cli(&data, &["audit", "--encounter", "A100"]);
    assert!(
        audit.contains("reassign") && audit.contains(&format!("alice -> {}", common::BOB)),
        "{audit}"
    );

    let (code, _, err) = common::run_cli(&data, &["reassign", "A100", "nobody-here"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = common::run_cli(&data, &["reassign", "A100", common::CAROL_CDI]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not code"), "{err}");
    let (code, _, err) = common::run_cli(&data, &["reassign", "Z999", common::BOB]);
    assert_ne!(code, 0, "{err}");
    assert_eq!(holder(&data, "A100").as_deref(), Some(common::BOB));
}
