//! `chartdesk edits ACCOUNT` lists the edits firing on an encounter; `chartdesk override` lets a
//! supervisor override an error with a reason (audited), and refuses coders and short reasons.
mod common;

use chartdesk::domain::{CodeSystem, Poa, Role};

#[test]
fn a_supervisor_overrides_an_error_from_the_command_line_with_a_reason() {
    let (_t, data) = common::fixture();
    let enc;
    {
        let mut alice = common::open_as(&data, common::ALICE);
        enc = alice.open_encounter("A100").unwrap().encounter.id;
        // An external-cause code can never be the principal diagnosis (MCE).
        let a = alice.assign(enc, CodeSystem::Icd10Cm, "W06.XXXA").unwrap();
        alice.set_poa(enc, a.id, Some(Poa::Yes)).unwrap();
        assert!(alice.mark_coded(enc).is_err());
    }

    common::set_my_role(&data, Role::Coder);
    let (code, out, err) = common::run_cli(&data, &["edits", "A100"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .next()
            .is_some_and(|l| l.starts_with("error") && l.contains("mce-external-cause-pdx")),
        "errors come first: {out}"
    );
    let reason = "registration sent the wrong principal; confirmed with the attending";
    let (code, _, err) = common::run_cli(
        &data,
        &[
            "override",
            "A100",
            "mce-external-cause-pdx",
            "--reason",
            reason,
        ],
    );
    assert_eq!(code, 2, "a coder may not override: {err}");

    common::set_my_role(&data, Role::Supervisor);
    let (code, _, err) = common::run_cli(
        &data,
        &[
            "override",
            "A100",
            "mce-external-cause-pdx",
            "--reason",
            "ok",
        ],
    );
    assert_eq!(code, 2, "a short reason is refused: {err}");
    assert!(err.contains("reason"), "{err}");
    let (code, out, err) = common::run_cli(
        &data,
        &[
            "override",
            "A100",
            "mce-external-cause-pdx",
            "--reason",
            reason,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("overridden on A100"), "{out}");
    let (_, audit, _) = common::run_cli(&data, &["audit", "--encounter", "A100"]);
    assert!(audit.contains("override_edit"), "{audit}");

    // The error no longer blocks marking coded.
    let mut alice = common::open_as(&data, common::ALICE);
    alice.mark_coded(enc).unwrap();
}
