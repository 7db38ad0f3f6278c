//! Supervisor report metrics as pure functions: every metric on a hand-built event set with known
//! answers (reopened encounters, a coder with no activity, holds and open queries in the backlog,
//! principal changes in accuracy, seeded sampling). Service, CLI and end to end: reports_service.rs.
use chartdesk::config::StandardsConfig;
use chartdesk::domain::*;
use chartdesk::report::accuracy::{
    self, Candidate, DoneReview, FindingKind, ReviewCode, SampleRule,
};
use chartdesk::report::activity::ActionEvent;
use chartdesk::report::backlog::{self, PendingReason};
use chartdesk::report::throughput::{self, ThroughputInput};
use chartdesk::store::encounters::EncounterRow;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn t(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    day(d).and_hms_opt(h, m, 0).unwrap().and_utc()
}

fn ev(login: &str, at: DateTime<Utc>, action: &str, enc: i64) -> ActionEvent {
    ActionEvent {
        login: login.into(),
        at,
        action: action.into(),
        encounter_id: Some(enc),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Encounters: 1 inpatient, 2 outpatient, 3 emergency, 4 inpatient.
/// - alice codes 1 (09:00-09:20) and 2 (09:25-09:35) on Nov 2;
/// - bob codes 3 at 10:00-10:06, sam reopens it at 11:00, alice recodes it 13:00-13:10: it counts
///   once, for alice;
/// - bob codes 4 at 14:00-14:12 on Nov 3, sam reopens it and nobody recodes it: it does not count;
/// - carl (a coder) does nothing.
fn hand_built() -> ThroughputInput {
    let events = vec![
        ev("alice", t(2, 9, 0), "open_encounter", 1),
        ev("alice", t(2, 9, 10), "assign_code", 1),
        ev("alice", t(2, 9, 20), "mark_coded", 1),
        ev("alice", t(2, 9, 25), "open_encounter", 2),
        ev("alice", t(2, 9, 35), "mark_coded", 2),
        ev("bob", t(2, 10, 0), "open_encounter", 3),
        ev("bob", t(2, 10, 6), "mark_coded", 3),
        ev("sam", t(2, 11, 0), "reopen", 3),
        ev("alice", t(2, 13, 0), "open_encounter", 3),
        ev("alice", t(2, 13, 10), "mark_coded", 3),
        // The worklist refreshing itself is not work.
        ev("alice", t(2, 16, 0), "list_encounters", 0),
        ev("bob", t(3, 14, 0), "open_encounter", 4),
        ev("bob", t(3, 14, 12), "mark_coded", 4),
        ev("sam", t(3, 15, 0), "reopen", 4),
    ];
    ThroughputInput {
        coders: vec![
            ("alice".into(), "ip".into()),
            ("bob".into(), "ip".into()),
            ("carl".into(), "op".into()),
        ],
        events,
        enc_types: HashMap::from([
            (1, EncounterType::Inpatient),
            (2, EncounterType::Outpatient),
            (3, EncounterType::Emergency),
            (4, EncounterType::Inpatient),
        ]),
        only: None,
    }
}

#[test]
fn throughput_counts_final_codings_once_and_hours_from_sessions() {
    let std = StandardsConfig::default();
    let r = throughput::throughput(&hand_built(), &std, day(1), day(30));
    let logins: Vec<&str> = r.coders.iter().map(|c| c.login.as_str()).collect();
    assert_eq!(logins, ["alice", "bob", "carl"]);
    let alice = &r.coders[0];
    let bob = &r.coders[1];
    let carl = &r.coders[2];
    // Alice: 3 final codings; sessions 09:00-09:35(+5) = 40 min and 13:00-13:10(+5) = 15 min.
    assert_eq!(alice.coded, 3);
    assert!(close(alice.hours, 55.0 / 60.0), "{}", alice.hours);
    assert!(close(alice.per_hour.unwrap(), 3.0 / (55.0 / 60.0)));
    // Bob: his coding of 3 was reopened and recoded by alice, and 4 was reopened: 0 coded, but his
    // hours count (10:00-10:06 +5 = 11 min on Nov 2, 14:00-14:12 +5 = 17 min on Nov 3).
    assert_eq!(bob.coded, 0);
    assert!(close(bob.hours, 28.0 / 60.0), "{}", bob.hours);
    assert_eq!(bob.per_hour, Some(0.0));
    assert_eq!(bob.days.len(), 2);
    assert_eq!(alice.per_day, Some(3.0), "one day worked");
    assert_eq!(bob.per_day, Some(0.0));
    assert_eq!(carl.per_day, None);
    // Carl did nothing: listed with zeros, no rate.
    assert_eq!((carl.coded, carl.hours, carl.per_hour), (0, 0.0, None));
    assert_eq!(carl.team, "op");

    // Hours by type: alice's 55 minutes split by time in chart, IP 20 : OP 10 : ED 10.
    let ip = alice
        .by_type
        .iter()
        .find(|x| x.enc_type == EncounterType::Inpatient)
        .unwrap();
    assert!(close(ip.hours, 55.0 / 60.0 * 0.5));
    assert!(close(ip.per_hour.unwrap(), 1.0 / (55.0 / 120.0)));
    assert!(close(ip.of_standard.unwrap(), ip.per_hour.unwrap() / 3.0));
    let team_ip = r
        .by_type
        .iter()
        .find(|x| x.enc_type == EncounterType::Inpatient)
        .unwrap();
    assert_eq!(
        team_ip.coded, 1,
        "the reopened inpatient encounter 4 is not counted"
    );
    assert_eq!(r.coded, 3);

    // Daily: Nov 2 has the three codings; Nov 3 none; every day of the range is listed.
    assert_eq!(r.daily.len(), 30);
    assert_eq!(r.daily[1].date, day(2));
    assert_eq!(r.daily[1].coded, 3);
    assert_eq!(r.daily[2].coded, 0);

    // Time in chart: enc 1 20 min (20-40m), enc 2 10 min and enc 3 (alice's own open) 10 min.
    let tic: HashMap<&str, u32> = r
        .time_in_chart
        .iter()
        .map(|(l, n)| (l.as_str(), *n))
        .collect();
    assert_eq!(tic["10-20m"], 2);
    assert_eq!(tic["20-40m"], 1);
    assert_eq!(tic.values().sum::<u32>(), 3);
}

#[test]
fn throughput_range_and_scope_filters() {
    let std = StandardsConfig::default();
    // Only Nov 3: nobody coded (4 was reopened); bob worked 17 minutes.
    let r = throughput::throughput(&hand_built(), &std, day(3), day(3));
    assert_eq!(r.coded, 0);
    assert!(close(r.hours, 17.0 / 60.0), "{}", r.hours);
    // A coder's own view: only their row, and the totals are theirs.
    let mut input = hand_built();
    input.only = Some(vec!["bob".into()]);
    let r = throughput::throughput(&input, &std, day(1), day(30));
    assert_eq!(r.coders.len(), 1);
    assert_eq!(r.coders[0].login, "bob");
    assert_eq!(r.coded, 0);
    assert_eq!(r.time_in_chart.iter().map(|x| x.1).sum::<u32>(), 0);
}

fn row(
    id: i64,
    t: EncounterType,
    discharged: Option<&str>,
    status: EncounterStatus,
) -> EncounterRow {
    EncounterRow {
        id,
        account: format!("A{id}"),
        patient_id: 1,
        mrn: "M1".into(),
        patient_name: "Doe, Jane".into(),
        birth_date: "1950-01-01".into(),
        sex: Sex::Female,
        enc_type: t,
        admit_date: "2026-10-01".into(),
        discharge_date: discharged.map(String::from),
        attending: String::new(),
        total_charges_cents: id * 100,
        status,
        pending_reason: None,
        claimed_by: None,
        claimed_at: None,
        coded_by: None,
        coded_at: None,
        code_count: 0,
    }
}

#[test]
fn backlog_buckets_types_reasons_and_oldest() {
    use EncounterStatus::*;
    use EncounterType::*;
    let as_of = day(20);
    let mut rows = vec![
        row(1, Inpatient, Some("2026-11-20"), Uncoded), // 0 days
        row(2, Inpatient, Some("2026-11-17"), InProgress), // 3
        row(3, Outpatient, Some("2026-11-16"), Uncoded), // 4
        row(4, Outpatient, Some("2026-11-13"), Hold),   // 7, missing documentation
        row(5, Emergency, Some("2026-11-12"), Hold),    // 8, query (reason text)
        row(6, Emergency, Some("2026-11-06"), Uncoded), // 14, open query
        row(7, Inpatient, Some("2026-11-05"), Hold),    // 15, other hold
        row(8, Observation, Some("2026-10-01"), Uncoded), // 50
        row(9, Inpatient, Some("2026-10-01"), Coded),   // coded: not backlog
        row(10, Inpatient, None, Uncoded),              // not discharged
        row(11, Inpatient, Some("2026-11-21"), Uncoded), // discharged after as_of
    ];
    rows[3].pending_reason = Some("missing documentation".into());
    rows[4].pending_reason = Some("awaiting query answer".into());
    rows[6].pending_reason = Some("billing hold".into());
    let open_queries = HashSet::from([6]);
    let b = backlog::backlog(&rows, as_of, &open_queries, 3);
    assert_eq!(b.total.counts, [2, 2, 2, 2]);
    assert_eq!(b.total.charges_cents, [300, 700, 1100, 1500]);
    assert_eq!(b.total.count(), 8);
    let by_type: HashMap<EncounterType, u32> =
        b.by_type.iter().map(|(t, c)| (*t, c.count())).collect();
    assert_eq!(by_type[&Inpatient], 3);
    assert_eq!(by_type[&Outpatient], 2);
    assert_eq!(by_type[&Emergency], 2);
    assert_eq!(by_type[&Observation], 1);
    assert_eq!(by_type[&Professional], 0);
    let by_reason: HashMap<PendingReason, [u32; 4]> =
        b.by_reason.iter().map(|(r, c)| (*r, c.counts)).collect();
    assert_eq!(by_reason[&PendingReason::Ready], [2, 1, 0, 1]);
    assert_eq!(
        by_reason[&PendingReason::MissingDocumentation],
        [0, 1, 0, 0]
    );
    assert_eq!(by_reason[&PendingReason::Query], [0, 0, 2, 0]);
    assert_eq!(by_reason[&PendingReason::OtherHold], [0, 0, 0, 1]);
    // Oldest first, limited.
    let oldest: Vec<(&str, i64)> = b
        .oldest
        .iter()
        .map(|i| (i.account.as_str(), i.age_days))
        .collect();
    assert_eq!(oldest, [("A8", 50), ("A7", 15), ("A6", 14)]);
    assert_eq!(backlog::age_bucket(3), 0);
    assert_eq!(backlog::age_bucket(4), 1);
    assert_eq!(backlog::age_bucket(15), 3);
    assert_eq!(backlog::dollars(123_456_789), "$1,234,567.89");
}

fn cm(code: &str, seq: i64, poa: Option<Poa>) -> ReviewCode {
    ReviewCode {
        system: CodeSystem::Icd10Cm,
        code: code.into(),
        seq,
        poa,
    }
}

#[test]
fn accuracy_code_over_code() {
    let y = Some(Poa::Yes);
    let coder = vec![
        cm("I50.23", 1, y),
        cm("I10", 2, y),
        cm("E11.9", 3, y),
        cm("J18.9", 4, y),
    ];
    // Same codes: no errors.
    let same = accuracy::compare(&coder, &coder);
    assert_eq!((same.errors, same.codes), (0, 4));
    assert!(close(same.accuracy(), 1.0));

    // Reviewer: principal J18.9 instead of I50.23 (2 errors), I50.23 dropped with it, E11.9 changed
    // to E11.65 (same category: 1), I10 POA N (1), N17.9 added (1), and nothing else.
    let reviewer = vec![
        cm("J18.9", 1, y),
        cm("I10", 2, Some(Poa::No)),
        cm("E11.65", 3, y),
        cm("N17.9", 4, y),
    ];
    let c = accuracy::compare(&coder, &reviewer);
    let kinds: Vec<FindingKind> = c.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FindingKind::PrincipalChanged,
            FindingKind::Changed,
            FindingKind::Added,
            FindingKind::Poa
        ]
    );
    assert_eq!(c.errors, 5);
    assert_eq!(c.codes, 4);
    assert!(close(c.accuracy(), 0.0), "clamped at 0");

    // A deleted secondary code: one error in four.
    let c = accuracy::compare(&coder, &coder[..3]);
    assert_eq!((c.errors, c.codes), (1, 4));
    assert_eq!(c.findings[0].kind, FindingKind::Deleted);
    assert!(close(c.accuracy(), 0.75));

    // Aggregation: sums of errors over sums of codes, per coder, per team, overall; a coder without
    // reviews has no accuracy.
    let done = [
        DoneReview {
            coder: "alice".into(),
            team: "ip".into(),
            errors: 1,
            codes: 4,
            principal_changed: false,
        },
        DoneReview {
            coder: "alice".into(),
            team: "ip".into(),
            errors: 2,
            codes: 6,
            principal_changed: true,
        },
        DoneReview {
            coder: "bob".into(),
            team: "op".into(),
            errors: 0,
            codes: 10,
            principal_changed: false,
        },
    ];
    let coders = [
        ("alice".to_string(), "ip".to_string()),
        ("bob".to_string(), "op".to_string()),
        ("carl".to_string(), "op".to_string()),
    ];
    let r = accuracy::aggregate(&coders, &done, 1);
    assert!(close(r.coders[0].accuracy.unwrap(), 0.7));
    assert_eq!(r.coders[0].principal_changes, 1);
    assert!(close(r.coders[1].accuracy.unwrap(), 1.0));
    assert_eq!(r.coders[2].accuracy, None);
    assert_eq!(r.teams.len(), 2);
    assert!(close(r.overall.accuracy.unwrap(), 1.0 - 3.0 / 20.0));
    assert_eq!(r.pending_reviews, 1);
}

