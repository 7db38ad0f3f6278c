//! `chartdesk reassign ACCOUNT LOGIN`: supervisors hand a claim to a coder; audited; refused for
//! coders, unknown users and users who do not code.
mod common;

use chartdesk::domain::Role;
use chartdesk::service::DataDir;
use std::process::Command;

fn set_role(data: &DataDir, role: Role) {
    let me = chartdesk::service::os_login().unwrap();
    let conn = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::users::upsert(&conn, &me, role, "", None, &chartdesk::store::now()).unwrap();
}

fn run(data: &DataDir, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(args)
        .env("CHARTDESK_DATA_DIR", &data.root)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", data.root.join("home"))
        .output()
        .expect("run chartdesk");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn holder(data: &DataDir, account: &str) -> Option<String> {
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

    set_role(&data, Role::Coder);
    let (code, _, err) = run(&data, &["reassign", "A100", common::BOB]);
    assert_eq!(code, 2, "a coder may not reassign: {err}");
    assert_eq!(holder(&data, "A100").as_deref(), Some(common::ALICE));

    set_role(&data, Role::Supervisor);
    let (code, out, err) = run(&data, &["reassign", "A100", common::BOB]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), format!("A100 is now held by {}", common::BOB));
    assert_eq!(holder(&data, "A100").as_deref(), Some(common::BOB));
    let (_, audit, _) = run(&data, &["audit", "--encounter", "A100"]);
    assert!(
        audit.contains("reassign") && audit.contains(&format!("alice -> {}", common::BOB)),
        "{audit}"
    );

    let (code, _, err) = run(&data, &["reassign", "A100", "nobody-here"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&data, &["reassign", "A100", common::CAROL_CDI]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not code"), "{err}");
    let (code, _, err) = run(&data, &["reassign", "Z999", common::BOB]);
    assert_ne!(code, 0, "{err}");
    assert_eq!(holder(&data, "A100").as_deref(), Some(common::BOB));
}
