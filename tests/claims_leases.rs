//! Claims as leases (issue 11), on a fake clock (`Service::set_clock`): a claim whose workstation
//! stopped renewing it can be taken over, audited; a live one cannot; renewal is one UPDATE when due.
mod common;

use chartdesk::config::ClaimsConfig;
use chartdesk::domain::CodeSystem;
use chartdesk::service::{Service, ServiceError};
use chartdesk::store::claims::Ended;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

fn at(svc: &mut Service, minutes: i64) {
    svc.set_clock(Some(t0() + Duration::minutes(minutes)));
}

fn open(data: &chartdesk::service::DataDir, login: &str, lease_minutes: u64) -> Service {
    let mut s = open_as(data, login);
    s.set_claims_config(ClaimsConfig { lease_minutes });
    s
}

fn claimed_by_other(err: &anyhow::Error) -> Option<String> {
    match err.downcast_ref::<ServiceError>() {
        Some(ServiceError::ClaimedBy { holder, .. }) => Some(holder.clone()),
        _ => None,
    }
}

fn lease_of(svc: &Service, enc: i64) -> Option<String> {
    svc.open_claims(&[enc])
        .unwrap()
        .pop()
        .and_then(|c| c.lease_until)
}

#[test]
fn an_expired_lease_is_taken_over_and_audited_a_live_one_is_not() {
    let (_t, data) = fixture();
    let mut alice = open(&data, ALICE, 30);
    let mut bob = open(&data, BOB, 30);
    at(&mut alice, 0);
    let enc = alice.open_encounter("A100").unwrap().encounter.id;
    assert_eq!(
        lease_of(&alice, enc).as_deref(),
        Some("2026-12-01T09:30:00.000Z")
    );

    // Ten minutes in, Bob sees it read-only and cannot change it.
    at(&mut bob, 10);
    let v = bob.open_encounter("A100").unwrap();
    assert_eq!(v.read_only.as_deref(), Some("being coded by alice"));
    let err = bob.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap_err();
    assert_eq!(claimed_by_other(&err).as_deref(), Some(ALICE));

    // Alice's workstation re-reads the encounter on its refresh tick: renewed when due only.
    at(&mut alice, 5);
    alice.encounter_view(enc).unwrap();
    assert_eq!(
        lease_of(&alice, enc).as_deref(),
        Some("2026-12-01T09:30:00.000Z"),
        "not due yet"
    );
    at(&mut alice, 20);
    alice.encounter_view(enc).unwrap();
    assert_eq!(
        lease_of(&alice, enc).as_deref(),
        Some("2026-12-01T09:50:00.000Z"),
        "renewed"
    );

    // Past the first lease but within the renewed one: still Alice's.
    at(&mut bob, 40);
    let err = bob.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap_err();
    assert_eq!(claimed_by_other(&err).as_deref(), Some(ALICE));

    // Alice's workstation died: nothing renews. After the lease Bob's view says so, and opening
    // the encounter takes it over.
    at(&mut bob, 51);
    let v = bob.encounter_view(enc).unwrap();
    assert!(
        v.read_only
            .as_deref()
            .is_some_and(|r| r.contains("stopped renewing")),
        "{:?}",
        v.read_only
    );
    let v = bob.open_encounter("A100").unwrap();
    assert_eq!(v.read_only, None);
    assert_eq!(v.encounter.claimed_by.as_deref(), Some(BOB));
    bob.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap();

    let rows = bob.connection().prepare(
        "SELECT login, detail FROM audit WHERE encounter_id = ?1 AND action = 'take_over_claim'",
    );
    let taken: Vec<(String, String)> = rows
        .unwrap()
        .query_map([enc], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].0, BOB);
    assert!(
        taken[0]
            .1
            .starts_with("alice -> bob: lease expired 2026-12-01T09:50:00.000Z"),
        "{}",
        taken[0].1
    );
    let h = bob.claim_history(enc).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (
            h[0].holder.as_str(),
            h[0].ended_by.as_deref(),
            h[0].ended_how
        ),
        (ALICE, Some(BOB), Some(Ended::TakeOver))
    );
    assert_eq!(
        (h[1].holder.as_str(), h[1].ended_at.as_deref()),
        (BOB, None)
    );

    // Alice's stale window cannot write any more.
    at(&mut alice, 52);
    let err = alice.assign(enc, CodeSystem::Icd10Cm, "J18.9").unwrap_err();
    assert_eq!(claimed_by_other(&err).as_deref(), Some(BOB));
}

#[test]
fn with_leases_off_a_claim_is_never_taken_over() {
    let (_t, data) = fixture();
    let mut alice = open(&data, ALICE, 0);
    let mut bob = open(&data, BOB, 0);
    at(&mut alice, 0);
    let enc = alice.open_encounter("A200").unwrap().encounter.id;
    assert_eq!(lease_of(&alice, enc), None);
    at(&mut bob, 60 * 24 * 365);
    let err = bob.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap_err();
    assert_eq!(claimed_by_other(&err).as_deref(), Some(ALICE));
}

#[test]
fn a_claim_handed_over_by_a_supervisor_waits_for_its_holder_then_gets_a_lease() {
    let (_t, data) = fixture();
    let mut sam = open(&data, SAM_SUPERVISOR, 30);
    let mut alice = open(&data, ALICE, 30);
    let mut bob = open(&data, BOB, 30);
    at(&mut alice, 0);
    let enc = alice.open_encounter("A300").unwrap().encounter.id;
    at(&mut sam, 1);
    sam.reassign_to(enc, Some(BOB)).unwrap();
    assert_eq!(lease_of(&sam, enc), None, "no lease until Bob has it open");
    // Days later the hand-over still holds: Alice cannot take it.
    at(&mut alice, 60 * 24 * 3);
    let v = alice.open_encounter("A300").unwrap();
    assert_eq!(v.read_only.as_deref(), Some("being coded by bob"));
    // Bob opens it: now it is a lease his workstation renews.
    at(&mut bob, 60 * 24 * 3 + 5);
    bob.open_encounter("A300").unwrap();
    assert_eq!(
        lease_of(&bob, enc).as_deref(),
        Some("2026-12-04T09:35:00.000Z")
    );
    let h = bob.claim_history(enc).unwrap();
    let got: Vec<(&str, Option<Ended>)> =
        h.iter().map(|c| (c.holder.as_str(), c.ended_how)).collect();
    assert_eq!(got, [(ALICE, Some(Ended::Reassign)), (BOB, None)]);
}
