//! Service layer: coding operations, claims, roles and the audit rows they write.
mod common;
use chartdesk::domain::{CodeSystem, EncounterStatus, Poa, Role};
use chartdesk::service::{Service, ServiceError};
use common::*;

fn service_error(e: &anyhow::Error) -> &ServiceError {
    e.chain()
        .find_map(|c| c.downcast_ref::<ServiceError>())
        .unwrap_or_else(|| panic!("not a ServiceError: {e:#}"))
}

#[test]
fn code_an_encounter_end_to_end_with_audit() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ALICE);
    let view = svc.open_encounter("A100").unwrap();
    let enc = view.encounter.id;
    assert_eq!(view.encounter.claimed_by.as_deref(), Some(ALICE));
    assert!(view.read_only.is_none());
    let note = view.notes[0].id;
    let (_, body) = svc.read_note(note).unwrap();
    assert!(body.contains("systolic"));

    let hf = svc.assign(enc, CodeSystem::Icd10Cm, "i5023").unwrap();
    assert_eq!(hf.code, "I50.23");
    assert_eq!(hf.seq, 1);
    assert!(hf.principal);
    let htn = svc.assign(enc, CodeSystem::Icd10Cm, "I10").unwrap();
    let dm = svc.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap();
    assert_eq!((htn.seq, dm.seq), (2, 3));

    // Sequence: make diabetes principal, then move hypertension up and down again.
    let order = |svc: &Service| -> Vec<String> {
        svc.encounter_view(enc)
            .unwrap()
            .assignments
            .iter()
            .map(|a| a.code.clone())
            .collect()
    };
    svc.set_principal(enc, dm.id).unwrap();
    assert_eq!(order(&svc), ["E11.9", "I50.23", "I10"]);
    svc.move_assignment(enc, htn.id, -1).unwrap();
    assert_eq!(order(&svc), ["E11.9", "I10", "I50.23"]);
    svc.move_assignment(enc, htn.id, 1).unwrap();
    svc.move_assignment(enc, htn.id, 1).unwrap(); // already last: no change
    assert_eq!(order(&svc), ["E11.9", "I50.23", "I10"]);

    // Inpatient: POA is required on every diagnosis before completion.
    let err = svc.mark_coded(enc).unwrap_err();
    assert!(format!("{err:#}").contains("POA"), "{err:#}");
    // POA 1 (exempt) is valid only for codes on the CMS exempt list; E11.9 is not on it.
    for (a, p) in [(hf.id, Poa::Yes), (htn.id, Poa::Yes), (dm.id, Poa::Yes)] {
        svc.set_poa(enc, a, Some(p)).unwrap();
    }
    svc.remove_assignment(enc, htn.id).unwrap();
    // E11.9 as an inpatient principal diagnosis is an MCE questionable admission: acknowledged.
    let err = format!("{:#}", svc.mark_coded(enc).unwrap_err());
    assert!(err.contains("mce-questionable-admission E11.9"), "{err}");
    svc.acknowledge_edit(enc, "mce-questionable-admission", &["E11.9".into()])
        .unwrap();
    svc.mark_coded(enc).unwrap();
    let v = svc.encounter_view(enc).unwrap();
    assert_eq!(v.encounter.status, EncounterStatus::Coded);
    assert_eq!(v.encounter.claimed_by, None);
    assert_eq!(v.encounter.coded_by.as_deref(), Some(ALICE));
    assert!(v.read_only.is_some());

    // Coded encounters refuse changes until reopened.
    assert!(svc.assign(enc, CodeSystem::Icd10Cm, "J18.9").is_err());
    svc.reopen(enc).unwrap();
    svc.assign(enc, CodeSystem::Icd10Cm, "J18.9").unwrap();

    let actions: Vec<String> = audit_actions(&svc, enc)
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    for want in [
        "open_encounter",
        "view_note",
        "assign_code",
        "set_principal",
        "resequence",
        "set_poa",
        "remove_code",
        "mark_coded",
        "reopen",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "no audit row {want}: {actions:?}"
        );
    }
    assert_eq!(actions.iter().filter(|a| *a == "assign_code").count(), 4);
    let history = svc.code_history(enc).unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.action == "set_poa" && h.detail == "blank -> Y")
    );
}