#[test]
fn sampling_is_seeded_capped_per_coder_and_rule_based() {
    let cands: Vec<Candidate> = (1..=20)
        .map(|i| Candidate {
            encounter_id: i,
            coder: if i <= 12 { "alice" } else { "bob" }.into(),
            enc_type: if i % 2 == 0 {
                EncounterType::Inpatient
            } else {
                EncounterType::Outpatient
            },
            principal: Some(if i % 5 == 0 { "A41.9" } else { "I10" }.into()),
        })
        .collect();
    let rule = SampleRule::Random {
        per_coder: 5,
        seed: 7,
    };
    let a = accuracy::sample(&cands, &rule);
    assert_eq!(a, accuracy::sample(&cands, &rule), "same seed, same sample");
    assert_eq!(a.iter().filter(|i| **i <= 12).count(), 5);
    assert_eq!(a.iter().filter(|i| **i > 12).count(), 5);
    let other = accuracy::sample(
        &cands,
        &SampleRule::Random {
            per_coder: 5,
            seed: 8,
        },
    );
    assert_ne!(a, other, "another week, another sample");
    let few = accuracy::sample(
        &cands,
        &SampleRule::Random {
            per_coder: 50,
            seed: 1,
        },
    );
    assert_eq!(few.len(), 20, "never more than there are");
    assert_eq!(
        accuracy::sample(&cands, &SampleRule::PrincipalPrefix("a41".into())),
        [5, 10, 15, 20]
    );
    assert_eq!(
        accuracy::sample(&cands, &SampleRule::EncounterType(EncounterType::Inpatient)).len(),
        10
    );
}

