//! Service guards found by QA: the last admin stays an admin, refusals name who may act, and a
//! stale window cannot silently re-claim an encounter released by a supervisor.
mod common;
use chartdesk::domain::{CodeSystem, Poa, Role};
use chartdesk::service::{Service, ServiceError};
use common::*;

fn service_error(e: &anyhow::Error) -> &ServiceError {
    e.chain()
        .find_map(|c| c.downcast_ref::<ServiceError>())
        .unwrap_or_else(|| panic!("not a ServiceError: {e:#}"))
}

fn claim_rows(svc: &Service, enc: i64) -> usize {
    audit_actions(svc, enc)
        .iter()
        .filter(|(_, a)| a == "open_encounter" || a == "claim")
        .count()
}

#[test]
fn the_last_admin_cannot_demote_themselves() {
    let (_t, data) = fixture();
    let mut admin = open_as(&data, ADMIN);
    let err = admin.add_user(ADMIN, Role::Coder).unwrap_err();
    let se = service_error(&err);
    assert_eq!(se.exit_code(), 2);
    assert!(se.to_string().contains("last active admin"), "{se}");
    let me = admin
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.login == ADMIN);
    assert_eq!(me.map(|u| u.role), Some(Role::Admin));

    // With a second admin, the first may step down.
    admin.add_user("root2", Role::Admin).unwrap();
    admin.add_user(ADMIN, Role::Coder).unwrap();
    let mut root2 = open_as(&data, "root2");
    let err = root2.add_user("root2", Role::Supervisor).unwrap_err();
    assert!(
        service_error(&err)
            .to_string()
            .contains("last active admin")
    );
}

#[test]
fn refusals_name_the_roles_that_may_act() {
    let (_t, data) = fixture();
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let err = sam.add_user("dave", Role::Coder).unwrap_err();
    let msg = service_error(&err).to_string();
    assert!(msg.contains("ask an admin"), "{msg}");
    assert!(!msg.contains("supervisor or admin"), "{msg}");
    let mut alice = open_as(&data, ALICE);
    let err = alice.reassign_to(1, Some(BOB)).unwrap_err();
    let msg = service_error(&err).to_string();
    assert!(msg.contains("ask a supervisor or admin"), "{msg}");
}

#[test]
fn a_stale_window_cannot_reclaim_a_released_encounter() {
    let (_t, data) = fixture();
    let mut alice = open_as(&data, ALICE);
    let enc = alice.open_encounter("A100").unwrap().encounter.id;
    let a = alice.assign(enc, CodeSystem::Icd10Cm, "I10").unwrap();
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    sam.release(enc).unwrap();
    let claims_before = claim_rows(&sam, enc);

    let err = alice.set_poa(enc, a.id, Some(Poa::Yes)).unwrap_err();
    let se = service_error(&err);
    assert!(
        matches!(se, ServiceError::ClaimReleased { by, .. } if by == SAM_SUPERVISOR),
        "{se}"
    );
    let msg = se.to_string();
    assert!(
        msg.contains("released by sam") && msg.contains("reopen the encounter"),
        "{msg}"
    );
    let err = alice.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap_err();
    assert!(matches!(
        service_error(&err),
        ServiceError::ClaimReleased { .. }
    ));
    let v = sam.encounter_view(enc).unwrap();
    assert_eq!(v.encounter.claimed_by, None, "not silently re-claimed");
    assert_eq!(claim_rows(&sam, enc), claims_before);
    assert!(
        v.assignments.iter().all(|x| x.poa.is_none()),
        "the POA was not written"
    );

    // Reopening (opening again) claims it with an audit row, and writes work again.
    let v = alice.open_encounter("A100").unwrap();
    assert_eq!(v.encounter.claimed_by.as_deref(), Some(ALICE));
    alice.set_poa(enc, a.id, Some(Poa::Yes)).unwrap();
}

#[test]
fn another_coders_stale_release_does_not_block_a_fresh_claim() {
    let (_t, data) = fixture();
    let mut alice = open_as(&data, ALICE);
    let enc = alice.open_encounter("A100").unwrap().encounter.id;
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    sam.release(enc).unwrap();
    // Bob never held it: his first write claims it as before.
    let mut bob = open_as(&data, BOB);
    bob.assign(enc, CodeSystem::Icd10Cm, "I10").unwrap();
    let v = bob.encounter_view(enc).unwrap();
    assert_eq!(v.encounter.claimed_by.as_deref(), Some(BOB));
}

#[test]
fn exporting_one_encounter_needs_it_coded() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ALICE);
    let enc = svc.open_encounter("A200").unwrap().encounter.id;
    svc.assign(enc, CodeSystem::Icd10Cm, "J18.9").unwrap();
    let err = svc.export_codes(Some("A200")).unwrap_err();
    let se = service_error(&err);
    assert!(matches!(se, ServiceError::Invalid(_)), "{se}");
    assert!(se.to_string().contains("not coded"), "{se}");
    svc.mark_coded(enc).unwrap();
    let rows = svc.export_codes(Some("A200")).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].code, "J18.9");
}