#[test]
fn header_codes_and_missing_seventh_characters_are_refused_with_offers() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ALICE);
    let enc = svc.open_encounter("A200").unwrap().encounter.id;
    let err = svc.assign(enc, CodeSystem::Icd10Cm, "I50.2").unwrap_err();
    match service_error(&err) {
        ServiceError::NotBillable { reason, valid, .. } => {
            assert!(reason.contains("header"), "{reason}");
            let codes: Vec<&str> = valid.iter().map(|o| o.code.as_str()).collect();
            assert_eq!(codes, ["I50.20", "I50.23"]);
        }
        other => panic!("{other:?}"),
    }
    let err = svc.assign(enc, CodeSystem::Icd10Cm, "W06").unwrap_err();
    match service_error(&err) {
        ServiceError::NotBillable { reason, valid, .. } => {
            assert!(reason.contains("7th character"), "{reason}");
            assert_eq!(valid.len(), 3);
        }
        other => panic!("{other:?}"),
    }
    // An unknown code below a known one offers what is there.
    let err = svc.assign(enc, CodeSystem::Icd10Cm, "I50.99").unwrap_err();
    assert!(matches!(
        service_error(&err),
        ServiceError::NotBillable { .. }
    ));
    let err = svc.assign(enc, CodeSystem::Icd10Cm, "Q99.9").unwrap_err();
    assert!(matches!(service_error(&err), ServiceError::NotFound(_)));
    // Nothing was assigned by the refusals.
    assert!(svc.encounter_view(enc).unwrap().assignments.is_empty());
    // A duplicate is refused.
    svc.assign(enc, CodeSystem::Icd10Cm, "W06.XXXA").unwrap();
    assert!(svc.assign(enc, CodeSystem::Icd10Cm, "W06XXXA").is_err());
}

#[test]
fn roles_are_enforced_in_the_service() {
    let (_t, data) = fixture();
    let mut cdi = open_as(&data, CAROL_CDI);
    let view = cdi.open_encounter("A100").unwrap();
    assert!(view.read_only.is_some(), "CDI does not code");
    assert_eq!(view.encounter.claimed_by, None, "CDI does not claim");
    let err = cdi
        .assign(view.encounter.id, CodeSystem::Icd10Cm, "I10")
        .unwrap_err();
    let se = service_error(&err);
    assert!(matches!(se, ServiceError::Forbidden { .. }));
    assert_eq!(se.exit_code(), 2);

    let mut coder = open_as(&data, ALICE);
    let err = coder.add_user("mallory", Role::Admin).unwrap_err();
    assert!(matches!(
        service_error(&err),
        ServiceError::Forbidden { .. }
    ));

    let err = Service::open(&data, "stranger", &mut |_, _, _| {})
        .err()
        .expect("unknown login refused");
    let se = service_error(&err);
    assert!(matches!(se, ServiceError::UnknownUser { .. }));
    assert!(se.to_string().contains("chartdesk user add stranger"));
    assert_eq!(se.exit_code(), 2);

    let mut admin = open_as(&data, ADMIN);
    assert!(admin.add_user("dave", Role::Coder).unwrap());
    assert!(!admin.add_user("dave", Role::Supervisor).unwrap());
    open_as(&data, "dave");
}