#[test]
fn standards_come_from_the_config_and_bad_ones_are_refused() {
    use chartdesk::config::Config;
    let c = Config::parse("[standards]\ninpatient = 2.5\n", "t.toml").unwrap();
    assert_eq!(c.standards.per_hour(EncounterType::Inpatient), 2.5);
    assert_eq!(c.standards.per_hour(EncounterType::Professional), 15.0);
    let err = Config::parse("[standards]\nemergency = 0\n", "t.toml").unwrap_err();
    assert!(
        format!("{err:#}").contains("standards.emergency"),
        "{err:#}"
    );
    assert!(Config::parse("[standards]\nsurgery = 2\n", "t.toml").is_err());
}

#[test]
fn demo_history_is_deterministic_back_dated_and_paced_by_type() {
    use chartdesk::demo::history;
    let staff: Vec<(String, Role)> = [
        ("jlee", Role::Coder),
        ("mpatel", Role::Coder),
        ("knguyen", Role::Coder),
        ("tbrooks", Role::Cdi),
        ("dkim", Role::Supervisor),
    ]
    .iter()
    .map(|(l, r)| (l.to_string(), *r))
    .collect();
    let today = day(24);
    let a = history::generate(7, today, &staff).unwrap();
    let b = history::generate(7, today, &staff).unwrap();
    assert_eq!(a.acts, b.acts);
    assert_eq!(a.queries, b.queries);
    assert_eq!(a.reviews, b.reviews);
    assert!(!a.acts.is_empty() && !a.reviews.is_empty() && !a.queries.is_empty());
    let start = today.and_hms_opt(0, 0, 0).unwrap().and_utc();
    assert!(a.acts.iter().all(|x| x.at < start), "all back-dated");
    assert!(
        a.acts.windows(2).all(|w| w[0].at <= w[1].at),
        "in time order"
    );
    assert!(a.data.encounters.iter().all(|e| e.account.starts_with('H')));
    assert_eq!(
        a.data.encounters.len(),
        a.finals.len(),
        "only coded ones kept"
    );
    assert!(
        a.acts.iter().any(|x| x.action.as_str() == "reopen"),
        "a few reopenings"
    );
    assert!(
        a.acts.iter().all(|x| x.login != "tbrooks"),
        "CDI specialists do not code"
    );

    // The final coding agrees with the last mark_coded of each encounter, and inpatient charts take
    // longer than professional ones.
    let input = ThroughputInput {
        coders: vec![],
        events: a
            .acts
            .iter()
            .enumerate()
            .map(|(i, x)| ActionEvent {
                login: x.login.clone(),
                at: x.at,
                action: x.action.as_str().into(),
                encounter_id: a
                    .data
                    .encounters
                    .iter()
                    .position(|e| e.account == x.account)
                    .map(|p| p as i64)
                    .or(Some(-(i as i64))),
            })
            .collect(),
        enc_types: a
            .data
            .encounters
            .iter()
            .enumerate()
            .map(|(i, e)| (i as i64, e.enc_type))
            .collect(),
        only: None,
    };
    let finals = throughput::final_codings(&input.events);
    assert_eq!(finals.len(), a.finals.len());
    let minutes = |t: EncounterType| {
        let v: Vec<f64> = finals
            .iter()
            .filter(|f| input.enc_types[&f.encounter_id] == t)
            .filter_map(|f| {
                f.first_open
                    .map(|o| (f.coded_at - o).num_seconds() as f64 / 60.0)
            })
            .filter(|m| *m < 120.0)
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    assert!(
        minutes(EncounterType::Inpatient) > 2.0 * minutes(EncounterType::Professional),
        "inpatient {} vs professional {}",
        minutes(EncounterType::Inpatient),
        minutes(EncounterType::Professional)
    );
}
