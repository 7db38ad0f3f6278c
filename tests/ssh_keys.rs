//! Users' SSH keys through the service: admins only, one key per login, audited; deactivation and
//! key removal are what sshd's AuthorizedKeysCommand sees next.
mod common;
use chartdesk::domain::Role;
use chartdesk::service::{self, ServiceError};
use chartdesk::ssh::keys::parse_line;
use common::*;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINobMOndZSaKL8J0+WPcKKO4dqBXFGgGpbe+3kOZJ2V1 test@example";
const FP: &str = "SHA256:5O2iWbfmxFeEAgjC+wnAuxRtsnESZgo98njs/4EFD9o";

fn refused(e: &anyhow::Error) -> bool {
    e.chain()
        .find_map(|c| c.downcast_ref::<ServiceError>())
        .is_some_and(|s| s.exit_code() == 2)
}

#[test]
fn keys_are_admin_only_unique_audited_and_revocable() {
    let (_t, data) = fixture();
    let key = parse_line(KEY).unwrap();
    let (kt, kb) = (key.key_type.clone(), key.base64.clone());

    // A coder may not register keys, not even their own.
    let mut coder = open_as(&data, ALICE);
    assert!(refused(&coder.add_key(ALICE, &key).unwrap_err()));
    assert!(refused(&coder.user_keys(ALICE).unwrap_err()));
    assert!(refused(&coder.deactivate_user(ALICE).unwrap_err()));

    let mut admin = open_as(&data, ADMIN);
    admin.add_key(ALICE, &key).unwrap();
    let keys = admin.user_keys(ALICE).unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].fingerprint, FP);
    assert_eq!(keys[0].added_by, ADMIN);
    assert_eq!(
        service::authorized_login(&data, &kt, &kb)
            .unwrap()
            .as_deref(),
        Some(ALICE)
    );
    // One key belongs to one login.
    admin.add_user("carol", Role::Coder).unwrap();
    let e = admin.add_key("carol", &key).unwrap_err();
    assert!(refused(&e) && format!("{e:#}").contains(ALICE), "{e:#}");
    // Keys of unknown users are refused.
    assert!(refused(&admin.add_key("nobody", &key).unwrap_err()));

    // Deactivated: the key no longer authorizes; re-adding the user brings it back.
    admin.deactivate_user(ALICE).unwrap();
    assert_eq!(service::authorized_login(&data, &kt, &kb).unwrap(), None);
    assert!(!service::active_user(&data, ALICE).unwrap());
    admin.add_user(ALICE, Role::Coder).unwrap();
    assert!(service::active_user(&data, ALICE).unwrap());

    // Removed: gone.
    admin.remove_key(ALICE, FP).unwrap();
    assert_eq!(service::authorized_login(&data, &kt, &kb).unwrap(), None);
    assert!(refused(&admin.remove_key(ALICE, FP).unwrap_err()));

    // The last admin cannot be deactivated.
    assert!(refused(&admin.deactivate_user(ADMIN).unwrap_err()));

    let actions: Vec<String> = {
        let conn = admin.connection();
        let mut st = conn
            .prepare("SELECT action FROM audit WHERE action IN ('add_key','view_keys','remove_key','deactivate_user') ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(
        actions,
        ["add_key", "view_keys", "deactivate_user", "remove_key"]
    );
}