#[test]
fn a_second_coder_works_read_only_until_release_or_reassign() {
    let (_t, data) = fixture();
    let mut alice = open_as(&data, ALICE);
    let mut bob = open_as(&data, BOB);
    let enc = alice.open_encounter("A100").unwrap().encounter.id;
    alice.assign(enc, CodeSystem::Icd10Cm, "I10").unwrap();

    let v = bob.open_encounter("A100").unwrap();
    assert_eq!(v.encounter.claimed_by.as_deref(), Some(ALICE));
    assert!(v.read_only.unwrap().contains(ALICE));
    let err = bob.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap_err();
    assert!(
        matches!(service_error(&err), ServiceError::ClaimedBy { holder, .. } if holder == ALICE)
    );
    assert!(
        bob.release(enc).is_err(),
        "only the holder or a supervisor releases"
    );

    let mut sam = open_as(&data, SAM_SUPERVISOR);
    sam.reassign_to(enc, Some(BOB)).unwrap();
    bob.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap();
    // Alice's process notices at her next write.
    let err = alice.assign(enc, CodeSystem::Icd10Cm, "J18.9").unwrap_err();
    assert!(matches!(
        service_error(&err),
        ServiceError::ClaimedBy { .. }
    ));
    let actions = audit_actions(&sam, enc);
    assert!(actions.contains(&(SAM_SUPERVISOR.to_string(), "reassign".to_string())));
}

#[test]
fn leaving_without_codes_gives_the_claim_back() {
    let (_t, data) = fixture();
    let mut alice = open_as(&data, ALICE);
    let enc = alice.open_encounter("A300").unwrap().encounter.id;
    alice.leave_encounter(enc).unwrap();
    let v = alice.encounter_view(enc).unwrap();
    assert_eq!(v.encounter.claimed_by, None);
    assert_eq!(v.encounter.status, EncounterStatus::Uncoded);
}

#[test]
fn two_processes_racing_for_one_claim_exactly_one_wins() {
    for _round in 0..5 {
        let (_t, data) = fixture();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let handles: Vec<_> = [ALICE, BOB]
            .into_iter()
            .map(|login| {
                let data = data.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let mut svc = open_as(&data, login);
                    barrier.wait();
                    let v = svc.open_encounter("A100").unwrap();
                    v.encounter.claimed_by == Some(login.to_string())
                })
            })
            .collect();
        let wins: Vec<bool> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
    }
}

#[test]
fn export_lists_coded_encounters_in_sequence() {
    let (_t, data) = fixture();
    let mut svc = open_as(&data, ALICE);
    let enc = svc.open_encounter("A200").unwrap().encounter.id;
    svc.assign(enc, CodeSystem::Icd10Cm, "J18.9").unwrap();
    svc.assign(enc, CodeSystem::Icd10Cm, "I10").unwrap();
    assert!(svc.export_codes(None).unwrap().is_empty(), "not coded yet");
    svc.mark_coded(enc).unwrap();
    let rows = svc.export_codes(None).unwrap();
    let got: Vec<(&str, i64, bool)> = rows
        .iter()
        .map(|r| (r.code.as_str(), r.seq, r.principal))
        .collect();
    assert_eq!(got, [("J18.9", 1, true), ("I10", 2, false)]);
    assert_eq!(rows[0].coded_by.as_deref(), Some(ALICE));
    assert!(svc.export_codes(Some("NOPE")).is_err());
}

#[test]
fn migrating_twice_is_a_no_op_and_keeps_data() {
    let (_t, data) = fixture();
    let before = {
        let c = chartdesk::store::open(&data.db_path()).unwrap();
        chartdesk::store::encounters::count(&c).unwrap()
    };
    let mut c = chartdesk::store::open(&data.db_path()).unwrap();
    chartdesk::store::migrations::migrate(&mut c).unwrap();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, chartdesk::store::migrations::latest());
    assert_eq!(chartdesk::store::encounters::count(&c).unwrap(), before);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn a_newer_database_is_refused() {
    let (_t, data) = fixture();
    let c = rusqlite::Connection::open(data.db_path()).unwrap();
    c.pragma_update(None, "user_version", 999).unwrap();
    drop(c);
    let err = chartdesk::store::open(&data.db_path()).unwrap_err();
    assert!(format!("{err:#}").contains("newer"), "{err:#}");
}
